import { decodeCursor, encodeCursor } from '../../lambda/scim/cursor';
import { ScimError } from '../../lambda/scim/errors';
import { parsePagingRequest } from '../../lambda/scim/list';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('cursors (RFC 9865)', () => {
  test.each([
    [{ after: 'ada@example.com#0b5c3f7e-1f2a-4b1c-9a53-6d7c0f1e2a3b' }],
    [{ after: 'name#with#hashes#abc-123' }],
    [{ offset: 1 }],
    [{ offset: 99_999 }],
  ])('round-trips %j in the alphabet IAM Identity Center allows', (position) => {
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[-a-zA-Z0-9+=/:_]*$/);
    expect(decodeCursor(cursor)).toEqual(position);
  });

  test.each([
    ['not base64url JSON', 'abc'],
    ['characters outside base64url', 'a+b/c='],
    ['an array', b64(['a'])],
    ['two keys', b64({ a: 'x#id', o: 1 })],
    ['an unknown key', b64({ k: 'x#id' })],
    ['a position without an id', b64({ a: 'no-separator' })],
    ['an id with foreign characters', b64({ a: 'x#../../etc' })],
    ['offset zero', b64({ o: 0 })],
    ['a negative offset', b64({ o: -5 })],
    ['a fractional offset', b64({ o: 1.5 })],
    ['an offset given as text', b64({ o: '3' })],
    ['a huge cursor', 'A'.repeat(5000)],
    ['a position over DynamoDB\'s 1,024-byte sort key', b64({ a: `${'é'.repeat(600)}#abc` })],
  ])('refuses %s with 400 invalidCursor', (_, text) => {
    try {
      decodeCursor(text);
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(ScimError);
      expect(error).toMatchObject({ status: 400, scimType: 'invalidCursor' });
    }
  });

  test('an empty cursor parameter asks for the first page; none keeps index paging', () => {
    expect(parsePagingRequest({ cursor: '', count: '5' })).toEqual({ kind: 'cursor', cursor: undefined, count: 5 });
    expect(parsePagingRequest({ count: '5' })).toEqual({ kind: 'index', startIndex: 1, count: 5 });
    expect(() => parsePagingRequest({ cursor: '', startIndex: '1' })).toThrow(/not both/);
  });
});
