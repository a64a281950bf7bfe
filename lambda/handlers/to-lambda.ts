import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { serve, type App } from '../http/app';
import { fromApiGatewayEvent } from '../http/request';
import { profileError } from '../http/profile';
import { toApiGatewayResult } from '../http/response';
import { ScimError } from '../scim/errors';

/** A Lambda handler for API Gateway's proxy integration. */
export type ApiHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/** Turns an App into a Lambda handler: event in, SCIM response out. */
export function toLambdaHandler(app: App): ApiHandler {
  return async (event) => {
    const requestId = event.requestContext?.requestId ?? 'unknown';
    const started = Date.now();
    let request;
    try {
      request = fromApiGatewayEvent(event, app.baseUrl);
    } catch (error) {
      if (!(error instanceof ScimError)) throw error;
      // A path outside /scim/v2, or not percent-encoded: no route, and nothing of the path is logged.
      const summary = { requestId, method: event.httpMethod, status: error.status, scimType: error.scimType, ms: Date.now() - started };
      app.logger.info('request', { ...summary });
      app.observer?.requestEnded(summary);
      return toApiGatewayResult(profileError(app.profile ?? 'rfc', error, requestId), requestId);
    }
    return toApiGatewayResult(await serve(app, request), request.requestId);
  };
}
