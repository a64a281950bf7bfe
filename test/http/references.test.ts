import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { resourcePk } from '../../lambda/store/keys';
import { ENTERPRISE, GROUP, PATCH_OP, startTestServer, userBody } from '../support/server';

/** Reference attributes over HTTP (RFC 7643 §2.3.7): http(s), URNs where the schema allows them, nothing that runs. */
describe('reference attributes: javascript:, data: and the like are 400 invalidValue', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());
  const scim = (...args: Parameters<typeof server.scim>) => server.scim(...args);
  let n = 0;
  const name = () => `ref-${++n}-${Math.random().toString(36).slice(2, 7)}@example.com`;
  const refused = (res: { status: number; json: { scimType?: string } }) => ({ status: res.status, scimType: res.json.scimType });

  it.each([
    ['profileUrl javascript:', { profileUrl: 'javascript:alert(document.domain)' }],
    ['profileUrl data:', { profileUrl: 'data:text/html,<script>alert(1)</script>' }],
    ['photos.value data:', { photos: [{ value: 'data:image/svg+xml,<svg onload=alert(1)>', type: 'photo' }] }],
    ['photos.value file:', { photos: [{ value: 'file:///etc/passwd' }] }],
    ['manager.$ref javascript:', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE], [ENTERPRISE]: { manager: { value: 'x', $ref: 'javascript:alert(1)' } } }],
  ])('POST and PUT with %s', async (_, extra) => {
    expect(refused(await scim('POST', '/Users', userBody(name(), extra)))).toEqual({ status: 400, scimType: 'invalidValue' });
    const user = await scim('POST', '/Users', userBody(name()));
    expect(refused(await scim('PUT', `/Users/${user.json.id}`, userBody(user.json.userName, extra)))).toEqual({ status: 400, scimType: 'invalidValue' });
  });

  it('PATCH: a path and a path-less value', async () => {
    const user = await scim('POST', '/Users', userBody(name()));
    const patch = (Operations: unknown[]) => scim('PATCH', `/Users/${user.json.id}`, { schemas: [PATCH_OP], Operations });
    expect(refused(await patch([{ op: 'replace', path: 'profileUrl', value: 'javascript:alert(1)' }]))).toEqual({ status: 400, scimType: 'invalidValue' });
    expect(refused(await patch([{ op: 'add', value: { photos: [{ value: 'data:image/png;base64,AAAA' }] } }]))).toEqual({ status: 400, scimType: 'invalidValue' });
    expect(refused(await patch([{ op: 'add', path: 'photos', value: [{ value: 'vbscript:x' }] }]))).toEqual({ status: 400, scimType: 'invalidValue' });
    const ok = await patch([{ op: 'replace', path: 'profileUrl', value: 'https://intranet.example.com/people/1' }]);
    expect(ok.status).toBe(200);
    expect(ok.json.profileUrl).toBe('https://intranet.example.com/people/1');
  });

  it("a group member's $ref: relative and absolute references to resources are accepted, javascript: is not", async () => {
    const user = await scim('POST', '/Users', userBody(name()));
    const ok = await scim('POST', '/Groups', { schemas: [GROUP], displayName: name(), members: [{ value: user.json.id, $ref: `../Users/${user.json.id}` }] });
    expect(ok.status).toBe(201);
    const bad = await scim('POST', '/Groups', { schemas: [GROUP], displayName: name(), members: [{ value: user.json.id, $ref: 'javascript:alert(1)' }] });
    expect(refused(bad)).toEqual({ status: 400, scimType: 'invalidValue' });
  });

  it('a user stored with a javascript: profileUrl before the rule can still be changed (the stored value is kept)', async () => {
    const user = await scim('POST', '/Users', userBody(name(), { profileUrl: 'https://example.com/p' }));
    await server.table.client.send(
      new UpdateCommand({
        TableName: server.table.tableName,
        Key: { pk: resourcePk('default', 'User', user.json.id), sk: 'USER' },
        UpdateExpression: 'SET #doc.profileUrl = :v',
        ExpressionAttributeNames: { '#doc': 'document' },
        ExpressionAttributeValues: { ':v': 'javascript:alert(1)' },
      }),
    );
    const patched = await scim('PATCH', `/Users/${user.json.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ active: false, profileUrl: 'javascript:alert(1)' });
    expect((await scim('PUT', `/Users/${user.json.id}`, userBody(user.json.userName, { profileUrl: 'javascript:alert(1)' }))).status).toBe(200);
    expect(refused(await scim('PUT', `/Users/${user.json.id}`, userBody(user.json.userName, { profileUrl: 'javascript:alert(2)' })))).toEqual({ status: 400, scimType: 'invalidValue' });
  });
});
