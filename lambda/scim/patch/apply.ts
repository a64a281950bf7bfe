import { ScimError, invalidPath, invalidValue, mutability, noTarget } from '../errors';
import type { Json, JsonObject, ResourceTypeDef } from '../schema/types';
import { detachedChange } from './detached';
import { Draft } from './draft';
import { removeAt, writeAt } from './edit';
import { erase, read, resolveTarget, schemaUrnOf, type Target } from './path-target';
import type { DetachedChange, Edit, PatchOperation, PatchOptions, PatchPlan, PatchResult } from './types';
import { coerceElements, coerceSingle, isObject } from './values';

/**
 * PATCH (RFC 7644 §3.5.2) in two steps. `planPatch` resolves every operation against the
 * schema alone (paths, value objects, mutability, detached attributes) into a plan; it needs
 * no document, so a service can learn a group's member changes before reading the group.
 * `applyPlan` then edits a copy-on-write draft of a document: all edits apply in order, or the
 * first failure throws a ScimError and the caller still holds the untouched input (PATCH is
 * atomic). `applyPatch` is both in one call.
 */

interface Planning {
  readonly rt: ResourceTypeDef;
  /** Lower-cased names of the detached attributes; usually none. */
  readonly detached: ReadonlySet<string> | undefined;
  readonly edits: Edit[];
  readonly changes: DetachedChange[];
  /** Extension URNs whose object an operation may create or empty. */
  readonly extensions: Set<string>;
  index: number;
}

/** Resolves `operations` into document edits and changes to detached attributes, without a document. */
export function planPatch(rt: ResourceTypeDef, operations: readonly PatchOperation[], options: PatchOptions = {}): PatchPlan {
  const detached = options.detached?.length ? new Set(options.detached.map((name) => name.toLowerCase())) : undefined;
  const plan: Planning = { rt, detached, edits: [], changes: [], extensions: new Set(), index: 0 };
  for (let index = 0; index < operations.length; index++) {
    plan.index = index;
    named(index, operations.length, () => planOperation(plan, operations[index]));
  }
  return { rt, operationCount: operations.length, edits: plan.edits, detached: plan.changes, extensions: [...plan.extensions] };
}

/**
 * Applies a plan's edits to `resource` and returns the new document. The input is never
 * written to; the result shares the values no edit touched with the input, so neither may
 * be changed in place afterwards (the services validate the result into a new document).
 */
export function applyPlan(resource: JsonObject, plan: PatchPlan): JsonObject {
  const draft = new Draft(resource);
  for (const edit of plan.edits) {
    named(edit.index, plan.operationCount, () => {
      if (edit.kind === 'eraseSchema') return erase(draft.doc, edit.urn);
      const { op, target, value } = edit;
      if (op === 'remove') return removeAt(draft, target, value);
      // RFC 7643 §2.5: null is "unassigned", so replace with null removes.
      if (value === undefined || value === null) return removeAt(draft, target);
      writeAt(draft, op, target, value);
    });
  }
  syncSchemas(plan.rt, draft.doc, plan.extensions);
  return draft.doc;
}

/** `planPatch` then `applyPlan`: the new document and the changes to detached attributes. */
export function applyPatch(
  rt: ResourceTypeDef,
  resource: JsonObject,
  operations: readonly PatchOperation[],
  options: PatchOptions = {},
): PatchResult {
  const plan = planPatch(rt, operations, options);
  return { resource: applyPlan(resource, plan), detached: plan.detached };
}

/** Runs one operation's step; a failure names the operation when there are several. */
function named(index: number, count: number, step: () => void): void {
  try {
    step();
  } catch (error) {
    if (!(error instanceof ScimError) || count === 1) throw error;
    throw new ScimError(error.status, error.scimType, `Operations[${index}]: ${error.detail}`, error.headers);
  }
}

function planOperation(plan: Planning, { op, path, value }: PatchOperation): void {
  if (path === undefined) {
    // RFC 7644 §3.5.2.2: remove needs a path. §3.5.2.1/§3.5.2.3: add/replace without one
    // target the resource itself, with a value object of attributes.
    if (op === 'remove') throw noTarget('"remove" needs a "path" (RFC 7644 §3.5.2.2).');
    return planValueObject(plan, op, value, undefined);
  }
  const urn = schemaUrnOf(plan.rt, path);
  if (urn) return planSchema(plan, op, urn, value);
  planTarget(plan, op, resolveTarget(plan.rt, path), value, false);
}

