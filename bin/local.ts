import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { hashToken, StaticTokenVerifier, type TokenVerifier } from '../lambda/http/auth';
import { jsonLogger, type Logger } from '../lambda/http/log';
import { batchedJsonLogger } from '../lib/local/batched-log';
import { parseProfile } from '../lambda/scim/profiles/profile';
import { createDocumentClient } from '../lambda/store/client';
import { ensureTable, LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal, type RestartPolicy } from '../lib/local/dynamodb-local';
import { makePrivate } from '../lib/local/private-files';
import { CONSOLE_DIR, CONSOLE_PATH } from '../lib/console/static';
import { LOCAL_TABLE, removeEndpointInfo, writeEndpointInfo } from '../lib/local/endpoint-file';
import { AnyTokenVerifier, FileTokenVerifier } from '../lib/local/file-token-verifier';
import { parseRateLimit } from '../lib/local/rate-limit';
import { startLocalServer } from '../lib/local/server';
import type { FunctionSettings } from '../lambda/handlers/services';
import { MemoryTable } from '../lambda/store/memory-store';
import { LOCAL_TOKENS_FILE } from '../lib/tokens/cli';
import { FileTokenStore, writeTokenFile } from '../lib/tokens/stores';
import { isActive } from '../lib/tokens/token-set';

/**
 * `npm start`: DynamoDB Local, the table, and the SCIM functions served over HTTP at
 * http://127.0.0.1:$PORT/scim/v2. DynamoDB Local listens on 127.0.0.1 only, the data folder is
 * readable by its owner only (0700, files 0600), and DynamoDB Local is started again on the
 * same port and data when it exits on its own (up to 3 times a minute; then this exits with 1).
 *
 *   PORT            port to listen on (default 8080)
 *   SCIM_TOKEN      a bearer token to accept (besides those in <data dir>/tokens.json)
 *   SCIM_IN_MEMORY  1: keep nothing on disk; otherwise data survives a restart
 *   SCIM_DATA_DIR   where data and the generated token live (default .scim-local)
 *   SCIM_LOG        "quiet" to silence the per-request log lines
 *   SCIM_PROFILE    "aws-iam-identity-center" to answer as AWS IAM Identity Center does
 *   SCIM_RATE_LIMIT requests per second above which requests get 429 (default: no limit)
 *   SCIM_STORE      "memory": the same handlers on the in-memory store (lambda/store/memory-store.ts,
 *                   held to the table's behaviour by the store contract suite): no Java, nothing
 *                   kept, as with SCIM_IN_MEMORY=1. @default "dynamodb": DynamoDB Local
 */
