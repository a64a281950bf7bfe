import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StaticTokenVerifier } from '../lambda/http/auth';
import { jsonLogger, type Logger } from '../lambda/http/log';
import { parseProfile } from '../lambda/scim/profiles/profile';
import { createDocumentClient } from '../lambda/store/client';
import { ensureTable, LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal } from '../lib/local/dynamodb-local';
import { CONSOLE_DIR, CONSOLE_PATH } from '../lib/console/static';
import { startLocalServer } from '../lib/local/server';

/**
 * `npm start`: DynamoDB Local, the table, and the SCIM functions served over HTTP at
 * http://127.0.0.1:$PORT/scim/v2.
 *
 *   PORT            port to listen on (default 8080)
 *   SCIM_TOKEN      the bearer token to accept; unset: one is generated and kept with the data
 *   SCIM_IN_MEMORY  1: keep nothing on disk; otherwise data survives a restart
 *   SCIM_DATA_DIR   where data and the generated token live (default .scim-local)
 *   SCIM_LOG        "quiet" to silence the per-request log lines
 *   SCIM_PROFILE    "aws-iam-identity-center" to answer as AWS IAM Identity Center does
 */
async function main(): Promise<void> {
  const started = Date.now();
  const port = parsePort(process.env.PORT ?? '8080');
  const inMemory = process.env.SCIM_IN_MEMORY === '1' || process.env.SCIM_IN_MEMORY === 'true';
  const dataDir = resolve(process.env.SCIM_DATA_DIR ?? '.scim-local');
  const tableName = 'scim-endpoint';
  const profile = parseProfile(process.env.SCIM_PROFILE);

  const token = process.env.SCIM_TOKEN || localToken(dataDir, inMemory);
  const dynamo = await startDynamoDbLocal({ dataDir: inMemory ? undefined : join(dataDir, 'dynamodb') });
  await ensureTable(dynamo.endpoint, tableName);
  const client = createDocumentClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const logger: Logger = process.env.SCIM_LOG === 'quiet' ? { info: () => undefined, error: jsonLogger.error } : jsonLogger;
  const local = await startLocalServer({
    store: { client, tableName, directoryId: 'default' },
    verifier: new StaticTokenVerifier(token),
    logger,
    port,
    consoleDir: CONSOLE_DIR,
    profile,
  });

  const shown = process.env.SCIM_TOKEN ? '(the value of SCIM_TOKEN)' : token;
  process.stdout.write(
    [
      '',
      'scim-endpoint is running locally',
      `  Base URL:   ${local.baseUrl}`,
      `  Token:      ${shown}`,
      `  Console:    ${new URL(CONSOLE_PATH, local.baseUrl).href}`,
      `  Data:       ${inMemory ? 'in memory (SCIM_IN_MEMORY=1): nothing is kept' : dataDir}`,
      `  DynamoDB:   ${dynamo.endpoint} (DynamoDB Local)`,
      `  Profile:    ${profile}`,
      `  Started in: ${Date.now() - started} ms`,
      '',
      `  curl -H "Authorization: Bearer <token>" ${local.baseUrl}/Users`,
      '',
    ].join('\n') + '\n',
  );

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await local.close();
    client.destroy();
    await dynamo.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** The generated token: kept in the data folder (mode 0600) unless running in memory. */
function localToken(dataDir: string, inMemory: boolean): string {
  const file = join(dataDir, 'token');
  if (!inMemory && existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = randomBytes(32).toString('base64url');
  if (!inMemory) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, token + '\n', { mode: 0o600 });
  }
  return token;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not "${text}".`);
  return port;
}

main().catch((error: Error) => {
  process.stderr.write(`scim-endpoint could not start: ${error.message}\n`);
  process.exit(1);
});
