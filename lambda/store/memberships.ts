import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { AuditWriter, membershipChange, type AuditStub } from './audit';
import { batchGet, queryPages } from './batch';
import { INTENT_PREFIX, intentSk, memberSk, resourcePk, resourceSk } from './keys';
import type { Item, TableRef } from './resource-table';
import { Items, MAX_TRANSACT_ITEMS, TransactionFailed, transactWrite, type Entry, type Failure, type Meaning } from './transact';
import { StoreConflict, StoreUnavailable, type AuditChange } from './types';

/**
 * Memberships on the single table, all in one module: the items of a membership, how member
 * changes are cut into transactions, the limits, and how a change too large for one
 * transaction is still applied all or nothing.
 *
 * A membership is two facts kept in step: the member item `<dir>#GROUP#<gid>` / `MEMBER#<uid>`,
 * and the group's id in the `memberOf` set of the user's item. Both are written in one
 * transaction together with the group's `memberCount`, each with its own condition, so the
 * count is exact and no member is added to a user deleted meanwhile.
 *
 * A change that fits one transaction (up to 48 members with a rename) is that transaction.
 * A larger one (up to MAX_MEMBER_CHANGES) is written as an intent: the first transaction
 * holds the group's own change, the intent's id in the group's `pending` set, the whole list
 * of member operations (intent pages in the group's partition, the first of which keeps the
 * intent's progress), and the first members; from then on the change is decided. Further
 * transactions apply the rest, each advancing the progress; the last takes the id out of
 * `pending` and deletes the pages. Whoever next reads the group and finds `pending` finishes
 * those changes first (waiting while their writers are at work, taking over when they stall),
 * so a reader never takes a half-applied change for the group's state, and a writer that dies
 * between two transactions leaves nothing half done. Several intents (and small changes) may
 * run on one group at once, as member changes alone do not serialise on the group's version:
 * each operation carries its own condition and the count is only ever added to. Adds are
 * applied before removes, so a user's item read on its own (which names no group being
 * changed) is never newer than another's older state. See docs/groups.md.
 */

/**
 * The groups one user may be in: each adds an id (36 bytes) to the user's item, which with
 * the largest document a user may have stays inside DynamoDB's 400 KB.
 */
export const MAX_GROUPS_PER_USER = 2_000;

/** A member change writes the member item and the user's item. */
export const ITEMS_PER_MEMBER = 2;

/** Member operations one intent page holds (about 40 bytes each: one page stays near 40 KB). */
export const OPS_PER_PAGE = 1_000;

/** One member operation: the user joins (`+`) or leaves (`-`) the group. */
export interface MemberOp {
  readonly userId: string;
  readonly join: boolean;
}

/** Whether a stored group item has member changes still being applied (intents in `pending`). */
export function isPending(item: Item): boolean {
  return item.sk === resourceSk('Group') && item.pending instanceof Set && item.pending.size > 0;
}

export interface MembershipOptions {
  /**
   * How long an intent's writer may go without applying a step before another request takes
   * the change over. @default 3000
   */
  readonly leaseMs?: number;
  /** How long a writer keeps retrying the steps of its own intent when DynamoDB refuses. @default 20000 */
  readonly completeWithinMs?: number;
}

/** How the DynamoDB stores of one directory write. */
export interface StoreOptions extends MembershipOptions {
  /** Days an audit entry is kept (DynamoDB TTL). @default DEFAULT_AUDIT_RETENTION_DAYS (400) */
  readonly auditRetentionDays?: number;
}

/** The audit of a group write: the entry's stub and the document's changes; the member ids are added per transaction. */
export interface GroupAudit {
  readonly stub: AuditStub;
  readonly changes: readonly AuditChange[];
  /** meta.version after the write, when exact. */
  readonly version?: number;
}

/** Where an intent stands, as its first page keeps it (with the change's audit stub, when audited). */
interface Progress {
  readonly done: number;
  readonly pages: number;
  readonly at: number;
  readonly audit?: AuditStub;
}

/** What the group store gives a member change to write: the group's own entries. */
export interface GroupHead {
  readonly groupId: string;
  /**
   * The group's own entries (the group's item first), given the member count's change and,
   * for an intent, its id to add to the group's `pending` set.
   */
  readonly entries: (countDelta: number, intentId?: string) => Entry[];
}

