import { invalidSyntax, invalidValue, mutability } from './errors';
import { commonAttributes } from './schema/common';
import { findAttribute, findExtension } from './schema/registry';
import type { AttributeDef, Json, JsonObject, ResourceTypeDef } from './schema/types';
import { checkUniqueName } from './unique-name';
import { coerceSimple, isObject } from './values';

/**
 * Schema validation of a resource sent with POST or PUT (RFC 7643 §2 and §7, RFC 7644 §3.3
 * and §3.5.1), and of the document a PATCH produces. It returns the canonical form kept in
 * the store: attribute names spelled as the schema spells them, unknown attributes and
 * readOnly/writeOnly ones dropped, unassigned values (null, [], {}) removed.
 */

export interface ValidateOptions {
  /** The stored resource a PUT or PATCH replaces; immutable attributes must keep their value. */
  readonly existing?: JsonObject;
}

/** Validates a client document against `rt` and returns its canonical form. */
export function validateResource(rt: ResourceTypeDef, body: unknown, options: ValidateOptions = {}): JsonObject {
  if (!isObject(body)) throw invalidSyntax(`The request body must be a JSON object describing a ${rt.name}.`);
  checkSchemas(rt, body[Object.keys(body).find((k) => k.toLowerCase() === 'schemas') ?? 'schemas']);

  const out: JsonObject = {};
  const extensions = new Map<string, JsonObject>();
  const core = [...commonAttributes, ...rt.schema.attributes];
  const ctx: Context = { kept: options.existing ? storedReferences(rt, options.existing) : NONE };
  for (const [key, raw] of Object.entries(body)) {
    if (key.toLowerCase() === 'schemas') continue;
    const ext = findExtension(rt, key);
    if (ext) {
      if (raw === null) continue;
      if (!isObject(raw)) throw invalidValue(`"${ext.id}" must be a JSON object.`);
      const value = validateAttributes(ext.attributes, raw, `${ext.id}:`, ctx);
      if (Object.keys(value).length > 0) extensions.set(ext.id, value);
      continue;
    }
    const def = findAttribute(core, key);
    if (!def) continue; // RFC 7644 §3.3: attributes the server does not know are ignored.
    if (def.mutability === 'readOnly' || def.mutability === 'writeOnly') continue;
    const value = validateValue(def, raw, def.name, ctx);
    if (value !== undefined) out[def.name] = value;
  }
  for (const def of rt.schema.attributes) {
    const value = out[def.name];
    if (def.required && (value === undefined || (typeof value === 'string' && value.trim() === ''))) {
      throw invalidValue(`The attribute "${def.name}" is required and must not be empty.`);
    }
    // A unique name (userName, a group's displayName) must be told apart when shown. One
    // stored before this rule is not refused again: the resource can still be changed.
    if (def.uniqueness === 'server' && typeof value === 'string' && value !== options.existing?.[def.name]) checkUniqueName(value, def.name);
  }
  checkImmutable(rt, out, options.existing);

  const ordered: JsonObject = { schemas: [rt.schema.id, ...extensions.keys()] };
  for (const def of [...commonAttributes, ...rt.schema.attributes]) {
    if (out[def.name] !== undefined) ordered[def.name] = out[def.name];
  }
  for (const [urn, value] of extensions) ordered[urn] = value;
  return ordered;
}

function checkSchemas(rt: ResourceTypeDef, schemas: unknown): void {
  // Lenient: a missing `schemas` is filled in; unknown URNs (Entra adds its own for groups) are dropped.
  if (schemas === undefined || schemas === null) return;
  if (!Array.isArray(schemas) || !schemas.every((s) => typeof s === 'string')) {
    throw invalidValue('"schemas" must be an array of schema URNs.');
  }
  const core = rt.schema.id.toLowerCase();
  if (!schemas.some((s) => (s as string).toLowerCase() === core)) {
    throw invalidValue(`"schemas" must contain "${rt.schema.id}".`);
  }
}

