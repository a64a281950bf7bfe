import type { Json, JsonObject } from '../schema/types';

/**
 * The canonical PATCH operation (RFC 7644 §3.5.2) that `normalizePatchRequest` produces from
 * whatever dialect a client speaks, and that `applyPatch` consumes.
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
 * stores `members` as one item per member). The store applies these in order.
 */
export type DetachedChange =
  /** add: append these values (already de-duplicated by `value`); replace: the new full list. */
  | { readonly attribute: string; readonly op: 'add' | 'replace'; readonly values: JsonObject[] }
  /** remove these values (matched by `value`). */
  | { readonly attribute: string; readonly op: 'remove'; readonly values: JsonObject[] }
  /** remove every value. */
  | { readonly attribute: string; readonly op: 'remove'; readonly all: true };

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
