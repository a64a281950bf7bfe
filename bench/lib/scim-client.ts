import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { StaticTokenVerifier } from '../../lambda/http/auth';
import { silentLogger } from '../../lambda/http/log';
import { startLocalServer } from '../../lib/local/server';

/**
 * A minimal SCIM client for the benchmarks: JSON in, JSON out, and any status of 300 or
 * more is an error (a benchmark that meets a refusal has measured the wrong thing).
 */
export function scimClient(baseUrl: string, token: string) {
  return async (method: string, path: string, body?: unknown): Promise<any> => {
    const res = await fetch(baseUrl + path, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : undefined;
  };
}

/**
 * The local endpoint on a free port over `client` and `tableName`, with a random token, and a
 * SCIM client for it: what every benchmark against the endpoint starts with.
 */
export async function startBenchEndpoint(client: DynamoDBDocumentClient, tableName: string) {
  const token = randomBytes(16).toString('hex');
  const server = await startLocalServer({
    store: { client, tableName, directoryId: 'default' },
    verifier: new StaticTokenVerifier(token),
    logger: silentLogger,
    port: 0,
  });
  return { server, token, scim: scimClient(server.baseUrl, token) };
}
