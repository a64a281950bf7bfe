import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { authorize } from '../http/edge-authorizer';
import { SecretTokenVerifier } from '../http/secret-tokens';

/**
 * API Gateway caches this function's answer per token for AUTHORIZER_CACHE_SECONDS; its own copy
 * of the token list lives for what is left of the minute, so a revoked token is refused at the
 * edge within 60 s, as by the functions.
 */
let handle: ((event: APIGatewayRequestAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>) | undefined;

/** Lambda entry of the edge authorizer. A Secrets Manager failure throws: API Gateway answers 503 (AUTHORIZER_FAILURE). */
export const handler = (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
  if (!handle) {
    const missing = ['TOKEN_SECRET_ARN', 'USAGE_KEY_SALT', 'AUTHORIZER_CACHE_SECONDS'].filter((name) => !process.env[name]);
    if (missing.length > 0) throw new Error(`Missing required environment variable(s): ${missing.join(', ')}`);
    const cacheSeconds = Number(process.env.AUTHORIZER_CACHE_SECONDS);
    const verifier = new SecretTokenVerifier(process.env.TOKEN_SECRET_ARN!, undefined, Date.now, Math.max(0, 60 - cacheSeconds) * 1000);
    const salt = process.env.USAGE_KEY_SALT!;
    // The deployment's own directory: its tokens name none (or it); any other must be registered.
    const home = process.env.DIRECTORY_ID || 'default';
    handle = (e) => authorize(e, verifier, salt, home);
  }
  return handle(event);
};
