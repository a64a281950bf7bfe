/**
 * The cost of the list features on a directory of N users (default 3,000), against the
 * local endpoint (the deployed handlers, on DynamoDB Local): users created through POST
 * /Bulk, then the whole directory walked with cursors and with startIndex, one sorted page,
 * one filtered page and one root /.search page. Prints requests, time, the slowest request
 * and DynamoDB calls per request; checks each request against API Gateway's 29 s.
 *
 *   npm run bench:lists -- [--users 3000] [--count 100]
 */
import { randomBytes } from 'node:crypto';
import { StaticTokenVerifier } from '../lambda/http/auth';
import { silentLogger } from '../lambda/http/log';
import { BULK_MAX_OPERATIONS } from '../lambda/scim/bulk/limits';
import { createDocumentClient } from '../lambda/store/client';
import { ensureTable, LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal } from '../lib/local/dynamodb-local';
import { startLocalServer } from '../lib/local/server';
import { scimClient } from './lib/scim-client';

const API_GATEWAY_LIMIT_MS = 29_000;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

interface Row {
  step: string;
  requests: number;
  'total s': string;
  'slowest ms': string;
  'DynamoDB calls / request': string;
  'under 29 s': string;
}

async function main(): Promise<void> {
  const users = arg('users', 3000);
  const count = arg('count', 100);
  const token = randomBytes(16).toString('hex');
  const dynamo = await startDynamoDbLocal();
  await ensureTable(dynamo.endpoint, 'bench');
  let calls = 0;
  const client = createDocumentClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, onCall: () => calls++ });
  const server = await startLocalServer({ store: { client, tableName: 'bench', directoryId: 'default' }, verifier: new StaticTokenVerifier(token), logger: silentLogger, port: 0 });
  const rows: Row[] = [];
  const request = scimClient(server.baseUrl, token);
  /** Runs `run` (which makes requests through `timed`) and records one row. */
  const step = async (name: string, run: (timed: typeof request) => Promise<void>) => {
    let requests = 0;
    let slowest = 0;
    const callsBefore = calls;
    const started = performance.now();
    await run(async (...args) => {
      const t = performance.now();
      const out = await request(...args);
      slowest = Math.max(slowest, performance.now() - t);
      requests++;
      return out;
    });
    const total = performance.now() - started;
    rows.push({
      step: name,
      requests,
      'total s': (total / 1000).toFixed(2),
      'slowest ms': slowest.toFixed(0),
      'DynamoDB calls / request': ((calls - callsBefore) / requests).toFixed(1),
      'under 29 s': slowest < API_GATEWAY_LIMIT_MS ? 'yes' : 'NO',
    });
    process.stderr.write(`  ${name}: ${requests} requests in ${(total / 1000).toFixed(1)} s\n`);
  };

  try {
    await step(`create ${users} users through POST /Bulk, ${BULK_MAX_OPERATIONS} per request`, async (timed) => {
      for (let start = 0; start < users; start += BULK_MAX_OPERATIONS) {
        const Operations = Array.from({ length: Math.min(BULK_MAX_OPERATIONS, users - start) }, (_, k) => ({
          method: 'POST',
          path: '/Users',
          bulkId: `u${start + k}`,
          data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `bench-${start + k}@example.com`, title: `t${(start + k) % 17}` },
        }));
        const res = await timed('POST', '/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations });
        if (res.Operations.some((o: { status: string }) => o.status !== '201')) throw new Error('a bulk create failed');
      }
    });
    // `groups` is returned by default and costs one membership query per user; the walks
    // are measured with and without it, so the listing's own cost shows.
    for (const [label, extra] of [['', ''], [', excludedAttributes=groups', '&excludedAttributes=groups']]) {
      await step(`walk every user with cursors, count=${count}${label}`, async (timed) => {
        let cursor = '';
        let seen = 0;
        do {
          const page = await timed('GET', `/Users?count=${count}&cursor=${cursor}${extra}`);
          seen += page.itemsPerPage;
          cursor = page.nextCursor ?? '';
        } while (cursor);
        if (seen !== users) throw new Error(`the cursor walk saw ${seen} users`);
      });
      await step(`walk every user with startIndex, count=${count}${label}`, async (timed) => {
        let seen = 0;
        for (let start = 1; start <= users; start += count) seen += (await timed('GET', `/Users?count=${count}&startIndex=${start}${extra}`)).itemsPerPage;
        if (seen !== users) throw new Error(`the startIndex walk saw ${seen} users`);
      });
    }
    await step('one page sorted by title (reads the whole directory)', async (timed) => {
      await timed('GET', `/Users?count=${count}&sortBy=title&sortOrder=descending`);
    });
    await step('one page of filter=title eq "t3" (reads the whole directory)', async (timed) => {
      await timed('GET', `/Users?count=${count}&filter=${encodeURIComponent('title eq "t3"')}`);
    });
    await step('one page of POST /.search over both resource types', async (timed) => {
      await timed('POST', '/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], count });
    });
  } finally {
    await server.close();
    client.destroy();
    await dynamo.stop();
  }
  console.table(rows);
  if (rows.some((r) => r['under 29 s'] === 'NO')) process.exitCode = 1;
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
