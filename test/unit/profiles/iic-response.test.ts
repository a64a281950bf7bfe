import { iicResponse, type AnsweredRequest } from '../../../lambda/scim/profiles/iic-response';

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const NOW = new Date('2024-12-10T19:50:00.531Z');
const GET_USERS: AnsweredRequest = { resource: 'Users', method: 'GET', cursor: false, requestId: 'r' };
const on = (resource: string, method = 'GET', cursor = false): AnsweredRequest => ({ resource, method, cursor, requestId: 'r' });

describe('iicResponse: answering as AWS IAM Identity Center (CLIENTS.md §1.3, §1.4, §1.6, §1.7)', () => {
  test('an error takes IIC\'s shape: string status, extra schema key, request id, time stamp, no scimType', () => {
    const request = { ...GET_USERS, requestId: 'req-1' };
    const out = iicResponse(request, { status: 400, body: { schemas: [ERROR], status: '400', scimType: 'invalidValue', detail: 'bad' }, headers: { 'WWW-Authenticate': 'x' } }, NOW);
    expect(out).toEqual({
      status: 400,
      headers: { 'WWW-Authenticate': 'x', 'Content-Type': 'application/json' },
      body: { schema: [ERROR], schemas: [ERROR], detail: 'bad', status: '400', exceptionRequestId: 'req-1', timeStamp: '2024-12-10 19:50:00.531' },
    });
  });

  test('a 409 carries IIC\'s words', () => {
    const out = iicResponse(GET_USERS, { status: 409, body: { schemas: [ERROR], status: '409', detail: 'userName taken' } }, NOW);
    expect((out.body as { detail: string }).detail).toBe('Refused to create a new, duplicate resource.');
  });

  test('a request it cannot read (invalidSyntax) carries IIC\'s ValidationException words; other 400s keep theirs', () => {
    const unreadable = iicResponse(GET_USERS, { status: 400, body: { schemas: [ERROR], status: '400', scimType: 'invalidSyntax', detail: 'The request body is not valid JSON.' } }, NOW);
    expect((unreadable.body as { detail: string }).detail).toBe('Request is unparsable, syntactically incorrect, or violates schema.');
    const refused = iicResponse(GET_USERS, { status: 400, body: { schemas: [ERROR], status: '400', scimType: 'invalidFilter', detail: 'Only "eq".' } }, NOW);
    expect((refused.body as { detail: string }).detail).toBe('Only "eq".');
  });

  test('a resource loses meta.version and its ETag header', () => {
    const out = iicResponse(GET_USERS, { status: 200, headers: { ETag: 'W/"3"' }, body: { id: 'u', meta: { location: 'l', version: 'W/"3"' } } }, NOW);
    expect(out).toEqual({ status: 200, headers: { 'Content-Type': 'application/json' }, body: { id: 'u', meta: { location: 'l' } } });
  });

  test('groups, alone or listed, always show an empty members list, before meta', () => {
    const group = { id: 'g', displayName: 'G', members: [{ value: 'u' }], meta: { version: 'W/"1"' } };
    const one = iicResponse(on('Groups'), { status: 200, body: group }, NOW).body as Record<string, unknown>;
    expect(one).toEqual({ id: 'g', displayName: 'G', members: [], meta: {} });
    expect(Object.keys(one)).toEqual(['id', 'displayName', 'members', 'meta']);
    const list = iicResponse(on('groups'), { status: 200, body: { totalResults: 1, Resources: [group] } }, NOW).body as { Resources: unknown[] };
    expect(list.Resources).toEqual([{ id: 'g', displayName: 'G', members: [], meta: {} }]);
  });

  test('a created group comes back without members at all, as CreateGroup answers', () => {
    const created = iicResponse(on('Groups', 'POST'), { status: 201, body: { id: 'g', displayName: 'G', members: [{ value: 'u' }], meta: {} } }, NOW);
    expect(created.body).toEqual({ id: 'g', displayName: 'G', meta: {} });
  });

  test('a cursor page has itemsPerPage and nextCursor but no totalResults; an index page keeps it', () => {
    const page = { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 7, itemsPerPage: 1, nextCursor: 'c', Resources: [{ id: 'u' }] };
    expect(iicResponse(on('Users', 'GET', true), { status: 200, body: page }, NOW).body).toEqual({
      schemas: page.schemas,
      itemsPerPage: 1,
      nextCursor: 'c',
      Resources: [{ id: 'u' }],
    });
    expect((iicResponse(on('Users'), { status: 200, body: page }, NOW).body as { totalResults: number }).totalResults).toBe(7);
  });

  test('a bodiless answer keeps its status and gets the JSON content type, as IIC\'s 204 does', () => {
    expect(iicResponse(GET_USERS, { status: 204 }, NOW)).toEqual({ status: 204, headers: { 'Content-Type': 'application/json' } });
  });
});