/** What a member change did. */
export interface MemberWriteResult {
  /** The change in member count the writer applied itself. */
  readonly countDelta: number;
  /** False when another request applied part of an intent (the caller re-reads for exact figures). */
  readonly exact: boolean;
  /**
   * False when the writer stopped retrying with its intent still pending (DynamoDB kept
   * refusing): the change is decided, and the next request that meets the group finishes it.
   */
  readonly complete: boolean;
}

export class Memberships {
  private readonly items: Items;
  private readonly leaseMs: number;
  private readonly completeWithinMs: number;
  /** Writes the audit pages of intents (also those this store finishes for another request). */
  readonly audit: AuditWriter;

  constructor(
    private readonly ref: TableRef,
    options: StoreOptions = {},
  ) {
    this.items = new Items(ref.tableName);
    this.leaseMs = options.leaseMs ?? 3_000;
    this.completeWithinMs = options.completeWithinMs ?? 20_000;
    this.audit = new AuditWriter(ref.tableName, ref.directory, options.auditRetentionDays);
  }

  /** The key of the member item of `userId` in group `groupId`. */
  memberKey(groupId: string, userId: string) {
    return { pk: this.groupPk(groupId), sk: memberSk(userId) };
  }

  /** The key of a user's item. */
  userKey(userId: string) {
    return { pk: resourcePk(this.ref.directory, 'User', userId), sk: resourceSk('User') };
  }

  /** The key of a group's item. */
  groupKey(groupId: string) {
    return { pk: this.groupPk(groupId), sk: resourceSk('Group') };
  }

  /**
   * The entries of one member operation. A join puts the member item (if absent) and adds the
   * group to the user's set (the user must exist; with `limit`, be in fewer than the most
   * groups a user may be in); a leave deletes the member item (if present) and takes the
   * group out of the user's set.
   */
  opEntries(groupId: string, op: MemberOp, limit: boolean): Entry[] {
    const { userId } = op;
    const userGone: Failure = { kind: 'memberGone', userId };
    if (!op.join) {
      return [
        this.items.delete(this.memberKey(groupId, userId), [{ exists: 'pk' }], { kind: 'notMember', userId }),
        this.items.update(this.userKey(userId), { delete: { memberOf: new Set([groupId]) } }, [{ exists: 'pk' }], userGone),
      ];
    }
    const userCondition = limit ? [{ exists: 'pk' }, { sizeBelow: ['memberOf', MAX_GROUPS_PER_USER] as const }] : [{ exists: 'pk' }];
    const userMeaning: Meaning = limit ? (old) => (old ? { kind: 'groupLimit', userId } : userGone) : userGone;
    return [
      this.items.put(this.memberKey(groupId, userId), [{ notExists: 'pk' }], { kind: 'alreadyMember', userId }),
      this.items.update(this.userKey(userId), { add: { memberOf: new Set([groupId]) } }, userCondition, userMeaning),
    ];
  }

  /** That the user exists and may join one more group (checked, not written). */
  private userCheck(userId: string): Entry {
    return this.items.check(this.userKey(userId), [{ exists: 'pk' }, { sizeBelow: ['memberOf', MAX_GROUPS_PER_USER] }], (old) =>
      old ? { kind: 'groupLimit', userId } : { kind: 'memberGone', userId },
    );
  }

  /**
   * Writes the group's own change with member operations, all or nothing: one transaction
   * when it fits, an intent otherwise. A failed condition of the one transaction (or of the
   * intent's first) is a StoreConflict: nothing was written. With `audit`, the entry is an
   * item of the one transaction (of the intent's first, which decides the change), naming the
   * members it applies; each later step adds a page naming its own.
   */
  async write(head: GroupHead, ops: readonly MemberOp[], audit?: GroupAudit): Promise<MemberWriteResult> {
    const ordered = [...ops.filter((o) => o.join), ...ops.filter((o) => !o.join)];
    const headSize = head.entries(0).length + (audit ? 1 : 0);
    if (headSize + ITEMS_PER_MEMBER * ordered.length <= MAX_TRANSACT_ITEMS) {
      const entries = [
        ...head.entries(netCount(ordered)),
        ...this.auditEntry(audit, ordered, false),
        ...ordered.flatMap((op) => this.opEntries(head.groupId, op, true)),
      ];
      await this.run(entries);
      return { countDelta: netCount(ordered), exact: true, complete: true };
    }
    return this.writeIntent(head, ordered, audit);
  }

  /** The audit entry of a change's deciding transaction, with the member operations it applies. */
  private auditEntry(audit: GroupAudit | undefined, applied: readonly MemberOp[], continued: boolean): Entry[] {
    if (!audit) return [];
    const members = membersOf(applied);
    return [this.audit.entry(audit.stub, [...audit.changes, ...(members ? [members] : [])], { version: audit.version, continued: continued || undefined })];
  }

