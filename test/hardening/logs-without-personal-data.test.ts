import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashToken } from '../../lambda/http/auth';
import { startLocalProcess } from '../support/local-process';
import { captureOutput, loadDeployedHandlers } from '../support/deployed-handlers';
import { freshTable } from '../support/dynamo';
import { GROUP, PATCH_OP, USER_SCHEMA } from '../support/server';

/**
 * Logs without personal data (issue 14): the same session of ordinary and hostile requests
 * through `npm start` (bin/local.ts as a process, its stdout and stderr captured) and through
 * the deployed functions' handlers (Powertools' log lines and EMF metrics, as Lambda sends
 * them to CloudWatch). No userName, e-mail, name, externalId, password, filter value, raw
 * path with an e-mail as id, token or token hash may appear in any line; the route template
 * and the ids the service assigned do.
 */
const TOKEN = 'pii-session-token-7f3a9c1e5b2d4068';
const WRONG_TOKEN = 'guessed-token-0000000000000000';

/** Every value of the session that must stay out of the logs. */
const PERSONAL = {
  userName: 'ada.lovelace@example.com',
  email: 'ada.work@analytical.example',
  secondUser: 'grace.hopper@example.com',
  givenName: 'Augusta',
  familyName: 'Byron-King',
  displayName: 'Ada Lovelace Countess',
  externalId: 'ext-ada-7781-9911',
  phone: '+44 20 7946 0958',
  password: 'S3cret-P@ssw0rd!',
  groupName: 'Payroll-Admins-Secret',
  filterValue: 'hopper-filter-probe',
  mallory: 'mallory@evil.example',
  searchValue: 'search-body-probe@example.com',
  bulkUser: 'bulk.user@example.com',
  malformed: 'malformed-json@example.com',
};

const SECRETS = [TOKEN, WRONG_TOKEN, hashToken(TOKEN), createHash('sha256').update(TOKEN).digest('hex'), hashToken(WRONG_TOKEN)];

type Send = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<{ status: number; json?: any }>;

