import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDirectoryData } from '../../lambda/store/directory-data';
import { GROUP, USER_SCHEMA } from '../support/server';
import { scimAt, startDirectoriesServer } from '../support/directories';

/**
 * `npm run directory` on the local endpoint: create (with its own Base URL and profile), list,
 * and delete (every item, its tokens refused at once, nothing of another directory touched),
 * with the tokens of `npm run token -- create --directory`.
 */
describe('npm run directory -- ... --local', () => {
  jest.setTimeout(60_000);
  let server: Awaited<ReturnType<typeof startDirectoriesServer>>;
  beforeAll(async () => {
    server = await startDirectoriesServer();
  });
  afterAll(() => server.stop());

  it('creates a directory with a Base URL that names it, printed as one JSON object', async () => {
    const made = await server.directory('create', 'contractors', '--name', 'Contractors (Okta)', '--profile', 'aws-iam-identity-center', '--json');
    expect(made.code).toBe(0);
    const printed = JSON.parse(made.out);
    expect(printed).toEqual({
      id: 'contractors',
      name: 'Contractors (Okta)',
      profile: 'aws-iam-identity-center',
      baseUrl: server.baseUrl.replace('/scim/v2', '/contractors/scim/v2'),
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const text = await server.directory('create', 'employees');
    expect(text.out).toContain(`Base URL:  ${server.baseUrl.replace('/scim/v2', '/employees/scim/v2')}`);
    expect(text.out).toContain('npm run token -- create --directory employees --local');
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
    const token = await server.newToken('employees');
    const own = scimAt(server.baseUrl.replace('/scim/v2', '/employees/scim/v2'), token);
    expect((await own('GET', '/Users')).status).toBe(200);
    expect((await scimAt(server.baseUrl, token)('GET', '/Users')).status).toBe(401);
    expect((await scimAt(server.baseUrl.replace('/scim/v2', '/contractors/scim/v2'), token)('GET', '/Users')).status).toBe(401);
    const refused = await server.token('create', '--directory', 'nobody');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/No directory "nobody"/);
    const listed = await server.token('list', '--directory', 'employees');
    expect(listed.out).toMatch(/tok-[0-9a-f]+ +active .* directory employees/);
  });

  it('keeps two active tokens per directory, each directory apart', async () => {
    await server.newToken('contractors');
    await server.newToken('contractors');
    const third = await server.token('create', '--directory', 'contractors');
    expect(third.err).toMatch(/already active/);
    // The deployment's own and another directory are not counted with these.
    expect(await server.newToken()).toHaveLength(43);
    expect(await server.newToken('employees')).toHaveLength(43);
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
    await server.newDirectory('staff');
    const staffToken = await server.newToken('staff');
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
    const snapshot = async () => [(await home('GET', '/Users?count=100')).json, (await home('GET', '/Groups')).json];
    const homeBefore = await snapshot();
    const data = new DynamoDirectoryData(server.table.client, server.table.tableName);
    const items = await data.count('staff');
    expect(items).toBeGreaterThanOrEqual(12 * 2 + 2 + 5 + 2);

    const deleted = await server.directory('delete', 'staff', '--yes', '--grace-seconds', '0', '--json');
    expect(deleted.err).toBe('');
    expect(JSON.parse(deleted.out)).toMatchObject({ id: 'staff', deletedItems: items, revokedTokens: 1 });
    expect((await staff('GET', '/Users')).status).toBe(401);
    expect(await data.count('staff')).toBe(0);
    expect(await snapshot()).toEqual(homeBefore);
    expect((await server.directory('list', '--json')).out).not.toContain('"staff"');
    expect(JSON.parse(readFileSync(join(server.dataDir, 'tokens.json'), 'utf8')).tokens.some((t: { directory?: string }) => t.directory === 'staff')).toBe(false);

    // The id may be taken again: an empty directory, and the old token stays refused.
    await server.newDirectory('staff');
    const again = scimAt(server.baseUrl.replace('/scim/v2', '/staff/scim/v2'), await server.newToken('staff'));
    expect((await again('GET', '/Users')).json.totalResults).toBe(0);
    expect((await staff('GET', '/Users')).status).toBe(401);
  });
});
