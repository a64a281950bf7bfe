import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { createTableInput } from '../../lambda/store/table';
import { ensureTable, localClient } from '../../lib/local/dynamodb-local';
import { dynamoStores } from '../../lambda/handlers/services';
import { DynamoDirectoryData } from '../../lambda/store/directory-data';
import { DIRECTORY_SHARDS, directoryIndexKey, directoryShardKey } from '../../lambda/store/keys';
import { INDEXES } from '../../lambda/store/table';
import type { AuditFacts } from '../../lambda/store/types';
import { freshTable, localEndpoint } from '../support/dynamo';
import { directoryContract } from './directory-contract';

/** The directories contract on the DynamoDB store, two directories on one table of DynamoDB Local. */
directoryContract('DynamoDB store on DynamoDB Local', async () => {
  const table = await freshTable('directories');
  return {
    stores: (directory) => dynamoStores({ client: table.client, tableName: table.tableName, directoryId: directory }),
    data: new DynamoDirectoryData(table.client, table.tableName),
    close: () => table.client.destroy(),
  };
});

const NOW = '2026-11-28T12:00:00.000Z';
const user = (name: string, extra: Record<string, unknown> = {}) => ({
  document: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: name, ...extra },
  uniqueValue: name,
});
const group = (name: string) => ({ document: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: name }, uniqueValue: name });
/** The audit facts of a request served in `directory`: every write below is audited, as the services audit it. */
const audited = (directory: string, operation: AuditFacts['operation']): AuditFacts => ({
  at: NOW,
  operation,
  actor: { tokenId: 'tok-1', name: 'okta' },
  requestId: randomUUID(),
  directory,
  changes: [],
});

type Item = Record<string, unknown>;
/** The key attributes of the table and of every index. */
const KEY_ATTRIBUTES = ['pk', ...Object.values(INDEXES).map((i) => i.partitionKey)];

/**
 * What the DynamoDB store writes for a directory: every key and every index key of every item
 * a request writes (seen on the wire, so that items a change writes and removes again, such as
 * an intent's pages, are checked too) starts with the directory, and every item carries its
 * byDirectory attribute, so that the directory's deletion finds all of it.
 */
