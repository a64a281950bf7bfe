import { invalidCursor } from './errors';

/**
 * Where a cursor page (RFC 9865) resumes: after a position of the listing order, or, for a
 * sorted or in-memory result, after a number of resources.
 */
export type CursorPosition = { readonly after: string } | { readonly offset: number };

/** A listing position is `<lower-cased unique value, ≤200 chars>#<id>`; ids are ours. */
const POSITION = /^[^]{0,1024}#[A-Za-z0-9-]{1,256}$/;
const MAX_CURSOR_CHARS = 2048;

/**
 * An opaque cursor: base64url of a small JSON object. It is not signed: it names a place in
 * the caller's own directory listing (the partition comes from the server, never from the
 * cursor), so a forged cursor can only start a listing the caller may read anyway. Its
 * shape is checked strictly instead, and anything else is 400 invalidCursor (RFC 9865 §3.2).
 * The alphabet, [A-Za-z0-9_-], fits IAM Identity Center's cursor pattern (CLIENTS.md §1.3).
 *
 * `scope` binds the cursor to a directory (`d`): a cursor of one directory presented to
 * another is refused rather than read as a place in the other's listing. The deployment's own
 * directory gives none, so its cursors read as before directories existed.
 */
export function encodeCursor(position: CursorPosition, scope?: string): string {
  const json = { ...('after' in position ? { a: position.after } : { o: position.offset }), ...(scope !== undefined ? { d: scope } : {}) };
  return Buffer.from(JSON.stringify(json), 'utf8').toString('base64url');
}

/** Reads a cursor made by encodeCursor with the same `scope`; anything else throws invalidCursor. */
export function decodeCursor(text: string, scope?: string): CursorPosition {
  const fail = () => invalidCursor('The cursor is not one this server issued; start again without one.');
  if (text.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(text)) throw fail();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw fail();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw fail();
  const { d, ...rest } = parsed as Record<string, unknown>;
  if (d !== scope) throw invalidCursor('The cursor belongs to another list; start again without one.');
  const keys = Object.keys(rest);
  const value = rest[keys[0]];
  if (keys.length !== 1) throw fail();
  // DynamoDB refuses a sort key over 1,024 bytes: a longer position would be its error, not ours.
  if (keys[0] === 'a' && typeof value === 'string' && POSITION.test(value) && Buffer.byteLength(value, 'utf8') <= 1024) {
    return { after: value };
  }
  if (keys[0] === 'o' && typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return { offset: value };
  throw fail();
}
