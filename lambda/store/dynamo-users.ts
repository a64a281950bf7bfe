import { AuditWriter, membershipChange, type AuditStub } from './audit';
import { batchGet } from './batch';
import type { Clause } from './expression';
import { listingPk, listingSk, resourceSk, sameUnique } from './keys';
import { conflictOf, isPending, Memberships, type StoreOptions } from './memberships';
import { fromItem, ResourceTable, TableReads, type Item, type TableRef } from './resource-table';
import { INDEXES } from './table';
import { MAX_TRANSACT_ITEMS, TransactionFailed, transactWrite, type Entry } from './transact';
import type { AuditFacts, ResourceWrite, StoredResource, UserGroups, UserReads, UserStore, UserWithGroups } from './types';

/** A membership removed with the user: its member item and the group's count. */
const ITEMS_PER_GROUP = 2;
/** Groups left per transaction before it, when a user is in more: one item updates the user, one is the audit page. */
const GROUPS_PER_STEP = Math.floor((MAX_TRANSACT_ITEMS - 2) / ITEMS_PER_GROUP);
/** Rounds of leaving out groups found deleted before a deletion gives up. */
const MAX_DELETE_ROUNDS = 4;

/**
 * The reads of users and their groups, without the writes: all the Groups service needs of
 * users, so that its function's bundle leaves the user writes out (DynamoUserStore adds them).
 */
export class DynamoUserReads extends TableReads implements UserReads {
  protected readonly memberships: Memberships;
  protected readonly table: ResourceTable;

  constructor(
    protected readonly ref: TableRef,
    options: StoreOptions = {},
  ) {
    super();
    this.memberships = new Memberships(ref, options);
    this.table = new ResourceTable(ref, 'User');
  }

  /**
   * The groups these users' items name (those in `known` are not read again), each read
   * final. When one had a member change pending, finishing it may have changed the users'
   * items too: they are read again, with any group they name now.
   */
  async groupsOf(users: readonly StoredResource[], known: ReadonlyMap<string, StoredResource | null> = new Map()): Promise<UserGroups> {
    const groups = new Map(known);
    let current = [...users];
    for (let round = 0; ; round++) {
      const missing = [...new Set(current.flatMap((u) => u.groupIds ?? []))].filter((gid) => !groups.has(gid));
      if (missing.length === 0) return { users: current, groups };
      const items = await batchGet(this.ref.client, this.ref.tableName, missing.map((gid) => this.memberships.groupKey(gid)));
      const pending = items.some(isPending);
      for (const item of await this.memberships.settle(items)) groups.set(String(item.id), fromItem(item, 'Group'));
      for (const gid of missing) if (!groups.has(gid)) groups.set(gid, null);
      if (!pending || round > 0) return { users: current, groups };
      current = await this.getMany(current.map((u) => u.id));
    }
  }
}

/**
 * Users on the single table. A user's item carries the ids of its groups (`memberOf`), so a
 * user and its groups are read together, and deleting a user takes it out of its groups in
 * the same transaction as the deletion (up to 48 groups; more are left in steps before it).
 */
export class DynamoUserStore extends DynamoUserReads implements UserStore {
  private readonly audit: AuditWriter;

  constructor(ref: TableRef, options: StoreOptions = {}) {
    super(ref, options);
    this.audit = new AuditWriter(ref.tableName, ref.directory, options.auditRetentionDays);
  }

  async create(id: string, write: ResourceWrite, now: string, audit?: AuditFacts): Promise<StoredResource> {
    const stored = this.table.newResource(id, write, now);
    const entry = audit ? [this.audit.entry(this.audit.stub(audit, 'User', id, write.uniqueValue), audit.changes, { version: 1 })] : [];
    await this.run([...this.table.createEntries(stored), ...entry]);
    return stored;
  }

  async replace(current: StoredResource, write: ResourceWrite, now: string, audit?: AuditFacts): Promise<StoredResource> {
    const next = this.table.nextVersion(current, write, now);
    const entry = audit ? [this.audit.entry(this.audit.stub(audit, 'User', current.id, write.uniqueValue), audit.changes, { version: next.version })] : [];
    await this.run([...this.table.replaceEntries(current, next), ...entry]);
    return next;
  }

  /**
   * Deletes the user, its guard, a counter shard, its member items and the groups' counts.
   * The user's condition covers its version and its set of groups, so a membership added
   * meanwhile cancels the deletion (the caller re-reads) instead of being left behind. A
   * user in more groups than one transaction holds first leaves the others, in steps. A
   * group deleted since the user joined it only loses the member item, if any is left. The
   * audit entry goes with the deletion, naming the groups it left; each step before it writes
   * a page naming the groups that step left.
   */
  async delete(current: StoredResource, now: string, audit?: AuditFacts): Promise<void> {
    const groups = current.groupIds ?? [];
    // Groups whose memberships go with the user in the deleting transaction, beside the
    // user's own items (the user, its guard and claim guards, a counter shard, its audit entry).
    const own = this.deleteUser(current, []).length + (audit ? 1 : 0);
    const groupsWithDelete = Math.floor((MAX_TRANSACT_ITEMS - own) / ITEMS_PER_GROUP);
    const steps: string[][] = [];
    let rest = [...groups];
    while (rest.length > groupsWithDelete) {
      steps.push(rest.slice(0, GROUPS_PER_STEP));
      rest = rest.slice(GROUPS_PER_STEP);
    }
    steps.push(rest);
    const gone = new Set<string>();
    const stub = audit && this.audit.stub(audit, 'User', current.id, current.uniqueValue);
    for (let next = 0, round = 0; next < steps.length; ) {
      const last = next === steps.length - 1;
      const step = steps[next];
      // The groups found deleted meanwhile lose the member item only: no membership a reader saw.
      const left = step.filter((gid) => !gone.has(gid));
      const mine = last
        ? [...this.deleteUser(current, step), ...this.deletionEntry(stub, audit, left, steps.length > 1)]
        : [this.leaveGroups(current, step), ...this.leavePage(stub, next, left)];
      try {
        await transactWrite(this.ref.client, [...mine, ...this.leaveEntries(current.id, step, gone, now)]);
        next++;
      } catch (error) {
        if (!(error instanceof TransactionFailed)) throw error;
        const groupsGone = error.failures.flatMap((f) => (f.kind === 'groupGone' ? [f.groupId] : []));
        if (groupsGone.length < error.failures.length || ++round > MAX_DELETE_ROUNDS) throw conflictOf(error, 'User');
        for (const gid of groupsGone) gone.add(gid);
      }
    }
  }