/**
 * A path-less add/replace (or one whose path is a schema URN). Each key is planned as if it
 * were the path of its own operation, so keys may be plain names, dotted names or
 * URN-qualified names: Entra ID with aadOptscim062020 sends
 * `{"name.givenName": ..., "urn:...:enterprise:2.0:User:employeeNumber": ...}`, and a URN
 * key may hold an object of that extension's attributes (CLIENTS.md §3.1).
 */
function planValueObject(plan: Planning, op: 'add' | 'replace', value: Json | undefined, scope: string | undefined): void {
  if (!isObject(value)) {
    const where = scope ? `"${scope}"` : 'the resource (no "path")';
    throw invalidValue(`"${op}" on ${where} needs a JSON object of attributes as its value (RFC 7644 §3.5.2).`);
  }
  for (const [key, item] of Object.entries(value)) {
    // `schemas` is not patched, at the top or inside an extension's value: the server keeps it in step with the extensions present.
    if (key.toLowerCase() === 'schemas') continue;
    if (!scope) {
      const urn = schemaUrnOf(plan.rt, key);
      if (urn) {
        planSchema(plan, op, urn, item);
        continue;
      }
    }
    planTarget(plan, op, resolveTarget(plan.rt, scope ? `${scope}:${key}` : key), item, true);
  }
}

/** An operation whose path is a schema URN alone: the extension object as a whole. */
function planSchema(plan: Planning, op: PatchOperation['op'], urn: string, value: Json | undefined): void {
  const isCore = urn === plan.rt.schema.id;
  if (op === 'remove' || (op === 'replace' && value === null)) {
    if (isCore) throw invalidPath(`The core schema "${urn}" cannot be removed.`);
    plan.extensions.add(urn);
    plan.edits.push({ kind: 'eraseSchema', index: plan.index, urn });
    return;
  }
  if (!isCore) plan.extensions.add(urn);
  planValueObject(plan, op, value, urn);
}

/**
 * One operation on one attribute. `lenient` is set for keys of a path-less value object,
 * where readOnly attributes are skipped rather than refused: Okta renames a group with
 * `{"op":"replace","value":{"id":..., "displayName":...}}` (CLIENTS.md §3.2), as a PUT would
 * carry them (RFC 7644 §3.5.1).
 */
function planTarget(plan: Planning, op: PatchOperation['op'], target: Target, value: Json | undefined, lenient: boolean): void {
  const { attribute, sub, extension } = target;
  if (!extension && plan.detached?.has(attribute.name.toLowerCase())) {
    const change = detachedChange(op, target, value);
    if (change) plan.changes.push(change);
    return;
  }
  if (attribute.mutability === 'readOnly' || sub?.mutability === 'readOnly') {
    if (lenient) return;
    throw mutability(`"${target.text}" is readOnly and cannot be modified (RFC 7643 §2.2).`);
  }
  if (extension) plan.extensions.add(extension);
  const def = sub ?? attribute;
  if (def.mutability === 'writeOnly') {
    // A password is checked and accepted, never stored (user.ts; RFC 7643 §4.1.1).
    if (value !== undefined && value !== null) {
      if (def.multiValued) coerceElements(def, value, target.text);
      else coerceSingle(def, value, target.text);
    }
    return;
  }
  if (op === 'add' && (value === undefined || value === null)) {
    throw invalidValue(`"add" on "${target.text}" needs a value; use "remove" to unassign it.`);
  }
  plan.edits.push({ kind: 'target', index: plan.index, op, target, value });
}

/**
 * RFC 7643 §3: `schemas` lists the extensions a resource carries. An extension object that
 * PATCH emptied is removed with its URN; one that PATCH created gets its URN listed.
 */
function syncSchemas(rt: ResourceTypeDef, doc: JsonObject, extensions: readonly string[]): void {
  if (extensions.length === 0) return;
  const before = read(doc, 'schemas');
  let schemas = Array.isArray(before) ? [...before] : [rt.schema.id];
  for (const urn of extensions) {
    const holder = read(doc, urn);
    const present = isObject(holder) && Object.keys(holder).length > 0;
    if (!present) erase(doc, urn);
    const listed = schemas.some((s) => typeof s === 'string' && s.toLowerCase() === urn.toLowerCase());
    if (present && !listed) schemas.push(urn);
    if (!present && listed) schemas = schemas.filter((s) => !(typeof s === 'string' && s.toLowerCase() === urn.toLowerCase()));
  }
  if (Array.isArray(before) || schemas.length > 1) doc.schemas = schemas;
}
