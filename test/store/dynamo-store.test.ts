import { QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoStores } from '../../lambda/handlers/services';
import { INTENT_PREFIX, MEMBER_PREFIX } from '../../lambda/store/keys';
import type { StoredResource } from '../../lambda/store/types';
import { expectConsistent } from '../support/consistency';
import { freshTable } from '../support/dynamo';
import { FaultInjector } from '../support/faults';

/**
 * What is the DynamoDB store's own, beyond the store contract (test/store/contract.ts): the
 * calls each operation makes, the items it writes, and how a member change too large for one
 * transaction is applied all or nothing (docs/groups.md).
 */
const NOW = '2026-11-28T12:00:00.000Z';
const LATER = '2026-11-28T13:00:00.000Z';
const user = (name: string) => ({ document: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: name }, uniqueValue: name });
const group = (name: string) => ({ document: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: name }, uniqueValue: name });

describe('the DynamoDB store against DynamoDB Local', () => {
  let table: Awaited<ReturnType<typeof freshTable>>;
  let stores: ReturnType<typeof dynamoStores>;
  let faults: FaultInjector;
  const userIds = Array.from({ length: 300 }, (_, i) => `u${i}`);

  beforeAll(async () => {
    table = await freshTable('store');
    // A short lease, so that a change left by a writer that stopped is taken over quickly.
    faults = new FaultInjector(table.client);
    stores = dynamoStores({ client: table.client, tableName: table.tableName, directoryId: 'default', memberships: { leaseMs: 200, completeWithinMs: 2000 } });
    for (let i = 0; i < userIds.length; i += 10) {
      await Promise.all(userIds.slice(i, i + 10).map((id) => stores.users.create(id, user(`${id}@example.com`), NOW)));
    }
  }, 120_000);
  afterEach(() => faults.clear());
  afterAll(() => table.client.destroy());

  /** Items of a group's partition by a raw query: member ids and intent pages. */
  const partition = async (gid: string) => {
    const { Items = [] } = await table.client.send(
      new QueryCommand({ TableName: table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `default#GROUP#${gid}` }, ConsistentRead: true }),
    );
    return {
      group: Items.find((i) => i.sk === 'GROUP'),
      members: Items.filter((i) => String(i.sk).startsWith(MEMBER_PREFIX)).map((i) => String(i.sk).slice(MEMBER_PREFIX.length)).sort(),
      intents: Items.filter((i) => String(i.sk).startsWith(INTENT_PREFIX)),
    };
  };

  it('costs one call for each single read and write of a user', async () => {
    expect((await table.countCalls(() => stores.users.create('c1', user('calls@example.com'), NOW))).calls).toEqual(['TransactWriteItemsCommand']);
    expect((await table.countCalls(() => stores.users.get('c1'))).calls).toEqual(['GetItemCommand']);
    expect((await table.countCalls(() => stores.users.findByUniqueValue('CALLS@example.com'))).calls).toEqual(['GetItemCommand', 'GetItemCommand']);
    const c1 = (await stores.users.get('c1'))!;
    expect((await table.countCalls(() => stores.users.replace(c1, user('calls@example.com'), NOW))).calls).toEqual(['TransactWriteItemsCommand']);
    const list = await table.countCalls(() => stores.users.list({ startIndex: 1, count: 2 }));
    expect(list.calls).toEqual(['QueryCommand', 'QueryCommand']);
    expect(list.roundTrips).toBe(1);
    expect((await table.countCalls(() => stores.users.listAfter(undefined, 2))).calls).toEqual(['QueryCommand']);
  });

  it('reads a group with its members in one query, and named users with a group in one batch read', async () => {
    await stores.groups.create('q1', group('Queried'), userIds.slice(0, 3), NOW);
    expect((await table.countCalls(() => stores.groups.getWithMembers('q1', 100))).calls).toEqual(['QueryCommand']);
    expect((await table.countCalls(() => stores.groups.readForChange('q1', userIds.slice(0, 50), true))).calls).toEqual(['BatchGetItemCommand']);
  });

  it('adds one member with one transaction whatever the group size', async () => {
    const g = await stores.groups.create('one', group('One'), userIds.slice(0, 90), NOW);
    const { calls } = await table.countCalls(() => stores.groups.update(g, { members: { add: [userIds[100]], remove: [] }, pinned: false }, NOW));
    expect(calls).toEqual(['TransactWriteItemsCommand']);
  });

  it('writes a change of 250 members as an intent: six transactions, one version, nothing left behind', async () => {
    const created = await stores.groups.create('big', group('Big'), [], NOW);
    const { result, calls } = await table.countCalls(() => stores.groups.update(created, { members: { add: userIds.slice(0, 250), remove: [] }, pinned: false }, NOW));
    // 49 members with the intent (one page of operations), then 49 a step, the last 5 with the clean-up.
    expect(calls).toEqual(Array(6).fill('TransactWriteItemsCommand'));
    expect(result).toMatchObject({ memberCount: 250, version: created.version + 1 });
    const raw = await partition('big');
    expect(raw.members).toHaveLength(250);
    expect(raw.intents).toEqual([]);
    expect(raw.group).not.toHaveProperty('pending');
    expect(raw.group?.memberCount).toBe(250);
    await expectConsistent(table.client, table.tableName);
  });

  it('leaves a decided change pending when its writer stops, and the next reader finishes it', async () => {
    const created = await stores.groups.create('stopped', group('Stopped'), [], NOW);
    // Every transaction after the intent's first is refused, past the writer's deadline.
    let transactions = 0;
    faults.set({ kind: 'throttle', commands: ['TransactWriteItemsCommand'], when: () => ++transactions > 1 });
    const written = await stores.groups.update(created, { members: { add: userIds.slice(0, 200), remove: [] }, pinned: false }, NOW);
    faults.clear();
    expect(written.memberCount).toBeLessThan(200);
    const pending = await partition('stopped');
    expect(pending.group?.pending).toEqual(new Set([expect.any(String)]));
    expect(pending.members).toHaveLength(49);
    expect(pending.intents).toHaveLength(1);
    // A raw read sees half of it; every read through the store sees all of it.
    const read = await stores.groups.getWithMembers('stopped', 1000);
    expect(read?.members).toHaveLength(200);
    expect(read?.group.memberCount).toBe(200);
    const done = await partition('stopped');
    expect(done.group).not.toHaveProperty('pending');
    expect(done.intents).toEqual([]);
    await expectConsistent(table.client, table.tableName);
  });

  it('a user read while a change of its group is pending shows the change whole', async () => {
    const created = await stores.groups.create('seen', group('Seen'), userIds.slice(200, 260), NOW);
    let transactions = 0;
    faults.set({ kind: 'throttle', commands: ['TransactWriteItemsCommand'], when: () => ++transactions > 1 });
    // Removes the 60 members and adds 60 others: the first transaction applies adds only.
    await stores.groups.update(created, { write: group('Seen renamed'), members: { add: userIds.slice(100, 160), remove: userIds.slice(200, 260) }, pinned: true }, NOW);
    faults.clear();
    expect((await partition('seen')).group?.pending?.size).toBe(1);
    // A user whose removal is not applied yet still names the group: reading it finishes the change.
    const removed = (await stores.users.get(userIds[259]))!;
    expect(removed.groupIds).toContain('seen');
    const { users, groups } = await stores.users.groupsOf([removed]);
    expect(users[0].groupIds ?? []).not.toContain('seen');
    expect(groups.get('seen')?.uniqueValue).toBe('Seen renamed');
    expect((await stores.groups.get('seen'))?.memberCount).toBe(60);
    await expectConsistent(table.client, table.tableName);
  });

  it('deletes a user with its memberships in one transaction, and tolerates a group already gone', async () => {
    const uid = userIds[280];
    const g = await stores.groups.create('gone-test', group('Gone test'), [uid], NOW);
    // A group deleted since the user joined it stays named in memberOf until the user's next delete.
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: { pk: `default#USER#${uid}`, sk: 'USER' },
        UpdateExpression: 'ADD memberOf :g',
        ExpressionAttributeValues: { ':g': new Set(['deleted-group']) },
      }),
    );
    const current = (await stores.users.get(uid)) as StoredResource;
    expect(current.groupIds).toEqual(['deleted-group', 'gone-test']);
    const { calls } = await table.countCalls(() => stores.users.delete(current, LATER));
    // The first try names the deleted group's count and is cancelled (groupGone); the second leaves it out.
    expect(calls).toEqual(['TransactWriteItemsCommand', 'TransactWriteItemsCommand']);
    expect(await stores.groups.get('gone-test')).toMatchObject({ memberCount: 0, lastModified: LATER, version: g.version + 1 });
    expect(await stores.users.get(uid)).toBeUndefined();
  });

  it('deletes a user in more groups than one transaction holds, in two transactions', async () => {
    const uid = userIds[281];
    for (let i = 0; i < 60; i++) await stores.groups.create(`many${i}`, group(`Many ${i}`), [uid], NOW);
    const current = (await stores.users.get(uid))!;
    const { calls } = await table.countCalls(() => stores.users.delete(current, NOW));
    expect(calls).toEqual(['TransactWriteItemsCommand', 'TransactWriteItemsCommand']);
    expect(await stores.users.get(uid)).toBeUndefined();
  });

  it('deletes a group, its guard, its member items and any intent pages', async () => {
    const big = (await stores.groups.get('big'))!;
    await stores.groups.delete(big);
    const { Items = [] } = await table.client.send(new ScanCommand({ TableName: table.tableName }));
    expect(Items.filter((i) => String(i.pk).includes('#GROUP#big'))).toEqual([]);
    expect(await stores.groups.findByUniqueValue('Big')).toBeUndefined();
  });
});
