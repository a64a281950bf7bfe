import { randomUUID } from 'node:crypto';
import { createDocumentClient, type CallRecord } from '../../lambda/store/client';
import { ensureTable, LOCAL_CREDENTIALS, LOCAL_REGION } from '../../lib/local/dynamodb-local';

/** This test file's DynamoDB Local (test/support/dynamo-environment.ts starts it on first use). */
export async function localEndpoint(): Promise<string> {
  const start = (globalThis as { __dynamoLocalEndpoint?: () => Promise<string> }).__dynamoLocalEndpoint;
  if (!start) throw new Error('DynamoDB Local is not available: the test environment is not test/support/dynamo-environment.ts.');
  return start();
}

/** A fresh table (named uniquely) and a document client that counts its requests. */
export async function freshTable(prefix = 'test') {
  const endpoint = await localEndpoint();
  const tableName = `${prefix}-${randomUUID()}`;
  await ensureTable(endpoint, tableName);
  const calls: CallRecord[] = [];
  const client = createDocumentClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    onCall: (call) => calls.push(call),
  });
  return {
    endpoint,
    tableName,
    client,
    calls,
    /** Runs `fn` and returns the DynamoDB requests it made and their round trips. */
    async countCalls<T>(fn: () => Promise<T>): Promise<{ result: T; calls: string[]; roundTrips: number }> {
      const before = calls.length;
      const result = await fn();
      const made = calls.slice(before);
      return { result, calls: made.map((c) => c.command), roundTrips: roundTrips(made) };
    },
  };
}

/**
 * Round trips: the longest chain of requests each of which started after the one before it
 * ended. Requests made in parallel count once.
 */
export function roundTrips(calls: readonly CallRecord[]): number {
  const sorted = [...calls].sort((a, b) => a.started - b.started);
  const depth: number[] = [];
  sorted.forEach((call, i) => {
    depth[i] = 1 + Math.max(0, ...sorted.slice(0, i).map((p, j) => (p.ended <= call.started ? depth[j] : 0)));
  });
  return Math.max(0, ...depth);
}
