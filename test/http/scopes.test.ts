import { FUNCTION_ROUTES } from '../../lambda/handlers/routes';
import type { Route } from '../../lambda/http/router';
import { FUNCTION_FACTORIES } from '../../lib/local/server';
import { ERROR, GROUP, NAMED_TOKENS, namedTokenVerifier, PATCH_OP, startTestServer, userBody } from '../support/server';

/**
 * Token scopes over HTTP on the local endpoint, table-driven over the route table that API
 * Gateway and the local server are built from: a `read` token gets 200 on every read route,
 * and 403 with a SCIM error (RFC 7644 §3.12) on every write route, Bulk included, leaving the
 * directory as it was; the same request with a `provision` token is not refused. A route with
 * no sample request below fails the test: a new route cannot be forgotten.
 */
const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

type Scim = Awaited<ReturnType<typeof startTestServer>>['scim'];
interface Sample {
  readonly path: string;
  readonly body?: unknown;
}
interface Fixtures {
  readonly userId: string;
  readonly groupId: string;
}

/** What a provision token may call on each route: `prepare` makes what a write needs, so each write sample is valid on its own. */
const SAMPLES: Record<string, (scim: Scim, f: Fixtures) => Promise<Sample>> = {
  'GET /Users': async () => ({ path: '/Users' }),
  'GET /Users/:id': async (_s, f) => ({ path: `/Users/${f.userId}` }),
  'POST /Users/.search': async () => ({ path: '/Users/.search', body: { schemas: [SEARCH], filter: 'userName sw "scope"' } }),
  'GET /Groups': async () => ({ path: '/Groups' }),
  'GET /Groups/:id': async (_s, f) => ({ path: `/Groups/${f.groupId}` }),
  'POST /Groups/.search': async () => ({ path: '/Groups/.search', body: { schemas: [SEARCH], filter: 'displayName eq "Scope readers"' } }),
  'POST /.search': async () => ({ path: '/.search', body: { schemas: [SEARCH], filter: 'displayName pr' } }),
  'GET /ServiceProviderConfig': async () => ({ path: '/ServiceProviderConfig' }),
  'GET /Schemas': async () => ({ path: '/Schemas' }),
  'GET /Schemas/:id': async () => ({ path: '/Schemas/urn:ietf:params:scim:schemas:core:2.0:User' }),
  'GET /ResourceTypes': async () => ({ path: '/ResourceTypes' }),
  'GET /ResourceTypes/:id': async () => ({ path: '/ResourceTypes/User' }),
  'GET /Me': async () => ({ path: '/Me' }),
  'GET /Me/:rest': async () => ({ path: '/Me/x' }),
  'GET /Audit': async () => ({ path: '/Audit' }),

  'POST /Users': async () => ({ path: '/Users', body: userBody(`scope-new-${Math.random()}@example.com`) }),
  'PUT /Users/:id': async (s) => ({ path: `/Users/${await newUser(s)}`, body: userBody(`scope-put-${Math.random()}@example.com`) }),
  'PATCH /Users/:id': async (s) => ({ path: `/Users/${await newUser(s)}`, body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] } }),
  'DELETE /Users/:id': async (s) => ({ path: `/Users/${await newUser(s)}` }),
  'POST /Groups': async () => ({ path: '/Groups', body: { schemas: [GROUP], displayName: `Scope new ${Math.random()}` } }),
  'PUT /Groups/:id': async (s) => ({ path: `/Groups/${await newGroup(s)}`, body: { schemas: [GROUP], displayName: `Scope put ${Math.random()}` } }),
  'PATCH /Groups/:id': async (s, f) => ({
    path: `/Groups/${await newGroup(s)}`,
    body: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: f.userId }] }] },
  }),
  'DELETE /Groups/:id': async (s) => ({ path: `/Groups/${await newGroup(s)}` }),
  'POST /Bulk': async () => ({
    path: '/Bulk',
    body: { schemas: [BULK_REQUEST], Operations: [{ method: 'POST', path: '/Users', bulkId: 'b1', data: userBody(`scope-bulk-${Math.random()}@example.com`) }] },
  }),
  // /Me answers 501 to every method and token; its writes are still writes.
  'POST /Me': async () => ({ path: '/Me', body: {} }),
  'PUT /Me': async () => ({ path: '/Me', body: {} }),
  'PATCH /Me': async () => ({ path: '/Me', body: {} }),
  'DELETE /Me': async () => ({ path: '/Me' }),
  'POST /Me/:rest': async () => ({ path: '/Me/x', body: {} }),
  'PUT /Me/:rest': async () => ({ path: '/Me/x', body: {} }),
  'PATCH /Me/:rest': async () => ({ path: '/Me/x', body: {} }),
  'DELETE /Me/:rest': async () => ({ path: '/Me/x' }),
};

