import type { ResourceTypeDef } from '../schema/types';
import type { Filter } from './ast';

/**
 * Picks how the store should answer a filter, without knowing the store: a key lookup when a
 * conjunct is an `eq` on an indexed attribute (DESIGN.md "Filters"), a scan otherwise.
 * Every other filter the RFC allows still works through `scan` (RFC 7644 §3.4.2.2).
 */

/**
 * An access path. `residual`, when set, is the filter to evaluate on what the lookup returns
 * (the whole filter: simplest correct); when absent, the lookup alone answers the filter exactly.
 */
export type AccessPlan =
  /** `id eq "x"`: a get by key (id is caseExact, RFC 7643 §3.1). */
  | { readonly kind: 'id'; readonly id: string; readonly residual?: Filter }
  /** userName (User) or displayName (Group) eq: the uniqueness guard; compare case-insensitively. */
  | {
      readonly kind: 'unique';
      readonly attribute: 'userName' | 'displayName';
      readonly value: string;
      readonly residual?: Filter;
    }
  /** `externalId eq "x"` (caseExact). */
  | { readonly kind: 'externalId'; readonly value: string; readonly residual?: Filter }
  /** Groups with this member: `members[value eq "u"]`, `members.value eq "u"`, `members eq "u"`. */
  | { readonly kind: 'member'; readonly userId: string; readonly residual?: Filter }
  /** Users in this group: `groups[value eq "g"]`, `groups.value eq "g"`, `groups eq "g"` (AWS IAM Identity Center lists `groups.value`). */
  | { readonly kind: 'memberOf'; readonly groupId: string; readonly residual?: Filter }
  | { readonly kind: 'scan'; readonly filter: Filter };

type Lookup = Exclude<AccessPlan, { kind: 'scan' }>;

/** The unique attribute each resource type keeps a guard for (DESIGN.md "Data model"). */
const UNIQUE: Readonly<Record<string, 'userName' | 'displayName'>> = { User: 'userName', Group: 'displayName' };

/** Most selective first: id > unique > externalId > member / memberOf. */
const RANK: Readonly<Record<Lookup['kind'], number>> = { id: 0, unique: 1, externalId: 2, member: 3, memberOf: 3 };

/** Chooses the access path for `filter` on resources of type `rt`. */
export function planFilter(filter: Filter, rt: ResourceTypeDef): AccessPlan {
  const exact = lookupFor(filter, rt);
  if (exact) return exact;
  // Only a conjunction narrows to one of its sides; `or` and `not` need every resource.
  const best = conjuncts(filter)
    .map((f) => narrowingFor(f, rt))
    .filter((p): p is Lookup => p !== undefined)
    .sort((a, b) => RANK[a.kind] - RANK[b.kind])[0];
  return best ? { ...best, residual: filter } : { kind: 'scan', filter };
}

/** The leaves of a tree of `and`, left to right. */
function conjuncts(filter: Filter): Filter[] {
  return filter.kind === 'and' ? [...conjuncts(filter.left), ...conjuncts(filter.right)] : [filter];
}

/** A lookup that returns a superset of the matches of `filter`, when there is one. */
function narrowingFor(filter: Filter, rt: ResourceTypeDef): Lookup | undefined {
  const exact = lookupFor(filter, rt);
  if (exact || filter.kind !== 'valuePath') return exact;
  // members[value eq "u" and type eq "User"]: the member index narrows, the residual decides.
  return conjuncts(filter.filter)
    .map((inner) => lookupFor({ kind: 'valuePath', path: filter.path, filter: inner }, rt))
    .find((p) => p !== undefined);
}

/** The lookup that answers `filter` exactly, when it is a single indexed `eq` on a string. */
function lookupFor(filter: Filter, rt: ResourceTypeDef): Lookup | undefined {
  if (filter.kind === 'valuePath') {
    // members[value eq "u"]: only this exact inner filter says nothing more than "u is a member".
    const inner = filter.filter;
    const isValueEq = inner.kind === 'compare' && inner.op === 'eq' && inner.path.name === 'value' && typeof inner.value === 'string';
    if (!isValueEq || filter.path.uri) return undefined;
    return relationLookup(rt, filter.path.name, inner.value as string);
  }
  if (filter.kind !== 'compare' || filter.op !== 'eq' || typeof filter.value !== 'string') return undefined;
  if (filter.path.uri) return undefined;
  const { name, sub } = filter.path;
  const value = filter.value;
  // The parser gives canonical spellings, and rewrites `members eq` to `members.value eq`.
  if (sub === undefined && name === 'id') return { kind: 'id', id: value };
  if (sub === undefined && name === UNIQUE[rt.id]) return { kind: 'unique', attribute: UNIQUE[rt.id], value };
  if (sub === undefined && name === 'externalId') return { kind: 'externalId', value };
  if (sub === 'value') return relationLookup(rt, name, value);
  return undefined;
}

/** Group `members` and User `groups`, the two sides of a membership (member items, and a user's memberOf). */
function relationLookup(rt: ResourceTypeDef, name: string, value: string): Lookup | undefined {
  if (rt.id === 'Group' && name === 'members') return { kind: 'member', userId: value };
  if (rt.id === 'User' && name === 'groups') return { kind: 'memberOf', groupId: value };
  return undefined;
}
