/**
 * Deleting a directory on DynamoDB Local: a directory of 10,000 users and 1,000 groups (20
 * members each, so every user is in two groups), next to another directory that must not
 * change. The directory is seeded with the store's own item layout (checked consistent by the
 * consistency checker before it is deleted), then deleted the way `npm run directory -- delete`
 * does (lambda/store/directory-data.ts: the byDirectory index, no Scan). Prints the time, the
 * DynamoDB calls, an estimate of the capacity it would bill, and checks that no item of the
 * directory is left and that no item of the other changed.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createHash, randomBytes } from 'node:crypto';
import { batchWrite } from '../lambda/store/batch';
import { createDocumentClient, type CallRecord } from '../lambda/store/client';
import { checkTable } from '../lambda/store/consistency';
import { DynamoDirectoryData } from '../lambda/store/directory-data';
import { counterPk, counterSk, memberSk, resourcePk, withDirectoryIndex } from '../lambda/store/keys';
import { ResourceTable } from '../lambda/store/resource-table';
import { INDEXES } from '../lambda/store/table';
import { ensureTable, LOCAL_CREDENTIALS, LOCAL_REGION } from '../lib/local/dynamodb-local';
import { PRICES } from './dynamo-calls';
import { USER_SCHEMA as USER } from '../lambda/scim/schema/user';
import { GROUP_SCHEMA as GROUP } from '../lambda/scim/schema/group';

type Item = Record<string, unknown>;

export interface DirectoriesResult {
  readonly users: number;
  readonly groups: number;
  readonly memberships: number;
  /** Items of the deleted directory, by the index count before the deletion. */
  readonly items: number;
  readonly seedSeconds: number;
  readonly countMs: number;
  readonly deleteSeconds: number;
  readonly itemsPerSecond: number;
  readonly calls: Record<string, number>;
  /** Estimated from the items' sizes: what the deletion would bill on demand in DynamoDB. */
  readonly estimatedWriteUnits: number;
  readonly estimatedReadUnits: number;
  readonly estimatedCostUsd: number;
  /** Items of the deleted directory a Scan still finds afterwards (must be 0). */
  readonly left: number;
  /** Whether every item of the other directory is as it was, byte for byte. */
  readonly otherUnchanged: boolean;
  readonly otherItems: number;
}

const NOW = '2026-12-01T12:00:00.000Z';

/** Writes a consistent directory straight into the table, in the store's own item layout. */
async function seed(client: DynamoDBDocumentClient, tableName: string, directory: string, users: number, groups: number, membersPerGroup: number): Promise<number> {
  const ref = { client, tableName, directory };
  const userTable = new ResourceTable(ref, 'User');
  const groupTable = new ResourceTable(ref, 'Group');
  const userIds = Array.from({ length: users }, (_, i) => `${directory}-u${i}`);
  const groupIds = Array.from({ length: groups }, (_, i) => `${directory}-g${i}`);
  const membersOf = (g: number) => Array.from({ length: membersPerGroup }, (_, k) => userIds[(g * membersPerGroup + k) % users]);
  const groupsOf = new Map<string, string[]>();
  groupIds.forEach((gid, g) => membersOf(g).forEach((uid) => groupsOf.set(uid, [...(groupsOf.get(uid) ?? []), gid])));
  const items: Item[] = [];
  /** A create's resource and guard items (the counter is written once below), as the store builds them. */
  const created = (table: ResourceTable, id: string, document: Item, unique: string, extra: Item) =>
    table.createEntries(table.newResource(id, { document, uniqueValue: unique }, NOW), extra).slice(0, 2).map((e) => e.item.Put!.Item as Item);
  userIds.forEach((id, i) => {
    const userName = `user${i}@${directory}.example.com`;
    const memberOf = groupsOf.get(id);
    const document = { schemas: [USER], userName, displayName: `User ${i}`, active: true, emails: [{ value: userName, type: 'work', primary: true }], externalId: `ext-${i}` };
    items.push(...created(userTable, id, document, userName, memberOf ? { memberOf: new Set(memberOf) } : {}));
  });
  groupIds.forEach((id, g) => {
    items.push(...created(groupTable, id, { schemas: [GROUP], displayName: `Group ${g}` }, `Group ${g}`, { memberCount: membersPerGroup }));
    for (const uid of membersOf(g)) items.push(withDirectoryIndex({ pk: resourcePk(directory, 'Group', id), sk: memberSk(uid) }));
  });
  items.push(withDirectoryIndex({ pk: counterPk(directory, 'User'), sk: counterSk(0), n: users }));
  items.push(withDirectoryIndex({ pk: counterPk(directory, 'Group'), sk: counterSk(0), n: groups }));
  await batchWrite(client, tableName, items.map((Item) => ({ PutRequest: { Item } })));
  return groups * membersPerGroup;
}

/** Every item of a directory, by a Scan (the benchmark's own check, not how a deletion reads). */
async function scanDirectory(client: DynamoDBDocumentClient, tableName: string, directory: string): Promise<Item[]> {
  const items: Item[] = [];
  let ExclusiveStartKey: Item | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, FilterExpression: 'begins_with(pk, :d)', ExpressionAttributeValues: { ':d': `${directory}#` }, ExclusiveStartKey, Limit: 2_000 }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/** A stable digest of a set of items: equal exactly when every item is equal. */