  /**
   * The intent's first transaction: the group's own entries with the marker, the pages of
   * operations, as many operations as fit and, while room is left, a check of each later
   * joining user, so that a user deleted before the change was decided refuses it whole.
   */
  private async writeIntent(head: GroupHead, ops: readonly MemberOp[], audit?: GroupAudit): Promise<MemberWriteResult> {
    const id = randomUUID();
    const pages = pagesOf(ops);
    const joins = ops.filter((o) => o.join).length;
    const room = MAX_TRANSACT_ITEMS - head.entries(0, id).length - (audit ? 1 : 0) - pages.length;
    const fit = Math.floor(room / ITEMS_PER_MEMBER);
    // With a check for every later join when that fits; otherwise as many operations as fit.
    let count = fit;
    for (let n = fit; n >= 1; n--) {
      if (ITEMS_PER_MEMBER * n + Math.max(0, joins - n) <= room) {
        count = n;
        break;
      }
    }
    const checked = ITEMS_PER_MEMBER * count + Math.max(0, joins - count) <= room ? ops.slice(count, joins) : [];
    const applied = ops.slice(0, count);
    const progress = { done: count, total: ops.length, pages: pages.length, at: Date.now(), ...(audit ? { audit: audit.stub } : {}) };
    const first = [
      ...head.entries(netCount(applied), id),
      ...this.auditEntry(audit, applied, true),
      ...pages.map((page, n) => this.items.put({ ...this.pageKey(head.groupId, id, n), ops: page, ...(n === 0 ? progress : {}) })),
      ...applied.flatMap((op) => this.opEntries(head.groupId, op, true)),
      ...checked.map((op) => this.userCheck(op.userId)),
    ];
    try {
      await this.run(first);
    } catch (error) {
      // Refused for load or unanswered: the transaction may still have been applied (its
      // answer lost). The intent's first page says whether the change was decided.
      if (!(error instanceof StoreUnavailable)) throw error;
      const { Item } = await this.ref.client.send(new GetCommand({ TableName: this.ref.tableName, Key: this.pageKey(head.groupId, id, 0), ConsistentRead: true })).catch(() => ({ Item: undefined }));
      if (!Item) throw error;
    }
    // Decided: from here on the change is finished by this request or, should it stop, by
    // the next one that meets the group.
    const rest = await this.applySteps(head.groupId, id, ops, count, pages.length, Date.now() + this.completeWithinMs, false, audit?.stub);
    return { ...rest, countDelta: netCount(applied) + rest.countDelta };
  }

  /**
   * Applies an intent's operations from `from` on, a transaction a step, each conditional on
   * the intent's progress still standing where the last step left it. A step that another
   * request applied first moves on to where the progress now stands; an operation whose
   * premise no longer holds (the user was deleted since, or the membership is already as
   * wanted) is left out of its step, since the change was decided before (it reads as if it
   * happened first). Returns when the intent is finished; `deadline` bounds the retries when
   * DynamoDB refuses (the intent then stays pending, for the next request to finish). With
   * the change's audit stub, each step writes the audit page of the members it applied.
   */
  private async applySteps(
    groupId: string,
    id: string,
    ops: readonly MemberOp[],
    from: number,
    pages: number,
    deadline: number,
    helping: boolean,
    audit: AuditStub | undefined,
  ): Promise<MemberWriteResult> {
    let done = from;
    let countDelta = 0;
    let exact = !helping;
    const skipped = new Set<string>();
    // Each step: the group's update, the first page's (deleted with the others by the last),
    // the step's audit page, two items a member.
    const own = audit ? 1 : 0;
    const lastRoom = Math.floor((MAX_TRANSACT_ITEMS - 1 - own - pages) / ITEMS_PER_MEMBER);
    const stepRoom = Math.floor((MAX_TRANSACT_ITEMS - 2 - own) / ITEMS_PER_MEMBER);
    const moved: Failure = { kind: 'intentMoved' };
    for (let attempt = 0; ; ) {
      const last = ops.length - done <= lastRoom;
      const end = last ? ops.length : done + stepRoom;
      const step = ops.slice(done, end).filter((op) => !skipped.has(op.userId));
      const delta = netCount(step);
      const stillPending = { contains: ['pending', id] } as const;
      const onProgress = [{ equals: ['done', done] }] as const;
      const members = membersOf(step);
      const entries = [
        this.items.update(
          this.groupKey(groupId),
          { set: { pendingAt: Date.now() }, add: { memberCount: delta }, ...(last ? { delete: { pending: new Set([id]) } } : {}) },
          [stillPending],
          moved,
        ),
        last
          ? this.items.delete(this.pageKey(groupId, id, 0), onProgress, moved)
          : this.items.update(this.pageKey(groupId, id, 0), { set: { done: end, at: Date.now() } }, onProgress, moved),
        ...(audit && members ? [this.audit.page(audit, done, members)] : []),
        ...step.flatMap((op) => this.opEntries(groupId, op, false)),
        ...(last ? Array.from({ length: pages - 1 }, (_, n) => this.items.delete(this.pageKey(groupId, id, n + 1))) : []),
      ];
      try {
        await transactWrite(this.ref.client, entries);
      } catch (error) {
        if (error instanceof TransactionFailed && error.find('intentMoved')) {
          // Another request applied this step: go on from where the progress stands, if it still does.
          exact = false;
          const progress = await this.progressOf(groupId, id);
          if (!progress) return { countDelta, exact, complete: true };
          done = progress.done;
        } else if (error instanceof TransactionFailed) {
          for (const failure of error.failures) if ('userId' in failure) skipped.add(failure.userId);
        } else if (error instanceof StoreUnavailable && Date.now() < deadline) {
          await sleep(Math.min(1_000, 50 * 2 ** attempt++) * (0.5 + Math.random()));
        } else if (error instanceof StoreUnavailable) {
          // The intent stays pending: the next request that meets the group finishes it.
          return { countDelta, exact: false, complete: false };
        } else {
          throw error;
        }
        continue;
      }
      countDelta += delta;
      attempt = 0;
      if (last) return { countDelta, exact, complete: true };
      done = end;
    }
  }

