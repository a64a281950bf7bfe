import { randomBytes } from 'node:crypto';
import { hashToken, TOKEN_SCOPES, type TokenRecord, type TokenScope } from '../../lambda/http/auth';
import { isDirectoryEntry, type DirectoryEntry } from '../../lambda/http/directories';
import { isTokenRecord, type TokenDocument } from '../../lambda/http/secret-tokens';

/**
 * The rules of the token list, as in AWS IAM Identity Center: at most two active tokens (so a
 * rotation never leaves the identity provider without a working one), each with an expiry.
 * Pure functions over the list the secret (or the local tokens file) holds.
 */

/** Active tokens allowed at once. */
export const MAX_ACTIVE_TOKENS = 2;
/** A new token's lifetime unless told otherwise. */
export const DEFAULT_EXPIRY_DAYS = 365;
/** How long `rotate` lets the old token keep working, so the identity provider can be updated. */
export const DEFAULT_GRACE_HOURS = 24;

const DAY_MS = 86_400_000;

/** A refusal the CLI shows as it is (no stack trace). */
export class TokenSetError extends Error {}

/**
 * A token's name: what the audit trail and the logs call it (`jumpcloud`, `okta-prod`,
 * `hr-reader`). Letters, digits, `.`, `_` and `-`, starting with a letter or digit, at most 64:
 * it is shown in tables and filtered on, so it holds nothing that needs quoting.
 */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** What a new token is called and may do. */
export interface TokenOptions {
  readonly name: string;
  /** @default 'provision' */
  readonly scope?: TokenScope;
}

/** Checks a name and a scope as the CLI takes them; throws TokenSetError saying what is wrong. */
export function checkTokenOptions(options: TokenOptions): Required<TokenOptions> {
  if (!NAME.test(options.name)) {
    throw new TokenSetError(`A token name is 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit (e.g. okta-prod); got "${options.name.slice(0, 80)}".`);
  }
  const scope = options.scope ?? 'provision';
  if (!TOKEN_SCOPES.includes(scope)) throw new TokenSetError(`The scope is one of ${TOKEN_SCOPES.join(', ')}; got "${String(scope).slice(0, 40)}".`);
  return { name: options.name, scope };
}

/** The name a record goes by: its own, or (made before tokens had names) its id. */
export const nameOf = (record: TokenRecord) => record.name ?? record.id;
/** The scope a record has: its own, or (made before scopes) `provision`. */
export const scopeOf = (record: TokenRecord): TokenScope => record.scope ?? 'provision';

/** Whether the record is accepted at `now` (an entry without expiry never expires). */
export function isActive(record: TokenRecord, now: Date): boolean {
  return record.expiresAt === undefined || Date.parse(record.expiresAt) > now.getTime();
}

/** A new secret token: 32 random bytes, base64url (43 characters, fits any Token Key field). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The result of issuing a token: the token itself (shown once) and the list to store. */
export interface Issued {
  readonly token: string;
  readonly record: TokenRecord;
  readonly records: TokenRecord[];
}

/**
 * Adds a token with its name and scope; refused when two are already active. Expired entries
 * are dropped: the list keeps only what verifies.
 */
export function issueToken(
  records: readonly TokenRecord[],
  now: Date,
  expiresInDays: number,
  options: TokenOptions,
  token = newToken(),
): Issued {
  const { name, scope } = checkTokenOptions(options);
  if (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > 3650) {
    throw new TokenSetError(`The expiry must be a whole number of days from 1 to 3650; got ${expiresInDays}.`);
  }
  const live = records.filter((r) => isActive(r, now));
  if (live.length >= MAX_ACTIVE_TOKENS) {
    throw new TokenSetError(
      `${live.length} tokens are already active (at most ${MAX_ACTIVE_TOKENS}): revoke one first (revoke <id>).`,
    );
  }
  const record: TokenRecord = {
    id: `tok-${randomBytes(6).toString('hex')}`,
    sha256: hashToken(token),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + expiresInDays * DAY_MS).toISOString(),
    name,
    scope,
  };
  return { token, record, records: [...live, record] };
}

/** Removes the token with this id; an unknown id is refused, so a typo never reads as success. */
export function revokeToken(records: readonly TokenRecord[], id: string): TokenRecord[] {
  if (!records.some((r) => r.id === id)) throw new TokenSetError(`No token with id "${id}" (see list).`);
  return records.filter((r) => r.id !== id);
}

