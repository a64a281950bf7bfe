import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../lib/local/dynamodb-local';
import { launchChromium } from '../support/chromium';
import { provisionDirectory, startConsoleServer } from '../support/console';
import { see } from '../support/see';
import { TEST_TOKEN } from '../support/server';

/**
 * `npm run console -- --base-url <url>` as a process, in front of the local endpoint standing
 * in for a deployed one: the console reads through the proxy, which is read-only and never
 * logs the token.
 */
describe('npm run console (bin/console.ts as a process)', () => {
  jest.setTimeout(90_000);
  let server: Awaited<ReturnType<typeof startConsoleServer>>;
  let child: ChildProcess;
  let output = '';
  let origin: string;

  beforeAll(async () => {
    server = await startConsoleServer();
    await provisionDirectory(server.scim);
    const port = await freePort();
    // The console's own server does not serve SCIM: a deployed endpoint is at another origin and path.
    child = spawn(process.execPath, ['--import', 'tsx', 'bin/console.ts', '--base-url', `${server.baseUrl}/`, '--port', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const deadline = Date.now() + 30_000;
    while (!output.includes('Console:')) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`bin/console.ts did not start: ${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    origin = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGINT');
      await exited;
    }
    await server?.stop();
  });

  it('prints where the console is and which endpoint it reads', () => {
    expect(output).toContain(`Console:    ${origin}/console/`);
    expect(output).toContain(`Endpoint:   ${server.baseUrl}/`);
  });

  it('shows the endpoint\'s users and a user in Chromium, through the proxy', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      await page.goto(`${origin}/console/`);
      await page.getByLabel('Bearer token').fill(TEST_TOKEN);
      await page.getByRole('button', { name: 'Connect' }).click();
      await see(page.getByRole('navigation', { name: 'Users pages' })).toContainText('Showing 1–25 of 30');
      await see(page.locator('header .endpoint')).toHaveText(server.baseUrl);
      await page.getByRole('link', { name: 'ada@example.com' }).click();
      await see(page.getByRole('heading', { name: 'Enterprise extension' })).toBeVisible();
      await see(page.locator('main')).toContainText('Analytical Engines');
    } finally {
      await browser.close();
    }
  });

  it('passes reads through with their status and refuses writes', async () => {
    const list = await fetch(`${origin}/scim/v2/Users?filter=${encodeURIComponent('userName eq "ada@example.com"')}`, { headers: { Authorization: `Bearer ${TEST_TOKEN}` } });
    expect(list.status).toBe(200);
    expect(list.headers.get('content-type')).toBe('application/scim+json');
    expect(list.headers.get('x-scim-endpoint')).toBe(server.baseUrl);
    expect(((await list.json()) as { totalResults: number }).totalResults).toBe(1);
    expect((await fetch(`${origin}/scim/v2/Users`)).status).toBe(401);
    const write = await fetch(`${origin}/scim/v2/Users`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TEST_TOKEN}`, 'Content-Type': 'application/scim+json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'sneaky@example.com' }),
    });
    expect(write.status).toBe(405);
    expect(write.headers.get('allow')).toBe('GET, HEAD');
    expect((await server.scim('GET', `/Users?filter=${encodeURIComponent('userName eq "sneaky@example.com"')}`) as unknown as { totalResults: number }).totalResults).toBe(0);
    expect((await fetch(`${origin}/elsewhere`)).status).toBe(404);
  });

  it('logs each proxied request without the token or the query', () => {
    expect(output).toMatch(/"message":"console proxy","requestId":"[^"]+","method":"GET","path":"\/scim\/v2\/Users","status":200/);
    expect(output).not.toContain(TEST_TOKEN);
    expect(output).not.toContain('ada@example.com');
  });
});
