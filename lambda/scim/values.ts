import { invalidValue } from './errors';
import { checkReference } from './reference';
import type { AttributeDef, Json, JsonObject } from './schema/types';

/**
 * Checks of simple values against their schema type (RFC 7643 §2.3), shared by resource
 * validation (POST/PUT) and PATCH so that both accept and refuse exactly the same values.
 */

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * True for an xsd:dateTime (RFC 7643 §2.3.5) naming a real instant: Date.parse alone rolls
 * 2024-02-30 over to 1 March, so the calendar fields are checked too.
 */
export function isDateTime(text: string): boolean {
  const m = DATE_TIME.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60
  );
}

/** Checks one simple (non-complex) value; Entra ID's "True"/"False" strings become booleans. */
export function coerceSimple(def: AttributeDef, raw: Json, path: string): Json {
  switch (def.type) {
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      // Microsoft Entra ID (default, without aadOptscim062020) disables a user with
      // {"op":"Replace","path":"active","value":"False"} (CLIENTS.md §3.1).
      if (typeof raw === 'string') {
        const lowered = raw.trim().toLowerCase();
        if (lowered === 'true') return true;
        if (lowered === 'false') return false;
      }
      throw invalidValue(`"${path}" must be a boolean.`);
    case 'integer':
      if (typeof raw !== 'number' || !Number.isInteger(raw)) throw invalidValue(`"${path}" must be an integer.`);
      return raw;
    case 'decimal':
      if (typeof raw !== 'number' || !Number.isFinite(raw)) throw invalidValue(`"${path}" must be a number.`);
      return raw;
    case 'dateTime':
      if (typeof raw !== 'string' || !isDateTime(raw)) {
        throw invalidValue(`"${path}" must be an xsd:dateTime string (RFC 7643 §2.3.5).`);
      }
      return raw;
    case 'complex':
      throw invalidValue(`"${path}" must be a JSON object.`);
    case 'reference':
      if (typeof raw !== 'string') throw invalidValue(`"${path}" must be a string.`);
      return checkReference(def, raw, path);
    default:
      if (typeof raw !== 'string') throw invalidValue(`"${path}" must be a string.`);
      return raw;
  }
}

/** Deep equality of JSON values (key order ignored). */
export function jsonEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && jsonEqual(a[k], b[k]));
  }
  return false;
}
