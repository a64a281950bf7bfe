import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_DIRECTORY } from '../../lambda/http/auth';
import { DIRECTORY_ID } from '../../lambda/http/directories';
import { badCursor, decodeAuditCursor, encodeAuditCursor, MAX_AUDIT_COUNT, parseTime } from '../../lambda/scim/audit-query';
import { ScimError } from '../../lambda/scim/errors';
import { DynamoAuditLog } from '../../lambda/store/audit-log';
import { createDocumentClient } from '../../lambda/store/client';
import { InvalidPosition, type AuditChange, type AuditEntry } from '../../lambda/store/types';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal, type DynamoDbLocal } from '../local/dynamodb-local';
import { LOCAL_TABLE, readEndpointInfo } from '../local/endpoint-file';

export const USAGE = `Usage: npm run audit -- <target> [options]

Prints the audit trail, newest first: one entry per change applied, with the token that made it.

Target (exactly one):
  --local              the local endpoint's data (<data dir>, read while npm start runs or not)
  --data-dir <dir>     with --local: the data folder (default: $SCIM_DATA_DIR or .scim-local)
  --stack <name>       the deployed stack's table (its TableName output)
  --table <name>       a table by name (--endpoint <url> for DynamoDB Local, --region <r>)

Options:
  --directory ID       the directory (npm run directory -- list); default: the deployment's own
  --resource ID        one user's or group's history
  --actor NAME         changes made with tokens of this name (or this token id)
  --since TIME         2026-11-28T09:00:00Z, 2026-11-28, or a span back: 30m, 24h, 7d
  --limit N            at most N entries (default 50); --all for every one
  --cursor C           continue where a previous run said "more"
  --json               one JSON object per entry and line

AWS credentials and region come from the standard chain (AWS_PROFILE, AWS_REGION, ...); the
operator needs dynamodb:Query on the table and its indexes.`;

/** What the CLI writes; tests capture it. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/** A refusal shown as it is (one line, no stack trace). */
class AuditCliError extends Error {}

const DEFAULT_LIMIT = 50;

