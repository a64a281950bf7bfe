import type { APIGatewayProxyEvent } from 'aws-lambda';
import { invalidSyntax, invalidValue, notFound, payloadTooLarge, unsupportedMediaType } from '../scim/errors';
import { parseJson } from '../scim/json-body';
import type { ScimRequest } from './types';

/** The path below which SCIM is served, on API Gateway and locally. */
export const SCIM_BASE_PATH = '/scim/v2';

/** Bodies above this are refused with 413 before parsing (API Gateway itself allows 10 MB). */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Turns an API Gateway proxy event into a ScimRequest. `baseUrl` comes from configuration:
 * Host, X-Forwarded-Proto and the domain the client named never reach Location or
 * meta.location. The directory comes from the `{directory}` path parameter of
 * `/{directory}/scim/v2/...`, never from a header. Throws ScimError for a bad path.
 */
export function fromApiGatewayEvent(event: APIGatewayProxyEvent, baseUrl: string): ScimRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value !== undefined) query[name] = value;
  }
  const rawBody = event.body ?? '';
  const body = event.isBase64Encoded ? Buffer.from(rawBody, 'base64').toString('utf8') : rawBody;
  return {
    method: event.httpMethod.toUpperCase(),
    segments: scimSegments(event.path),
    query,
    headers,
    body,
    baseUrl,
    requestId: event.requestContext?.requestId ?? 'local',
    ...(event.pathParameters?.directory !== undefined ? { directory: event.pathParameters.directory } : {}),
    ...(event.requestContext?.identity?.sourceIp ? { sourceAddress: event.requestContext.identity.sourceIp } : {}),
  };
}

/**
 * The segments below /scim/v2. Repeated slashes are folded, since JumpCloud and others
 * append `/Users` to a Base URL that may end with a slash (CLIENTS.md §2.1).
 */
export function scimSegments(path: string): string[] {
  const folded = path.replace(/\/{2,}/g, '/');
  const at = basePathAt(folded);
  if (at < 0) throw notFound(`No SCIM endpoint at this path; the Base URL ends with ${SCIM_BASE_PATH}.`);
  return folded
    .slice(at + SCIM_BASE_PATH.length)
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        throw notFound('The path is not correctly percent-encoded.');
      }
    });
}

/** Where /scim/v2 starts in a path, as whole segments only (not /scim/v20), or -1. */
function basePathAt(path: string): number {
  const match = BASE_PATH.exec(path);
  return match ? match.index : -1;
}
const BASE_PATH = new RegExp(`${SCIM_BASE_PATH.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?=/|$)`);

const JSON_TYPES = ['application/scim+json', 'application/json'];

/**
 * Parses the JSON body. Both application/scim+json and application/json are accepted
 * (RFC 7644 §3.1); a missing Content-Type is tolerated, any other type is 415. Nesting and
 * repeated member names are checked by `parseJson` (lambda/scim/json-body.ts).
 */
export function parseJsonBody(request: ScimRequest): unknown {
  if (Buffer.byteLength(request.body, 'utf8') > MAX_BODY_BYTES) {
    throw payloadTooLarge(`The request body is larger than ${MAX_BODY_BYTES} bytes.`);
  }
  const type = request.headers['content-type']?.split(';')[0].trim().toLowerCase();
  if (type && !JSON_TYPES.includes(type)) {
    throw unsupportedMediaType('The request body must be application/scim+json or application/json.');
  }
  if (request.body.trim() === '') throw invalidSyntax('The request has no body; a JSON document is required.');
  const parsed = parseJson(request.body);
  if (ESCAPED_SURROGATE.test(request.body) && !wellFormed(parsed)) {
    throw invalidValue('The request body has a string with an unpaired surrogate (\\uD800-\\uDFFF); strings must be valid Unicode.');
  }
  return parsed;
}

/** Only a \u escape can put an unpaired surrogate into parsed JSON (raw text is decoded as UTF-8). */
const ESCAPED_SURROGATE = /\\u[dD][89a-fA-F]/;

/**
 * Whether every string (and key) in a parsed JSON value is well-formed UTF-16 (RFC 8259 §8.2):
 * an unpaired surrogate cannot be stored as UTF-8 by DynamoDB, nor read back by most clients.
 * Iterative, so that a deeply nested body cannot exhaust the stack.
 */
function wellFormed(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'string') {
      if (!(next as string & { isWellFormed(): boolean }).isWellFormed()) return false;
    } else if (Array.isArray(next)) {
      for (const inner of next) pending.push(inner);
    } else if (next !== null && typeof next === 'object') {
      for (const [key, inner] of Object.entries(next)) pending.push(key, inner);
    }
  }
  return true;
}
