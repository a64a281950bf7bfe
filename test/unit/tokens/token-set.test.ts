import { hashToken, matchToken, type TokenRecord } from '../../../lambda/http/auth';

const matchesAny = (token: string, records: readonly TokenRecord[], now: Date) => matchToken(token, records, now) !== undefined;
import { parseTokenSecret } from '../../../lambda/http/secret-tokens';
import {
  formatTokenSecret,
  isActive,
  issueToken,
  parseTokenSecretStrict,
  revokeToken,
  rotateTokens,
  TokenSetError,
} from '../../../lib/tokens/token-set';

const NOW = new Date('2026-11-28T12:00:00.000Z');
const later = (days: number) => new Date(NOW.getTime() + days * 86_400_000);
const OKTA = { name: 'okta-prod' };

describe('token list rules', () => {
  test('a new token: 43 base64url characters, kept only as its SHA-256, expiring in a year', () => {
    const { token, record, records } = issueToken([], NOW, 365, OKTA);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(record).toEqual({
      id: expect.stringMatching(/^tok-[0-9a-f]{12}$/),
      sha256: hashToken(token),
      createdAt: NOW.toISOString(),
      expiresAt: '2027-11-28T12:00:00.000Z',
      name: 'okta-prod',
      scope: 'provision',
    });
    expect(formatTokenSecret(records)).not.toContain(token);
    expect(matchesAny(token, parseTokenSecret(formatTokenSecret(records)), NOW)).toBe(true);
    expect(matchesAny(token, records, later(366))).toBe(false);
  });

  test('at most two active tokens; an expired one does not count and is dropped', () => {
    const first = issueToken([], NOW, 365, OKTA);
    const second = issueToken(first.records, NOW, 30, OKTA);
    expect(() => issueToken(second.records, NOW, 365, OKTA)).toThrow(TokenSetError);
    expect(() => issueToken(second.records, NOW, 365, OKTA)).toThrow(/revoke one first/);
    const third = issueToken(second.records, later(31), 365, OKTA);
    expect(third.records.map((r) => r.id)).toEqual([first.record.id, third.record.id]);
  });

  test('revoke removes exactly that id; an unknown id is refused', () => {
    const a = issueToken([], NOW, 365, OKTA);
    const b = issueToken(a.records, NOW, 365, OKTA);
    expect(revokeToken(b.records, a.record.id)).toEqual([b.record]);
    expect(() => revokeToken(b.records, 'tok-nope')).toThrow(/No token with id "tok-nope"/);
  });

  test('rotate: a new token, the old one working for the grace period only', () => {
    const old = issueToken([], NOW, 365, OKTA);
    const rotated = rotateTokens(old.records, NOW, 24);
    expect(rotated.records).toHaveLength(2);
    const kept = rotated.records.find((r) => r.id === old.record.id)!;
    expect(kept.expiresAt).toBe('2026-11-29T12:00:00.000Z');
    expect(matchesAny(old.token, rotated.records, new Date(NOW.getTime() + 23 * 3_600_000))).toBe(true);
    expect(matchesAny(old.token, rotated.records, new Date(NOW.getTime() + 25 * 3_600_000))).toBe(false);
    expect(matchesAny(rotated.token, rotated.records, later(300))).toBe(true);
    // A rotation under way (two active) is not started again.
    expect(() => rotateTokens(rotated.records, NOW)).toThrow(/revoke the old one first/);
    // Zero grace: the old token ends now.
    expect(rotateTokens(old.records, NOW, 0).records.map((r) => r.id)).not.toContain(old.record.id);
  });

  test('a token has the name and scope it was made with; rotate passes them on to its successor', () => {
    const reader = issueToken([], NOW, 365, { name: 'hr-reader', scope: 'read' });
    expect(reader.record).toMatchObject({ name: 'hr-reader', scope: 'read' });
    const rotated = rotateTokens(reader.records, NOW, 24);
    expect(rotated.record).toMatchObject({ name: 'hr-reader', scope: 'read' });
    expect(rotated.record.id).not.toBe(reader.record.id);
    expect(rotateTokens(reader.records, NOW, 24, 365, { name: 'hr-reader-2' }).record).toMatchObject({ name: 'hr-reader-2', scope: 'read' });
    // A token from before names and scopes: the successor is named by its id and provisions.
    const legacy = [{ id: 'tok-legacy', sha256: hashToken('x'), createdAt: NOW.toISOString() }];
    expect(rotateTokens(legacy, NOW, 24).record).toMatchObject({ name: 'tok-legacy', scope: 'provision' });
    // A directory (issue 16) stays with the token's line.
    const elsewhere = [{ ...reader.record, directory: 'contractors' }];
    expect(rotateTokens(elsewhere, NOW, 24).record.directory).toBe('contractors');
    expect(() => rotateTokens([], NOW, 24)).toThrow(/create one with --name/);
  });

  test.each([['', /A token name is/], ['-leading-dash', /A token name is/], ['has space', /A token name is/], ['x'.repeat(65), /A token name is/], ['ok'.repeat(32), null]])(
    'names: %j',
    (name, refusal) => {
      if (refusal) expect(() => issueToken([], NOW, 365, { name })).toThrow(refusal);
      else expect(issueToken([], NOW, 365, { name }).record.name).toBe(name);
    },
  );

  test('an unknown scope is refused, never taken for another', () => {
    expect(() => issueToken([], NOW, 365, { name: 'x', scope: 'admin' as never })).toThrow(/provision, read/);
  });

  test('bad numbers are refused', () => {
    expect(() => issueToken([], NOW, 0, OKTA)).toThrow(/expiry/);
    expect(() => issueToken([], NOW, Number.NaN, OKTA)).toThrow(/expiry/);
    expect(() => rotateTokens([], NOW, -1)).toThrow(/grace/);
  });

  test('isActive: no expiry never expires; a past expiry is inactive', () => {
    expect(isActive({ id: 'a', sha256: 'x' }, NOW)).toBe(true);
    expect(isActive({ id: 'a', sha256: 'x', expiresAt: NOW.toISOString() }, NOW)).toBe(false);
  });

  test.each([
    ['not JSON', /not JSON/],
    ['{"tokens":"x"}', /refusing/],
    ['{"tokens":[{"id":"a"}]}', /refusing/],
    ['{}', /refusing/],
  ])('the CLI refuses to overwrite a store it does not understand: %s', (text, message) => {
    expect(() => parseTokenSecretStrict(text)).toThrow(message);
  });

  test('the strict parser reads what formatTokenSecret writes, and the empty secret the stack creates', () => {
    const { records } = issueToken([], NOW, 365, OKTA);
    expect(parseTokenSecretStrict(formatTokenSecret(records))).toEqual(records);
    expect(parseTokenSecretStrict('{"tokens":[]}')).toEqual([]);
  });
});
