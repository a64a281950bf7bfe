import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { join, resolve } from 'node:path';
import { SCIM_BASE_PATH } from '../../lambda/http/request';
import { TOKEN_CACHE_TTL_MS } from '../../lambda/http/secret-tokens';
import { createDocumentClient } from '../../lambda/store/client';
import { DynamoDirectoryData } from '../../lambda/store/directory-data';
import type { DirectoryData } from '../../lambda/store/types';
import { ensureTable, LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal } from '../local/dynamodb-local';
import { LOCAL_TABLE, readEndpointInfo } from '../local/endpoint-file';
import { LOCAL_TOKENS_FILE } from '../tokens/cli';
import { FileTokenStore, SecretsManagerTokenStore, type TokenStore } from '../tokens/stores';
import { TokenSetError } from '../tokens/token-set';
import { UsagePlanKeys } from './usage-keys';

/**
 * The longest a request accepted before a directory's tokens were removed may still run: API
 * Gateway ends every request at 29 s (the functions at 28 s); locally the same bound is kept.
 */
const REQUEST_BOUND_MS = 30_000;

/** The table's items of directories, open for a deletion. */
export interface OpenData {
  readonly data: DirectoryData;
  close(): Promise<void>;
}

/** Where `npm run directory` works: a deployed stack, or the local endpoint's data folder. */
export interface DirectoryTarget {
  /** Says where, for the CLI's output. */
  readonly description: string;
  /** The target's flags, for the commands the CLI suggests next. */
  readonly flags: string;
  /** The token list that registers the directories. */
  readonly tokens: TokenStore;
  /** The deployment's own directory (at /scim/v2). */
  readonly home: string;
  /** The deployment's own Base URL, ending in /scim/v2. */
  readonly homeBaseUrl: string;
  /** Deployed: the usage-plan keys of directories. */
  readonly usageKeys?: UsagePlanKeys;
  /**
   * How long after a directory's tokens are removed a request may still write in it: the
   * functions' and the authorizer's copy of the token list (60 s, deployed; none locally) and
   * the longest request. The deletion sweeps again once this has passed.
   */
  readonly graceMs: number;
  openData(): Promise<OpenData>;
}

/** The deployed stack's target, from its outputs (cloudformation:DescribeStacks). */
export async function stackTarget(stackName: string, client = new CloudFormationClient({})): Promise<DirectoryTarget> {
  const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs = Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
  const missing = ['ScimBaseUrl', 'TokenSecretArn', 'TableName', 'UsagePlanId', 'UsageKeySalt'].filter((k) => !outputs[k]);
  if (missing.length > 0) {
    throw new TokenSetError(`Stack ${stackName} has no ${missing.join(', ')} output: is it a scim-endpoint stack deployed with this version?`);
  }
  return {
    description: `stack ${stackName}`,
    flags: `--stack ${stackName}`,
    tokens: new SecretsManagerTokenStore(outputs.TokenSecretArn!),
    home: outputs.DirectoryId ?? 'default',
    homeBaseUrl: outputs.ScimBaseUrl!,
    usageKeys: new UsagePlanKeys(outputs.UsagePlanId!, outputs.UsageKeySalt!, stackName),
    graceMs: TOKEN_CACHE_TTL_MS + REQUEST_BOUND_MS,
    async openData() {
      // The standard chain: AWS_REGION, AWS_PROFILE, and AWS_ENDPOINT_URL_DYNAMODB when set.
      const documents = createDocumentClient();
      return { data: new DynamoDirectoryData(documents, outputs.TableName!), close: async () => documents.destroy() };
    },
  };
}

/**
 * The local endpoint's target: `<data dir>/tokens.json`, and its table through the DynamoDB
 * Local of a running `npm start` (its endpoint.json), or one started here on the folder.
 */
export function localTarget(dataDirOption: string | undefined, env: NodeJS.ProcessEnv): DirectoryTarget {
  const dataDir = resolve(dataDirOption ?? env.SCIM_DATA_DIR ?? '.scim-local');
  const running = readEndpointInfo(dataDir);
  return {
    description: `local endpoint ${dataDir}`,
    flags: dataDirOption === undefined ? '--local' : `--local --data-dir ${dataDirOption}`,
    tokens: new FileTokenStore(join(dataDir, LOCAL_TOKENS_FILE)),
    home: running?.directoryId ?? 'default',
    homeBaseUrl: running?.baseUrl ?? `http://127.0.0.1:${env.PORT ?? '8080'}${SCIM_BASE_PATH}`,
    // The local endpoint re-reads tokens.json on every request: only requests already running count.
    graceMs: REQUEST_BOUND_MS,
    async openData() {
      const now = readEndpointInfo(dataDir);
      if (now) {
        const documents = createDocumentClient({ endpoint: now.dynamodbEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
        return { data: new DynamoDirectoryData(documents, now.tableName), close: async () => documents.destroy() };
      }
      const dynamo = await startDynamoDbLocal({ dataDir: join(dataDir, 'dynamodb') });
      await ensureTable(dynamo.endpoint, LOCAL_TABLE);
      const documents = createDocumentClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
      return {
        data: new DynamoDirectoryData(documents, LOCAL_TABLE),
        async close() {
          documents.destroy();
          await dynamo.stop();
        },
      };
    },
  };
}
