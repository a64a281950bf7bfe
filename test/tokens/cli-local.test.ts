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
 * The local endpoint over a fresh table, accepting the tokens of a fresh data folder's tokens
 * file, as `npm start` does; set up before and torn down after the tests of a describe block.
 */
function localEndpointWithTokensFile(prefix: string) {
  const dataDir = mkdtempSync(join(tmpdir(), `scim-${prefix}-`));
  const env = { dataDir, file: join(dataDir, LOCAL_TOKENS_FILE), local: ['--local', '--data-dir', dataDir] } as {
    dataDir: string;
    file: string;
    local: string[];
    server: Awaited<ReturnType<typeof startLocalServer>>;
  };
  let table: Awaited<ReturnType<typeof freshTable>>;
  beforeAll(async () => {
    table = await freshTable(prefix);
    env.server = await startLocalServer({
      store: { client: table.client, tableName: table.tableName, directoryId: 'default' },
      verifier: new FileTokenVerifier(env.file),
      logger: silentLogger,
      port: 0,
    });
  });
  afterAll(async () => {
    await env.server.close();
    table.client.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return env;
}

/**
 * `npm run token -- ... --local` against the local endpoint: tokens created by the CLI are
 * accepted by the running server over HTTP, and a revoked one is refused by the next request.
 */
describe('token CLI against the local endpoint', () => {
  const env = localEndpointWithTokensFile('tokens');
  const { dataDir, file, local } = env;

  const status = async (token: string) =>
    (await fetch(`${env.server.baseUrl}/Users`, { headers: { Authorization: `Bearer ${token}` } })).status;

  it('create: the token is printed once, the file keeps its hash (mode 0600), and the server accepts it', async () => {
    expect(await status('anything')).toBe(401); // no file yet: nothing is accepted
    const created = await cli('create', '--name', 'jumpcloud', ...local);
    expect(created.code).toBe(0);
    expect(created.token).toBeDefined();
    const stored = readFileSync(file, 'utf8');
    expect(stored).not.toContain(created.token!);
    expect(JSON.parse(stored).tokens[0]).toMatchObject({ id: created.id, createdAt: expect.any(String), expiresAt: expect.any(String) });
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(await status(created.token!)).toBe(200);
  });

  it('at most two active; list shows ids and dates but never a token or a hash; revoke takes effect on the next request', async () => {
    const second = await cli('create', '--name', 'jumpcloud', ...local, '--expires-in-days', '30');
    expect(second.code).toBe(0);
    const third = await cli('create', '--name', 'jumpcloud', ...local);
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
    [['create', '--local'], /create needs --name NAME/],
    [['create', '--local', '--name', 'has space'], /A token name is 1 to 64 letters/],
    [['create', '--local', '--name', 'x', '--scope', 'admin'], /The scope is one of provision, read/],
    [['create', '--local', '--name', 'x', '--days', '2', '--expires-in-days', '2'], /--days or --expires-in-days, not both/],
    [['list', '--local', '--name', 'x'], /--name and --scope go with create/],
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

describe('token CLI --local: named tokens with scopes', () => {
  const env = localEndpointWithTokensFile('named-tokens');
  const { file, local } = env;

  const call = async (token: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${env.server.baseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/scim+json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json().catch(() => undefined)) as any };
  };

  it('create --json prints one object with the token once; a read token reads and is refused writes with 403', async () => {
    const lines: string[] = [];
    expect(await runTokenCli(['create', '--name', 'hr-reader', '--scope', 'read', '--days', '30', '--json', ...local], { out: (t) => lines.push(t), err: () => undefined }, {})).toBe(0);
    expect(lines).toHaveLength(1);
    const reader = JSON.parse(lines[0]);
    expect(reader).toEqual({
      id: expect.stringMatching(/^tok-/),
      name: 'hr-reader',
      scope: 'read',
      directory: 'default',
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      createdAt: expect.any(String),
      expiresAt: expect.any(String),
    });
    expect(Math.round((Date.parse(reader.expiresAt) - Date.parse(reader.createdAt)) / 86_400_000)).toBe(30);
    expect(readFileSync(file, 'utf8')).not.toContain(reader.token);

    const provisioner = await cli('create', '--name', 'jumpcloud', ...local);
    expect(provisioner.out).toContain(`New token ${provisioner.id} (name jumpcloud, scope provision)`);
    const body = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'named@example.com' };
    const refused = await call(reader.token, 'POST', '/Users', body);
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '403', detail: expect.stringContaining('"read" scope') });
    const created = await call(provisioner.token!, 'POST', '/Users', body);
    expect(created.status).toBe(201);
    expect((await call(reader.token, 'GET', `/Users/${created.json.id}`)).status).toBe(200);

    // The audit names the provisioning token, and the read token may read it.
    const audit = await call(reader.token, 'GET', '/Audit');
    expect(audit.status).toBe(200);
    expect(audit.json.Resources).toHaveLength(1);
    expect(audit.json.Resources[0]).toMatchObject({ operation: 'create', resourceId: created.json.id, actor: { tokenId: provisioner.id, name: 'jumpcloud' } });
  });

  it('list shows id, name, scope, directory, state, created and expires; --json one object per token with every field, never a hash', async () => {
    const listed = await cli('list', ...local);
    const records = JSON.parse(readFileSync(file, 'utf8')).tokens as { id: string; sha256: string; name: string }[];
    expect(listed.out).toMatch(/^ {2}ID +NAME +SCOPE +DIRECTORY +STATE +CREATED +EXPIRES$/m);
    for (const r of records) {
      expect(listed.out).toMatch(new RegExp(`^ {2}${r.id} +${r.name} +(read|provision) +default +active +\\d{4}-`, 'm'));
      expect(listed.out).not.toContain(r.sha256);
    }
    const lines: string[] = [];
    expect(await runTokenCli(['list', '--json', ...local], { out: (t) => lines.push(t), err: () => undefined }, {})).toBe(0);
    const parsed = lines.map((l) => JSON.parse(l));
    expect(parsed.map((p) => [p.name, p.scope, p.state]).sort()).toEqual([['hr-reader', 'read', 'active'], ['jumpcloud', 'provision', 'active']]);
    for (const p of parsed) expect(Object.keys(p).sort()).toEqual(['createdAt', 'directory', 'expiresAt', 'id', 'name', 'scope', 'state']);
    expect(lines.join('\n')).not.toMatch(/sha256/);
  });
});

describe('token CLI --local: concurrent operators', () => {
  test('two creates at once both keep their token (the tokens file is changed under a lock)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scim-tokens-race-'));
    try {
      const local = ['--local', '--data-dir', dir];
      const [a, b] = await Promise.all([cli('create', '--name', 'jumpcloud', ...local), cli('create', '--name', 'jumpcloud', ...local)]);
      expect([a.code, b.code]).toEqual([0, 0]);
      const ids = JSON.parse(readFileSync(join(dir, LOCAL_TOKENS_FILE), 'utf8')).tokens.map((t: { id: string }) => t.id).sort();
      expect(ids).toEqual([a.id, b.id].sort());
      expect(existsSync(join(dir, `${LOCAL_TOKENS_FILE}.lock`))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
