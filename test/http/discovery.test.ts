import { BULK_MAX_OPERATIONS, BULK_MAX_PAYLOAD_BYTES } from '../../lambda/scim/bulk/limits';
import { MAX_COUNT } from '../../lambda/scim/list';
import { MAX_BODY_BYTES } from '../../lambda/http/request';
import { schemas } from '../../lambda/scim/schema/registry';
import { ERROR, GROUP, LIST, startTestServer } from '../support/server';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('discovery over HTTP (RFC 7644 §4, RFC 7643 §5-§7)', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());
  const scim = (...args: Parameters<typeof server.scim>) => server.scim(...args);

  it('ServiceProviderConfig advertises exactly the implemented limits', async () => {
    const res = await scim('GET', '/ServiceProviderConfig');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/scim+json');
    expect(res.json).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      patch: { supported: true },
      bulk: { supported: true, maxOperations: BULK_MAX_OPERATIONS, maxPayloadSize: BULK_MAX_PAYLOAD_BYTES },
      filter: { supported: true, maxResults: MAX_COUNT },
      changePassword: { supported: false },
      sort: { supported: true },
      etag: { supported: true },
      pagination: { cursor: true, index: true, defaultPaginationMethod: 'index', defaultPageSize: 100, maxPageSize: MAX_COUNT },
      meta: { resourceType: 'ServiceProviderConfig', location: `${server.baseUrl}/ServiceProviderConfig` },
    });
    expect(res.json.authenticationSchemes).toEqual([
      expect.objectContaining({ type: 'oauthbearertoken', primary: true, documentationUri: expect.stringMatching(/README/) }),
    ]);
    // maxPayloadSize is what the request parser really enforces.
    expect(BULK_MAX_PAYLOAD_BYTES).toBe(MAX_BODY_BYTES);
  });

  it('stays behind the bearer token', async () => {
    for (const path of ['/ServiceProviderConfig', '/Schemas', '/ResourceTypes']) {
      const res = await scim('GET', path, undefined, { Authorization: '' });
      expect(res.status).toBe(401);
    }
  });

  it('lists every schema the validator uses, with meta.location at /Schemas/{urn}', async () => {
    const res = await scim('GET', '/Schemas');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ schemas: [LIST], totalResults: schemas.length, itemsPerPage: schemas.length, startIndex: 1 });
    expect(res.json.Resources.map((s: { id: string }) => s.id)).toEqual([USER, ENTERPRISE, GROUP]);
    for (const schema of res.json.Resources) {
      expect(schema.meta).toEqual({ resourceType: 'Schema', location: `${server.baseUrl}/Schemas/${schema.id}` });
    }
  });

  it('GET /Schemas/{urn} gives the User schema with RFC 7643 §7 characteristics', async () => {
    const res = await scim('GET', `/Schemas/${USER}`);
    expect(res.status).toBe(200);
    const byName = Object.fromEntries(res.json.attributes.map((a: { name: string }) => [a.name, a]));
    expect(byName.userName).toMatchObject({ type: 'string', required: true, caseExact: false, uniqueness: 'server', returned: 'default', mutability: 'readWrite' });
    expect(byName.password).toMatchObject({ mutability: 'writeOnly', returned: 'never' });
    expect(byName.groups).toMatchObject({ multiValued: true, mutability: 'readOnly' });
    expect(byName.emails.subAttributes.map((a: { name: string }) => a.name)).toEqual(['value', 'display', 'type', 'primary']);
    expect(byName.emails.subAttributes[2].canonicalValues).toEqual(['work', 'home', 'other']);
  });

  it('answers an unknown schema with 404 and a filter on discovery with 403', async () => {
    expect((await scim('GET', '/Schemas/urn:nope')).status).toBe(404);
    const filtered = await scim('GET', `/Schemas?filter=${encodeURIComponent('id eq "x"')}`);
    expect(filtered.status).toBe(403);
    expect(filtered.json.schemas).toEqual([ERROR]);
  });

  it('lists the User and Group resource types (RFC 7643 §6)', async () => {
    const res = await scim('GET', '/ResourceTypes');
    expect(res.json.totalResults).toBe(2);
    expect(res.json.Resources).toEqual([
      {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
        id: 'User',
        name: 'User',
        endpoint: '/Users',
        description: 'User Account',
        schema: USER,
        schemaExtensions: [{ schema: ENTERPRISE, required: false }],
        meta: { resourceType: 'ResourceType', location: `${server.baseUrl}/ResourceTypes/User` },
      },
      expect.objectContaining({ id: 'Group', endpoint: '/Groups', schema: GROUP }),
    ]);
    expect((await scim('GET', '/ResourceTypes/Group')).json.endpoint).toBe('/Groups');
    expect((await scim('GET', '/ResourceTypes/Device')).status).toBe(404);
  });

  it('refuses writes to discovery endpoints with 405', async () => {
    const res = await scim('POST', '/Schemas', {});
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });

  it.each(['GET', 'POST', 'PATCH', 'PUT', 'DELETE'])('answers %s /Me with 501 and a SCIM error', async (method) => {
    const res = await scim(method, '/Me', method === 'GET' || method === 'DELETE' ? undefined : {});
    expect(res.status).toBe(501);
    expect(res.json).toMatchObject({ schemas: [ERROR], status: '501' });
    expect(res.json.detail).toMatch(/provisioning client/);
  });
});
