import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { batchDelete, batchGet, queryPages } from './batch';
import { MEMBER_PREFIX, memberOfSk, resourcePk, resourceSk } from './keys';
import { conflictOf, isPending, MAX_GROUPS_PER_USER, Memberships, type GroupAudit, type GroupHead, type MemberOp, type StoreOptions } from './memberships';
import { isPossibleId, resourceFailure, ResourceTable, TableReads, type Item, type TableRef } from './resource-table';
import { TransactionFailed, transactWrite } from './transact';
import type { AuditFacts, GroupReads, GroupStore, GroupWrite, MemberFacts, ResourceWrite, StoredResource } from './types';

/**
 * Groups on the single table, with their members one item each in the group's partition
 * (`<dir>#GROUP#<gid>` / `MEMBER#<uid>`) and, on each user's item, the set of its groups
 * (`memberOf`). Member changes are written by lambda/store/memberships.ts, all or nothing at
 * any size; every read of a group finishes a member change still pending on it first.
 */
/** What a member list needs of a group's partition: the keys, and the group's pending marker. */
const MEMBER_LIST_PROJECTION = 'pk, sk, id, pending, pendingAt, memberCount';

/**
 * The reads of groups and their members, without the writes: all the Users service needs of
 * groups (a group's members, for `groups.value eq`), so that its function's bundle leaves the
 * group writes out (DynamoGroupStore adds them).
 */
export class DynamoGroupReads extends TableReads implements GroupReads {
  protected readonly memberships: Memberships;
  protected readonly table: ResourceTable;

  constructor(
    protected readonly ref: TableRef,
    options: StoreOptions = {},
  ) {
    super();
    this.memberships = new Memberships(ref, options);
    this.table = new ResourceTable(ref, 'Group', (items) => this.memberships.settle(items));
  }

  /** The ids of every member, in id order; none for a group that does not exist. */
  async members(groupId: string): Promise<string[]> {
    return (await this.readPartition(groupId, Number.POSITIVE_INFINITY, MEMBER_LIST_PROJECTION))?.members ?? [];
  }

  /**
   * The group and all its member ids in one consistent Query of its partition (paged for
   * large groups). The group's item sorts first, so a group with more than `maxMembers` is
   * answered from the first page, with `members` undefined, without reading the rest.
   */
  async getWithMembers(groupId: string, maxMembers: number): Promise<{ group: StoredResource; members?: string[] } | undefined> {
    const found = await this.readPartition(groupId, maxMembers);
    return found && { group: this.table.fromItem(found.group), members: found.members };
  }

  /**
   * The group's item and member ids from its partition. A group whose member change is
   * still pending is finished first, then read again.
   */
  private async readPartition(groupId: string, maxMembers: number, projection?: string): Promise<{ group: Item; members?: string[] } | undefined> {
    if (!isPossibleId(groupId)) return undefined;
    for (;;) {
      let group: Item | undefined;
      const members: string[] = [];
      let pending = false;
      for await (const item of this.partition(groupId, projection ? { ProjectionExpression: projection } : {})) {
        if (item.sk === resourceSk('Group')) {
          if (isPending(item)) {
            await this.memberships.settle([item]);
            pending = true;
            break;
          }
          group = item;
          if (Number(item.memberCount ?? 0) > maxMembers) return { group };
        } else if (String(item.sk).startsWith(MEMBER_PREFIX)) {
          members.push(memberOfSk(String(item.sk)));
        }
      }
      if (pending) continue;
      // Member items without their group are a DELETE's leftovers: no members of anything.
      return group && { group, members };
    }
  }

  /** Every item of a group's partition, as stored (not settled), consistent. */
  protected async *partition(groupId: string, extra: Partial<QueryCommandInput>): AsyncGenerator<Item> {
    const query = {
      TableName: this.ref.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': resourcePk(this.ref.directory, 'Group', groupId) },
      ConsistentRead: true,
      ...extra,
    };
    for await (const page of queryPages(this.ref.client, query)) yield* page;
  }
}

export class DynamoGroupStore extends DynamoGroupReads implements GroupStore {
  async create(id: string, write: ResourceWrite, members: readonly string[], now: string, audit?: AuditFacts): Promise<StoredResource> {
    const stored = { ...this.table.newResource(id, write, now), memberCount: 0 };
    const head: GroupHead = {
      groupId: id,
      entries: (countDelta, intentId) => this.table.createEntries(stored, { memberCount: countDelta, ...(intentId ? { pending: new Set([intentId]), pendingAt: Date.now() } : {}) }),
    };
    const result = await this.memberships.write(
      head,
      members.map((userId) => ({ userId, join: true })),
      this.groupAudit(audit, id, write.uniqueValue, 1),
    );
    return result.exact || !result.complete ? { ...stored, memberCount: result.countDelta } : this.reread(id, stored);
  }

