import { createHash, timingSafeEqual } from 'node:crypto';
import { unauthorized } from '../scim/errors';
import type { DirectoryEntry } from './directories';
import type { Caller, ScimRequest } from './types';

/** Finds the token record a presented bearer token matches, if it is currently valid. */
export interface TokenVerifier {
  /** The matched record, or undefined for an unknown, expired or malformed token. */
  verify(token: string): Promise<TokenRecord | undefined>;
  /**
   * A directory other than the deployment's own, from the same list the tokens come from
   * (lambda/http/directories.ts); undefined when it is not registered. A verifier without
   * directories serves the deployment's own alone.
   */
  directory?(id: string): Promise<DirectoryEntry | undefined>;
}

/** What a token may do: `provision` everything the SCIM API allows, `read` only reads (issue 15 enforces it). */
export type TokenScope = 'provision' | 'read';
export const TOKEN_SCOPES: readonly TokenScope[] = ['provision', 'read'];

/** One accepted token as the secret keeps it: never the token, only its SHA-256. */
export interface TokenRecord {
  readonly id: string;
  /** base64url SHA-256 of the token. */
  readonly sha256: string;
  readonly createdAt?: string;
  /** ISO date after which the token is refused. */
  readonly expiresAt?: string;
  /** A name given at creation (e.g. `okta-prod`); absent: the id. */
  readonly name?: string;
  /** Absent: `provision`. */
  readonly scope?: TokenScope;
  /** The directory the token belongs to; absent: `default`. */
  readonly directory?: string;
}

/** The directory of a token record without one, and of a deployment that names none. */
export const DEFAULT_DIRECTORY = 'default';

/**
 * Who a token record says the caller is, with the defaults of records written before names,
 * scopes and directories: a token naming no directory belongs to the deployment's own, `home`.
 */
export function callerOf(record: TokenRecord, home: string = DEFAULT_DIRECTORY): Caller {
  return {
    tokenId: record.id,
    name: record.name ?? record.id,
    scope: record.scope ?? 'provision',
    directory: record.directory ?? home,
  };
}

/**
 * The refusal of a token that is not valid here: unknown, expired, of another directory, or of
 * a deleted one. One error for all, so that a refusal never tells which.
 */
export const invalidToken = () => unauthorized('The bearer token is not valid.');

/** The SHA-256 of a token, as stored. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/**
 * The live record a token matches, compared in constant time against every stored hash (all
 * are compared, whatever matches first). Of two live listings of one token, the first wins.
 */
export function matchToken(token: string, records: readonly TokenRecord[], now: Date = new Date()): TokenRecord | undefined {
  const presented = createHash('sha256').update(token, 'utf8').digest();
  let match: TokenRecord | undefined;
  for (const record of records) {
    const stored = Buffer.from(record.sha256, 'base64url');
    const equal = stored.length === presented.length && timingSafeEqual(stored, presented);
    // An expiry that is present but not a date fails closed.
    const live = record.expiresAt === undefined || (typeof record.expiresAt === 'string' && Date.parse(record.expiresAt) > now.getTime());
    if (equal && live && match === undefined) match = record;
  }
  return match;
}

/** Accepts exactly one token, as the local endpoint does with SCIM_TOKEN. */
export class StaticTokenVerifier implements TokenVerifier {
  private readonly records: TokenRecord[];
  constructor(token: string, id = 'local') {
    this.records = [{ id, sha256: hashToken(token) }];
  }
  async verify(token: string): Promise<TokenRecord | undefined> {
    return matchToken(token, this.records);
  }
}

/** Accepts the tokens whose hashes are given (sam local invoke's one token), with the directories given. */
export class RecordsTokenVerifier implements TokenVerifier {
  constructor(
    private readonly records: readonly TokenRecord[],
    private readonly directories: readonly DirectoryEntry[] = [],
  ) {}
  async verify(token: string): Promise<TokenRecord | undefined> {
    return matchToken(token, this.records);
  }
  async directory(id: string): Promise<DirectoryEntry | undefined> {
    return this.directories.find((d) => d.id === id);
  }
}

const BEARER = /^Bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i;

/** The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1), or undefined when it is not one. */
export function bearerToken(header: string | undefined): string | undefined {
  return header ? BEARER.exec(header)?.[1] : undefined;
}

/**
 * Checks the Authorization header (RFC 6750 §2.1) and says who the caller is. A missing,
 * malformed or unknown token is a 401 with WWW-Authenticate; the detail never repeats what
 * was presented.
 */
export async function authenticate(request: ScimRequest, verifier: TokenVerifier, home: string = DEFAULT_DIRECTORY): Promise<Caller> {
  const header = request.headers.authorization;
  if (!header) throw unauthorized('Authentication required: send "Authorization: Bearer <token>".');
  const token = bearerToken(header);
  if (!token) throw unauthorized('The Authorization header must use the Bearer scheme with a token.');
  const record = await verifier.verify(token);
  if (!record) throw invalidToken();
  return callerOf(record, home);
}
