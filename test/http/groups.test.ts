import { DeleteCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ERROR, GROUP, PATCH_OP, startTestServer, userBody } from '../support/server';

const ENTRA_GROUP = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';

describe('/Groups over HTTP against the local endpoint', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());
  const scim = (...args: Parameters<typeof server.scim>) => server.scim(...args);
  const patch = (id: string, Operations: unknown[], query = '') =>
    scim('PATCH', `/Groups/${id}${query}`, { schemas: [PATCH_OP], Operations });
  const filter = (resource: string, text: string, extra = '') =>
    scim('GET', `/${resource}?filter=${encodeURIComponent(text)}${extra}`);

  let counter = 0;
  const unique = (stem: string) => `${stem}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;
  const newUser = async (stem = 'member') => (await scim('POST', '/Users', userBody(`${unique(stem)}@example.com`))).json.id as string;
  const newGroup = async (members: string[] = [], extra: Record<string, unknown> = {}) => {
    const res = await scim('POST', '/Groups', { schemas: [GROUP], displayName: unique('Group'), members: members.map((value) => ({ value })), ...extra });
    expect(res.status).toBe(201);
    return res.json as { id: string; displayName: string; members?: { value: string }[]; meta: { version: string } };
  };
  const memberIds = async (id: string) =>
    (((await scim('GET', `/Groups/${id}`)).json.members ?? []) as { value: string }[]).map((m) => m.value).sort();

  describe('POST /Groups', () => {
    it('creates an empty group as Okta and Entra send it (members: [], Entra schema)', async () => {
      const res = await scim('POST', '/Groups', { schemas: [GROUP, ENTRA_GROUP], displayName: 'Engineering', externalId: 'okta-g1', members: [] });
      expect(res.status).toBe(201);
      expect(res.headers.get('location')).toBe(`${server.baseUrl}/Groups/${res.json.id}`);
      expect(res.json).toMatchObject({ schemas: [GROUP], displayName: 'Engineering', externalId: 'okta-g1', meta: { resourceType: 'Group', version: 'W/"1"' } });
      expect(res.json.members).toBeUndefined();
    });

    it('refuses a displayName taken in another case with 409 uniqueness', async () => {
      const res = await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'ENGINEERING' });
      expect(res.status).toBe(409);
      expect(res.json).toMatchObject({ schemas: [ERROR], scimType: 'uniqueness' });
    });

    it('creates a group with members, who then list it in their groups', async () => {
      const [a, b] = [await newUser(), await newUser()];
      const group = await newGroup([a, b]);
      expect(group.members!.map((m) => m.value).sort()).toEqual([a, b].sort());
      const user = await scim('GET', `/Users/${a}`);
      expect(user.json.groups).toEqual([
        { value: group.id, $ref: `${server.baseUrl}/Groups/${group.id}`, display: group.displayName, type: 'direct' },
      ]);
    });

    it('refuses a member that is not an existing user, and creates nothing', async () => {
      const name = unique('Ghosts');
      const res = await scim('POST', '/Groups', { schemas: [GROUP], displayName: name, members: [{ value: 'no-such-user' }] });
      expect(res.status).toBe(400);
      expect(res.json.scimType).toBe('invalidValue');
      expect((await filter('Groups', `displayName eq "${name}"`)).json.totalResults).toBe(0);
    });

    it.each([
      ['a missing displayName', { schemas: [GROUP] }, 'invalidValue'],
      ['a member without value', { schemas: [GROUP], displayName: 'x1', members: [{ display: 'a' }] }, 'invalidValue'],
      ['a nested group', { schemas: [GROUP], displayName: 'x2', members: [{ value: 'g', type: 'Group' }] }, 'invalidValue'],
      ['members as a string', { schemas: [GROUP], displayName: 'x3', members: 'abc' }, 'invalidValue'],
    ])('refuses %s', async (_name, body, scimType) => {
      const res = await scim('POST', '/Groups', body);
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ schemas: [ERROR], scimType });
    });
  });

  describe('GET /Groups/{id}', () => {
    it('returns members, and honours excludedAttributes=members and attributes', async () => {
      const a = await newUser();
      const group = await newGroup([a]);
      expect(await memberIds(group.id)).toEqual([a]);
      const without = await scim('GET', `/Groups/${group.id}?excludedAttributes=members`);
      expect(without.json.members).toBeUndefined();
      expect(without.json.displayName).toBe(group.displayName);
      const only = await scim('GET', `/Groups/${group.id}?attributes=displayName`);
      expect(Object.keys(only.json).sort()).toEqual(['displayName', 'id', 'schemas']);
    });

    it('answers 404 for an unknown group', async () => {
      const res = await scim('GET', '/Groups/nope');
      expect(res.status).toBe(404);
      expect(res.json.schemas).toEqual([ERROR]);
    });
  });

  describe('PATCH /Groups/{id} members, in every shape clients send', () => {
    it('adds with a value array and answers 204 (Entra prefers no body)', async () => {
      const [a, b] = [await newUser(), await newUser()];
      const group = await newGroup();
      const res = await patch(group.id, [{ op: 'add', path: 'members', value: [{ value: a }, { value: b }] }]);
      expect(res.status).toBe(204);
      // Member changes do not serialise on the group's version, so the 204 carries no ETag...
      expect(res.headers.get('etag')).toBeNull();
      expect(await memberIds(group.id)).toEqual([a, b].sort());
      // ...but the version still moves on, and If-Match pins it.
      expect((await scim('GET', `/Groups/${group.id}`)).json.meta.version).toBe('W/"2"');
      const stale = await scim('PATCH', `/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members' }] }, { 'If-Match': 'W/"1"' });
      expect(stale.status).toBe(412);
      expect(await memberIds(group.id)).toEqual([a, b].sort());
    });

    it('answers 200 with the group when the request asks for attributes', async () => {
      const a = await newUser();
      const group = await newGroup();
      const res = await patch(group.id, [{ op: 'add', path: 'members', value: [{ value: a }] }], '?attributes=members');
      expect(res.status).toBe(200);
      expect(res.json.members).toEqual([{ value: a, $ref: `${server.baseUrl}/Users/${a}`, type: 'User' }]);
    });

    it('removes with members[value eq "id"] (RFC, Okta, Entra aadOptscim062020)', async () => {
      const [a, b] = [await newUser(), await newUser()];
      const group = await newGroup([a, b]);
      expect((await patch(group.id, [{ op: 'remove', path: `members[value eq "${a}"]` }])).status).toBe(204);
      expect(await memberIds(group.id)).toEqual([b]);
    });

    it("removes with path members and a value array (JumpCloud, Entra default's capitalised op)", async () => {
      const [a, b, c] = [await newUser(), await newUser(), await newUser()];
      const group = await newGroup([a, b, c]);
      await patch(group.id, [{ op: 'Remove', path: 'members', value: [{ value: a }, { value: c }] }]);
      expect(await memberIds(group.id)).toEqual([b]);
    });

    it('accepts "$ref": null and display inside member objects (Entra, Okta)', async () => {
      const a = await newUser();
      const group = await newGroup();
      const res = await patch(group.id, [{ op: 'Add', path: 'members', value: [{ value: a, $ref: null, display: 'Ada' }] }]);
      expect(res.status).toBe(204);
      expect(await memberIds(group.id)).toEqual([a]);
    });

    it('mixes remove and add in one request (Okta)', async () => {
      const [a, b, c] = [await newUser(), await newUser(), await newUser()];
      const group = await newGroup([a, b]);
      await patch(group.id, [
        { op: 'remove', path: `members[value eq "${a}"]` },
        { op: 'add', path: 'members', value: [{ value: c, display: 'C' }] },
      ]);
      expect(await memberIds(group.id)).toEqual([b, c].sort());
    });

    it('replaces the whole member list, and empties it with []', async () => {
      const [a, b, c] = [await newUser(), await newUser(), await newUser()];
      const group = await newGroup([a, b]);
      await patch(group.id, [{ op: 'replace', path: 'members', value: [{ value: b }, { value: c }] }]);
      expect(await memberIds(group.id)).toEqual([b, c].sort());
      await patch(group.id, [{ op: 'replace', path: 'members', value: [] }]);
      expect(await memberIds(group.id)).toEqual([]);
      expect((await scim('GET', `/Users/${b}`)).json.groups).toBeUndefined();
    });

    it("renames with Okta's path-less replace of {id, displayName}, freeing the old name", async () => {
      const a = await newUser();
      const group = await newGroup([a]);
      const renamed = unique('Renamed');
      expect((await patch(group.id, [{ op: 'replace', value: { id: group.id, displayName: renamed } }])).status).toBe(204);
      const after = await scim('GET', `/Groups/${group.id}`);
      expect(after.json.displayName).toBe(renamed);
      expect(after.json.members).toEqual([{ value: a, $ref: `${server.baseUrl}/Users/${a}`, type: 'User' }]);
      expect((await scim('POST', '/Groups', { schemas: [GROUP], displayName: group.displayName })).status).toBe(201);
      const other = await newGroup();
      const clash = await patch(other.id, [{ op: 'replace', path: 'displayName', value: renamed.toUpperCase() }]);
      expect(clash.status).toBe(409);
      expect(clash.json.scimType).toBe('uniqueness');
    });

    it('treats adding a member twice and removing a non-member as no-ops', async () => {
      const [a, b] = [await newUser(), await newUser()];
      const group = await newGroup([a]);
      const res = await patch(group.id, [
        { op: 'add', path: 'members', value: [{ value: a }] },
        { op: 'remove', path: `members[value eq "${b}"]` },
      ]);
      expect(res.status).toBe(204);
      expect(res.headers.get('etag')).toBe(group.meta.version);
      expect(await memberIds(group.id)).toEqual([a]);
    });

    it('refuses a member that is not a user and changes nothing, not even the other operations', async () => {
      const a = await newUser();
      const group = await newGroup();
      const res = await patch(group.id, [
        { op: 'replace', path: 'displayName', value: unique('ShouldNotApply') },
        { op: 'add', path: 'members', value: [{ value: a }, { value: 'ghost-user' }] },
      ]);
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ scimType: 'invalidValue' });
      expect(res.json.detail).toContain('ghost-user');
      const after = await scim('GET', `/Groups/${group.id}`);
      expect(after.json.displayName).toBe(group.displayName);
      expect(after.json.members).toBeUndefined();
      expect(after.json.meta.version).toBe('W/"1"');
    });

    it.each([
      ['a filter other than value eq on members', [{ op: 'remove', path: 'members[display eq "x"]' }], 'invalidFilter'],
      ['an unknown attribute', [{ op: 'replace', path: 'owner', value: 'x' }], 'invalidPath'],
      ['an empty Operations list', [], 'invalidValue'],
    ])('refuses %s', async (_name, ops, scimType) => {
      const group = await newGroup();
      const res = await patch(group.id, ops);
      expect(res.status).toBe(400);
      expect(res.json.scimType).toBe(scimType);
    });

    it('loses nothing when 20 PATCHes race on one group', async () => {
      const users = await Promise.all(Array.from({ length: 20 }, () => newUser('racer')));
      const group = await newGroup();
      const results = await Promise.all(users.map((u) => patch(group.id, [{ op: 'add', path: 'members', value: [{ value: u }] }])));
      expect(results.map((r) => r.status)).toEqual(users.map(() => 204));
      expect(await memberIds(group.id)).toEqual([...users].sort());
    });

    it('adds and removes more members than one transaction holds (transactions of 99)', async () => {
      const users: string[] = [];
      for (let i = 0; i < 150; i += 50) users.push(...(await Promise.all(Array.from({ length: 50 }, () => newUser('bulk')))));
      const group = await newGroup();
      await patch(group.id, [{ op: 'add', path: 'members', value: users.map((value) => ({ value })) }]);
      expect(await memberIds(group.id)).toEqual([...users].sort());
      await patch(group.id, [{ op: 'remove', path: 'members', value: users.slice(0, 120).map((value) => ({ value })) }]);
      expect(await memberIds(group.id)).toEqual(users.slice(120).sort());
    }, 120_000);

    it('refuses to add a user already in 2,000 groups (400 tooMany), by PATCH and by POST', async () => {
      const uid = await newUser('joiner');
      const group = await newGroup();
      // As if the user had joined 2,000 groups: ids in its memberOf (reads drop groups that do not exist).
      const ids = Array.from({ length: 2_000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
      await server.table.client.send(
        new UpdateCommand({ TableName: server.table.tableName, Key: { pk: `default#USER#${uid}`, sk: 'USER' }, UpdateExpression: 'ADD memberOf :g', ExpressionAttributeValues: { ':g': new Set(ids) } }),
      );
      const added = await patch(group.id, [{ op: 'add', path: 'members', value: [{ value: uid }] }]);
      expect([added.status, added.json.scimType]).toEqual([400, 'tooMany']);
      expect(added.json.detail).toContain('2000 groups');
      const created = await scim('POST', '/Groups', { schemas: [GROUP], displayName: unique('Full'), members: [{ value: uid }] });
      expect([created.status, created.json.scimType]).toEqual([400, 'tooMany']);
      expect(await memberIds(group.id)).toEqual([]);
    });

    it('refuses a PATCH of more than 10,000 member changes with 400 tooMany, reading no user', async () => {
      const group = await newGroup();
      const value = Array.from({ length: 10_001 }, (_, i) => ({ value: `u${i}` }));
      const { result, calls } = await server.table.countCalls(() => patch(group.id, [{ op: 'add', path: 'members', value }]));
      expect(result.status).toBe(400);
      expect(result.json.scimType).toBe('tooMany');
      // Refused from the operations alone, before anything is read.
      expect(calls).toEqual([]);
    });

    it('costs the same DynamoDB calls to add one member whatever the group size', async () => {
      const small = await newGroup();
      const big = await newGroup();
      const bigMembers = await Promise.all(Array.from({ length: 60 }, () => newUser('size')));
      await patch(big.id, [{ op: 'add', path: 'members', value: bigMembers.map((value) => ({ value })) }]);
      const [u1, u2] = [await newUser(), await newUser()];
      const add = (gid: string, uid: string) => server.table.countCalls(() => patch(gid, [{ op: 'add', path: 'members', value: [{ value: uid }] }]));
      const toSmall = await add(small.id, u1);
      const toBig = await add(big.id, u2);
      expect(toBig.calls).toEqual(toSmall.calls);
      // The group and the user in one batch read, then one transaction: two round trips.
      expect(toBig.calls).toEqual(['BatchGetItemCommand', 'TransactWriteItemsCommand']);
      expect(toBig.roundTrips).toBe(2);
    });
  });

  describe('PUT /Groups/{id}', () => {
    it('replaces displayName and the member list', async () => {
      const [a, b] = [await newUser(), await newUser()];
      const group = await newGroup([a]);
      const name = unique('Put');
      const res = await scim('PUT', `/Groups/${group.id}`, { schemas: [GROUP], displayName: name, members: [{ value: b }] });
      expect(res.status).toBe(200);
      expect(res.json.displayName).toBe(name);
      expect(res.json.members).toEqual([{ value: b, $ref: `${server.baseUrl}/Users/${b}`, type: 'User' }]);
    });
  });

  describe('GET /Groups with filters', () => {
    let a: string, b: string;
    let g1: { id: string; displayName: string }, g2: { id: string; displayName: string };
    beforeAll(async () => {
      [a, b] = [await newUser('filter'), await newUser('filter')];
      g1 = await newGroup([a], { externalId: 'ext-filter-1' });
      g2 = await newGroup([a, b]);
    });
    const ids = (res: { json: { Resources: { id: string }[] } }) => res.json.Resources.map((r) => r.id).sort();

    it('finds by displayName case-insensitively, and by externalId and id exactly', async () => {
      expect(ids(await filter('Groups', `displayName eq "${g1.displayName.toUpperCase()}"`))).toEqual([g1.id]);
      expect(ids(await filter('Groups', 'externalId eq "ext-filter-1"'))).toEqual([g1.id]);
      expect(ids(await filter('Groups', `id eq "${g2.id}"`))).toEqual([g2.id]);
      expect((await filter('Groups', 'displayName eq "no such group"')).json).toMatchObject({ totalResults: 0, Resources: [] });
    });

    it.each([
      ['members[value eq "<b>"]', (u: string) => `members[value eq "${u}"]`],
      ['members.value eq "<b>"', (u: string) => `members.value eq "${u}"`],
      ['members eq "<b>"', (u: string) => `members eq "${u}"`],
    ])('finds the groups of a user with %s', async (_name, text) => {
      expect(ids(await filter('Groups', text(b)))).toEqual([g2.id]);
      expect(ids(await filter('Groups', text(a)))).toEqual([g1.id, g2.id].sort());
    });

    it('answers the IAM Identity Center form "id eq … and members eq …"', async () => {
      expect(ids(await filter('Groups', `id eq "${g1.id}" and members eq "${a}"`))).toEqual([g1.id]);
      expect((await filter('Groups', `id eq "${g1.id}" and members eq "${b}"`)).json.totalResults).toBe(0);
    });

    it('honours excludedAttributes=members with a displayName filter (Entra)', async () => {
      const res = await filter('Groups', `displayName eq "${g2.displayName}"`, '&excludedAttributes=members');
      expect(res.json.Resources).toHaveLength(1);
      expect(res.json.Resources[0].members).toBeUndefined();
    });

    it('finds the users of a group with groups.value eq (AWS IAM Identity Center) and groups[value eq]', async () => {
      const userIds = (res: { json: { Resources: { id: string }[] } }) => res.json.Resources.map((r) => r.id).sort();
      expect(userIds(await filter('Users', `groups.value eq "${g2.id}"`))).toEqual([a, b].sort());
      expect(userIds(await filter('Users', `groups[value eq "${g1.id}"]`))).toEqual([a]);
      expect(userIds(await filter('Users', `groups.value eq "${g1.id}" and userName eq "nobody@example.com"`))).toEqual([]);
      expect(userIds(await filter('Users', `groups.display eq "${g1.displayName}"`))).toEqual([a]);
    });

    it('evaluates other member filters over the listing', async () => {
      const res = await filter('Groups', `members[value eq "${b}"] or displayName eq "${g1.displayName}"`);
      expect(ids(res)).toEqual([g1.id, g2.id].sort());
    });
  });

  describe('deletion', () => {
    it('removes a deleted user from every group', async () => {
      const [a, b] = [await newUser(), await newUser()];
      const g1 = await newGroup([a, b]);
      const g2 = await newGroup([a]);
      expect((await scim('DELETE', `/Users/${a}`)).status).toBe(204);
      expect(await memberIds(g1.id)).toEqual([b]);
      expect(await memberIds(g2.id)).toEqual([]);
      expect((await filter('Groups', `members[value eq "${a}"]`)).json.totalResults).toBe(0);
    });

    it("deletes a user's membership of a group whose own item is already gone, without reading group names", async () => {
      const a = await newUser();
      const group = await newGroup([a]);
      // A group DELETE cut short after its own transaction: the group item is gone, the member item stays.
      await server.table.client.send(new DeleteCommand({ TableName: server.table.tableName, Key: { pk: `default#GROUP#${group.id}`, sk: 'GROUP' } }));
      const { calls } = await server.table.countCalls(() => scim('DELETE', `/Users/${a}`));
      expect(calls).not.toContain('BatchGetItemCommand');
      const { Items } = await server.table.client.send(
        new QueryCommand({ TableName: server.table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `default#GROUP#${group.id}` } }),
      );
      expect(Items).toEqual([]);
    });

    it('deletes a group and its memberships: no read shows them', async () => {
      const a = await newUser();
      const group = await newGroup([a]);
      expect((await scim('DELETE', `/Groups/${group.id}`)).status).toBe(204);
      expect((await scim('GET', `/Groups/${group.id}`)).status).toBe(404);
      const user = await scim('GET', `/Users/${a}`);
      expect(user.json.groups).toBeUndefined();
      // The user's item still names the group (a group's DELETE leaves memberOf): reads drop it.
      const byName = await filter('Users', `userName eq "${user.json.userName}"`);
      expect(byName.json.Resources.map((u: { id: string; groups?: unknown }) => [u.id, u.groups])).toEqual([[a, undefined]]);
      expect((await filter('Users', `groups.value eq "${group.id}"`)).json.totalResults).toBe(0);
      expect((await filter('Groups', `members eq "${a}"`)).json.totalResults).toBe(0);
      expect((await scim('POST', '/Groups', { schemas: [GROUP], displayName: group.displayName })).status).toBe(201);
    });
  });
});
