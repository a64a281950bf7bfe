import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { StoreUnavailable } from './types';

type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;
/** One action of a TransactWriteItems request. */
export type TransactItem = TransactItems[number];

/** DynamoDB's limit of actions in one transaction. */
export const MAX_TRANSACT_ITEMS = 100;

/** The outcome of a cancelled transaction: which of its items failed their condition. */
export class TransactionCancelled extends Error {
  constructor(readonly failedConditions: number[]) {
    super(`Transaction cancelled: condition failed on item(s) ${failedConditions.join(', ')}.`);
    this.name = 'TransactionCancelled';
  }
}

const MAX_CONFLICT_RETRIES = 4;

/**
 * Runs TransactWriteItems. A cancellation caused only by another transaction touching the
 * same item (TransactionConflict, which real DynamoDB raises and DynamoDB Local may not) is
 * retried with jitter, since nothing was written; if it persists, the request is refused as
 * throttled (429, retry later). A failed condition is reported as TransactionCancelled with
 * the indexes of the items whose condition failed.
 */
export async function transactWrite(client: DynamoDBDocumentClient, items: TransactItems): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await client.send(new TransactWriteCommand({ TransactItems: items }));
      return;
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      const failed = reasons.flatMap((code, i) => (code === 'ConditionalCheckFailed' ? [i] : []));
      if (failed.length > 0) throw new TransactionCancelled(failed);
      const onlyConflicts = reasons.every((code) => code === 'None' || code === 'TransactionConflict');
      if (!onlyConflicts) throw error;
      // Still colliding after the retries (many requests on the same users or group at once):
      // nothing was written, and the client's own retry after a pause is the way out.
      if (attempt >= MAX_CONFLICT_RETRIES) throw new StoreUnavailable('throttled', 'Other requests are changing the same items.');
      await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt + Math.random() * 20));
    }
  }
}

function cancellationReasons(error: unknown): string[] | undefined {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  if (reasons) return reasons.map((r) => r.Code ?? 'None');
  // DynamoDB Local sometimes gives the reasons only in the message: "[None, ConditionalCheckFailed]".
  const match = /\[([^\]]*)\]/.exec(error.message);
  return match ? match[1].split(',').map((s) => s.trim()) : [];
}
