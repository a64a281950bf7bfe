import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { StaticTokenVerifier, authenticate, callerOf, hashToken, matchToken, type TokenRecord, type TokenVerifier } from '../../../lambda/http/auth';
import { SECRETS_RETRY_AFTER_SECONDS, SecretTokenVerifier, TOKEN_CACHE_TTL_MS, parseTokenSecret } from '../../../lambda/http/secret-tokens';
import type { ScimRequest } from '../../../lambda/http/types';
import { ScimError } from '../../../lambda/scim/errors';
import headerFixture from '../../fixtures/http/authorization.json';
import secretFixture from '../../fixtures/http/token-secrets.json';

/** One case of test/fixtures/http/authorization.json. */
interface HeaderCase {
  readonly name: string;
  readonly why?: string;
  readonly header?: string;
  readonly secret?: string;
  readonly accepted: boolean;
  readonly verified: boolean;
}

const ALPHA = 'tok-alpha-0001';
const BETA = 'tok-beta-0002';
const GAMMA = 'tok-gamma-0003';
const record = (id: string, token: string, extra: Partial<TokenRecord> = {}): TokenRecord => ({ id, sha256: hashToken(token), ...extra });
const secretOf = (...records: TokenRecord[]) => JSON.stringify({ tokens: records });

/** A fixed instant well after the epoch: the verifier's "never fetched" is fetchedAt 0. */
const T0 = Date.parse('2025-06-01T12:00:00Z');
/** The verifier's refetch-on-miss interval (not exported). */
const REFRESH_ON_MISS_MS = 10_000;

async function rejection(promise: Promise<unknown>): Promise<ScimError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw error;
  }
  throw new Error('expected a ScimError, but the promise resolved');
}

function requestWith(header: string | undefined): ScimRequest {
  return {
    method: 'GET',
    segments: ['Users'],
    query: {},
    headers: header === undefined ? {} : { authorization: header },
    body: '',
    baseUrl: 'https://example.com/scim/v2',
    requestId: 'test',
  };
}

