import { iicResponse } from '../../../lambda/scim/profiles/iic-response';

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const NOW = new Date('2024-12-10T19:50:00.531Z');

describe('iicResponse: answering as AWS IAM Identity Center (CLIENTS.md §1.4, §1.6, §1.7)', () => {
  test('an error takes IIC\'s shape: string status, extra schema key, request id, time stamp, no scimType', () => {
    const out = iicResponse('Users', { status: 400, body: { schemas: [ERROR], status: '400', scimType: 'invalidValue', detail: 'bad' }, headers: { 'WWW-Authenticate': 'x' } }, 'req-1', NOW);
    expect(out).toEqual({
      status: 400,
      headers: { 'WWW-Authenticate': 'x', 'Content-Type': 'application/json' },
      body: { schema: [ERROR], schemas: [ERROR], detail: 'bad', status: '400', exceptionRequestId: 'req-1', timeStamp: '2024-12-10 19:50:00.531' },
    });
  });

  test('a 409 carries IIC\'s words', () => {
    const out = iicResponse('Users', { status: 409, body: { schemas: [ERROR], status: '409', detail: 'userName taken' } }, 'r', NOW);
    expect((out.body as { detail: string }).detail).toBe('Refused to create a new, duplicate resource.');
  });

  test('a resource loses meta.version and its ETag header', () => {
    const out = iicResponse('Users', { status: 200, headers: { ETag: 'W/"3"' }, body: { id: 'u', meta: { location: 'l', version: 'W/"3"' } } }, 'r', NOW);
    expect(out).toEqual({ status: 200, headers: { 'Content-Type': 'application/json' }, body: { id: 'u', meta: { location: 'l' } } });
  });

  test('groups, alone or listed, always show an empty members list, before meta', () => {
    const group = { id: 'g', displayName: 'G', members: [{ value: 'u' }], meta: { version: 'W/"1"' } };
    const one = iicResponse('Groups', { status: 200, body: group }, 'r', NOW).body as Record<string, unknown>;
    expect(one).toEqual({ id: 'g', displayName: 'G', members: [], meta: {} });
    expect(Object.keys(one)).toEqual(['id', 'displayName', 'members', 'meta']);
    const list = iicResponse('groups', { status: 200, body: { totalResults: 1, Resources: [group] } }, 'r', NOW).body as { Resources: unknown[] };
    expect(list.Resources).toEqual([{ id: 'g', displayName: 'G', members: [], meta: {} }]);
  });

  test('a bodiless answer keeps its status and gets the JSON content type, as IIC\'s 204 does', () => {
    expect(iicResponse('Users', { status: 204 }, 'r', NOW)).toEqual({ status: 204, headers: { 'Content-Type': 'application/json' } });
  });
});
