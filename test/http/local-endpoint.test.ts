import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../lib/local/dynamodb-local';
import { USER_SCHEMA } from '../support/server';

/**
 * The contract `npm start` keeps with the outside (README, external checks): SCIM at
 * http://127.0.0.1:$PORT/scim/v2, PORT, SCIM_TOKEN and SCIM_IN_MEMORY honoured, data and the
 * generated token kept across restarts, and Ctrl-C stopping DynamoDB Local too.
 */
describe('npm start (bin/local.ts as a process)', () => {
  jest.setTimeout(120_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'scim-local-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  async function start(env: Record<string, string>): Promise<{ child: ChildProcess; output: () => string; port: number }> {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
      env: { ...process.env, PORT: String(port), SCIM_LOG: 'quiet', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const deadline = Date.now() + 60_000;
    while (!output.includes('Base URL:')) {
      if (child.exitCode !== null) throw new Error(`bin/local.ts exited: ${output}`);
      if (Date.now() > deadline) throw new Error(`bin/local.ts did not start: ${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return { child, output: () => output, port };
  }

  async function stop(child: ChildProcess): Promise<number | null> {
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGINT');
    return exited;
  }

  const dynamoPortOf = (output: string) => Number(/DynamoDB:\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]);

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
    expect(await stop(first.child)).toBe(0);
    await expect(fetch(`http://127.0.0.1:${dynamoPort}`)).rejects.toThrow();

    const second = await start({ SCIM_DATA_DIR: dataDir });
    try {
      const res = await fetch(`http://127.0.0.1:${second.port}/scim/v2/Users/${id}`, { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { userName: string }).userName).toBe('persist@example.com');
    } finally {
      await stop(second.child);
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
      const token = /^ {2}([A-Za-z0-9_-]{43})$/m.exec(await cli('bin/token.ts', 'create', '--directory', 'contractors'))![1];
      const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' };
      const created = await fetch(`${made.baseUrl}/Users`, { method: 'POST', headers, body: JSON.stringify({ schemas: [USER_SCHEMA], userName: 'c@example.com' }) });
      expect(created.status).toBe(201);
      expect((await fetch(`http://127.0.0.1:${run.port}/scim/v2/Users`, { headers })).status).toBe(401);
      const deleted = JSON.parse(await cli('bin/directory.ts', 'delete', 'contractors', '--yes', '--grace-seconds', '0', '--json'));
      expect(deleted).toMatchObject({ id: 'contractors', revokedTokens: 1 });
      expect(deleted.deletedItems).toBeGreaterThanOrEqual(3);
      expect((await fetch(`${made.baseUrl}/Users`, { headers })).status).toBe(401);
    } finally {
      await stop(run.child);
    }
    expect(existsSync(join(dir, 'endpoint.json'))).toBe(false);
    rmSync(dir, { recursive: true, force: true });
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
      await stop(run.child);
    }
    expect(() => statSync(join(emptyDir, 'token'))).toThrow();
    expect(() => statSync(join(emptyDir, 'dynamodb'))).toThrow();
    rmSync(emptyDir, { recursive: true, force: true });
  });

  it('with SCIM_PROFILE=aws-iam-identity-center answers as IAM Identity Center, and refuses an unknown profile', async () => {
    const run = await start({ SCIM_IN_MEMORY: '1', SCIM_TOKEN: 'profile-token', SCIM_PROFILE: 'aws-iam-identity-center' });
    try {
      expect(run.output()).toContain('Profile:    aws-iam-identity-center');
      const spc = await fetch(`http://127.0.0.1:${run.port}/scim/v2/ServiceProviderConfig`, { headers: { Authorization: 'Bearer profile-token' } });
      expect(spc.headers.get('content-type')).toBe('application/json');
      expect(((await spc.json()) as { bulk: { supported: boolean } }).bulk.supported).toBe(false);
    } finally {
      await stop(run.child);
    }
    await expect(start({ SCIM_IN_MEMORY: '1', SCIM_PROFILE: 'okta' })).rejects.toThrow(/Unknown compatibility profile "okta"/);
  });
});
