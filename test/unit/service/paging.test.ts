import { pageOf } from '../../../lambda/service/paging';
import type { StoredResource } from '../../../lambda/store/types';

const resource = (id: string): StoredResource => ({ id, kind: 'User', version: 1, created: '', lastModified: '', uniqueValue: id, document: {} });
const all = ['a', 'b', 'c', 'd', 'e'].map(resource);
const position = (r: StoredResource) => `${r.uniqueValue}#${r.id}`;
const ids = (page: { resources: StoredResource[] }) => page.resources.map((r) => r.id);

describe('pageOf: one page of a fully read, ordered result', () => {
  test('index paging slices from startIndex, totalResults counts everything', () => {
    const page = pageOf(all, { kind: 'index', startIndex: 2, count: 2 }, position);
    expect(ids(page)).toEqual(['b', 'c']);
    expect(page.totalResults).toBe(5);
    expect(page.next).toBeUndefined();
  });

  test('in the listing order a cursor names the last position, and resumes after it', () => {
    const first = pageOf(all, { kind: 'cursor', cursor: undefined, count: 2 }, position);
    expect(first.next).toEqual({ after: 'b#b' });
    const second = pageOf(all, { kind: 'cursor', cursor: first.next, count: 2 }, position);
    expect(ids(second)).toEqual(['c', 'd']);
    // A resource gone since (c) does not shift the next page.
    const third = pageOf(all.filter((r) => r.id !== 'c'), { kind: 'cursor', cursor: second.next, count: 2 }, position);
    expect(ids(third)).toEqual(['e']);
    expect(third.next).toBeUndefined();
  });

  test('in a sortBy order a cursor names an offset', () => {
    const first = pageOf(all, { kind: 'cursor', cursor: undefined, count: 3 });
    expect(first.next).toEqual({ offset: 3 });
    expect(ids(pageOf(all, { kind: 'cursor', cursor: { offset: 3 }, count: 3 }))).toEqual(['d', 'e']);
    expect(pageOf(all, { kind: 'cursor', cursor: { offset: 99 }, count: 3 }).resources).toEqual([]);
  });

  test('a position cursor on a sortBy order is 400 invalidCursor', () => {
    expect(() => pageOf(all, { kind: 'cursor', cursor: { after: 'b#b' }, count: 2 })).toThrow(
      expect.objectContaining({ status: 400, scimType: 'invalidCursor' }),
    );
  });

  test('count 0 gives no resources and no cursor', () => {
    expect(pageOf(all, { kind: 'cursor', cursor: undefined, count: 0 })).toEqual({ totalResults: 5, resources: [] });
  });
});
