import { invalidValue, tooMany } from './errors';
import type { Filter } from './filter/ast';
import { leaves } from './filter/walk';
import type { DetachedChange } from './patch/types';
import type { Json } from './schema/types';
import { isObject } from './values';

/**
 * A Group's `members` (RFC 7643 §4.2) as the SCIM core sees them: the rules a member must
 * meet, and one member delta per request, folded from PATCH operations in any client's shape.
 * The store keeps members one item each; nothing here knows how.
 */

/**
 * Member changes one request may carry (adds plus removes, or the size of a full list).
 * Above it the request is refused before anything is read (400 tooMany).
 */
export const MAX_MEMBER_CHANGES = 10_000;

/**
 * What a request does to a group's members.
 * - `changes`: these ids join, these leave (disjoint; either may be empty);
 * - `replace`: the members become exactly these ids (RFC 7644 §3.5.2.3, or a PUT/POST body).
 */
export type MemberDelta =
  | { readonly kind: 'changes'; readonly add: readonly string[]; readonly remove: readonly string[] }
  | { readonly kind: 'replace'; readonly members: readonly string[] };

/** The delta that changes nothing. */
export const NO_MEMBER_CHANGE: MemberDelta = Object.freeze({ kind: 'changes', add: [], remove: [] });

/** Whether the delta changes nothing (no replace, no adds, no removes). */
export function isEmptyDelta(delta: MemberDelta): boolean {
  return delta.kind === 'changes' && delta.add.length === 0 && delta.remove.length === 0;
}

/** The ids whose users a delta must read to apply (a replace reads the group's whole list instead). */
export function namedUsers(delta: MemberDelta): string[] {
  return delta.kind === 'changes' ? [...delta.add, ...delta.remove] : [...delta.members];
}

/**
 * Folds a PATCH's ordered member changes into one delta: a later operation wins over an
 * earlier one on the same id, and a replace (or a remove of all) starts the list afresh, the
 * adds and removes after it applying to the new list. Refuses a request that names more
 * than MAX_MEMBER_CHANGES members in all.
 */
export function memberDelta(changes: readonly DetachedChange[]): MemberDelta {
  let replaced: Set<string> | undefined;
  const add = new Set<string>();
  const remove = new Set<string>();
  let named = 0;
  for (const change of changes) {
    if ('all' in change) {
      replaced = new Set();
      add.clear();
      remove.clear();
      continue;
    }
    const ids = memberIds(change.values, change.attribute);
    named += ids.length;
    if (named > MAX_MEMBER_CHANGES) {
      throw tooMany(`A PATCH may change at most ${MAX_MEMBER_CHANGES} members; split the changes over several requests.`);
    }
    if (change.op === 'replace') {
      replaced = new Set(ids);
      add.clear();
      remove.clear();
      continue;
    }
    const [into, outOf] = change.op === 'add' ? [add, remove] : [remove, add];
    for (const id of ids) {
      into.add(id);
      outOf.delete(id);
    }
  }
  if (!replaced) return { kind: 'changes', add: [...add], remove: [...remove] };
  for (const id of add) replaced.add(id);
  for (const id of remove) replaced.delete(id);
  return { kind: 'replace', members: [...replaced] };
}

/** The delta of a POST or PUT body: its `members` as sent (the key matched case-insensitively). */
export function bodyMembers(body: unknown): MemberDelta {
  const ids = memberIds(membersIn(body), 'members');
  if (ids.length > MAX_MEMBER_CHANGES) {
    throw tooMany(`A request may carry at most ${MAX_MEMBER_CHANGES} members; send the rest with PATCH.`);
  }
  return { kind: 'replace', members: ids };
}

/**
 * The distinct ids of member objects, checked against the member rules: each carries a
 * non-empty string `value` (the id of a User), and `type`, when given, is `User` (no nested
 * groups). `display` and Entra ID's `"$ref": null` are ignored.
 */
export function memberIds(values: readonly Json[], attribute = 'members'): string[] {
  const ids = new Set<string>();
  values.forEach((member, i) => {
    if (!isObject(member) || typeof member.value !== 'string' || member.value.trim() === '') {
      throw invalidValue(`"${attribute}[${i}]" needs a non-empty string "value": the id of a User.`);
    }
    if (typeof member.type === 'string' && member.type.toLowerCase() !== 'user') {
      throw invalidValue('Members must be Users; nested groups are not supported.');
    }
    ids.add(member.value);
  });
  return [...ids];
}

/** The `members` a POST or PUT body carries, as sent; read from the body so that none is dropped unseen. */
function membersIn(body: unknown): Json[] {
  if (!isObject(body)) return [];
  const key = Object.keys(body).find((k) => k.toLowerCase() === 'members');
  const value = key === undefined ? undefined : body[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidValue('"members" must be an array of member objects.');
  return value;
}

/**
 * How a filter uses `members`: the user ids of `members.value eq "<id>"` tests (also written
 * `members[value eq "<id>"]` or `members eq "<id>"`), and whether it uses members otherwise.
 */
export function memberReferences(filter: Filter): { values: Set<string>; other: boolean } {
  const values = new Set<string>();
  let other = false;
  for (const leaf of leaves(filter)) {
    if (leaf.path.uri || leaf.path.name !== 'members') continue;
    const test = leaf.kind === 'valuePath' ? leaf.filter : leaf;
    const onValue = leaf.kind === 'valuePath' ? test.kind === 'compare' && test.path.name === 'value' : leaf.path.sub === 'value';
    if (onValue && test.kind === 'compare' && test.op === 'eq' && typeof test.value === 'string') values.add(test.value);
    else other = true;
  }
  return { values, other };
}
