import { ScimError, invalidPath, invalidValue, mutability, noTarget } from '../errors';
import type { Json, JsonObject, ResourceTypeDef } from '../schema/types';
import { detachedChange } from './detached';
import { Draft } from './draft';
import { removeAt, writeAt } from './edit';
import { erase, read, resolveTarget, schemaUrnOf, type Target } from './path-target';
import type { DetachedChange, PatchOperation, PatchOptions, PatchResult } from './types';
import { coerceElements, coerceSingle, isObject } from './values';

/**
 * Applies PATCH operations (RFC 7644 §3.5.2) to a resource document. All operations are
 * applied in order to a draft, or none is: the first failure throws a ScimError and the
 * caller still holds the untouched input (RFC 7644 §3.5.2: PATCH is atomic).
 */

interface Context {
  readonly rt: ResourceTypeDef;
  readonly draft: Draft;
  /** Lower-cased names of the detached attributes; usually none. */
  readonly detached: ReadonlySet<string> | undefined;
  readonly changes: DetachedChange[];
  /** Extension URNs whose object an operation may have created or emptied. */
  readonly extensions: Set<string>;
}

/**
 * Applies `operations` to `resource` and returns the new document with the changes to
 * detached attributes. The input is never written to; the result is a new object that
 * shares the values no operation touched with the input, so neither may be changed in place
 * afterwards (the services validate the result into a new canonical document).
 */
export function applyPatch(
  rt: ResourceTypeDef,
  resource: JsonObject,
  operations: readonly PatchOperation[],
  options: PatchOptions = {},
): PatchResult {
  const detached = options.detached?.length ? new Set(options.detached.map((name) => name.toLowerCase())) : undefined;
  const ctx: Context = { rt, draft: new Draft(resource), detached, changes: [], extensions: new Set() };
  for (let index = 0; index < operations.length; index++) {
    try {
      applyOperation(ctx, operations[index]);
    } catch (error) {
      // Say which operation failed when there are several.
      if (!(error instanceof ScimError) || operations.length === 1) throw error;
      throw new ScimError(error.status, error.scimType, `Operations[${index}]: ${error.detail}`, error.headers);
    }
  }
  syncSchemas(ctx);
  return { resource: ctx.draft.doc, detached: ctx.changes };
}

function applyOperation(ctx: Context, { op, path, value }: PatchOperation): void {
  if (path === undefined) {
    // RFC 7644 §3.5.2.2: remove needs a path. §3.5.2.1/§3.5.2.3: add/replace without one
    // target the resource itself, with a value object of attributes.
    if (op === 'remove') throw noTarget('"remove" needs a "path" (RFC 7644 §3.5.2.2).');
    return applyValueObject(ctx, op, value, undefined);
  }
  const urn = schemaUrnOf(ctx.rt, path);
  if (urn) return applyToSchema(ctx, op, urn, value);
  applyToTarget(ctx, op, resolveTarget(ctx.rt, path), value, false);
}

/**
 * A path-less add/replace (or one whose path is a schema URN). Each key is applied as if it
 * were the path of its own operation, so keys may be plain names, dotted names or
 * URN-qualified names: Entra ID with aadOptscim062020 sends
 * `{"name.givenName": ..., "urn:...:enterprise:2.0:User:employeeNumber": ...}`, and a URN
 * key may hold an object of that extension's attributes (CLIENTS.md §3.1).
 */
function applyValueObject(ctx: Context, op: 'add' | 'replace', value: Json | undefined, scope: string | undefined): void {
  if (!isObject(value)) {
    const where = scope ? `"${scope}"` : 'the resource (no "path")';
    throw invalidValue(`"${op}" on ${where} needs a JSON object of attributes as its value (RFC 7644 §3.5.2).`);
  }
  for (const [key, item] of Object.entries(value)) {
    if (!scope) {
      // `schemas` is not patched: the server keeps it in step with the extensions present.
      if (key.toLowerCase() === 'schemas') continue;
      const urn = schemaUrnOf(ctx.rt, key);
      if (urn) {
        applyToSchema(ctx, op, urn, item);
        continue;
      }
    }
    applyToTarget(ctx, op, resolveTarget(ctx.rt, scope ? `${scope}:${key}` : key), item, true);
  }
}

/** An operation whose path is a schema URN alone: the extension object as a whole. */
function applyToSchema(ctx: Context, op: PatchOperation['op'], urn: string, value: Json | undefined): void {
  const isCore = urn === ctx.rt.schema.id;
  if (op === 'remove' || (op === 'replace' && value === null)) {
    if (isCore) throw invalidPath(`The core schema "${urn}" cannot be removed.`);
    ctx.extensions.add(urn);
    erase(ctx.draft.doc, urn);
    return;
  }
  if (!isCore) ctx.extensions.add(urn);
  applyValueObject(ctx, op, value, urn);
}

/**
 * One operation on one attribute. `lenient` is set for keys of a path-less value object,
 * where readOnly attributes are skipped rather than refused: Okta renames a group with
 * `{"op":"replace","value":{"id":..., "displayName":...}}` (CLIENTS.md §3.2), as a PUT would
 * carry them (RFC 7644 §3.5.1).
 */
function applyToTarget(ctx: Context, op: PatchOperation['op'], target: Target, value: Json | undefined, lenient: boolean): void {
  const { attribute, sub, extension } = target;
  if (!extension && ctx.detached?.has(attribute.name.toLowerCase())) {
    const change = detachedChange(op, target, value);
    if (change) ctx.changes.push(change);
    return;
  }
  if (attribute.mutability === 'readOnly' || sub?.mutability === 'readOnly') {
    if (lenient) return;
    throw mutability(`"${target.text}" is readOnly and cannot be modified (RFC 7643 §2.2).`);
  }
  if (extension) ctx.extensions.add(extension);
  const def = sub ?? attribute;
  if (def.mutability === 'writeOnly') {
    // A password is checked and accepted, never stored (user.ts; RFC 7643 §4.1.1).
    if (value !== undefined && value !== null) {
      if (def.multiValued) coerceElements(def, value, target.text);
      else coerceSingle(def, value, target.text);
    }
    return;
  }
  if (op === 'remove') return removeAt(ctx.draft, target, value);
  if (value === undefined || value === null) {
    // RFC 7643 §2.5: null is "unassigned", so replace with null removes; add has nothing to add.
    if (op === 'replace') return removeAt(ctx.draft, target);
    throw invalidValue(`"add" on "${target.text}" needs a value; use "remove" to unassign it.`);
  }
  writeAt(ctx.draft, op, target, value);
}

/**
 * RFC 7643 §3: `schemas` lists the extensions a resource carries. An extension object that
 * PATCH emptied is removed with its URN; one that PATCH created gets its URN listed.
 */
function syncSchemas(ctx: Context): void {
  if (ctx.extensions.size === 0) return;
  const { doc } = ctx.draft;
  const before = read(doc, 'schemas');
  let schemas = Array.isArray(before) ? [...before] : [ctx.rt.schema.id];
  for (const urn of ctx.extensions) {
    const holder = read(doc, urn);
    const present = isObject(holder) && Object.keys(holder).length > 0;
    if (!present) erase(doc, urn);
    const listed = schemas.some((s) => typeof s === 'string' && s.toLowerCase() === urn.toLowerCase());
    if (present && !listed) schemas.push(urn);
    if (!present && listed) schemas = schemas.filter((s) => !(typeof s === 'string' && s.toLowerCase() === urn.toLowerCase()));
  }
  if (Array.isArray(before) || schemas.length > 1) doc.schemas = schemas;
}
