/**
 * DynamoDB calls, round trips and consumed capacity per SCIM operation, counted by SDK
 * middleware on the client the handlers use, against DynamoDB Local through the local
 * endpoint (the handlers the stack deploys). From the capacity, the cost per million
 * operations at on-demand list prices (printed with the figures).
 */
import { randomBytes } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, type CallRecord } from '../lambda/store/client';
import { ensureTable, LOCAL_CREDENTIALS, LOCAL_REGION } from '../lib/local/dynamodb-local';
import { roundTrips } from '../test/support/dynamo';
import { median } from './lib/timing';
import { startBenchEndpoint } from './lib/scim-client';
import { USER_SCHEMA as USER } from '../lambda/scim/schema/user';
import { GROUP_SCHEMA as GROUP } from '../lambda/scim/schema/group';
import { PATCH_OP_SCHEMA as PATCH_OP } from '../lambda/scim/patch/dialects';


/**
 * On-demand list prices, us-east-1, in USD, as published on the AWS pricing pages
 * (DynamoDB since the 1 November 2024 on-demand price cut; unchanged as of November 2026 to
 * our knowledge; check the pages before relying on them).
 */
export const PRICES = {
  source:
    'aws.amazon.com/dynamodb/pricing/on-demand, /lambda/pricing, /api-gateway/pricing; us-east-1 list prices as of 2026-11',
  dynamoWriteRequestUnitPerMillion: 0.625,
  dynamoReadRequestUnitPerMillion: 0.125,
  lambdaRequestPerMillion: 0.2,
  lambdaArmGbSecond: 0.0000133334,
  apiGatewayRestPerMillion: 3.5,
  /** Assumed, not measured: billed duration of one request at the stack's default 512 MB (arm64). */
  assumedLambdaMs: 50,
  lambdaMemoryGb: 0.5,
} as const;

/** Commands that read; every other data-plane command writes (for splitting capacity into RRU and WRU). */
const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
const DATA_PLANE = new Set([...READS, 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

interface Measured extends CallRecord {
  readonly read: number;
  readonly write: number;
}

export interface OperationRow {
  readonly operation: string;
  readonly calls: number;
  readonly roundTrips: number;
  readonly commands: string;
  readonly readUnits: number;
  readonly writeUnits: number;
  /** USD per million operations: DynamoDB only, and with API Gateway and Lambda added. */
  readonly dynamoCostPerMillion: number;
  readonly totalCostPerMillion: number;
  readonly budget: string;
  readonly budgetMet: boolean;
}

export interface DynamoResult {
  readonly capacitySource: string;
  readonly prices: typeof PRICES;
  readonly samples: number;
  readonly rows: OperationRow[];
}

/** Asks for ReturnConsumedCapacity on every data-plane command and records what comes back. */
export function instrument(client: DynamoDBDocumentClient, sink: (m: Omit<Measured, keyof CallRecord>) => void): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName).replace(/Command$/, '');
      const input = args.input as Record<string, unknown>;
      if (DATA_PLANE.has(name)) input.ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      const list = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as { CapacityUnits?: number }[];
      const units = list.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
      sink(READS.has(name) ? { read: units, write: 0 } : { read: 0, write: units });
      return result;
    },
    { step: 'initialize', name: 'benchConsumedCapacity', priority: 'low' },
  );
}

