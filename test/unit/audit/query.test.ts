import { decodeAuditCursor, encodeAuditCursor, parseAuditRequest, parseTime } from '../../../lambda/scim/audit-query';
import { ScimError } from '../../../lambda/scim/errors';

const NOW = new Date('2026-11-28T12:00:00.000Z');

describe('the query of an audit read', () => {
  test.each([
    ['2026-11-28T09:30:00Z', '2026-11-28T09:30:00.000Z'],
    ['2026-11-28T10:30:00+01:00', '2026-11-28T09:30:00.000Z'],
    ['2026-11-01', '2026-11-01T00:00:00.000Z'],
    ['30m', '2026-11-28T11:30:00.000Z'],
    ['24h', '2026-11-27T12:00:00.000Z'],
    ['7d', '2026-11-21T12:00:00.000Z'],
    ['2026-11-28T09:30:00', undefined], // no zone: which 09:30 is meant?
    ['2026-02-30', undefined],
    ['yesterday', undefined],
    ['7w', undefined],
  ])('a time: %s', (text, expected) => {
    expect(parseTime(text, NOW)).toBe(expected);
  });

  test('defaults: the directory, 50 entries, from the newest', () => {
    expect(parseAuditRequest({}, NOW)).toEqual({ count: 50 });
  });

  test('every parameter, names matched case-insensitively, values trimmed', () => {
    const cursor = encodeAuditCursor('["u1","AUDIT#2026-11-28T11:00:00.000Z#e1"]');
    expect(parseAuditRequest({ resourceid: ' u1 ', Actor: 'okta-prod', since: '1h', count: '200', cursor }, NOW)).toEqual({
      resourceId: 'u1',
      actor: 'okta-prod',
      since: '2026-11-28T11:00:00.000Z',
      count: 200,
      after: '["u1","AUDIT#2026-11-28T11:00:00.000Z#e1"]',
    });
  });

  test.each([
    [{ count: '0' }, 400, 'invalidValue', /"count" must be a whole number from 1 to 200/],
    [{ count: '201' }, 400, 'invalidValue', /"count"/],
    [{ count: '1.5' }, 400, 'invalidValue', /"count"/],
    [{ since: 'last week' }, 400, 'invalidValue', /"since" must be/],
    [{ actor: 'x'.repeat(129) }, 400, 'invalidValue', /"actor"/],
    [{ cursor: 'not a cursor!' }, 400, 'invalidCursor', /cursor is not one this server issued/],
  ])('refuses %j with a SCIM error', (query, status, scimType, detail) => {
    let error: unknown;
    try {
      parseAuditRequest(query, NOW);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScimError);
    expect(error).toMatchObject({ status, scimType, detail: expect.stringMatching(detail) });
  });

  test('a cursor carries its position and nothing else', () => {
    const position = '["a","AUDIT#x"]';
    expect(decodeAuditCursor(encodeAuditCursor(position))).toBe(position);
    expect(encodeAuditCursor(position)).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});
