import type { AttributePath } from '../schema/registry';
import { findAttribute } from '../schema/registry';
import type { AttributeDef, Json, JsonObject, ResourceTypeDef } from '../schema/types';
import type { CompareOp, Filter, Literal } from './ast';
import { resolveFilterAttribute } from './parser';

/**
 * Evaluates a parsed filter against a resource as RFC 7644 §3.4.2.2 defines the operators.
 * Attribute names are looked up case-insensitively (RFC 7643 §2.1); a multi-valued attribute
 * matches when any of its values does.
 */

/** A compiled filter: true when the resource (or, inside a valuePath, the element) matches. */
export type FilterPredicate = (scope: Json) => boolean;

/** What `select` found: a value passed the test, values were there but none passed, or none was there. */
const MATCH = 1;
const NO_MATCH = 0;
const EMPTY = -1;
type Outcome = typeof MATCH | typeof NO_MATCH | typeof EMPTY;

/** Runs `test` on each non-null value a path selects in a scope, stopping at the first pass. */
type Selector = (scope: Json, test: (value: Json) => boolean) => Outcome;

/** How one path reads in one scope: the definition that says how to compare, and its values. */
interface Access {
  readonly def: AttributeDef;
  readonly select: Selector;
  /** For a path without a sub-attribute, its value in a scope: `select` is `each(read(scope), test)`. */
  readonly read?: (scope: Json | undefined) => Json | undefined;
}

/** Resolves a path once, at compile time, in a resource or in one element of a valuePath. */
type Resolver = (path: AttributePath) => Access;

// Compiled predicates, per filter node and per resource type or parent attribute: the service
// evaluates one filter over every resource of a listing, and PATCH one value filter over every
// element of an attribute, so the attribute lookups and operand preparation happen once.
const byResourceType = new WeakMap<Filter, WeakMap<ResourceTypeDef, FilterPredicate>>();
const byAttribute = new WeakMap<Filter, WeakMap<AttributeDef, FilterPredicate>>();

/** True when `resource` (a resource of type `rt`, as stored) matches `filter`. */
export function evaluate(filter: Filter, resource: JsonObject, rt: ResourceTypeDef): boolean {
  return compileFilter(filter, rt)(resource);
}

/**
 * True when one value of a multi-valued complex attribute (e.g. one email object) matches the
 * inner filter of a valuePath (`emails[type eq "work"]`), as PATCH (RFC 7644 §3.5.2) needs.
 */
export function matchesValue(filter: Filter, element: Json, attribute: AttributeDef): boolean {
  return valueMatcher(filter, attribute)(element);
}

/** `matchesValue` as a predicate, for testing every value of an attribute with one lookup. */
export function valueMatcher(filter: Filter, attribute: AttributeDef): FilterPredicate {
  return cached(byAttribute, filter, attribute, () => compile(filter, elementResolver(attribute)));
}

/**
 * Turns a parsed filter into a predicate over resources of type `rt`: attribute paths are
 * resolved and operands prepared once, so evaluating it over many resources repeats neither.
 * An unknown path throws (invalidPath) when the predicate first needs it, as `evaluate` would.
 */
export function compileFilter(filter: Filter, rt: ResourceTypeDef): FilterPredicate {
  return cached(byResourceType, filter, rt, () => compile(filter, resourceResolver(rt)));
}

function cached<K extends object>(
  cache: WeakMap<Filter, WeakMap<K, FilterPredicate>>,
  filter: Filter,
  key: K,
  build: () => FilterPredicate,
): FilterPredicate {
  let perKey = cache.get(filter);
  if (!perKey) cache.set(filter, (perKey = new WeakMap()));
  let predicate = perKey.get(key);
  if (!predicate) perKey.set(key, (predicate = build()));
  return predicate;
}

function compile(filter: Filter, resolve: Resolver): FilterPredicate {
  switch (filter.kind) {
    case 'and': {
      const left = compile(filter.left, resolve);
      const right = compile(filter.right, resolve);
      return (scope) => left(scope) && right(scope);
    }
    case 'or': {
      const left = compile(filter.left, resolve);
      const right = compile(filter.right, resolve);
      return (scope) => left(scope) || right(scope);
    }
    case 'not': {
      const inner = compile(filter.filter, resolve);
      return (scope) => !inner(scope);
    }
    case 'present': {
      const { select } = resolveLate(resolve, filter.path);
      return (scope) => select(scope, isPresent) === MATCH;
    }
    case 'compare': {
      const access = resolveLate(resolve, filter.path);
      const { def, select } = access;
      const { op, value: expected } = filter;
      if (expected === null) {
        // `eq null` asks for absence, `ne null` for presence; no other operator matches null.
        if (op === 'eq') return (scope) => select(scope, isPresent) !== MATCH;
        if (op === 'ne') return (scope) => select(scope, isPresent) === MATCH;
        return (scope) => (select(scope, isPresent), false);
      }
      const test = comparator(def, op, expected);
      // `ne` on an attribute without a value is true: nothing there equals the operand.
      if (op === 'ne') return (scope) => select(scope, test) !== NO_MATCH;
      const { read } = access;
      if (!read) return (scope) => select(scope, test) === MATCH;
      // The common case, one simple value, tested directly; `each` for arrays and absence.
      return (scope) => {
        const value = read(scope);
        return value !== undefined && value !== null && typeof value !== 'object' ? test(value) : each(value, test) === MATCH;
      };
    }
    case 'valuePath': {
      // "[...]" holds for one and the same value of the attribute (RFC 7644 §3.4.2.2).
      const { def, select } = resolveLate(resolve, filter.path);
      const inner = compile(filter.filter, elementResolver(def));
      return (scope) => select(scope, inner) === MATCH;
    }
  }
}

