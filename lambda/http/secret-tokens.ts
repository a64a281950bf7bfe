import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { matchesAny, type TokenRecord, type TokenVerifier } from './auth';

/** How long a container trusts its copy of the token list; a revoked token is refused after at most this. */
export const TOKEN_CACHE_TTL_MS = 60_000;
/** On an unknown token the list is re-read, but not more often than this (a new token works within it). */
const REFRESH_ON_MISS_MS = 10_000;

/**
 * Verifies bearer tokens against the Secrets Manager secret `{"tokens":[TokenRecord...]}`,
 * fetched once per container and cached with a TTL.
 */
export class SecretTokenVerifier implements TokenVerifier {
  private records: TokenRecord[] = [];
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private pending?: Promise<void>;

  constructor(
    private readonly secretId: string,
    private readonly client: SecretsManagerClient = new SecretsManagerClient({}),
    private readonly now: () => number = Date.now,
  ) {}

  async verify(token: string): Promise<boolean> {
    if (this.now() - this.fetchedAt > TOKEN_CACHE_TTL_MS) await this.refresh();
    if (matchesAny(token, this.records, new Date(this.now()))) return true;
    if (this.now() - this.fetchedAt <= REFRESH_ON_MISS_MS) return false;
    await this.refresh();
    return matchesAny(token, this.records, new Date(this.now()));
  }

  private refresh(): Promise<void> {
    this.pending ??= this.load().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async load(): Promise<void> {
    const { SecretString } = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
    this.records = parseTokenSecret(SecretString ?? '');
    this.fetchedAt = this.now();
  }
}

/** Reads the secret's JSON; anything malformed yields no accepted token (fail closed). */
export function parseTokenSecret(text: string): TokenRecord[] {
  try {
    const parsed = JSON.parse(text) as { tokens?: unknown };
    if (!Array.isArray(parsed.tokens)) return [];
    return parsed.tokens.filter(
      (t): t is TokenRecord =>
        typeof t === 'object' &&
        t !== null &&
        typeof (t as TokenRecord).sha256 === 'string' &&
        ((t as TokenRecord).expiresAt === undefined || typeof (t as TokenRecord).expiresAt === 'string'),
    );
  } catch {
    return [];
  }
}
