/**
 * The one error type for everything the protocol refuses (RFC 7644 §3.12).
 * `errorResponse` (with `errorBody`) in lambda/http/response.ts is the single place that turns
 * it into a response.
 */

/**
 * The scimType values of RFC 7644 §3.12 (Table 9) and RFC 9865's two cursor errors. Errors
 * that have no scimType (401, 403, 404, 405, 413, 415, 429, 501, 503) leave it undefined.
 */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive'
  // RFC 9865 §3.2: a cursor the server cannot read, or one it no longer honours.
  | 'invalidCursor'
  | 'expiredCursor';

/** A refusal with an HTTP status, an optional scimType and a detail safe to show a client. */
export class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly scimType: ScimType | undefined,
    readonly detail: string,
    /** Extra response headers, e.g. WWW-Authenticate on 401 or Retry-After on 429/503. */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'ScimError';
  }
}

export const invalidSyntax = (detail: string) => new ScimError(400, 'invalidSyntax', detail);
export const invalidFilter = (detail: string) => new ScimError(400, 'invalidFilter', detail);
export const invalidPath = (detail: string) => new ScimError(400, 'invalidPath', detail);
export const invalidValue = (detail: string) => new ScimError(400, 'invalidValue', detail);
export const noTarget = (detail: string) => new ScimError(400, 'noTarget', detail);
export const mutability = (detail: string) => new ScimError(400, 'mutability', detail);
export const tooMany = (detail: string) => new ScimError(400, 'tooMany', detail);
export const uniqueness = (detail: string) => new ScimError(409, 'uniqueness', detail);
export const preconditionFailed = (detail: string) => new ScimError(412, 'invalidVers', detail);
export const invalidCursor = (detail: string) => new ScimError(400, 'invalidCursor', detail);
/** RFC 7644 §4: discovery endpoints refuse filters with 403. */
export const forbidden = (detail: string) => new ScimError(403, undefined, detail);
export const notFound = (detail: string) => new ScimError(404, undefined, detail);
export const methodNotAllowed = (detail: string, allow: string[]) =>
  new ScimError(405, undefined, detail, { Allow: allow.join(', ') });
export const unauthorized = (detail: string) =>
  new ScimError(401, undefined, detail, { 'WWW-Authenticate': 'Bearer realm="scim"' });
export const payloadTooLarge = (detail: string) => new ScimError(413, undefined, detail);
export const unsupportedMediaType = (detail: string) => new ScimError(415, undefined, detail);
export const notImplemented = (detail: string) => new ScimError(501, undefined, detail);
export const throttled = (detail: string, retryAfterSeconds: number) =>
  new ScimError(429, undefined, detail, { 'Retry-After': String(retryAfterSeconds) });
export const unavailable = (detail: string, retryAfterSeconds: number) =>
  new ScimError(503, undefined, detail, { 'Retry-After': String(retryAfterSeconds) });
