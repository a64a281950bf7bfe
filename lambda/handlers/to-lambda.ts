import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { serve, type App } from '../http/app';
import { fromApiGatewayEvent } from '../http/request';
import { errorResponse, toApiGatewayResult } from '../http/response';
import { ScimError } from '../scim/errors';

/** A Lambda handler for API Gateway's proxy integration. */
export type ApiHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/** Turns an App into a Lambda handler: event in, SCIM response out. */
export function toLambdaHandler(app: App): ApiHandler {
  return async (event) => {
    const requestId = event.requestContext?.requestId ?? 'unknown';
    let request;
    try {
      request = fromApiGatewayEvent(event, app.baseUrl);
    } catch (error) {
      if (error instanceof ScimError) return toApiGatewayResult(errorResponse(error), requestId);
      throw error;
    }
    return toApiGatewayResult(await serve(app, request), request.requestId);
  };
}
