import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Fault injection as SDK middleware: the request is refused (or its answer lost) inside the
 * SDK's retry loop, exactly where a real throttle or timeout surfaces, so the SDK's own
 * retries, the store's error translation and the service's answers all run as in AWS.
 */
export type FaultKind =
  /** DynamoDB refuses for load: ProvisionedThroughputExceededException (HTTP 400). */
  | 'throttle'
  /** The socket timed out before an answer: TimeoutError (nothing was written). */
  | 'timeout'
  /** The request reached DynamoDB and was applied, but the answer was lost: TimeoutError after the write. */
  | 'lost-response'
  /** Another transaction held one of the items: TransactionCanceledException, TransactionConflict (nothing written). */
  | 'conflict';

export interface FaultRule {
  readonly kind: FaultKind;
  /** Which requests: SDK command names such as 'TransactWriteItemsCommand'; all when absent. */
  readonly commands?: readonly string[];
  /**
   * Further choice on the (marshalled) input, e.g. only transactions deleting a member, and
   * on the serialized request (one per SDK call: its retries send the same body).
   */
  readonly when?: (input: Record<string, unknown>, request: { body?: unknown }) => boolean;
  /** Chance per matching attempt (default 1), drawn from the injector's seeded generator. */
  readonly probability?: number;
  /** At most this many injections by this rule (default unlimited). */
  readonly times?: number;
}

/** Injects faults into one document client's requests; counts what it did. */
export class FaultInjector {
  private rules: { rule: FaultRule; used: number }[] = [];
  /** Faults injected, by kind and command. */
  readonly injected: { kind: FaultKind; command: string }[] = [];
  private state: number;

  constructor(client: DynamoDBDocumentClient, seed = 1) {
    this.state = seed >>> 0 || 1;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = String(context.commandName);
        const fault = this.pick(command, args.input as Record<string, unknown>, (args as { request?: { body?: unknown } }).request ?? {});
        if (!fault) return next(args);
        this.injected.push({ kind: fault, command });
        if (fault === 'lost-response') {
          await next(args);
          throw timeoutError();
        }
        if (fault === 'conflict') throw conflictError(args.input as Record<string, unknown>);
        throw fault === 'throttle' ? throttleError() : timeoutError();
      },
      // Below the retry middleware (finalizeRequest): every SDK attempt meets the fault.
      { step: 'deserialize', name: 'testFaultInjector', priority: 'low' },
    );
  }

  /** Replaces the rules; `clear()` is `set()`. */
  set(...rules: FaultRule[]): void {
    this.rules = rules.map((rule) => ({ rule, used: 0 }));
  }

  clear(): void {
    this.rules = [];
  }

  /**
   * Lets the first `k - 1` transactions through and refuses every later one (each SDK
   * attempt), or only the k-th once for a lost answer. Transactions are told apart by the
   * ClientRequestToken the SDK serializes into each (its own retries send the same body).
   * With `only`, just the transactions whose body contains it are counted and refused (a
   * case's own group, say: a request of an earlier case still in flight is left alone).
   */
  fromTransaction(kind: FaultKind, k: number, only?: string): void {
    const seen: string[] = [];
    const index = (text: string) => {
      const token = String(JSON.parse(text).ClientRequestToken);
      if (!seen.includes(token)) seen.push(token);
      return seen.indexOf(token) + 1;
    };
    const when = (_input: unknown, request: { body?: unknown }) => {
      const text = request.body instanceof Uint8Array ? new TextDecoder().decode(request.body) : String(request.body);
      return (only === undefined || text.includes(only)) && index(text) >= k;
    };
    this.set({ kind, commands: ['TransactWriteItemsCommand'], when, ...(kind === 'lost-response' ? { times: 1 } : {}) });
  }

  count(kind?: FaultKind): number {
    return kind ? this.injected.filter((f) => f.kind === kind).length : this.injected.length;
  }

  private pick(command: string, input: Record<string, unknown>, request: { body?: unknown }): FaultKind | undefined {
    for (const entry of this.rules) {
      const { rule } = entry;
      if (rule.commands && !rule.commands.includes(command)) continue;
      if (rule.times !== undefined && entry.used >= rule.times) continue;
      if (rule.when && !rule.when(input, request)) continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      entry.used++;
      return rule.kind;
    }
    return undefined;
  }

  /** xorshift32: reproducible fault sequences for a given seed. */
  private random(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 2 ** 32;
  }
}

function throttleError(): Error {
  return Object.assign(new Error('The level of configured provisioned throughput for the table was exceeded (injected).'), {
    name: 'ProvisionedThroughputExceededException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400, attempts: 1 },
  });
}

/** What DynamoDB answers when another transaction holds one of the items (the first, here). */
function conflictError(input: Record<string, unknown>): Error {
  const count = Array.isArray(input.TransactItems) ? input.TransactItems.length : 1;
  const codes = Array.from({ length: count }, (_, i) => (i === 0 ? 'TransactionConflict' : 'None'));
  return Object.assign(new Error(`Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}] (injected)`), {
    name: 'TransactionCanceledException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400, attempts: 1 },
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

function timeoutError(): Error {
  return Object.assign(new Error('Connection timed out after 5000 ms (injected).'), { name: 'TimeoutError' });
}
