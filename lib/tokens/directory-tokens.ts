import type { TokenRecord } from '../../lambda/http/auth';
import type { TokenDocument } from '../../lambda/http/secret-tokens';
import { TokenSetError } from './token-set';

/**
 * The token rules (lib/tokens/token-set.ts: two active tokens, expiry) hold per directory: each
 * directory's identity provider rotates its own tokens. A token of the deployment's own
 * directory names none; `--directory default` means it too.
 */

/** The `--directory` a command was given, as a record stores it: undefined for the deployment's own. */
export function directoryOption(value: string | undefined): string | undefined {
  return value === undefined || value === 'default' ? undefined : value;
}

/** Whether a record belongs to `directory` (undefined: the deployment's own). */
export const belongsTo = (record: TokenRecord, directory: string | undefined) => record.directory === directory;

/** Refuses a directory the document does not register as active (so a token is never made for a deleted one). */
export function requireDirectory(document: TokenDocument, directory: string | undefined): void {
  if (directory === undefined) return;
  const entry = document.directories.find((d) => d.id === directory);
  if (!entry) throw new TokenSetError(`No directory "${directory.slice(0, 64)}": create it first (npm run directory -- create ${directory.slice(0, 64)} ...).`);
  if (entry.state) throw new TokenSetError(`Directory "${directory}" is being deleted.`);
}

/**
 * Applies a rule to one directory's tokens only, keeping every other directory's as they are;
 * the records the rule adds are given the directory.
 */
export function withinDirectory(records: readonly TokenRecord[], directory: string | undefined, rule: (mine: TokenRecord[]) => TokenRecord[]): TokenRecord[] {
  const mine = records.filter((r) => belongsTo(r, directory));
  const others = records.filter((r) => !belongsTo(r, directory));
  const next = rule(mine).map((r) => (directory !== undefined && r.directory === undefined ? { ...r, directory } : r));
  return [...others, ...next];
}
