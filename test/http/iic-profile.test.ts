import fixture from '../fixtures/profiles/iic-refusals.json';
import { expander, expectIicRefusal } from '../support/iic-fixture';
import { ERROR, GROUP, PATCH_OP, startTestServer, userBody } from '../support/server';


/** Starts a server with one user in one group. */
async function serverWithTeam(profile: 'rfc' | 'aws-iam-identity-center') {
  const server = await startTestServer(undefined, profile);
  const created = await server.scim('POST', '/Users', userBody('iic-user@example.com'));
  expect(created.status).toBe(201);
  const g = await server.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'IIC Team', members: [{ value: created.json.id }] });
  expect(g.status).toBe(201);
  return { server, user: created.json.id as string, group: g.json.id as string };
}

describe('the default rfc profile, as the control', () => {
  let team: Awaited<ReturnType<typeof serverWithTeam>>;
  beforeAll(async () => {
    team = await serverWithTeam('rfc');
  });
  afterAll(() => team.server.stop());
  const expand = expander(() => team);

  it.each(fixture.cases.map((c) => [c.rule, c] as const))('answers %s as the RFC allows', async (_rule, c) => {
    const res = await team.server.scim(c.method, expand(c.path) as string, c.body === undefined ? undefined : expand(c.body));
    expect(res.status).toBe(c.rfcStatus);
  });
});

/** The endpoint started with SCIM_PROFILE=aws-iam-identity-center answers as IIC does (CLIENTS.md §1). */
describe('the AWS IAM Identity Center profile over HTTP', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const scim = (...args: Parameters<typeof server.scim>) => server.scim(...args);
  let user: string;
  let group: string;

  beforeAll(async () => {
    ({ server, user, group } = await serverWithTeam('aws-iam-identity-center'));
  });
  afterAll(() => server.stop());
  const expand = expander(() => ({ user, group }));

  it.each(fixture.cases.map((c) => [c.rule, c] as const))('refuses as IIC does: %s', async (_rule, c) => {
    const res = await scim(c.method, expand(c.path) as string, c.body === undefined ? undefined : expand(c.body));
    expectIicRefusal(res, c);
  });

  it('leaves the refused requests without effect', async () => {
    const members = await scim('GET', `/Groups?filter=${encodeURIComponent(`id eq "${group}" and members eq "${user}"`)}`);
    expect(members.json.totalResults).toBe(1);
    const me = await scim('GET', `/Users/${user}`);
    expect(me.json).toMatchObject({ userName: 'iic-user@example.com', active: true });
  });

  it('answers reads without meta.version or ETag, as application/json', async () => {
    const res = await scim('GET', `/Users/${user}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBeNull();
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.json.meta.version).toBeUndefined();
    expect(res.json.meta.location).toBe(`${server.baseUrl}/Users/${user}`);
  });

  it('shows every group with an empty members list (§1.6), though memberships exist', async () => {
    const one = await scim('GET', `/Groups/${group}`);
    expect(one.json.members).toEqual([]);
    const list = await scim('GET', `/Groups?filter=${encodeURIComponent('displayName eq "IIC Team"')}`);
    expect(list.json.Resources[0].members).toEqual([]);
    const byMember = await scim('GET', `/Groups?filter=${encodeURIComponent(`members eq "${user}"`)}`);
    expect(byMember.json.Resources.map((g: { id: string }) => g.id)).toEqual([group]);
  });

  it('accepts what IIC accepts: a single-attribute path-less replace, member add/remove by filter, cursor paging', async () => {
    const okta = await scim('PATCH', `/Users/${user}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] });
    expect(okta.status).toBe(200);
    expect(okta.json.active).toBe(false);
    const other = (await scim('POST', '/Users', userBody('iic-other@example.com'))).json.id;
    const add = await scim('PATCH', `/Groups/${group}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: other }] }] });
    expect(add.status).toBe(204);
    const remove = await scim('PATCH', `/Groups/${group}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${other}"]` }] });
    expect(remove.status).toBe(204);
    const page = await scim('GET', '/Users?count=1&cursor=');
    expect(page.json).toMatchObject({ itemsPerPage: 1, nextCursor: expect.stringMatching(/^[-a-zA-Z0-9+=/:_]+$/) });
  });

  it('ignores startIndex, attributes and excludedAttributes (§1.3) and ETag preconditions', async () => {
    const res = await scim('GET', '/Users?startIndex=2&attributes=userName&excludedAttributes=name');
    expect(res.json.startIndex).toBe(1);
    expect(res.json.Resources[0].name).toBeDefined();
    const stale = await scim('PATCH', `/Users/${user}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'x' }] }, { 'If-Match': 'W/"999"' });
    expect(stale.status).toBe(200);
  });

  it('answers a duplicate with 409 and IIC\'s words', async () => {
    const res = await scim('POST', '/Users', userBody('IIC-USER@example.com'));
    expect(res.status).toBe(409);
    expect(res.json.detail).toBe('Refused to create a new, duplicate resource.');
  });

  it('advertises the profile in ServiceProviderConfig and leaves refused attributes out of /Schemas', async () => {
    const spc = await scim('GET', '/ServiceProviderConfig');
    expect(spc.json).toMatchObject({
      bulk: { supported: false },
      filter: { supported: true, maxResults: 100 },
      sort: { supported: false },
      etag: { supported: false },
      pagination: { cursor: true, index: false, maxPageSize: 100 },
    });
    const user = await scim('GET', '/Schemas/urn:ietf:params:scim:schemas:core:2.0:User');
    const names = user.json.attributes.map((a: { name: string }) => a.name);
    expect(names).toContain('emails');
    for (const refused of ['ims', 'photos', 'x509Certificates', 'entitlements', 'password', 'groups']) expect(names).not.toContain(refused);
  });

  it('answers 401 in IIC\'s error shape too', async () => {
    const res = await scim('GET', '/Users', undefined, { Authorization: 'Bearer wrong' });
    expect(res.status).toBe(401);
    expect(res.json.schema).toEqual([ERROR]);
  });
});
