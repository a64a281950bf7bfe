import { ScimError } from '../scim/errors';
import { authenticate, DEFAULT_DIRECTORY, type TokenVerifier } from './auth';
import { servedDirectory, type DirectoryEntry } from './directories';
import type { Logger } from './log';
import type { ProfileName } from '../scim/profiles/profile';
import { profileRequest, profileResponse } from './profile';
import { errorResponse, internalErrorResponse } from './response';
import { match, type Route } from './router';
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
  /** The deployment's own directory, served at /scim/v2 with `routes`. @default 'default' */
  readonly home?: string;
  /**
   * The routes of another directory the verifier registers, served at /<id>/scim/v2 with its
   * own profile (lambda/http/directories.ts). Without it only the deployment's own is served.
   */
  readonly directoryRoutes?: (entry: DirectoryEntry) => Route[];
}

/**
 * Authenticates, routes and answers one request. A ScimError becomes its RFC 7644 §3.12
 * response; anything else is logged with the request id and answered with a bare 500.
 */
export async function serve(app: App, request: ScimRequest): Promise<ScimResponse> {
  const started = Date.now();
  // Until the directory is known (and for refusals before), the deployment's own profile.
  let profile = app.profile ?? 'rfc';
  // Logged once served: a registered id, never the text a client put in the path.
  let directory: string | undefined;
  let response: ScimResponse;
  try {
    const home = app.home ?? DEFAULT_DIRECTORY;
    const caller = await authenticate(request, app.verifier, home);
    const served = await servedDirectory(request, caller, { id: home, routes: app.routes, profile, baseUrl: app.baseUrl }, app.verifier, app.directoryRoutes);
    profile = served.profile;
    directory = request.directory;
    const profiled = profileRequest(profile, { ...request, caller, baseUrl: served.baseUrl });
    const { route, params } = match(served.routes, profiled);
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
    ...(directory !== undefined ? { directory } : {}),
    path: request.segments.join('/').slice(0, 200),
    status: response.status,
    ms: Date.now() - started,
  });
  return response;
}