describe('the directory prefix on every key and index the DynamoDB store writes', () => {
  let table: Awaited<ReturnType<typeof freshTable>>;
  const written: { directory: string; item: Item; how: string }[] = [];
  let current = '';

  beforeAll(async () => {
    table = await freshTable('prefixes');
    // Every item of every write request, as sent, tagged with the directory whose store sent it.
    table.client.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { TransactItems?: Item[]; RequestItems?: Record<string, Item[]> };
        for (const action of input.TransactItems ?? []) {
          const put = (action.Put as { Item: Item } | undefined)?.Item;
          const update = action.Update as { Key: Item; UpdateExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues: Record<string, unknown> } | undefined;
          const other = (action.Delete ?? action.ConditionCheck) as { Key: Item } | undefined;
          if (put) written.push({ directory: current, item: put, how: 'Put' });
          if (update) written.push({ directory: current, item: { ...update.Key, ...setValues(update) }, how: 'Update' });
          if (other) written.push({ directory: current, item: other.Key, how: 'Delete/Check' });
        }
        for (const requests of Object.values(input.RequestItems ?? {})) {
          for (const r of requests as { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[]) {
            if (r.PutRequest) written.push({ directory: current, item: r.PutRequest.Item, how: 'BatchPut' });
            if (r.DeleteRequest) written.push({ directory: current, item: r.DeleteRequest.Key, how: 'BatchDelete' });
          }
        }
        return next(args);
      },
      { step: 'initialize', name: 'recordWrites' },
    );
    const users = Array.from({ length: 130 }, (_, i) => `u${i}`);
    for (const directory of ['alpha', 'beta']) {
      current = directory;
      const { users: u, groups: g } = dynamoStores({ client: table.client, tableName: table.tableName, directoryId: directory });
      for (let i = 0; i < users.length; i += 26) {
        await Promise.all(users.slice(i, i + 26).map((id) => u.create(id, user(`${id}@example.com`, { externalId: `x-${id}` }), NOW, audited(directory, 'create'))));
      }
      const renamed = await u.replace((await u.get('u0'))!, user('renamed@example.com'), NOW, audited(directory, 'replace'));
      const small = await g.create('small', group('Small'), users.slice(0, 3), NOW, audited(directory, 'create'));
      // 120 members: an intent with its pages, applied in several transactions and cleaned up;
      // its audit entry in the first and a page of it in each later one.
      const big = await g.create('big', group('Big'), [], NOW, audited(directory, 'create'));
      await g.update(big, { members: { add: users.slice(0, 120), remove: [] }, pinned: false }, NOW, audited(directory, 'patch'));
      await g.update((await g.get('small'))!, { members: { add: [], remove: ['u1'] }, pinned: false }, NOW, audited(directory, 'patch'));
      await u.delete((await u.get('u2'))!, NOW, audited(directory, 'delete'));
      await g.delete((await g.get('small'))!, audited(directory, 'delete'));
      expect(renamed.version).toBe(2);
      expect(small.memberCount).toBe(3);
    }
  });
  afterAll(() => table.client.destroy());

  it('writes no key or index key without its directory, and stamps every item for the directory index', () => {
    expect(written.length).toBeGreaterThan(1000);
    expect(new Set(written.map((w) => w.how))).toEqual(new Set(['Put', 'Update', 'Delete/Check', 'BatchDelete']));
    const wrong = written.filter(({ directory, item }) => KEY_ATTRIBUTES.some((k) => item[k] !== undefined && !String(item[k]).startsWith(`${directory}#`)));
    expect(wrong.slice(0, 3)).toEqual([]);
    const unstamped = written.filter(({ item, how }) => (how === 'Put' || how === 'Update') && item[INDEXES.byDirectory.partitionKey] !== directoryIndexKey(String(item.pk)));
    expect(unstamped.slice(0, 3)).toEqual([]);
    // Intent pages were among them, and audit entries with the pages of a change of several transactions.
    expect(written.some(({ item, how }) => how === 'Put' && String(item.sk).startsWith('INTENT#'))).toBe(true);
    const audit = written.filter(({ item, how }) => how === 'Put' && String(item.sk).startsWith('AUDIT#'));
    expect(audit.length).toBeGreaterThan(2 * 130);
    expect(audit.some(({ item }) => item.step !== undefined)).toBe(true);
  });

  it('leaves every stored item in its directory, and finds exactly those through the directory index', async () => {
    const scanned: Item[] = [];
    let ExclusiveStartKey: Item | undefined;
    do {
      const page = await table.client.send(new ScanCommand({ TableName: table.tableName, ExclusiveStartKey }));
      scanned.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    for (const directory of ['alpha', 'beta']) {
      const mine = scanned.filter((item) => String(item.pk).startsWith(`${directory}#`));
      for (const item of mine) {
        for (const key of KEY_ATTRIBUTES) if (item[key] !== undefined) expect(String(item[key])).toMatch(new RegExp(`^${directory}#`));
      }
      const indexed: string[] = [];
      for (let shard = 0; shard < DIRECTORY_SHARDS; shard++) {
        const { Items = [] } = await table.client.send(
          new QueryCommand({
            TableName: table.tableName,
            IndexName: INDEXES.byDirectory.indexName,
            KeyConditionExpression: '#p = :p',
            ExpressionAttributeNames: { '#p': INDEXES.byDirectory.partitionKey },
            ExpressionAttributeValues: { ':p': directoryShardKey(directory, shard) },
          }),
        );
        indexed.push(...Items.map((i) => `${String(i.pk)} ${String(i.sk)}`));
      }
      expect(indexed.sort()).toEqual(mine.map((i) => `${String(i.pk)} ${String(i.sk)}`).sort());
      // Users, guards, groups, members, counter shards and audit entries: every kind is there.
      expect(new Set(mine.map((i) => String(i.sk).replace(/#.*/, '')))).toEqual(new Set(['USER', 'UNIQUE', 'GROUP', 'MEMBER', 'SHARD', 'AUDIT']));
    }
    expect(scanned.every((item) => /^(alpha|beta)#/.test(String(item.pk)))).toBe(true);
  });
});

/** The values an update SETs, by attribute name. */
function setValues(update: { UpdateExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues: Record<string, unknown> }): Item {
  const set = /SET (.*?)(?: ADD | REMOVE | DELETE |$)/.exec(update.UpdateExpression)?.[1] ?? '';
  return Object.fromEntries(
    set
      .split(', ')
      .map((part) => part.split(' = '))
      .filter(([name, value]) => name && value)
      .map(([name, value]) => [update.ExpressionAttributeNames[name], update.ExpressionAttributeValues[value]]),
  );
}

describe('a local table kept from before directories', () => {
  it('gets the directory index when the local endpoint starts on it (ensureTable), as a deploy adds it', async () => {
    const endpoint = await localEndpoint();
    const client = localClient(endpoint);
    const name = `before-directories-${randomUUID()}`;
    const today = createTableInput(name);
    const before = today.GlobalSecondaryIndexes!.filter((i) => i.IndexName !== INDEXES.byDirectory.indexName);
    await client.send(
      new CreateTableCommand({ ...today, GlobalSecondaryIndexes: before, AttributeDefinitions: today.AttributeDefinitions!.filter((a) => a.AttributeName !== INDEXES.byDirectory.partitionKey) }),
    );
    await ensureTable(endpoint, name);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    expect(Table!.GlobalSecondaryIndexes!.map((i) => [i.IndexName, i.IndexStatus]).sort()).toEqual(
      today.GlobalSecondaryIndexes!.map((i) => [i.IndexName, 'ACTIVE']).sort(),
    );
    client.destroy();
  });
});
