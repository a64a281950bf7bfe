import { GROUP, PATCH_OP, startTestServer, userBody } from '../support/server';


/** meta.version and the ETag header on every resource answer (RFC 7644 §3.14). */
describe('ETags over HTTP', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());
  const scim = (...args: Parameters<typeof server.scim>) => server.scim(...args);

  it('gives the same weak ETag in the header and meta.version, moving on with every write', async () => {
    const created = await scim('POST', '/Users', userBody('etag@example.com'));
    const id = created.json.id;
    const seen = [created];
    seen.push(await scim('GET', `/Users/${id}`));
    seen.push(await scim('PUT', `/Users/${id}`, userBody('etag@example.com', { title: 'a' })));
    seen.push(await scim('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'b' }] }));
    expect(seen.map((r) => r.headers.get('etag'))).toEqual(['W/"1"', 'W/"1"', 'W/"2"', 'W/"3"']);
    expect(seen.map((r) => r.json.meta.version)).toEqual(['W/"1"', 'W/"1"', 'W/"2"', 'W/"3"']);
    const listed = await scim('GET', `/Users?filter=${encodeURIComponent(`id eq "${id}"`)}`);
    expect(listed.json.Resources[0].meta.version).toBe('W/"3"');
  });

  it('answers 304 without a body only when If-None-Match names the current version', async () => {
    const { json } = await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'etag-group' });
    const fresh = await scim('GET', `/Groups/${json.id}`, undefined, { 'If-None-Match': json.meta.version });
    expect(fresh.status).toBe(304);
    expect(fresh.text).toBe('');
    expect(fresh.headers.get('etag')).toBe(json.meta.version);
    const changed = await scim('GET', `/Groups/${json.id}`, undefined, { 'If-None-Match': 'W/"0"' });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).toBe('W/"1"');
  });

  it('refuses a stale If-Match on PATCH and DELETE with 412 invalidVers, changing nothing', async () => {
    const { json } = await scim('POST', '/Users', userBody('stale@example.com'));
    await scim('PATCH', `/Users/${json.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'v2' }] });
    const patch = await scim('PATCH', `/Users/${json.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'lost' }] }, { 'If-Match': 'W/"1"' });
    expect(patch.status).toBe(412);
    expect(patch.json).toMatchObject({ status: '412', scimType: 'invalidVers' });
    const del = await scim('DELETE', `/Users/${json.id}`, undefined, { 'If-Match': 'W/"1"' });
    expect(del.status).toBe(412);
    const after = await scim('GET', `/Users/${json.id}`);
    expect(after.json).toMatchObject({ title: 'v2', meta: { version: 'W/"2"' } });
    expect((await scim('DELETE', `/Users/${json.id}`, undefined, { 'If-Match': 'W/"2"' })).status).toBe(204);
  });

  it('answers If-Match: * on a resource that does not exist with 404', async () => {
    const res = await scim('DELETE', '/Users/no-such-user', undefined, { 'If-Match': '*' });
    expect(res.status).toBe(404);
  });
});
