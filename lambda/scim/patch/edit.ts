import { invalidPath, invalidValue, mutability, noTarget } from '../errors';
import type { AttributeDef, Json, JsonObject } from '../schema/types';
import { addValues, checkOnePrimary, keepOnePrimary, removeValues } from './multi-valued';
import type { Draft } from './draft';
import { erase, matchingIndexes, read, templateOf, write, type Target } from './path-target';
import { coerceComplex, coerceElements, coerceSingle, isObject, jsonEqual, withoutNulls } from './values';

/**
 * The document edits behind add, replace and remove (RFC 7644 §3.5.2.1-3) on one resolved
 * target. They write to the draft's containers and build every other value anew: values
 * inside them are shared with the stored resource and never changed in place.
 */

const asList = (v: Json | undefined): Json[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/** RFC 7643 §2.2 immutable: once it has a value, only that same value may be written. */
function checkImmutable(def: AttributeDef, before: Json | undefined, after: Json | undefined, path: string): void {
  if (def.mutability === 'immutable' && before !== undefined && !jsonEqual(before, after)) {
    throw mutability(`"${path}" is immutable and already has a value (RFC 7643 §2.2).`);
  }
}

/** RFC 7644 §3.5.2.2: removing a required attribute fails with mutability. */
function checkRemovable(def: AttributeDef, before: Json | undefined, path: string): void {
  if (def.required) throw mutability(`"${path}" is required and cannot be removed (RFC 7644 §3.5.2.2).`);
  checkImmutable(def, before, undefined, path);
}

/** Merges sub-attributes into a complex value; null unassigns (RFC 7644 §3.5.2.3, RFC 7643 §2.5). */
function merge(def: AttributeDef, base: Json | undefined, patch: JsonObject, path: string): JsonObject {
  const out: JsonObject = isObject(base) ? { ...base } : {};
  for (const sub of def.subAttributes ?? []) {
    if (!(sub.name in patch)) continue;
    const value = patch[sub.name];
    checkImmutable(sub, read(out, sub.name), value === null ? undefined : value, `${path}.${sub.name}`);
    if (value === null) erase(out, sub.name);
    else write(out, sub.name, value);
  }
  return out;
}

/** Stores a value, or erases the attribute when the value is unassigned (null, [] or {}). */
function store(container: JsonObject, name: string, value: Json | undefined): void {
  const empty =
    value === undefined || value === null || (Array.isArray(value) ? value.length === 0 : isObject(value) && !hasKeys(value));
  if (empty) erase(container, name);
  else write(container, name, value);
}

function hasKeys(obj: JsonObject): boolean {
  for (const key in obj) if (Object.hasOwn(obj, key)) return true;
  return false;
}

/**
 * remove (RFC 7644 §3.5.2.2), and replace with null. A missing attribute, or a filter that
 * matches nothing, is a no-op. `selector` is the value array Entra ID and JumpCloud send
 * with `remove` on a multi-valued attribute: only those values go.
 */
export function removeAt(draft: Draft, target: Target, selector?: Json): void {
  const container = draft.container(target.extension, false);
  if (!container) return;
  const { attribute, sub, filter, text } = target;
  const current = read(container, attribute.name);
  if (current === undefined || current === null) return;

  if (!attribute.multiValued) {
    if (!sub) {
      checkRemovable(attribute, current, text);
      erase(container, attribute.name);
      return;
    }
    if (!isObject(current) || read(current, sub.name) === undefined) return;
    checkRemovable(sub, read(current, sub.name), text);
    const next = { ...current };
    erase(next, sub.name);
    store(container, attribute.name, next);
    return;
  }

  const list = asList(current);
  let next: Json[];
  if (!sub && !filter) {
    if (selector !== undefined && selector !== null) {
      next = removeValues(attribute, list, coerceElements(attribute, selector, text));
    } else {
      checkRemovable(attribute, current, text);
      next = [];
    }
  } else {
    const hits = new Set(matchingIndexes(target, list));
    if (!sub) {
      next = hits.size === 0 ? list : list.filter((_, i) => !hits.has(i));
    } else {
      next = list
        .map((value, i) => {
          if (!hits.has(i) || !isObject(value) || read(value, sub.name) === undefined) return value;
          checkRemovable(sub, read(value, sub.name), text);
          const copy = { ...value };
          erase(copy, sub.name);
          return copy;
        })
        // RFC 7644 §3.5.2.2: a value left with no sub-attributes is unassigned.
        .filter((value) => !(isObject(value) && Object.keys(value).length === 0));
    }
  }
  if (next.length === 0 && attribute.required) {
    throw mutability(`"${attribute.name}" is required and cannot be left empty (RFC 7644 §3.5.2.2).`);
  }
  store(container, attribute.name, next);
}

/** add (RFC 7644 §3.5.2.1) and replace (§3.5.2.3) of a non-null value. */
export function writeAt(draft: Draft, op: 'add' | 'replace', target: Target, value: Json): void {
  const container = draft.container(target.extension, true) as JsonObject;
  const { attribute, sub, text } = target;
  const current = read(container, attribute.name);

  if (!attribute.multiValued) {
    if (sub) {
      // `name.givenName`: the sub-attribute is set, its siblings kept.
      const patch: JsonObject = { [sub.name]: coerceSingle(sub, value, text) };
      store(container, attribute.name, merge(attribute, current, patch, attribute.name));
    } else if (attribute.type === 'complex') {
      // RFC 7644 §3.5.2.1/§3.5.2.3: sub-attributes not in the value are left unchanged.
      const patch = coerceSingle(attribute, value, text);
      // `[]` is no value (RFC 7643 §2.5): replace unassigns, add adds nothing.
      if (patch === null) return op === 'replace' ? removeAt(draft, target) : undefined;
      store(container, attribute.name, merge(attribute, current, patch as JsonObject, text));
    } else {
      const next = coerceSingle(attribute, value, text);
      if (next === null) return op === 'replace' ? removeAt(draft, target) : undefined;
      checkImmutable(attribute, current ?? undefined, next, text);
      write(container, attribute.name, next);
    }
    return;
  }

  const list = asList(current);
  if (!sub && !target.filter) {
    const incoming = coerceElements(attribute, value, text);
    if (op === 'replace') {
      // RFC 7644 §3.5.2.3: without a filter, all values are replaced.
      checkOnePrimary(incoming, text);
      return store(container, attribute.name, incoming);
    }
    const added = addValues(attribute, list, incoming);
    keepOnePrimary(added.list, added.touched, text);
    return store(container, attribute.name, added.list);
  }

  if (sub && !target.filter && list.length > 1) {
    // `emails.value` with several emails: which one is meant? Refused rather than guessed.
    throw invalidPath(`"${text}" is ambiguous: "${attribute.name}" has ${list.length} values; select one with a value filter.`);
  }
  const hits = matchingIndexes(target, list);
  const next = [...list];
  if (hits.length === 0) {
    const created = createValue(op, target, value);
    if (created === undefined) return;
    next.push(created);
    hits.push(next.length - 1);
  } else {
    const patch: JsonObject = sub ? { [sub.name]: coerceSingle(sub, value, text) } : elementPatch(target, value);
    for (const i of hits) next[i] = merge(attribute, next[i], patch, `${attribute.name}[${i}]`);
  }
  keepOnePrimary(next, hits, text);
  store(container, attribute.name, next);
}

function elementPatch(target: Target, value: Json): JsonObject {
  const one = Array.isArray(value) && value.length === 1 ? value[0] : value;
  if (target.attribute.type !== 'complex' || !isObject(one)) {
    throw invalidValue(`"${target.text}" selects values of "${target.attribute.name}"; the value must be a JSON object.`);
  }
  return coerceComplex(target.attribute, one, target.text);
}

/**
 * The value to append when a filtered path matches nothing:
 * - add (RFC 7644 §3.5.2.1: a target that does not exist is added) and
 * - replace with a sub-attribute, `emails[type eq "work"].value`: Microsoft Entra ID sends
 *   this for a user that has no work email yet and relies on it being created (CLIENTS.md §3.1).
 * The filter must be `sub eq literal` joined by `and`, which describes the new value;
 * otherwise, and for a replace of whole values, RFC 7644 §3.5.2.3 answers noTarget.
 */
function createValue(op: 'add' | 'replace', target: Target, value: Json): Json | undefined {
  const template = target.filter ? templateOf(target) : {};
  if (!template || (op === 'replace' && !target.sub)) {
    throw noTarget(`The filter in "${target.text}" matches no value to ${op} (RFC 7644 §3.5.2.3).`);
  }
  const patch = target.sub ? { [target.sub.name]: coerceSingle(target.sub, value, target.text) } : elementPatch(target, value);
  const written = withoutNulls(patch);
  return Object.keys(written).length === 0 ? undefined : { ...template, ...written };
}
