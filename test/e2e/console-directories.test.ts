import type { Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { scimAt, startDirectoriesServer } from '../support/directories';
import { see } from '../support/see';
import { userBody } from '../support/server';

/**
 * The console works on the directory of the token pasted into it: a token of `contractors`
 * shows that directory's users and Base URL, the deployment's own token the deployment's own,
 * and a token of a deleted directory is refused.
 */
describe('directory console with several directories (Chromium against the local endpoint)', () => {
  jest.setTimeout(90_000);
  let server: Awaited<ReturnType<typeof startDirectoriesServer>>;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    server = await startDirectoriesServer({ console: true });
    const { baseUrl } = await server.newDirectory('contractors');
    tokens.contractors = await server.newToken('contractors');
    tokens.home = await server.newToken();
    const contractors = scimAt(baseUrl, tokens.contractors);
    const home = scimAt(server.baseUrl, tokens.home);
    for (const name of ['carla@contractor.example', 'conrad@contractor.example']) expect((await contractors('POST', '/Users', userBody(name))).status).toBe(201);
    for (const name of ['ada@example.com', 'bob@example.com', 'cy@example.com']) expect((await home('POST', '/Users', userBody(name))).status).toBe(201);
    browser = await launchChromium();
    page = await browser.context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const origin = () => new URL(server.baseUrl).origin;
  const signIn = async (token: string) => {
    await page.goto(`${origin()}/console/`);
    await page.getByLabel('Bearer token').fill(token);
    await page.getByRole('button', { name: 'Connect' }).click();
  };
  const rows = () => page.getByRole('table', { name: 'Users' }).locator('tbody tr');

  it("reads the directory of a contractors' token: its users, at its Base URL", async () => {
    await signIn(tokens.contractors);
    await see(page.getByRole('heading', { level: 1 })).toHaveText('Users');
    await see(page.locator('header .endpoint')).toHaveText(`${origin()}/contractors/scim/v2`);
    await see(rows()).toHaveCount(2);
    await see(rows().first()).toContainText('carla@contractor.example');
    await see(page.getByText('ada@example.com')).toHaveCount(0);
  });

  it("reads the deployment's own directory with its own token", async () => {
    await signIn(tokens.home);
    await see(page.locator('header .endpoint')).toHaveText(`${origin()}/scim/v2`);
    await see(rows()).toHaveCount(3);
    await see(page.getByText('carla@contractor.example')).toHaveCount(0);
  });

  it('refuses the token of a deleted directory', async () => {
    expect((await server.directory('delete', 'contractors', '--yes', '--grace-seconds', '0')).code).toBe(0);
    await signIn(tokens.contractors);
    await see(page.getByRole('alert')).toHaveText('The endpoint refused this token (HTTP 401).');
  });
});
