import { routesByDirectory } from '../http/directories';
import { jsonLogger } from '../http/log';
import type { Route } from '../http/router';
import { createDocumentClient } from '../store/client';
import { readConfig } from './config';
import { directorySettings, type FunctionSettings } from './services';
import { toLambdaHandler, type ApiHandler } from './to-lambda';
import { tokenVerifier } from './verifier';

export { toLambdaHandler, type ApiHandler } from './to-lambda';

/**
 * The handler a deployed function exports: configuration from the environment, clients
 * created once per container, routes built by `routes`.
 */
export function deployedHandler(routes: (settings: FunctionSettings) => Route[]): ApiHandler {
  let handler: ApiHandler | undefined;
  return (event) => {
    if (!handler) {
      const config = readConfig(process.env);
      const client = createDocumentClient({ endpoint: config.dynamoEndpoint });
      const home: FunctionSettings = { client, tableName: config.tableName, directoryId: config.directoryId, profile: config.profile };
      handler = toLambdaHandler({
        routes: routes(home),
        home: config.directoryId,
        directoryRoutes: routesByDirectory((entry) => routes(directorySettings(home, entry))),
        profile: config.profile,
        baseUrl: config.baseUrl,
        verifier: tokenVerifier(config),
        logger: jsonLogger,
      });
    }
    return handler(event);
  };
}
