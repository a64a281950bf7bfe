import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TokenRecord } from '../../lambda/http/auth';
import { formatTokenSecret, parseTokenSecretStrict, TokenSetError } from './token-set';

/** Where a token list lives: the deployed stack's secret or the local endpoint's tokens file. */
export interface TokenStore {
  /** Says where, for the CLI's output (never a token). */
  readonly description: string;
  read(): Promise<TokenRecord[]>;
  write(records: readonly TokenRecord[]): Promise<void>;
}

/** The Secrets Manager secret the functions read (standard AWS credential chain and region). */
export class SecretsManagerTokenStore implements TokenStore {
  constructor(
    private readonly secretId: string,
    private readonly client: SecretsManagerClient = new SecretsManagerClient({}),
  ) {}

  get description(): string {
    return `secret ${this.secretId}`;
  }

  async read(): Promise<TokenRecord[]> {
    const { SecretString } = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
    return parseTokenSecretStrict(SecretString ?? '');
  }

  async write(records: readonly TokenRecord[]): Promise<void> {
    await this.client.send(new PutSecretValueCommand({ SecretId: this.secretId, SecretString: formatTokenSecret(records) }));
  }
}

/** The local endpoint's `<SCIM_DATA_DIR>/tokens.json`: same format as the secret, mode 0600, replaced atomically. */
export class FileTokenStore implements TokenStore {
  constructor(private readonly file: string) {}

  get description(): string {
    return `file ${this.file}`;
  }

  async read(): Promise<TokenRecord[]> {
    return existsSync(this.file) ? parseTokenSecretStrict(readFileSync(this.file, 'utf8')) : [];
  }

  async write(records: readonly TokenRecord[]): Promise<void> {
    writeTokenFile(this.file, records);
  }
}

/** Writes a tokens file atomically (a reader sees the old or the new list, never half of one). */
export function writeTokenFile(file: string, records: readonly TokenRecord[]): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 }); // the local data folder: owner only
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, formatTokenSecret(records) + '\n', { mode: 0o600 });
  renameSync(temporary, file);
}

/** The token secret's ARN from the stack's `TokenSecretArn` output. */
export async function secretArnOfStack(stackName: string, client = new CloudFormationClient({})): Promise<string> {
  const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
  const arn = Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === 'TokenSecretArn')?.OutputValue;
  if (!arn) throw new TokenSetError(`Stack ${stackName} has no TokenSecretArn output: is it a scim-endpoint stack?`);
  return arn;
}
