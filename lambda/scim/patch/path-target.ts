import { BoundedCache } from '../bounded-cache';
import { invalidPath } from '../errors';
import type { Filter } from '../filter/ast';
import { valueMatcher } from '../filter/evaluate';
import { parsePatchPath } from '../filter/parser';
import { findAttribute, resolveAttribute, schemaUrns } from '../schema/registry';
import type { AttributeDef, Json, JsonObject, ResourceTypeDef } from '../schema/types';
import { coerceSimple } from './values';

/**
 * What a PATCH path (RFC 7644 §3.5.2, `attrPath` or `valuePath ["." subAttr]`) points at,
 * and how to read and write that place in a resource document.
 */

/** A resolved PATCH path: the attribute, where it lives, an optional value filter and sub-attribute. */
export interface Target {
  /** The path as the client sent it, for messages. */
  readonly text: string;
  /** The canonical extension URN the attribute lives under, or undefined for core/common. */
  readonly extension?: string;
  readonly attribute: AttributeDef;
  /** `name.givenName` or `emails[type eq "work"].value`: the sub-attribute. */
  readonly sub?: AttributeDef;
  /** The filter inside the brackets; its paths name sub-attributes of `attribute`. */
  readonly filter?: Filter;
}

/** The canonical schema URN when `text` is a schema URN alone (`urn:...:enterprise:2.0:User`). */
export function schemaUrnOf(rt: ResourceTypeDef, text: string): string | undefined {
  // Every schema URN has a colon; most paths have none.
  if (!text.includes(':')) return undefined;
  const wanted = text.trim().toLowerCase();
  return schemaUrns(rt).find((urn) => urn.toLowerCase() === wanted);
}

/** Bounds of the resolved-path cache: paths longer than this are resolved each time. */
export const TARGET_CACHE_LIMITS = { maxEntries: 512, maxPathLength: 256 } as const;

// Resolved PATCH paths per resource type: an IdP sends the same few paths for every user and
// group, so each is parsed and resolved once. Entries are frozen (they are shared by every
// request), and the oldest goes first when the cache is full. Failures are not kept.
const targets = new WeakMap<ResourceTypeDef, BoundedCache<string, Target>>();

/** Resolves a PATCH path against `rt`; throws invalidPath for anything it does not name. */
export function resolveTarget(rt: ResourceTypeDef, text: string): Target {
  let cache = targets.get(rt);
  if (!cache) targets.set(rt, (cache = new BoundedCache(TARGET_CACHE_LIMITS.maxEntries)));
  const known = cache.get(text);
  if (known) return known;
  const target = deepFreeze(parseTarget(rt, text));
  return text.length <= TARGET_CACHE_LIMITS.maxPathLength ? cache.set(text, target) : target;
}

function parseTarget(rt: ResourceTypeDef, text: string): Target {
  const { attribute: path, filter, subAfterFilter: after } = parsePatchPath(rt, text);
  if (path.sub !== undefined && (filter || after !== undefined)) {
    throw invalidPath(`The path "${text}" is not a valid PATCH path (RFC 7644 §3.5.2).`);
  }
  const resolved = resolveAttribute(rt, { uri: path.uri, name: path.name });
  const { attribute, extension } = resolved;
  const subName = path.sub ?? after;
  let sub: AttributeDef | undefined;
  if (subName !== undefined) {
    sub = findAttribute(attribute.subAttributes ?? [], subName);
    if (!sub) throw invalidPath(`The attribute "${attribute.name}" has no sub-attribute "${subName}" (path "${text}").`);
  }
  if (filter && !attribute.multiValued) {
    throw invalidPath(`A value filter applies only to a multi-valued attribute; "${attribute.name}" is single-valued.`);
  }
  return { text, extension, attribute, sub, filter };
}

/** Freezes a target and its filter's nodes; the schema definitions it points at are left as they are. */
function deepFreeze(target: Target): Target {
  const freeze = (node: object): void => {
    if (Object.isFrozen(node)) return;
    Object.freeze(node);
    for (const value of Object.values(node)) if (typeof value === 'object' && value !== null) freeze(value);
  };
  if (target.filter) freeze(target.filter);
  return Object.freeze(target);
}

/** The actual key of `obj` that spells `name` case-insensitively (RFC 7643 §2.1). */
export function keyOf(obj: JsonObject, name: string): string | undefined {
  if (Object.hasOwn(obj, name)) return name;
  const wanted = name.toLowerCase();
  for (const key in obj) if (sameName(key, wanted) && Object.hasOwn(obj, key)) return key;
  return undefined;
}

/** Reads `name` from `obj`, case-insensitively. */
export function read(obj: JsonObject, name: string): Json | undefined {
  const key = keyOf(obj, name);
  return key === undefined ? undefined : obj[key];
}

/** Removes every spelling of `name` from `obj`. */
export function erase(obj: JsonObject, name: string): void {
  const wanted = name.toLowerCase();
  // for...in allocates no key list; deleting the key being visited is allowed.
  for (const key in obj) if (sameName(key, wanted)) delete obj[key];
}

/**
 * `key.toLowerCase() === wanted` without lower-casing most keys. Lower-casing keeps a
 * string's length except for U+0130 (İ → i̇, which grows), so a longer key cannot match and a
 * shorter one only when it holds U+0130.
 */
function sameName(key: string, wanted: string): boolean {
  if (key.length === wanted.length) return key === wanted || key.toLowerCase() === wanted;
  return key.length < wanted.length && key.includes('\u0130') && key.toLowerCase() === wanted;
}

/** Writes `value` under the canonical spelling `name`, dropping other spellings. */
export function write(obj: JsonObject, name: string, value: Json): void {
  // The canonical key is overwritten, not deleted first: a delete turns the object into a
  // slow dictionary-mode object for every later read.
  const wanted = name.toLowerCase();
  for (const key in obj) if (key !== name && sameName(key, wanted)) delete obj[key];
  obj[name] = value;
}

/** The indexes of the values of a multi-valued attribute that the target's filter selects (all without one). */
export function matchingIndexes(target: Target, values: readonly Json[]): number[] {
  const { filter, attribute } = target;
  const indexes: number[] = [];
  const matches = filter ? valueMatcher(filter, attribute) : undefined;
  for (let i = 0; i < values.length; i++) if (!matches || matches(values[i])) indexes.push(i);
  return indexes;
}

/**
 * The value a filter made only of `sub eq literal` joined by `and` describes, e.g.
 * `type eq "work"` → `{type: "work"}`; undefined for any other filter. Used to create the
 * value that a filtered add (or Entra ID's filtered replace) finds missing.
 */
export function templateOf(target: Target): JsonObject | undefined {
  const out: JsonObject = {};
  const walk = (f: Filter): boolean => {
    if (f.kind === 'and') return walk(f.left) && walk(f.right);
    if (f.kind !== 'compare' || f.op !== 'eq' || f.value === null || f.path.sub !== undefined) return false;
    const sub = findAttribute(target.attribute.subAttributes ?? [], f.path.name);
    if (!sub || sub.mutability === 'readOnly') return false;
    try {
      out[sub.name] = coerceSimple(sub, f.value, `${target.attribute.name}.${sub.name}`);
    } catch {
      return false;
    }
    return true;
  };
  return target.filter && target.attribute.type === 'complex' && walk(target.filter) ? out : undefined;
}