describe('hashToken', () => {
  test('is the unpadded base64url SHA-256 of the UTF-8 token', () => {
    expect(hashToken('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0'); // FIPS 180-2 "abc" vector
    expect(hashToken(ALPHA)).toBe('hpszgV1hN4d9-B5D8xpS4OQqAJVQpwVlmYoIGhs9u7E');
  });
});

describe('matchToken', () => {
  const now = new Date(T0);
  /** Whether the token matches a live record. */
  const matchesAny = (token: string, records: readonly TokenRecord[], at: Date = now) => matchToken(token, records, at) !== undefined;

  test('accepts any of several tokens and nothing else', () => {
    const records = [record('okta', ALPHA), record('entra', BETA)];
    expect([ALPHA, BETA, GAMMA, '', `${ALPHA} `].map((t) => matchesAny(t, records, now))).toEqual([true, true, false, false, false]);
  });

  test('accepts nothing when there are no records', () => {
    expect(matchesAny(ALPHA, [], now)).toBe(false);
  });

  test('refuses a token after its expiry and at the expiry instant, accepts it before', () => {
    const expiresAt = new Date(T0).toISOString();
    const records = [record('okta', ALPHA, { expiresAt })];
    expect(matchesAny(ALPHA, records, new Date(T0 - 1))).toBe(true);
    expect(matchesAny(ALPHA, records, new Date(T0))).toBe(false);
    expect(matchesAny(ALPHA, records, new Date(T0 + 1))).toBe(false);
  });

  test('an unparseable expiry refuses the token (fail closed)', () => {
    expect(matchesAny(ALPHA, [record('okta', ALPHA, { expiresAt: 'never' })], now)).toBe(false);
  });

  test('a rotated token listed twice is accepted while one listing is live, as that listing', () => {
    const records = [record('old', ALPHA, { expiresAt: '2025-01-01T00:00:00Z' }), record('new', ALPHA, { expiresAt: '2026-01-01T00:00:00Z' })];
    expect(matchToken(ALPHA, records, now)?.id).toBe('new');
  });

  test('returns the record that matched, with its name, scope and directory', () => {
    const records = [record('okta', ALPHA, { name: 'okta-prod', scope: 'read', directory: 'contractors' }), record('entra', BETA)];
    expect(matchToken(ALPHA, records, now)).toBe(records[0]);
    expect(matchToken(BETA, records, now)).toBe(records[1]);
  });

  test('a stored hash of the wrong length is no match and does not throw', () => {
    expect(matchesAny(ALPHA, [{ id: 'short', sha256: 'abc' }, { id: 'empty', sha256: '' }], now)).toBe(false);
  });

  // The secret's expiresAt is not type-checked by parseTokenSecret, and matchesAny treats any
  // falsy value as "no expiry": a malformed expiry then accepts the token for ever.
  test.each([[0], [false], ['']])('a record with expiresAt %j fails closed', (expiresAt) => {
    const records = parseTokenSecret(JSON.stringify({ tokens: [{ id: 'okta', sha256: hashToken(ALPHA), expiresAt }] }));
    expect(matchesAny(ALPHA, records, now)).toBe(false);
  });
});

describe('StaticTokenVerifier', () => {
  test('accepts exactly its one token', async () => {
    const verifier = new StaticTokenVerifier(ALPHA);
    expect(await Promise.all([ALPHA, BETA, '', ` ${ALPHA}`, ALPHA.toUpperCase()].map((t) => verifier.verify(t).then(Boolean)))).toEqual([
      true,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('authenticate', () => {
  const cases = headerFixture.cases as HeaderCase[];

  test.each(cases.map((c) => [c.why ? `${c.name} (${c.why})` : c.name, c] as const))('%s', async (_, c) => {
    const presented: string[] = [];
    const inner = new StaticTokenVerifier(headerFixture.token);
    const verifier: TokenVerifier = { verify: (token) => (presented.push(token), inner.verify(token)) };
    const run = authenticate(requestWith(c.header), verifier);
    if (c.accepted) {
      await expect(run).resolves.toEqual({ tokenId: 'local', name: 'local', scope: 'provision', directory: 'default' });
    } else {
      const error = await rejection(run);
      expect({ status: error.status, scimType: error.scimType, headers: error.headers }).toEqual({
        status: 401,
        scimType: undefined,
        headers: { 'WWW-Authenticate': 'Bearer realm="scim"' },
      });
      expect(error.detail).not.toContain(headerFixture.token);
      if (c.secret) expect(error.detail).not.toContain(c.secret);
    }
    expect(presented).toHaveLength(c.verified ? 1 : 0);
  });

  test('passes the token alone, without the scheme or spaces, to the verifier', async () => {
    const presented: string[] = [];
    await authenticate(requestWith('bearer \tabc.DEF-_~+/=  '), { verify: async (t) => (presented.push(t), record('x', t)) });
    expect(presented).toEqual(['abc.DEF-_~+/=']);
  });
});

describe('parseTokenSecret', () => {
  test.each(secretFixture.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    expect(parseTokenSecret(c.text)).toStrictEqual(c.expected);
  });
});

/**
 * SecretTokenVerifier against a fake SecretsManagerClient whose `send` returns the current
 * SecretString. Faking the AWS client is acceptable here: what is under test is the verifier's
 * caching (TTL, refetch on miss, one fetch in flight) with an injected clock, not the AWS call.
 */
describe('SecretTokenVerifier', () => {
  const SECRET_ID = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:scim-tokens-AbCdEf';

  function setup(initial: string | undefined) {
    const state = { secret: initial, now: T0 };
    const send = jest.fn(async (_command: GetSecretValueCommand) => ({ SecretString: state.secret }));
    const client = { send } as unknown as SecretsManagerClient;
    const inner = new SecretTokenVerifier(SECRET_ID, client, () => state.now);
    // Most cases ask only whether a token is accepted.
    const verifier = { verify: (token: string) => inner.verify(token).then((found) => found !== undefined) };
    return { state, send, verifier, inner };
  }

  test('fetches the secret by its id once and accepts every token it lists', async () => {
    const { send, verifier } = setup(secretOf(record('okta', ALPHA), record('entra', BETA), record('jumpcloud', GAMMA)));
    expect(await verifier.verify(ALPHA)).toBe(true);
    expect(await verifier.verify(BETA)).toBe(true);
    expect(await verifier.verify(GAMMA)).toBe(true);
    expect(await verifier.verify('not-a-token')).toBe(false);
    expect(send).toHaveBeenCalledTimes(1);
    const command = send.mock.calls[0][0];
    expect(command).toBeInstanceOf(GetSecretValueCommand);
    expect(command.input).toEqual({ SecretId: SECRET_ID });
  });

  test('refuses an expired token and accepts a live one', async () => {
    const { state, verifier } = setup(
      secretOf(record('old', ALPHA, { expiresAt: new Date(T0 - 1000).toISOString() }), record('new', BETA, { expiresAt: new Date(T0 + 3_600_000).toISOString() })),
    );
    expect(await verifier.verify(ALPHA)).toBe(false);
    expect(await verifier.verify(BETA)).toBe(true);
    state.now = T0 + 3_600_001;
    expect(await verifier.verify(BETA)).toBe(false);
  });

  test('a revoked token is still accepted until the TTL has passed, refused after', async () => {
    expect(TOKEN_CACHE_TTL_MS).toBe(60_000);
    const { state, send, verifier } = setup(secretOf(record('okta', ALPHA), record('entra', BETA)));
    expect(await verifier.verify(ALPHA)).toBe(true);
    state.secret = secretOf(record('entra', BETA)); // ALPHA revoked
    state.now = T0 + TOKEN_CACHE_TTL_MS;
    expect(await verifier.verify(ALPHA)).toBe(true);
    expect(send).toHaveBeenCalledTimes(1);
    state.now = T0 + TOKEN_CACHE_TTL_MS + 1;
    expect(await verifier.verify(ALPHA)).toBe(false);
    expect(await verifier.verify(BETA)).toBe(true);
    expect(send).toHaveBeenCalledTimes(2);
  });

  test('an unknown token re-reads the secret, but not more often than every 10 s', async () => {
    const { state, send, verifier } = setup(secretOf(record('okta', ALPHA)));
    expect(await verifier.verify(ALPHA)).toBe(true);
    state.secret = secretOf(record('okta', ALPHA), record('entra', BETA)); // BETA added
    state.now = T0 + 5_000;
    expect(await verifier.verify(BETA)).toBe(false);
    state.now = T0 + REFRESH_ON_MISS_MS;
    expect(await verifier.verify(BETA)).toBe(false);
    expect(send).toHaveBeenCalledTimes(1);
    state.now = T0 + REFRESH_ON_MISS_MS + 1;
    expect(await verifier.verify(BETA)).toBe(true);
    expect(send).toHaveBeenCalledTimes(2);

    // A stream of bad tokens costs one read per 10 s, not one per request.
    const fetchedAt = state.now;
    for (const offset of [1, 1_000, 5_000, REFRESH_ON_MISS_MS]) {
      state.now = fetchedAt + offset;
      expect(await verifier.verify('not-a-token')).toBe(false);
    }
    expect(send).toHaveBeenCalledTimes(2);
    state.now = fetchedAt + REFRESH_ON_MISS_MS + 1;
    expect(await verifier.verify('not-a-token')).toBe(false);
    expect(send).toHaveBeenCalledTimes(3);
  });

  test('concurrent requests share one fetch', async () => {
    const { state, send, verifier } = setup(secretOf(record('okta', ALPHA)));
    const first = await Promise.all([ALPHA, ALPHA, 'x', BETA, ALPHA].map((t) => verifier.verify(t)));
    expect(first).toEqual([true, true, false, false, true]);
    expect(send).toHaveBeenCalledTimes(1);
    state.now = T0 + REFRESH_ON_MISS_MS + 1;
    expect(await Promise.all(Array.from({ length: 20 }, () => verifier.verify('x')))).toEqual(Array(20).fill(false));
    expect(send).toHaveBeenCalledTimes(2);
  });

  test.each([
    ['an empty secret', ''],
    ['text that is not JSON', ALPHA],
    ['tokens as an object', JSON.stringify({ tokens: record('okta', ALPHA) })],
    ['a binary secret (no SecretString)', undefined],
  ])('a malformed secret accepts no token: %s', async (_, secret) => {
    const { verifier } = setup(secret);
    expect(await verifier.verify(ALPHA)).toBe(false);
  });

  test('returns the matched record, name, scope and directory included', async () => {
    const okta = record('okta', ALPHA, { name: 'okta-prod', scope: 'read', directory: 'contractors' });
    const { inner } = setup(secretOf(okta, record('entra', BETA)));
    expect(await inner.verify(ALPHA)).toEqual(okta);
    expect(callerOf((await inner.verify(BETA))!)).toEqual({ tokenId: 'entra', name: 'entra', scope: 'provision', directory: 'default' });
  });

  test('Secrets Manager unreachable on the first read: 503 with Retry-After, and the next request tries again', async () => {
    const { send, verifier } = setup(secretOf(record('okta', ALPHA)));
    send.mockRejectedValueOnce(Object.assign(new Error('connect ECONNREFUSED'), { name: 'TimeoutError' }));
    const error = await rejection(verifier.verify(ALPHA));
    expect({ status: error.status, headers: error.headers }).toEqual({ status: 503, headers: { 'Retry-After': String(SECRETS_RETRY_AFTER_SECONDS) } });
    expect(error.detail).not.toContain('ECONNREFUSED');
    expect(await verifier.verify(ALPHA)).toBe(true);
    expect(send).toHaveBeenCalledTimes(2);
  });

  test('Secrets Manager failing once the copy is past its TTL: 503, never the stale list', async () => {
    const { state, send, verifier } = setup(secretOf(record('okta', ALPHA)));
    expect(await verifier.verify(ALPHA)).toBe(true);
    state.now = T0 + TOKEN_CACHE_TTL_MS + 1;
    send.mockRejectedValueOnce(Object.assign(new Error('Service Unavailable'), { name: 'InternalServiceError' }));
    expect((await rejection(verifier.verify(ALPHA))).status).toBe(503);
  });

  test('a failed re-read on an unknown token within the TTL answers from the copy: a 401, not a 503', async () => {
    const { state, send, verifier } = setup(secretOf(record('okta', ALPHA)));
    expect(await verifier.verify(ALPHA)).toBe(true);
    state.now = T0 + REFRESH_ON_MISS_MS + 1;
    send.mockRejectedValueOnce(new Error('ThrottlingException'));
    expect(await verifier.verify(BETA)).toBe(false);
    expect(await verifier.verify(ALPHA)).toBe(true);
    expect(send).toHaveBeenCalledTimes(2);
  });

});

describe('serve carries the caller to the route', () => {
  test('the route sees who the token says the caller is', async () => {
    const { serve } = await import('../../../lambda/http/app');
    const { route } = await import('../../../lambda/http/router');
    const { silentLogger } = await import('../../../lambda/http/log');
    const { RecordsTokenVerifier } = await import('../../../lambda/http/auth');
    const seen: unknown[] = [];
    const app = {
      routes: [route('GET', 'Users', async (req) => (seen.push(req.caller), { status: 200, body: {} }))],
      verifier: new RecordsTokenVerifier([record('tok-1', ALPHA, { name: 'jumpcloud', directory: 'employees' })]),
      logger: silentLogger,
      baseUrl: 'https://scim.example.com/v1/scim/v2',
      // The deployment whose own directory (at /scim/v2) is "employees".
      home: 'employees',
    };
    const response = await serve(app, requestWith(`Bearer ${ALPHA}`));
    expect(response.status).toBe(200);
    expect(seen).toEqual([{ tokenId: 'tok-1', name: 'jumpcloud', scope: 'provision', directory: 'employees' }]);
  });
});
