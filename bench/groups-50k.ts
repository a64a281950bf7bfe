/**
 * A group of 50,000 members, built by PATCH in realistic chunks against the local endpoint
 * (the same handlers the stack deploys, on DynamoDB Local), then read (too large for one
 * response with each member's `$ref`: 400 tooMany), trimmed to the largest group one response
 * carries and read again, trimmed more and deleted. Prints, for each step, the requests made,
 * the slowest one, the total time and the DynamoDB calls, and checks every request against
 * API Gateway's 29 s and the largest response against Lambda's 6 MB, as Lambda counts it.
 *
 *   npm run bench:groups -- [--members 50000] [--chunk 100] [--concurrency 8]
 */
import { randomBytes } from 'node:crypto';
import { StaticTokenVerifier } from '../lambda/http/auth';
import { silentLogger } from '../lambda/http/log';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { batchWrite } from '../lambda/store/batch';
import { createDocumentClient } from '../lambda/store/client';
import { ResourceTable } from '../lambda/store/resource-table';
import { counterPk, counterSk } from '../lambda/store/keys';
import { ensureTable, LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal } from '../lib/local/dynamodb-local';
import { startLocalServer } from '../lib/local/server';
import { maxMembersReturned } from '../lambda/service/group-service';

const API_GATEWAY_LIMIT_MS = 29_000;
const LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/**
 * Writes users straight into the table with the store's own item layout, in batches: 50,000
 * POSTs take minutes on DynamoDB Local (one small transaction each), and seeding is not what
 * this benchmark measures. The per-POST cost is measured on a sample instead.
 */
class SeedingStore {
  private readonly table: ResourceTable;

  constructor(private readonly client: DynamoDBDocumentClient, private readonly tableName: string) {
    this.table = new ResourceTable({ client, tableName, directory: 'default' }, 'User');
  }

  async seed(ids: string[], now: string): Promise<void> {
    const puts = ids.flatMap((id, i) => {
      const userName = `seed-${i}@example.com`;
      const stored = this.table.newResource(id, { document: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName }, uniqueValue: userName }, now);
      // The resource and its guard; the counter is set once below.
      return this.table
        .createEntries(stored)
        .slice(0, 2)
        .map((entry) => ({ PutRequest: { Item: entry.item.Put!.Item as Record<string, unknown> } }));
    });
    await batchWrite(this.client, this.tableName, puts);
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: counterPk('default', 'User'), sk: counterSk(0) },
        UpdateExpression: 'ADD n :count',
        ExpressionAttributeValues: { ':count': ids.length },
      }),
    );
  }
}

interface Step {
  name: string;
  requests: number;
  totalMs: number;
  slowestMs: number;
  dynamoCalls: number;
  note?: string;
}

