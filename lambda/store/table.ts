import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The single definition of the table's key schema and indexes. The CDK stack
 * (lib/), the local endpoint (bin/local.ts) and the tests all build the table from it.
 *
 * Every key starts with the directory the item belongs to (`<dir>#...`), so that several
 * directories share one table.
 */

export interface IndexDefinition {
  readonly indexName: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  /** 'ALL' copies every attribute; 'KEYS_ONLY' only the keys. */
  readonly projection: 'ALL' | 'KEYS_ONLY';
}

export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;

/** The attribute the table's TTL reads (epoch seconds); only audit items carry it. */
export const AUDIT_TTL_ATTRIBUTE = 'ttl';

/** How long audit entries are kept unless the stack says otherwise (DynamoDB TTL deletes them after). */
export const DEFAULT_AUDIT_RETENTION_DAYS = 400;

export const INDEXES = {
  /** Lists the resources of one type in a stable order: `<dir>#USER` / `<sort key>#<id>`. */
  byType: { indexName: 'byType', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', projection: 'ALL' },
  /** Finds a resource by externalId: `<dir>#USER#<externalId>` / `<id>` (sparse). */
  byExternalId: { indexName: 'byExternalId', partitionKey: 'gsi2pk', sortKey: 'gsi2sk', projection: 'ALL' },
  /**
   * Every item of a directory, keys only: `<dir>#<shard>` / the item's pk (lambda/store/keys.ts
   * directoryIndexKey). Read only to delete a directory; items written before directories
   * existed (the default directory's) are not in it, and need not be.
   */
  byDirectory: { indexName: 'byDirectory', partitionKey: 'gsi3pk', sortKey: 'pk', projection: 'KEYS_ONLY' },
} as const satisfies Record<string, IndexDefinition>;

/** The CreateTable request the local endpoint and the tests use (on-demand, like the stack). */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const keyNames = new Set<string>([TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey]);
  for (const index of Object.values(INDEXES)) {
    keyNames.add(index.partitionKey);
    keyNames.add(index.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...keyNames].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: Object.values(INDEXES).map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: index.projection },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  };
}
