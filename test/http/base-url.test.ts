import { request } from 'node:http';
import { startTestServer, TEST_TOKEN, userBody } from '../support/server';

/**
 * Location and meta.location come from the address the server listens on (in AWS: the stage
 * URL or the custom domain, from configuration), never from what a client sends: a forged
 * Host, X-Forwarded-Proto or X-Forwarded-Host must not turn them into a link elsewhere.
 */
describe('the Base URL is configuration, not a request header', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  const FORGED = { Host: 'evil.example', 'X-Forwarded-Proto': 'gopher', 'X-Forwarded-Host': 'evil.example', Forwarded: 'host=evil.example;proto=http' };

  /** A request through node:http, which (unlike fetch) sends the Host header it is given. */
  function send(method: string, path: string, body?: unknown): Promise<{ status: number; headers: Record<string, unknown>; json: any }> {
    const url = new URL(server.baseUrl + path);
    const text = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((done, fail) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname + url.search,
          method,
          headers: { ...FORGED, Authorization: `Bearer ${TEST_TOKEN}`, ...(text ? { 'Content-Type': 'application/scim+json' } : {}) },
        },
        (res) => {
          let data = '';
          res.on('data', (c: Buffer) => (data += c.toString('utf8')));
          res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, json: data ? JSON.parse(data) : undefined }));
        },
      );
      req.on('error', fail);
      req.end(text);
    });
  }

  test('POST /Users: Location and meta.location are on the server\'s own Base URL', async () => {
    const created = await send('POST', '/Users', userBody('forged-host@example.com'));
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`${server.baseUrl}/Users/${created.json.id}`);
    expect(created.json.meta.location).toBe(created.headers.location);
    expect(JSON.stringify(created.json)).not.toContain('evil.example');
  });

  test('GET of a list, ServiceProviderConfig and Bulk: no link names the forged host', async () => {
    const list = await send('GET', '/Users?filter=userName%20eq%20%22forged-host@example.com%22');
    expect(list.json.Resources[0].meta.location.startsWith(`${server.baseUrl}/Users/`)).toBe(true);
    const config = await send('GET', '/ServiceProviderConfig');
    expect(config.json.meta.location).toBe(`${server.baseUrl}/ServiceProviderConfig`);
    const bulk = await send('POST', '/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [{ method: 'POST', path: '/Groups', bulkId: 'g', data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Forged host group' } }],
    });
    expect(bulk.json.Operations[0].location.startsWith(`${server.baseUrl}/Groups/`)).toBe(true);
    for (const body of [list.json, config.json, bulk.json]) expect(JSON.stringify(body)).not.toMatch(/evil\.example|gopher/);
  });
});
