import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, PutSecretValueCommand, ResourceExistsException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TokenRecord } from '../../lambda/http/auth';
import type { TokenDocument } from '../../lambda/http/secret-tokens';
import { formatTokenDocument, parseTokenDocumentStrict, TokenSetError } from './token-set';

/** A change to the token list: the list to store, and what to tell the operator. */
export type TokenChange<T> = (records: TokenRecord[]) => { records: TokenRecord[]; result: T };

/** A change to the whole document (tokens and directories): the document to store, and what to tell the operator. */
export type DocumentChange<T> = (document: TokenDocument) => { document: TokenDocument; result: T };

/**
 * Where a token list lives: the deployed stack's secret or the local endpoint's tokens file.
 * A change is applied to the list as it is when it is stored: two operators changing the list
 * at once both see their change kept, never one overwriting the other. The list also registers
 * the directories besides the deployment's own (`npm run directory`): a change of the tokens
 * keeps them, and a change of both (a directory deleted with its tokens) is one write.
 */
export interface TokenStore {
  /** Says where, for the CLI's output (never a token). */
  readonly description: string;
  read(): Promise<TokenRecord[]>;
  update<T>(change: TokenChange<T>): Promise<T>;
  readDocument(): Promise<TokenDocument>;
  updateDocument<T>(change: DocumentChange<T>): Promise<T>;
}

/** A change of the tokens alone, as a change of the document that keeps its directories. */
const tokensOnly =
  <T>(change: TokenChange<T>): DocumentChange<T> =>
  (document) => {
    const { records, result } = change(document.tokens);
    return { document: { ...document, tokens: records }, result };
  };

/** How often a change is re-applied when another writer keeps getting there first. */
const MAX_ATTEMPTS = 5;

/**
 * The version id a change of version `read` is written as. Secrets Manager refuses a second,
 * different value under one version id (ResourceExistsException): so of two writers who read the
 * same version, exactly one creates its successor, and the other re-reads and re-applies its change.
 */
export function successorVersion(read: string): string {
  const h = createHash('sha256').update(`scim-endpoint token list after ${read}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
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
    return (await this.readDocument()).tokens;
  }

  update<T>(change: TokenChange<T>): Promise<T> {
    return this.updateDocument(tokensOnly(change));
  }

  async readDocument(): Promise<TokenDocument> {
    const { SecretString } = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
    return parseTokenDocumentStrict(SecretString ?? '');
  }

  async updateDocument<T>(change: DocumentChange<T>): Promise<T> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const { SecretString, VersionId } = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
      const { document, result } = change(parseTokenDocumentStrict(SecretString ?? ''));
      try {
        await this.client.send(
          new PutSecretValueCommand({
            SecretId: this.secretId,
            SecretString: formatTokenDocument(document),
            ClientRequestToken: successorVersion(VersionId ?? ''),
          }),
        );
        return result;
      } catch (error) {
        // Another operator wrote the successor of the version read: start again from theirs.
        if (!(error instanceof ResourceExistsException)) throw error;
      }
    }
    throw new TokenSetError(`The token secret changed under each of ${MAX_ATTEMPTS} attempts (another operator at work?): nothing was changed; try again.`);
  }
}

/** The local endpoint's `<SCIM_DATA_DIR>/tokens.json`: same format as the secret, mode 0600, replaced atomically. */
export class FileTokenStore implements TokenStore {
  constructor(private readonly file: string) {}

  get description(): string {
    return `file ${this.file}`;
  }

  async read(): Promise<TokenRecord[]> {
    return (await this.readDocument()).tokens;
  }

  update<T>(change: TokenChange<T>): Promise<T> {
    return this.updateDocument(tokensOnly(change));
  }

  async readDocument(): Promise<TokenDocument> {
    return existsSync(this.file) ? parseTokenDocumentStrict(readFileSync(this.file, 'utf8')) : { tokens: [], directories: [] };
  }

  async updateDocument<T>(change: DocumentChange<T>): Promise<T> {
    const release = await lockFile(`${this.file}.lock`);
    try {
      const { document, result } = change(await this.readDocument());
      writeTokenDocument(this.file, document);
      return result;
    } finally {
      release();
    }
  }
}

/** A lock older than this is taken to be left by a crashed CLI and broken. */
const STALE_LOCK_MS = 30_000;

/** An exclusive lock file (O_EXCL create), waited for up to 10 s; returns its release. */
async function lockFile(path: string): Promise<() => void> {
  mkdirSync(dirname(path), { recursive: true });
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      closeSync(openSync(path, 'wx', 0o600));
      return () => unlinkSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      try {
        if (Date.now() - statSync(path).mtimeMs > STALE_LOCK_MS) unlinkSync(path);
      } catch {
        // Released meanwhile: try again at once.
      }
      if (Date.now() > deadline) throw new TokenSetError(`${path} is held by another token command; try again.`);
      await new Promise((done) => setTimeout(done, 25));
    }
  }
}

/** Writes a tokens file atomically (a reader sees the old or the new list, never half of one). */
export function writeTokenFile(file: string, records: readonly TokenRecord[]): void {
  writeTokenDocument(file, { tokens: [...records], directories: [] });
}

/** Writes a whole document (tokens and directories) atomically. */
export function writeTokenDocument(file: string, document: TokenDocument): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 }); // the local data folder: owner only
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, formatTokenDocument(document) + '\n', { mode: 0o600 });
  renameSync(temporary, file);
}

/** The token secret's ARN from the stack's `TokenSecretArn` output. */
export async function secretArnOfStack(stackName: string, client = new CloudFormationClient({})): Promise<string> {
  const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
  const arn = Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === 'TokenSecretArn')?.OutputValue;
  if (!arn) throw new TokenSetError(`Stack ${stackName} has no TokenSecretArn output: is it a scim-endpoint stack?`);
  return arn;
}
