import { GetCommand, QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { INDEXES } from './table';
import {
  counterPk,
  counterSk,
  externalIdPk,
  listingPk,
  listingSk,
  resourcePk,
  resourceSk,
  UNIQUE_SK,
  uniquePk,
} from './keys';
import { uniqueKey } from '../scim/unique-name';
import { batchGet } from './batch';
import { TransactionCancelled, transactWrite, type TransactItem } from './transact';
import {
  StoreConflict,
  type CursorPage,
  type Page,
  type PageRequest,
  type ResourceKind,
  type ResourceStore,
  type ResourceWrite,
  type StoredResource,
} from './types';

export type { TransactItem };

type Item = Record<string, unknown>;

/**
 * Spreading the per-kind counter over shards keeps concurrent creates from colliding on one
 * item (in DynamoDB, transactions touching the same item cancel each other). Reading the
 * count is still one Query over the shards' partition.
 */
export const COUNTER_SHARDS = 16;

/** Ids are ours (UUIDs); anything longer than this cannot name a stored resource. */
export const MAX_ID_BYTES = 256;

/** The attributes of a resource item a replace sets (the keys, id, kind and created stay). */
const REPLACED = [
  'version',
  'lastModified',
  'uniqueValue',
  'document',
  INDEXES.byType.sortKey,
  INDEXES.byExternalId.partitionKey,
  INDEXES.byExternalId.sortKey,
] as const;

/** Users or groups on the single table: every write one transaction, every read one or two calls. */
export class DynamoResourceStore implements ResourceStore {
  constructor(
    protected readonly client: DynamoDBDocumentClient,
    protected readonly tableName: string,
    protected readonly directory: string,
    protected readonly kind: ResourceKind,
  ) {}

  async create(id: string, write: ResourceWrite, now: string): Promise<StoredResource> {
    const stored = this.newResource(id, write, now);
    try {
      await transactWrite(this.client, this.createItems(stored));
    } catch (error) {
      throw this.conflict(error, { 1: 'uniqueness' });
    }
    return stored;
  }

  async get(id: string): Promise<StoredResource | undefined> {
    // No stored id is this long, and a longer key would be refused by DynamoDB itself.
    if (Buffer.byteLength(id, 'utf8') > MAX_ID_BYTES) return undefined;
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: this.key(id), ConsistentRead: true }),
    );
    return Item ? this.fromItem(Item) : undefined;
  }

  async replace(current: StoredResource, write: ResourceWrite, now: string): Promise<StoredResource> {
    const next = this.nextVersion(current, write, now);
    const items = this.replaceItems(current, next);
    try {
      await transactWrite(this.client, items);
    } catch (error) {
      throw this.conflict(error, { 2: 'uniqueness' });
    }
    return next;
  }

  async delete(current: StoredResource, _now?: string): Promise<void> {
    try {
      await transactWrite(this.client, this.deleteItems(current));
    } catch (error) {
      throw this.conflict(error, {});
    }
  }

  /** The resources named by `ids` that exist, in no particular order. */
  async getMany(ids: readonly string[]): Promise<StoredResource[]> {
    const keys = ids.filter((id) => Buffer.byteLength(id, 'utf8') <= MAX_ID_BYTES).map((id) => this.key(id));
    return (await batchGet(this.client, this.tableName, keys)).map((item) => this.fromItem(item));
  }

  /** The resource a create writes, at version 1. */
  protected newResource(id: string, write: ResourceWrite, now: string): StoredResource {
    return { id, kind: this.kind, version: 1, created: now, lastModified: now, uniqueValue: write.uniqueValue, document: write.document };
  }

  /** The resource a replace writes: the next version with the new document. */
  protected nextVersion(current: StoredResource, write: ResourceWrite, now: string): StoredResource {
    return { ...current, version: current.version + 1, lastModified: now, uniqueValue: write.uniqueValue, document: write.document };
  }

  /** Create: the resource (index 0), its uniqueness guard (index 1) and a counter shard. */
  protected createItems(stored: StoredResource): TransactItem[] {
    return [
      { Put: { TableName: this.tableName, Item: this.toItem(stored), ConditionExpression: 'attribute_not_exists(pk)' } },
      this.putGuard(stored.id, stored.uniqueValue),
      this.countBy(1),
    ];
  }

  /**
   * Replace: the resource if still at `current.version` (index 0) and, when the unique value
   * changes other than in case, the old guard's removal (1) and the new guard (2).
   *
   * The resource is updated, not put: what other writers keep on the item without changing
   * its version (a user's `memberOf`, a group's `memberCount`) is left as it is.
   */
  protected replaceItems(current: StoredResource, next: StoredResource): TransactItem[] {
    const item = this.toItem(next);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':expected': current.version };
    const set: string[] = [];
    for (const name of REPLACED) {
      if (item[name] === undefined) continue;
      names[`#${name}`] = name;
      values[`:${name}`] = item[name];
      set.push(`#${name} = :${name}`);
    }
    const removed = [INDEXES.byExternalId.partitionKey, INDEXES.byExternalId.sortKey].filter((name) => item[name] === undefined);
    const items: TransactItem[] = [
      {
        Update: {
          TableName: this.tableName,
          Key: this.key(current.id),
          UpdateExpression: `SET ${set.join(', ')}${removed.length ? ` REMOVE ${removed.join(', ')}` : ''}`,
          ConditionExpression: 'version = :expected',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
    ];
    // A change the key does not see (case, normalisation) keeps the same guard item (one item may appear once per transaction).
    if (uniqueKey(current.uniqueValue) !== uniqueKey(next.uniqueValue)) {
      items.push(this.deleteGuard(current.id, current.uniqueValue), this.putGuard(current.id, next.uniqueValue));
    }
    return items;
  }

  /** Delete: the resource if still at `current.version`, its guard, a counter shard. */
  protected deleteItems(current: StoredResource): TransactItem[] {
    return [
      {
        Delete: {
          TableName: this.tableName,
          Key: this.key(current.id),
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': current.version },
        },
      },
      this.deleteGuard(current.id, current.uniqueValue),
      this.countBy(-1),
    ];
  }

  async findByUniqueValue(value: string): Promise<StoredResource | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: uniquePk(this.directory, this.kind, value), sk: UNIQUE_SK },
        ConsistentRead: true,
      }),
    );
    if (!Item || typeof Item.id !== 'string') return undefined;
    const found = await this.get(Item.id);
    return found && uniqueKey(found.uniqueValue) === uniqueKey(value) ? found : undefined;
  }

  async findByExternalId(externalId: string): Promise<StoredResource[]> {
    const found: StoredResource[] = [];
    for await (const item of this.query({
      IndexName: INDEXES.byExternalId.indexName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': INDEXES.byExternalId.partitionKey },
      ExpressionAttributeValues: { ':pk': externalIdPk(this.directory, this.kind, externalId) },
    })) {
      const resource = this.fromItem(item);
      if (resource.document.externalId === externalId) found.push(resource);
    }
    return found;
  }

  async list(page: PageRequest): Promise<Page> {
    const [totalResults, resources] = await Promise.all([this.count(), this.listPage(page)]);
    return { resources, totalResults: Math.max(totalResults, page.startIndex - 1 + resources.length) };
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

  /** The listing index key of a position; the partition is always this directory's. */
  private listingKey(position: string): Item {
    const id = position.slice(position.lastIndexOf('#') + 1);
    return {
      ...this.key(id),
      [INDEXES.byType.partitionKey]: listingPk(this.directory, this.kind),
      [INDEXES.byType.sortKey]: position,
    };
  }

  /** The number of resources of this kind: one Query over the counter shards. */
  async count(): Promise<number> {
    let total = 0;
    for await (const item of this.query({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': counterPk(this.directory, this.kind) },
      ConsistentRead: true,
    })) {
      total += Number(item.n ?? 0);
    }
    return total;
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
      ExpressionAttributeValues: { ':pk': listingPk(this.directory, this.kind) },
      ...(limit ? { Limit: Math.min(limit, 1000) } : {}),
    };
  }

  protected async *query(input: Omit<QueryCommandInput, 'TableName'>): AsyncGenerator<Item> {
    let ExclusiveStartKey: Item | undefined = input.ExclusiveStartKey;
    do {
      const page = await this.client.send(new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey }));
      for (const item of page.Items ?? []) yield item;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }

  protected key(id: string) {
    return { pk: resourcePk(this.directory, this.kind, id), sk: resourceSk(this.kind) };
  }

  protected putGuard(id: string, value: string): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: { pk: uniquePk(this.directory, this.kind, value), sk: UNIQUE_SK, id, value },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  protected deleteGuard(id: string, value: string): TransactItem {
    return {
      Delete: {
        TableName: this.tableName,
        Key: { pk: uniquePk(this.directory, this.kind, value), sk: UNIQUE_SK },
        ConditionExpression: 'id = :id',
        ExpressionAttributeValues: { ':id': id },
      },
    };
  }

  protected countBy(delta: number): TransactItem {
    const shard = Math.floor(Math.random() * COUNTER_SHARDS);
    return {
      Update: {
        TableName: this.tableName,
        Key: { pk: counterPk(this.directory, this.kind), sk: counterSk(shard) },
        UpdateExpression: 'ADD n :delta',
        ExpressionAttributeValues: { ':delta': delta },
      },
    };
  }

  protected toItem(resource: StoredResource): Item {
    const item: Item = {
      ...this.key(resource.id),
      kind: resource.kind,
      id: resource.id,
      version: resource.version,
      created: resource.created,
      lastModified: resource.lastModified,
      uniqueValue: resource.uniqueValue,
      document: resource.document,
      ...(resource.memberCount !== undefined ? { memberCount: resource.memberCount } : {}),
      [INDEXES.byType.partitionKey]: listingPk(this.directory, this.kind),
      [INDEXES.byType.sortKey]: listingSk(resource.uniqueValue, resource.id),
    };
    const externalId = resource.document.externalId;
    if (typeof externalId === 'string') {
      item[INDEXES.byExternalId.partitionKey] = externalIdPk(this.directory, this.kind, externalId);
      item[INDEXES.byExternalId.sortKey] = resource.id;
    }
    return item;
  }

  protected fromItem(item: Item, kind: ResourceKind = this.kind): StoredResource {
    return {
      id: String(item.id),
      kind,
      version: Number(item.version),
      created: String(item.created),
      lastModified: String(item.lastModified),
      uniqueValue: String(item.uniqueValue),
      document: item.document as Record<string, unknown>,
      ...(item.memberCount !== undefined ? { memberCount: Number(item.memberCount) } : {}),
      ...(item.memberOf instanceof Set && item.memberOf.size > 0 ? { groupIds: [...item.memberOf].map(String).sort() } : {}),
    };
  }

  /**
   * Turns a cancelled transaction into a StoreConflict: the failed item's index says why
   * (`byIndex`); any other failed condition means another writer got in first ('version').
   */
  protected conflict(error: unknown, byIndex: Record<number, StoreConflict['reason']>): unknown {
    if (!(error instanceof TransactionCancelled)) return error;
    const reason = error.failedConditions.map((i) => byIndex[i]).find(Boolean) ?? 'version';
    return new StoreConflict(reason, reason === 'uniqueness' ? `The ${this.kind} value is already taken.` : 'The resource changed.');
  }
}