  async update(current: StoredResource, change: GroupWrite, now: string, audit?: AuditFacts): Promise<StoredResource> {
    const next = change.write
      ? this.table.nextVersion(current, change.write, now)
      : { ...current, version: current.version + 1, lastModified: now };
    const head: GroupHead = {
      groupId: current.id,
      entries: (countDelta, intentId) => {
        const add = { memberCount: countDelta, ...(intentId ? { pending: new Set([intentId]) } : {}) };
        const set = intentId ? { pendingAt: Date.now() } : {};
        if (change.write) return this.table.replaceEntries(current, next, { add, set });
        const condition = change.pinned ? [{ equals: ['version', current.version] as const }] : [{ exists: 'pk' }];
        return [this.table.items.update(this.table.key(current.id), { set: { lastModified: now, ...set }, add: { ...add, version: 1 } }, condition, resourceFailure)];
      },
    };
    const ops: MemberOp[] = [
      ...change.members.add.map((userId) => ({ userId, join: true })),
      ...change.members.remove.map((userId) => ({ userId, join: false })),
    ];
    // The version written is exact only when pinned: unpinned member changes may interleave.
    const version = change.pinned || change.write ? next.version : undefined;
    const result = await this.memberships.write(head, ops, this.groupAudit(audit, current.id, next.uniqueValue, version));
    const written = { ...next, memberCount: (current.memberCount ?? 0) + result.countDelta };
    return result.exact || !result.complete ? written : this.reread(current.id, written);
  }

  /**
   * Deletes the group (with its guard and a counter shard, in one transaction), then its
   * member items. From the first write on, the group reads as gone; membership reads go
   * through the group, so none shows a membership of it even while items are removed. The
   * audit entry is in the deleting transaction; the member items that go after it are no
   * change of their own (no reader sees them once the group is gone).
   */
  async delete(current: StoredResource, audit?: AuditFacts): Promise<void> {
    const entry = audit ? [this.memberships.audit.entry(this.memberships.audit.stub(audit, 'Group', current.id, current.uniqueValue), audit.changes)] : [];
    try {
      await transactWrite(this.ref.client, [...this.table.deleteEntries(current), ...entry]);
    } catch (error) {
      throw error instanceof TransactionFailed ? conflictOf(error, 'Group') : error;
    }
    await this.deleteLeftoverMembers(current.id);
  }

  /**
   * One consistent batch read of the users (and the group, when asked): which exist, which
   * are members, which are in as many groups as a user may be: what a write needs. A member
   * change of the group left by a writer that stalled is finished first, and all read again.
   */
  async readForChange(groupId: string, userIds: readonly string[], withGroup: boolean): Promise<{ group?: StoredResource; facts: MemberFacts }> {
    const keys = [...new Set(userIds)].filter(isPossibleId).map((uid) => this.memberships.userKey(uid));
    const withKey = withGroup && isPossibleId(groupId);
    if (withKey) keys.push(this.table.key(groupId));
    for (;;) {
      // The group needs its whole item; users only their id and groups.
      const items = keys.length === 0 ? [] : await batchGet(this.ref.client, this.ref.tableName, keys, withKey ? undefined : 'id, memberOf');
      const groupItem = items.find((item) => item.sk === resourceSk('Group'));
      // Intents still pending need not be waited for (each operation of this write will carry
      // its own condition); those whose writers stalled are finished, then all is read again.
      if (groupItem && (await this.memberships.finishStalled(groupItem))) continue;
      const users = new Set<string>();
      const members = new Set<string>();
      const full = new Set<string>();
      for (const item of items) {
        if (item === groupItem) continue;
        users.add(String(item.id));
        if (!(item.memberOf instanceof Set)) continue;
        if (item.memberOf.has(groupId)) members.add(String(item.id));
        if (item.memberOf.size >= MAX_GROUPS_PER_USER) full.add(String(item.id));
      }
      return { group: groupItem && this.table.fromItem(groupItem), facts: { users, members, full } };
    }
  }

  /**
   * Deletes the member items (and any intent pages) left in the partition of a deleted group
   * (its DELETE was cut short after the group itself went). Returns how many there were;
   * usually one Query, none.
   */
  async deleteLeftoverMembers(groupId: string): Promise<number> {
    if (!isPossibleId(groupId)) return 0;
    const keys: Record<string, unknown>[] = [];
    for await (const item of this.partition(groupId, { ProjectionExpression: 'pk, sk' })) {
      if (item.sk !== resourceSk('Group')) keys.push({ pk: item.pk, sk: item.sk });
    }
    return batchDelete(this.ref.client, this.ref.tableName, keys);
  }

  /** The audit of a group write, for the member change to complete with its member ids. */
  private groupAudit(audit: AuditFacts | undefined, id: string, name: string, version: number | undefined): GroupAudit | undefined {
    return audit && { stub: this.memberships.audit.stub(audit, 'Group', id, name), changes: audit.changes, version };
  }

  /** A group read again after others finished part of its change (the figures are theirs too). */
  private async reread(id: string, written: StoredResource): Promise<StoredResource> {
    return (await this.table.get(id)) ?? written;
  }
}
