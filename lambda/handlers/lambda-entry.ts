import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { serve, type App } from '../http/app';
import { jsonLogger } from '../http/log';
import { fromApiGatewayEvent } from '../http/request';
import { errorResponse, toApiGatewayResult } from '../http/response';
import type { Route } from '../http/router';
import { RecordsTokenVerifier } from '../http/auth';
import { SecretTokenVerifier } from '../http/secret-tokens';
import { ScimError } from '../scim/errors';
import { createDocumentClient } from '../store/client';
import { readConfig } from './config';
import type { FunctionSettings } from './services';

/** A Lambda handler for API Gateway's proxy integration. */
export type ApiHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/** Turns an App into a Lambda handler: event in, SCIM response out. */
export function toLambdaHandler(app: App): ApiHandler {
  return async (event) => {
    const requestId = event.requestContext?.requestId ?? 'unknown';
    let request;
    try {
      request = fromApiGatewayEvent(event);
    } catch (error) {
      if (error instanceof ScimError) return toApiGatewayResult(errorResponse(error), requestId);
      throw error;
    }
    return toApiGatewayResult(await serve(app, request), request.requestId);
  };
}

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
        routes: routes({ client, tableName: config.tableName, directoryId: config.directoryId, profile: config.profile }),
        profile: config.profile,
        verifier: config.localTokenSha256
          ? new RecordsTokenVerifier([{ id: 'sam-local', sha256: config.localTokenSha256 }])
          : new SecretTokenVerifier(config.tokenSecretArn),
        logger: jsonLogger,
      });
    }
    return handler(event);
  };
}