  /**
   * Group items made final: for each with intents in `pending`, those are finished (see
   * `finish`) and the item read again (absent if the group was deleted meanwhile). Other items
   * pass as they are.
   */
  async settle(items: Item[]): Promise<Item[]> {
    const pending = items.filter(isPending);
    if (pending.length === 0) return items;
    await Promise.all(pending.flatMap((item) => [...(item.pending as Set<string>)].map((id) => this.finish(String(item.id), id))));
    const fresh = await batchGet(this.ref.client, this.ref.tableName, pending.map((item) => ({ pk: item.pk, sk: item.sk })));
    const byPk = new Map(fresh.map((item) => [item.pk, item]));
    // A group read again may name an intent started since: that one is finished too.
    const again = await this.settle(fresh.filter(isPending));
    for (const item of again) byPk.set(item.pk, item);
    return items.flatMap((item) => (pending.includes(item) ? (byPk.has(item.pk) ? [byPk.get(item.pk)!] : []) : [item]));
  }

  /**
   * For a writer about to change the group: finishes the intents in its `pending` set whose
   * writers stalled, without waiting for those still at work (a write needs no settled view:
   * each of its operations carries its own condition). True when it finished one, so that
   * the caller reads again.
   */
  async finishStalled(item: Item): Promise<boolean> {
    // `pendingAt` is when any intent of the group last moved: while one is at work, none is
    // looked at one by one (that would be a read per intent).
    if (!isPending(item) || Date.now() - Number(item.pendingAt ?? 0) < this.leaseMs) return false;
    const finished = await Promise.all([...(item.pending as Set<string>)].map((id) => this.finish(String(item.id), id, false)));
    return finished.some(Boolean);
  }

  /**
   * Finishes one intent of a group. While its writer is at work (it applied a step less than
   * the lease ago) this waits for it (unless told not to: then it returns false); once the
   * writer stalls (it died, or DynamoDB refused it past its deadline), this applies the
   * remaining steps itself.
   */
  private async finish(groupId: string, id: string, wait = true): Promise<boolean> {
    const started = Date.now();
    for (let progress = await this.progressOf(groupId, id); progress; progress = await this.progressOf(groupId, id)) {
      const live = Date.now() - progress.at < this.leaseMs;
      if (live && !wait) return false;
      if (live && Date.now() - started < this.completeWithinMs) {
        await sleep(Math.min(this.leaseMs / 4, 100) * (0.5 + Math.random()));
        continue;
      }
      const ops = await this.intentOps(groupId, id, progress.pages);
      if (ops) await this.applySteps(groupId, id, ops, progress.done, progress.pages, Date.now() + this.completeWithinMs, true, progress.audit);
      if (await this.progressOf(groupId, id)) throw new StoreUnavailable('throttled', 'A member change of this group could not be finished yet.');
      return true;
    }
    // No first page: the intent is finished (or its group deleted) since the group was read;
    // its id leaves `pending` with its last step, and is taken out here should it linger.
    await this.clearPending(groupId, id);
    return false;
  }

