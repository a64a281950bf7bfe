import { routesByDirectory } from '../http/directories';
import { jsonLogger } from '../http/log';
import type { Route } from '../http/router';
import type { ProfileName } from '../scim/profiles/profile';
import { readAuthConfig } from './config';
import { toLambdaHandler, type ApiHandler } from './to-lambda';
import { tokenVerifier } from './verifier';

/**
 * The handler of a function that reads no table (Discovery): it needs only the token secret
 * and the profile, and imports no DynamoDB client, which keeps its bundle and cold start small.
 */
export function storelessHandler(routes: (profile: ProfileName) => Route[]): ApiHandler {
  let handler: ApiHandler | undefined;
  return (event) => {
    if (!handler) {
      const config = readAuthConfig(process.env);
      handler = toLambdaHandler({
        routes: routes(config.profile),
        home: config.directoryId,
        directoryRoutes: routesByDirectory((entry) => routes(entry.profile)),
        verifier: tokenVerifier(config),
        logger: jsonLogger,
        profile: config.profile,
        baseUrl: config.baseUrl,
      });
    }
    return handler(event);
  };
}
