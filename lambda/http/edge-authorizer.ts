import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { bearerToken, callerOf, DEFAULT_DIRECTORY, type TokenScope, type TokenVerifier } from './auth';
import { SCIM_BASE_PATH } from './request';

/**
 * The edge check: API Gateway's REQUEST authorizer in front of every SCIM method. A request
 * without a valid bearer token is refused here, before any SCIM function runs; the functions
 * check the token again (defence in depth). The answer names the caller, so that the
 * functions (requestContext.authorizer) and the usage plan (usageIdentifierKey) know who it is.
 */

/** What the authorizer puts in requestContext.authorizer: string values only (API Gateway's rule). */
export interface EdgeCallerContext {
  readonly tokenId: string;
  readonly name: string;
  readonly scope: string;
  readonly directory: string;
  readonly [key: string]: string;
}

/** API Gateway turns this message, thrown by the authorizer, into a 401 (the UNAUTHORIZED gateway response). */
export const UNAUTHORIZED = 'Unauthorized';

/**
 * The API key value that keys a directory's usage plan: API Gateway throttles each directory's
 * requests in its own bucket. Not a credential: the API reads keys from the authorizer only
 * (apiKeySource AUTHORIZER), so a client cannot present one.
 */
export function usageKeyValue(salt: string, directory: string): string {
  return `scim-usage-${salt}-${directory}`;
}

/** The policy must cover every method and path: API Gateway applies a cached answer to the token's later requests too. */
export function wholeApiArn(methodArn: string): string {
  // arn:<partition>:execute-api:<region>:<account>:<api id>/<stage>/<method>/<path...>
  const [api, stage] = methodArn.split('/');
  return `${api}/${stage}/*/*`;
}

/**
 * What a token's scope may invoke, for the whole API (the answer is cached per token): a
 * `provision` token everything; a `read` token GET and the POSTs of `.search`, the rule of
 * lambda/http/router.ts accessOf, at the deployment's own Base URL and at every directory's
 * (`/<directory>/scim/v2`), so that a write by a read token is refused here with 403 (the
 * ACCESS_DENIED gateway response, a SCIM body) before a function runs; the functions refuse it
 * again. The paths are not narrowed to the token's own directory: at another directory's Base
 * URL the functions answer 401 as for an unknown token, where a policy would answer 403.
 */
export function scopeResources(methodArn: string, scope: TokenScope): string[] {
  if (scope === 'provision') return [wholeApiArn(methodArn)];
  const [api, stage] = methodArn.split('/');
  const searches = [SCIM_BASE_PATH, `/*${SCIM_BASE_PATH}`].flatMap((base) => [`POST${base}/.search`, `POST${base}/*/.search`]);
  return [`${api}/${stage}/GET/*`, ...searches.map((path) => `${api}/${stage}/${path}`)];
}

/**
 * The authorizer's decision for one event; throws UNAUTHORIZED for a missing, malformed or
 * unknown token, and for a token of a directory that is not registered (deleted, or being
 * deleted). A token of a registered directory is allowed on the whole API, since API Gateway
 * applies a cached answer to the token's later requests on any path: the functions refuse it
 * at another directory's Base URL (lambda/http/directories.ts), exactly as an unknown token.
 */
export async function authorize(
  event: APIGatewayRequestAuthorizerEvent,
  verifier: TokenVerifier,
  usageSalt: string,
  home: string = DEFAULT_DIRECTORY,
): Promise<APIGatewayAuthorizerResult> {
  const headers = event.headers ?? {};
  const header = Object.entries(headers).find(([name]) => name.toLowerCase() === 'authorization')?.[1];
  const token = bearerToken(header ?? undefined);
  const record = token ? await verifier.verify(token) : undefined;
  if (!record) throw new Error(UNAUTHORIZED);
  const caller = callerOf(record, home);
  if (caller.directory !== home) {
    const entry = await verifier.directory?.(caller.directory);
    if (!entry || entry.state !== undefined) throw new Error(UNAUTHORIZED);
  }
  const context: EdgeCallerContext = { tokenId: caller.tokenId, name: caller.name, scope: caller.scope, directory: caller.directory };
  return {
    principalId: caller.tokenId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: scopeResources(event.methodArn, caller.scope).map((Resource) => ({ Action: 'execute-api:Invoke', Effect: 'Allow', Resource })),
    },
    context,
    usageIdentifierKey: usageKeyValue(usageSalt, caller.directory),
  };
}
