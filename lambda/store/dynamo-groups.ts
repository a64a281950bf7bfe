import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchDelete, batchGet } from './batch';
import { DynamoResourceStore, MAX_ID_BYTES } from './dynamo-resources';
import { memberOfPk, memberSk, resourcePk, resourceSk } from './keys';
import { INDEXES } from './table';
import { MAX_TRANSACT_ITEMS, TransactionCancelled, transactWrite, type TransactItem } from './transact';
import type { GroupStore, MemberChange, MemberCheck, ResourceWrite, StoredResource } from './types';

const MEMBER_PREFIX = 'MEMBER#';

/**
 * Groups with their members, one item per member in the group's partition
 * (`<dir>#GROUP#<gid>` / `MEMBER#<uid>`), indexed by user in `byMember`. Member changes are
 * conditional puts and deletes, so adding k members costs O(k) writes whatever the group's
 * size, a no-op is detected exactly, and the group's `memberCount` stays exact.
 */
export class DynamoGroupStore extends DynamoResourceStore implements GroupStore {
  constructor(client: DynamoDBDocumentClient, tableName: string, directory: string) {
    super(client, tableName, directory, 'Group');
  }

  async createWithMembers(id: string, write: ResourceWrite, members: readonly string[], now: string): Promise<StoredResource> {
    const stored = { ...this.newResource(id, write, now), memberCount: 0 };
    const head = this.createItems(stored);
    try {
      return await this.writeWithMembers(stored, head, { add: members, remove: [] }, now);
    } catch (error) {
      throw this.conflict(error, { 1: 'uniqueness' });
    }
  }

  async update(
    current: StoredResource,
    write: ResourceWrite | undefined,
    change: MemberChange,
    now: string,
    pinned: boolean,
  ): Promise<StoredResource> {
    const next = write ? this.nextVersion(current, write, now) : { ...current, version: current.version + 1, lastModified: now };
    const head = write ? this.replaceItems(current, next) : [this.bumpGroup(current.id, 0, now, pinned ? current.version : undefined)];
    try {
      return await this.writeWithMembers(next, head, change, now);
    } catch (error) {
      throw this.conflict(error, { 2: 'uniqueness' });
    }
  }

  /**
   * Deletes the group (with its guard and a counter shard, in one transaction), then its
   * member items. From the first write on, the group reads as gone; membership reads go
   * through the group, so none shows a membership of it even while items are removed.
   */
  async deleteWithMembers(current: StoredResource): Promise<number> {
    await this.delete(current);
    return this.deleteLeftoverMembers(current.id);
  }

  /** The ids of every member, in id order. */
  async members(groupId: string): Promise<string[]> {
    const ids: string[] = [];
    for await (const item of this.memberItems(groupId)) ids.push(String(item.sk).slice(MEMBER_PREFIX.length));
    return ids;
  }

  /**
   * The group and all its member ids in one consistent Query of its partition (paged for
   * large groups). The group's item sorts first, so a group with more than `maxMembers`
   * is answered from the first page, with `members` undefined, without reading the rest.
   */
  async getWithMembers(groupId: string, maxMembers: number): Promise<{ group: StoredResource; members?: string[] } | undefined> {
    let group: StoredResource | undefined;
    const members: string[] = [];
    for await (const item of this.query({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': resourcePk(this.directory, 'Group', groupId) },
      ConsistentRead: true,
    })) {
      if (item.sk === resourceSk('Group')) {
        group = this.fromItem(item);
        if ((group.memberCount ?? 0) > maxMembers) return { group };
      } else if (String(item.sk).startsWith(MEMBER_PREFIX)) {
        members.push(String(item.sk).slice(MEMBER_PREFIX.length));
      }
    }
    return group ? { group, members } : undefined;
  }

  async check(groupId: string, userIds: readonly string[]): Promise<MemberCheck> {
    const unique = [...new Set(userIds)];
    const keys = unique.flatMap((uid) => [
      { pk: resourcePk(this.directory, 'User', uid), sk: resourceSk('User') },
      this.memberKey(groupId, uid),
    ]);
    const users = new Set<string>();
    const members = new Set<string>();
    for (const item of await batchGet(this.client, this.tableName, keys, 'id')) {
      if (item.sk === resourceSk('User')) users.add(String(item.id));
      else members.add(String(item.sk).slice(MEMBER_PREFIX.length));
    }
    return { existingUsers: users, currentMembers: members };
  }

  async groupsOf(userId: string): Promise<string[]> {
    const ids: string[] = [];
    for await (const item of this.query({
      IndexName: INDEXES.byMember.indexName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': INDEXES.byMember.partitionKey },
      ExpressionAttributeValues: { ':pk': memberOfPk(this.directory, userId) },
    })) {
      ids.push(String(item[INDEXES.byMember.sortKey]));
    }
    return ids;
  }

  async isMember(groupIds: readonly string[], userId: string): Promise<Set<string>> {
    const keys = groupIds.map((gid) => this.memberKey(gid, userId));
    return new Set((await batchGet(this.client, this.tableName, keys)).map((item) => String(item[INDEXES.byMember.sortKey])));
  }

