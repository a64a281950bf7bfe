import { ScimError } from '../../lambda/scim/errors';
import { searchQuery, SEARCH_REQUEST_SCHEMA } from '../../lambda/scim/search';

describe('SearchRequest → list parameters (RFC 7644 §3.4.3)', () => {
  test('maps every member to the query parameter a GET would carry', () => {
    expect(
      searchQuery({
        schemas: [SEARCH_REQUEST_SCHEMA],
        attributes: ['userName', 'emails.value'],
        excludedAttributes: 'meta',
        FILTER: 'userName sw "a"',
        sortBy: 'title',
        sortOrder: 'descending',
        startIndex: 3,
        count: 10,
        cursor: null,
      }),
    ).toEqual({
      attributes: 'userName,emails.value',
      excludedAttributes: 'meta',
      filter: 'userName sw "a"',
      sortBy: 'title',
      sortOrder: 'descending',
      startIndex: '3',
      count: '10',
    });
    expect(searchQuery({})).toEqual({});
  });

  test.each([
    ['a wrong schema', { schemas: ['urn:x'] }],
    ['an unknown member', { filters: 'x' }],
    ['a non-integer count', { count: 1.5 }],
    ['a filter that is not text', { filter: 3 }],
    ['attributes that are not names', { attributes: [true] }],
    ['a body that is not an object', 'userName'],
  ])('refuses %s with 400', (_, body) => {
    expect(() => searchQuery(body)).toThrow(ScimError);
    expect(() => searchQuery(body)).toThrow(expect.objectContaining({ status: 400 }));
  });
});
