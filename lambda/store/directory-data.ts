import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchDelete, batchWrite } from './batch';
import { mapConcurrently } from './concurrency';
import { AUDIT_PREFIX, DIRECTORY_SHARDS, directoryDeletionPk, directoryShardKey, withDirectoryIndex } from './keys';
import { INDEXES } from './table';
import type { DirectoryData, DirectoryDeletion, PurgeProgress } from './types';

type Key = Record<string, unknown>;

/** byDirectory shards read at once. */
const SHARD_CONCURRENCY = 16;
/** Keys deleted together (BatchWriteItem calls of 25, several in flight: lambda/store/batch.ts). */
const FLUSH_KEYS = 500;

/**
 * Every item of one directory on the DynamoDB table, found through the byDirectory index
 * (keys only, 16 partitions a directory): counted, and deleted without a Scan of the table.
 * Deleting takes time in proportion to the directory's own items, whatever else the table
 * holds: one Query page (about 6,000 keys) and 25 keys per BatchWriteItem at a time.
 */
export class DynamoDirectoryData implements DirectoryData {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async count(directory: string): Promise<number> {
    let total = 0;
    await mapConcurrently(shards(), SHARD_CONCURRENCY, async (shard) => {
      for await (const page of this.pages(directory, shard, 'COUNT')) total += page.count;
    });
    return total;
  }

  /**
   * The deletion's record: an item of the directory (its index key stamped, so the purge takes
   * it with the rest) under the `AUDIT#` sort key prefix, so that the table stream's filter lets
   * its insert through to the change-event publisher as the directory's `deleted` event
   * (lambda/store/change-records.ts). A BatchWriteItem put: the operator's policy has no other write.
   */
  async announceDeletion(directory: string, deletion: DirectoryDeletion): Promise<void> {
    const item = withDirectoryIndex({
      pk: directoryDeletionPk(directory),
      sk: `${AUDIT_PREFIX}${deletion.at}#${deletion.id}`,
      directory,
      at: deletion.at,
      id: deletion.id,
      actor: { tokenId: deletion.actor.tokenId, name: deletion.actor.name },
    });
    await batchWrite(this.client, this.tableName, [{ PutRequest: { Item: item } }]);
  }

  /**
   * Deletes every item the index shows for the directory, shard by shard, page by page; then
   * looks again, until a pass finds nothing (an item written meanwhile, or not yet in the
   * index when its shard was read, is taken by the next pass). Returns how many were deleted.
   */
  async purge(directory: string, progress?: PurgeProgress): Promise<number> {
    let deleted = 0;
    for (let pass = 1; ; pass++) {
      let found = 0;
      // Keys of all shards are pooled, so that each BatchWriteItem carries its full 25, and
      // deleted one batch at a time (BatchWriteItem calls of 25, several in flight: batch.ts),
      // so that 16 shards never put more than that in flight at once.
      let pending: Key[] = [];
      let deleting: Promise<void> = Promise.resolve();
      const flush = (atLeast: number): Promise<void> => {
        if (pending.length === 0 || pending.length < atLeast) return deleting;
        const batch = pending;
        pending = [];
        deleting = deleting.then(async () => {
          deleted += await batchDelete(this.client, this.tableName, batch);
          progress?.({ pass, deleted });
        });
        return deleting;
      };
      await mapConcurrently(shards(), SHARD_CONCURRENCY, async (shard) => {
        for await (const page of this.pages(directory, shard, 'KEYS')) {
          found += page.keys.length;
          pending.push(...page.keys);
          await flush(FLUSH_KEYS);
        }
      });
      await flush(1);
      if (found === 0) return deleted;
    }
  }

  /** The pages of one shard of the directory's index partition: keys, or only their count. */
  private async *pages(directory: string, shard: number, what: 'KEYS' | 'COUNT'): AsyncGenerator<{ keys: Key[]; count: number }> {
    let ExclusiveStartKey: Key | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: INDEXES.byDirectory.indexName,
          KeyConditionExpression: '#shard = :shard',
          ExpressionAttributeNames: { '#shard': INDEXES.byDirectory.partitionKey },
          ExpressionAttributeValues: { ':shard': directoryShardKey(directory, shard) },
          ...(what === 'COUNT' ? { Select: 'COUNT' as const } : { ProjectionExpression: 'pk, sk' }),
          ExclusiveStartKey,
        }),
      );
      const keys = (page.Items ?? []).map((item) => ({ pk: item.pk, sk: item.sk }));
      yield { keys, count: page.Count ?? keys.length };
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }
}

const shards = () => Array.from({ length: DIRECTORY_SHARDS }, (_, i) => i);
