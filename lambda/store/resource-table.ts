import { GetCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { batchGet, queryPages } from './batch';
import type { Changes, Clause } from './expression';
import {
  claimPk,
  counterPk,
  counterSk,
  externalIdPk,
  listingPk,
  listingSk,
  resourcePk,
  resourceSk,
  sameUnique,
  UNIQUE_SK,
  uniquePk,
} from './keys';
import { INDEXES } from './table';
import { Items, type Entry, type Meaning } from './transact';
import type { CursorPage, Page, PageRequest, ResourceKind, ResourceReads, ResourceWrite, StoredResource, UniqueClaim } from './types';

export type Item = Record<string, unknown>;

/**
 * Spreading the per-kind counter over shards keeps concurrent creates from colliding on one
 * item (in DynamoDB, transactions touching the same item cancel each other). Reading the
 * count is still one Query over the shards' partition.
 */
export const COUNTER_SHARDS = 16;

/**
 * What a resource's document and unique value (userName, displayName) may take, in UTF-8
 * bytes of their JSON: an upper bound of what DynamoDB counts for them (JSON spends at least
 * as many bytes as DynamoDB on every name, value, element and number). The rest of the item
 * is kept free for what it holds besides (keys, index attributes, meta: under 2 KB) and what
 * it grows by later without a write of the document: a user's `memberOf`, up to
 * MAX_GROUPS_PER_USER group ids (about 74 KB). 300,000 + 74,000 + 2,000 leaves ~33 KB of
 * the 409,600, so a stored resource can always still join groups, be renamed and deleted.
 */
export const MAX_RESOURCE_BYTES = 300_000;

/** What a resource counts against MAX_RESOURCE_BYTES. */
export const resourceBytes = (write: ResourceWrite) =>
  Buffer.byteLength(JSON.stringify(write.document), 'utf8') + Buffer.byteLength(write.uniqueValue, 'utf8') + Buffer.byteLength(JSON.stringify(write.alsoUnique ?? []), 'utf8');

/** Ids are ours (UUIDs); anything longer than this cannot name a stored resource. */
export const MAX_ID_BYTES = 256;

/** Whether `id` could name a stored resource (a longer key would be refused by DynamoDB itself). */
export const isPossibleId = (id: string) => Buffer.byteLength(id, 'utf8') <= MAX_ID_BYTES;

/** Where a kind's resources live: the table, its directory, and a client. */
export interface TableRef {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly directory: string;
}

/** What the resource item's failed condition means: gone, or changed since it was read. */
export const resourceFailure: Meaning = (old) => (old ? { kind: 'version' } : { kind: 'missing' });

/**
 * The items of one resource kind in one directory, and the reads they all answer: the part
 * users and groups share. The user and group stores are built from it (composition); what
 * is theirs alone (a user's groups, a group's members) stays in them.
 */
export class ResourceTable implements ResourceReads {
  readonly items: Items;

  constructor(
    readonly ref: TableRef,
    readonly kind: ResourceKind,
    /**
     * Makes items read final before they are answered (groups: a member change still being
     * applied is finished first). The identity for users.
     */
    private readonly settle: (items: Item[]) => Promise<Item[]> = async (items) => items,
  ) {
    this.items = new Items(ref.tableName);
  }

  key(id: string) {
    return { pk: resourcePk(this.ref.directory, this.kind, id), sk: resourceSk(this.kind) };
  }

  async get(id: string): Promise<StoredResource | undefined> {
    const item = await this.getItem(id);
    return item ? this.fromItem(item) : undefined;
  }

  /** The resource's raw item (settled), consistent. */
  async getItem(id: string): Promise<Item | undefined> {
    if (!isPossibleId(id)) return undefined;
    const { Item } = await this.ref.client.send(new GetCommand({ TableName: this.ref.tableName, Key: this.key(id), ConsistentRead: true }));
    if (!Item) return undefined;
    const [settled] = await this.settle([Item]);
    return settled;
  }

  async getMany(ids: readonly string[]): Promise<StoredResource[]> {
    const keys = [...new Set(ids)].filter(isPossibleId).map((id) => this.key(id));
    if (keys.length === 0) return [];
    const items = await this.settle(await batchGet(this.ref.client, this.ref.tableName, keys));
    return items.map((item) => this.fromItem(item));
  }

  async findByUniqueValue(value: string): Promise<StoredResource | undefined> {
    const { Item } = await this.ref.client.send(
      new GetCommand({ TableName: this.ref.tableName, Key: this.guardKey(value), ConsistentRead: true }),
    );
    if (!Item || typeof Item.id !== 'string') return undefined;
    const found = await this.get(Item.id);
    return found && sameUnique(found.uniqueValue, value) ? found : undefined;
  }

  async findByExternalId(externalId: string): Promise<StoredResource[]> {
    const found: StoredResource[] = [];
    for await (const item of this.query({
      IndexName: INDEXES.byExternalId.indexName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': INDEXES.byExternalId.partitionKey },
      ExpressionAttributeValues: { ':pk': externalIdPk(this.ref.directory, this.kind, externalId) },
    })) {
      const resource = this.fromItem(item);
      if (resource.document.externalId === externalId) found.push(resource);
    }
    return found;
  }

  async list(page: PageRequest): Promise<Page> {
    const [count, resources] = await Promise.all([this.count(), this.listPage(page)]);
    // The counter and the index are read apart; a resource created in between may show in
    // one and not yet the other. The page itself bounds the total from below.
    const totalResults = resources.length > 0 ? Math.max(count, page.startIndex - 1 + resources.length) : count;
    return { resources, totalResults };
  }

  async listMatching(matches: (resource: StoredResource) => boolean, page: PageRequest): Promise<Page> {
    const resources: StoredResource[] = [];
    let totalResults = 0;
    for await (const item of this.listing()) {
      const resource = this.fromItem(item);
      if (!matches(resource)) continue;
      totalResults++;
      if (totalResults >= page.startIndex && resources.length < page.count) resources.push(resource);
    }
    return { resources, totalResults };
  }

  /**
   * One cursor page (RFC 9865) of the listing, straight from DynamoDB's own paging: a Query
   * of the listing index from `after` (its ExclusiveStartKey) for count + 1 items, the extra
   * one only telling whether another page follows.
   */
  async listAfter(after: string | undefined, count: number): Promise<CursorPage> {
    const resources: StoredResource[] = [];
    if (count <= 0) return { resources };
    let more = false;
    for await (const item of this.query({ ...this.listingQuery(count + 1), ...(after ? { ExclusiveStartKey: this.listingKey(after) } : {}) })) {
      if (resources.length === count) {
        more = true;
        break;
      }
      resources.push(this.fromItem(item));
    }
    return { resources, next: more ? this.positionOf(resources[resources.length - 1]) : undefined };
  }

  /** A resource's place in the listing order (its listing index sort key). */
  positionOf(resource: StoredResource): string {
    return listingSk(resource.uniqueValue, resource.id);
  }

  /** The number of resources of this kind: one Query over the counter shards. */
  async count(): Promise<number> {
    let total = 0;
    for await (const item of this.query(
      { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': counterPk(this.ref.directory, this.kind) }, ConsistentRead: true },
      false,
    )) {
      total += Number(item.n ?? 0);
    }
    return total;
  }

  /** Pages of a Query, each made final (settled) before its items are yielded. */
  async *query(input: Omit<QueryCommandInput, 'TableName'>, settle = true): AsyncGenerator<Item> {
    for await (const page of queryPages(this.ref.client, { ...input, TableName: this.ref.tableName })) {
      yield* settle ? await this.settle(page) : page;
    }
  }


  // ---- the entries of a resource's own writes ----

  /** A create: the resource (new), its uniqueness guard, a guard per claim, a counter shard. */
  createEntries(stored: StoredResource, extra: Item = {}): Entry[] {
    return [
      this.items.put({ ...this.toItem(stored), ...extra }, [{ notExists: 'pk' }], { kind: 'version' }),
      this.putGuard(stored.id, stored.uniqueValue),
      ...this.claimGuards(stored.alsoUnique).map((claim) => this.putClaim(stored.id, claim)),
      this.countBy(1),
    ];
  }

  /**
   * A replace: the resource if still at `current.version`, and, when the unique value
   * changes other than in case, the old guard's removal and the new guard; likewise for each
   * claim (an e-mail or externalId that changes moves its guard, one dropped loses it). The resource is
   * updated, not put: what other writers keep on the item without changing its version (a
   * user's `memberOf`, a group's `memberCount`) is left as it is. `extra` adds changes of
   * the caller's own (a group's count).
   */
  replaceEntries(current: StoredResource, next: StoredResource, extra: Changes = {}): Entry[] {
    const item = this.toItem(next);
    const ext = [INDEXES.byExternalId.partitionKey, INDEXES.byExternalId.sortKey];
    const changes: Changes = {
      set: {
        version: next.version,
        lastModified: next.lastModified,
        uniqueValue: next.uniqueValue,
        document: next.document,
        ...(item.alsoUnique ? { alsoUnique: item.alsoUnique } : {}),
        [INDEXES.byType.sortKey]: item[INDEXES.byType.sortKey],
        ...Object.fromEntries(ext.filter((n) => item[n] !== undefined).map((n) => [n, item[n]])),
        ...extra.set,
      },
      add: extra.add,
      remove: [...ext.filter((n) => item[n] === undefined), ...(item.alsoUnique ? [] : ['alsoUnique']), ...(extra.remove ?? [])],
      delete: extra.delete,
    };
    const entries = [this.items.update(this.key(current.id), changes, [{ equals: ['version', current.version] }], resourceFailure)];
    // A change of case only keeps the same guard item (one item may appear once per transaction).
    if (!sameUnique(current.uniqueValue, next.uniqueValue)) {
      entries.push(this.deleteGuard(current.id, current.uniqueValue), this.putGuard(current.id, next.uniqueValue));
    }
    const before = new Map(this.claimGuards(current.alsoUnique).map((c) => [this.claimKey(c).pk, c]));
    const after = new Map(this.claimGuards(next.alsoUnique).map((c) => [this.claimKey(c).pk, c]));
    for (const [pk, claim] of before) if (!after.has(pk)) entries.push(this.deleteClaim(current.id, claim));
    for (const [pk, claim] of after) if (!before.has(pk)) entries.push(this.putClaim(current.id, claim));
    return entries;
  }

  /** A delete: the resource if still at `current.version`, its guard and claim guards, a counter shard. */
  deleteEntries(current: StoredResource, condition: readonly Clause[] = [{ equals: ['version', current.version] }]): Entry[] {
    return [
      this.items.delete(this.key(current.id), condition, resourceFailure),
      this.deleteGuard(current.id, current.uniqueValue),
      ...this.claimGuards(current.alsoUnique).map((claim) => this.deleteClaim(current.id, claim)),
      this.countBy(-1),
    ];
  }

  /** The resource at version 1. */
  newResource(id: string, write: ResourceWrite, now: string): StoredResource {
    return { id, kind: this.kind, version: 1, created: now, lastModified: now, uniqueValue: write.uniqueValue, ...claimsOf(write), document: write.document };
  }

  /** The resource a replace writes: the next version with the new document (and claims). */
  nextVersion(current: StoredResource, write: ResourceWrite, now: string): StoredResource {
    const { alsoUnique: _previous, ...rest } = current;
    return { ...rest, version: current.version + 1, lastModified: now, uniqueValue: write.uniqueValue, ...claimsOf(write), document: write.document };
  }

  toItem(resource: StoredResource): Item {
    const item: Item = {
      ...this.key(resource.id),
      kind: resource.kind,
      id: resource.id,
      version: resource.version,
      created: resource.created,
      lastModified: resource.lastModified,
      uniqueValue: resource.uniqueValue,
      ...(resource.alsoUnique?.length ? { alsoUnique: resource.alsoUnique.map((c) => ({ attribute: c.attribute, value: c.value })) } : {}),
      document: resource.document,
      [INDEXES.byType.partitionKey]: listingPk(this.ref.directory, this.kind),
      [INDEXES.byType.sortKey]: listingSk(resource.uniqueValue, resource.id),
    };
    const externalId = resource.document.externalId;
    if (typeof externalId === 'string') {
      item[INDEXES.byExternalId.partitionKey] = externalIdPk(this.ref.directory, this.kind, externalId);
      item[INDEXES.byExternalId.sortKey] = resource.id;
    }
    return item;
  }

  fromItem(item: Item): StoredResource {
    return fromItem(item, this.kind);
  }

  private guardKey(value: string) {
    return { pk: uniquePk(this.ref.directory, this.kind, value), sk: UNIQUE_SK };
  }

  private putGuard(id: string, value: string): Entry {
    return this.items.put({ ...this.guardKey(value), id, value }, [{ notExists: 'pk' }], { kind: 'uniqueness' });
  }

  private deleteGuard(id: string, value: string): Entry {
    // The guard names the resource until the resource's own write removes it.
    return this.items.delete(this.guardKey(value), [{ equals: ['id', id] }], { kind: 'version' });
  }

  private claimKey(claim: UniqueClaim) {
    return { pk: claimPk(this.ref.directory, this.kind, claim), sk: UNIQUE_SK };
  }

  /** The claims with one guard each: those comparing equal share a key, and one item appears once per transaction. */
  private claimGuards(claims: readonly UniqueClaim[] | undefined): UniqueClaim[] {
    return [...new Map((claims ?? []).map((c) => [this.claimKey(c).pk, c])).values()];
  }

  private putClaim(id: string, claim: UniqueClaim): Entry {
    return this.items.put({ ...this.claimKey(claim), id, value: claim.value, attribute: claim.attribute }, [{ notExists: 'pk' }], {
      kind: 'uniqueness',
      attribute: claim.attribute,
    });
  }

  private deleteClaim(id: string, claim: UniqueClaim): Entry {
    return this.items.delete(this.claimKey(claim), [{ equals: ['id', id] }], { kind: 'version' });
  }

  private countBy(delta: number): Entry {
    const shard = Math.floor(Math.random() * COUNTER_SHARDS);
    return this.items.update({ pk: counterPk(this.ref.directory, this.kind), sk: counterSk(shard) }, { add: { n: delta } });
  }

  private async listPage(page: PageRequest): Promise<StoredResource[]> {
    const out: StoredResource[] = [];
    let skip = page.startIndex - 1;
    for await (const item of this.listing(page.count + skip)) {
      if (skip > 0) {
        skip--;
        continue;
      }
      out.push(this.fromItem(item));
      if (out.length >= page.count) break;
    }
    return out;
  }

  private listing(limit?: number): AsyncGenerator<Item> {
    return this.query(this.listingQuery(limit));
  }

  private listingQuery(limit?: number): Omit<QueryCommandInput, 'TableName'> {
    return {
      IndexName: INDEXES.byType.indexName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': INDEXES.byType.partitionKey },
      ExpressionAttributeValues: { ':pk': listingPk(this.ref.directory, this.kind) },
      ...(limit ? { Limit: Math.min(limit, 1000) } : {}),
    };
  }

  /** The listing index key of a position; the partition is always this directory's. */
  private listingKey(position: string): Item {
    const id = position.slice(position.lastIndexOf('#') + 1);
    return {
      ...this.key(id),
      [INDEXES.byType.partitionKey]: listingPk(this.ref.directory, this.kind),
      [INDEXES.byType.sortKey]: position,
    };
  }
}

/** The resource a stored item holds (a user's `memberOf` becomes its sorted `groupIds`). */
export function fromItem(item: Item, kind: ResourceKind): StoredResource {
  return {
    id: String(item.id),
    kind,
    version: Number(item.version),
    created: String(item.created),
    lastModified: String(item.lastModified),
    uniqueValue: String(item.uniqueValue),
    ...(Array.isArray(item.alsoUnique) && item.alsoUnique.length > 0 ? { alsoUnique: item.alsoUnique as UniqueClaim[] } : {}),
    document: item.document as Record<string, unknown>,
    ...(item.memberCount !== undefined ? { memberCount: Number(item.memberCount) } : {}),
    ...(item.memberOf instanceof Set && item.memberOf.size > 0 ? { groupIds: [...item.memberOf].map(String).sort() } : {}),
  };
}

/** The claims a write makes, as a StoredResource holds them (none: the field is absent). */
export function claimsOf(write: ResourceWrite): Pick<StoredResource, 'alsoUnique'> {
  return write.alsoUnique?.length ? { alsoUnique: write.alsoUnique.map((c) => ({ attribute: c.attribute, value: c.value })) } : {};
}

/** The reads a store answers straight from its ResourceTable: the user and group stores alike. */
export abstract class TableReads implements ResourceReads {
  protected abstract readonly table: ResourceTable;

  get = (id: string): Promise<StoredResource | undefined> => this.table.get(id);
  getMany = (ids: readonly string[]): Promise<StoredResource[]> => this.table.getMany(ids);
  findByUniqueValue = (value: string) => this.table.findByUniqueValue(value);
  findByExternalId = (externalId: string) => this.table.findByExternalId(externalId);
  list = (page: PageRequest): Promise<Page> => this.table.list(page);
  count = (): Promise<number> => this.table.count();
  listAfter = (after: string | undefined, count: number): Promise<CursorPage> => this.table.listAfter(after, count);
  positionOf = (resource: StoredResource) => this.table.positionOf(resource);
  listMatching = (matches: (resource: StoredResource) => boolean, page: PageRequest) => this.table.listMatching(matches, page);
}
