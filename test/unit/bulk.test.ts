import type { JsonObject } from '../../lambda/scim/schema/types';
import { referencedBulkIds, resolveData, resolvePath } from '../../lambda/scim/bulk/references';
import { parseBulkRequest } from '../../lambda/scim/bulk/request';
import { BULK_MAX_OPERATIONS } from '../../lambda/scim/bulk/limits';

const REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

describe('bulkId references (RFC 7644 §3.7.2)', () => {
  const ids = new Map([['qwerty', 'u-1'], ['ytrewq', 'u-2']]);

  test('are found in the path and anywhere in the data', () => {
    const data: JsonObject = { members: [{ type: 'User', value: 'bulkId:qwerty' }, { type: 'User', value: 'bulkId:ytrewq' }], note: 'bulkId: not a reference', x: { y: ['bulkId:z'] } };
    expect([...referencedBulkIds('/Groups/bulkId:g', data)].sort()).toEqual(['g', 'qwerty', 'ytrewq', 'z']);
    expect(referencedBulkIds('/Users', { userName: 'bulkid:lowercase' }).size).toBe(0);
  });

  test('are replaced by the created ids; unknown ones are left for the caller to refuse', () => {
    expect(resolvePath('/Users/bulkId:qwerty', ids)).toBe('/Users/u-1');
    expect(resolvePath('/Users/bulkId:nope', ids)).toBe('/Users/bulkId:nope');
    expect(resolveData({ members: [{ value: 'bulkId:qwerty' }, { value: 'bulkId:ytrewq' }], displayName: 'qwerty' }, ids)).toEqual({
      members: [{ value: 'u-1' }, { value: 'u-2' }],
      displayName: 'qwerty',
    });
  });
});

describe('parseBulkRequest (RFC 7644 §3.7)', () => {
  test('reads the envelope case-insensitively and each operation as sent', () => {
    const parsed = parseBulkRequest({
      schemas: [REQUEST],
      FAILONERRORS: 2,
      operations: [{ Method: 'post', PATH: '/Users', BulkId: 'a', Data: { userName: 'x' } }, 'junk'],
    });
    expect(parsed.failOnErrors).toBe(2);
    expect(parsed.operations).toEqual([
      { index: 0, method: 'POST', bulkId: 'a', version: undefined, path: '/Users', data: { userName: 'x' } },
      { index: 1, method: '', path: '' },
    ]);
  });

  test.each([
    ['not an object', [], 400],
    ['no schemas', { Operations: [] }, 400],
    ['Operations not an array', { schemas: [REQUEST], Operations: {} }, 400],
    ['failOnErrors 0', { schemas: [REQUEST], Operations: [], failOnErrors: 0 }, 400],
    ['failOnErrors text', { schemas: [REQUEST], Operations: [], failOnErrors: '1' }, 400],
    ['too many operations', { schemas: [REQUEST], Operations: Array(BULK_MAX_OPERATIONS + 1).fill({}) }, 413],
  ])('refuses %s with %i', (_, body, status) => {
    expect(() => parseBulkRequest(body)).toThrow(expect.objectContaining({ status }));
  });
});
