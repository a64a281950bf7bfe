import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { StaticTokenVerifier, type TokenVerifier } from '../../lambda/http/auth';
import { silentLogger } from '../../lambda/http/log';
import { CONSOLE_DIR } from '../../lib/console/static';
import { startLocalServer } from '../../lib/local/server';
import { freshTable } from './dynamo';
import { ENTERPRISE, TEST_TOKEN, userBody } from './server';

/** The local endpoint with the built console, as `npm start` serves it, on a fresh table. */
export async function startConsoleServer(verifier: TokenVerifier = new StaticTokenVerifier(TEST_TOKEN)) {
  if (!existsSync(join(CONSOLE_DIR, 'index.html'))) throw new Error('The console is not built: run `npm run build:console` (npm test does).');
  const table = await freshTable('console');
  const local = await startLocalServer({
    store: { client: table.client, tableName: table.tableName, directoryId: 'default' },
    verifier,
    logger: silentLogger,
    port: 0,
    consoleDir: CONSOLE_DIR,
  });
  const origin = new URL(local.baseUrl).origin;
  const scim = async (method: string, path: string, body?: unknown, token = TEST_TOKEN) => {
    const response = await fetch(local.baseUrl + path, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.status === 204 ? undefined : ((await response.json()) as { id: string });
  };
  return {
    ...local,
    origin,
    scim,
    async stop() {
      await local.close();
      table.client.destroy();
    },
  };
}

/** What an identity provider would have pushed: 30 users (one inactive) and three groups. */
export async function provisionDirectory(scim: Awaited<ReturnType<typeof startConsoleServer>>['scim']) {
  const ada = await scim('POST', '/Users', {
    ...userBody('ada@example.com', { displayName: 'Ada Lovelace', name: { givenName: 'Ada', familyName: 'Lovelace' }, externalId: 'jc-0001' }),
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
    title: 'Analyst',
    [ENTERPRISE]: { employeeNumber: '1815', department: 'Analytical Engines', costCenter: 'CC-42' },
  });
  const grace = await scim('POST', '/Users', userBody('grace@example.com', { displayName: 'Grace Hopper', active: false }));
  const others = [];
  for (let i = 1; i <= 28; i++) others.push(await scim('POST', '/Users', userBody(`user${String(i).padStart(2, '0')}@example.com`)));
  const all = [ada!, grace!, ...others.map((u) => u!)];
  const members = (users: { id: string }[]) => users.map((u) => ({ value: u.id, type: 'User' }));
  const group = (displayName: string, users: { id: string }[]) =>
    scim('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName, members: members(users) });
  const engineering = await group('Engineering', [ada!, grace!, others[0]!]);
  const everyone = await group('Everyone', all);
  const empty = await group('Empty team', []);
  return { ada: ada!, grace: grace!, engineering: engineering!, everyone: everyone!, empty: empty! };
}
