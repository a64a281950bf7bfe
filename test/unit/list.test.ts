import { DEFAULT_COUNT, LIST_RESPONSE_SCHEMA, MAX_COUNT, listResponse, parsePaging, queryParam } from '../../lambda/scim/list';
import fixture from '../fixtures/list/paging.json';
import { thrown } from '../support/scim-error';

/** One case of test/fixtures/list/paging.json: `error` names the parameter the detail must mention. */
interface PagingCase {
  readonly name: string;
  readonly query: Record<string, string>;
  readonly expected?: { startIndex: number; count: number };
  readonly error?: string;
}

describe('parsePaging (RFC 7644 §3.4.2.4)', () => {
  test('the fixture was written for DEFAULT_COUNT 100 and MAX_COUNT 1000', () => {
    expect({ DEFAULT_COUNT, MAX_COUNT }).toEqual({ DEFAULT_COUNT: 100, MAX_COUNT: 1000 });
  });

  test.each((fixture.cases as PagingCase[]).map((c) => [c.name, c] as const))('%s', (_, c) => {
    expect((c.expected === undefined) !== (c.error === undefined)).toBe(true); // exactly one outcome per case
    if (c.error) {
      const error = thrown(() => parsePaging(c.query));
      expect({ status: error.status, scimType: error.scimType }).toEqual({ status: 400, scimType: 'invalidValue' });
      expect(error.detail).toContain(`"${c.error}"`);
    } else {
      expect(parsePaging(c.query)).toStrictEqual(c.expected);
    }
  });
});

describe('queryParam', () => {
  const query = { Filter: 'userName eq "bjensen"', excludedAttributes: ' members ' };

  test('finds a parameter under any casing and returns its value untouched', () => {
    expect(queryParam(query, 'filter')).toBe('userName eq "bjensen"');
    expect(queryParam(query, 'EXCLUDEDATTRIBUTES')).toBe(' members ');
  });

  test('returns undefined for an absent parameter', () => {
    expect(queryParam(query, 'attributes')).toBeUndefined();
    expect(queryParam({}, 'filter')).toBeUndefined();
  });

  test('an empty value is returned as the empty string, not as absent', () => {
    expect(queryParam({ filter: '' }, 'filter')).toBe('');
  });
});

describe('listResponse (RFC 7644 §3.4.2)', () => {
  test('wraps a page with integer counts and the ListResponse schema', () => {
    const resources = [{ id: 'a' }, { id: 'b' }];
    expect(listResponse(resources, 7, 3)).toStrictEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 7,
      itemsPerPage: 2,
      startIndex: 3,
      Resources: resources,
    });
    expect(LIST_RESPONSE_SCHEMA).toBe('urn:ietf:params:scim:api:messages:2.0:ListResponse');
  });

  test('a filter that matches nothing is an empty list with totalResults 0 (Entra, Okta)', () => {
    expect(listResponse([], 0, 1)).toStrictEqual({
      schemas: [LIST_RESPONSE_SCHEMA],
      totalResults: 0,
      itemsPerPage: 0,
      startIndex: 1,
      Resources: [],
    });
  });
});
