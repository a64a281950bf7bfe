import { invalidValue } from './errors';
import { queryParam } from './list';
import { parseAttributePath, resolveAttribute, type ResolvedAttribute } from './schema/registry';
import type { AttributeDef, Json, JsonObject, ResourceTypeDef } from './schema/types';
import { isObject } from './values';

/** A parsed sortBy/sortOrder (RFC 7644 §3.4.2.3). */
export interface Sort {
  readonly path: ResolvedAttribute;
  readonly descending: boolean;
}

/**
 * Reads sortBy and sortOrder. sortOrder without sortBy is ignored, as the RFC gives it no
 * meaning; an unknown attribute is 400 invalidPath, a sortOrder other than
 * ascending/descending (any case) is 400 invalidValue.
 */
export function parseSort(rt: ResourceTypeDef, query: Readonly<Record<string, string>>): Sort | undefined {
  const sortBy = queryParam(query, 'sortBy')?.trim();
  if (!sortBy) return undefined;
  const order = (queryParam(query, 'sortOrder') ?? 'ascending').trim().toLowerCase();
  if (order !== 'ascending' && order !== 'descending' && order !== '') {
    throw invalidValue('"sortOrder" must be "ascending" or "descending".');
  }
  const path = resolveAttribute(rt, parseAttributePath(rt, sortBy));
  const leaf = sortLeaf(path);
  if (leaf.type === 'complex') {
    throw invalidValue(`"${sortBy}" is a complex attribute; sort by one of its sub-attributes.`);
  }
  return { path, descending: order === 'descending' };
}

/**
 * A comparator of resources (as clients see them) for a Sort: values compared by type,
 * strings case-insensitively unless caseExact; resources without a value come last when
 * ascending and first when descending (§3.4.2.3); ties keep the order of `id`, so that
 * pages of the same query never overlap or skip.
 */
export function sortComparator(sort: Sort): (a: JsonObject, b: JsonObject) => number {
  const leaf = sortLeaf(sort.path);
  const direction = sort.descending ? -1 : 1;
  return (a, b) => {
    const x = sortKey(a, sort.path, leaf);
    const y = sortKey(b, sort.path, leaf);
    let order: number;
    if (x === undefined || y === undefined) order = x === y ? 0 : x === undefined ? 1 : -1;
    else order = compare(x, y);
    if (order !== 0) return order * direction;
    return compare(String(a.id), String(b.id));
  };
}

/** The attribute whose values are compared: the sub-attribute, or `value` of a multi-valued complex. */
function sortLeaf(path: ResolvedAttribute): AttributeDef {
  if (path.sub) return path.sub;
  const { attribute } = path;
  if (attribute.type === 'complex' && attribute.multiValued) {
    const value = attribute.subAttributes?.find((s) => s.name === 'value');
    if (value) return value;
  }
  return attribute;
}

/** The comparable value of a resource: for multi-valued attributes, the primary one or else the first. */
function sortKey(resource: JsonObject, path: ResolvedAttribute, leaf: AttributeDef): string | number | undefined {
  const container = path.extension ? resource[findKey(resource, path.extension) ?? ''] : resource;
  if (!isObject(container)) return undefined;
  let value: Json | undefined = container[findKey(container, path.attribute.name) ?? ''];
  if (Array.isArray(value)) value = value.find((v) => isObject(v) && v.primary === true) ?? value[0];
  if (path.attribute.type === 'complex') {
    if (!isObject(value)) return undefined;
    value = value[findKey(value, leaf.name) ?? ''];
  }
  if (value === undefined || value === null) return undefined;
  switch (leaf.type) {
    case 'boolean':
      return value === true ? 1 : 0;
    case 'integer':
    case 'decimal':
      return typeof value === 'number' ? value : undefined;
    case 'dateTime': {
      const time = Date.parse(String(value));
      return Number.isNaN(time) ? undefined : time;
    }
    default:
      return leaf.caseExact ? String(value) : String(value).toLowerCase();
  }
}

function findKey(object: JsonObject, name: string): string | undefined {
  const wanted = name.toLowerCase();
  return Object.keys(object).find((k) => k.toLowerCase() === wanted);
}

/** Code-unit order, locale-independent, so that every container sorts the same way. */
function compare(x: string | number, y: string | number): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
