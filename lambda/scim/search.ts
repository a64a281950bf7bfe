import { invalidSyntax, invalidValue } from './errors';
import type { Json } from './schema/types';
import { isObject } from './values';

export const SEARCH_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

/** The SearchRequest members (RFC 7644 §3.4.3) and how each is read. */
const STRINGS = ['filter', 'sortBy', 'sortOrder', 'cursor'] as const;
const INTEGERS = ['startIndex', 'count'] as const;
const LISTS = ['attributes', 'excludedAttributes'] as const;

/**
 * Turns a POST .search body into the query parameters a GET list takes, so that both run
 * through exactly the same code. Members are matched case-insensitively; `schemas`, when
 * sent, must name the SearchRequest message; an unknown member is refused (a misspelt
 * "filter" must not silently list everything).
 */
export function searchQuery(body: unknown): Record<string, string> {
  if (!isObject(body)) throw invalidSyntax('A SearchRequest must be a JSON object.');
  const query: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    const name = canonical(key);
    if (name === 'schemas') {
      if (!Array.isArray(value) || !value.some((s) => typeof s === 'string' && s.toLowerCase() === SEARCH_REQUEST_SCHEMA.toLowerCase())) {
        throw invalidValue(`"schemas" must contain "${SEARCH_REQUEST_SCHEMA}".`);
      }
      continue;
    }
    if (name === undefined) throw invalidSyntax(`"${key.slice(0, 80)}" is not a SearchRequest attribute.`);
    if (value === null) continue;
    query[name] = read(name, value);
  }
  return query;
}

function read(name: string, value: Json): string {
  if ((STRINGS as readonly string[]).includes(name)) {
    if (typeof value !== 'string') throw invalidValue(`"${name}" must be a string.`);
    return value;
  }
  if ((INTEGERS as readonly string[]).includes(name)) {
    if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidValue(`"${name}" must be an integer.`);
    return String(value);
  }
  // attributes / excludedAttributes: an array of attribute names (a comma list is tolerated).
  const items = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(items) || items.some((v) => typeof v !== 'string')) {
    throw invalidValue(`"${name}" must be an array of attribute names.`);
  }
  return items.join(',');
}

function canonical(key: string): string | undefined {
  const lowered = key.toLowerCase();
  return ['schemas', ...STRINGS, ...INTEGERS, ...LISTS].find((n) => n.toLowerCase() === lowered);
}
