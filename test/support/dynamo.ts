import { randomUUID } from 'node:crypto';
import { createDocumentClient, type CallRecord } from '../../lambda/store/client';
import { ensureTable, LOCAL_CREDENTIALS, LOCAL_REGION } from '../../lib/local/dynamodb-local';

/** The DynamoDB Local that test/support/global-setup.ts started. */
export function localEndpoint(): string {
  const endpoint = process.env.DYNAMODB_LOCAL_ENDPOINT;
  if (!endpoint) throw new Error('DynamoDB Local is not running (global setup did not run).');
  return endpoint;
}

/** A fresh table (named uniquely) and a document client that counts its requests. */
export async function freshTable(prefix = 'test') {
  const endpoint = localEndpoint();
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
