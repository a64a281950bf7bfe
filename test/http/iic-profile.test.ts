import { ENTERPRISE, GROUP, PATCH_OP, startTestServer, userBody } from '../support/server';

/**
 * What the AWS IAM Identity Center profile's answers leave behind. Each answer itself is a row
 * of the parity table (test/http/iic-parity.test.ts); here the state is read back: a refusal
 * changes nothing, an accepted request changes what it says.
 */
describe('the AWS IAM Identity Center profile: effects over HTTP', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const scim = (...args: Parameters<typeof server.scim>) => server.scim(...args);
  const patch = (path: string, ...Operations: unknown[]) => scim('PATCH', path, { schemas: [PATCH_OP], Operations });
  let user: string;
  let manager: string;
  let group: string;

  beforeAll(async () => {
    server = await startTestServer(undefined, 'aws-iam-identity-center');
    manager = (await scim('POST', '/Users', userBody('effects-manager@example.com'))).json.id;
    user = (await scim('POST', '/Users', userBody('effects-user@example.com'))).json.id;
    group = (await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Effects Team', members: [{ value: user }] })).json.id;
  });
  afterAll(() => server.stop());

  const isMember = async (uid: string) =>
    (await scim('GET', `/Groups?filter=${encodeURIComponent(`id eq "${group}" and members eq "${uid}"`)}`)).json.totalResults === 1;

  it('a refused replace or remove of all members leaves the membership as it was', async () => {
    expect((await patch(`/Groups/${group}`, { op: 'replace', path: 'members', value: [{ value: manager }] })).status).toBe(400);
    expect((await patch(`/Groups/${group}`, { op: 'remove', path: 'members' })).status).toBe(400);
    expect([await isMember(user), await isMember(manager)]).toEqual([true, false]);
  });

  it('a refused second email (item 3) leaves the user with one', async () => {
    const res = await patch(`/Users/${user}`, { op: 'add', path: 'emails', value: [{ value: 'second@example.com', primary: true }] });
    expect(res.status).toBe(400);
    expect((await scim('GET', `/Users/${user}`)).json.emails).toEqual([{ value: 'effects-user@example.com', type: 'work', primary: true }]);
  });

  it('a refused reserved userName through PATCH (item 7) leaves the userName', async () => {
    expect((await patch(`/Users/${user}`, { op: 'replace', path: 'userName', value: 'Administrator' })).status).toBe(400);
    expect((await scim('GET', `/Users/${user}`)).json.userName).toBe('effects-user@example.com');
  });

  it('the path-less {id, displayName} rename (item 1) renames the group and keeps its members', async () => {
    expect((await patch(`/Groups/${group}`, { op: 'replace', value: { id: group, displayName: 'Effects Team Renamed' } })).status).toBe(204);
    const renamed = await scim('GET', `/Groups?filter=${encodeURIComponent('displayName eq "Effects Team Renamed"')}`);
    expect(renamed.json.Resources.map((g: { id: string }) => g.id)).toEqual([group]);
    expect(await isMember(user)).toBe(true);
  });

  it('a manager PATCHed with a displayName (item 7) is stored without it', async () => {
    const res = await patch(`/Users/${user}`, { op: 'add', path: ENTERPRISE, value: { manager: { value: manager, displayName: 'The Manager' } } });
    expect(res.status).toBe(200);
    expect((await scim('GET', `/Users/${user}`)).json[ENTERPRISE]).toEqual({ manager: { value: manager } });
    const byManager = await scim('GET', `/Users?filter=${encodeURIComponent(`id eq "${user}" and manager eq "${manager}"`)}`);
    expect(byManager.json.Resources.map((u: { id: string }) => u.id)).toEqual([user]);
  });

  it('stale If-Match is ignored, and the change is made', async () => {
    const res = await patch(`/Users/${user}`, { op: 'replace', path: 'title', value: 'Unversioned' });
    expect(res.status).toBe(200);
    const stale = await scim('PATCH', `/Users/${user}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Still' }] }, { 'If-Match': 'W/"999"' });
    expect(stale.status).toBe(200);
    expect((await scim('GET', `/Users/${user}`)).json.title).toBe('Still');
  });

  it('cursor pages walk every user once, with no totalResults on any page (item 6)', async () => {
    const seen: string[] = [];
    let cursor = '';
    for (let page = 0; page < 10; page++) {
      const res = await scim('GET', `/Users?count=1&cursor=${encodeURIComponent(cursor)}`);
      expect(res.json.totalResults).toBeUndefined();
      seen.push(...res.json.Resources.map((u: { id: string }) => u.id));
      if (!res.json.nextCursor) break;
      cursor = res.json.nextCursor;
    }
    expect(seen.sort()).toEqual([manager, user].sort());
  });
});
