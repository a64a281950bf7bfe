import { scimAt, startDirectoriesServer } from '../support/directories';
import { encodedPath, expander, expectIicRefusal, iicRefusalCases } from '../support/iic-fixture';
import { GROUP, userBody } from '../support/server';

/**
 * Two directories of one endpoint with different profiles behave each as its own profile: the
 * one created with `--profile aws-iam-identity-center` refuses every refusal of the parity
 * fixture (test/fixtures/profiles/iic-parity.json) that needs only a user in a group as IIC
 * does, in IIC's error shape; the `rfc` one answers each as the default profile does; the
 * deployment's own (rfc) too. Refusals made before the
 * directory is known (no token, a token of another directory) are in the deployment's shape.
 */
describe('directories with profiles of their own, on one endpoint', () => {
  jest.setTimeout(120_000);
  let server: Awaited<ReturnType<typeof startDirectoriesServer>>;
  type Client = ReturnType<typeof scimAt>;
  const teams: Record<string, { client: Client; user: string; group: string; baseUrl: string }> = {};

  beforeAll(async () => {
    server = await startDirectoriesServer();
    for (const [id, profile] of [
      ['mimic', 'aws-iam-identity-center'],
      ['full', 'rfc'],
    ] as const) {
      const { baseUrl } = await server.newDirectory(id, profile);
      const client = scimAt(baseUrl, await server.newToken(id));
      const user = await client('POST', '/Users', userBody('iic-user@example.com'));
      expect(user.status).toBe(201);
      const group = await client('POST', '/Groups', { schemas: [GROUP], displayName: 'IIC Team', members: [{ value: user.json.id }] });
      expect(group.status).toBe(201);
      teams[id] = { client, user: user.json.id, group: group.json.id, baseUrl };
    }
    const home = scimAt(server.baseUrl, await server.newToken());
    const user = await home('POST', '/Users', userBody('iic-user@example.com'));
    const group = await home('POST', '/Groups', { schemas: [GROUP], displayName: 'IIC Team', members: [{ value: user.json.id }] });
    teams.home = { client: home, user: user.json.id, group: group.json.id, baseUrl: server.baseUrl };
  });
  afterAll(() => server.stop());

  const expand = (team: { user: string; group: string }) => expander(() => team);

  const cases = iicRefusalCases();

  it('has refusals of the parity fixture to send', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it.each(cases.map((c) => [c.behaviour, c] as const))('the IIC directory refuses as IIC does, the rfc ones answer as the default profile: %s', async (_behaviour, c) => {
    const send = (team: { client: Client; user: string; group: string }) =>
      team.client(c.request.method, encodedPath(expand(team)(c.request.path) as string), c.request.body === undefined ? undefined : expand(team)(c.request.body));
    expectIicRefusal(await send(teams.mimic), c);
    const rfc = c.default.pending ? c.default.now! : c.default;
    for (const id of ['full', 'home']) {
      const answered = await send(teams[id]);
      expect({ directory: id, behaviour: c.behaviour, status: answered.status }).toEqual({ directory: id, behaviour: c.behaviour, status: rfc.status });
    }
  });

  it('advertises each profile in its own ServiceProviderConfig, and builds locations on its own Base URL', async () => {
    const mimic = (await teams.mimic.client('GET', '/ServiceProviderConfig')).json;
    const full = (await teams.full.client('GET', '/ServiceProviderConfig')).json;
    expect(mimic).toMatchObject({ bulk: { supported: false }, sort: { supported: false }, etag: { supported: false } });
    expect(full).toMatchObject({ bulk: { supported: true }, sort: { supported: true }, etag: { supported: true } });
    for (const id of ['full', 'mimic']) {
      const { client, baseUrl } = teams[id];
      const created = await client('POST', '/Users', userBody('located@example.com'));
      expect(created.headers.get('location')).toBe(`${baseUrl}/Users/${created.json.id}`);
      const group = await client('POST', '/Groups', { schemas: [GROUP], displayName: 'Located', members: [{ value: created.json.id }] });
      expect(group.json.meta.location).toBe(`${baseUrl}/Groups/${group.json.id}`);
      const user = await client('GET', `/Users/${created.json.id}`);
      expect(user.json.meta.location).toBe(`${baseUrl}/Users/${created.json.id}`);
      // IIC shows every group with no members (CLIENTS.md §1.6); the rfc directory shows them, and the user's groups.
      const members = (await client('GET', `/Groups/${group.json.id}`)).json.members;
      if (id === 'mimic') expect(members).toEqual([]);
      else {
        expect(members).toEqual([{ value: created.json.id, type: 'User', $ref: `${baseUrl}/Users/${created.json.id}` }]);
        expect(user.json.groups[0].$ref).toBe(`${baseUrl}/Groups/${group.json.id}`);
      }
    }
  });

  it("answers a refusal made before the directory is known in the deployment's own shape, whatever the directory's profile", async () => {
    const unknown = await scimAt(teams.mimic.baseUrl, 'wrong-token-0123456789')('GET', '/Users');
    const atHome = await scimAt(server.baseUrl, 'wrong-token-0123456789')('GET', '/Users');
    expect(unknown.status).toBe(401);
    expect(unknown.text).toBe(atHome.text);
    expect(unknown.json.schema).toBeUndefined();
  });
});
