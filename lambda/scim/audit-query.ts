import { invalidCursor, invalidValue } from './errors';
import { queryParam } from './list';
import { isDateTime } from './values';

/**
 * The query of an audit read (`GET /Audit`, `npm run audit`): which resource, which actor,
 * since when, how many, from where. Parsed strictly: a bad value is a 400 that says which.
 */
export interface AuditRequest {
  readonly resourceId?: string;
  readonly actor?: string;
  /** ISO 8601, UTC, to the millisecond: how entries are keyed. */
  readonly since?: string;
  readonly count: number;
  /** The store position a cursor carries. */
  readonly after?: string;
}

export const DEFAULT_AUDIT_COUNT = 50;
export const MAX_AUDIT_COUNT = 200;

const RELATIVE = /^(\d{1,6})([mhd])$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A point in time: an ISO 8601 date-time (RFC 3339, with Z or an offset), a date (its start,
 * UTC), or a span back from `now` such as `30m`, `24h` or `7d`; as the UTC ISO form entries
 * are keyed by. Undefined for anything else.
 */
export function parseTime(text: string, now: Date = new Date()): string | undefined {
  const value = text.trim();
  const relative = RELATIVE.exec(value);
  if (relative) return new Date(now.getTime() - Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS]).toISOString();
  if (DATE.test(value) && isDateTime(`${value}T00:00:00Z`)) return new Date(`${value}T00:00:00Z`).toISOString();
  if (isDateTime(value) && /(Z|[+-]\d{2}:\d{2})$/.test(value)) return new Date(value).toISOString();
  return undefined;
}

/** An opaque cursor for a store position (base64url of it). */
export function encodeAuditCursor(position: string): string {
  return Buffer.from(position, 'utf8').toString('base64url');
}

/** The position a cursor made by encodeAuditCursor carries; anything else is 400 invalidCursor. */
export function decodeAuditCursor(cursor: string): string {
  if (cursor.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw badCursor();
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

export const badCursor = () => invalidCursor('The cursor is not one this server issued; start again without one.');

/** Reads `resourceId`, `actor`, `since`, `count` and `cursor` from a query string. */
export function parseAuditRequest(query: Readonly<Record<string, string>>, now: Date = new Date()): AuditRequest {
  const resourceId = queryParam(query, 'resourceId')?.trim() || undefined;
  const actor = queryParam(query, 'actor')?.trim() || undefined;
  const sinceText = queryParam(query, 'since')?.trim() || undefined;
  const countText = queryParam(query, 'count')?.trim();
  const cursor = queryParam(query, 'cursor')?.trim() || undefined;
  if (actor !== undefined && actor.length > 128) throw invalidValue('"actor" is a token name or id of at most 128 characters.');
  const since = sinceText === undefined ? undefined : parseTime(sinceText, now);
  if (sinceText !== undefined && since === undefined) {
    throw invalidValue('"since" must be an ISO 8601 date-time with a zone (2026-11-28T12:00:00Z), a date (2026-11-28), or a span back such as 30m, 24h or 7d.');
  }
  let count = DEFAULT_AUDIT_COUNT;
  if (countText !== undefined && countText !== '') {
    if (!/^\d{1,4}$/.test(countText) || Number(countText) < 1 || Number(countText) > MAX_AUDIT_COUNT) {
      throw invalidValue(`"count" must be a whole number from 1 to ${MAX_AUDIT_COUNT}.`);
    }
    count = Number(countText);
  }
  return {
    ...(resourceId !== undefined ? { resourceId } : {}),
    ...(actor !== undefined ? { actor } : {}),
    ...(since !== undefined ? { since } : {}),
    count,
    ...(cursor !== undefined ? { after: decodeAuditCursor(cursor) } : {}),
  };
}
