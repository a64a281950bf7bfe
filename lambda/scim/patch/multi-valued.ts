import { invalidValue } from '../errors';
import { findAttribute } from '../schema/registry';
import type { AttributeDef, Json } from '../schema/types';
import { isObject, jsonEqual } from './values';

/**
 * The rules of multi-valued attributes that PATCH needs: when two values are "the same"
 * (RFC 7644 §3.5.2.1: values already present are not added again) and the at-most-one
 * `primary` rule of RFC 7643 §2.4.
 */

const sameString = (a: Json | undefined, b: Json | undefined, caseExact: boolean) =>
  typeof a === 'string' && typeof b === 'string' && !caseExact ? a.toLowerCase() === b.toLowerCase() : jsonEqual(a, b);

/**
 * Whether `candidate` denotes the existing value `existing`. For the value/type/primary shape
 * (emails, members, roles...) the identity is `value`, plus `type` when both carry one; other
 * complex values (addresses) are the same only when equal.
 */
export function sameValue(def: AttributeDef, existing: Json, candidate: Json): boolean {
  if (def.type !== 'complex') return sameString(existing, candidate, def.caseExact);
  if (!isObject(existing) || !isObject(candidate)) return false;
  const valueDef = findAttribute(def.subAttributes ?? [], 'value');
  if (!valueDef || existing.value === undefined || candidate.value === undefined) return jsonEqual(existing, candidate);
  if (!sameString(existing.value, candidate.value, valueDef.caseExact)) return false;
  const a = existing.type;
  const b = candidate.type;
  return a === undefined || b === undefined || sameString(a, b, false);
}

/**
 * Adds values to a list (RFC 7644 §3.5.2.1). A value already present is merged into the
 * existing one rather than duplicated. Returns the new list and the indexes it touched.
 */
export function addValues(def: AttributeDef, list: readonly Json[], incoming: readonly Json[]) {
  const next = [...list];
  const touched: number[] = [];
  for (const value of incoming) {
    const at = next.findIndex((existing) => sameValue(def, existing, value));
    if (at < 0) {
      touched.push(next.push(value) - 1);
    } else {
      const existing = next[at];
      next[at] = isObject(existing) && isObject(value) ? { ...existing, ...value } : existing;
      touched.push(at);
    }
  }
  return { list: next, touched };
}

/** Removes the values that denote any of `given` (Entra ID / JumpCloud remove-with-value). */
export function removeValues(def: AttributeDef, list: readonly Json[], given: readonly Json[]): Json[] {
  return list.filter((existing) => !given.some((g) => sameValue(def, existing, g)));
}

/** Refuses a list in which more than one value is primary (RFC 7643 §2.4). */
export function checkOnePrimary(list: readonly Json[], path: string): void {
  const primaries = list.filter((v) => isObject(v) && v.primary === true).length;
  if (primaries > 1) throw invalidValue(`At most one value of "${path}" may have "primary": true (RFC 7643 §2.4).`);
}

/**
 * When a value written by this operation is primary, the others stop being primary
 * (RFC 7643 §2.4: "primary" true appears no more than once). Only values that were primary
 * are changed, to `false`; values without the sub-attribute are left as stored.
 */
export function keepOnePrimary(list: Json[], touched: readonly number[], path: string): void {
  let written = -1;
  for (const i of touched) {
    const value = list[i];
    if (i === written || !isObject(value) || value.primary !== true) continue;
    if (written >= 0) throw invalidValue(`At most one value of "${path}" may have "primary": true (RFC 7643 §2.4).`);
    written = i;
  }
  if (written < 0) return;
  for (let i = 0; i < list.length; i++) {
    const value = list[i];
    if (i !== written && isObject(value) && value.primary === true) list[i] = { ...value, primary: false };
  }
}
