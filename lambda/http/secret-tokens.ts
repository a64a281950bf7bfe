import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { unavailable } from '../scim/errors';
import { matchToken, TOKEN_SCOPES, type TokenRecord, type TokenVerifier } from './auth';
import { isDirectoryEntry, type DirectoryEntry } from './directories';
import { SECRETS_RETRY_AFTER_SECONDS, TOKEN_CACHE_TTL_MS } from './token-cache';

export { SECRETS_RETRY_AFTER_SECONDS, TOKEN_CACHE_TTL_MS } from './token-cache';

/** On an unknown token the list is re-read, but not more often than this (a new token works within it). */
const REFRESH_ON_MISS_MS = 10_000;

/**
 * Verifies bearer tokens against the Secrets Manager secret `{"tokens":[TokenRecord...],
 * "directories":[DirectoryEntry...]}`, fetched once per container and cached with a TTL; the
 * directories come from the same copy, so a directory's entry and its tokens agree. When Secrets Manager cannot be read and
 * the copy is older than the TTL, the request is answered 503 with Retry-After: never a 500,
 * and never a stale list past the revocation bound.
 */
export class SecretTokenVerifier implements TokenVerifier {
  private records: TokenRecord[] = [];
  private directories: DirectoryEntry[] = [];
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private pending?: Promise<void>;

  constructor(
    private readonly secretId: string,
    private readonly client: SecretsManagerClient = new SecretsManagerClient({}),
    private readonly now: () => number = Date.now,
    /** How long a fetched copy is trusted; the edge authorizer uses less, since API Gateway caches its answers too. */
    private readonly ttlMs: number = TOKEN_CACHE_TTL_MS,
  ) {}

  async verify(token: string): Promise<TokenRecord | undefined> {
    await this.fresh();
    const found = matchToken(token, this.records, new Date(this.now()));
    if (found || this.now() - this.fetchedAt <= REFRESH_ON_MISS_MS) return found;
    // The copy is still within its TTL: when the re-read fails, it answers (a 401 for this token).
    await this.refresh().catch(() => undefined);
    return matchToken(token, this.records, new Date(this.now()));
  }

  /** The directory as the same copy of the list registers it (read after verify, it is the copy verify used). */
  async directory(id: string): Promise<DirectoryEntry | undefined> {
    await this.fresh();
    return this.directories.find((d) => d.id === id);
  }

  /** Re-reads the list when the copy is older than the TTL; a failure then is a 503. */
  private async fresh(): Promise<void> {
    if (this.now() - this.fetchedAt <= this.ttlMs) return;
    await this.refresh().catch((error: unknown) => {
      // No credentials is this function's own misconfiguration, not an outage: an unexpected error (logged, 500).
      if (isMissingCredentials(error)) throw error;
      throw unavailable('The token list cannot be read right now; retry shortly.', SECRETS_RETRY_AFTER_SECONDS);
    });
  }

  private refresh(): Promise<void> {
    this.pending ??= this.load().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async load(): Promise<void> {
    const { SecretString } = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
    const document = parseTokenDocument(SecretString ?? '');
    this.records = document.tokens;
    this.directories = document.directories;
    this.fetchedAt = this.now();
  }
}

/** The SDK's own "no credentials" error, or the function bundles' wrapper of it (lambda/handlers/env-credentials.ts). */
function isMissingCredentials(error: unknown): boolean {
  const named = (e: unknown) => e instanceof Error && e.name === 'CredentialsProviderError';
  return named(error) || (error instanceof Error && named(error.cause));
}

/** Whether `value` is a well-formed token record; the optional fields, when present, must have their types. */
export function isTokenRecord(value: unknown): value is TokenRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  const optionalString = (key: string) => r[key] === undefined || (typeof r[key] === 'string' && r[key] !== '');
  return (
    typeof r.id === 'string' &&
    typeof r.sha256 === 'string' &&
    (r.expiresAt === undefined || typeof r.expiresAt === 'string') &&
    (r.createdAt === undefined || typeof r.createdAt === 'string') &&
    optionalString('name') &&
    optionalString('directory') &&
    (r.scope === undefined || (TOKEN_SCOPES as readonly unknown[]).includes(r.scope))
  );
}

/**
 * Reads the secret's JSON; anything malformed yields no accepted token (fail closed). A record
 * with a scope this version does not know is dropped, never taken for a wider one.
 */
export function parseTokenSecret(text: string): TokenRecord[] {
  return parseTokenDocument(text).tokens;
}

/** The token list as stored: the tokens, and the directories besides the deployment's own. */
export interface TokenDocument {
  readonly tokens: TokenRecord[];
  readonly directories: DirectoryEntry[];
}

/** Reads the secret's JSON, failing closed: malformed records and entries are dropped, malformed JSON yields nothing. */
export function parseTokenDocument(text: string): TokenDocument {
  try {
    const parsed = JSON.parse(text) as { tokens?: unknown; directories?: unknown };
    return {
      tokens: Array.isArray(parsed.tokens) ? parsed.tokens.filter(isTokenRecord) : [],
      directories: Array.isArray(parsed.directories) ? parsed.directories.filter(isDirectoryEntry) : [],
    };
  } catch {
    return { tokens: [], directories: [] };
  }
}
