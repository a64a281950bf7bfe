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

/** The values a path selects and the definition that says how to compare them. */
interface Selection {
  readonly def: AttributeDef;
  readonly values: Json[];
}

/** Finds the definition and values of a path in one scope: a resource, or one element of a valuePath. */
type Scope = (path: AttributePath) => Selection;

/** True when `resource` (a resource of type `rt`, as stored) matches `filter`. */
export function evaluate(filter: Filter, resource: JsonObject, rt: ResourceTypeDef): boolean {
  return test(filter, resourceScope(resource, rt));
}

/**
 * True when one value of a multi-valued complex attribute (e.g. one email object) matches the
 * inner filter of a valuePath (`emails[type eq "work"]`), as PATCH (RFC 7644 §3.5.2) needs.
 */
export function matchesValue(filter: Filter, element: Json, attribute: AttributeDef): boolean {
  return test(filter, elementScope(element, attribute));
}

function test(filter: Filter, scope: Scope): boolean {
  switch (filter.kind) {
    case 'and':
      return test(filter.left, scope) && test(filter.right, scope);
    case 'or':
      return test(filter.left, scope) || test(filter.right, scope);
    case 'not':
      return !test(filter.filter, scope);
    case 'present':
      return scope(filter.path).values.some(isPresent);
    case 'compare': {
      const { def, values } = scope(filter.path);
      return compareAll(def, values, filter.op, filter.value);
    }
    case 'valuePath': {
      // "[...]" holds for one and the same value of the attribute (RFC 7644 §3.4.2.2).
      const { def, values } = scope(filter.path);
      return values.some((element) => test(filter.filter, elementScope(element, def)));
    }
  }
}

function resourceScope(resource: JsonObject, rt: ResourceTypeDef): Scope {
  return (path) => {
    const { extension, attribute, sub } = resolveFilterAttribute(rt, path);
    // Extension attributes live under their schema URN (RFC 7643 §3.3).
    const container = extension === undefined ? resource : lookup(resource, extension);
    const top = flatten(lookup(container, attribute.name));
    if (!sub) return { def: attribute, values: top };
    return { def: sub, values: top.flatMap((value) => flatten(lookup(value, sub.name))) };
  };
}

function elementScope(element: Json, parent: AttributeDef): Scope {
  return (path) => {
    const def = findAttribute(parent.subAttributes ?? [], path.name);
    return def ? { def, values: flatten(lookup(element, def.name)) } : { def: parent, values: [] };
  };
}

/** A JSON member by name, case-insensitively; undefined when absent or `from` is no object. */
function lookup(from: Json | undefined, name: string): Json | undefined {
  if (from === null || typeof from !== 'object' || Array.isArray(from)) return undefined;
  if (name in from) return from[name];
  const wanted = name.toLowerCase();
  const key = Object.keys(from).find((k) => k.toLowerCase() === wanted);
  return key === undefined ? undefined : from[key];
}

function flatten(value: Json | undefined): Json[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value.filter((v) => v !== null) : [value];
}

/** `pr`: present and not empty (RFC 7644 §3.4.2.2): no null, "", [] or {} counts. */
function isPresent(value: Json): boolean {
  if (value === null || value === '') return false;
  if (Array.isArray(value)) return value.some(isPresent);
  if (typeof value === 'object') return Object.values(value).some(isPresent);
  return true;
}

function compareAll(def: AttributeDef, values: Json[], op: CompareOp, expected: Literal): boolean {
  if (expected === null) {
    // `eq null` asks for absence, `ne null` for presence; no other operator matches null.
    if (op === 'eq') return !values.some(isPresent);
    if (op === 'ne') return values.some(isPresent);
    return false;
  }
  // `ne` on an attribute without a value is true: nothing there equals the operand.
  if (op === 'ne' && values.length === 0) return true;
  return values.some((actual) => compareValues(def, actual, op, expected));
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