/** Routes that answer the same non-200 status to every token, with the reason. */
const NOT_200: Record<string, number> = {
  // RFC 7644 §3.11: a provisioning token names no User (lambda/http/discovery-routes.ts).
  'GET /Me': 501,
  'GET /Me/:rest': 501,
};

async function newUser(scim: Scim): Promise<string> {
  const created = await scim('POST', '/Users', userBody(`scope-fixture-${Math.random()}@example.com`));
  expect(created.status).toBe(201);
  return created.json.id;
}

async function newGroup(scim: Scim): Promise<string> {
  const created = await scim('POST', '/Groups', { schemas: [GROUP], displayName: `Scope fixture ${Math.random()}` });
  expect(created.status).toBe(201);
  return created.json.id;
}

const nameOf = (r: Route) => `${r.method} /${r.pattern.join('/')}`;

describe('token scopes over HTTP, for every route of the route table', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let fixtures: Fixtures;
  const routes = FUNCTION_ROUTES.flatMap((fn) => FUNCTION_FACTORIES[fn.id]({ client: {} as never, tableName: 't', directoryId: 'default' }));
  const reads = routes.filter((r) => r.access === 'read');
  const writes = routes.filter((r) => r.access === 'write');
  const as = (who: keyof typeof NAMED_TOKENS) => ({ Authorization: `Bearer ${NAMED_TOKENS[who].token}` });

  beforeAll(async () => {
    server = await startTestServer(undefined, 'rfc', undefined, { verifier: namedTokenVerifier() });
    const userId = await newUser(server.scim);
    const groupId = (await server.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Scope readers', members: [{ value: userId }] })).json.id;
    fixtures = { userId, groupId };
  });
  afterAll(() => server.stop());

  test('every route has a sample request here, and the table has both kinds', () => {
    expect(routes.map(nameOf).filter((name) => !SAMPLES[name])).toEqual([]);
    expect(Object.keys(SAMPLES).filter((name) => !routes.some((r) => nameOf(r) === name))).toEqual([]);
    expect(reads.length).toBeGreaterThan(10);
    expect(writes.length).toBeGreaterThan(10);
  });

  test.each(reads.map((r) => [nameOf(r)]))('%s: a read token gets what a provision token gets (200)', async (name) => {
    const { path, body } = await SAMPLES[name](server.scim, fixtures);
    const method = name.split(' ')[0];
    const asReader = await server.scim(method, path, body, as('reader'));
    const asProvisioner = await server.scim(method, path, body, as('okta'));
    expect(asReader.status).toBe(NOT_200[name] ?? 200);
    expect(asProvisioner.status).toBe(asReader.status);
  });

  test.each(writes.map((r) => [nameOf(r)]))('%s: a read token gets 403 with a SCIM error and changes nothing', async (name) => {
    const { path, body } = await SAMPLES[name](server.scim, fixtures);
    const method = name.split(' ')[0];
    const before = await snapshot();
    const refused = await server.scim(method, path, body, as('reader'));
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(refused.json).toEqual({ schemas: [ERROR], status: '403', detail: expect.stringContaining('"read" scope') });
    expect(await snapshot()).toEqual(before);
    // The same request with a provision token is not refused for its scope.
    const allowed = await server.scim(method, path, body, as('okta'));
    expect(allowed.status).not.toBe(403);
    expect(allowed.status === 501 || allowed.status < 300).toBe(true);
  });

  test('no write by the read token reached the audit trail', async () => {
    const all = await server.scim('GET', '/Audit?count=200', undefined, as('reader'));
    expect(all.status).toBe(200);
    const actors = new Set((all.json.Resources as { actor: { name: string } }[]).map((e) => e.actor.name));
    expect(actors.has('hr-reader')).toBe(false);
    expect(actors.has('okta-prod')).toBe(true);
  });

  /** Everything a client can read of the directory, and the audit trail. */
  async function snapshot() {
    const users = await server.scim('GET', '/Users?count=1000');
    const groups = await server.scim('GET', '/Groups?count=1000');
    const audit = await server.scim('GET', '/Audit?count=200');
    return [users.json, groups.json, audit.json.Resources.map((e: { id: string }) => e.id)];
  }
});