/** The session: what an IdP sends, and what a prober sends. Returns the ids the service assigned. */
async function session(send: Send): Promise<{ userId: string; groupId: string; statuses: number[] }> {
  const statuses: number[] = [];
  const step = async (...args: Parameters<Send>) => {
    const response = await send(...args);
    statuses.push(response.status);
    return response;
  };
  const user = await step('POST', '/Users', {
    schemas: [USER_SCHEMA],
    userName: PERSONAL.userName,
    externalId: PERSONAL.externalId,
    name: { givenName: PERSONAL.givenName, familyName: PERSONAL.familyName },
    displayName: PERSONAL.displayName,
    emails: [{ value: PERSONAL.email, type: 'work', primary: true }],
    phoneNumbers: [{ value: PERSONAL.phone, type: 'work' }],
    password: PERSONAL.password,
  });
  const userId: string = user.json.id;
  await step('POST', '/Users', { schemas: [USER_SCHEMA], userName: PERSONAL.secondUser });
  // A duplicate: 409 uniqueness, whose detail must not reach the log either.
  await step('POST', '/Users', { schemas: [USER_SCHEMA], userName: PERSONAL.userName });
  await step('GET', `/Users/${userId}`);
  await step('GET', `/Users?filter=${encodeURIComponent(`userName eq "${PERSONAL.secondUser}"`)}`);
  await step('GET', `/Users?filter=${encodeURIComponent(`emails[value co "${PERSONAL.filterValue}"]`)}`);
  await step('GET', `/Users?filter=${encodeURIComponent(`externalId eq "${PERSONAL.externalId}"`)}`);
  // A filter that does not parse, and one with an unknown attribute.
  await step('GET', `/Users?filter=${encodeURIComponent(`userName eq "${PERSONAL.mallory}" and (`)}`);
  await step('GET', `/Users?filter=${encodeURIComponent(`nickName.${PERSONAL.mallory} eq "x"`)}`);
  await step('POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: `userName eq "${PERSONAL.searchValue}"` });
  // E-mails used as ids, encoded and not.
  await step('GET', `/Users/${PERSONAL.userName}`);
  await step('GET', `/Users/${encodeURIComponent(PERSONAL.mallory)}`);
  await step('DELETE', `/Users/${encodeURIComponent(PERSONAL.mallory)}`);
  await step('PUT', `/Users/${PERSONAL.mallory}`, { schemas: [USER_SCHEMA], userName: PERSONAL.mallory });
  await step('GET', `/Groups/${PERSONAL.groupName}/members/${PERSONAL.mallory}`);
  await step('GET', `/${PERSONAL.mallory}`);
  await step('PATCH', `/Users/${userId}`, {
    schemas: [PATCH_OP],
    Operations: [{ op: 'replace', path: 'displayName', value: `${PERSONAL.displayName} II` }, { op: 'replace', path: `emails[value eq "${PERSONAL.email}"].type`, value: 'home' }],
  });
  await step('PATCH', `/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: `${PERSONAL.mallory}`, value: 1 }] });
  await step('POST', '/Users', `{"schemas":["${USER_SCHEMA}"],"userName":"${PERSONAL.malformed}",`);
  const group = await step('POST', '/Groups', { schemas: [GROUP], displayName: PERSONAL.groupName, members: [{ value: userId }] });
  const groupId: string = group.json.id;
  await step('GET', `/Groups?filter=${encodeURIComponent(`displayName eq "${PERSONAL.groupName}"`)}`);
  await step('PATCH', `/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${PERSONAL.mallory}"]` }] });
  await step('PATCH', `/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${userId}"]` }] });
  await step('POST', '/Bulk', {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
    Operations: [{ method: 'POST', path: '/Users', bulkId: 'b1', data: { schemas: [USER_SCHEMA], userName: PERSONAL.bulkUser } }],
  });
  // Probing with a wrong token, a malformed header, and the real token where no header goes.
  await step('GET', `/Users?filter=${encodeURIComponent(`userName eq "${PERSONAL.mallory}"`)}`, undefined, { Authorization: `Bearer ${WRONG_TOKEN}` });
  await step('GET', '/Users', undefined, { Authorization: `Basic ${Buffer.from(`${PERSONAL.mallory}:${PERSONAL.password}`).toString('base64')}` });
  await step('GET', `/Users?access_token=${TOKEN}`, undefined, { Authorization: '' });
  await step('GET', '/ServiceProviderConfig');
  await step('DELETE', `/Users/${userId}`);
  return { userId, groupId, statuses };
}

/** Fails naming the first personal value or secret found (never repeating the line). */
function expectClean(lines: readonly string[]): void {
  expect(lines.length).toBeGreaterThan(20);
  const hits = [...Object.entries(PERSONAL), ...SECRETS.map((s, i) => [`secret ${i}`, s] as const)]
    .map(([name, value]) => [name, lines.filter((line) => line.includes(value) || line.includes(encodeURIComponent(value))).length] as const)
    .filter(([, count]) => count > 0);
  expect(hits).toEqual([]);
}

/** The request lines: each names its route template, never a path. */
function expectRouteTemplates(lines: readonly string[], ids: { userId: string; groupId: string }): void {
  const requests = lines.filter((line) => line.includes('"message":"request"')).map((line) => JSON.parse(line));
  expect(requests.length).toBeGreaterThan(25);
  for (const request of requests) expect(request.path).toBeUndefined();
  const routes = new Set(requests.map((r) => r.route));
  for (const template of ['Users', 'Users/{id}', 'Users/.search', 'Groups', 'Groups/{id}', 'Bulk', 'ServiceProviderConfig']) expect(routes).toContain(template);
  // Our own ids are logged, so that a request can be tied to a resource.
  expect(requests.some((r) => r.route === 'Users/{id}' && r.id === ids.userId)).toBe(true);
  expect(requests.some((r) => r.route === 'Groups/{id}' && r.id === ids.groupId)).toBe(true);
}

describe('logs without personal data', () => {
  jest.setTimeout(180_000);

  test('npm start: a whole session leaves no personal value, filter value, token or hash in its output', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'scim-pii-'));
    const run = await startLocalProcess({ SCIM_TOKEN: TOKEN, SCIM_IN_MEMORY: '1', SCIM_DATA_DIR: dataDir, SCIM_LOG: '' }).catch((error) => {
      rmSync(dataDir, { recursive: true, force: true });
      throw error;
    });
    const { port } = run;
    try {
      const base = `http://127.0.0.1:${port}/scim/v2`;
      const send: Send = async (method, path, body, headers = {}) => {
        const response = await fetch(base + path, {
          method,
          headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/scim+json', ...headers },
          body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
        });
        const text = await response.text();
        return { status: response.status, json: text.startsWith('{') ? JSON.parse(text) : undefined };
      };
      const ids = await session(send);
      expect(ids.statuses.filter((s) => s >= 500)).toEqual([]);
      await new Promise((r) => setTimeout(r, 200));
      const output = run.output();
      const lines = output.split('\n').filter((line) => line.startsWith('{'));
      expectClean(output.split('\n'));
      expectRouteTemplates(lines, ids);
    } finally {
      await run.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('the deployed handlers: the same session leaves none in the Powertools log lines or the EMF metrics', async () => {
    const table = await freshTable('pii');
    const functions = loadDeployedHandlers({ endpoint: table.endpoint, tableName: table.tableName, token: TOKEN });
    try {
      const { result: ids, lines } = await captureOutput(() => session(functions.request));
      expect(ids.statuses.filter((s) => s >= 500)).toEqual([]);
      expectClean(lines);
      expectRouteTemplates(lines, ids);
      // The metrics are there too, with dimensions of our own making only.
      const emf = lines.filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line));
      expect(emf.length).toBeGreaterThan(20);
      const dimensionValues = new Set(emf.flatMap((m) => m._aws.CloudWatchMetrics[0].Dimensions[0].map((d: string) => m[d])));
      for (const value of dimensionValues) expect(String(value)).toMatch(/^(Test-Scim|(GET|POST|PUT|PATCH|DELETE) [A-Za-z./{}]+|unrouted|[2-5]xx|[a-zA-Z]+)$/);
    } finally {
      functions.restore();
      table.client.destroy();
    }
  });
});
