import { QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoGroupStore } from '../../lambda/store/dynamo-groups';
import { DynamoUserStore } from '../../lambda/store/dynamo-users';
import { StoreConflict, type StoredResource } from '../../lambda/store/types';
import { freshTable } from '../support/dynamo';

const NOW = '2026-11-28T12:00:00.000Z';
const group = (name: string) => ({ document: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: name }, uniqueValue: name });
const user = (name: string) => ({ document: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: name }, uniqueValue: name });

describe('DynamoGroupStore against DynamoDB Local', () => {
  let table: Awaited<ReturnType<typeof freshTable>>;
  let groups: DynamoGroupStore;
  let users: DynamoUserStore;
  const userIds: string[] = [];

  beforeAll(async () => {
    table = await freshTable('groups');
    groups = new DynamoGroupStore(table.client, table.tableName, 'default');
    users = new DynamoUserStore(table.client, table.tableName, 'default');
    for (let i = 0; i < 300; i += 30) {
      await Promise.all(Array.from({ length: 30 }, (_, j) => users.create(`u${i + j}`, user(`user${i + j}@example.com`), NOW)));
    }
    userIds.push(...Array.from({ length: 300 }, (_, i) => `u${i}`));
  });
  afterAll(() => table.client.destroy());

  /** The member items actually in the table, by a raw query (not through the store). */
  const rawMembers = async (gid: string) => {
    const { Items } = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
        ExpressionAttributeValues: { ':pk': `default#GROUP#${gid}`, ':m': 'MEMBER#' },
      }),
    );
    return (Items ?? []).map((i) => String(i.sk).slice('MEMBER#'.length)).sort();
  };

  it('creates a group with members in one transaction, with an exact count', async () => {
    const { result, calls } = await table.countCalls(() => groups.createWithMembers('g1', group('Small'), userIds.slice(0, 5), NOW));
    expect(calls).toEqual(['TransactWriteItemsCommand']);
    expect(result.memberCount).toBe(5);
    expect(await rawMembers('g1')).toEqual(userIds.slice(0, 5).sort());
    expect((await groups.get('g1'))?.memberCount).toBe(5);
  });

  it('writes a large member change in transactions of 49 members (two items each) and keeps the count exact', async () => {
    const created = await groups.createWithMembers('g2', group('Large'), [], NOW);
    const { result, calls } = await table.countCalls(() => groups.update(created, undefined, { add: userIds.slice(0, 250), remove: [] }, NOW, false));
    expect(calls).toEqual(Array(6).fill('TransactWriteItemsCommand'));
    expect(result.memberCount).toBe(250);
    expect(result.version).toBe(created.version + 6);
    expect((await users.get(userIds[249]))?.groupIds).toEqual(['g2']);
    expect((await groups.get('g2'))?.memberCount).toBe(250);
    expect(await rawMembers('g2')).toEqual(userIds.slice(0, 250).sort());
    const after = await groups.update((await groups.get('g2'))!, undefined, { add: [], remove: userIds.slice(0, 100) }, NOW, false);
    expect(after.memberCount).toBe(150);
    expect((await groups.get('g2'))?.memberCount).toBe(150);
    expect(await groups.members('g2')).toEqual(userIds.slice(100, 250).sort());
    expect((await users.get(userIds[0]))?.groupIds).toEqual(['g1']);
    expect((await users.get(userIds[99]))?.groupIds).toBeUndefined();
  });

  it('cancels a change whose premise is stale: adding a present member, removing an absent one', async () => {
    const current = (await groups.get('g1'))!;
    await expect(groups.update(current, undefined, { add: [userIds[0]], remove: [] }, NOW, false)).rejects.toBeInstanceOf(StoreConflict);
    await expect(groups.update(current, undefined, { add: [], remove: [userIds[200]] }, NOW, false)).rejects.toBeInstanceOf(StoreConflict);
    expect((await groups.get('g1'))?.memberCount).toBe(5);
    expect(await rawMembers('g1')).toEqual(userIds.slice(0, 5).sort());
  });

  it('pins the version when asked, and lets member-only changes interleave when not', async () => {
    const current = (await groups.get('g1'))!;
    await groups.update(current, undefined, { add: [userIds[10]], remove: [] }, NOW, false);
    await expect(groups.update(current, undefined, { add: [userIds[11]], remove: [] }, NOW, true)).rejects.toMatchObject({ reason: 'version' });
    const unpinned = await groups.update(current, undefined, { add: [userIds[11]], remove: [] }, NOW, false);
    expect(unpinned.memberCount).toBeGreaterThanOrEqual(6);
    expect((await groups.get('g1'))?.memberCount).toBe(7);
  });

  it('renames with a guard swap alongside member changes, atomically', async () => {
    const current = (await groups.get('g1'))!;
    const renamed = await groups.update(current, group('Renamed'), { add: [userIds[12]], remove: [userIds[0]] }, NOW, true);
    expect(renamed.uniqueValue).toBe('Renamed');
    expect((await groups.findByUniqueValue('renamed'))?.id).toBe('g1');
    expect(await groups.findByUniqueValue('small')).toBeUndefined();
    await expect(groups.update(renamed, group('LARGE'), { add: [userIds[13]], remove: [] }, NOW, true)).rejects.toMatchObject({ reason: 'uniqueness' });
    expect(await rawMembers('g1')).not.toContain(userIds[13]);
  });

  it('answers membership questions from the users\' items in one batch read', async () => {
    const { result: check, calls } = await table.countCalls(() => groups.check('g1', [userIds[1], userIds[299], 'ghost']));
    expect(calls).toEqual(['BatchGetItemCommand']);
    expect([...check.existingUsers].sort()).toEqual([userIds[1], userIds[299]].sort());
    expect([...check.currentMembers]).toEqual([userIds[1]]);
    expect((await users.get(userIds[1]))?.groupIds).toEqual(['g1']);
    expect((await users.get(userIds[150]))?.groupIds).toEqual(['g2']);
  });

  it('refuses to add a member whose user is gone, leaving nothing behind', async () => {
    const g1 = (await groups.get('g1')) as StoredResource;
    // A lost race (the caller re-reads, then refuses the unknown user), not a name conflict.
    await expect(groups.update(g1, undefined, { add: ['ghost'], remove: [] }, NOW, false)).rejects.toMatchObject({ reason: 'version' });
    expect(await rawMembers('g1')).not.toContain('ghost');
    expect((await groups.get('g1'))?.memberCount).toBe(g1.memberCount);
  });

  it('reads a group with its members in one query, and stops early above the limit', async () => {
    const { result, calls } = await table.countCalls(() => groups.getWithMembers('g2', 1000));
    expect(calls).toEqual(['QueryCommand']);
    expect(result?.members).toHaveLength(150);
    const capped = await groups.getWithMembers('g2', 100);
    expect(capped?.group.id).toBe('g2');
    expect(capped?.members).toBeUndefined();
    expect(await groups.getWithMembers('nope', 10)).toBeUndefined();
  });

  it('deletes a user with its memberships in one transaction, and tolerates a group already gone', async () => {
    const uid = userIds[150];
    // A group deleted since the user joined it stays named in memberOf until the user's next delete.
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: { pk: `default#USER#${uid}`, sk: 'USER' },
        UpdateExpression: 'ADD memberOf :g',
        ExpressionAttributeValues: { ':g': new Set(['deleted-group']) },
      }),
    );
    const current = (await users.get(uid)) as StoredResource;
    expect(current.groupIds).toEqual(['deleted-group', 'g2']);
    const LATER = '2026-11-28T13:00:00.000Z';
    const { calls } = await table.countCalls(() => users.delete(current, LATER));
    // The first try names the deleted group's count and is cancelled; the second leaves it out.
    expect(calls).toEqual(['TransactWriteItemsCommand', 'TransactWriteItemsCommand']);
    expect((await groups.get('g2'))?.memberCount).toBe(149);
    expect((await groups.get('g2'))?.lastModified).toBe(LATER);
    expect(await rawMembers('g2')).not.toContain(uid);
    expect(await users.get(uid)).toBeUndefined();
  });

  it('deletes a user in more groups than one transaction holds', async () => {
    const uid = userIds[151];
    const many = Array.from({ length: 60 }, (_, i) => `many${i}`);
    for (const gid of many) await groups.createWithMembers(gid, group(`Many ${gid}`), [uid], NOW);
    const current = (await users.get(uid)) as StoredResource;
    expect(current.groupIds).toHaveLength(61);
    const { calls } = await table.countCalls(() => users.delete(current));
    expect(calls).toEqual(['TransactWriteItemsCommand', 'TransactWriteItemsCommand']);
    expect(await users.get(uid)).toBeUndefined();
    for (const gid of [...many, 'g2']) {
      expect(await rawMembers(gid)).not.toContain(uid);
    }
    expect((await groups.get('many7'))?.memberCount).toBe(0);
  });

  it('cancels a user deletion when a membership was added after the user was read', async () => {
    const uid = userIds[152];
    const current = (await users.get(uid)) as StoredResource;
    const g = await groups.createWithMembers('late', group('Late'), [], NOW);
    await groups.update(g, undefined, { add: [uid], remove: [] }, NOW, false);
    await expect(users.delete(current)).rejects.toMatchObject({ reason: 'version' });
    expect(await users.get(uid)).toBeDefined();
    await users.delete((await users.get(uid))!);
    expect(await rawMembers('late')).toEqual([]);
    expect((await groups.get('late'))?.memberCount).toBe(0);
  });

  it('deletes a group, its guard and every member item', async () => {
    const g2 = (await groups.get('g2')) as StoredResource;
    expect(await groups.deleteWithMembers(g2)).toBe(147);
    expect(await groups.get('g2')).toBeUndefined();
    expect(await rawMembers('g2')).toEqual([]);
    expect(await groups.findByUniqueValue('Large')).toBeUndefined();
    const { Items } = await table.client.send(new ScanCommand({ TableName: table.tableName }));
    expect((Items ?? []).filter((i) => String(i.pk).includes('#GROUP#g2'))).toEqual([]);
  });
});
