import { ScimError } from '../scim/errors';
import { authenticate, type TokenVerifier } from './auth';
import type { Logger } from './log';
import type { ProfileName } from '../scim/profiles/profile';
import { profileRequest, profileResponse } from './profile';
import { errorResponse, internalErrorResponse } from './response';
import { match, type Route } from './router';
import { checkScope } from './scope';
import type { ScimRequest, ScimResponse } from './types';

/** What one function serves: its routes, how tokens are checked, where logs go. */
export interface App {
  readonly routes: readonly Route[];
  readonly verifier: TokenVerifier;
  readonly logger: Logger;
  /** The Base URL every Location and meta.location is built on (configuration, not request headers). */
  readonly baseUrl: string;
  /** The compatibility profile applied around every route. @default 'rfc' */
  readonly profile?: ProfileName;
}

/**
 * Authenticates, routes and answers one request. A ScimError becomes its RFC 7644 §3.12
 * response; anything else is logged with the request id and answered with a bare 500.
 */
export async function serve(app: App, request: ScimRequest): Promise<ScimResponse> {
  const started = Date.now();
  const profile = app.profile ?? 'rfc';
  let response: ScimResponse;
  try {
    const caller = await authenticate(request, app.verifier);
    checkScope(caller, app.routes, request);
    const profiled = profileRequest(profile, { ...request, caller });
    const { route, params } = match(app.routes, profiled);
    response = await route.handle(profiled, params);
  } catch (error) {
    if (error instanceof ScimError) {
      response = errorResponse(error);
    } else {
      const { name, message, stack } = error instanceof Error ? error : new Error(String(error));
      app.logger.error('unexpected error', { requestId: request.requestId, name, message, stack });
      response = internalErrorResponse(request.requestId);
    }
  }
  response = profileResponse(profile, request, response);
  app.logger.info('request', {
    requestId: request.requestId,
    method: request.method,
    path: request.segments.join('/').slice(0, 200),
    status: response.status,
    ms: Date.now() - started,
  });
  return response;
}
