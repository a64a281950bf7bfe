import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { networkInterfaces, platform, tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { runTokenCli } from '../../lib/tokens/cli';
import { runAuditCli } from '../../lib/audit/cli';
import { localEndpoint } from '../support/dynamo';
import { startLocalProcess } from '../support/local-process';
import { USER_SCHEMA } from '../support/server';

/** Whether a TCP connection to host:port is accepted within `ms`. */
function reachable(host: string, port: number, ms = 2000): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    const end = (result: boolean) => (socket.destroy(), done(result));
    socket.setTimeout(ms, () => end(false));
    socket.once('connect', () => end(true)).once('error', () => end(false));
  });
}

/**
 * Addresses of this machine other than 127.0.0.1: each non-internal interface address
 * (link-local IPv6 left out: it needs a scope) and, on Linux, 127.0.0.2 (all of 127/8 reaches
 * the loopback interface there, so a socket bound to every interface answers it and one bound
 * to 127.0.0.1 does not). Each is checked against a control listener on every interface, so
 * that an address no socket could be reached on does not pass for a refusal.
 */
async function otherAddresses(): Promise<string[]> {
  const candidates = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && !a.internal && !a.address.startsWith('fe80:'))
    .map((a) => a!.address);
  if (platform() === 'linux') candidates.push('127.0.0.2');
  const control = createServer((socket) => socket.destroy());
  await new Promise<void>((done) => control.listen(0, '::', done));
  const port = (control.address() as AddressInfo).port;
  try {
    const usable: string[] = [];
    for (const address of candidates) if (await reachable(address, port)) usable.push(address);
    return usable;
  } finally {
    control.close();
  }
}

/** Every file and folder under `dir` (and `dir`) with its permission bits. */
function modes(dir: string): { path: string; dir: boolean; mode: number }[] {
  const found = [{ path: dir, dir: true, mode: statSync(dir).mode & 0o777 }];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    found.push({ path, dir: entry.isDirectory(), mode: statSync(path).mode & 0o777 });
  }
  return found;
}

/**
 * The contract `npm start` keeps with the outside (README, external checks): SCIM at
 * http://127.0.0.1:$PORT/scim/v2, PORT, SCIM_TOKEN and SCIM_IN_MEMORY honoured, data and the
 * generated token kept across restarts, and Ctrl-C stopping DynamoDB Local too.
 */
