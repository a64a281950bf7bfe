import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { groupsService, usersService } from '../../lambda/handlers/services';
import type { CallContext } from '../../lambda/service/resource-service';
import { runAuditCli } from '../../lib/audit/cli';
import { ENDPOINT_FILE, writeEndpointInfo } from '../../lib/local/endpoint-file';
import { startAwsDoubles, type AwsDoubles, useAwsDoubles } from '../support/aws-doubles';
import { freshTable } from '../support/dynamo';
import { GROUP, PATCH_OP, userBody } from '../support/server';

/**
 * `npm run audit` against DynamoDB Local: the entries changes wrote, newest first, as text an
 * operator reads and as JSON lines a SIEM takes; narrowed by resource, actor and time; paged
 * with a cursor; reading a table by name, a stack's table (through its TableName output) and
 * the local endpoint's data.
 */
describe('npm run audit', () => {
  let table: Awaited<ReturnType<typeof freshTable>>;
  const ids: Record<string, string> = {};
  const ctx = (name: string, requestId: string): CallContext => ({
    baseUrl: 'https://scim.example.com/scim/v2',
    request: { actor: { tokenId: `tok-${name}`, name }, requestId, directory: 'default', userAgent: `${name} client`, sourceAddress: '203.0.113.9' },
  });

  beforeAll(async () => {
    table = await freshTable('audit-cli');
    const settings = { client: table.client, tableName: table.tableName, directoryId: 'default' };
    const users = usersService(settings);
    const groups = groupsService(settings);
    ids.ada = String((await users.create(userBody('ada@example.com'), ctx('okta-prod', 'r1'))).body!.id);
    ids.grace = String((await users.create(userBody('grace@example.com'), ctx('jumpcloud', 'r2'))).body!.id);
    await users.patch(ids.ada, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Ada Lovelace' }] }, ctx('okta-prod', 'r3'));
    ids.team = String((await groups.create({ schemas: [GROUP], displayName: 'Team', members: [{ value: ids.ada }, { value: ids.grace }] }, ctx('jumpcloud', 'r4'))).body!.id);
    await users.delete(ids.grace, ctx('okta-prod', 'r5'));
  });
  afterAll(() => table.client.destroy());

  async function run(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runAuditCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) }, {}, new Date());
    return { code, out: out.join('\n'), lines: out, err: err.join('\n') };
  }
  const target = () => ['--table', table.tableName, '--endpoint', table.endpoint];

  it('prints every entry newest first: when, actor, operation, resource, request, then each change', async () => {
    const { code, out, lines } = await run(...target());
    expect(code).toBe(0);
    expect(lines[0]).toBe(`Audit of directory default in table ${table.tableName}, newest first:`);
    const heads = lines.filter((l) => /^\d{4}-/.test(l));
    expect(heads.map((l) => l.split('  ').slice(1, 4))).toEqual([
      ['okta-prod (tok-okta-prod)', 'delete', 'User'],
      ['jumpcloud (tok-jumpcloud)', 'create', 'Group'],
      ['okta-prod (tok-okta-prod)', 'patch', 'User'],
      ['jumpcloud (tok-jumpcloud)', 'create', 'User'],
      ['okta-prod (tok-okta-prod)', 'create', 'User'],
    ]);
    expect(out).toContain(`Team (${ids.team})  request r4  from 203.0.113.9`);
    expect(out).toContain('    displayName: "Test User" → "Ada Lovelace"');
    expect(out).toContain(`    members: +2 (${ids.ada}, ${ids.grace})`);
    expect(out).toContain(`    groups: -1 (${ids.team})`);
  });

  it("--directory: one directory's entries only, whatever the other directories of the table hold", async () => {
    const settings = { client: table.client, tableName: table.tableName, directoryId: 'contractors' };
    const inContractors: CallContext = { ...ctx('okta-contractors', 'c1'), request: { ...ctx('okta-contractors', 'c1').request, directory: 'contractors' } };
    // The same userName as the deployment's own ada: another user, audited in its own directory.
    const id = String((await usersService(settings).create(userBody('ada@example.com'), inContractors)).body!.id);
    const theirs = await run(...target(), '--directory', 'contractors', '--json');
    expect(theirs.code).toBe(0);
    expect(theirs.lines.map((l) => JSON.parse(l)).map((e) => [e.directory, e.resourceId, e.actor.name])).toEqual([['contractors', id, 'okta-contractors']]);
    // The deployment's own trail is as it was: the five entries of its own requests.
    const own = await run(...target(), '--json');
    expect(own.lines.map((l) => JSON.parse(l).requestId)).toEqual(['r5', 'r4', 'r3', 'r2', 'r1']);
    // A cursor of the deployment's own trail is refused in another directory's.
    const paged = await run(...target(), '--limit', '1');
    const cursor = /--cursor (\S+)/.exec(paged.err)![1];
    expect(await run(...target(), '--directory', 'contractors', '--cursor', cursor)).toMatchObject({ code: 1, err: expect.stringMatching(/cursor is not one/) });
    expect(await run(...target(), '--directory', 'Not_A_Directory')).toMatchObject({ code: 1, err: expect.stringMatching(/--directory is a directory id/) });
  });

  it('--json: one object per line with at, actor, operation, resourceType, resourceId, requestId and changes', async () => {
    const { code, lines } = await run(...target(), '--json');
    expect(code).toBe(0);
    const entries = lines.map((l) => JSON.parse(l));
    expect(entries).toHaveLength(5);
    for (const e of entries) {
      expect(e).toEqual(expect.objectContaining({ at: expect.any(String), actor: { tokenId: expect.any(String), name: expect.any(String) }, operation: expect.any(String), resourceType: expect.any(String), resourceId: expect.any(String), requestId: expect.any(String) }));
      expect(e.changes.every((c: { path: unknown }) => typeof c.path === 'string')).toBe(true);
    }
    expect(entries.map((e) => e.requestId)).toEqual(['r5', 'r4', 'r3', 'r2', 'r1']);
  });

  it('narrows by --resource, --actor and --since', async () => {
    const ada = (await run(...target(), '--resource', ids.ada, '--json')).lines.map((l) => JSON.parse(l));
    expect(ada.map((e) => e.operation)).toEqual(['patch', 'create']);
    const byJumpcloud = (await run(...target(), '--actor', 'jumpcloud', '--json')).lines.map((l) => JSON.parse(l));
    expect(byJumpcloud.map((e) => e.requestId)).toEqual(['r4', 'r2']);
    const all = (await run(...target(), '--json')).lines.map((l) => JSON.parse(l));
    const since = (await run(...target(), '--since', all[1].at, '--json')).lines.map((l) => JSON.parse(l));
    expect(since.map((e) => e.requestId)).toEqual(['r5', 'r4']);
    expect((await run(...target(), '--since', '1h', '--json')).lines).toHaveLength(5);
    const none = await run(...target(), '--actor', 'nobody');
    expect(none.out).toContain('  (no entries)');
  });

  it('pages: --limit says how to go on, --cursor goes on without overlap', async () => {
    const first = await run(...target(), '--limit', '2', '--json');
    expect(first.lines).toHaveLength(2);
    const cursor = JSON.parse(first.err).nextCursor as string;
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const rest = await run(...target(), '--cursor', cursor, '--json');
    expect(rest.err).toBe('');
    const requestIds = [...first.lines, ...rest.lines].map((l) => JSON.parse(l).requestId);
    expect(requestIds).toEqual(['r5', 'r4', 'r3', 'r2', 'r1']);
    const text = await run(...target(), '--limit', '1');
    expect(text.err).toMatch(/^More entries follow: add --cursor [A-Za-z0-9_-]+$/);
  });

  it.each([
    [[], /exactly one target/],
    [['--local', '--table', 't'], /exactly one target/],
    [['--table', 't', '--since', 'soon'], /--since must be/],
    [['--table', 't', '--limit', '0'], /--limit must be a whole number/],
    [['--table', 't', '--limit', '3', '--all'], /--limit or --all/],
    [['--table', 't', '--directory', 'a#b'], /--directory is/],
    [['--stack', 's', '--endpoint', 'http://x'], /--endpoint goes with --table/],
  ])('refuses %j in one line, exit code 1', async (argv, message) => {
    const result = await run(...argv);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(message);
    expect(result.err).not.toMatch(/\n\s+at /);
  });

  it('refuses a cursor it did not give', async () => {
    const result = await run(...target(), '--cursor', 'bm90LWEtY3Vyc29y');
    expect(result).toMatchObject({ code: 1, err: expect.stringMatching(/cursor is not one/) });
  });

  describe('other targets', () => {
    let aws: AwsDoubles;
    let restoreEnv: () => void;
    beforeAll(async () => {
      aws = await startAwsDoubles();
      aws.stacks.set('ScimEndpoint', { ScimBaseUrl: 'https://x/scim/v2', TokenSecretArn: 'arn:x', TableName: table.tableName });
      restoreEnv = useAwsDoubles(aws, 'us-east-1', table.endpoint);
    });
    afterAll(async () => {
      restoreEnv();
      await aws.close();
    });

    it('--stack: the table named by the stack output, read with the standard credential chain', async () => {
      const out: string[] = [];
      const code = await runAuditCli(['--stack', 'ScimEndpoint', '--json'], { out: (t) => out.push(t), err: () => undefined });
      expect(code).toBe(0);
      expect(aws.calls).toEqual(['cloudformation.DescribeStacks']);
      expect(out.map((l) => JSON.parse(l).requestId)).toEqual(['r5', 'r4', 'r3', 'r2', 'r1']);
    });

    it('--local: the DynamoDB Local a running npm start names in its data folder', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'scim-audit-local-'));
      try {
        writeEndpointInfo(dataDir, { baseUrl: 'http://127.0.0.1:1/scim/v2', dynamodbEndpoint: table.endpoint, tableName: table.tableName, directoryId: 'default', profile: 'rfc', pid: process.pid });
        const result = await run('--local', '--data-dir', dataDir, '--resource', ids.team);
        expect(result.code).toBe(0);
        expect(result.lines[0]).toContain('the running local endpoint');
        expect(result.out).toContain('jumpcloud (tok-jumpcloud)  create  Group');
        // No endpoint running and no data: said plainly.
        rmSync(join(dataDir, ENDPOINT_FILE));
        expect(await run('--local', '--data-dir', dataDir)).toMatchObject({ code: 1, err: expect.stringMatching(/No local data in/) });
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });

  it('npm run audit works as a process (bin/audit.ts)', () => {
    const run = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'bin/audit.ts', ...target(), '--actor', 'okta-prod', '--json'], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n').map((l) => JSON.parse(l).requestId)).toEqual(['r5', 'r3', 'r1']);
    const help = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'bin/audit.ts', '--help'], { encoding: 'utf8', timeout: 60_000 });
    expect(help.stdout).toContain('Usage: npm run audit');
  });
});
