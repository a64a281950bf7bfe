import { invalidPath, invalidValue } from '../errors';
import { coerceSimple, isObject, jsonEqual } from '../values';
import { findAttribute } from '../schema/registry';
import type { AttributeDef, Json, JsonObject } from '../schema/types';

export { coerceSimple, isObject, jsonEqual };

/**
 * Checks PATCH values against the schema (RFC 7643 §2.3 data types, §2.4 multi-valued) and
 * returns them in canonical form: sub-attribute names spelled as the schema spells them.
 */

/**
 * Checks a value for a complex attribute. A `null` sub-attribute is kept as null, meaning
 * "unassign" (RFC 7643 §2.5) for a merge; readOnly sub-attributes are dropped as RFC 7644
 * §3.5.1 drops them from a PUT (Okta sends `display` in member objects). An unknown
 * sub-attribute is an error, never silently ignored.
 */
export function coerceComplex(def: AttributeDef, raw: Json, path: string): JsonObject {
  if (!isObject(raw)) throw invalidValue(`"${path}" must be a JSON object.`);
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(raw)) {
    const sub = findAttribute(def.subAttributes ?? [], key);
    if (!sub) throw invalidPath(`"${path}" has no sub-attribute "${key}".`);
    if (sub.mutability === 'readOnly') continue;
    if (value === null) {
      out[sub.name] = null;
      continue;
    }
    out[sub.name] = coerceSimple(sub, Array.isArray(value) ? unwrapOne(value, `${path}.${sub.name}`) : value, `${path}.${sub.name}`);
  }
  return out;
}

/** A copy of `obj` without its null members (for a value that is created, not merged). */
export function withoutNulls(obj: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== null));
}

/** Checks one element of `def` (a complex object or a simple value); nulls inside are kept. */
export function coerceElement(def: AttributeDef, raw: Json, path: string): Json {
  return def.type === 'complex' ? coerceComplex(def, raw, path) : coerceSimple(def, raw, path);
}

/**
 * Checks the new elements of a multi-valued attribute: an array, or one value that is
 * wrapped (RFC 7644 §3.5.2.1 shows both forms in practice). Elements are created, so their
 * null sub-attributes are dropped (Entra ID's `"$ref": null`, CLIENTS.md §3.1).
 */
export function coerceElements(def: AttributeDef, raw: Json, path: string): Json[] {
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((item, i) => {
    const where = `${path}[${i}]`;
    if (item === null) throw invalidValue(`"${where}" must not be null.`);
    const value = coerceElement(def, item, where);
    if (!isObject(value)) return value;
    const clean = withoutNulls(value);
    if (Object.keys(clean).length === 0) throw invalidValue(`"${where}" carries no value that can be written.`);
    return clean;
  });
}

/**
 * Checks the value for a single-valued attribute. A one-element array is unwrapped: some
 * clients send every value as `[x]` (CLIENTS.md §5 item 3). Returns null for "unassign".
 */
export function coerceSingle(def: AttributeDef, raw: Json, path: string): Json {
  const value = Array.isArray(raw) ? unwrapOne(raw, path) : raw;
  if (value === null) return null;
  return coerceElement(def, value, path);
}

function unwrapOne(list: Json[], path: string): Json {
  if (list.length === 0) return null;
  if (list.length > 1) throw invalidValue(`"${path}" is single-valued and cannot take ${list.length} values.`);
  return list[0];
}
