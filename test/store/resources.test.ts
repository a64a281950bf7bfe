import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoResourceStore } from '../../lambda/store/dynamo-resources';
import { StoreConflict, type StoredResource } from '../../lambda/store/types';
import { freshTable } from '../support/dynamo';

const NOW = '2026-11-28T12:00:00.000Z';
const userDoc = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName,
  ...extra,
});

describe('DynamoResourceStore against DynamoDB Local', () => {
  let table: Awaited<ReturnType<typeof freshTable>>;
  let store: DynamoResourceStore;

  beforeAll(async () => {
    table = await freshTable('store');
    store = new DynamoResourceStore(table.client, table.tableName, 'default', 'User');
  });
  afterAll(() => table.client.destroy());

  const create = (id: string, userName: string, extra = {}) =>
    store.create(id, { document: userDoc(userName, extra), uniqueValue: userName }, NOW);

  it('creates and reads back a resource with version 1, in one round trip each', async () => {
    const { result: created, calls: writeCalls } = await table.countCalls(() => create('u1', 'Alice@Example.com'));
    expect(writeCalls).toEqual(['TransactWriteItemsCommand']);
    const { result: read, calls: readCalls } = await table.countCalls(() => store.get('u1'));
    expect(readCalls).toEqual(['GetItemCommand']);
    expect(read).toEqual(created);
    expect(read?.version).toBe(1);
    expect(read?.document.userName).toBe('Alice@Example.com');
  });

  it('refuses a second resource whose unique value differs only in case', async () => {
    await expect(create('u2', 'alice@example.COM')).rejects.toMatchObject({ reason: 'uniqueness' });
    expect(await store.get('u2')).toBeUndefined();
  });

  it('finds by unique value case-insensitively in two consistent reads', async () => {
    const { result, calls } = await table.countCalls(() => store.findByUniqueValue('ALICE@example.com'));
    expect(result?.id).toBe('u1');
    expect(calls).toEqual(['GetItemCommand', 'GetItemCommand']);
    expect(await store.findByUniqueValue('nobody@example.com')).toBeUndefined();
  });

  it('lets exactly one of 20 racing creates of one userName win', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => create(`race-${i}`, i % 2 ? 'Racer@example.com' : 'racer@EXAMPLE.com')),
    );
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o) => o.status === 'rejected') as PromiseRejectedResult[];
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(19);
    for (const o of lost) expect(o.reason).toBeInstanceOf(StoreConflict);
    for (const o of lost) expect((o.reason as StoreConflict).reason).toBe('uniqueness');
  });

  it('swaps the guard on rename: the old name is free again, the new one taken', async () => {
    const bob = await create('u3', 'bob@example.com');
    const renamed = await store.replace(bob, { document: userDoc('robert@example.com'), uniqueValue: 'robert@example.com' }, NOW);
    expect(renamed.version).toBe(2);
    await expect(create('u4', 'ROBERT@example.com')).rejects.toMatchObject({ reason: 'uniqueness' });
    const newBob = await create('u4', 'bob@example.com');
    expect(newBob.id).toBe('u4');
  });

  it('keeps the guard on a change of case only', async () => {
    const carol = await create('u5', 'carol@example.com');
    const recased = await store.replace(carol, { document: userDoc('Carol@Example.com'), uniqueValue: 'Carol@Example.com' }, NOW);
    expect((await store.findByUniqueValue('carol@example.com'))?.document.userName).toBe('Carol@Example.com');
    await expect(create('u6', 'CAROL@example.com')).rejects.toMatchObject({ reason: 'uniqueness' });
    expect(recased.uniqueValue).toBe('Carol@Example.com');
  });

  it('refuses a rename onto a taken name and changes nothing', async () => {
    const dave = await create('u7', 'dave@example.com');
    await expect(
      store.replace(dave, { document: userDoc('alice@example.com'), uniqueValue: 'alice@example.com' }, NOW),
    ).rejects.toMatchObject({ reason: 'uniqueness' });
    expect((await store.get('u7'))?.document.userName).toBe('dave@example.com');
    expect((await store.findByUniqueValue('dave@example.com'))?.id).toBe('u7');
  });

  it('refuses a write based on a stale version', async () => {
    const erin = await create('u8', 'erin@example.com');
    await store.replace(erin, { document: userDoc('erin@example.com', { title: 'A' }), uniqueValue: 'erin@example.com' }, NOW);
    await expect(
      store.replace(erin, { document: userDoc('erin@example.com', { title: 'B' }), uniqueValue: 'erin@example.com' }, NOW),
    ).rejects.toMatchObject({ reason: 'version' });
    await expect(store.delete(erin)).rejects.toMatchObject({ reason: 'version' });
    expect((await store.get('u8'))?.document.title).toBe('A');
  });

  it('deletes the resource with its guard and keeps the count exact', async () => {
    const before = await store.count();
    const frank = await create('u9', 'frank@example.com');
    expect(await store.count()).toBe(before + 1);
    await store.delete(frank);
    expect(await store.count()).toBe(before);
    expect(await store.get('u9')).toBeUndefined();
    expect(await store.findByUniqueValue('frank@example.com')).toBeUndefined();
    const { Items } = await table.client.send(new ScanCommand({ TableName: table.tableName }));
    expect(Items?.filter((i) => i.id === 'u9')).toEqual([]);
  });

  it('finds by externalId through the index, exactly (caseExact)', async () => {
    await create('u10', 'grace@example.com', { externalId: 'EXT-1' });
    const found = await store.findByExternalId('EXT-1');
    expect(found.map((r) => r.id)).toEqual(['u10']);
    expect(await store.findByExternalId('ext-1')).toEqual([]);
  });

  it('lists in a stable order with an exact total from one counter read', async () => {
    const all: StoredResource[] = [];
    const total = await store.count();
    for (let start = 1; start <= total; start += 3) {
      const page = await store.list({ startIndex: start, count: 3 });
      expect(page.totalResults).toBe(total);
      all.push(...page.resources);
    }
    const names = all.map((r) => r.uniqueValue.toLowerCase());
    expect(names).toEqual([...names].sort());
    expect(new Set(all.map((r) => r.id)).size).toBe(total);
    const { calls } = await table.countCalls(() => store.list({ startIndex: 1, count: 2 }));
    expect(calls.filter((c) => c === 'QueryCommand')).toHaveLength(2);
  });

  it('pages the resources that match a predicate, counting them all', async () => {
    const page = await store.listMatching((r) => String(r.document.userName).toLowerCase().includes('example.com'), { startIndex: 2, count: 2 });
    expect(page.resources).toHaveLength(2);
    expect(page.totalResults).toBe(await store.count());
  });

  it('pages with cursors straight from DynamoDB: one Query per page, ExclusiveStartKey from the last position', async () => {
    const total = await store.count();
    const all: StoredResource[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const { result: page, calls } = await table.countCalls(() => store.listAfter(after, 2));
      expect(calls).toEqual(['QueryCommand']);
      all.push(...page.resources);
      after = page.next;
      pages++;
    } while (after && pages < 100);
    expect(all.map((r) => r.id)).toEqual((await store.listMatching(() => true, { startIndex: 1, count: 1000 })).resources.map((r) => r.id));
    expect(all).toHaveLength(total);
    expect(pages).toBe(Math.ceil(total / 2));
  });

  it('resumes after a position whose resource is gone, and ends without a next position', async () => {
    const first = await store.listAfter(undefined, 1);
    const gone = await create('cursor-gone', 'aaaa-cursor@example.com');
    const page = await store.listAfter(store.positionOf(gone), 1);
    await store.delete(gone);
    const again = await store.listAfter(store.positionOf(gone), 1);
    expect(again.resources.map((r) => r.id)).toEqual(page.resources.map((r) => r.id));
    expect(first.resources[0].id).not.toBe('cursor-gone');
    const last = (await store.listMatching(() => true, { startIndex: 1, count: 1000 })).resources.at(-1)!;
    expect(await store.listAfter(store.positionOf(last), 5)).toEqual({ resources: [] });
    expect(await store.listAfter(undefined, 0)).toEqual({ resources: [] });
  });
});
