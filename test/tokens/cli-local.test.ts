import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../lambda/http/log';
import { FileTokenVerifier } from '../../lib/local/file-token-verifier';
import { startLocalServer } from '../../lib/local/server';
import { LOCAL_TOKENS_FILE, runTokenCli } from '../../lib/tokens/cli';
import { freshTable } from '../support/dynamo';

/** Runs the CLI in-process and captures what it prints. */
async function cli(...argv: string[]) {
  const lines: string[] = [];
  const errors: string[] = [];
  const code = await runTokenCli(argv, { out: (t) => lines.push(t), err: (t) => errors.push(t) }, {});
  const out = lines.join('\n');
  const token = /^ {2}([A-Za-z0-9_-]{43})$/m.exec(out)?.[1];
  const id = /New token (tok-[0-9a-f]+)/.exec(out)?.[1];
  return { code, out, err: errors.join('\n'), token, id };
}

/**
 * `npm run token -- ... --local` against the local endpoint: tokens created by the CLI are
 * accepted by the running server over HTTP, and a revoked one is refused by the next request.
 */
describe('token CLI against the local endpoint', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'scim-tokens-'));
  const file = join(dataDir, LOCAL_TOKENS_FILE);
  let server: Awaited<ReturnType<typeof startLocalServer>>;
  let table: Awaited<ReturnType<typeof freshTable>>;

  beforeAll(async () => {
    table = await freshTable('tokens');
    server = await startLocalServer({
      store: { client: table.client, tableName: table.tableName, directoryId: 'default' },
      verifier: new FileTokenVerifier(file),
      logger: silentLogger,
      port: 0,
    });
  });
  afterAll(async () => {
    await server.close();
    table.client.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const status = async (token: string) =>
    (await fetch(`${server.baseUrl}/Users`, { headers: { Authorization: `Bearer ${token}` } })).status;
  const local = ['--local', '--data-dir', dataDir];

  it('create: the token is printed once, the file keeps its hash (mode 0600), and the server accepts it', async () => {
    expect(await status('anything')).toBe(401); // no file yet: nothing is accepted
    const created = await cli('create', ...local);
    expect(created.code).toBe(0);
    expect(created.token).toBeDefined();
    const stored = readFileSync(file, 'utf8');
    expect(stored).not.toContain(created.token!);
    expect(JSON.parse(stored).tokens[0]).toMatchObject({ id: created.id, createdAt: expect.any(String), expiresAt: expect.any(String) });
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(await status(created.token!)).toBe(200);
  });

  it('at most two active; list shows ids and dates but never a token or a hash; revoke takes effect on the next request', async () => {
    const second = await cli('create', ...local, '--expires-in-days', '30');
    expect(second.code).toBe(0);
    const third = await cli('create', ...local);
    expect(third.code).toBe(1);
    expect(third.err).toMatch(/already active.*revoke one first/);

    const listed = await cli('list', ...local);
    const records = JSON.parse(readFileSync(file, 'utf8')).tokens as { id: string; sha256: string }[];
    expect(records).toHaveLength(2);
    for (const r of records) {
      expect(listed.out).toContain(r.id);
      expect(listed.out).not.toContain(r.sha256);
    }
    expect(listed.out).not.toContain(second.token!);

    expect(await status(second.token!)).toBe(200);
    const revoked = await cli('revoke', second.id!, ...local);
    expect(revoked.code).toBe(0);
    expect(await status(second.token!)).toBe(401);
  });

  it('rotate: the new token works at once and the old one until its grace period ends', async () => {
    const before = JSON.parse(readFileSync(file, 'utf8')).tokens as { id: string }[];
    const rotated = await cli('rotate', ...local, '--grace-hours', '2');
    expect(rotated.code).toBe(0);
    expect(rotated.out).toMatch(new RegExp(`Token ${before[0].id} keeps working until`));
    expect(await status(rotated.token!)).toBe(200);
    const old = (JSON.parse(readFileSync(file, 'utf8')).tokens as { id: string; expiresAt: string }[]).find((r) => r.id === before[0].id)!;
    const hoursLeft = (Date.parse(old.expiresAt) - Date.now()) / 3_600_000;
    expect(hoursLeft).toBeGreaterThan(1.9);
    expect(hoursLeft).toBeLessThanOrEqual(2);
  });

  it.each([
    [['create'], /exactly one target/],
    [['create', '--local', '--stack', 'x'], /exactly one target/],
    [['revoke', '--local'], /needs the id/],
    [['revoke', 'tok-unknown', '--local'], /No token with id/],
    [['frobnicate', '--local'], /Unknown command/],
    [['create', '--local', '--expires-in-days', 'soon'], /must be a whole number/],
    [['create', '--local', '--expires-in-days', '0.5'], /must be a whole number from 1 to 3650/],
    [['rotate', '--local', '--grace-hours', '1.5'], /--grace-hours must be a whole number from 0 to 2160/],
    [['create', '--secret', 's', '--data-dir', '/tmp'], /--data-dir goes with --local/],
  ])('refuses %j with one clear line and exit code 1', async (argv, message) => {
    const result = await cli(...argv, ...(argv.includes('--local') ? ['--data-dir', dataDir] : []));
    expect(result.code).toBe(1);
    expect(result.err).toMatch(message);
    expect(result.err).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('npm run token works as a process (bin/token.ts)', () => {
    const run = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'bin/token.ts', 'list', '--local', '--data-dir', dataDir], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`Tokens in file ${file}`);
    const help = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'bin/token.ts'], { encoding: 'utf8', timeout: 60_000 });
    expect(help.status).toBe(2);
    expect(help.stdout).toContain('Usage: npm run token');
  });
});

describe('token CLI --local: concurrent operators', () => {
  test('two creates at once both keep their token (the tokens file is changed under a lock)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scim-tokens-race-'));
    try {
      const local = ['--local', '--data-dir', dir];
      const [a, b] = await Promise.all([cli('create', ...local), cli('create', ...local)]);
      expect([a.code, b.code]).toEqual([0, 0]);
      const ids = JSON.parse(readFileSync(join(dir, LOCAL_TOKENS_FILE), 'utf8')).tokens.map((t: { id: string }) => t.id).sort();
      expect(ids).toEqual([a.id, b.id].sort());
      expect(existsSync(join(dir, `${LOCAL_TOKENS_FILE}.lock`))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
