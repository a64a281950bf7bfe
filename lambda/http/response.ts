import type { APIGatewayProxyResult } from 'aws-lambda';
import { ScimError } from '../scim/errors';
import type { ScimResponse } from './types';

export const SCIM_CONTENT_TYPE = 'application/scim+json';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** The RFC 7644 §3.12 body of an error: status as a string, scimType only when defined. */
export function errorBody(error: ScimError): Record<string, unknown> {
  return {
    schemas: [ERROR_SCHEMA],
    status: String(error.status),
    ...(error.scimType ? { scimType: error.scimType } : {}),
    detail: error.detail,
  };
}

/** The single place a ScimError becomes a response. */
export function errorResponse(error: ScimError): ScimResponse {
  return { status: error.status, body: errorBody(error), headers: error.headers };
}

/** A bare 500 that leaks nothing but the request id, for errors nobody expected. */
export function internalErrorResponse(requestId: string): ScimResponse {
  return {
    status: 500,
    body: { schemas: [ERROR_SCHEMA], status: '500', detail: `Internal server error (request id ${requestId}).` },
  };
}

/** Renders a ScimResponse for API Gateway's proxy integration. */
export function toApiGatewayResult(response: ScimResponse, requestId: string): APIGatewayProxyResult {
  const headers: Record<string, string> = { 'x-request-id': requestId, ...response.headers };
  if (response.body === undefined) {
    return { statusCode: response.status, headers, body: '' };
  }
  return {
    statusCode: response.status,
    headers: { 'Content-Type': SCIM_CONTENT_TYPE, ...headers },
    body: JSON.stringify(response.body),
  };
}