/** What a validation carries down to each value. */
interface Context {
  /** Reference values the stored resource already has: kept, even if refused today (RFC 7643 §2.3.7 checks came later). */
  readonly kept: ReadonlySet<string>;
}
const NONE: ReadonlySet<string> = new Set();
const NO_CONTEXT: Context = { kept: NONE };

/** Every value of a reference attribute in a stored document, by its schema. */
function storedReferences(rt: ResourceTypeDef, document: JsonObject): Set<string> {
  const found = new Set<string>();
  const walk = (defs: readonly AttributeDef[], object: JsonObject) => {
    for (const def of defs) {
      const value = object[def.name];
      for (const item of Array.isArray(value) ? value : [value]) {
        if (def.type === 'reference' && typeof item === 'string') found.add(item);
        else if (def.type === 'complex' && isObject(item)) walk(def.subAttributes ?? [], item);
      }
    }
  };
  walk([...commonAttributes, ...rt.schema.attributes], document);
  for (const { schema } of rt.extensions) if (isObject(document[schema.id])) walk(schema.attributes, document[schema.id] as JsonObject);
  return found;
}

function validateAttributes(defs: readonly AttributeDef[], raw: JsonObject, prefix: string, ctx: Context): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(raw)) {
    const def = findAttribute(defs, key);
    if (!def || def.mutability === 'readOnly' || def.mutability === 'writeOnly') continue;
    const checked = validateValue(def, value, `${prefix}${def.name}`, ctx);
    if (checked !== undefined) out[def.name] = checked;
  }
  return out;
}

/**
 * Checks one attribute value against its definition and returns it in canonical form, or
 * undefined when it is unassigned (RFC 7643 §2.5: null and empty arrays mean "no value").
 */
export function validateValue(def: AttributeDef, raw: Json | undefined, path: string, ctx: Context = NO_CONTEXT): Json | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (def.multiValued) {
    const list = Array.isArray(raw) ? raw : [raw];
    const values = list
      .map((item, i) => validateSingle(def, item, `${path}[${i}]`, ctx))
      .filter((v): v is Json => v !== undefined);
    if (values.length === 0) return undefined;
    if (def.type === 'complex') {
      const primaries = values.filter((v) => isObject(v) && v.primary === true).length;
      if (primaries > 1) throw invalidValue(`At most one value of "${path}" may be primary (RFC 7643 §2.4).`);
    }
    return values;
  }
  // Some clients wrap a single value in a one-element array; accept it.
  if (Array.isArray(raw)) {
    if (raw.length === 0) return undefined;
    if (raw.length > 1) throw invalidValue(`"${path}" is single-valued and cannot take ${raw.length} values.`);
    return validateSingle(def, raw[0], path, ctx);
  }
  return validateSingle(def, raw, path, ctx);
}

function validateSingle(def: AttributeDef, raw: Json, path: string, ctx: Context): Json | undefined {
  if (raw === null) return undefined;
  if (def.type === 'reference' && typeof raw === 'string' && ctx.kept.has(raw)) return raw;
  if (def.type !== 'complex') return coerceSimple(def, raw, path);
  if (!isObject(raw)) throw invalidValue(`"${path}" must be a JSON object.`);
  const out = validateAttributes(def.subAttributes ?? [], raw, `${path}.`, ctx);
  return Object.keys(out).length === 0 ? undefined : out;
}

function checkImmutable(rt: ResourceTypeDef, next: JsonObject, existing: JsonObject | undefined): void {
  if (!existing) return;
  for (const def of rt.schema.attributes) {
    if (def.mutability !== 'immutable') continue;
    const before = existing[def.name];
    if (before !== undefined && JSON.stringify(before) !== JSON.stringify(next[def.name])) {
      throw mutability(`The attribute "${def.name}" is immutable and cannot be changed.`);
    }
  }
}
