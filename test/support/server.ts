import { hashToken, RecordsTokenVerifier, StaticTokenVerifier, type TokenRecord, type TokenVerifier } from '../../lambda/http/auth';
import { silentLogger, type Logger } from '../../lambda/http/log';
import { startLocalServer } from '../../lib/local/server';
import type { ProfileName } from '../../lambda/scim/profiles/profile';
import type { MembershipOptions } from '../../lambda/store/memberships';
import { MemoryTable } from '../../lambda/store/memory-store';
import { freshTable } from './dynamo';

export const TEST_TOKEN = 'test-token-0123456789abcdef';

/** The local endpoint on a free port with a fresh table, as `npm start` serves it. */
export async function startTestServer(
  logger: Logger = silentLogger,
  profile: ProfileName = 'rfc',
  memberships?: MembershipOptions,
  options: { rateLimit?: number; verifier?: TokenVerifier } = {},
) {
  const verifier = options.verifier ?? new StaticTokenVerifier(TEST_TOKEN);
  const onMemory = process.env.SCIM_TEST_STORE === 'memory';
  const memory = new MemoryTable();
  const freshOne = onMemory ? undefined : await freshTable('http');
  const local = await startLocalServer({
    store: freshOne
      ? { client: freshOne.client, tableName: freshOne.tableName, directoryId: 'default', memberships }
      : { stores: (id) => memory.directory(id), directoryId: 'default', memberships },
    verifier,
    logger,
    port: 0,
    profile,
    rateLimit: options.rateLimit,
  });
  /** Sends a SCIM request with the test token unless `headers` says otherwise. */
  const scim = scimAt(local.baseUrl, TEST_TOKEN);
  return {
    ...local,
    /** The table under the endpoint; a suite run on the memory store (SCIM_TEST_STORE) has none. */
    get table() {
      if (!freshOne) throw new Error('This suite runs on the in-memory store (jest project "memory store"): it has no table to read.');
      return freshOne;
    },
    scim,
    async stop() {
      await local.close();
      freshOne?.client.destroy();
    },
  };
}

/** A SCIM client of one Base URL and token: JSON in, status, headers, text and JSON out. */
export function scimAt(baseUrl: string, token: string) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(baseUrl + path, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'Content-Type': 'application/scim+json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, json, text };
  };
}

/** Named tokens, as `npm run token -- create --name ... [--scope read]` makes them: two identity providers and a reader. */
export const NAMED_TOKENS = {
  okta: { token: 'okta-token-0123456789abcdefghij', record: { id: 'tok-0000000000aa', name: 'okta-prod', scope: 'provision' } },
  jumpcloud: { token: 'jumpcloud-token-0123456789abcdef', record: { id: 'tok-0000000000bb', name: 'jumpcloud', scope: 'provision' } },
  reader: { token: 'reader-token-0123456789abcdefghi', record: { id: 'tok-0000000000cc', name: 'hr-reader', scope: 'read' } },
} as const;

/** A verifier accepting the test token (as `local`) and the named tokens. */
export function namedTokenVerifier(): TokenVerifier {
  const records: TokenRecord[] = [
    { id: 'local', sha256: hashToken(TEST_TOKEN) },
    ...Object.values(NAMED_TOKENS).map(({ token, record }) => ({ ...record, sha256: hashToken(token) })),
  ];
  return new RecordsTokenVerifier(records);
}

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';


/** A user body as JumpCloud, Okta and Entra send on create. */
export function userBody(userName: string, extra: Record<string, unknown> = {}) {
  return {
    schemas: [USER_SCHEMA],
    userName,
    name: { givenName: 'Test', familyName: 'User' },
    displayName: 'Test User',
    active: true,
    emails: [{ value: userName, type: 'work', primary: true }],
    ...extra,
  };
}
