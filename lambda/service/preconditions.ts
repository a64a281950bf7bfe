import { preconditionFailed } from '../scim/errors';
import { etagOf } from '../scim/resource';

/**
 * Checks If-Match (RFC 7232 §3.1, RFC 7644 §3.14) against the current version: `*` or any
 * listed ETag, compared weakly since our ETags are weak. Absent header: no check.
 */
export function checkIfMatch(ifMatch: string | undefined, version: number): void {
  if (ifMatch === undefined || ifMatch.trim() === '') return;
  const current = stripWeak(etagOf(version));
  const tags = ifMatch.split(',').map((t) => t.trim());
  if (tags.includes('*') || tags.some((t) => stripWeak(t) === current)) return;
  throw preconditionFailed('The resource was changed since the version given in If-Match.');
}

/** True when If-None-Match names the current ETag (GET answers 304 then). */
export function matchesIfNoneMatch(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const current = stripWeak(etag);
  return ifNoneMatch.split(',').some((t) => t.trim() === '*' || stripWeak(t.trim()) === current);
}

const stripWeak = (tag: string) => (tag.startsWith('W/') ? tag.slice(2) : tag);