describe('npm start (bin/local.ts as a process)', () => {
  jest.setTimeout(120_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'scim-local-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const start = startLocalProcess;

  const dynamoPortOf = (output: string) => Number(/DynamoDB:\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
  const dynamoPidOf = (output: string) => Number(/DynamoDB:.*pid (\d+)/.exec(output)?.[1]);
  const until = async (what: string, ok: () => boolean | Promise<boolean>, ms = 60_000) => {
    const deadline = Date.now() + ms;
    while (!(await ok())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  it('keeps users and the generated token across a restart, and stops DynamoDB Local with it', async () => {
    const first = await start({ SCIM_DATA_DIR: dataDir });
    const token = readFileSync(join(dataDir, 'token'), 'utf8').trim();
    expect(first.output()).toContain(`Base URL:   http://127.0.0.1:${first.port}/scim/v2`);
    expect(first.output()).toContain(token);
    expect(statSync(join(dataDir, 'token')).mode & 0o077).toBe(0);
    const base = `http://127.0.0.1:${first.port}/scim/v2`;
    const created = await fetch(`${base}/Users`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' },
      body: JSON.stringify({ schemas: [USER_SCHEMA], userName: 'persist@example.com' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const dynamoPort = dynamoPortOf(first.output());
    expect(await first.stop()).toBe(0);
    await expect(fetch(`http://127.0.0.1:${dynamoPort}`)).rejects.toThrow();
    // With the endpoint stopped, `npm run audit -- --local` reads the kept data with a DynamoDB Local of its own.
    const audit = await auditLocal(dataDir);
    expect(audit.map((e) => [e.operation, e.resourceId, e.actor.name])).toEqual([['create', id, 'local-generated']]);

    const second = await start({ SCIM_DATA_DIR: dataDir });
    try {
      const res = await fetch(`http://127.0.0.1:${second.port}/scim/v2/Users/${id}`, { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { userName: string }).userName).toBe('persist@example.com');
    } finally {
      await second.stop();
    }
  });

  it('serves a directory made with npm run directory while it runs, and deletes it through its own DynamoDB Local', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scim-local-directories-'));
    const run = await start({ SCIM_DATA_DIR: dir });
    const cli = async (script: string, ...args: string[]) =>
      (await promisify(execFile)(process.execPath, ['--import', 'tsx', script, ...args, '--local', '--data-dir', dir])).stdout;
    try {
      expect(run.output()).toContain('/<id>/scim/v2');
      expect(JSON.parse(readFileSync(join(dir, 'endpoint.json'), 'utf8'))).toMatchObject({ baseUrl: `http://127.0.0.1:${run.port}/scim/v2`, pid: run.child.pid });
      const made = JSON.parse(await cli('bin/directory.ts', 'create', 'contractors', '--json'));
      expect(made.baseUrl).toBe(`http://127.0.0.1:${run.port}/contractors/scim/v2`);
      const token = /^ {2}([A-Za-z0-9_-]{43})$/m.exec(await cli('bin/token.ts', 'create', '--name', 'okta-contractors', '--directory', 'contractors'))![1];
      const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' };
      const created = await fetch(`${made.baseUrl}/Users`, { method: 'POST', headers, body: JSON.stringify({ schemas: [USER_SCHEMA], userName: 'c@example.com' }) });
      expect(created.status).toBe(201);
      expect((await fetch(`http://127.0.0.1:${run.port}/scim/v2/Users`, { headers })).status).toBe(401);
      const deleted = JSON.parse(await cli('bin/directory.ts', 'delete', 'contractors', '--yes', '--grace-seconds', '0', '--json'));
      expect(deleted).toMatchObject({ id: 'contractors', revokedTokens: 2 });
      expect(deleted.deletedItems).toBeGreaterThanOrEqual(3);
      expect((await fetch(`${made.baseUrl}/Users`, { headers })).status).toBe(401);
    } finally {
      await run.stop();
    }
    expect(existsSync(join(dir, 'endpoint.json'))).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });

  /** `npm run audit -- --local --json` on a data folder: the entries, newest first. */
  async function auditLocal(dir: string): Promise<{ operation: string; resourceId: string; actor: { name: string }; userAgent?: string }[]> {
    const lines: string[] = [];
    const errors: string[] = [];
    const code = await runAuditCli(['--local', '--data-dir', dir, '--json'], { out: (t) => lines.push(t), err: (t) => errors.push(t) }, {});
    expect({ code, errors }).toEqual({ code: 0, errors: [] });
    return lines.map((l) => JSON.parse(l));
  }

  /** Creates a named token with the CLI, as an operator would, and returns it. */
  async function createToken(dir: string, name: string): Promise<{ id: string; token: string }> {
    const lines: string[] = [];
    const code = await runTokenCli(['create', '--local', '--data-dir', dir, '--name', name, '--json'], { out: (t) => lines.push(t), err: (t) => lines.push(t) }, {});
    expect({ code, lines }).toMatchObject({ code: 0 });
    return JSON.parse(lines[0]);
  }

  /** Milliseconds until the running endpoint accepts `token` (polling every 100 ms, for at most 10 s). */
  async function acceptedWithin(base: string, token: string): Promise<number> {
    const started = Date.now();
    while (Date.now() - started < 10_000) {
      if ((await fetch(`${base}/Users`, { headers: { Authorization: `Bearer ${token}` } })).status === 200) return Date.now() - started;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('The running endpoint did not accept the new token within 10 s.');
  }

  it('accepts a token the CLI creates on the same SCIM_DATA_DIR within 10 s, without a restart, and audits with its name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scim-hot-'));
    const run = await start({ SCIM_DATA_DIR: dir });
    try {
      const base = `http://127.0.0.1:${run.port}/scim/v2`;
      const created = await createToken(dir, 'okta-prod');
      expect(await acceptedWithin(base, created.token)).toBeLessThan(10_000);
      const user = await fetch(`${base}/Users`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${created.token}`, 'Content-Type': 'application/scim+json', 'User-Agent': 'Okta SCIM Client 1.0.0' },
        body: JSON.stringify({ schemas: [USER_SCHEMA], userName: 'hot@example.com' }),
      });
      expect(user.status).toBe(201);
      const audit = (await (await fetch(`${base}/Audit`, { headers: { Authorization: `Bearer ${created.token}` } })).json()) as { Resources: Record<string, unknown>[] };
      expect(audit.Resources[0]).toMatchObject({ actor: { tokenId: created.id, name: 'okta-prod' }, userAgent: 'Okta SCIM Client 1.0.0', sourceAddress: '127.0.0.1' });
      // While it runs, `npm run audit -- --local` reads through its DynamoDB Local.
      expect((await auditLocal(dir)).map((e) => [e.operation, e.actor.name, e.userAgent])).toEqual([['create', 'okta-prod', 'Okta SCIM Client 1.0.0']]);
    } finally {
      await run.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('listens on 127.0.0.1 only, DynamoDB Local included, and keeps its data folder private (0700, files 0600)', async () => {
    // A data folder left by an earlier version, world-readable: tightened at start.
    const privateDir = mkdtempSync(join(tmpdir(), 'scim-private-'));
    chmodSync(privateDir, 0o755);
    mkdirSync(join(privateDir, 'dynamodb'), { mode: 0o755 });
    writeFileSync(join(privateDir, 'dynamodb', 'old-notes.txt'), 'x', { mode: 0o644 });
    const run = await start({ SCIM_DATA_DIR: privateDir });
    try {
      const token = readFileSync(join(privateDir, 'token'), 'utf8').trim();
      const created = await fetch(`http://127.0.0.1:${run.port}/scim/v2/Users`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' },
        body: JSON.stringify({ schemas: [USER_SCHEMA], userName: 'private@example.com' }),
      });
      expect(created.status).toBe(201);
      const dynamoPort = dynamoPortOf(run.output());
      expect(await reachable('127.0.0.1', dynamoPort)).toBe(true);
      expect(await reachable('127.0.0.1', run.port)).toBe(true);
      const others = await otherAddresses();
      expect(others.length).toBeGreaterThan(0);
      for (const address of others) {
        expect({ address, dynamoDb: await reachable(address, dynamoPort), scim: await reachable(address, run.port) }).toEqual({ address, dynamoDb: false, scim: false });
      }
      const found = modes(privateDir);
      expect(found.map((f) => f.path)).toEqual(expect.arrayContaining([join(privateDir, 'token'), join(privateDir, 'tokens.json'), join(privateDir, 'dynamodb', 'shared-local-instance.db')]));
      for (const f of found) expect({ path: f.path, mode: f.mode.toString(8) }).toEqual({ path: f.path, mode: f.dir ? '700' : '600' });
      process.stdout.write(`local endpoint: refused on ${others.join(', ')} (DynamoDB Local and SCIM), served on 127.0.0.1; ${found.length} entries of the data folder private\n`);
    } finally {
      await run.stop();
      rmSync(privateDir, { recursive: true, force: true });
    }
  });

  it("the test file's own DynamoDB Local listens on 127.0.0.1 only", async () => {
    const port = Number(new URL(await localEndpoint()).port);
    expect(await reachable('127.0.0.1', port)).toBe(true);
    for (const address of await otherAddresses()) expect({ address, reachable: await reachable(address, port) }).toEqual({ address, reachable: false });
  });

  it('starts DynamoDB Local again when it is killed, on the same port and data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scim-restart-'));
    const run = await start({ SCIM_DATA_DIR: dir, SCIM_TOKEN: 'restart-token' });
    const base = `http://127.0.0.1:${run.port}/scim/v2`;
    const headers = { Authorization: 'Bearer restart-token', 'Content-Type': 'application/scim+json' };
    try {
      const created = await fetch(`${base}/Users`, { method: 'POST', headers, body: JSON.stringify({ schemas: [USER_SCHEMA], userName: 'survivor@example.com' }) });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };
      const first = dynamoPidOf(run.output());
      // A write acknowledged well before the crash (README, "Local durability").
      await new Promise((r) => setTimeout(r, 200));
      process.kill(first, 'SIGKILL');
      const killedAt = Date.now();
      await until('the restart', () => run.output().includes('DynamoDB Local is back'));
      process.stdout.write(`local endpoint: DynamoDB Local back ${Date.now() - killedAt} ms after SIGKILL\n`);
      expect(run.output()).toContain(`DynamoDB Local (pid ${first}) was killed (SIGKILL)`);
      await until('a 200', async () => (await fetch(`${base}/Users/${id}`, { headers })).status === 200, 20_000);
      const back = (await (await fetch(`${base}/Users/${id}`, { headers })).json()) as { userName: string };
      expect(back.userName).toBe('survivor@example.com');
      const second = Number(/DynamoDB Local is back \(pid (\d+)\)/.exec(run.output())?.[1]);
      expect(second).not.toBe(first);
      expect(await reachable('127.0.0.1', dynamoPortOf(run.output()))).toBe(true);
    } finally {
      expect(await run.stop()).toBe(0);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('in memory, reads the tokens the CLI keeps in SCIM_DATA_DIR too (and writes nothing)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scim-hot-mem-'));
    const run = await start({ SCIM_DATA_DIR: dir, SCIM_IN_MEMORY: '1', SCIM_TOKEN: 'memory-token' });
    try {
      const created = await createToken(dir, 'jumpcloud');
      expect(await acceptedWithin(`http://127.0.0.1:${run.port}/scim/v2`, created.token)).toBeLessThan(10_000);
    } finally {
      await run.stop();
    }
    expect(() => statSync(join(dir, 'dynamodb'))).toThrow();
    rmSync(dir, { recursive: true, force: true });
  });

  it('in memory, stops with a clear message when DynamoDB Local dies (its data is gone)', async () => {
    const run = await start({ SCIM_IN_MEMORY: '1', SCIM_TOKEN: 'memory-token' });
    const exited = new Promise<number | null>((done) => run.child.once('exit', (code) => done(code)));
    process.kill(dynamoPidOf(run.output()), 'SIGKILL');
    expect(await exited).toBe(1);
    expect(run.output()).toContain('its data was in memory and is gone');
    expect(run.output()).toContain('scim-endpoint stopped: DynamoDB Local is gone. It is not restarted.');
    expect(await reachable('127.0.0.1', run.port)).toBe(false);
  });

  it('with SCIM_IN_MEMORY=1 and SCIM_TOKEN keeps nothing and accepts only that token', async () => {
    const emptyDir = mkdtempSync(join(tmpdir(), 'scim-mem-'));
    const run = await start({ SCIM_DATA_DIR: emptyDir, SCIM_IN_MEMORY: '1', SCIM_TOKEN: 'chosen-token-value' });
    try {
      expect(run.output()).not.toContain('chosen-token-value');
      const base = `http://127.0.0.1:${run.port}/scim/v2`;
      expect((await fetch(`${base}/Users`, { headers: { Authorization: 'Bearer chosen-token-value' } })).status).toBe(200);
      expect((await fetch(`${base}/Users`, { headers: { Authorization: 'Bearer other' } })).status).toBe(401);
    } finally {
      await run.stop();
    }
    expect(() => statSync(join(emptyDir, 'token'))).toThrow();
    expect(() => statSync(join(emptyDir, 'dynamodb'))).toThrow();
    rmSync(emptyDir, { recursive: true, force: true });
  });

  it('with SCIM_STORE=memory serves the same handlers with no DynamoDB Local: users, groups, members, audit; nothing written; a bad value refuses to start', async () => {
    const emptyDir = mkdtempSync(join(tmpdir(), 'scim-store-mem-'));
    const run = await start({ SCIM_DATA_DIR: emptyDir, SCIM_STORE: 'memory', SCIM_TOKEN: 'memory-token' });
    const scim = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`http://127.0.0.1:${run.port}/scim/v2${path}`, {
        method,
        headers: { Authorization: 'Bearer memory-token', ...(body ? { 'Content-Type': 'application/scim+json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : undefined };
    };
    try {
      expect(run.output()).toContain('Store:      in memory (SCIM_STORE=memory)');
      expect(run.output()).not.toMatch(/DynamoDB:.*pid/);
      // No Java child: the process has no DynamoDB Local under it.
      const children = readFileSync(`/proc/${run.child.pid}/task/${run.child.pid}/children`, 'utf8').trim();
      expect(children).toBe('');
      const user = await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'Mem@Example.com' });
      expect(user.status).toBe(201);
      expect((await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'mem@example.com' })).json).toMatchObject({ status: '409', scimType: 'uniqueness' });
      const group = await scim('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Mem', members: [{ value: user.json.id }] });
      expect(group.status).toBe(201);
      expect((await scim('GET', `/Users/${user.json.id}`)).json.groups).toEqual([expect.objectContaining({ value: group.json.id })]);
      expect((await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "MEM@example.com"')}`)).json.totalResults).toBe(1);
      expect((await scim('GET', `/Groups/${group.json.id}`)).json.members).toEqual([expect.objectContaining({ value: user.json.id })]);
      expect((await scim('DELETE', `/Users/${user.json.id}`)).status).toBe(204);
      expect((await scim('GET', `/Groups/${group.json.id}`)).json.members ?? []).toEqual([]);
      const audit = await scim('GET', '/Audit');
      expect(audit.json.Resources.map((e: { operation: string }) => e.operation).sort()).toEqual(['create', 'create', 'delete']);
    } finally {
      await run.stop();
    }
    expect(readdirSync(emptyDir)).toEqual([]);
    rmSync(emptyDir, { recursive: true, force: true });
    await expect(start({ SCIM_STORE: 'sqlite' })).rejects.toThrow(/SCIM_STORE must be "dynamodb" \(the default\) or "memory", not "sqlite"/);
  });

  it('with SCIM_PROFILE=aws-iam-identity-center and SCIM_RATE_LIMIT answers as IAM Identity Center, throttling included; bad values refuse to start', async () => {
    const run = await start({ SCIM_IN_MEMORY: '1', SCIM_TOKEN: 'profile-token', SCIM_PROFILE: 'aws-iam-identity-center', SCIM_RATE_LIMIT: '3' });
    try {
      expect(run.output()).toContain('Profile:    aws-iam-identity-center');
      expect(run.output()).toContain('Rate limit: 3 requests/s, then 429');
      const get = () => fetch(`http://127.0.0.1:${run.port}/scim/v2/ServiceProviderConfig`, { headers: { Authorization: 'Bearer profile-token' } });
      const spc = await get();
      expect(spc.headers.get('content-type')).toBe('application/json');
      expect(((await spc.json()) as { bulk: { supported: boolean } }).bulk.supported).toBe(false);
      const burst = await Promise.all(Array.from({ length: 6 }, get));
      const throttled = burst.filter((r) => r.status === 429);
      expect(throttled.length).toBeGreaterThanOrEqual(2);
      expect(throttled[0].headers.get('retry-after')).toBe('1');
      expect(await throttled[0].json()).toMatchObject({ status: '429', detail: 'Too Many Requests', exceptionRequestId: throttled[0].headers.get('x-amzn-requestid') });
    } finally {
      await run.stop();
    }
    await expect(start({ SCIM_IN_MEMORY: '1', SCIM_PROFILE: 'okta' })).rejects.toThrow(/Unknown compatibility profile "okta"/);
    await expect(start({ SCIM_IN_MEMORY: '1', SCIM_RATE_LIMIT: 'fast' })).rejects.toThrow(/SCIM_RATE_LIMIT must be a positive number/);
  });
});
