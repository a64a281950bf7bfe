import { GetCommand, QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
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
import { TransactionCancelled, transactWrite } from './transact';
import {
  StoreConflict,
  type Page,
  type PageRequest,
  type ResourceKind,
  type ResourceStore,
  type ResourceWrite,
  type StoredResource,
} from './types';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type Item = Record<string, unknown>;

/**
 * Spreading the per-kind counter over shards keeps concurrent creates from colliding on one
 * item (in DynamoDB, transactions touching the same item cancel each other). Reading the
 * count is still one Query over the shards' partition.
 */
export const COUNTER_SHARDS = 16;

/** Ids are ours (UUIDs); anything longer than this cannot name a stored resource. */
const MAX_ID_BYTES = 256;

/** Users or groups on the single table: every write one transaction, every read one or two calls. */
export class DynamoResourceStore implements ResourceStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly directory: string,
    private readonly kind: ResourceKind,
  ) {}

  async create(id: string, write: ResourceWrite, now: string): Promise<StoredResource> {
    const stored: StoredResource = {
      id,
      kind: this.kind,
      version: 1,
      created: now,
      lastModified: now,
      uniqueValue: write.uniqueValue,
      document: write.document,
    };
    try {
      await transactWrite(this.client, [
        { Put: { TableName: this.tableName, Item: this.toItem(stored), ConditionExpression: 'attribute_not_exists(pk)' } },
        this.putGuard(id, write.uniqueValue),
        this.countBy(1),
      ]);
    } catch (error) {
      throw this.conflict(error, { 0: 'version', 1: 'uniqueness' });
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
    const next: StoredResource = {
      ...current,
      version: current.version + 1,
      lastModified: now,
      uniqueValue: write.uniqueValue,
      document: write.document,
    };
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.tableName,
          Item: this.toItem(next),
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': current.version },
        },
      },
    ];
    const before = current.uniqueValue;
    // A change of case only keeps the same guard item (one item may appear once per transaction).
    if (before.toLowerCase() !== write.uniqueValue.toLowerCase()) {
      items.push(this.deleteGuard(current.id, before), this.putGuard(current.id, write.uniqueValue));
    }
    try {
      await transactWrite(this.client, items);
    } catch (error) {
      throw this.conflict(error, { 0: 'version', 1: 'version', 2: 'uniqueness' });
    }
    return next;
  }

  async delete(current: StoredResource): Promise<void> {
    try {
      await transactWrite(this.client, [
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
      ]);
    } catch (error) {
      throw this.conflict(error, { 0: 'version', 1: 'version' });
    }
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
    return found && found.uniqueValue.toLowerCase() === value.toLowerCase() ? found : undefined;
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
    return this.query({
      IndexName: INDEXES.byType.indexName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': INDEXES.byType.partitionKey },
      ExpressionAttributeValues: { ':pk': listingPk(this.directory, this.kind) },
      ...(limit ? { Limit: Math.min(limit, 1000) } : {}),
    });
  }

  private async *query(input: Omit<QueryCommandInput, 'TableName'>): AsyncGenerator<Item> {
    let ExclusiveStartKey: Item | undefined;
    do {
      const page = await this.client.send(new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey }));
      for (const item of page.Items ?? []) yield item;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }

  private key(id: string) {
    return { pk: resourcePk(this.directory, this.kind, id), sk: resourceSk(this.kind) };
  }

  private putGuard(id: string, value: string): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: { pk: uniquePk(this.directory, this.kind, value), sk: UNIQUE_SK, id, value },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  private deleteGuard(id: string, value: string): TransactItem {
    return {
      Delete: {
        TableName: this.tableName,
        Key: { pk: uniquePk(this.directory, this.kind, value), sk: UNIQUE_SK },
        ConditionExpression: 'id = :id',
        ExpressionAttributeValues: { ':id': id },
      },
    };
  }

  private countBy(delta: number): TransactItem {
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

  private toItem(resource: StoredResource): Item {
    const item: Item = {
      ...this.key(resource.id),
      kind: resource.kind,
      id: resource.id,
      version: resource.version,
      created: resource.created,
      lastModified: resource.lastModified,
      uniqueValue: resource.uniqueValue,
      document: resource.document,
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

  private fromItem(item: Item): StoredResource {
    return {
      id: String(item.id),
      kind: this.kind,
      version: Number(item.version),
      created: String(item.created),
      lastModified: String(item.lastModified),
      uniqueValue: String(item.uniqueValue),
      document: item.document as Record<string, unknown>,
    };
  }

  private conflict(error: unknown, byIndex: Record<number, StoreConflict['reason']>): unknown {
    if (!(error instanceof TransactionCancelled)) return error;
    const reason = byIndex[error.failedConditions[0]] ?? 'version';
    return new StoreConflict(reason, reason === 'uniqueness' ? `The ${this.kind} value is already taken.` : 'The resource changed.');
  }
}