  /**
   * The user with this userName (case-insensitively) and, when `withGroups`, the groups its
   * item names: usually two calls. The listing index (eventually consistent) gives the user's
   * id and the ids of its groups; one consistent batch read of the user and those groups then
   * confirms the user still has this userName, which the uniqueness guard makes the answer.
   * When the index shows no such user (none exists, or it was created or renamed a moment
   * ago), the uniqueness guard decides. Groups the user's item names that the index did not
   * are absent from `askedFor`: the caller reads them.
   */
  async findWithGroups(userName: string, withGroups = true): Promise<UserWithGroups | undefined> {
    const listed = await this.listed(userName);
    const hinted = withGroups ? [...new Set(listed.flatMap((user) => user.groupIds ?? []))] : [];
    const keys = [...listed.map((user) => this.table.key(user.id)), ...hinted.map((gid) => this.memberships.groupKey(gid))];
    const items = keys.length > 0 ? await batchGet(this.ref.client, this.ref.tableName, keys) : [];
    const userItem = items.find((item) => item.sk === resourceSk('User') && sameUnique(String(item.uniqueValue), userName));
    if (!userItem) {
      const user = await this.findByUniqueValue(userName);
      return user ? { user, groups: [], askedFor: new Set() } : undefined;
    }
    const groupItems = items.filter((item) => item.sk === resourceSk('Group'));
    if (groupItems.some(isPending)) {
      // A member change of one of its groups was pending: read the user and its groups afresh.
      const { users, groups } = await this.groupsOf([fromItem(userItem, 'User')]);
      return users[0] && { user: users[0], groups: [...groups.values()].filter((g): g is StoredResource => g !== null), askedFor: new Set(groups.keys()) };
    }
    const groups = groupItems.map((item) => fromItem(item, 'Group'));
    return { user: fromItem(userItem, 'User'), groups, askedFor: new Set(hinted) };
  }

  /** Users the listing index shows under this userName (a few at most; may lag the table). */
  private async listed(userName: string): Promise<StoredResource[]> {
    const found: StoredResource[] = [];
    for await (const item of this.table.query({
      IndexName: INDEXES.byType.indexName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': INDEXES.byType.partitionKey, '#sk': INDEXES.byType.sortKey },
      ExpressionAttributeValues: { ':pk': listingPk(this.ref.directory, 'User'), ':prefix': listingSk(userName, '') },
      Limit: 5,
    })) {
      found.push(this.table.fromItem(item as Item));
      if (found.length >= 5) break;
    }
    return found;
  }

  /** The user's own deletion, if it is still at its version and in exactly `groups`, with its guard and a count. */
  private deleteUser(current: StoredResource, groups: readonly string[]): Entry[] {
    const inGroups: Clause = groups.length > 0 ? { equals: ['memberOf', new Set(groups)] } : { notExists: 'memberOf' };
    return this.table.deleteEntries(current, [{ equals: ['version', current.version] }, inGroups]);
  }

  /** The deletion's audit entry: the document's changes and the groups the deleting transaction leaves. */
  private deletionEntry(stub: AuditStub | undefined, audit: AuditFacts | undefined, groups: readonly string[], continued: boolean): Entry[] {
    if (!stub || !audit) return [];
    const left = groups.length > 0 ? [membershipChange('groups', [], groups)] : [];
    return [this.audit.entry(stub, [...audit.changes, ...left], { continued: continued || undefined })];
  }

  /** A page of the deletion's entry: the groups a step before the deletion leaves. */
  private leavePage(stub: AuditStub | undefined, step: number, groups: readonly string[]): Entry[] {
    return stub && groups.length > 0 ? [this.audit.page(stub, step, membershipChange('groups', [], groups))] : [];
  }

  /** Takes `groups` out of the user's set, ahead of its deletion, if it is still at its version. */
  private leaveGroups(current: StoredResource, groups: readonly string[]): Entry {
    return this.table.items.update(this.table.key(current.id), { delete: { memberOf: new Set(groups) } }, [{ equals: ['version', current.version] }], {
      kind: 'version',
    });
  }

  /** For each group: the member item goes and, unless the group is gone, its count drops by one. */
  private leaveEntries(userId: string, groups: readonly string[], gone: ReadonlySet<string>, now: string): Entry[] {
    return groups.flatMap((gid) => [
      this.table.items.delete(this.memberships.memberKey(gid, userId)),
      ...(gone.has(gid)
        ? []
        : [
            this.table.items.update(
              this.memberships.groupKey(gid),
              { set: { lastModified: now }, add: { version: 1, memberCount: -1 } },
              [{ exists: 'pk' }],
              { kind: 'groupGone', groupId: gid },
            ),
          ]),
    ]);
  }

  private async run(entries: Entry[]): Promise<void> {
    try {
      await transactWrite(this.ref.client, entries);
    } catch (error) {
      throw error instanceof TransactionFailed ? conflictOf(error, 'User') : error;
    }
  }
}
