import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDirectoryData } from '../../lambda/store/directory-data';
import { GROUP, USER_SCHEMA } from '../support/server';
import { scimAt, startDirectoriesServer } from '../support/directories';

/**
 * `npm run directory` on the local endpoint: create (with its own Base URL and profile), list,
 * and delete (every item, its tokens refused at once, nothing of another directory touched),
 * with its first token (made with it) and those of `npm run token -- create --directory`.
 */
describe('npm run directory -- ... --local', () => {
  jest.setTimeout(60_000);
  let server: Awaited<ReturnType<typeof startDirectoriesServer>>;
  beforeAll(async () => {
    server = await startDirectoriesServer();
  });
  afterAll(() => server.stop());

  it('creates a directory with a Base URL that names it and its first, named token, printed as one JSON object', async () => {
    const made = await server.directory('create', 'contractors', '--name', 'Contractors (Okta)', '--profile', 'aws-iam-identity-center', '--json');
    expect(made.code).toBe(0);
    const printed = JSON.parse(made.out);
    expect(printed).toEqual({
      id: 'contractors',
      name: 'Contractors (Okta)',
      profile: 'aws-iam-identity-center',
      baseUrl: server.baseUrl.replace('/scim/v2', '/contractors/scim/v2'),
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      firstToken: {
        id: expect.stringMatching(/^tok-[0-9a-f]{12}$/),
        name: 'contractors',
        scope: 'provision',
        directory: 'contractors',
        token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        createdAt: expect.any(String),
        expiresAt: expect.any(String),
      },
    });
    // The first token works at once, at its directory's Base URL only.
    const first = scimAt(printed.baseUrl, printed.firstToken.token);
    expect((await first('GET', '/Users')).status).toBe(200);
    expect((await scimAt(server.baseUrl, printed.firstToken.token)('GET', '/Users')).status).toBe(401);
    const text = await server.directory('create', 'employees', '--token-name', 'okta-employees', '--token-scope', 'read');
    expect(text.out).toContain(`Base URL:  ${server.baseUrl.replace('/scim/v2', '/employees/scim/v2')}`);
    expect(text.out).toMatch(/Its first token tok-[0-9a-f]{12} \(name okta-employees, scope read\)/);
    expect(text.out).toMatch(/^ {2}[A-Za-z0-9_-]{43}$/m);
    expect(text.out).toContain('npm run token -- create --name NAME --directory employees --local');
    // Registered in tokens.json, next to the tokens.
    const stored = JSON.parse(readFileSync(join(server.dataDir, 'tokens.json'), 'utf8'));
    expect(stored.directories.map((d: { id: string }) => d.id)).toEqual(['contractors', 'employees']);
  });

  it.each([
    [['create', 'contractors'], /already exists/],
    [['create', 'Contractors'], /not a directory id/],
    [['create', 'default'], /reserved/],
    [['create', 'console'], /reserved/],
    [['create', 'x', '--profile', 'okta'], /--profile must be one of/],
    [['create', 'x', '--token-name', 'two words'], /A token name is/],
    [['create', 'x', '--token-scope', 'write'], /The scope is one of/],
    [['create'], /needs the id/],
    [['delete', 'employees'], /add --yes/],
    [['delete', 'default', '--yes'], /own directory/],
    [['delete', 'nobody', '--yes'], /No directory "nobody"/],
    [['rename'], /Unknown command/],
  ])('refuses %j', async (argv, message) => {
    const result = await server.directory(...argv);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(message);
    expect(result.err).not.toMatch(/\n\s+at /);
  });

  it('makes tokens that work at their own directory only, and refuses one for a directory that does not exist', async () => {
    // The first token was made with the directory (read scope); this one may provision.
    const token = await server.newToken('employees', 'jumpcloud-employees');
    const own = scimAt(server.baseUrl.replace('/scim/v2', '/employees/scim/v2'), token);
    expect((await own('GET', '/Users')).status).toBe(200);
    expect((await scimAt(server.baseUrl, token)('GET', '/Users')).status).toBe(401);
    expect((await scimAt(server.baseUrl.replace('/scim/v2', '/contractors/scim/v2'), token)('GET', '/Users')).status).toBe(401);
    const refused = await server.token('create', '--name', 'x', '--directory', 'nobody');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/No directory "nobody"/);
    const listed = await server.token('list', '--directory', 'employees');
    expect(listed.out).toMatch(/tok-[0-9a-f]+ +jumpcloud-employees +provision +employees +active /);
    expect(listed.out).toMatch(/tok-[0-9a-f]+ +okta-employees +read +employees +active /);
    expect(listed.out).not.toMatch(/contractors/);
  });

  it('keeps two active tokens per directory, each directory apart (the first token counts)', async () => {
    await server.newToken('contractors');
    const third = await server.token('create', '--name', 'third', '--directory', 'contractors');
    expect(third.err).toMatch(/already active/);
    // The deployment's own is not counted with these.
    expect(await server.newToken()).toHaveLength(43);
  });

  it('lists the directories with their profiles, active tokens and Base URLs, one JSON object a line', async () => {
    const listed = await server.directory('list', '--json');
    const rows = listed.out.split('\n').map((line) => JSON.parse(line));
    expect(rows.map((r) => [r.id, r.profile, r.state, r.activeTokens])).toEqual([
      ['default', undefined, 'active', 1],
      ['contractors', 'aws-iam-identity-center', 'active', 2],
      ['employees', 'rfc', 'active', 2],
    ]);
    expect(rows[0]).toMatchObject({ own: true, baseUrl: server.baseUrl });
    expect(rows[2].baseUrl).toBe(server.baseUrl.replace('/scim/v2', '/employees/scim/v2'));
  });

  it('deletes a directory: every item, its tokens refused at once, the other directories untouched', async () => {
    const staffToken = (await server.newDirectory('staff')).firstToken.token;
    const staff = scimAt(server.baseUrl.replace('/scim/v2', '/staff/scim/v2'), staffToken);
    const home = scimAt(server.baseUrl, await server.newToken());
    // The same names in both directories.
    for (const client of [staff, home]) {
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) {
        const created = await client('POST', '/Users', { schemas: [USER_SCHEMA], userName: `same${i}@example.com` });
        expect(created.status).toBe(201);
        ids.push(created.json.id);
      }
      const group = await client('POST', '/Groups', { schemas: [GROUP], displayName: 'Same', members: ids.slice(0, 5).map((value) => ({ value })) });
      expect(group.status).toBe(201);
    }
    const snapshot = async () => [(await home('GET', '/Users?count=100')).json, (await home('GET', '/Groups')).json, (await home('GET', '/Audit?count=200')).json];
    // Each directory's audit trail holds its own 13 changes only.
    const staffAudit = (await staff('GET', '/Audit?count=200')).json;
    expect(staffAudit.Resources).toHaveLength(13);
    expect(new Set(staffAudit.Resources.map((e: { directory: string }) => e.directory))).toEqual(new Set(['staff']));
    const homeBefore = await snapshot();
    const data = new DynamoDirectoryData(server.table.client, server.table.tableName);
    const items = await data.count('staff');
    expect(items).toBeGreaterThanOrEqual(12 * 2 + 2 + 5 + 2);

    const deleted = await server.directory('delete', 'staff', '--yes', '--grace-seconds', '0', '--json');
    expect(deleted.err).toBe('');
    // Every item counted before, and the deletion's own record (its change event).
    expect(JSON.parse(deleted.out)).toMatchObject({ id: 'staff', deletedItems: items + 1, revokedTokens: 1 });
    expect((await staff('GET', '/Users')).status).toBe(401);
    expect(await data.count('staff')).toBe(0);
    // Its audit entries went with it (the directory index finds them like any item of it).
    const { Items = [] } = await server.table.client.send(new ScanCommand({ TableName: server.table.tableName, FilterExpression: 'begins_with(pk, :p)', ExpressionAttributeValues: { ':p': 'staff#' } }));
    expect(Items).toEqual([]);
    expect(await snapshot()).toEqual(homeBefore);
    expect((await server.directory('list', '--json')).out).not.toContain('"staff"');
    expect(JSON.parse(readFileSync(join(server.dataDir, 'tokens.json'), 'utf8')).tokens.some((t: { directory?: string }) => t.directory === 'staff')).toBe(false);

    // The id may be taken again: an empty directory, and the old token stays refused.
    const again = scimAt(server.baseUrl.replace('/scim/v2', '/staff/scim/v2'), (await server.newDirectory('staff')).firstToken.token);
    expect((await again('GET', '/Users')).json.totalResults).toBe(0);
    expect((await staff('GET', '/Users')).status).toBe(401);
  });
});
