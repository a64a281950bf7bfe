/**
 * The token list's timing, apart from the Secrets Manager client that reads it, so that the
 * construct (the gateway's 503 answer names the same Retry-After) imports no AWS SDK.
 */

/** How long a container trusts its copy of the token list; a revoked token is refused after at most this. */
export const TOKEN_CACHE_TTL_MS = 60_000;
/** What a client is told to wait when the token list cannot be read (RFC 9110 §10.2.3). */
export const SECRETS_RETRY_AFTER_SECONDS = 5;