function digestOf(items: readonly Item[]): string {
  const lines = items.map((item) => JSON.stringify(item, (_, v) => (v instanceof Set ? [...v].sort() : v)));
  return createHash('sha256').update(lines.sort().join('\n')).digest('hex');
}

/** DynamoDB's size of an item, near enough to price it: attribute names and values, in bytes. */
function itemBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') return Math.ceil(String(value).length / 2) + 1;
  if (typeof value === 'boolean' || value === null) return 1;
  if (value instanceof Set) return [...value].reduce((n: number, v) => n + itemBytes(v), 0);
  if (Array.isArray(value)) return 3 + value.reduce((n: number, v) => n + 1 + itemBytes(v), 0);
  if (typeof value === 'object') return 3 + Object.entries(value as Item).reduce((n, [k, v]) => n + Buffer.byteLength(k) + 1 + itemBytes(v), 0);
  return 0;
}

/**
 * What deleting these items bills on demand: 1 write unit per KB of each item, plus each index
 * entry it has (byType and byExternalId carry the whole item, byDirectory its keys); reading
 * the keys from the index costs half a read unit per 4 KB (eventually consistent).
 */
function estimate(items: readonly Item[]): { write: number; read: number } {
  let write = 0;
  let read = 0;
  for (const item of items) {
    const size = itemBytes(item);
    write += Math.ceil(size / 1024);
    if (item[INDEXES.byType.partitionKey] !== undefined) write += Math.ceil(size / 1024);
    if (item[INDEXES.byExternalId.partitionKey] !== undefined) write += Math.ceil(size / 1024);
    const keys = itemBytes({ pk: item.pk, sk: item.sk, [INDEXES.byDirectory.partitionKey]: item[INDEXES.byDirectory.partitionKey] });
    write += 1;
    read += keys / 4096 / 2;
  }
  return { write, read: Math.ceil(read) };
}

export async function runDirectories(endpoint: string, quick: boolean): Promise<DirectoriesResult> {
  const users = quick ? 2_000 : 10_000;
  const groups = quick ? 200 : 1_000;
  const tableName = `bench-directories-${randomBytes(4).toString('hex')}`;
  await ensureTable(endpoint, tableName);
  const calls: CallRecord[] = [];
  const client = createDocumentClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, onCall: (c) => calls.push(c) });
  // The benchmark's own checks scan tens of thousands of items: a Scan page of DynamoDB Local
  // on a busy machine can take longer than the store's 5 s request timeout.
  const scanner = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, requestHandler: { requestTimeout: 300_000 } }),
    { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false } },
  );
  try {
    const seeded = Date.now();
    // Seeding is not what is measured: it goes through the patient client too.
    const memberships = await seed(scanner, tableName, 'leaving', users, groups, 20);
    await seed(scanner, tableName, 'staying', 500, 50, 20);
    const seedSeconds = (Date.now() - seeded) / 1000;
    // The seeded directory is one the store could have written: the checker finds nothing.
    const check = await checkTable(scanner, tableName, 'leaving');
    if (check.findings.length > 0) throw new Error(`The seeded directory is not consistent: ${check.findings.slice(0, 3).map((f) => f.kind).join(', ')}`);
    const before = await scanDirectory(scanner, tableName, 'leaving');
    const staying = await scanDirectory(scanner, tableName, 'staying');
    const data = new DynamoDirectoryData(client, tableName);
    const counted = Date.now();
    const items = await data.count('leaving');
    const countMs = Date.now() - counted;

    const from = calls.length;
    const started = performance.now();
    const deleted = await data.purge('leaving');
    const deleteSeconds = (performance.now() - started) / 1000;
    const made: Record<string, number> = {};
    for (const call of calls.slice(from)) made[call.command.replace(/Command$/, '')] = (made[call.command.replace(/Command$/, '')] ?? 0) + 1;
    if (deleted !== items) throw new Error(`The deletion removed ${deleted} items of ${items}.`);

    const left = (await scanDirectory(scanner, tableName, 'leaving')).length;
    const stayingAfter = await scanDirectory(scanner, tableName, 'staying');
    const { write, read } = estimate(before);
    return {
      users,
      groups,
      memberships,
      items,
      seedSeconds,
      countMs,
      deleteSeconds: Math.round(deleteSeconds * 10) / 10,
      itemsPerSecond: Math.round(items / deleteSeconds),
      calls: made,
      estimatedWriteUnits: write,
      estimatedReadUnits: read,
      estimatedCostUsd: Math.round((write * PRICES.dynamoWriteRequestUnitPerMillion + read * PRICES.dynamoReadRequestUnitPerMillion) / 1e6 * 10_000) / 10_000,
      left,
      otherUnchanged: digestOf(staying) === digestOf(stayingAfter) && staying.length === stayingAfter.length,
      otherItems: staying.length,
    };
  } finally {
    client.destroy();
    scanner.destroy();
  }
}
