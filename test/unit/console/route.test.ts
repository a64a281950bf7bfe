import { formatRoute, parseRoute, searchFilter, type Route } from '../../../console/src/route';
import { parseBaseUrl } from '../../../lib/console/proxy';

describe('console routes (the URL fragment)', () => {
  const routes: [string, Route][] = [
    ['#/users', { page: 'users', search: { text: '', mode: 'startsWith' }, startIndex: 1 }],
    ['#/users?q=ada&startIndex=26', { page: 'users', search: { text: 'ada', mode: 'startsWith' }, startIndex: 26 }],
    ['#/users?q=active+eq+false&mode=filter', { page: 'users', search: { text: 'active eq false', mode: 'filter' }, startIndex: 1 }],
    ['#/groups?q=Eng&mode=equals', { page: 'groups', search: { text: 'Eng', mode: 'equals' }, startIndex: 1 }],
    ['#/users/a%2Fb%20c', { page: 'user', id: 'a/b c' }],
    ['#/groups/g-1?startIndex=51', { page: 'group', id: 'g-1', startIndex: 51 }],
    ['#/config', { page: 'config' }],
    ['#/activity', { page: 'activity', query: {} }],
    ['#/activity?actor=okta-prod&resource=u-1&cursor=abc_-1', { page: 'activity', query: { actor: 'okta-prod', resource: 'u-1', cursor: 'abc_-1' } }],
  ];

  it.each(routes)('%s parses and formats back', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
    expect(formatRoute(route)).toBe(hash);
  });

  it('reads an empty fragment as the users page and tolerates nonsense', () => {
    expect(parseRoute('')).toEqual({ page: 'users', search: { text: '', mode: 'startsWith' }, startIndex: 1 });
    expect(parseRoute('#/users?startIndex=-4&mode=drop')).toEqual({ page: 'users', search: { text: '', mode: 'startsWith' }, startIndex: 1 });
    expect(parseRoute('#/users/%E0%A4%A')).toEqual({ page: 'user', id: '%E0%A4%A' });
    expect(parseRoute('#/tokens/1/2')).toEqual({ page: 'not-found', path: '/tokens/1/2' });
  });

  it('turns a search into a filter, the value escaped as a JSON string', () => {
    expect(searchFilter({ text: ' ada ', mode: 'startsWith' }, 'userName')).toBe('userName sw "ada"');
    expect(searchFilter({ text: 'say "hi" \\o/', mode: 'equals' }, 'displayName')).toBe('displayName eq "say \\"hi\\" \\\\o/"');
    expect(searchFilter({ text: 'active eq false', mode: 'filter' }, 'userName')).toBe('active eq false');
    expect(searchFilter({ text: '  ', mode: 'filter' }, 'userName')).toBeUndefined();
  });
});

describe('npm run console --base-url', () => {
  it('takes an http(s) Base URL and drops trailing slashes', () => {
    expect(parseBaseUrl('https://abc.execute-api.eu-west-1.amazonaws.com/prod/scim/v2/').href).toBe('https://abc.execute-api.eu-west-1.amazonaws.com/prod/scim/v2');
  });

  it.each([
    ['not a url', 'must be a URL'],
    ['ftp://example.com/scim/v2', 'http or https'],
    ['https://user:secret@example.com/scim/v2', 'must not carry credentials'],
    ['https://example.com/scim/v2?token=secret', 'must not have a query'],
  ])('refuses %s', (text, message) => {
    expect(() => parseBaseUrl(text)).toThrow(message);
  });
});
