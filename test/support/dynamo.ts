import { randomUUID } from 'node:crypto';
import { createDocumentClient } from '../../lambda/store/client';
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
  const calls: string[] = [];
  const client = createDocumentClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    onRequest: (name) => calls.push(name),
  });
  return {
    endpoint,
    tableName,
    client,
    calls,
    /** Runs `fn` and returns how many DynamoDB requests it made. */
    async countCalls<T>(fn: () => Promise<T>): Promise<{ result: T; calls: string[] }> {
      const before = calls.length;
      const result = await fn();
      return { result, calls: calls.slice(before) };
    },
  };
}