/** Runs one CLI invocation; returns the exit code (0 done, 1 refused or failed, 2 usage). */
export async function runAuditCli(argv: string[], output: Output, env: NodeJS.ProcessEnv = process.env, now = new Date()): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        local: { type: 'boolean' },
        'data-dir': { type: 'string' },
        stack: { type: 'string' },
        table: { type: 'string' },
        endpoint: { type: 'string' },
        region: { type: 'string' },
        directory: { type: 'string' },
        resource: { type: 'string' },
        actor: { type: 'string' },
        since: { type: 'string' },
        limit: { type: 'string' },
        all: { type: 'boolean' },
        cursor: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    output.err(`audit: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    output.out(USAGE);
    return 0;
  }
  let source: Source | undefined;
  try {
    const since = values.since === undefined ? undefined : parseTime(values.since, now);
    if (values.since !== undefined && since === undefined) throw new AuditCliError(`--since must be a date-time with a zone, a date, or a span such as 24h; got "${values.since}".`);
    if (values.all && values.limit !== undefined) throw new AuditCliError('Give --limit or --all, not both.');
    const limit = values.all ? Number.POSITIVE_INFINITY : wholeNumber(values.limit, DEFAULT_LIMIT, '--limit');
    const named = values.directory ?? DEFAULT_DIRECTORY;
    if (named !== DEFAULT_DIRECTORY && !DIRECTORY_ID.test(named)) {
      throw new AuditCliError(`--directory is a directory id (1 to 40 lower-case letters, digits and inner hyphens); got "${named.slice(0, 64)}".`);
    }
    let after = values.cursor === undefined ? undefined : cursorPosition(values.cursor);
    source = await open(values, env);
    // `default` names the deployment's own directory, whatever id its keys carry (the stack's DirectoryId).
    const directory = named === DEFAULT_DIRECTORY ? source.home : named;
    const log = new DynamoAuditLog(source.client, source.tableName, directory);
    let shown = 0;
    if (!values.json) output.out(`Audit of directory ${directory} in ${source.description}, newest first:`);
    for (;;) {
      const page = await log.list({ resourceId: values.resource, actor: values.actor, since, count: Math.min(MAX_AUDIT_COUNT, limit - shown), after });
      for (const entry of page.entries) output.out(values.json ? JSON.stringify(entry) : describe(entry));
      shown += page.entries.length;
      after = page.next;
      if (!after || shown >= limit) break;
    }
    if (!values.json && shown === 0) output.out('  (no entries)');
    if (after) output.err(values.json ? JSON.stringify({ nextCursor: encodeAuditCursor(after) }) : `More entries follow: add --cursor ${encodeAuditCursor(after)}`);
    return 0;
  } catch (error) {
    output.err(`audit: ${message(error)}`);
    return 1;
  } finally {
    await source?.close();
  }
}

/** Where the entries are read from. */
interface Source {
  readonly client: ReturnType<typeof createDocumentClient>;
  readonly tableName: string;
  /** The deployment's own directory: the id its keys begin with. */
  readonly home: string;
  readonly description: string;
  close(): Promise<void>;
}

type Values = { local?: boolean; 'data-dir'?: string; stack?: string; table?: string; endpoint?: string; region?: string };

async function open(values: Values, env: NodeJS.ProcessEnv): Promise<Source> {
  const chosen = [values.local === true, values.stack !== undefined, values.table !== undefined].filter(Boolean).length;
  if (chosen !== 1) throw new AuditCliError('Choose exactly one target: --local, --stack <name> or --table <name>.');
  if (values['data-dir'] !== undefined && !values.local) throw new AuditCliError('--data-dir goes with --local.');
  if (values.endpoint !== undefined && values.table === undefined) throw new AuditCliError('--endpoint goes with --table.');
  if (values.local) return openLocal(resolve(values['data-dir'] ?? env.SCIM_DATA_DIR ?? '.scim-local'));
  const { tableName, home } = values.table !== undefined ? { tableName: values.table, home: DEFAULT_DIRECTORY } : await tableOfStack(values.stack!, values.region);
  const local = values.endpoint !== undefined && !env.AWS_ACCESS_KEY_ID;
  const client = createDocumentClient({
    endpoint: values.endpoint,
    region: values.region ?? env.AWS_REGION ?? (values.endpoint ? LOCAL_REGION : undefined),
    credentials: local ? LOCAL_CREDENTIALS : undefined,
  });
  return { client, tableName, home, description: `table ${tableName}`, close: async () => client.destroy() };
}

/**
 * The local endpoint's data: through the DynamoDB Local that `npm start` runs (it names it in
 * <data dir>/endpoint.json, lib/local/endpoint-file.ts), or, when none runs, a DynamoDB Local of
 * its own on the data folder, stopped again when done.
 */
async function openLocal(dataDir: string): Promise<Source> {
  const running = readEndpointInfo(dataDir);
  if (running) {
    const client = createDocumentClient({ endpoint: running.dynamodbEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    return {
      client,
      tableName: running.tableName,
      home: running.directoryId,
      description: `the running local endpoint (${dataDir})`,
      close: async () => client.destroy(),
    };
  }
  if (!existsSync(join(dataDir, 'dynamodb'))) throw new AuditCliError(`No local data in ${dataDir}: start the local endpoint (npm start) first, or name --data-dir.`);
  const dynamo: DynamoDbLocal = await startDynamoDbLocal({ dataDir: join(dataDir, 'dynamodb') });
  const client = createDocumentClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  return {
    client,
    tableName: LOCAL_TABLE,
    home: DEFAULT_DIRECTORY,
    description: `the local data in ${dataDir}`,
    close: async () => {
      client.destroy();
      await dynamo.stop();
    },
  };
}

/** The stack's table and its own directory, from its outputs (TableName, DirectoryId). */
async function tableOfStack(stackName: string, region: string | undefined): Promise<{ tableName: string; home: string }> {
  const client = new CloudFormationClient(region ? { region } : {});
  try {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const output = (key: string) => Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
    const name = output('TableName');
    if (!name) throw new AuditCliError(`Stack ${stackName} has no TableName output: is it a scim-endpoint stack?`);
    return { tableName: name, home: output('DirectoryId') ?? DEFAULT_DIRECTORY };
  } finally {
    client.destroy();
  }
}

/** One entry as lines: when, who, what, which resource, then each path that changed. */
export function describe(entry: AuditEntry): string {
  const head = [
    entry.at,
    `${entry.actor.name}${entry.actor.name === entry.actor.tokenId ? '' : ` (${entry.actor.tokenId})`}`,
    entry.operation,
    entry.resourceType,
    `${entry.resourceName} (${entry.resourceId})`,
    `request ${entry.requestId}`,
    ...(entry.bulk ? [`bulk #${entry.bulk.index}${entry.bulk.bulkId !== undefined ? ` ${entry.bulk.bulkId}` : ''}`] : []),
    ...(entry.sourceAddress ? [`from ${entry.sourceAddress}`] : []),
  ].join('  ');
  return [head, ...entry.changes.map((c) => `    ${c.path}: ${changeText(c)}`)].join('\n');
}

function changeText(change: AuditChange): string {
  if (change.added || change.removed) {
    const ids = (sign: string, list: readonly string[] | undefined) =>
      list?.length ? [`${sign}${list.length} (${list.slice(0, 3).join(', ')}${list.length > 3 ? ', …' : ''})`] : [];
    return [...ids('+', change.added), ...ids('-', change.removed)].join(' ');
  }
  const side = (value: unknown, digest: AuditChange['beforeDigest']) =>
    digest ? `<${digest.bytes} bytes, sha256 ${digest.sha256.slice(0, 12)}…>` : value === undefined ? '(none)' : short(JSON.stringify(value));
  return `${side(change.before, change.beforeDigest)} → ${side(change.after, change.afterDigest)}`;
}

const short = (text: string) => (text.length > 100 ? `${text.slice(0, 97)}...` : text);

function cursorPosition(cursor: string): string {
  try {
    return decodeAuditCursor(cursor);
  } catch {
    throw badCursor();
  }
}

function wholeNumber(text: string | undefined, fallback: number, name: string): number {
  if (text === undefined) return fallback;
  if (!/^\d{1,7}$/.test(text) || Number(text) < 1) throw new AuditCliError(`${name} must be a whole number of at least 1; got "${text}".`);
  return Number(text);
}

function message(error: unknown): string {
  if (error instanceof AuditCliError) return error.message;
  if (error instanceof InvalidPosition) return 'The cursor is not one this tool or the API gave; start again without one.';
  if (error instanceof ScimError) return error.detail;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
