import { invalidCursor } from '../scim/errors';
import type { CursorPosition } from '../scim/cursor';
import type { PagingRequest } from '../scim/list';
import type { Page, PageRequest, StoredResource } from '../store/types';

/** A page request that takes every resource. */
export const EVERYTHING: PageRequest = { startIndex: 1, count: Number.MAX_SAFE_INTEGER };

/**
 * One page of an ordered, fully read result. With `positionOf` the order is the listing
 * order and a next cursor names the last position (so it stays valid as resources come and
 * go); otherwise (a sortBy order) it names an offset.
 */
export function pageOf(
  ordered: StoredResource[],
  paging: PagingRequest,
  positionOf?: (r: StoredResource) => string,
): Page & { next?: CursorPosition } {
  const totalResults = ordered.length;
  if (paging.kind === 'index') {
    return { totalResults, resources: ordered.slice(paging.startIndex - 1, paging.startIndex - 1 + paging.count) };
  }
  let start = 0;
  const cursor = paging.cursor;
  if (cursor && 'offset' in cursor) start = cursor.offset;
  else if (cursor) {
    if (!positionOf) throw invalidCursor('This cursor belongs to a list in another order; start again without one.');
    const index = ordered.findIndex((r) => positionOf(r) > cursor.after);
    start = index < 0 ? ordered.length : index;
  }
  const resources = ordered.slice(start, start + paging.count);
  const end = start + resources.length;
  if (end >= ordered.length || resources.length === 0) return { totalResults, resources };
  const next: CursorPosition = positionOf ? { after: positionOf(resources[resources.length - 1]) } : { offset: end };
  return { totalResults, resources, next };
}
