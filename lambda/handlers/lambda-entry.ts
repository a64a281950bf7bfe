import { jsonLogger } from '../http/log';
import type { Route } from '../http/router';
import { createDocumentClient } from '../store/client';
import { readConfig } from './config';
import type { FunctionSettings } from './services';
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
      handler = toLambdaHandler({
        routes: routes({
          client,
          tableName: config.tableName,
          directoryId: config.directoryId,
          profile: config.profile,
          auditRetentionDays: config.auditRetentionDays,
        }),
        profile: config.profile,
        baseUrl: config.baseUrl,
        verifier: tokenVerifier(config),
        logger: jsonLogger,
      });
    }
    return handler(event);
  };
}
