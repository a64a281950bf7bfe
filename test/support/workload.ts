import { INTENT_PREFIX, MEMBER_PREFIX, SHARD_PREFIX, UNIQUE_TAG } from '../../lambda/store/keys';
/** What a SCIM client sees of one request (test/support/server.ts `scim`). */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly json: any;
  readonly text: string;
}

const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/**
 * Whether an answer is one a SCIM client can act on: a success, or an RFC 7644 §3.12 error
 * whose status matches the HTTP status, with a string detail, and no stack trace or
 * internal name in it. Returns the problem, or undefined when the answer is well-formed.
 */
export function problemWith(answer: Answer): string | undefined {
  if (answer.status >= 500 && answer.status !== 503) return `status ${answer.status}`;
  if (answer.status < 400) return undefined;
  const body = answer.json;
  if (!body || !Array.isArray(body.schemas) || body.schemas[0] !== ERROR_SCHEMA) return `a ${answer.status} without a SCIM error body`;
  if (body.status !== String(answer.status)) return `body status ${body.status} on HTTP ${answer.status}`;
  if (typeof body.detail !== 'string' || body.detail.length === 0) return 'an error without a detail';
  if (answer.headers.get('content-type') !== 'application/scim+json') return `content-type ${answer.headers.get('content-type')}`;
  if ((answer.status === 429 || answer.status === 503) && !/^\d+$/.test(answer.headers.get('retry-after') ?? '')) {
    return `a ${answer.status} without Retry-After`;
  }
  const leak = LEAKS.find((pattern) => pattern.test(answer.text));
  if (leak) return `the body leaks ${leak}`;
  return undefined;
}

/** What an error body must never show: stack frames, source paths, SDK and store internals. */
export const LEAKS: readonly RegExp[] = [
  /\bat .+\(.+:\d+:\d+\)/,
  /\.ts:\d+/,
  /node_modules/,
  /lambda\/(store|service|scim|http)/,
  /Exception\b/,
  /TypeError|ReferenceError|RangeError|SyntaxError: /,
  /DynamoDB(DocumentClient|Client)|TransactWrite|BatchGet|ConditionalCheck|StoreConflict|StoreUnavailable|TransactionCancel/,
  new RegExp(`\\b(gsi\\d(pk|sk)|${UNIQUE_TAG}#|${MEMBER_PREFIX}|${INTENT_PREFIX}|${SHARD_PREFIX})`),
];

/**
 * A SCIM client's retry: on 429 or 503 it waits (a short fixed wait here, not the
 * Retry-After seconds, to keep the suite fast) and sends the same request again.
 */
export async function withRetries(send: () => Promise<Answer>, attempts = 12, waitMs = 25): Promise<{ answer: Answer; tries: number }> {
  for (let tries = 1; ; tries++) {
    const answer = await send();
    if ((answer.status !== 429 && answer.status !== 503) || tries >= attempts) return { answer, tries };
    await new Promise((r) => setTimeout(r, waitMs));
  }
}