/** Resolves now; a path that does not resolve throws only when a resource needs it. */
function resolveLate(resolve: Resolver, path: AttributePath): Access {
  try {
    return resolve(path);
  } catch (error) {
    const fail = (): never => {
      throw error;
    };
    return { def: undefined as unknown as AttributeDef, select: fail };
  }
}

function resourceResolver(rt: ResourceTypeDef): Resolver {
  return (path) => {
    const { extension, attribute, sub } = resolveFilterAttribute(rt, path);
    const top = member(attribute.name);
    // Extension attributes live under their schema URN (RFC 7643 §3.3).
    const read = extension === undefined ? top : chain(member(extension), top);
    if (!sub) return { def: attribute, select: (scope, test) => each(read(scope), test), read };
    const inner = member(sub.name);
    return {
      def: sub,
      select: (scope, test) => {
        const value = read(scope);
        if (!Array.isArray(value)) return value === undefined || value === null ? EMPTY : each(inner(value), test);
        let outcome: Outcome = EMPTY;
        for (const element of value) {
          if (element === null) continue;
          const found = each(inner(element), test);
          if (found === MATCH) return MATCH;
          if (found === NO_MATCH) outcome = NO_MATCH;
        }
        return outcome;
      },
    };
  };
}

function elementResolver(parent: AttributeDef): Resolver {
  return (path) => {
    const def = findAttribute(parent.subAttributes ?? [], path.name);
    if (!def) return { def: parent, select: () => EMPTY };
    const read = member(def.name);
    return { def, select: (scope, test) => each(read(scope), test), read };
  };
}

/** Applies `test` to a value, or to each non-null value of an array. */
function each(value: Json | undefined, test: (value: Json) => boolean): Outcome {
  if (value === undefined || value === null) return EMPTY;
  if (!Array.isArray(value)) return test(value) ? MATCH : NO_MATCH;
  let outcome: Outcome = EMPTY;
  for (const element of value) {
    if (element === null) continue;
    if (test(element)) return MATCH;
    outcome = NO_MATCH;
  }
  return outcome;
}

/**
 * Reads a JSON member by name: the schema's spelling first, then case-insensitively
 * (RFC 7643 §2.1); undefined when absent or the input is no object.
 */
function member(name: string): (from: Json | undefined) => Json | undefined {
  const wanted = name.toLowerCase();
  return (from) => {
    if (from === null || typeof from !== 'object' || Array.isArray(from)) return undefined;
    const value = from[name];
    if (value !== undefined || name in from) return value;
    // Lower-casing keeps a key's length unless it holds U+0130 (which grows): other keys cannot match.
    for (const key in from) {
      if (key.length !== wanted.length && !(key.length < wanted.length && key.includes('\u0130'))) continue;
      if (Object.hasOwn(from, key) && key.toLowerCase() === wanted) return from[key];
    }
    return undefined;
  };
}

function chain(
  first: (from: Json | undefined) => Json | undefined,
  second: (from: Json | undefined) => Json | undefined,
): (from: Json | undefined) => Json | undefined {
  return (from) => second(first(from));
}

/** `pr`: present and not empty (RFC 7644 §3.4.2.2): no null, "", [] or {} counts. */
function isPresent(value: Json): boolean {
  if (value === null || value === '') return false;
  if (Array.isArray(value)) return value.some(isPresent);
  if (typeof value === 'object') return Object.values(value).some(isPresent);
  return true;
}

/**
 * `compareValues(def, ·, op, expected)` with what depends only on the operand worked out
 * once: its lower-cased form, or its instant for dateTime. Each case is its own function, so
 * that the engine sees one kind of comparison at each place.
 */
