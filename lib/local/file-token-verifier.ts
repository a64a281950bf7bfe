import { readFileSync, statSync } from 'node:fs';
import { matchToken, type TokenRecord, type TokenVerifier } from '../../lambda/http/auth';
import type { DirectoryEntry } from '../../lambda/http/directories';
import { parseTokenDocument, type TokenDocument } from '../../lambda/http/secret-tokens';

/**
 * Verifies tokens against the local endpoint's tokens file (the secret's JSON format, hashes
 * only, and the directories registered with them). The file is re-read whenever it changes,
 * so a token the CLI revokes, or a directory it deletes, is refused by the very next request.
 * A missing or malformed file accepts nothing (fail closed).
 */
export class FileTokenVerifier implements TokenVerifier {
  private document: TokenDocument = { tokens: [], directories: [] };
  private seen = '';

  constructor(private readonly file: string) {}

  async verify(token: string): Promise<TokenRecord | undefined> {
    return matchToken(token, this.current().tokens);
  }

  async directory(id: string): Promise<DirectoryEntry | undefined> {
    return this.current().directories.find((d) => d.id === id);
  }

  private current(): TokenDocument {
    let stamp: string;
    try {
      const stat = statSync(this.file);
      stamp = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
    } catch {
      return (this.document = { tokens: [], directories: [] });
    }
    if (stamp !== this.seen) {
      try {
        this.document = parseTokenDocument(readFileSync(this.file, 'utf8'));
      } catch {
        this.document = { tokens: [], directories: [] };
      }
      this.seen = stamp;
    }
    return this.document;
  }
}

/** Accepts a token when any of `verifiers` does (SCIM_TOKEN, then the tokens file); directories from the first that knows one. */
export class AnyTokenVerifier implements TokenVerifier {
  constructor(private readonly verifiers: readonly TokenVerifier[]) {}

  async verify(token: string): Promise<TokenRecord | undefined> {
    for (const verifier of this.verifiers) {
      const record = await verifier.verify(token);
      if (record) return record;
    }
    return undefined;
  }

  async directory(id: string): Promise<DirectoryEntry | undefined> {
    for (const verifier of this.verifiers) {
      const entry = await verifier.directory?.(id);
      if (entry) return entry;
    }
    return undefined;
  }
}
