import { ScimError } from '../../lambda/scim/errors';
import { userResourceType } from '../../lambda/scim/schema/registry';
import type { JsonObject } from '../../lambda/scim/schema/types';
import { parseSort, sortComparator } from '../../lambda/scim/sort';
import fixture from '../fixtures/list/sort.json';

interface SortCase {
  readonly name: string;
  readonly sortBy: string;
  readonly sortOrder?: string;
  readonly expected?: string[];
  readonly error?: string;
}

describe('sortBy / sortOrder (RFC 7644 §3.4.2.3), from test/fixtures/list/sort.json', () => {
  const resources = fixture.resources as unknown as JsonObject[];

  test.each((fixture.cases as SortCase[]).map((c) => [c.name, c] as const))('%s', (_, c) => {
    const query = { sortBy: c.sortBy, ...(c.sortOrder ? { sortOrder: c.sortOrder } : {}) };
    if (c.error) {
      expect(() => parseSort(userResourceType, query)).toThrow(ScimError);
      try {
        parseSort(userResourceType, query);
      } catch (error) {
        expect((error as ScimError).scimType).toBe(c.error);
      }
      return;
    }
    const sort = parseSort(userResourceType, query)!;
    const order = [...resources].sort(sortComparator(sort)).map((r) => r.id);
    expect(order).toEqual(c.expected);
    // The order does not depend on the order the resources came in.
    expect([...resources].reverse().sort(sortComparator(sort)).map((r) => r.id)).toEqual(c.expected);
  });

  test('no sortBy means no sort, whatever sortOrder says', () => {
    expect(parseSort(userResourceType, { sortOrder: 'descending' })).toBeUndefined();
  });
});