async function main(): Promise<void> {
  const started = Date.now();
  const port = parsePort(process.env.PORT ?? '8080');
  const storeKind = parseStore(process.env.SCIM_STORE);
  const inMemory = storeKind === 'memory' || process.env.SCIM_IN_MEMORY === '1' || process.env.SCIM_IN_MEMORY === 'true';
  const dataDir = resolve(process.env.SCIM_DATA_DIR ?? '.scim-local');
  const tableName = LOCAL_TABLE;
  const profile = parseProfile(process.env.SCIM_PROFILE);
  const rateLimit = parseRateLimit(process.env.SCIM_RATE_LIMIT);

  if (!inMemory) makePrivate(dataDir);
  const { verifier, shown } = await localTokens(dataDir, inMemory, process.env.SCIM_TOKEN || undefined);
  let giveUp: (error: Error) => void = () => undefined;
  const backend = storeKind === 'memory' ? memoryBackend() : await dynamoBackend(dataDir, inMemory, tableName, (error) => giveUp(error));
  const batched = process.env.SCIM_LOG === 'quiet' ? undefined : batchedJsonLogger();
  if (batched) process.on('exit', () => batched.flush());
  const logger: Logger = batched ?? { info: () => undefined, error: jsonLogger.error };
  const local = await startLocalServer({
    store: backend.store,
    verifier,
    logger,
    port,
    consoleDir: CONSOLE_DIR,
    profile,
    rateLimit,
  });
  // `npm run directory -- delete --local` and `npm run audit -- --local` reach the data through this DynamoDB Local.
  if (!inMemory && backend.dynamo) {
    writeEndpointInfo(dataDir, { baseUrl: local.baseUrl, dynamodbEndpoint: backend.dynamo.endpoint, tableName, directoryId: 'default', profile, pid: process.pid });
  }

  process.stdout.write(
    [
      '',
      'scim-endpoint is running locally',
      `  Base URL:   ${local.baseUrl}`,
      `  Token:      ${shown}`,
      `  Console:    ${new URL(CONSOLE_PATH, local.baseUrl).href}`,
      `  Data:       ${inMemory ? `in memory (${storeKind === 'memory' ? 'SCIM_STORE=memory' : 'SCIM_IN_MEMORY=1'}): nothing is kept` : dataDir}`,
      backend.dynamo
        ? `  DynamoDB:   ${backend.dynamo.endpoint} (DynamoDB Local, pid ${backend.dynamo.pid}, on 127.0.0.1 only)`
        : '  Store:      in memory (SCIM_STORE=memory): the same handlers, no DynamoDB Local',
      `  Profile:    ${profile}`,
      `  Directories: ${inMemory ? "the deployment's own only (in memory)" : `/scim/v2, and each of ${join(dataDir, LOCAL_TOKENS_FILE)} at /<id>/scim/v2 (npm run directory -- list --local)`}`,
      `  Rate limit: ${rateLimit === undefined ? 'none (SCIM_RATE_LIMIT)' : `${rateLimit} requests/s, then 429`}`,
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
    if (!inMemory) removeEndpointInfo(dataDir);
    await local.close();
    await backend.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  giveUp = (error) => {
    if (stopping) return;
    stopping = true;
    const data = inMemory ? 'Nothing was kept (in memory).' : `The data is kept in ${dataDir}.`;
    process.stderr.write(`scim-endpoint stopped: DynamoDB Local is gone. ${error.message}\n${data} Run npm start again.\n`);
    setTimeout(() => process.exit(1), 2000).unref();
    void local.close().then(() => process.exit(1));
  };
}

interface Backend {
  readonly store: FunctionSettings;
  /** DynamoDB Local, when the store is the table. */
  readonly dynamo?: { readonly endpoint: string; readonly pid: number };
  stop(): Promise<void>;
}

/** SCIM_STORE=memory: every directory in one MemoryTable, as the table holds them. */
function memoryBackend(): Backend {
  const table = new MemoryTable();
  return { store: { stores: (id) => table.directory(id), directoryId: 'default' }, stop: async () => undefined };
}

/** DynamoDB Local, kept running, and the table on it. */
async function dynamoBackend(dataDir: string, inMemory: boolean, tableName: string, giveUp: (error: Error) => void): Promise<Backend> {
  // On disk, DynamoDB Local is started again on the same port and data; in memory its data died
  // with it, so the endpoint stops rather than carry on with an empty directory.
  const restart: RestartPolicy = {
    ...(inMemory ? { maxRestarts: 0 } : {}),
    onExit: (exit) => {
      const how = exit.signal ? `was killed (${exit.signal})` : `exited with code ${exit.code}`;
      const next = inMemory ? 'its data was in memory and is gone.' : 'starting it again on the same port and data; requests answer 503 until it is back.';
      process.stderr.write(`DynamoDB Local (pid ${exit.pid}) ${how}: ${next}\n`);
    },
    onRestarted: (pid) => {
      process.stderr.write(`DynamoDB Local is back (pid ${pid}).\n`);
      ensureTable(dynamo.endpoint, tableName).catch((error: Error) => giveUp(error));
    },
    onGiveUp: (error) => giveUp(error),
  };
  const dynamo = await startDynamoDbLocal({ dataDir: inMemory ? undefined : join(dataDir, 'dynamodb'), restart });
  await ensureTable(dynamo.endpoint, tableName);
  const client = createDocumentClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  return {
    store: { client, tableName, directoryId: 'default' },
    dynamo: { endpoint: dynamo.endpoint, pid: dynamo.pid },
    stop: async () => {
      client.destroy();
      await dynamo.stop();
    },
  };
}

function parseStore(text: string | undefined): 'memory' | 'dynamodb' {
  if (text === undefined || text === '' || text === 'dynamodb') return 'dynamodb';
  if (text === 'memory') return 'memory';
  throw new Error(`SCIM_STORE must be "dynamodb" (the default) or "memory", not "${text}".`);
}

/**
 * The tokens the local endpoint accepts: SCIM_TOKEN when set, and every active token of
 * `<data dir>/tokens.json`, the file `npm run token -- ... --local` manages (same format as the
 * deployed secret: hashes only, re-read on change, so a token the CLI creates is accepted by
 * the next request, without a restart; in memory too, where the file is only read). On the first start without SCIM_TOKEN, a
 * token is generated: its hash goes into tokens.json (no expiry: a development token), and the
 * token itself into `<data dir>/token` (mode 0600) so that it can be shown again at each start.
 * In memory, nothing is written and the generated token lives as long as the process.
 */
async function localTokens(
  dataDir: string,
  inMemory: boolean,
  envToken: string | undefined,
): Promise<{ verifier: TokenVerifier; shown: string }> {
  const tokensFile = join(dataDir, LOCAL_TOKENS_FILE);
  if (inMemory) {
    // Nothing is written; tokens the CLI keeps in the data folder are accepted too (read only).
    const token = envToken ?? randomBytes(32).toString('base64url');
    return { verifier: new AnyTokenVerifier([new StaticTokenVerifier(token), new FileTokenVerifier(tokensFile)]), shown: envToken ? '(the value of SCIM_TOKEN)' : token };
  }
  const plainFile = join(dataDir, 'token');
  const records = await new FileTokenStore(tokensFile).read();
  let plain = existsSync(plainFile) ? readFileSync(plainFile, 'utf8').trim() : undefined;
  if (!existsSync(tokensFile)) {
    // First start, or a data folder from before tokens.json: generate (or adopt) the token.
    if (!plain && !envToken) {
      plain = randomBytes(32).toString('base64url');
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(plainFile, plain + '\n', { mode: 0o600 });
    }
    writeTokenFile(tokensFile, plain ? [...records, { id: 'local-generated', sha256: hashToken(plain), createdAt: new Date().toISOString() }] : records);
  }
  const fromFile = new FileTokenVerifier(tokensFile);
  const verifier = envToken ? new AnyTokenVerifier([new StaticTokenVerifier(envToken), fromFile]) : fromFile;
  const now = new Date();
  const live = await new FileTokenStore(tokensFile).read();
  const plainLive = plain !== undefined && live.some((r) => r.sha256 === hashToken(plain!) && isActive(r, now));
  const shown = envToken
    ? '(the value of SCIM_TOKEN)'
    : plainLive
      ? plain!
      : `(${live.filter((r) => isActive(r, now)).length} active in ${tokensFile}; create one: npm run token -- create --name NAME --local)`;
  return { verifier, shown };
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
