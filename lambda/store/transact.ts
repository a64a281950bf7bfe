import { TransactWriteCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { conditionExpression, updateExpression, type Changes, type Clause } from './expression';
import { directoryIndexKey, withDirectoryIndex } from './keys';
import { INDEXES } from './table';
import { StoreUnavailable, type ClaimAttribute } from './types';

type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;
/** One action of a TransactWriteItems request. */
export type TransactItem = TransactItems[number];

type Key = Record<string, unknown>;
type Item = Record<string, unknown>;

/** DynamoDB's limit of actions in one transaction. */
export const MAX_TRANSACT_ITEMS = 100;

/**
 * Why one item of a transaction failed its condition. Each item is given its meaning when it
 * is built, so no cause is ever inferred from where an item stands in the transaction.
 */
export type Failure =
  /** The resource was changed since it was read (its version moved). */
  | { readonly kind: 'version' }
  /** The resource no longer exists. */
  | { readonly kind: 'missing' }
  /** A unique value is taken by another resource: userName / displayName, or a claimed attribute. */
  | { readonly kind: 'uniqueness'; readonly attribute?: ClaimAttribute }
  /** The intent's next step was applied by another writer, or the intent is finished. */
  | { readonly kind: 'intentMoved' }
  /** The user named as a member does not exist (any more). */
  | { readonly kind: 'memberGone'; readonly userId: string }
  /** The user is already in as many groups as one user may be. */
  | { readonly kind: 'groupLimit'; readonly userId: string }
  /** The member item to add is there already. */
  | { readonly kind: 'alreadyMember'; readonly userId: string }
  /** The member item to remove is not there. */
  | { readonly kind: 'notMember'; readonly userId: string }
  /** A group whose count a user's deletion changes no longer exists. */
  | { readonly kind: 'groupGone'; readonly groupId: string };

/**
 * The meaning of an item's failed condition: fixed, or decided from the item as it was
 * (DynamoDB returns it: ReturnValuesOnConditionCheckFailure ALL_OLD), undefined when absent.
 */
export type Meaning = Failure | ((old: Item | undefined) => Failure);

/** An item of a transaction and what its failure means. */
export interface Entry {
  readonly item: TransactItem;
  readonly onFail?: Meaning;
}

/** A cancelled transaction: the meanings of the items whose conditions failed. */
export class TransactionFailed extends Error {
  constructor(readonly failures: readonly Failure[]) {
    super(`Transaction cancelled: ${failures.map((f) => f.kind).join(', ')}.`);
    this.name = 'TransactionFailed';
  }

  /** The first failure of one of these kinds, if any. */
  find<K extends Failure['kind']>(...kinds: K[]): Extract<Failure, { kind: K }> | undefined {
    return this.failures.find((f): f is Extract<Failure, { kind: K }> => (kinds as string[]).includes(f.kind));
  }
}

/**
 * Builders of transaction entries for one table. Every item a put or an update writes is
 * stamped with its byDirectory index attribute here (lambda/store/keys.ts), so that every item
 * of a directory can be found when the directory is deleted, whatever kind of item it is.
 */
export class Items {
  constructor(readonly tableName: string) {}

  put(item: Item, condition: readonly Clause[] = [], onFail?: Meaning): Entry {
    return { item: { Put: { TableName: this.tableName, Item: withDirectoryIndex(item), ...conditionExpression(condition), ...returnOld(onFail) } }, onFail };
  }

  update(key: Key, changes: Changes, condition: readonly Clause[] = [], onFail?: Meaning): Entry {
    // An update may create its item (a counter shard): it carries the index attribute too.
    const index = typeof key.pk === 'string' ? directoryIndexKey(key.pk) : undefined;
    const stamped = index === undefined ? changes : { ...changes, set: { ...changes.set, [INDEXES.byDirectory.partitionKey]: index } };
    const { UpdateExpression, ...rest } = updateExpression(stamped, condition);
    return { item: { Update: { TableName: this.tableName, Key: key, UpdateExpression: UpdateExpression!, ...rest, ...returnOld(onFail) } }, onFail };
  }

  delete(key: Key, condition: readonly Clause[] = [], onFail?: Meaning): Entry {
    return { item: { Delete: { TableName: this.tableName, Key: key, ...conditionExpression(condition), ...returnOld(onFail) } }, onFail };
  }

  check(key: Key, condition: readonly Clause[], onFail: Meaning): Entry {
    const { ConditionExpression, ...rest } = conditionExpression(condition);
    return { item: { ConditionCheck: { TableName: this.tableName, Key: key, ConditionExpression: ConditionExpression!, ...rest, ...returnOld(onFail) } }, onFail };
  }
}

/** The old item is asked for only where the meaning depends on it. */
const returnOld = (onFail: Meaning | undefined) => (typeof onFail === 'function' ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } : {});

const MAX_CONFLICT_RETRIES = 4;

/**
 * Runs TransactWriteItems. A cancellation caused only by another transaction touching the
 * same item (TransactionConflict, which real DynamoDB raises and DynamoDB Local may not) is
 * retried with jitter, since nothing was written; if it persists, the request is refused as
 * throttled (429, retry later). A failed condition is reported as TransactionFailed with
 * the meanings the failed items were built with. The SDK sends a ClientRequestToken, so its
 * own retry of a transaction whose answer was lost is idempotent.
 */
export async function transactWrite(client: DynamoDBDocumentClient, entries: readonly Entry[]): Promise<void> {
  if (entries.length > MAX_TRANSACT_ITEMS) throw new Error(`A transaction holds at most ${MAX_TRANSACT_ITEMS} items; got ${entries.length}.`);
  const items = entries.map((e) => e.item);
  for (let attempt = 0; ; attempt++) {
    try {
      await client.send(new TransactWriteCommand({ TransactItems: items }));
      return;
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      const failed = reasons.flatMap((reason, i) => (reason.code === 'ConditionalCheckFailed' ? [meaningOf(entries[i], reason.item)] : []));
      if (failed.length > 0) throw new TransactionFailed(failed);
      const onlyConflicts = reasons.every((r) => r.code === 'None' || r.code === 'TransactionConflict');
      if (!onlyConflicts) throw error;
      // Still colliding after the retries (many requests on the same users or group at once):
      // nothing was written, and a retry after a pause is the way out.
      if (attempt >= MAX_CONFLICT_RETRIES) throw new StoreUnavailable('throttled', 'Other requests are changing the same items.');
      await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt + Math.random() * 20));
    }
  }
}

function meaningOf(entry: Entry | undefined, old: Item | undefined): Failure {
  const meaning = entry?.onFail;
  if (meaning === undefined) return { kind: 'version' };
  return typeof meaning === 'function' ? meaning(old) : meaning;
}

interface Reason {
  readonly code: string;
  readonly item?: Item;
}

function cancellationReasons(error: unknown): Reason[] | undefined {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  const reasons = (error as { CancellationReasons?: { Code?: string; Item?: Record<string, never> }[] }).CancellationReasons;
  if (reasons) return reasons.map((r) => ({ code: r.Code ?? 'None', item: r.Item ? unmarshall(r.Item) : undefined }));
  // DynamoDB Local sometimes gives the reasons only in the message: "[None, ConditionalCheckFailed]".
  const match = /\[([^\]]*)\]/.exec(error.message);
  return match ? match[1].split(',').map((s) => ({ code: s.trim() })) : [];
}
