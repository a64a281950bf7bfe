import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchDelete, batchGet } from './batch';
import { DynamoResourceStore, MAX_ID_BYTES } from './dynamo-resources';
import { resourcePk, resourceSk } from './keys';
import { bumpGroup, MAX_GROUPS_PER_USER, memberKey, memberOfChange } from './memberships';
import { MAX_TRANSACT_ITEMS, transactWrite, type TransactItem } from './transact';
import type { GroupStore, MemberChange, MemberCheck, ResourceWrite, StoredResource } from './types';

const MEMBER_PREFIX = 'MEMBER#';

/**
 * Groups with their members, one item per member in the group's partition
 * (`<dir>#GROUP#<gid>` / `MEMBER#<uid>`), and on each user's item the set of its groups
 * (`memberOf`). A member change is a conditional put or delete of the member item and an
 * update of the user's set in one transaction, so adding k members costs O(k) writes whatever
 * the group's size, a no-op is detected exactly, the group's `memberCount` stays exact, and
 * no member can be added to a user deleted meanwhile.
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
      // Item 2 is the new name's guard only in a rename; otherwise it is a member change.
      throw this.conflict(error, head.length > 2 ? { 2: 'uniqueness' } : {});
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
    return (await this.readForChange(groupId, userIds, false)).check;
  }

  async getWithUsers(groupId: string, userIds: readonly string[]): Promise<{ group?: StoredResource; check: MemberCheck }> {
    return this.readForChange(groupId, userIds, true);
  }

  /** One consistent batch read of the users (and the group, when asked): which exist, which are members. */
  private async readForChange(groupId: string, userIds: readonly string[], withGroup: boolean): Promise<{ group?: StoredResource; check: MemberCheck }> {
    const keys = [...new Set(userIds)]
      .filter((uid) => Buffer.byteLength(uid, 'utf8') <= MAX_ID_BYTES)
      .map((uid) => ({ pk: resourcePk(this.directory, 'User', uid), sk: resourceSk('User') }));
    const withKey = withGroup && Buffer.byteLength(groupId, 'utf8') <= MAX_ID_BYTES;
    if (withKey) keys.push(this.key(groupId));
    // The group needs its whole item; users only their id and groups.
    const items = await batchGet(this.client, this.tableName, keys, withKey ? undefined : 'id, memberOf');
    let group: StoredResource | undefined;
    const users = new Set<string>();
    const members = new Set<string>();
    const full = new Set<string>();
    for (const item of items) {
      if (item.sk === resourceSk('Group')) {
        group = this.fromItem(item);
        continue;
      }
      users.add(String(item.id));
      if (!(item.memberOf instanceof Set)) continue;
      if (item.memberOf.has(groupId)) members.add(String(item.id));
      if (item.memberOf.size >= MAX_GROUPS_PER_USER) full.add(String(item.id));
    }
    return { group, check: { existingUsers: users, currentMembers: members, full } };
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

  /** A group's replace also carries the change of its count (see `withCount`). */
  protected override replaceItems(current: StoredResource, next: StoredResource): TransactItem[] {
    const [group, ...rest] = super.replaceItems(current, next);
    const update = group.Update!;
    return [
      {
        Update: {
          ...update,
          UpdateExpression: `${update.UpdateExpression} ADD memberCount :delta`,
          ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':delta': 0 },
        },
      },
      ...rest,
    ];
  }

  /**
   * Writes `head` (the group's own items, index 0 the group) together with the member
   * changes: one transaction when everything fits (atomic), otherwise the head with the
   * first members, then further transactions of up to 49 member changes (two items each), each bumping the
   * group's version and count. Adds and removes are conditional, so a race cancels the
   * transaction instead of corrupting the count; the caller re-reads and retries.
   */
  private async writeWithMembers(
    next: StoredResource,
    head: TransactItem[],
    change: MemberChange,
    now: string,
  ): Promise<StoredResource> {
    const memberItems: { items: TransactItem[]; delta: number }[] = [
      ...change.remove.map((uid) => ({ items: this.deleteMember(next.id, uid), delta: -1 })),
      ...change.add.map((uid) => ({ items: this.putMember(next.id, uid), delta: 1 })),
    ];
    const firstRoom = Math.floor((MAX_TRANSACT_ITEMS - head.length) / ITEMS_PER_MEMBER);
    const first = memberItems.slice(0, firstRoom);
    const firstDelta = first.reduce((n, m) => n + m.delta, 0);
    const base = next.memberCount ?? 0;
    let count = base + firstDelta;
    let version = next.version;
    await transactWrite(this.client, [withCount(head[0], count, firstDelta), ...head.slice(1), ...first.flatMap((m) => m.items)]);
    const room = Math.floor((MAX_TRANSACT_ITEMS - 1) / ITEMS_PER_MEMBER);
    for (let i = firstRoom; i < memberItems.length; i += room) {
      const chunk = memberItems.slice(i, i + room);
      const delta = chunk.reduce((n, m) => n + m.delta, 0);
      await transactWrite(this.client, [this.bumpGroup(next.id, delta, now), ...chunk.flatMap((m) => m.items)]);
      count += delta;
      version += 1;
    }
    return { ...next, memberCount: count, version, lastModified: now };
  }

  private bumpGroup(groupId: string, delta: number, now: string, expected?: number): TransactItem {
    return bumpGroup(this.tableName, this.directory, groupId, delta, now, expected);
  }

  /** The member item (new) and the group's id added to the user's set (the user must exist). */
  private putMember(groupId: string, userId: string): TransactItem[] {
    return [
      { Put: { TableName: this.tableName, Item: this.memberKey(groupId, userId), ConditionExpression: 'attribute_not_exists(pk)' } },
      memberOfChange(this.tableName, this.directory, userId, 'ADD', groupId),
    ];
  }

  /** The member item (existing) deleted and the group's id taken out of the user's set. */
  private deleteMember(groupId: string, userId: string): TransactItem[] {
    return [
      { Delete: { TableName: this.tableName, Key: this.memberKey(groupId, userId), ConditionExpression: 'attribute_exists(pk)' } },
      memberOfChange(this.tableName, this.directory, userId, 'DELETE', groupId),
    ];
  }

  private memberKey(groupId: string, userId: string) {
    return memberKey(this.directory, groupId, userId);
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

/** A member change writes the member item and the user's item. */
const ITEMS_PER_MEMBER = 2;

/** Sets the member count on the group item: a Put carries the new count, an Update adds the delta. */
function withCount(group: TransactItem, count: number, delta: number): TransactItem {
  if (group.Put) return { Put: { ...group.Put, Item: { ...group.Put.Item, memberCount: count } } };
  const update = group.Update!;
  return { Update: { ...update, ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':delta': delta } } };
}
