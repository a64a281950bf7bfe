#!/usr/bin/env node
/**
 * `npx tsx bench/local-durability.ts [--rounds n]`: how much of what DynamoDB Local
 * acknowledged survives when its process is killed (SIGKILL) right after, and after a clean
 * stop (SIGTERM). The figures behind README's "Local durability". Each round writes five
 * items, the last either a TransactWriteItems (every write of the store is one) or a PutItem,
 * waits, kills DynamoDB Local, starts it again on the same file and reads the five back.
 * Prints figures; never fails on them. Each round starts DynamoDB Local twice: with the default
 * 4 rounds, several minutes on a loaded two-core machine.
 */
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDocumentClient } from '../lambda/store/client';
import { ensureTable, freePort, LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal } from '../lib/local/dynamodb-local';

const TABLE = 'durability';
const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 4;
const CELLS: { last: 'transact' | 'put'; waitMs: number; stop: 'SIGKILL' | 'SIGTERM' }[] = [
  ...[0, 5, 10, 20, 50].flatMap((waitMs) => (['transact', 'put'] as const).map((last) => ({ last, waitMs, stop: 'SIGKILL' as const }))),
  { last: 'transact', waitMs: 0, stop: 'SIGTERM' },
];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'scim-durability-'));
  const port = await freePort();
  const rows: { cell: string; lastLost: number; earlierLost: number; rounds: number }[] = [];
  try {
    let round = 0;
    for (const cell of CELLS) {
      let lastLost = 0;
      let earlierLost = 0;
      for (let r = 0; r < ROUNDS; r++, round++) {
        const keys = Array.from({ length: 5 }, (_, i) => `round${round}-${i}`);
        const dynamo = await startDynamoDbLocal({ dataDir: dir, port });
        await ensureTable(dynamo.endpoint, TABLE);
        const client = clientFor(dynamo.endpoint);
        for (const [i, pk] of keys.entries()) {
          const item = { pk, sk: 'x', i };
          if (i === keys.length - 1 && cell.last === 'put') await client.send(new PutCommand({ TableName: TABLE, Item: item }));
          else await client.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: TABLE, Item: item } }] }));
        }
        if (cell.waitMs > 0) await new Promise((done) => setTimeout(done, cell.waitMs));
        if (cell.stop === 'SIGKILL') process.kill(dynamo.pid, 'SIGKILL');
        await dynamo.stop();
        client.destroy();

        const again = await startDynamoDbLocal({ dataDir: dir, port });
        const reader = clientFor(again.endpoint);
        for (const [i, pk] of keys.entries()) {
          const { Item } = await reader.send(new GetCommand({ TableName: TABLE, Key: { pk, sk: 'x' }, ConsistentRead: true }));
          if (!Item) i === keys.length - 1 ? lastLost++ : earlierLost++;
        }
        reader.destroy();
        await again.stop();
      }
      rows.push({ cell: `${cell.stop} ${cell.waitMs} ms after a ${cell.last === 'transact' ? 'TransactWriteItems' : 'PutItem'}`, lastLost, earlierLost, rounds: ROUNDS });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write('DynamoDB Local: writes lost when its process is stopped right after acknowledging them\n');
  for (const row of rows) {
    process.stdout.write(`  ${row.cell.padEnd(40)} last write lost ${row.lastLost}/${row.rounds}, earlier writes lost ${row.earlierLost}/${row.rounds * 4}\n`);
  }
}

function clientFor(endpoint: string): DynamoDBDocumentClient {
  return createDocumentClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
