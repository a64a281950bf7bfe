import { ScimError } from '../scim/errors';
import { authenticate, DEFAULT_DIRECTORY, type TokenVerifier } from './auth';
import { servedDirectory, type DirectoryEntry } from './directories';
import type { Logger } from './log';
import type { ProfileName } from '../scim/profiles/profile';
import { profileRequest, profileResponse } from './profile';
import { errorResponse, internalErrorResponse } from './response';
import { ownId, type RequestObserver, type RequestSummary } from './observe';
import { describeRoute, match, type Route } from './router';
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
  /** The deployment's own directory, served at /scim/v2 with `routes`. @default 'default' */
  readonly home?: string;
  /**
   * The routes of another directory the verifier registers, served at /<id>/scim/v2 with its
   * own profile (lambda/http/directories.ts). Without it only the deployment's own is served.
   */
  readonly directoryRoutes?: (entry: DirectoryEntry) => Route[];
  /** Told of every request when it ends (the deployed functions' metrics). @default none */
  readonly observer?: RequestObserver;
}

/**
 * Authenticates, routes and answers one request. A ScimError becomes its RFC 7644 §3.12
 * response; anything else is logged with the request id and answered with a bare 500.
 */
export async function serve(app: App, request: ScimRequest): Promise<ScimResponse> {
  const started = Date.now();
  // Until the directory is known (and for refusals before), the deployment's own profile and routes.
  let profile = app.profile ?? 'rfc';
  let routes = app.routes;
  // Logged once served: a registered id, never the text a client put in the path.
  let directory: string | undefined;
  let response: ScimResponse;
  let scimType: ScimError['scimType'];
  let id: string | undefined;
  try {
    const home = app.home ?? DEFAULT_DIRECTORY;
    const caller = await authenticate(request, app.verifier, home);
    // The directory first: a token of another directory is refused as unknown (401) before its
    // scope could tell (403) that it exists.
    const served = await servedDirectory(request, caller, { id: home, routes: app.routes, profile, baseUrl: app.baseUrl }, app.verifier, app.directoryRoutes);
    profile = served.profile;
    routes = served.routes;
    directory = request.directory;
    checkScope(caller, served.routes, request);
    const profiled = profileRequest(profile, { ...request, caller, baseUrl: served.baseUrl });
    const { route, params } = match(served.routes, profiled);
    id = ownId(params.id);
    response = await route.handle(profiled, params);
  } catch (error) {
    if (error instanceof ScimError) {
      response = errorResponse(error);
      scimType = error.scimType;
    } else {
      const { name, message, stack } = error instanceof Error ? error : new Error(String(error));
      // `message` is the log line's own key (Powertools drops a field of that name).
      app.logger.error('unexpected error', { requestId: request.requestId, errorName: name, errorMessage: message, stack });
      response = internalErrorResponse(request.requestId);
    }
  }
  response = profileResponse(profile, request, response);
  // The route is looked up whatever the outcome, so that a 401 names its endpoint too.
  const { template, routed } = describeRoute(routes, request.method, request.segments);
  const summary: RequestSummary = {
    requestId: request.requestId,
    method: request.method,
    route: template,
    routed,
    id,
    status: response.status,
    scimType,
    ms: Date.now() - started,
  };
  // The directory is in the log line, not in the metrics: a dimension per directory would make
  // the metric bill grow with the number of directories (docs/operations.md).
  app.logger.info('request', { ...summary, ...(directory !== undefined ? { directory } : {}) });
  app.observer?.requestEnded(summary);
  return response;
}