  /**
   * Removes a user from each of `groupIds`, decrementing each group's count. Memberships
   * already gone are skipped; a group already gone just loses the orphaned member item.
   * Only a failed condition leads to that fallback: a throttle or timeout is thrown, since
   * deleting the member item without its count would leave the count wrong.
   */
  async removeFromGroups(userId: string, groupIds: readonly string[], now: string): Promise<void> {
    await Promise.all(
      groupIds.map(async (gid) => {
        try {
          await transactWrite(this.client, [this.deleteMember(gid, userId), this.bumpGroup(gid, -1, now)]);
        } catch (error) {
          if (!(error instanceof TransactionCancelled)) throw error;
          await batchDelete(this.client, this.tableName, [this.memberKey(gid, userId)]);
        }
      }),
    );
  }

  /**
   * Deletes the member items left in the partition of a deleted group (its DELETE was cut
   * short after the group itself went). Returns how many there were; usually one Query, none.
   */
  async deleteLeftoverMembers(groupId: string): Promise<number> {
    if (Buffer.byteLength(groupId, 'utf8') > MAX_ID_BYTES) return 0;
    const keys: Record<string, unknown>[] = [];
    for await (const item of this.memberItems(groupId)) keys.push({ pk: item.pk, sk: item.sk });
    return batchDelete(this.client, this.tableName, keys);
  }

  /**
   * Writes `head` (the group's own items, index 0 the group) together with the member
   * changes: one transaction when everything fits (atomic), otherwise the head with the
   * first members, then further transactions of up to 99 member changes, each bumping the
   * group's version and count. Adds and removes are conditional, so a race cancels the
   * transaction instead of corrupting the count; the caller re-reads and retries.
   */
  private async writeWithMembers(
    next: StoredResource,
    head: TransactItem[],
    change: MemberChange,
    now: string,
  ): Promise<StoredResource> {
    const memberItems: { item: TransactItem; delta: number }[] = [
      ...change.remove.map((uid) => ({ item: this.deleteMember(next.id, uid), delta: -1 })),
      ...change.add.map((uid) => ({ item: this.putMember(next.id, uid), delta: 1 })),
    ];
    const firstRoom = MAX_TRANSACT_ITEMS - head.length;
    const first = memberItems.slice(0, firstRoom);
    const firstDelta = first.reduce((n, m) => n + m.delta, 0);
    const base = next.memberCount ?? 0;
    let count = base + firstDelta;
    let version = next.version;
    await transactWrite(this.client, [withCount(head[0], count, firstDelta), ...head.slice(1), ...first.map((m) => m.item)]);
    for (let i = firstRoom; i < memberItems.length; i += MAX_TRANSACT_ITEMS - 1) {
      const chunk = memberItems.slice(i, i + MAX_TRANSACT_ITEMS - 1);
      const delta = chunk.reduce((n, m) => n + m.delta, 0);
      await transactWrite(this.client, [this.bumpGroup(next.id, delta, now), ...chunk.map((m) => m.item)]);
      count += delta;
      version += 1;
    }
    return { ...next, memberCount: count, version, lastModified: now };
  }

  /** Adds `delta` to the count and one to the version (if at `expected` when given). */
  private bumpGroup(groupId: string, delta: number, now: string, expected?: number): TransactItem {
    return {
      Update: {
        TableName: this.tableName,
        Key: { pk: resourcePk(this.directory, 'Group', groupId), sk: resourceSk('Group') },
        UpdateExpression: 'SET lastModified = :now ADD version :one, memberCount :delta',
        ConditionExpression: expected === undefined ? 'attribute_exists(pk)' : 'version = :expected',
        ExpressionAttributeValues: {
          ':now': now,
          ':one': 1,
          ':delta': delta,
          ...(expected === undefined ? {} : { ':expected': expected }),
        },
      },
    };
  }

  private putMember(groupId: string, userId: string): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          ...this.memberKey(groupId, userId),
          [INDEXES.byMember.partitionKey]: memberOfPk(this.directory, userId),
          [INDEXES.byMember.sortKey]: groupId,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  private deleteMember(groupId: string, userId: string): TransactItem {
    return { Delete: { TableName: this.tableName, Key: this.memberKey(groupId, userId), ConditionExpression: 'attribute_exists(pk)' } };
  }

  private memberKey(groupId: string, userId: string) {
    return { pk: resourcePk(this.directory, 'Group', groupId), sk: memberSk(userId) };
  }

  private memberItems(groupId: string) {
    return this.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': resourcePk(this.directory, 'Group', groupId), ':prefix': MEMBER_PREFIX },
      ConsistentRead: true,
      ProjectionExpression: 'pk, sk',
    });
  }
}

/** Sets the member count on the group item: a Put carries the new count, an Update adds the delta. */
function withCount(group: TransactItem, count: number, delta: number): TransactItem {
  if (group.Put) return { Put: { ...group.Put, Item: { ...group.Put.Item, memberCount: count } } };
  const update = group.Update!;
  return { Update: { ...update, ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':delta': delta } } };
}
