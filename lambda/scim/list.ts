import { invalidValue } from './errors';
import { decodeCursor, type CursorPosition } from './cursor';
import type { JsonObject } from './schema/types';

export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

/** Page size when the client gives no `count` (RFC 7644 §3.4.2.4 leaves it to the server). */
export const DEFAULT_COUNT = 100;
/** The largest page: 1,000 resources of up to ~6 KB each stay inside Lambda's 6 MB response. */
export const MAX_COUNT = 1000;

/** The paging parameters of RFC 7644 §3.4.2.4 with their defaults applied. */
export interface Paging {
  readonly startIndex: number;
  readonly count: number;
}

/**
 * Reads startIndex and count. As RFC 7644 §3.4.2.4 says, a startIndex below 1 is taken as 1
 * and a negative count as 0; a count above the maximum is cut to it. Text that is not an
 * integer is a 400.
 */
export function parsePaging(query: Readonly<Record<string, string>>): Paging {
  const startIndex = readInteger(query, 'startIndex');
  const count = readInteger(query, 'count');
  return {
    startIndex: startIndex === undefined || startIndex < 1 ? 1 : startIndex,
    count: count === undefined ? DEFAULT_COUNT : Math.min(Math.max(count, 0), MAX_COUNT),
  };
}

function readInteger(query: Readonly<Record<string, string>>, name: string): number | undefined {
  const key = Object.keys(query).find((k) => k.toLowerCase() === name.toLowerCase());
  if (key === undefined) return undefined;
  const text = query[key].trim();
  if (!/^[+-]?\d{1,15}$/.test(text)) throw invalidValue(`"${name}" must be an integer.`);
  return Number(text);
}

/** Reads a query parameter by name, case-insensitively. */
export function queryParam(query: Readonly<Record<string, string>>, name: string): string | undefined {
  const key = Object.keys(query).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : query[key];
}

/** A ListResponse (RFC 7644 §3.4.2): the counts are always integers. */
export function listResponse(resources: JsonObject[], totalResults: number, startIndex: number): JsonObject {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults,
    itemsPerPage: resources.length,
    startIndex,
    Resources: resources,
  };
}

/** How the client asked to page (RFC 7644 §3.4.2.4 index paging, or RFC 9865 cursor paging). */
export type PagingRequest =
  | { readonly kind: 'index'; readonly startIndex: number; readonly count: number }
  | { readonly kind: 'cursor'; readonly cursor: CursorPosition | undefined; readonly count: number };

/**
 * Reads the paging parameters. A `cursor` parameter (empty for the first page) selects
 * cursor paging (RFC 9865 §3); giving startIndex with it is ambiguous and refused. A cursor
 * must carry `scope`, the directory it was issued in (lambda/scim/cursor.ts).
 */
export function parsePagingRequest(query: Readonly<Record<string, string>>, scope?: string): PagingRequest {
  const paging = parsePaging(query);
  const cursor = queryParam(query, 'cursor');
  if (cursor === undefined) return { kind: 'index', ...paging };
  if (queryParam(query, 'startIndex') !== undefined) {
    throw invalidValue('Use either "cursor" or "startIndex" to page, not both.');
  }
  return { kind: 'cursor', cursor: cursor.trim() === '' ? undefined : decodeCursor(cursor.trim(), scope), count: paging.count };
}

/** A cursor-paged ListResponse (RFC 9865 §3): no startIndex, nextCursor while more follow. */
export function cursorListResponse(resources: JsonObject[], totalResults: number, nextCursor: string | undefined): JsonObject {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults,
    itemsPerPage: resources.length,
    ...(nextCursor ? { nextCursor } : {}),
    Resources: resources,
  };
}
