import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../../lambda/http/log';
import type { ProfileName } from '../../lambda/scim/profiles/profile';
import { CONSOLE_DIR } from '../../lib/console/static';
import { runDirectoryCli } from '../../lib/directories/cli';
import { writeEndpointInfo } from '../../lib/local/endpoint-file';
import { FileTokenVerifier } from '../../lib/local/file-token-verifier';
import { startLocalServer } from '../../lib/local/server';
import { LOCAL_TOKENS_FILE, runTokenCli } from '../../lib/tokens/cli';
import { freshTable } from './dynamo';

/**
 * The local endpoint as `npm start` runs it on a data folder, in this process: a fresh table on
 * the run's DynamoDB Local, tokens.json read by the FileTokenVerifier, and the endpoint.json the
 * CLIs find it by. Directories and tokens are made with the real CLIs (`npm run directory`,
 * `npm run token`) on the same folder.
 */
export async function startDirectoriesServer(options: { profile?: ProfileName; logger?: Logger; console?: boolean } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'scim-directories-'));
  const table = await freshTable('directories-http');
  const local = await startLocalServer({
    store: { client: table.client, tableName: table.tableName, directoryId: 'default' },
    verifier: new FileTokenVerifier(join(dataDir, LOCAL_TOKENS_FILE)),
    logger: options.logger ?? silentLogger,
    port: 0,
    profile: options.profile ?? 'rfc',
    ...(options.console ? { consoleDir: CONSOLE_DIR } : {}),
  });
  writeEndpointInfo(dataDir, {
    baseUrl: local.baseUrl,
    dynamodbEndpoint: table.endpoint,
    tableName: table.tableName,
    directoryId: 'default',
    profile: options.profile ?? 'rfc',
    pid: process.pid,
  });
  const run = async (cli: (argv: string[], output: { out(t: string): void; err(t: string): void }, env: NodeJS.ProcessEnv) => Promise<number>, argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await cli([...argv, '--local', '--data-dir', dataDir], { out: (t) => out.push(t), err: (t) => err.push(t) }, {});
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  /** `npm run directory -- ...` on this folder. */
  const directory = (...argv: string[]) => run(runDirectoryCli, argv);
  /** `npm run token -- ...` on this folder. */
  const token = (...argv: string[]) => run(runTokenCli, argv);
  let tokensMade = 0;
  /** A new token of `directory` (the deployment's own when undefined), named `<directory>-<n>`. */
  const newToken = async (dir?: string, name = `${dir ?? 'default'}-${++tokensMade}`): Promise<string> => {
    const made = await token('create', '--name', name, ...(dir ? ['--directory', dir] : []));
    const found = /^ {2}([A-Za-z0-9_-]{43})$/m.exec(made.out)?.[1];
    if (made.code !== 0 || !found) throw new Error(`token create failed: ${made.err || made.out}`);
    return found;
  };
  /** A directory made with the CLI; returns what `create --json` printed, its first token included. */
  const newDirectory = async (
    id: string,
    profile: ProfileName = 'rfc',
  ): Promise<{ id: string; baseUrl: string; profile: string; name: string; firstToken: { id: string; name: string; scope: string; directory: string; token: string } }> => {
    const made = await directory('create', id, '--profile', profile, '--name', `Directory ${id}`, '--json');
    if (made.code !== 0) throw new Error(`directory create failed: ${made.err}`);
    return JSON.parse(made.out);
  };
  return {
    ...local,
    dataDir,
    table,
    directory,
    token,
    newToken,
    newDirectory,
    async stop() {
      await local.close();
      table.client.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A SCIM client of one Base URL and token (test/support/server.ts). */
export { scimAt } from './server';
