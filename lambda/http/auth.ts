import { createHash, timingSafeEqual } from 'node:crypto';
import { unauthorized } from '../scim/errors';
import type { ScimRequest } from './types';

/** Decides whether a presented bearer token is currently valid. */
export interface TokenVerifier {
  verify(token: string): Promise<boolean>;
}

/** One accepted token as the secret keeps it: never the token, only its SHA-256. */
export interface TokenRecord {
  readonly id: string;
  /** base64url SHA-256 of the token. */
  readonly sha256: string;
  readonly createdAt?: string;
  /** ISO date after which the token is refused. */
  readonly expiresAt?: string;
}

/** The SHA-256 of a token, as stored. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/** Constant-time membership test of a token against stored hashes (all are compared). */
export function matchesAny(token: string, records: readonly TokenRecord[], now: Date = new Date()): boolean {
  const presented = createHash('sha256').update(token, 'utf8').digest();
  let match = false;
  for (const record of records) {
    const stored = Buffer.from(record.sha256, 'base64url');
    const equal = stored.length === presented.length && timingSafeEqual(stored, presented);
    // An expiry that is present but not a date fails closed.
    const live = record.expiresAt === undefined || (typeof record.expiresAt === 'string' && Date.parse(record.expiresAt) > now.getTime());
    match = (equal && live) || match;
  }
  return match;
}

/** Accepts exactly one token, as the local endpoint does. */
export class StaticTokenVerifier implements TokenVerifier {
  private readonly records: TokenRecord[];
  constructor(token: string) {
    this.records = [{ id: 'local', sha256: hashToken(token) }];
  }
  async verify(token: string): Promise<boolean> {
    return matchesAny(token, this.records);
  }
}

/** Accepts the tokens whose hashes are given (sam local invoke's one token). */
export class RecordsTokenVerifier implements TokenVerifier {
  constructor(private readonly records: readonly TokenRecord[]) {}
  async verify(token: string): Promise<boolean> {
    return matchesAny(token, this.records);
  }
}

const BEARER = /^Bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i;

/**
 * Checks the Authorization header (RFC 6750 §2.1). A missing, malformed or unknown token is
 * a 401 with WWW-Authenticate; the detail never repeats what was presented.
 */
export async function authenticate(request: ScimRequest, verifier: TokenVerifier): Promise<void> {
  const header = request.headers.authorization;
  if (!header) throw unauthorized('Authentication required: send "Authorization: Bearer <token>".');
  const match = BEARER.exec(header);
  if (!match) throw unauthorized('The Authorization header must use the Bearer scheme with a token.');
  if (!(await verifier.verify(match[1]))) throw unauthorized('The bearer token is not valid.');
}
