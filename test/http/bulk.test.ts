import { BULK_MAX_OPERATIONS } from '../../lambda/scim/bulk/limits';
import { ERROR, GROUP, PATCH_OP, startTestServer, userBody } from '../support/server';

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';

describe('POST /Bulk over HTTP (RFC 7644 §3.7)', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());
  const scim = (...args: Parameters<typeof server.scim>) => server.scim(...args);
  const bulk = (Operations: unknown[], extra: Record<string, unknown> = {}) => scim('POST', '/Bulk', { schemas: [BULK_REQUEST], Operations, ...extra });
  let n = 0;
  const unique = (stem: string) => `${stem}-${++n}-${Math.random().toString(36).slice(2, 7)}@example.com`;

  it('creates users and a group whose members are bulkId references (RFC 7644 §3.7.2)', async () => {
    const [a, b] = [unique('ada'), unique('bob')];
    const res = await bulk([
      { method: 'POST', path: '/Users', bulkId: 'ada', data: userBody(a) },
      { method: 'POST', path: '/Users', bulkId: 'bob', data: userBody(b) },
      { method: 'POST', path: '/Groups', bulkId: 'team', data: { schemas: [GROUP], displayName: unique('team'), members: [{ value: 'bulkId:ada' }, { value: 'bulkId:bob' }] } },
    ]);
    expect(res.status).toBe(200);
    expect(res.json.schemas).toEqual([BULK_RESPONSE]);
    const ops = res.json.Operations;
    expect(ops.map((o: { status: string }) => o.status)).toEqual(['201', '201', '201']);
    expect(ops[0]).toEqual({ method: 'POST', bulkId: 'ada', version: 'W/"1"', location: expect.stringMatching(`^${server.baseUrl}/Users/`), status: '201' });
    const group = await scim('GET', ops[2].location.slice(server.baseUrl.length));
    const ids = [ops[0], ops[1]].map((o: { location: string }) => o.location.split('/').pop());
    expect(group.json.members.map((m: { value: string }) => m.value).sort()).toEqual(ids.sort());
  });

  it('runs an operation that refers to a later POST after it, whatever the order sent', async () => {
    const res = await bulk([
      { method: 'POST', path: '/Groups', bulkId: 'g', data: { schemas: [GROUP], displayName: unique('late'), members: [{ value: 'bulkId:u' }] } },
      { method: 'POST', path: '/Users', bulkId: 'u', data: userBody(unique('early')) },
    ]);
    expect(res.json.Operations.map((o: { bulkId: string; status: string }) => [o.bulkId, o.status])).toEqual([
      ['g', '201'],
      ['u', '201'],
    ]);
  });

  it('resolves bulkId in a path, and PATCH, PUT and DELETE with version as If-Match', async () => {
    const name = unique('cyd');
    const res = await bulk([
      { method: 'POST', path: '/Users', bulkId: 'c', data: userBody(name) },
      { method: 'PATCH', path: '/Users/bulkId:c', version: 'W/"1"', data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Boss' }] } },
      { method: 'PUT', path: '/Users/bulkId:c', version: 'W/"1"', data: userBody(name) },
      { method: 'DELETE', path: '/Users/bulkId:c', version: 'W/"2"' },
    ]);
    const ops = res.json.Operations;
    expect(ops.map((o: { status: string }) => o.status)).toEqual(['201', '200', '412', '204']);
    expect(ops[1].version).toBe('W/"2"');
    expect(ops[2].response).toMatchObject({ schemas: [ERROR], status: '412', scimType: 'invalidVers' });
    expect((await scim('GET', ops[0].location.slice(server.baseUrl.length))).status).toBe(404);
  });

  it('reports each failure in its own operation and carries on without failOnErrors', async () => {
    const taken = unique('taken');
    const res = await bulk([
      { method: 'POST', path: '/Users', bulkId: 'x1', data: userBody(taken) },
      { method: 'POST', path: '/Users', bulkId: 'x2', data: userBody(taken) },
      { method: 'POST', path: '/Users', bulkId: 'x3', data: { schemas: [] } },
      { method: 'GET', path: '/Users/x' },
      { method: 'DELETE', path: '/Devices/1' },
      { method: 'POST', path: '/Users' , data: userBody(unique('nobulkid')) },
      { method: 'POST', path: '/Users', bulkId: 'x4', data: userBody(unique('last')) },
    ]);
    expect(res.json.Operations.map((o: { status: string }) => o.status)).toEqual(['201', '409', '400', '400', '400', '400', '201']);
    expect(res.json.Operations[1].response).toMatchObject({ schemas: [ERROR], scimType: 'uniqueness', status: '409' });
  });

  it('stops after failOnErrors errors and reports only what ran', async () => {
    const res = await bulk(
      [
        { method: 'DELETE', path: '/Users/missing-1' },
        { method: 'DELETE', path: '/Users/missing-2' },
        { method: 'POST', path: '/Users', bulkId: 'never', data: userBody(unique('never')) },
      ],
      { failOnErrors: 2 },
    );
    expect(res.json.Operations.map((o: { status: string }) => o.status)).toEqual(['404', '404']);
    expect((await scim('GET', `/Users?filter=${encodeURIComponent('userName sw "never-"')}`)).json.totalResults).toBe(0);
  });

  it('fails circular and unknown bulkId references with 409, creating nothing for them', async () => {
    const res = await bulk([
      { method: 'POST', path: '/Groups', bulkId: 'a', data: { schemas: [GROUP], displayName: unique('circle-a'), members: [{ value: 'bulkId:b' }] } },
      { method: 'POST', path: '/Groups', bulkId: 'b', data: { schemas: [GROUP], displayName: unique('circle-b'), members: [{ value: 'bulkId:a' }] } },
      { method: 'PATCH', path: '/Users/bulkId:nobody', data: { schemas: [PATCH_OP], Operations: [] } },
    ]);
    expect(res.json.Operations.map((o: { status: string }) => o.status).sort()).toEqual(['409', '409', '409']);
    expect(res.json.Operations[0].response.detail).toMatch(/bulkId:/);
  });

  it('refuses a duplicate bulkId in both operations', async () => {
    const res = await bulk([
      { method: 'POST', path: '/Users', bulkId: 'dup', data: userBody(unique('dup1')) },
      { method: 'POST', path: '/Users', bulkId: 'dup', data: userBody(unique('dup2')) },
    ]);
    expect(res.json.Operations.map((o: { status: string }) => o.status)).toEqual(['400', '400']);
  });

  it(`answers more than ${BULK_MAX_OPERATIONS} operations with 413 and runs none`, async () => {
    const ops = Array.from({ length: BULK_MAX_OPERATIONS + 1 }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `b${i}`, data: userBody(`over-${i}@example.com`) }));
    const res = await bulk(ops);
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ schemas: [ERROR], status: '413' });
    expect((await scim('GET', `/Users?filter=${encodeURIComponent('userName sw "over-"')}`)).json.totalResults).toBe(0);
  });

  it.each([
    ['nested 3,000 levels deep (15 KB)', (name: string) => `{"schemas":["${BULK_REQUEST}"],"Operations":[{"method":"POST","path":"/Users","bulkId":"ok","data":${JSON.stringify(userBody(name))}},{"method":"POST","path":"/Users","bulkId":"deep","data":{"userName":"deep@example.com","title":${'['.repeat(3000)}${']'.repeat(3000)}}}]}`],
    ['naming userName twice, in two cases', (name: string) => `{"schemas":["${BULK_REQUEST}"],"Operations":[{"method":"POST","path":"/Users","bulkId":"ok","data":${JSON.stringify(userBody(name))}},{"method":"POST","path":"/Users","bulkId":"twice","data":{"userName":"a@example.com","USERNAME":"b@example.com"}}]}`],
  ])('refuses a second operation whose data is %s with 400 invalidSyntax before the first runs', async (_, body) => {
    const name = unique('first');
    const res = await scim('POST', '/Bulk', body(name));
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidSyntax' });
    expect((await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${name}"`)}`)).json.totalResults).toBe(0);
  });

  it('answers a body above maxPayloadSize with 413', async () => {
    const res = await scim('POST', '/Bulk', JSON.stringify({ schemas: [BULK_REQUEST], Operations: [], pad: 'x'.repeat(1024 * 1024) }));
    expect(res.status).toBe(413);
  });

  it.each([
    [{ Operations: [] }, 'invalidValue'],
    [{ schemas: [BULK_REQUEST] }, 'invalidSyntax'],
    [{ schemas: [BULK_REQUEST], Operations: [], failOnErrors: 0 }, 'invalidValue'],
  ])('refuses the malformed BulkRequest %j with 400 %s', async (body, scimType) => {
    const res = await scim('POST', '/Bulk', body);
    expect(res.status).toBe(400);
    expect(res.json.scimType).toBe(scimType);
  });

  it.each([
    ['operations that are not objects', [1, 'x', null, []]],
    ['a path that is not a string', [{ method: 'DELETE', path: 42 }]],
    ['data of every wrong type', [{ method: 'POST', path: '/Users', bulkId: 'w', data: 'user' }, { method: 'PATCH', path: '/Users/x', data: [1] }, { method: 'PUT', path: '/Groups/x', data: null }]],
    ['paths that escape', [{ method: 'DELETE', path: '/Users/../Groups/x' }, { method: 'DELETE', path: '//' }, { method: 'POST', path: '/', bulkId: 'r', data: {} }]],
    ['a bulkId that is not a string', [{ method: 'POST', path: '/Users', bulkId: 7, data: userBody('typed@example.com') }]],
  ])('answers %s with per-operation 4xx, never a 500', async (_, Operations) => {
    const res = await bulk(Operations as unknown[]);
    expect(res.status).toBe(200);
    for (const op of res.json.Operations) {
      expect(Number(op.status)).toBeGreaterThanOrEqual(400);
      expect(Number(op.status)).toBeLessThan(500);
      expect(op.response.schemas).toEqual([ERROR]);
    }
    expect(res.json.Operations).toHaveLength(Operations.length);
  });
});
