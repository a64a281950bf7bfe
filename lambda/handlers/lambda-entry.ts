import { routesByDirectory } from '../http/directories';
import type { Route } from '../http/router';
import { createDocumentClient } from '../store/client';
import { readConfig } from './config';
import { instrumentedHandler, type LambdaApiHandler } from './instrumented';
import { countMemberChanges } from './member-changes';
import { directorySettings, type FunctionSettings } from './services';
import { toLambdaHandler } from './to-lambda';
import { tokenVerifier } from './verifier';

export { toLambdaHandler, type ApiHandler } from './to-lambda';

/**
 * The handler a deployed function exports: configuration from the environment, clients
 * created once per container with the metric hooks, routes built by `routes` for the
 * deployment's own directory and for every other the token list registers.
 */
export function deployedHandler(routes: (settings: FunctionSettings) => Route[]): LambdaApiHandler {
  return instrumentedHandler(({ telemetry, tracing, observer }) => {
    const config = readConfig(process.env);
    const client = createDocumentClient({ endpoint: config.dynamoEndpoint, onCall: telemetry.dynamoCall });
    countMemberChanges(client, telemetry.memberChanges);
    tracing?.captureClient(client);
    const home: FunctionSettings = {
      client,
      tableName: config.tableName,
      directoryId: config.directoryId,
      profile: config.profile,
      auditRetentionDays: config.auditRetentionDays,
    };
    return toLambdaHandler({
      routes: routes(home),
      home: config.directoryId,
      directoryRoutes: routesByDirectory((entry) => routes(directorySettings(home, entry))),
      profile: config.profile,
      baseUrl: config.baseUrl,
      verifier: tokenVerifier(config, { onSecretRead: telemetry.tokenCacheRefresh, capture: tracing?.captureClient }),
      logger: telemetry.logger,
      observer,
    });
  });
}
