#!/usr/bin/env node
/**
 * `npm run dynamodb-local`: DynamoDB Local on a fixed port (DYNAMODB_PORT, default 8000) with
 * the table `scim-endpoint`, for `sam local invoke --env-vars events/env.json`. Data is kept
 * in .scim-local/sam-dynamodb unless SCIM_IN_MEMORY=1. Ctrl-C stops it.
 *
 * It listens on 127.0.0.1 only unless DYNAMODB_HOST names another address: on Linux, SAM's
 * container reaches the host on the Docker bridge (DYNAMODB_HOST=172.17.0.1), not on loopback.
 * DynamoDB Local accepts any credentials: whoever reaches that address reads the table.
 */
import { join, resolve } from 'node:path';
import { ensureTable, startDynamoDbLocal } from '../lib/local/dynamodb-local';

async function main(): Promise<void> {
  const port = Number(process.env.DYNAMODB_PORT ?? '8000');
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`DYNAMODB_PORT must be a port number`);
  const inMemory = process.env.SCIM_IN_MEMORY === '1';
  const dataDir = join(resolve(process.env.SCIM_DATA_DIR ?? '.scim-local'), 'sam-dynamodb');
  const host = process.env.DYNAMODB_HOST || undefined;
  const dynamo = await startDynamoDbLocal({ port, host, dataDir: inMemory ? undefined : dataDir });
  await ensureTable(dynamo.endpoint, 'scim-endpoint');
  process.stdout.write(`DynamoDB Local at ${dynamo.endpoint} with table scim-endpoint (Ctrl-C stops it)\n`);
  const stop = () => void dynamo.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: Error) => {
  process.stderr.write(`dynamodb-local could not start: ${error.message}\n`);
  process.exit(1);
});
