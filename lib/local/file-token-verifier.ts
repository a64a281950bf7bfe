import { readFileSync, statSync } from 'node:fs';
import { matchToken, type TokenRecord, type TokenVerifier } from '../../lambda/http/auth';
import { parseTokenSecret } from '../../lambda/http/secret-tokens';

/**
 * Verifies tokens against the local endpoint's tokens file (the secret's JSON format, hashes
 * only). The file is re-read whenever it changes, so a token the CLI revokes is refused by
 * the very next request. A missing or malformed file accepts nothing (fail closed).
 */
export class FileTokenVerifier implements TokenVerifier {
  private records: TokenRecord[] = [];
  private seen = '';

  constructor(private readonly file: string) {}

  async verify(token: string): Promise<TokenRecord | undefined> {
    return matchToken(token, this.current());
  }

  private current(): TokenRecord[] {
    let stamp: string;
    try {
      const stat = statSync(this.file);
      stamp = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
    } catch {
      return (this.records = []);
    }
    if (stamp !== this.seen) {
      try {
        this.records = parseTokenSecret(readFileSync(this.file, 'utf8'));
      } catch {
        this.records = [];
      }
      this.seen = stamp;
    }
    return this.records;
  }
}

/** Accepts a token when any of `verifiers` does (SCIM_TOKEN, then the tokens file). */
export class AnyTokenVerifier implements TokenVerifier {
  constructor(private readonly verifiers: readonly TokenVerifier[]) {}

  async verify(token: string): Promise<TokenRecord | undefined> {
    for (const verifier of this.verifiers) {
      const record = await verifier.verify(token);
      if (record) return record;
    }
    return undefined;
  }
}