  /** Where an intent stands (its first page), or undefined when it is finished. */
  private async progressOf(groupId: string, id: string): Promise<Progress | undefined> {
    const { Item } = await this.ref.client.send(new GetCommand({ TableName: this.ref.tableName, Key: this.pageKey(groupId, id, 0), ConsistentRead: true }));
    return Item && { done: Number(Item.done), pages: Number(Item.pages), at: Number(Item.at), ...(Item.audit ? { audit: Item.audit as AuditStub } : {}) };
  }

  /** Takes a finished intent's id out of the group's `pending` set, if it is still there. */
  private async clearPending(groupId: string, id: string): Promise<void> {
    try {
      await transactWrite(this.ref.client, [this.items.update(this.groupKey(groupId), { delete: { pending: new Set([id]) } }, [{ contains: ['pending', id] }], { kind: 'intentMoved' })]);
    } catch (error) {
      if (!(error instanceof TransactionFailed)) throw error;
    }
  }

  /** An intent's operations, from its pages; undefined when the pages are gone (it finished). */
  private async intentOps(groupId: string, id: string, pages: number): Promise<MemberOp[] | undefined> {
    const items: Item[] = [];
    const query = {
      TableName: this.ref.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': this.groupPk(groupId), ':prefix': `${INTENT_PREFIX}${id}#` },
      ConsistentRead: true,
    };
    for await (const page of queryPages(this.ref.client, query)) items.push(...page);
    if (items.length !== pages) return undefined;
    items.sort((a, b) => (String(a.sk) < String(b.sk) ? -1 : 1));
    return items.flatMap((item) => (item.ops as string[]).map((text) => ({ join: text[0] === '+', userId: text.slice(1) })));
  }

  private pageKey(groupId: string, id: string, page: number) {
    return { pk: this.groupPk(groupId), sk: intentSk(id, page) };
  }

  /** Runs a transaction whose failed conditions mean nothing was written: a StoreConflict. */
  private async run(entries: Entry[]): Promise<void> {
    try {
      await transactWrite(this.ref.client, entries);
    } catch (error) {
      throw error instanceof TransactionFailed ? conflictOf(error, 'Group') : error;
    }
  }

  private groupPk(groupId: string) {
    return resourcePk(this.ref.directory, 'Group', groupId);
  }
}

/**
 * The StoreConflict a cancelled transaction means, from its items' failures: a refused member
 * first (it decides the answer), then a taken name, a vanished resource, and otherwise a
 * change by another writer (which the caller meets by reading again).
 */
export function conflictOf(error: TransactionFailed, kind: 'User' | 'Group'): StoreConflict {
  const member = error.find('memberGone', 'groupLimit');
  if (member) {
    return member.kind === 'memberGone'
      ? new StoreConflict('memberGone', 'A user named as member does not exist.', member.userId)
      : new StoreConflict('groupLimit', 'A user named as member is in as many groups as a user may be.', member.userId);
  }
  const taken = error.find('uniqueness');
  if (taken) return new StoreConflict('uniqueness', `The ${kind}'s ${taken.attribute ?? 'unique value'} is already taken.`, undefined, taken.attribute);
  if (error.find('missing')) return new StoreConflict('missing', `The ${kind} no longer exists.`);
  return new StoreConflict('version', 'The resource changed.');
}

/** The audit change of member operations (the ids added and removed), or undefined for none. */
function membersOf(ops: readonly MemberOp[]): AuditChange | undefined {
  if (ops.length === 0) return undefined;
  return membershipChange('members', ops.filter((o) => o.join).map((o) => o.userId), ops.filter((o) => !o.join).map((o) => o.userId));
}

/** The member count change of operations: +1 a join, -1 a leave. */
function netCount(ops: readonly MemberOp[]): number {
  return ops.reduce((n, op) => n + (op.join ? 1 : -1), 0);
}

/** Operations as an intent's pages store them: `+<uid>` joins, `-<uid>` leaves. */
function pagesOf(ops: readonly MemberOp[]): string[][] {
  const pages: string[][] = [];
  for (let i = 0; i < ops.length; i += OPS_PER_PAGE) pages.push(ops.slice(i, i + OPS_PER_PAGE).map((op) => `${op.join ? '+' : '-'}${op.userId}`));
  return pages;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
