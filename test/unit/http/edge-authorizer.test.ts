import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { hashToken, RecordsTokenVerifier } from '../../../lambda/http/auth';
import { authorize, scopeResources, UNAUTHORIZED, usageKeyValue, wholeApiArn } from '../../../lambda/http/edge-authorizer';
import { FUNCTION_ROUTES, SCIM_BASE_PATH } from '../../../lambda/handlers/routes';
import { FUNCTION_FACTORIES } from '../../../lib/local/server';
import authorizationFixture from '../../fixtures/http/authorization.json';

const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/v1/GET/scim/v2/Users/42';
const SALT = 'salt0123';

function eventWith(headers: Record<string, string> | null): APIGatewayRequestAuthorizerEvent {
  return { type: 'REQUEST', methodArn: METHOD_ARN, headers, httpMethod: 'GET', path: '/scim/v2/Users/42' } as unknown as APIGatewayRequestAuthorizerEvent;
}

describe('the edge authorizer', () => {
  const token = authorizationFixture.token;
  const registered = [
    { id: 'employees', name: 'Employees', profile: 'rfc' as const, createdAt: '2026-11-01T00:00:00Z' },
    { id: 'leaving', name: 'Being deleted', profile: 'rfc' as const, createdAt: '2026-11-01T00:00:00Z', state: 'deleting' as const },
  ];
  const verifier = new RecordsTokenVerifier(
    [
      { id: 'tok-okta', sha256: hashToken(token), name: 'okta-prod', directory: 'employees' },
      { id: 'tok-hr', sha256: hashToken('reader-token-0123456789abcdef'), name: 'hr-reader', scope: 'read' },
      { id: 'tok-emp-hr', sha256: hashToken('employees-reader-0123456789'), name: 'emp-reader', scope: 'read', directory: 'employees' },
      { id: 'tok-old', sha256: hashToken('expired-token-0123456789'), expiresAt: '2020-01-01T00:00:00Z' },
      { id: 'tok-home', sha256: hashToken('home-token-0123456789') },
      { id: 'tok-gone', sha256: hashToken('gone-token-0123456789'), directory: 'deleted' },
      { id: 'tok-leaving', sha256: hashToken('leaving-token-0123456789'), directory: 'leaving' },
    ],
    registered,
  );

  test('a valid token: Allow on the whole API (the answer is cached per token), the caller in the context, its directory\'s usage key', async () => {
    const result = await authorize(eventWith({ Authorization: `Bearer ${token}` }), verifier, SALT);
    expect(result).toEqual({
      principalId: 'tok-okta',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/v1/*/*' }],
      },
      context: { tokenId: 'tok-okta', name: 'okta-prod', scope: 'provision', directory: 'employees' },
      usageIdentifierKey: usageKeyValue(SALT, 'employees'),
    });
    expect(JSON.stringify(result)).not.toContain(token);
    expect(JSON.stringify(result)).not.toContain(hashToken(token));
  });

  test('the header name is matched case-insensitively (REQUEST events keep the client\'s spelling)', async () => {
    expect((await authorize(eventWith({ authorization: `bearer ${token}` }), verifier, SALT)).principalId).toBe('tok-okta');
  });

  // The header forms of the SCIM functions' own check: every refused form is refused at the edge too.
  test.each(authorizationFixture.cases.filter((c) => !c.accepted).map((c) => [c.name, c] as const))('refused: %s', async (_, c) => {
    const headers = c.header === undefined ? null : { Authorization: c.header };
    await expect(authorize(eventWith(headers), verifier, SALT)).rejects.toThrow(UNAUTHORIZED);
  });

  test.each(authorizationFixture.cases.filter((c) => c.accepted).map((c) => [c.name, c] as const))('accepted: %s', async (_, c) => {
    expect((await authorize(eventWith({ Authorization: c.header! }), verifier, SALT)).principalId).toBe('tok-okta');
  });

  test('a token of a directory that is not registered, or is being deleted, is refused like an unknown one', async () => {
    for (const t of ['gone-token-0123456789', 'leaving-token-0123456789']) {
      await expect(authorize(eventWith({ Authorization: `Bearer ${t}` }), verifier, SALT)).rejects.toThrow(UNAUTHORIZED);
    }
  });

  test("a token naming no directory belongs to the deployment's own, whatever its id: its usage key is that directory's", async () => {
    const result = await authorize(eventWith({ Authorization: 'Bearer home-token-0123456789' }), verifier, SALT, 'acme');
    expect(result.context).toMatchObject({ directory: 'acme' });
    expect(result.usageIdentifierKey).toBe(usageKeyValue(SALT, 'acme'));
  });

  test('an expired token is refused', async () => {
    await expect(authorize(eventWith({ Authorization: 'Bearer expired-token-0123456789' }), verifier, SALT)).rejects.toThrow(UNAUTHORIZED);
  });

  test('a verifier failure (Secrets Manager down) is not a 401: it propagates, and API Gateway answers AUTHORIZER_FAILURE', async () => {
    const failing = { verify: async () => Promise.reject(new Error('secrets unavailable')) };
    await expect(authorize(eventWith({ Authorization: `Bearer ${token}` }), failing, SALT)).rejects.toThrow('secrets unavailable');
  });

  test('a read token: Allow on GET and the .search POSTs only, so API Gateway refuses its writes with 403', async () => {
    const result = await authorize(eventWith({ Authorization: 'Bearer reader-token-0123456789abcdef' }), verifier, SALT);
    const api = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/v1';
    expect(result.policyDocument.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${api}/GET/*` },
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${api}/POST/scim/v2/.search` },
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${api}/POST/scim/v2/*/.search` },
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${api}/POST/*/scim/v2/.search` },
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${api}/POST/*/scim/v2/*/.search` },
    ]);
    expect(result.context).toMatchObject({ scope: 'read', name: 'hr-reader' });
  });

  test("a read token of another directory: its name, scope and directory in the context, the read policy", async () => {
    const result = await authorize(eventWith({ Authorization: 'Bearer employees-reader-0123456789' }), verifier, SALT);
    expect(result.context).toEqual({ tokenId: 'tok-emp-hr', name: 'emp-reader', scope: 'read', directory: 'employees' });
    expect(result.policyDocument.Statement).toHaveLength(5);
    expect(result.usageIdentifierKey).toBe(usageKeyValue(SALT, 'employees'));
  });

  // Every route of the route table, as its method ARN: the edge allows a read token exactly what the functions do.
  const routes = FUNCTION_ROUTES.flatMap((fn) => FUNCTION_FACTORIES[fn.id]({ client: {} as never, tableName: 't', directoryId: 'default' }));
  const arnOf = (method: string, pattern: readonly string[], base = SCIM_BASE_PATH) =>
    `arn:aws:execute-api:eu-west-1:123456789012:abc123/v1/${method}${base}/${pattern.map((p) => (p.startsWith(':') ? 'id-1' : p)).join('/')}`;
  /** IAM's match of an execute-api ARN: `*` is any run of characters, the rest literal and case-sensitive. */
  const allows = (resources: string[], arn: string) =>
    resources.some((r) => new RegExp(`^${r.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(arn));
  test.each(routes.map((r) => [`${r.method} /${r.pattern.join('/')}`, r] as const))('%s: the edge decides as the function does', (_name, r) => {
    // At the deployment's own Base URL and at another directory's (/<directory>/scim/v2).
    for (const arn of [arnOf(r.method, r.pattern), arnOf(r.method, r.pattern, `/employees${SCIM_BASE_PATH}`)]) {
      expect(allows(scopeResources(arn, 'provision'), arn)).toBe(true);
      expect(allows(scopeResources(arn, 'read'), arn)).toBe(r.access === 'read');
    }
  });

  test('wholeApiArn keeps the API and stage and covers every method and path', () => {
    expect(wholeApiArn('arn:aws-cn:execute-api:cn-north-1:123456789012:a1/prod/POST/scim/v2/Bulk')).toBe('arn:aws-cn:execute-api:cn-north-1:123456789012:a1/prod/*/*');
  });

  test('usage keys are per directory, at least 20 characters (API Gateway\'s minimum)', () => {
    expect(usageKeyValue(SALT, 'default')).not.toBe(usageKeyValue(SALT, 'acme'));
    expect(usageKeyValue(SALT, 'a').length).toBeGreaterThanOrEqual(20);
  });
});
