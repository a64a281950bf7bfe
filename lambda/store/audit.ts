import { randomUUID } from 'node:crypto';
import { auditListingPk, auditPk, auditSk } from './keys';
import { AUDIT_TTL_ATTRIBUTE, DEFAULT_AUDIT_RETENTION_DAYS, INDEXES } from './table';
import { Items, type Entry } from './transact';
import type { AuditChange, AuditEntry, AuditFacts, ResourceKind } from './types';
import { digestOf } from './value-digest';

/**
 * The audit trail's items. An applied change has exactly one entry, written in the same
 * transaction as the change, so that neither can exist without the other. A change of several
 * transactions (a member change too large for one; a user in more groups than one deletion
 * holds) has its entry in the transaction that decides it and a page in each other, naming the
 * members that transaction applied; readers put them back together into one entry.
 *
 * Every audit item is built by `auditItem`: its keys (lambda/store/keys.ts), its place in the
 * directory's listing (heads only) and its expiry (DynamoDB TTL on `ttl`).
 */

// Defined with the table (the construct reads them and must not load the AWS SDK); re-exported here.
export { AUDIT_TTL_ATTRIBUTE, DEFAULT_AUDIT_RETENTION_DAYS };

/**
 * The most the changes of one item may take, as JSON. Values above 1 KiB are digests already
 * (lambda/scim/audit-changes.ts) and the schema bounds the paths, so this only catches what no
 * schema foresaw: then every value of the item is recorded by its digest. Far inside 400 KB, so
 * the resource itself (up to 300,000 bytes) and its entry fit one transaction.
 */
export const MAX_CHANGES_BYTES = 64 * 1024;

/** What every item of one entry repeats: who changed which resource, when, by which request. */
export type AuditStub = Omit<AuditEntry, 'changes' | 'version'>;

/** One audit item: an entry (`step` absent) or a page of it (`step` set). */
export interface AuditRecord extends AuditStub {
  readonly changes: readonly AuditChange[];
  readonly version?: number;
  /** A page: the first operation of the transaction that wrote it. */
  readonly step?: number;
  /** An entry whose change went on in later transactions: its pages hold the rest of its members. */
  readonly continued?: boolean;
}

type Item = Record<string, unknown>;

/** The one function every audit item is built with. */
export function auditItem(record: AuditRecord, retentionDays: number): Item {
  const sk = auditSk(record.at, record.id, record.step);
  const head = record.step === undefined;
  const item: Item = {
    pk: auditPk(record.directory, record.resourceId),
    sk,
    // Only entries are listed for the directory; pages are found from their entry.
    ...(head ? { [INDEXES.byType.partitionKey]: auditListingPk(record.directory), [INDEXES.byType.sortKey]: sk } : {}),
    [AUDIT_TTL_ATTRIBUTE]: Math.floor(Date.parse(record.at) / 1000) + Math.round(retentionDays * 86_400),
    ...withoutUndefined({ ...record, changes: fitted(record.changes) }),
  };
  return item;
}

/** The audit record an item holds (the inverse of auditItem, keys and expiry left out). */
export function recordOf(item: Item): AuditRecord {
  const { pk: _pk, sk: _sk, [AUDIT_TTL_ATTRIBUTE]: _ttl, [INDEXES.byType.partitionKey]: _lp, [INDEXES.byType.sortKey]: _ls, ...rest } = item;
  return rest as unknown as AuditRecord;
}

/** An entry put back together from its head and its pages (in step order): one `members` or `groups` change. */
export function mergePages(head: AuditRecord, pages: readonly AuditRecord[]): AuditEntry {
  const changes = head.changes.map((c) => ({ ...c }));
  for (const page of [...pages].sort((a, b) => (a.step ?? 0) - (b.step ?? 0))) {
    for (const change of page.changes) {
      const into = changes.find((c) => c.path === change.path && (c.added || c.removed));
      if (!into) {
        changes.push({ ...change });
        continue;
      }
      Object.assign(into, membershipChange(change.path, [...(into.added ?? []), ...(change.added ?? [])], [...(into.removed ?? []), ...(change.removed ?? [])]));
    }
  }
  return ordered(head, changes);
}

