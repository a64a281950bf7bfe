import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What a running `npm start` tells the CLIs through its data folder: where it serves, where its
 * DynamoDB Local listens, and its own directory. `npm run directory -- delete --local` deletes
 * a directory's items, and `npm run audit -- --local` reads the audit trail, through that
 * DynamoDB Local (one process owns the database file); with no endpoint running, the CLIs start
 * DynamoDB Local on the folder themselves.
 */
export const ENDPOINT_FILE = 'endpoint.json';

/** The table of the local endpoint (bin/local.ts), and of the CLIs that open its data folder. */
export const LOCAL_TABLE = 'scim-endpoint';

export interface LocalEndpointInfo {
  readonly baseUrl: string;
  readonly dynamodbEndpoint: string;
  readonly tableName: string;
  /** The deployment's own directory (at /scim/v2) and its profile. */
  readonly directoryId: string;
  readonly profile: string;
  readonly pid: number;
}

export function writeEndpointInfo(dataDir: string, info: LocalEndpointInfo): void {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, ENDPOINT_FILE), JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
}

/** The running endpoint's information, or undefined when none runs on this folder (the file is stale or absent). */
export function readEndpointInfo(dataDir: string): LocalEndpointInfo | undefined {
  const file = join(dataDir, ENDPOINT_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as LocalEndpointInfo;
    process.kill(info.pid, 0);
    return info;
  } catch {
    return undefined;
  }
}

export function removeEndpointInfo(dataDir: string): void {
  rmSync(join(dataDir, ENDPOINT_FILE), { force: true });
}
