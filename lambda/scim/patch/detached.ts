import { invalidFilter, invalidPath, invalidValue } from '../errors';
import type { Filter } from '../filter/ast';
import type { Json, JsonObject } from '../schema/types';
import type { Target } from './path-target';
import type { DetachedChange, PatchOperation } from './types';
import { coerceElements, isObject } from './values';

/**
 * PATCH on an attribute the document does not hold (a Group's `members`, stored as one item
 * per member so that adding k members costs O(k) writes): the operation becomes a
 * `DetachedChange` for the store to apply.
 */

/** Turns one operation on a detached attribute into the change the store applies, or undefined for a no-op. */
export function detachedChange(op: PatchOperation['op'], target: Target, value: Json | undefined): DetachedChange | undefined {
  const attribute = target.attribute.name;
  if (target.sub) {
    throw invalidPath(`"${target.text}": sub-attributes of "${attribute}" cannot be patched; add or remove whole values.`);
  }
  if (target.filter) {
    // RFC 7644 §3.5.2.2 `members[value eq "id"]`: Okta, and Entra ID with aadOptscim062020.
    if (op !== 'remove') {
      throw invalidPath(`"${target.text}": a value filter on "${attribute}" is supported only with "remove".`);
    }
    const ids = [...new Set(filterValues(target.filter, attribute))];
    return { attribute, op, values: ids.map((id) => ({ value: id })) };
  }
  switch (op) {
    case 'add': {
      if (value === undefined || value === null) throw invalidValue(`"add" on "${attribute}" needs a value.`);
      const values = memberValues(target, value);
      return values.length === 0 ? undefined : { attribute, op, values };
    }
    case 'replace':
      // RFC 7644 §3.5.2.3: the whole list is replaced; null or [] leaves it empty (RFC 7643 §2.5).
      return { attribute, op, values: value === undefined || value === null ? [] : memberValues(target, value) };
    case 'remove': {
      // RFC 7644 §3.5.2.2: without a filter, all values go. Entra ID (default mode) and
      // JumpCloud send `path: "members"` with a value array meaning "these members".
      if (value === undefined || value === null) return { attribute, op, all: true };
      const values = memberValues(target, value);
      return values.length === 0 ? undefined : { attribute, op, values };
    }
  }
}

/**
 * Checks member objects: each must carry a non-empty string `value` (the id the store keys
 * on). readOnly sub-attributes such as `display` (sent by Okta) and Entra ID's `"$ref": null`
 * are dropped by `coerceElements`. Duplicates within one operation are kept once.
 */
function memberValues(target: Target, raw: Json): JsonObject[] {
  const out: JsonObject[] = [];
  coerceElements(target.attribute, raw, target.attribute.name).forEach((item, i) => {
    const id = isObject(item) ? item.value : undefined;
    if (!isObject(item) || typeof id !== 'string' || id.trim() === '') {
      throw invalidValue(`"${target.attribute.name}[${i}]" must be an object with a non-empty string "value".`);
    }
    if (!out.some((seen) => seen.value === id)) out.push(item);
  });
  return out;
}

/** The ids a filter of the form `value eq "a" [or value eq "b" ...]` names. */
function filterValues(filter: Filter, attribute: string): string[] {
  if (filter.kind === 'or') return [...filterValues(filter.left, attribute), ...filterValues(filter.right, attribute)];
  if (
    filter.kind === 'compare' &&
    filter.op === 'eq' &&
    filter.path.uri === undefined &&
    filter.path.sub === undefined &&
    filter.path.name.toLowerCase() === 'value' &&
    typeof filter.value === 'string'
  ) {
    return [filter.value];
  }
  throw invalidFilter(
    `Only value filters of the form ${attribute}[value eq "<id>"] (optionally joined by "or") are supported on "${attribute}".`,
  );
}
