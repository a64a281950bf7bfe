import { GROUP, PATCH_OP, startTestServer, userBody } from '../support/server';

/**
 * JumpCloud's activation test and every request docs/jumpcloud.md says JumpCloud sends
 * (CLIENTS.md §2), under both profiles: a connector moved off IAM Identity Center, or onto the
 * whole RFC, must see the same answers.
 */
describe.each(['rfc', 'aws-iam-identity-center'] as const)('JumpCloud against the %s profile', (profile) => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer(undefined, profile);
  });
  afterAll(() => server.stop());
  const scim = (...args: Parameters<typeof server.scim>) => server.scim(...args);
  const patch = (path: string, ...Operations: unknown[]) => scim('PATCH', path, { schemas: [PATCH_OP], Operations });
  const filter = (resource: string, text: string) => scim('GET', `/${resource}?filter=${encodeURIComponent(text)}`);
  const isMember = async (group: string, user: string) => (await filter('Groups', `id eq "${group}" and members eq "${user}"`)).json.totalResults === 1;

  it.each([1, 2])("runs the activation test end to end (run %i, the same test e-mail)", async () => {
    const email = 'jumpcloud-test@example.com';
    const lookup = await filter('Users', `userName eq "${email}"`);
    expect([lookup.status, lookup.json.totalResults]).toEqual([200, 0]);
    const user = await scim('POST', '/Users', userBody(email, { externalId: 'jc-test' }));
    expect(user.status).toBe(201);
    const group = await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'JumpCloud Test Group' });
    expect(group.status).toBe(201);
    expect((await patch(`/Groups/${group.json.id}`, { op: 'add', path: 'members', value: [{ value: user.json.id }] })).status).toBe(204);
    expect((await scim('DELETE', `/Groups/${group.json.id}`)).status).toBe(204);
    expect((await scim('DELETE', `/Users/${user.json.id}`)).status).toBe(204);
  });

  it('provisions, updates, deactivates, groups, renames and deletes as docs/jumpcloud.md describes', async () => {
    // user_lookup_provision, then user_create_provision: userName is the e-mail, with both names and a work e-mail.
    const email = 'ada.jc@example.com';
    expect((await filter('Users', `userName eq "${email}"`)).json.totalResults).toBe(0);
    const created = await scim('POST', '/Users', {
      ...userBody(email, { name: { givenName: 'Ada', familyName: 'Lovelace' }, displayName: 'Ada Lovelace' }),
      phoneNumbers: [{ value: '+1 555 0100', type: 'work' }],
    });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    expect(typeof id).toBe('string');

    // A later lookup finds the user, whatever the case, so JumpCloud takes it over rather than re-creating it.
    const found = await filter('Users', `userName eq "${email.toUpperCase()}"`);
    expect(found.json.Resources.map((u: { id: string }) => u.id)).toEqual([id]);

    // user_update_provision: one pathed replace per attribute, active as a real boolean.
    const updated = await patch(`/Users/${id}`, { op: 'replace', path: 'name.givenName', value: 'Augusta' }, { op: 'replace', path: 'title', value: 'Analyst' }, { op: 'replace', path: 'active', value: true });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({ name: { givenName: 'Augusta', familyName: 'Lovelace' }, title: 'Analyst', active: true });

    // group_create_provision: looked up by displayName first; empty groups are not pushed.
    expect((await filter('Groups', 'displayName eq "Engineering JC"')).json.totalResults).toBe(0);
    const group = await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Engineering JC', members: [{ value: id }] });
    expect(group.status).toBe(201);
    const gid = group.json.id as string;
    expect(await isMember(gid, id)).toBe(true);

    // group_update_provision: members added and removed with [{ "value": "<id>" }], then a rename by PATCH.
    const other = (await scim('POST', '/Users', userBody('babbage.jc@example.com'))).json.id as string;
    expect((await patch(`/Groups/${gid}`, { op: 'add', path: 'members', value: [{ value: other }] })).status).toBe(204);
    expect(await isMember(gid, other)).toBe(true);
    expect((await patch(`/Groups/${gid}`, { op: 'remove', path: 'members', value: [{ value: other }] })).status).toBe(204);
    expect(await isMember(gid, other)).toBe(false);
    expect((await patch(`/Groups/${gid}`, { op: 'replace', path: 'displayName', value: 'Engineering JC 2' })).status).toBe(204);
    expect((await filter('Groups', 'displayName eq "Engineering JC 2"')).json.Resources.map((g: { id: string }) => g.id)).toEqual([gid]);
    expect((await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Engineering JC' })).status).toBe(201); // the old name is free again

    // user_deprovision: active false; the user is still returned by GET and by the lookup.
    expect((await patch(`/Users/${id}`, { op: 'replace', path: 'active', value: false })).json.active).toBe(false);
    expect((await scim('GET', `/Users/${id}`)).json.active).toBe(false);
    expect((await filter('Users', `userName eq "${email}"`)).json.Resources[0].active).toBe(false);

    // user_delete_provision and group_delete_provision.
    expect((await scim('DELETE', `/Users/${id}`)).status).toBe(204);
    expect((await scim('GET', `/Users/${id}`)).status).toBe(404);
    // No group lists the deleted user: no results, or (IIC's ListGroups, item 4 of issue 17) 404 for a user that does not exist.
    const memberOf = await filter('Groups', `members.value eq "${id}"`);
    expect(profile === 'aws-iam-identity-center' ? memberOf.status : memberOf.json.totalResults).toBe(profile === 'aws-iam-identity-center' ? 404 : 0);
    expect((await scim('DELETE', `/Groups/${gid}`)).status).toBe(204);
    expect((await scim('GET', `/Groups/${gid}`)).status).toBe(404);
  });

  it('refuses a second user with the test e-mail as its userName (409), which fails the activation as documented', async () => {
    const first = await scim('POST', '/Users', userBody('jc-reused@example.com'));
    expect(first.status).toBe(201);
    const again = await scim('POST', '/Users', userBody('jc-reused@example.com'));
    expect(again.status).toBe(409);
    // Another userName with that e-mail: refused only where IIC refuses it.
    const sameEmail = await scim('POST', '/Users', { ...userBody('jc-other@example.com'), emails: [{ value: 'JC-Reused@example.com', type: 'work', primary: true }] });
    expect(sameEmail.status).toBe(profile === 'aws-iam-identity-center' ? 409 : 201);
  });
});
