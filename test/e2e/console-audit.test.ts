import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { accessibilityViolations as axeViolations, ARTIFACTS, openInPage } from '../support/axe';
import { launchChromium } from '../support/chromium';
import { startConsoleServer } from '../support/console';
import { see } from '../support/see';
import { ENTERPRISE, GROUP, NAMED_TOKENS, namedTokenVerifier, PATCH_OP, userBody } from '../support/server';

/**
 * The console's History (on each user and group) and Activity (the directory) views in
 * headless Chromium, signed in with a `read` token: who changed what, newest first, with
 * the values before and after, member changes as ids added and removed, filtered by actor,
 * paged with the endpoint's cursor.
 */
describe('directory console: History and Activity (Chromium, read token)', () => {
  jest.setTimeout(120_000);
  let server: Awaited<ReturnType<typeof startConsoleServer>>;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  const problems: string[] = [];
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startConsoleServer(namedTokenVerifier());
    const okta = (method: string, path: string, body?: unknown) => server.scim(method, path, body, NAMED_TOKENS.okta.token);
    const jumpcloud = (method: string, path: string, body?: unknown) => server.scim(method, path, body, NAMED_TOKENS.jumpcloud.token);
    ids.ada = (await okta('POST', '/Users', { ...userBody('ada@example.com', { displayName: 'Ada' }), schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE], [ENTERPRISE]: { department: 'Engines' } }))!.id;
    const others: string[] = [];
    for (let i = 1; i <= 27; i++) others.push((await okta('POST', '/Users', userBody(`user${String(i).padStart(2, '0')}@example.com`)))!.id);
    await jumpcloud('PATCH', `/Users/${ids.ada}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Ada Lovelace' }, { op: 'replace', path: `${ENTERPRISE}:department`, value: 'Analytical Engines' }] });
    ids.team = (await okta('POST', '/Groups', { schemas: [GROUP], displayName: 'Engine room', members: [{ value: ids.ada }] }))!.id;
    await jumpcloud('PATCH', `/Groups/${ids.team}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: others.slice(0, 5).map((value) => ({ value })) }] });
    await jumpcloud('DELETE', `/Users/${others[26]}`);
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (/Content Security Policy|Uncaught/i.test(message.text())) problems.push(message.text());
    });
    await page.goto(`${server.origin}/console/`);
    await page.getByLabel('Bearer token').fill(NAMED_TOKENS.reader.token);
    await page.getByRole('button', { name: 'Connect' }).click();
    await see(page.getByRole('heading', { level: 1 })).toHaveText('Users');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const rowsOf = (name: string) => page.getByRole('table', { name }).locator('tbody tr');
  const open = (hash: string) => openInPage(page, hash);
  const accessibilityViolations = () => axeViolations(page);

  it("a user's History: its changes newest first, who made them, and the values before and after", async () => {
    await page.getByRole('link', { name: 'ada@example.com' }).click();
    await see(page.getByRole('heading', { level: 1 })).toContainText('ada@example.com');
    const history = rowsOf('History');
    await see(history).toHaveCount(2);
    await see(history.nth(0)).toContainText('jumpcloud');
    await see(history.nth(0)).toContainText('Patched');
    await see(history.nth(0)).toContainText('displayName "Ada" → "Ada Lovelace"');
    await see(history.nth(0)).toContainText(`${ENTERPRISE}:department "Engines" → "Analytical Engines"`);
    await see(history.nth(0).locator('time')).toHaveAttribute('datetime', /^\d{4}-\d\d-\d\dT/);
    await see(history.nth(1)).toContainText('okta-prod');
    await see(history.nth(1)).toContainText('Created');
    await see(history.nth(0).getByTitle(`token ${NAMED_TOKENS.jumpcloud.record.id}`)).toBeVisible();
    await page.screenshot({ path: join(ARTIFACTS, 'console-user-history.png'), fullPage: true });
    expect(await accessibilityViolations()).toEqual([]);
  });

  it("a group's History: member changes as the ids added, not the whole list", async () => {
    await open(`#/groups/${ids.team}`);
    await see(page.getByRole('heading', { level: 1 })).toHaveText('Engine room');
    const history = rowsOf('History');
    await see(history).toHaveCount(2);
    await see(history.nth(0)).toContainText('jumpcloud');
    await see(history.nth(0)).toContainText('members +5');
    await see(history.nth(1)).toContainText('members +1');
    await see(history.nth(1)).toContainText('displayName (none) → "Engine room"');
    expect(await accessibilityViolations()).toEqual([]);
  });

  it('the Activity page: every change of the directory, newest first, a page at a time', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Activity' }).click();
    await see(page.getByRole('heading', { level: 1 })).toHaveText('Activity');
    await see(rowsOf('Activity')).toHaveCount(25);
    const first = rowsOf('Activity').first();
    await see(first).toContainText('Deleted');
    await see(first).toContainText('user27@example.com');
    await see(first).toContainText('jumpcloud');
    await see(first.getByRole('link')).toHaveCount(0); // a deleted resource has no page to link to
    await see(rowsOf('Activity').nth(1)).toContainText('Engine room');
    await page.screenshot({ path: join(ARTIFACTS, 'console-activity.png'), fullPage: true });
    expect(await accessibilityViolations()).toEqual([]);

    // 28 users, a patch, a group, a member change and a deletion: 32 changes, 25 then 7.
    await page.getByRole('link', { name: 'Older →' }).click();
    await see(rowsOf('Activity')).toHaveCount(7);
    await see(rowsOf('Activity').last()).toContainText('ada@example.com');
    await see(rowsOf('Activity').last()).toContainText('Created');
    expect(page.url()).toContain('#/activity?cursor=');
    await see(page.getByRole('link', { name: 'Older →' })).toHaveCount(0);
    await page.getByRole('link', { name: '← Newest' }).click();
    await see(rowsOf('Activity')).toHaveCount(25);
  });

  it('filters by actor, and opens a resource from its row', async () => {
    await page.getByLabel('Actor').fill('jumpcloud');
    await page.getByRole('button', { name: 'Show' }).click();
    await see(rowsOf('Activity')).toHaveCount(3);
    for (let i = 0; i < 3; i++) await see(rowsOf('Activity').nth(i)).toContainText('jumpcloud');
    expect(page.url()).toContain('actor=jumpcloud');
    await rowsOf('Activity').nth(1).getByRole('link', { name: 'Engine room' }).click();
    await see(page.getByRole('heading', { level: 1 })).toHaveText('Engine room');

    await open('#/activity?actor=nobody');
    await see(page.getByText('No changes.')).toBeVisible();
    await page.getByRole('button', { name: 'All changes' }).click();
    await see(rowsOf('Activity')).toHaveCount(25);
  });

  it('a cursor the endpoint did not give is its 400, shown as such', async () => {
    await open('#/activity?cursor=bogus');
    await see(page.getByRole('alert')).toContainText('HTTP 400, invalidCursor');
  });

  it('ran without a script error or a Content-Security-Policy violation', () => {
    expect(problems).toEqual([]);
  });
});
