import type { Json, JsonObject, ResourceTypeDef } from '../schema/types';
import type { Target } from './path-target';

/**
 * The canonical PATCH operation (RFC 7644 §3.5.2) that `normalizePatchRequest` produces from
 * whatever dialect a client speaks, and that `planPatch` / `applyPatch` consume.
 */
export interface PatchOperation {
  readonly op: 'add' | 'remove' | 'replace';
  /** The path as sent, trimmed; absent for a path-less add/replace. */
  readonly path?: string;
  /** Absent only for remove; `null` is kept (it means "unassign" for replace, RFC 7643 §2.5). */
  readonly value?: Json;
}

/**
 * A change to an attribute that is not kept in the resource document (the Group resource
 * stores `members` as one item per member), in the order the operations gave them.
 * `lambda/scim/members.ts` folds a group's into one member delta.
 */
export type DetachedChange =
  /** add: append these values (already de-duplicated by `value`); replace: the new full list. */
  | { readonly attribute: string; readonly op: 'add' | 'replace'; readonly values: JsonObject[] }
  /** remove these values (matched by `value`). */
  | { readonly attribute: string; readonly op: 'remove'; readonly values: JsonObject[] }
  /** remove every value. */
  | { readonly attribute: string; readonly op: 'remove'; readonly all: true };

/** One document edit of a plan, with the index of the operation it came from. */
export type Edit =
  | { readonly kind: 'target'; readonly index: number; readonly op: PatchOperation['op']; readonly target: Target; readonly value: Json | undefined }
  /** The extension object at `urn` goes (remove, or replace with null). */
  | { readonly kind: 'eraseSchema'; readonly index: number; readonly urn: string };

/** What `planPatch` makes of a request's operations: resolved against the schema, no document needed. */
export interface PatchPlan {
  readonly rt: ResourceTypeDef;
  /** How many operations the request had (a failure names its operation when there are several). */
  readonly operationCount: number;
  readonly edits: readonly Edit[];
  readonly detached: DetachedChange[];
  /** Extension URNs whose object the edits may create or empty. */
  readonly extensions: readonly string[];
}

/** What `applyPatch` returns: the new document and the changes to detached attributes. */
export interface PatchResult {
  readonly resource: JsonObject;
  readonly detached: DetachedChange[];
}

export interface PatchOptions {
  /**
   * Top-level attributes (e.g. `["members"]` for Groups) that are not stored in the document:
   * operations on them become `DetachedChange` entries instead of document edits.
   * @default []
   */
  readonly detached?: readonly string[];
}