function comparator(def: AttributeDef, op: CompareOp, expected: Exclude<Literal, null>): (actual: Json) => boolean {
  if (typeof expected === 'boolean') {
    // A boolean equals only the same boolean; no other operator applies (RFC 7644 §3.4.2.2).
    if (op === 'eq') return (actual) => actual === expected;
    if (op === 'ne') return (actual) => typeof actual === 'boolean' && actual !== expected;
    return () => false;
  }
  const general = (actual: Json) => compareValues(def, actual, op, expected);
  if (typeof expected !== 'string') return general;
  if (def.type === 'dateTime' && op !== 'co' && op !== 'sw' && op !== 'ew') return general;
  if (def.caseExact) {
    switch (op) {
      case 'co':
        return (a) => typeof a === 'string' && a.includes(expected);
      case 'sw':
        return (a) => typeof a === 'string' && a.startsWith(expected);
      case 'ew':
        return (a) => typeof a === 'string' && a.endsWith(expected);
      case 'eq':
        return (a) => typeof a === 'string' && a === expected;
      case 'ne':
        return (a) => typeof a === 'string' && a !== expected;
      default:
        return general;
    }
  }
  const b = expected.toLowerCase();
  switch (op) {
    case 'co':
      // A value that holds the lower-cased operand as it is holds it once lower-cased too.
      return (a) => typeof a === 'string' && (a.includes(b) || a.toLowerCase().includes(b));
    case 'sw':
      return (a) => typeof a === 'string' && foldedStartsWith(a, b);
    case 'ew':
      return (a) => typeof a === 'string' && foldedEndsWith(a, b);
    case 'eq':
      return (a) => typeof a === 'string' && foldedEquals(a, b);
    case 'ne':
      return (a) => typeof a === 'string' && !foldedEquals(a, b);
    default:
      return general;
  }
}

// `a.toLowerCase()` compared with a lower-cased `b`, without building the lower-cased copy
// while `a` is ASCII: an ASCII character lower-cases to one character, whatever surrounds it,
// so it keeps its offset while the characters before it are ASCII too. At the first other
// character the exact comparison is made instead.
const foldAscii = (code: number) => (code >= 0x41 && code <= 0x5a ? code | 0x20 : code);

/** `a.toLowerCase().startsWith(b)` for a lower-cased `b`. */
function foldedStartsWith(a: string, b: string): boolean {
  for (let i = 0; i < b.length; i++) {
    // All ASCII so far and `a` is over: its lower-cased form is as short.
    if (i >= a.length) return false;
    const code = a.charCodeAt(i);
    if (code >= 0x80) return a.toLowerCase().startsWith(b);
    if (foldAscii(code) !== b.charCodeAt(i)) return false;
  }
  return true;
}

/** `a.toLowerCase() === b` for a lower-cased `b`. */
function foldedEquals(a: string, b: string): boolean {
  if (a === b) return true;
  for (let i = 0; i < a.length; i++) {
    const code = a.charCodeAt(i);
    if (code >= 0x80) return a.toLowerCase() === b;
    if (i >= b.length || foldAscii(code) !== b.charCodeAt(i)) return false;
  }
  return a.length === b.length;
}

/** `a.toLowerCase().endsWith(b)` for a lower-cased `b`. */
function foldedEndsWith(a: string, b: string): boolean {
  const offset = a.length - b.length;
  // Shorter than the operand: only a character that grows when lower-cased could make it fit.
  if (offset < 0) return a.toLowerCase().endsWith(b);
  // From the end: while every character after it is ASCII, a character keeps its distance from the end.
  for (let i = b.length - 1; i >= 0; i--) {
    const code = a.charCodeAt(offset + i);
    if (code >= 0x80) return a.toLowerCase().endsWith(b);
    if (foldAscii(code) !== b.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Compares one attribute value with a filter operand by the attribute's type (RFC 7644
 * §3.4.2.2): strings case-insensitively unless caseExact, dateTime as instants, numbers
 * numerically, booleans by equality. Values of another JSON type than the operand never match.
 */
export function compareValues(def: AttributeDef, actual: Json, op: CompareOp, expected: Literal): boolean {
  if (typeof actual === 'boolean' || typeof expected === 'boolean') {
    if (typeof actual !== typeof expected) return false;
    return op === 'eq' ? actual === expected : op === 'ne' ? actual !== expected : false;
  }
  if (typeof actual === 'number' && typeof expected === 'number') return order(op, actual - expected);
  if (typeof actual !== 'string' || typeof expected !== 'string') return false;
  if (def.type === 'dateTime' && op !== 'co' && op !== 'sw' && op !== 'ew') {
    const a = Date.parse(actual);
    const b = Date.parse(expected);
    return Number.isFinite(a) && Number.isFinite(b) && order(op, a - b);
  }
  const a = def.caseExact ? actual : actual.toLowerCase();
  const b = def.caseExact ? expected : expected.toLowerCase();
  switch (op) {
    case 'co':
      return a.includes(b);
    case 'sw':
      return a.startsWith(b);
    case 'ew':
      return a.endsWith(b);
    default:
      // "lexicographical comparison" for strings (RFC 7644 §3.4.2.2), by UTF-16 code unit.
      return order(op, a < b ? -1 : a > b ? 1 : 0);
  }
}

/** Applies an ordering or equality operator to the sign of `a - b`. */
function order(op: CompareOp, difference: number): boolean {
  switch (op) {
    case 'eq':
      return difference === 0;
    case 'ne':
      return difference !== 0;
    case 'gt':
      return difference > 0;
    case 'ge':
      return difference >= 0;
    case 'lt':
      return difference < 0;
    case 'le':
      return difference <= 0;
    default:
      return false;
  }
}

