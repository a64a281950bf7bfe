import type { APIGatewayProxyEvent } from 'aws-lambda';
import { toLambdaHandler } from '../../lambda/handlers/lambda-entry';
import { StaticTokenVerifier } from '../../lambda/http/auth';
import { route } from '../../lambda/http/router';
import { expectConsistent } from '../support/consistency';
import { CapturingLogger, expectNoSecrets } from '../support/logs';
import { startTestServer, TEST_TOKEN, userBody } from '../support/server';
import { LEAKS, problemWith } from '../support/workload';

const WRONG = 'wrong-secret-token-0123456789';

/**
 * Every way to present a wrong or missing token is refused on every route and method, nothing
 * is written, and no token or secret reaches the logs or an error body.
 */
describe('security: tokens, logs and error bodies', () => {
  const logger = new CapturingLogger();
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer(logger);
  });
  afterAll(() => server.stop());

  /** Ways to present no token or a wrong one: header values, and places a token does not belong. */
  const presentations: [string, { headers?: Record<string, string>; query?: string }][] = [
    ['no Authorization header', {}],
    ['an empty header', { headers: { Authorization: '' } }],
    ['the scheme alone', { headers: { Authorization: 'Bearer' } }],
    ['a wrong token', { headers: { Authorization: `Bearer ${WRONG}` } }],
    ['the token with a character more', { headers: { Authorization: `Bearer ${TEST_TOKEN}0` } }],
    ['the token with a character less', { headers: { Authorization: `Bearer ${TEST_TOKEN.slice(0, -1)}` } }],
    ['the token in upper case', { headers: { Authorization: `Bearer ${TEST_TOKEN.toUpperCase()}` } }],
    ['the token without a scheme', { headers: { Authorization: TEST_TOKEN } }],
    ['the token under Basic', { headers: { Authorization: `Basic ${Buffer.from(`x:${TEST_TOKEN}`).toString('base64')}` } }],
    ['the token under another scheme', { headers: { Authorization: `Token ${TEST_TOKEN}` } }],
    ['a wrong and the right token in one header', { headers: { Authorization: `Bearer ${WRONG}, Bearer ${TEST_TOKEN}` } }],
    ['the token in quotes', { headers: { Authorization: `Bearer "${TEST_TOKEN}"` } }],
    ['a 10 KB token', { headers: { Authorization: `Bearer ${'t'.repeat(10_000)}` } }],
    ['the token in the query string', { query: `access_token=${TEST_TOKEN}` }],
    ['the token in a cookie', { headers: { Cookie: `token=${TEST_TOKEN}` } }],
    ['the token in X-Api-Key', { headers: { 'X-Api-Key': TEST_TOKEN } }],
    ['the token in Proxy-Authorization', { headers: { 'Proxy-Authorization': `Bearer ${TEST_TOKEN}` } }],
  ];
  const routes: [string, string, unknown?][] = [
    ['GET', '/Users'],
    ['POST', '/Users', userBody('intruder@example.com')],
    ['GET', '/Users/some-id'],
    ['PUT', '/Users/some-id', userBody('intruder@example.com')],
    ['PATCH', '/Users/some-id', { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [] }],
    ['DELETE', '/Users/some-id'],
    ['POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Intruders' }],
    ['GET', '/Groups?filter=displayName%20pr'],
    ['DELETE', '/Groups/some-id'],
    ['GET', '/Users/deeper/path'],
  ];

  it(`refuses ${presentations.length} wrong or missing tokens on ${routes.length} routes with 401, WWW-Authenticate and no echo`, async () => {
    let refused = 0;
    for (const [name, how] of presentations) {
      for (const [method, path, body] of routes) {
        const url = `${server.baseUrl}${path}${how.query ? `${path.includes('?') ? '&' : '?'}${how.query}` : ''}`;
        const res = await fetch(url, {
          method,
          headers: { ...(body ? { 'Content-Type': 'application/scim+json' } : {}), ...how.headers },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        expect([name, method, path, res.status]).toEqual([name, method, path, 401]);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
        expect(problemWith({ status: res.status, headers: res.headers, json: JSON.parse(text), text })).toBeUndefined();
        expect(text).not.toContain(TEST_TOKEN);
        expect(text).not.toContain(WRONG);
        refused++;
      }
    }
    expect(refused).toBe(presentations.length * routes.length);
    // Nothing was written by any refused request.
    const report = await expectConsistent(server.table.client, server.table.tableName);
    expect(report.scanned.items).toBe(0);
  });

  it('keeps tokens, passwords and request bodies out of the logs of a whole session', async () => {
    const password = 'Sup3r-Secret-Passw0rd!';
    const created = await server.scim('POST', '/Users', userBody('logged@example.com', { password }));
    expect(created.status).toBe(201);
    expect(created.text).not.toContain(password);
    await server.scim('PATCH', `/Users/${created.json.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'password', value: password }] });
    await server.scim('GET', `/Users?filter=${encodeURIComponent(`password eq "${password}"`)}`);
    await server.scim('GET', '/Users', undefined, { Authorization: `Bearer ${WRONG}` });
    expect(logger.lines.length).toBeGreaterThan(presentations.length * routes.length);
    expectNoSecrets(logger.lines, [TEST_TOKEN, WRONG, password, 'Bearer', 'dDo=']);
    expect(logger.containing('logged@example.com')).toEqual([]);
  });

  it('answers an unexpected error with a bare 500 naming only the request id; the stack goes to the log alone', async () => {
    const internal = new Error(`DynamoDBDocumentClient failed at /var/task/lambda/store/x.ts:12:3 with ${TEST_TOKEN.slice(0, 4)}`);
    const handler = toLambdaHandler({
      routes: [route('GET', 'Users', async () => { throw internal; })],
      verifier: new StaticTokenVerifier(TEST_TOKEN),
      logger,
      baseUrl: 'https://scim.example.com/v1/scim/v2',
    });
    const event = {
      httpMethod: 'GET',
      path: '/scim/v2/Users',
      headers: { Authorization: `Bearer ${TEST_TOKEN}` },
      queryStringParameters: null,
      body: null,
      isBase64Encoded: false,
      requestContext: { requestId: 'req-500', path: '/scim/v2/Users', domainName: 'api.example.com' },
    } as unknown as APIGatewayProxyEvent;
    const result = await handler(event);
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body)).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '500', detail: 'Internal server error (request id req-500).' });
    for (const leak of LEAKS) expect(result.body).not.toMatch(leak);
    const logged = logger.containing('req-500').find((l) => l.includes('"level":"ERROR"'));
    expect(logged).toContain('DynamoDBDocumentClient failed');
    expectNoSecrets(logger.lines, [TEST_TOKEN]);
  });
});
