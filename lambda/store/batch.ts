import { BatchGetCommand, BatchWriteCommand, QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { mapConcurrently } from './concurrency';

type Key = Record<string, unknown>;
type Item = Record<string, unknown>;

/** DynamoDB's limits: 100 keys per BatchGetItem, 25 writes per BatchWriteItem. */
const GET_CHUNK = 100;
const WRITE_CHUNK = 25;
const MAX_ROUNDS = 8;
/** Batch calls in flight at once. */
const CONCURRENCY = 8;

/**
 * Reads items by key with BatchGetItem (consistent), 100 keys a call, calls in parallel;
 * unprocessed keys are retried with backoff. Missing items are simply absent from the result.
 */
export async function batchGet(client: DynamoDBDocumentClient, tableName: string, keys: readonly Key[], projection?: string): Promise<Item[]> {
  const chunks: Key[][] = [];
  for (let i = 0; i < keys.length; i += GET_CHUNK) chunks.push(keys.slice(i, i + GET_CHUNK));
  const results = await mapConcurrently(
    chunks,
    CONCURRENCY,
    async (chunk) => {
      const out: Item[] = [];
      let pending: Key[] = chunk;
      for (let round = 0; pending.length > 0; round++) {
        if (round >= MAX_ROUNDS) throw new Error('BatchGetItem left keys unprocessed after retries.');
        if (round > 0) await backoff(round);
        const { Responses, UnprocessedKeys } = await client.send(
          new BatchGetCommand({
            RequestItems: {
              [tableName]: {
                Keys: pending,
                ConsistentRead: true,
                ...(projection ? { ProjectionExpression: `pk, sk, ${projection}` } : {}),
              },
            },
          }),
        );
        out.push(...(Responses?.[tableName] ?? []));
        pending = (UnprocessedKeys?.[tableName]?.Keys as Key[] | undefined) ?? [];
      }
      return out;
    },
  );
  return results.flat();
}

/**
 * Deletes items by key with BatchWriteItem, 25 a call, `concurrency` calls at a time;
 * unprocessed keys are retried with backoff. Returns how many keys it was given.
 */
export async function batchDelete(client: DynamoDBDocumentClient, tableName: string, keys: readonly Key[]): Promise<number> {
  await batchWrite(client, tableName, keys.map((Key) => ({ DeleteRequest: { Key } })));
  return keys.length;
}

type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Key } };

/** Writes unconditional puts and deletes with BatchWriteItem, 25 a call, several calls at a time. */
export async function batchWrite(client: DynamoDBDocumentClient, tableName: string, requests: readonly WriteRequest[]): Promise<void> {
  const chunks: WriteRequest[][] = [];
  for (let i = 0; i < requests.length; i += WRITE_CHUNK) chunks.push(requests.slice(i, i + WRITE_CHUNK));
  await mapConcurrently(chunks, CONCURRENCY, async (chunk) => {
    let pending = chunk;
    for (let round = 0; pending.length > 0; round++) {
      if (round >= MAX_ROUNDS) throw new Error('BatchWriteItem left items unprocessed after retries.');
      if (round > 0) await backoff(round);
      const { UnprocessedItems } = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = (UnprocessedItems?.[tableName] as typeof pending | undefined) ?? [];
    }
  });
}

const backoff = (round: number) => new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** round) * (0.5 + Math.random())));

/** The pages of a Query, from its ExclusiveStartKey (if any) to the end, each as DynamoDB gave it. */
export async function* queryPages(client: DynamoDBDocumentClient, input: QueryCommandInput): AsyncGenerator<Item[]> {
  let ExclusiveStartKey: Key | undefined = input.ExclusiveStartKey;
  do {
    const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey }));
    yield page.Items ?? [];
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
}
