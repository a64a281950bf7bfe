import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { StaticTokenVerifier } from '../../lambda/http/auth';
import { silentLogger } from '../../lambda/http/log';
import { CONSOLE_DIR } from '../../lib/console/static';
import { startLocalProcess } from '../support/local-process';
import { startLocalServer } from '../../lib/local/server';
import { startConsoleServer } from '../support/console';
import { freshTable } from '../support/dynamo';

/** The console's files on the local endpoint: what is served, how, and what is refused. */
describe('console files on the local endpoint', () => {
  let server: Awaited<ReturnType<typeof startConsoleServer>>;
  beforeAll(async () => {
    server = await startConsoleServer();
  });
  afterAll(() => server.stop());

  const get = (path: string, init?: RequestInit) => fetch(server.origin + path, { redirect: 'manual', ...init });

  it('redirects / and /console to /console/', async () => {
    for (const path of ['/', '/console']) {
      const response = await get(path);
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe('/console/');
    }
  });

  it('serves index.html uncached with a strict CSP, and hashed assets cached for good', async () => {
    const index = await get('/console/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toContain("default-src 'none'; script-src 'self'");
    expect(index.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await index.text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect(html).not.toMatch(/<script>(?!<\/script>)/);
    const asset = await get(script!);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const head = await get(script!, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('stays small: under 20 KB of JavaScript and CSS, gzipped', () => {
    const assets = readdirSync(join(CONSOLE_DIR, 'assets'));
    const gzipped = assets.reduce((sum, file) => sum + gzipSync(readFileSync(join(CONSOLE_DIR, 'assets', file)), { level: 9 }).length, 0);
    expect(assets.filter((f) => f.endsWith('.js'))).toHaveLength(1);
    expect(gzipped).toBeLessThan(20_000);
  });

  it('refuses paths out of the console folder, unknown files and writes', async () => {
    expect((await get('/console/%2e%2e%2f%2e%2e%2fpackage.json')).status).toBe(404);
    expect((await get('/console/..%2f..%2fpackage.json')).status).toBe(404);
    expect((await get('/console/%E0%A4%A')).status).toBe(404);
    expect((await get('/console/assets/nothing.js')).status).toBe(404);
    expect((await get('/console/vite.config.mts')).status).toBe(404);
    const post = await get('/console/', { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('leaves SCIM and other paths as they were', async () => {
    expect((await get('/scim/v2/Users')).status).toBe(401);
    const other = await get('/favicon.ico');
    expect(other.status).toBe(404);
    expect(other.headers.get('content-type')).toBe('application/scim+json');
  });

  it('says the console is not built when its folder is empty, and serves nothing without consoleDir', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'console-empty-'));
    const table = await freshTable('console-files');
    const bare = await startLocalServer({ store: { client: table.client, tableName: table.tableName, directoryId: 'default' }, verifier: new StaticTokenVerifier('t'), logger: silentLogger, port: 0, consoleDir: empty });
    const none = await startLocalServer({ store: { client: table.client, tableName: table.tableName, directoryId: 'default' }, verifier: new StaticTokenVerifier('t'), logger: silentLogger, port: 0 });
    try {
      const unbuilt = await fetch(new URL('/console/', bare.baseUrl));
      expect(unbuilt.status).toBe(503);
      expect(await unbuilt.text()).toContain('npm run build:console');
      expect((await fetch(new URL('/console/', none.baseUrl))).status).toBe(404);
    } finally {
      await bare.close();
      await none.close();
      table.client.destroy();
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('npm start (bin/local.ts) serves the console and prints where', async () => {
    expect(readdirSync(join(CONSOLE_DIR, 'assets')).some((f) => f.endsWith('.js'))).toBe(true);
    const run = await startLocalProcess({ SCIM_IN_MEMORY: '1', SCIM_TOKEN: 'console-files-token' });
    const { port } = run;
    try {
      expect(run.output()).toContain(`Console:    http://127.0.0.1:${port}/console/`);
      const page = await fetch(`http://127.0.0.1:${port}/console/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="app"></div>');
    } finally {
      await run.stop();
    }
  }, 90_000);
});