async function main(): Promise<void> {
  const members = arg('members', 50_000);
  const chunk = arg('chunk', 100);
  const concurrency = arg('concurrency', 8);
  const token = randomBytes(16).toString('hex');
  const dynamo = await startDynamoDbLocal();
  await ensureTable(dynamo.endpoint, 'bench');
  let dynamoCalls = 0;
  const client = createDocumentClient({
    endpoint: dynamo.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    onCall: () => dynamoCalls++,
  });
  const server = await startLocalServer({
    store: { client, tableName: 'bench', directoryId: 'default' },
    verifier: new StaticTokenVerifier(token),
    logger: silentLogger,
    port: 0,
  });
  const steps: Step[] = [];

  const request = async (method: string, path: string, body?: unknown, expect?: number) => {
    const started = performance.now();
    const res = await fetch(server.baseUrl + path, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const ms = performance.now() - started;
    if (expect === undefined ? res.status >= 300 : res.status !== expect) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return { ms, text };
  };

  /** Runs `count` requests, `concurrency` at a time, and records the step. */
  const step = async (name: string, count: number, parallel: number, make: (i: number) => Promise<{ ms: number; text: string }>, note?: (texts: string[]) => string) => {
    const callsBefore = dynamoCalls;
    const started = performance.now();
    let slowest = 0;
    let next = 0;
    const texts: string[] = [];
    await Promise.all(
      Array.from({ length: Math.min(parallel, count) }, async () => {
        while (next < count) {
          const { ms, text } = await make(next++);
          slowest = Math.max(slowest, ms);
          if (note) texts.push(text);
        }
      }),
    );
    const entry = {
      name,
      requests: count,
      totalMs: performance.now() - started,
      slowestMs: slowest,
      dynamoCalls: dynamoCalls - callsBefore,
      note: note?.(texts),
    };
    steps.push(entry);
    process.stderr.write(`  ${name}: ${count} requests in ${(entry.totalMs / 1000).toFixed(1)} s\n`);
  };

  try {
    const sample = Math.min(500, members);
    const userIds: string[] = new Array(sample);
    await step(`create ${sample} users (POST /Users), a sample of the per-user cost`, sample, 8, async (i) => {
      const r = await request('POST', '/Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: `bench-${i}@example.com`,
      });
      userIds[i] = JSON.parse(r.text).id;
      return r;
    });
    const seeded = Array.from({ length: members - sample }, () => randomUUID());
    const seedStarted = performance.now();
    await new SeedingStore(client, 'bench').seed(seeded, new Date().toISOString());
    process.stderr.write(`  seeded ${seeded.length} more users in the table in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s (not an API step)\n`);
    userIds.push(...seeded);
    const group = JSON.parse((await request('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Everyone' })).text);
    const chunks = Math.ceil(members / chunk);
    await step(`add ${members} members, ${chunk} per PATCH`, chunks, concurrency, (i) =>
      request('PATCH', `/Groups/${group.id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'add', path: 'members', value: userIds.slice(i * chunk, (i + 1) * chunk).map((value) => ({ value })) }],
      }),
    );
    // The largest group one response carries at this Base URL (docs/groups.md): above it, 400 tooMany.
    const ceiling = maxMembersReturned(server.baseUrl);
    let inGroup = members;
    if (members > ceiling) {
      await step(`GET the group with its ${members} members: 400 tooMany (over ${ceiling})`, 1, 1, () => request('GET', `/Groups/${group.id}`, undefined, 400));
      const over = members - ceiling;
      await step(`trim to ${ceiling} members: remove ${over}, ${chunk} per PATCH`, Math.ceil(over / chunk), concurrency, (i) =>
        request('PATCH', `/Groups/${group.id}`, {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'remove', path: 'members', value: userIds.slice(members - over + i * chunk, Math.min(members, members - over + (i + 1) * chunk)).map((value) => ({ value })) }],
        }),
      );
      inGroup = ceiling;
    }
    await step(`GET the group with its ${inGroup} members`, 1, 1, () => request('GET', `/Groups/${group.id}`), (texts) => {
      const body = JSON.parse(texts[0]);
      const bytes = Buffer.byteLength(texts[0]);
      // In Lambda the body is a JSON string inside the response JSON: every quote escaped.
      const inLambda = Buffer.byteLength(JSON.stringify({ statusCode: 200, headers: { 'Content-Type': 'application/scim+json' }, body: texts[0] }));
      if (body.members.length !== inGroup) throw new Error(`GET returned ${body.members.length} members, expected ${inGroup}`);
      if (!String(body.members[0].$ref).startsWith(`${server.baseUrl}/Users/`)) throw new Error('members carry no $ref');
      return `${body.members.length} members, body ${(bytes / 1024 / 1024).toFixed(2)} MB, ${(inLambda / 1024 / 1024).toFixed(2)} MB as Lambda carries it (limit 6 MB: ${inLambda < LAMBDA_RESPONSE_LIMIT ? 'fits' : 'TOO LARGE'}); ceiling at this Base URL (${server.baseUrl.length} characters): ${ceiling}`;
    });
    await step('GET the group, excludedAttributes=members', 1, 1, () => request('GET', `/Groups/${group.id}?excludedAttributes=members`));
    await step('filter members[value eq "<user>"]', 20, 4, (i) =>
      request('GET', `/Groups?filter=${encodeURIComponent(`members[value eq "${userIds[i * 997]}"]`)}&excludedAttributes=members`),
    );
    const removed = Math.min(1000, inGroup);
    await step(`remove ${removed} members, ${chunk} per PATCH (members[value eq] form)`, Math.ceil(removed / chunk), concurrency, (i) =>
      request('PATCH', `/Groups/${group.id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: userIds.slice(i * chunk, Math.min((i + 1) * chunk, removed)).map((id) => ({ op: 'remove', path: `members[value eq "${id}"]` })),
      }),
    );
    await step('add 1 member to the big group', 1, 1, () =>
      request('PATCH', `/Groups/${group.id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'add', path: 'members', value: [{ value: userIds[0] }] }],
      }),
    );
    await step(`DELETE the group (${inGroup - removed + 1} members)`, 1, 1, () => request('DELETE', `/Groups/${group.id}`));
    const after = JSON.parse((await request('GET', `/Groups?filter=${encodeURIComponent(`members[value eq "${userIds[inGroup - 1]}"]`)}`)).text);
    if (after.totalResults !== 0) throw new Error('a membership of the deleted group is still visible');
  } finally {
    await server.close();
    client.destroy();
    await dynamo.stop();
  }

  const rows = steps.map((s) => ({
    step: s.name,
    requests: s.requests,
    'total s': (s.totalMs / 1000).toFixed(1),
    'slowest request s': (s.slowestMs / 1000).toFixed(2),
    'under 29 s': s.slowestMs < API_GATEWAY_LIMIT_MS ? 'yes' : 'NO',
    'DynamoDB calls': s.dynamoCalls,
    'calls per request': (s.dynamoCalls / s.requests).toFixed(1),
  }));
  console.table(rows);
  for (const s of steps) if (s.note) console.log(`${s.name}: ${s.note}`);
  const failed = steps.filter((s) => s.slowestMs >= API_GATEWAY_LIMIT_MS);
  if (failed.length > 0) {
    console.error(`Over API Gateway's 29 s: ${failed.map((s) => s.name).join('; ')}`);
    process.exitCode = 1;
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
