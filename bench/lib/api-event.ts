import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { FUNCTION_ROUTES, SCIM_BASE_PATH } from '../../lambda/handlers/routes';

/** The stage the bench's events come from, as a deployed API's URL names it. */
export const STAGE_HOST = 'abc123.execute-api.us-east-1.amazonaws.com';
export const STAGE_BASE_URL = `https://${STAGE_HOST}/v1${SCIM_BASE_PATH}`;

/**
 * The API Gateway proxy event the deployed stage sends a function for a request (`path`
 * below the Base URL, with its query string), with the bearer token and a request id.
 */
export function apiGatewayEvent(method: string, path: string, token: string, requestId: string, body?: unknown): APIGatewayProxyEvent {
  const url = new URL(`${STAGE_BASE_URL}${path}`);
  const query = Object.fromEntries(url.searchParams);
  return {
    httpMethod: method,
    path: url.pathname.replace(/^\/v1/, ''),
    resource: `${SCIM_BASE_PATH}/{proxy+}`,
    headers: { Host: STAGE_HOST, 'X-Forwarded-Proto': 'https', Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' },
    multiValueHeaders: {},
    queryStringParameters: Object.keys(query).length > 0 ? query : null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { requestId, path: url.pathname, domainName: STAGE_HOST, stage: 'v1', identity: { sourceIp: '198.51.100.7' } },
  } as unknown as APIGatewayProxyEvent;
}

/** The Lambda context of one invocation of `functionName`. */
export function lambdaContext(functionName: string, awsRequestId: string): Context {
  return {
    functionName,
    functionVersion: '$LATEST',
    memoryLimitInMB: '512',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    awsRequestId,
    getRemainingTimeInMillis: () => 29_000,
  } as unknown as Context;
}

/** The id of the function that serves `path` (below the Base URL), as FUNCTION_ROUTES routes it; undefined for a path no function owns. */
export function functionOf(path: string): string | undefined {
  const resource = decodeURIComponent(new URL(`${STAGE_BASE_URL}${path}`).pathname.slice(`/v1${SCIM_BASE_PATH}/`.length).split('/')[0]).toLowerCase();
  return FUNCTION_ROUTES.find((fn) => fn.resources.some((r) => r.toLowerCase() === resource))?.id;
}