/**
 * Issues a new token and lets the active one expire after `graceHours`: time to paste the new
 * token into the identity provider, after which the old one stops working by itself. The new
 * token takes the old one's name and scope (and directory) unless `options` say otherwise, so
 * the audit trail shows the same provider before and after, told apart by the token id.
 */
export function rotateTokens(
  records: readonly TokenRecord[],
  now: Date,
  graceHours = DEFAULT_GRACE_HOURS,
  expiresInDays = DEFAULT_EXPIRY_DAYS,
  options: Partial<TokenOptions> = {},
): Issued {
  if (!Number.isInteger(graceHours) || graceHours < 0 || graceHours > 24 * 90) {
    throw new TokenSetError(`The grace period must be a whole number of hours from 0 to 2160; got ${graceHours}.`);
  }
  const live = records.filter((r) => isActive(r, now));
  if (live.length >= MAX_ACTIVE_TOKENS) {
    throw new TokenSetError('Two tokens are already active, so a rotation is under way: revoke the old one first.');
  }
  const cutoff = new Date(now.getTime() + graceHours * 3_600_000).toISOString();
  const shortened = live.map((r) =>
    r.expiresAt === undefined || Date.parse(r.expiresAt) > Date.parse(cutoff) ? { ...r, expiresAt: cutoff } : r,
  );
  const previous = live[0];
  const name = options.name ?? (previous ? nameOf(previous) : undefined);
  if (name === undefined) throw new TokenSetError('No active token to rotate: create one with --name NAME.');
  // A zero grace period ends the old token now: it is dropped rather than kept expired.
  const issued = issueToken(graceHours === 0 ? [] : shortened, now, expiresInDays, { name, scope: options.scope ?? (previous ? scopeOf(previous) : undefined) });
  if (previous?.directory === undefined) return issued;
  const record = { ...issued.record, directory: previous.directory };
  return { ...issued, record, records: issued.records.map((r) => (r.id === record.id ? record : r)) };
}

/**
 * The secret's JSON for a list: `{"tokens":[...]}`, with `"directories":[...]` once there are
 * directories besides the deployment's own: the format lambda/http/secret-tokens.ts reads.
 */
export function formatTokenSecret(records: readonly TokenRecord[], directories: readonly DirectoryEntry[] = []): string {
  return JSON.stringify(directories.length > 0 ? { tokens: records, directories } : { tokens: records });
}

/**
 * The most a token list may hold, in bytes: a Secrets Manager secret's value is at most 64 KiB.
 * About 300 tokens, or 200 directories with one token each (docs/operations.md).
 */
export const MAX_TOKEN_LIST_BYTES = 65_536;

/** Formats a document, refusing one that would not fit in the secret (nothing is written then). */
export function formatTokenDocument(document: TokenDocument): string {
  const text = formatTokenSecret(document.tokens, document.directories);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_TOKEN_LIST_BYTES) {
    throw new TokenSetError(
      `The token list would be ${bytes} bytes, more than the ${MAX_TOKEN_LIST_BYTES} a secret holds: revoke unused tokens or delete directories first. Nothing was changed.`,
    );
  }
  return text;
}

/** Reads the whole document strictly: the tokens, and the directories (which must be well-formed too). */
export function parseTokenDocumentStrict(text: string): TokenDocument {
  const tokens = parseTokenSecretStrict(text);
  const directories = (JSON.parse(text) as { directories?: unknown }).directories ?? [];
  if (!Array.isArray(directories) || !directories.every(isDirectoryEntry)) {
    throw new TokenSetError('The token store\'s "directories" are not [{id, name, profile, createdAt, state?}]; refusing to change it.');
  }
  return { tokens, directories };
}

/**
 * Reads the secret's JSON strictly: unlike the functions' parser (which fails closed), the CLI
 * must not overwrite a secret it does not understand.
 */
export function parseTokenSecretStrict(text: string): TokenRecord[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new TokenSetError('The token store is not JSON; refusing to change it.');
  }
  const tokens = (parsed as { tokens?: unknown })?.tokens;
  if (!Array.isArray(tokens) || !tokens.every(isTokenRecord)) {
    throw new TokenSetError('The token store is not {"tokens":[{id, sha256, createdAt, expiresAt, name?, scope?, directory?}]}; refusing to change it.');
  }
  return tokens;
}