/** Measures every operation `samples` times on fresh resources; the figures are medians. */
export async function runDynamoCalls(endpoint: string, quick: boolean): Promise<DynamoResult> {
  const samples = quick ? 3 : 7;
  const tableName = `bench-calls-${randomBytes(4).toString('hex')}`;
  await ensureTable(endpoint, tableName);
  const calls: CallRecord[] = [];
  const units: { read: number; write: number }[] = [];
  const client = createDocumentClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    onCall: (call) => calls.push(call),
  });
  // The capacity middleware runs inside the call recorder, so its records line up one to one.
  instrument(client, (u) => units.push(u));
  const { server, scim: scim } = await startBenchEndpoint(client, tableName);
  let seq = 0;
  const newUser = async () => {
    const n = seq++;
    return scim('POST', '/Users', { schemas: [USER], userName: `calls-${n}@example.com`, externalId: `ext-${n}` });
  };
  const newGroup = async () => scim('POST', '/Groups', { schemas: [GROUP], displayName: `Group ${seq++}` });
  const members = (ids: string[]) => ids.map((value) => ({ value }));
  const patch = (operations: unknown[]) => ({ schemas: [PATCH_OP], Operations: operations });

  // A directory to filter and page in: 150 users, two groups of 120 members each.
  const directory: string[] = [];
  for (let i = 0; i < 150; i++) directory.push((await newUser()).id);
  const big = [await newGroup(), await newGroup()];
  for (const g of big) await scim('PATCH', `/Groups/${g.id}`, patch([{ op: 'add', path: 'members', value: members(directory.slice(0, 120)) }]));
  const inGroups = directory[0];
  // Users 0-119 are in both groups, 120-149 in none (seq numbers match the directory index).
  const notInGroups = 140;

  interface Operation {
    readonly name: string;
    /** Prepares one sample (not counted) and returns the request to count. */
    readonly prepare: () => Promise<() => Promise<unknown>>;
    /** The budget this operation is held to, and the figure it is checked on. */
    readonly budget: (calls: number, trips: number) => [string, boolean];
  }
  // DESIGN.md's budget counts round trips; the issue's wording counts calls: both are shown.
  const single = (calls: number, trips: number): [string, boolean] => [
    `<= 2 round trips: ${trips <= 2 ? 'yes' : 'NO'}; <= 2 calls: ${calls <= 2 ? 'yes' : `no (${calls})`}`,
    trips <= 2,
  ];
  // O(k): the group's read, one batch read of the users per 100, one transaction per 48 member
  // changes (two items each), never more for a larger group (the remove rows' groups hold 120).
  const bound = (k: number) => 1 + Math.ceil(k / 100) + Math.ceil(k / 48);
  const fixed = (k: number) => (calls: number): [string, boolean] => [
    `O(k): at most 1 + ceil(k/100) + ceil(k/48) = ${bound(k)} calls, whatever the group size`,
    calls <= bound(k),
  ];
  let mark = 0;
  /** A user in both groups of the directory, new for each sample. */
  const grouped = async () => {
    const u = await newUser();
    for (const g of big) await scim('PATCH', `/Groups/${g.id}`, patch([{ op: 'add', path: 'members', value: members([u.id]) }]));
    return u;
  };
  const ops: Operation[] = [
    { name: 'create user (POST)', prepare: async () => () => newUser(), budget: single },
    { name: 'get user', prepare: async () => { const u = await newUser(); return () => scim('GET', `/Users/${u.id}`); }, budget: single },
    { name: 'get user in 2 groups', prepare: async () => () => scim('GET', `/Users/${inGroups}`), budget: single },
    { name: 'filter userName eq', prepare: async () => () => scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "calls-${notInGroups}@example.com"`)}`), budget: single },
    { name: 'filter userName eq, user in 2 groups', prepare: async () => () => scim('GET', `/Users?filter=${encodeURIComponent('userName eq "calls-0@example.com"')}`), budget: single },
    { name: 'filter userName eq, no such user', prepare: async () => () => scim('GET', `/Users?filter=${encodeURIComponent('userName eq "nobody@example.com"')}`), budget: single },
    {
      name: 'filter userName eq, excludedAttributes=groups',
      prepare: async () => () => scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "calls-${notInGroups}@example.com"`)}&excludedAttributes=groups`),
      budget: single,
    },
    { name: 'filter externalId eq', prepare: async () => () => scim('GET', `/Users?filter=${encodeURIComponent(`externalId eq "ext-${notInGroups}"`)}`), budget: single },
    { name: 'filter group displayName eq', prepare: async () => () => scim('GET', `/Groups?filter=${encodeURIComponent(`displayName eq "${big[0].displayName}"`)}&excludedAttributes=members`), budget: single },
    { name: 'filter group members[value eq]', prepare: async () => () => scim('GET', `/Groups?filter=${encodeURIComponent(`members[value eq "${inGroups}"]`)}&excludedAttributes=members`), budget: single },
    {
      name: 'PUT user',
      prepare: async () => { const u = await newUser(); return () => scim('PUT', `/Users/${u.id}`, { schemas: [USER], userName: u.userName, displayName: 'Put' }); },
      budget: single,
    },
    {
      name: 'PATCH user (replace 2 attributes)',
      prepare: async () => { const u = await newUser(); return () => scim('PATCH', `/Users/${u.id}`, patch([{ op: 'replace', path: 'displayName', value: 'P' }, { op: 'replace', path: 'active', value: false }])); },
      budget: single,
    },
    {
      name: 'PATCH user in 2 groups',
      prepare: async () => () => scim('PATCH', `/Users/${inGroups}`, patch([{ op: 'replace', path: 'displayName', value: `P${mark++}` }])),
      budget: single,
    },
    { name: 'delete user', prepare: async () => { const u = await newUser(); return () => scim('DELETE', `/Users/${u.id}`); }, budget: single },
    { name: 'delete user in 2 groups', prepare: async () => { const u = await grouped(); return () => scim('DELETE', `/Users/${u.id}`); }, budget: single },
    {
      name: 'list page (count=100, excludedAttributes=groups)',
      prepare: async () => () => scim('GET', '/Users?count=100&excludedAttributes=groups'),
      budget: (_calls, trips) => ['totalResults one read; page and count in parallel: 1 round trip', trips <= 1],
    },
    {
      name: 'list page (count=100, with groups)',
      prepare: async () => () => scim('GET', '/Users?count=100'),
      budget: (_calls, trips) => ['+ 1 batch read of the groups the page names: 2 round trips', trips <= 2],
    },
    ...[1, 100].flatMap((k): Operation[] => [
      {
        name: `group: add ${k} member${k > 1 ? 's' : ''}`,
        prepare: async () => { const g = await newGroup(); return () => scim('PATCH', `/Groups/${g.id}`, patch([{ op: 'add', path: 'members', value: members(directory.slice(0, k)) }])); },
        budget: fixed(k),
      },
      {
        name: `group: remove ${k} member${k > 1 ? 's' : ''}`,
        prepare: async () => {
          const g = await newGroup();
          await scim('PATCH', `/Groups/${g.id}`, patch([{ op: 'add', path: 'members', value: members(directory.slice(0, 120)) }]));
          return () => scim('PATCH', `/Groups/${g.id}`, patch(directory.slice(0, k).map((id) => ({ op: 'remove', path: `members[value eq "${id}"]` }))));
        },
        budget: fixed(k),
      },
    ]),
  ];

  const rows: OperationRow[] = [];
  try {
    for (const op of ops) {
      const perSample: { calls: number; trips: number; read: number; write: number; commands: string }[] = [];
      for (let s = 0; s < samples; s++) {
        const request = await op.prepare();
        const before = calls.length;
        await request();
        const made = calls.slice(before);
        const used = units.slice(before);
        perSample.push({
          calls: made.length,
          trips: roundTrips(made),
          read: used.reduce((sum, u) => sum + u.read, 0),
          write: used.reduce((sum, u) => sum + u.write, 0),
          commands: summarise(made.map((c) => c.command)),
        });
      }
      const callsMedian = median(perSample.map((p) => p.calls));
      const trips = median(perSample.map((p) => p.trips));
      const read = median(perSample.map((p) => p.read));
      const write = median(perSample.map((p) => p.write));
      const dynamoCost = read * PRICES.dynamoReadRequestUnitPerMillion + write * PRICES.dynamoWriteRequestUnitPerMillion;
      const perRequest =
        PRICES.apiGatewayRestPerMillion +
        PRICES.lambdaRequestPerMillion +
        1e6 * PRICES.lambdaArmGbSecond * PRICES.lambdaMemoryGb * (PRICES.assumedLambdaMs / 1000);
      const [budget, met] = op.budget(callsMedian, trips);
      rows.push({
        operation: op.name,
        calls: callsMedian,
        roundTrips: trips,
        commands: perSample[perSample.length - 1].commands,
        readUnits: read,
        writeUnits: write,
        dynamoCostPerMillion: round(dynamoCost, 3),
        totalCostPerMillion: round(dynamoCost + perRequest, 2),
        budget,
        budgetMet: met,
      });
    }
  } finally {
    await server.close();
    client.destroy();
  }
  const reported = rows.some((r) => r.readUnits + r.writeUnits > 0);
  return {
    capacitySource: reported
      ? 'ConsumedCapacity returned by DynamoDB Local (ReturnConsumedCapacity TOTAL on every data-plane command)'
      : 'DynamoDB Local returned no ConsumedCapacity: capacity columns are 0 and not meaningful',
    prices: PRICES,
    samples,
    rows,
  };
}

/** `GetItem x2, Query` from a list of command names, in first-seen order. */
function summarise(commands: string[]): string {
  const counts = new Map<string, number>();
  for (const c of commands) counts.set(c.replace(/Command$/, ''), (counts.get(c.replace(/Command$/, '')) ?? 0) + 1);
  return [...counts].map(([c, n]) => (n > 1 ? `${c} x${n}` : c)).join(', ');
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
