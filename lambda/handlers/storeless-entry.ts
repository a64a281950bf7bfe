import { routesByDirectory } from '../http/directories';
import type { Route } from '../http/router';
import type { ProfileName } from '../scim/profiles/profile';
import { readAuthConfig } from './config';
import { instrumentedHandler, type LambdaApiHandler } from './instrumented';
import { toLambdaHandler } from './to-lambda';
import { tokenVerifier } from './verifier';

/**
 * The handler of a function that reads no table (Discovery): it needs only the token secret
 * and the profile, and imports no DynamoDB client, which keeps its bundle and cold start small.
 */
export function storelessHandler(routes: (profile: ProfileName) => Route[]): LambdaApiHandler {
  return instrumentedHandler(({ telemetry, tracing, observer }) => {
    const config = readAuthConfig(process.env);
    return toLambdaHandler({
      routes: routes(config.profile),
      home: config.directoryId,
      directoryRoutes: routesByDirectory((entry) => routes(entry.profile)),
      verifier: tokenVerifier(config, { onSecretRead: telemetry.tokenCacheRefresh, capture: tracing?.captureClient }),
      logger: telemetry.logger,
      observer,
      profile: config.profile,
      baseUrl: config.baseUrl,
    });
  });
}