/** An entry's fields in one order (what it is, who, from where, what it did), whatever order an item kept them in. */
function ordered(record: AuditRecord, changes: AuditChange[]): AuditEntry {
  const entry: AuditEntry = {
    id: record.id,
    at: record.at,
    directory: record.directory,
    actor: { tokenId: record.actor.tokenId, name: record.actor.name },
    requestId: record.requestId,
    ...(record.userAgent !== undefined ? { userAgent: record.userAgent } : {}),
    ...(record.sourceAddress !== undefined ? { sourceAddress: record.sourceAddress } : {}),
    operation: record.operation,
    resourceType: record.resourceType,
    resourceId: record.resourceId,
    resourceName: record.resourceName,
    ...(record.version !== undefined ? { version: record.version } : {}),
    ...(record.bulk !== undefined ? { bulk: record.bulk.bulkId !== undefined ? { index: record.bulk.index, bulkId: record.bulk.bulkId } : { index: record.bulk.index } } : {}),
    changes,
  };
  return entry;
}

/** A membership change: the ids added and removed (either may be empty, not both). */
export function membershipChange(path: 'members' | 'groups' | string, added: readonly string[], removed: readonly string[]): AuditChange {
  return { path, ...(added.length > 0 ? { added: [...added] } : {}), ...(removed.length > 0 ? { removed: [...removed] } : {}) };
}

/** The transaction entries of audit items, for the stores of one directory. */
export class AuditWriter {
  private readonly items: Items;

  constructor(
    tableName: string,
    private readonly directory: string,
    readonly retentionDays: number = DEFAULT_AUDIT_RETENTION_DAYS,
  ) {
    this.items = new Items(tableName);
  }

  /** The facts every item of one change repeats, with the entry's id; refuses facts of a request of another directory. */
  stub(facts: AuditFacts, resourceType: ResourceKind, resourceId: string, resourceName: string): AuditStub {
    checkDirectory(facts, this.directory);
    const { changes: _changes, ...rest } = facts;
    return { ...rest, id: randomUUID(), directory: this.directory, resourceType, resourceId, resourceName };
  }

  /** The entry's Put: the document's changes and those of the store's own (memberships). */
  entry(stub: AuditStub, changes: readonly AuditChange[], extra: { version?: number; continued?: boolean } = {}): Entry {
    return this.items.put(auditItem({ ...stub, changes, ...withoutUndefined(extra) }, this.retentionDays));
  }

  /** A page's Put: what one later transaction of the change applied. */
  page(stub: AuditStub, step: number, change: AuditChange): Entry {
    return this.items.put(auditItem({ ...stub, step, changes: [change] }, this.retentionDays));
  }
}

/**
 * A store writes and audits one directory's items: facts of a request served in another
 * directory reaching it would be a routing bug, so the write is refused (a 500, nothing written)
 * rather than audited under the wrong directory.
 */
export function checkDirectory(facts: AuditFacts, directory: string): void {
  if (facts.directory !== undefined && facts.directory !== directory) {
    throw new Error(`A change of a request served in another directory reached the store of directory ${directory}.`);
  }
}

/** The changes with every value replaced by its digest when together they are too large for an item. */
function fitted(changes: readonly AuditChange[]): readonly AuditChange[] {
  if (Buffer.byteLength(JSON.stringify(changes), 'utf8') <= MAX_CHANGES_BYTES) return changes;
  return changes.map(({ before, after, ...rest }) => ({
    ...rest,
    ...(before !== undefined ? { beforeDigest: digestOf(before) } : {}),
    ...(after !== undefined ? { afterDigest: digestOf(after) } : {}),
  }));
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
