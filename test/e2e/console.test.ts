import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { accessibilityViolations as axeViolations, ARTIFACTS, openInPage, type InPage } from '../support/axe';
import { launchChromium } from '../support/chromium';
import { provisionDirectory, startConsoleServer } from '../support/console';
import { see } from '../support/see';
import { TEST_TOKEN } from '../support/server';


/**
 * The directory console in headless Chromium against the local endpoint: what an identity
 * provider provisioned over SCIM appears, can be searched and opened, and the token stays in
 * page memory.
 */
describe('directory console (Chromium against the local endpoint)', () => {
  jest.setTimeout(90_000);
  let server: Awaited<ReturnType<typeof startConsoleServer>>;
  let directory: Awaited<ReturnType<typeof provisionDirectory>>;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startConsoleServer();
    directory = await provisionDirectory(server.scim);
    browser = await launchChromium();
    context = browser.context;
    page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (/Content Security Policy|Uncaught/i.test(message.text())) problems.push(message.text());
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const signIn = async (token = TEST_TOKEN) => {
    await page.getByLabel('Bearer token').fill(token);
    await page.getByRole('button', { name: 'Connect' }).click();
  };
  const rowsOf = (name: string) => page.getByRole('table', { name }).locator('tbody tr');
  const section = (name: string) => page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name });
  /** Goes to a page of the console in the same document, as a link would (no reload: still connected). */
  const open = (hash: string) => openInPage(page, hash);
  const accessibilityViolations = () => axeViolations(page);

  it('serves the console outside /scim/v2: / redirects to /console/', async () => {
    const response = await page.goto(server.origin + '/');
    expect(page.url()).toBe(`${server.origin}/console/`);
    expect(response!.headers()['content-security-policy']).toContain("script-src 'self'");
    await see(page.getByRole('heading', { level: 1 })).toHaveText('Connect to the SCIM endpoint');
    expect(await accessibilityViolations()).toEqual([]);
  });

  it('refuses a wrong token and says so', async () => {
    await signIn('not-the-token');
    await see(page.getByRole('alert')).toHaveText('The endpoint refused this token (HTTP 401).');
    await see(page.getByLabel('Bearer token')).toHaveAttribute('aria-invalid', 'true');
  });

  it('lists the provisioned users with their state and last change, a page at a time', async () => {
    await signIn();
    await see(page.getByRole('heading', { level: 1 })).toHaveText('Users');
    await see(page.locator('header .endpoint')).toHaveText(`${server.origin}/scim/v2`);
    await see(rowsOf('Users')).toHaveCount(25);
    await see(page.getByRole('navigation', { name: 'Users pages' })).toContainText('Showing 1–25 of 30');
    const ada = rowsOf('Users').filter({ hasText: 'ada@example.com' });
    await see(ada).toContainText('Ada Lovelace');
    await see(ada).toContainText('Active');
    await see(ada).toContainText('jc-0001');
    await see(ada.locator('time')).toHaveAttribute('datetime', /^\d{4}-\d\d-\d\dT/);
    await see(rowsOf('Users').filter({ hasText: 'grace@example.com' })).toContainText('Inactive');
    await page.screenshot({ path: join(ARTIFACTS, 'console-users.png'), fullPage: true });
    expect(await accessibilityViolations()).toEqual([]);

    await page.getByRole('link', { name: 'Next →' }).click();
    await see(page.getByRole('navigation', { name: 'Users pages' })).toContainText('Showing 26–30 of 30');
    await see(rowsOf('Users')).toHaveCount(5);
    await see(rowsOf('Users').last()).toContainText('user28@example.com');
    expect(page.url()).toContain('startIndex=26');
  });

  it('keeps the token in page memory only: not in the URL, storage or cookies', async () => {
    expect(page.url()).not.toContain(TEST_TOKEN);
    const stored = await page.evaluate(() => {
      const { localStorage, sessionStorage, document } = globalThis as unknown as InPage;
      return [localStorage.length, sessionStorage.length, document.cookie];
    });
    expect(stored).toEqual([0, 0, '']);
    expect(await context.cookies()).toEqual([]);
    expect(await page.content()).not.toContain(TEST_TOKEN);
  });

  it('searches by userName and by any filter the endpoint supports', async () => {
    await page.getByRole('searchbox', { name: 'Search' }).fill('ada');
    await page.getByRole('searchbox', { name: 'Search' }).press('Enter');
    await see(page.getByText('Filter: userName sw "ada"')).toBeVisible();
    await see(rowsOf('Users')).toHaveCount(1);
    await see(rowsOf('Users')).toContainText('ada@example.com');

    await page.getByLabel('Match').selectOption('filter');
    await page.getByRole('searchbox', { name: 'Search' }).fill('active eq false');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await see(page.getByRole('navigation', { name: 'Users pages' })).toContainText('Showing 1–1 of 1');
    await see(rowsOf('Users')).toContainText('grace@example.com');

    await page.getByRole('searchbox', { name: 'Search' }).fill('userName zz "x"');
    await page.getByRole('searchbox', { name: 'Search' }).press('Enter');
    await see(page.getByRole('alert')).toContainText('HTTP 400, invalidFilter');

    await page.getByRole('button', { name: 'Clear' }).click();
    await see(rowsOf('Users')).toHaveCount(25);
  });

  it('opens a user: every attribute, the enterprise extension and its groups', async () => {
    await page.getByRole('link', { name: 'ada@example.com' }).click();
    await see(page.getByRole('heading', { level: 1 })).toContainText('ada@example.com');
    await see(page.getByRole('heading', { level: 1 })).toContainText('Active');
    expect(page.url()).toContain(`#/users/${directory.ada.id}`);
    const attributes = page.locator('section', { has: page.getByRole('heading', { name: 'Attributes' }) });
    await see(attributes).toContainText('Lovelace');
    await see(attributes).toContainText('Analyst');
    await see(attributes.getByRole('table')).toContainText('work');
    const enterprise = page.locator('section', { has: page.getByRole('heading', { name: 'Enterprise extension' }) });
    await see(enterprise).toContainText('Analytical Engines');
    await see(enterprise).toContainText('1815');
    await see(page.getByRole('heading', { name: 'Groups (2)' })).toBeVisible();
    await page.screenshot({ path: join(ARTIFACTS, 'console-user.png'), fullPage: true });
    expect(await accessibilityViolations()).toEqual([]);

    await page.getByRole('link', { name: 'Engineering' }).click();
    await see(page.getByRole('heading', { level: 1 })).toHaveText('Engineering');
    await see(page.getByText(/^3 members · last modified/)).toBeVisible();
    await see(rowsOf('Members')).toHaveCount(3);
    await see(rowsOf('Members').filter({ hasText: 'grace@example.com' })).toContainText('Inactive');
  });

  it('lists groups, searches them, and opens one with its members paged', async () => {
    await section('Groups').click();
    await see(page.getByRole('heading', { level: 1 })).toHaveText('Groups');
    await see(rowsOf('Groups')).toHaveCount(3);
    await see(page.getByRole('table', { name: 'Groups' })).toContainText('Empty team');

    await page.getByRole('searchbox', { name: 'Search' }).fill('Ev');
    await page.getByRole('searchbox', { name: 'Search' }).press('Enter');
    await see(rowsOf('Groups')).toHaveCount(1);
    await page.getByRole('link', { name: 'Everyone' }).click();
    await see(page.getByRole('heading', { level: 1 })).toHaveText('Everyone');
    await see(page.getByText(/^30 members/)).toBeVisible();
    await see(rowsOf('Members')).toHaveCount(25);
    await see(page.getByRole('navigation', { name: 'Members pages' })).toContainText('Showing 1–25 of 30');
    await page.screenshot({ path: join(ARTIFACTS, 'console-group.png'), fullPage: true });
    expect(await accessibilityViolations()).toEqual([]);
    await page.getByRole('link', { name: 'Next →' }).click();
    await see(page.getByRole('navigation', { name: 'Members pages' })).toContainText('Showing 26–30 of 30');
    await see(rowsOf('Members')).toHaveCount(5);

    await open(`#/groups/${directory.empty.id}`);
    await see(page.getByText(/^0 members/)).toBeVisible();
    await see(page.getByRole('navigation', { name: 'Members pages' })).toContainText('None found');
  });

  it('shows what the endpoint answers for an unknown user', async () => {
    await open('#/users/no-such-user');
    await see(page.getByRole('alert')).toContainText('HTTP 404');
    await see(page.getByRole('link', { name: 'Back to users' })).toBeVisible();
  });

  it('shows the ServiceProviderConfig, or says clearly that the endpoint does not publish one', async () => {
    await section('Service provider').click();
    await see(page.getByRole('heading', { level: 1 })).toHaveText('Service provider');
    // Whatever this endpoint answers today, it is one of the two, never an error.
    await see(page.getByText('does not publish a ServiceProviderConfig').or(page.getByRole('table', { name: 'Features' }))).toBeVisible();
    await see(page.getByRole('alert')).toHaveCount(0);
    await page.screenshot({ path: join(ARTIFACTS, 'console-service-provider.png'), fullPage: true });

    await page.route('**/scim/v2/ServiceProviderConfig', (route) =>
      route.fulfill({ status: 404, contentType: 'application/scim+json', body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404', detail: 'No SCIM endpoint at this path.' }) }),
    );
    await section('Users').click();
    await section('Service provider').click();
    await see(page.getByRole('status')).toContainText('This endpoint does not publish a ServiceProviderConfig (GET /ServiceProviderConfig answered 404 Not Found).');

    await page.unroute('**/scim/v2/ServiceProviderConfig');
    await page.route('**/scim/v2/ServiceProviderConfig', (route) =>
      route.fulfill({
        status: 200,
        contentType: 'application/scim+json',
        body: JSON.stringify({
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
          patch: { supported: true },
          bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
          filter: { supported: true, maxResults: 1000 },
          changePassword: { supported: false },
          sort: { supported: false },
          etag: { supported: true },
          authenticationSchemes: [{ type: 'oauthbearertoken', name: 'OAuth Bearer Token', description: 'Bearer token in the Authorization header' }],
        }),
      }),
    );
    await section('Users').click();
    await section('Service provider').click();
    const features = page.getByRole('table', { name: 'Features' });
    await see(features.getByRole('row', { name: /PATCH/ })).toContainText('Yes');
    await see(features.getByRole('row', { name: /Bulk/ })).toContainText('No');
    await see(features.getByRole('row', { name: /Filtering/ })).toContainText('maxResults: 1000');
    await see(page.getByText('oauthbearertoken')).toBeVisible();
    await page.unroute('**/scim/v2/ServiceProviderConfig');
  });

  it('forgets the token on disconnect and on reload', async () => {
    await page.getByRole('button', { name: 'Disconnect' }).click();
    await see(page.getByRole('heading', { level: 1 })).toHaveText('Connect to the SCIM endpoint');
    await signIn();
    await see(page.getByRole('heading', { level: 1 })).not.toHaveText('Connect to the SCIM endpoint');
    await page.reload();
    await see(page.getByRole('heading', { level: 1 })).toHaveText('Connect to the SCIM endpoint');
  });

  it('ran without a script error or a Content-Security-Policy violation', () => {
    expect(problems).toEqual([]);
  });
});
