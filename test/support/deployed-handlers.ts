import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { hashToken } from '../../lambda/http/auth';
import { FUNCTION_ROUTES, SCIM_BASE_PATH } from '../../lambda/handlers/routes';

type Handler = (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;

/**
 * The deployed functions' handler modules, loaded fresh with a function's environment (the
 * table on DynamoDB Local, the one token of `sam local invoke`'s TOKEN_SECRET_ARN=sha256:…),
 * and a way to send them a request as API Gateway would: the function picked by the path's
 * first segment, as FUNCTION_ROUTES routes it.
 */
export function loadDeployedHandlers(options: { endpoint: string; tableName: string; token: string; env?: Record<string, string> }) {
  const saved = { ...process.env };
  Object.assign(process.env, {
    TABLE_NAME: options.tableName,
    DYNAMODB_ENDPOINT: options.endpoint,
    TOKEN_SECRET_ARN: `sha256:${hashToken(options.token)}`,
    DIRECTORY_ID: 'default',
    // As the stack sets it: the stage URL of the API the requests below are sent to.
    SCIM_BASE_URL: `https://api.example.com/v1${SCIM_BASE_PATH}`,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    POWERTOOLS_SERVICE_NAME: 'Test-Scim',
    POWERTOOLS_METRICS_NAMESPACE: 'ScimEndpoint',
    ...options.env,
  });
  const handlers = new Map<string, Handler>();
  jest.isolateModules(() => {
    for (const fn of FUNCTION_ROUTES) {
      const handler = require(`../../${fn.entry.replace(/\.ts$/, '')}`).handler as Handler;
      for (const resource of fn.resources) handlers.set(resource.toLowerCase(), handler);
    }
  });
  const context = { functionName: 'test-function', awsRequestId: 'lambda-request', memoryLimitInMB: '512', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test-function', functionVersion: '$LATEST' } as Context;

  /** One request; `path` below /scim/v2, with its query string. */
  async function request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const url = new URL(`https://api.example.com/v1${SCIM_BASE_PATH}${path}`);
    const handler = handlers.get(decodeURIComponent(url.pathname.slice(`/v1${SCIM_BASE_PATH}/`.length).split('/')[0]).toLowerCase());
    // API Gateway answers a path no function owns itself (the UnknownPath gateway response).
    if (!handler) return { status: 404, json: undefined, headers: {} };
    const requestId = randomUUID();
    const event = {
      httpMethod: method,
      path: url.pathname.slice('/v1'.length),
      headers: { Host: 'api.example.com', 'X-Forwarded-Proto': 'https', Authorization: `Bearer ${options.token}`, 'Content-Type': 'application/scim+json', ...headers },
      queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : null,
      body: body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body),
      isBase64Encoded: false,
      requestContext: { requestId, path: url.pathname, domainName: 'api.example.com', stage: 'v1' },
    } as unknown as APIGatewayProxyEvent;
    const result = await handler(event, { ...context, awsRequestId: requestId });
    let json: any;
    try {
      json = result.body ? JSON.parse(result.body) : undefined;
    } catch {
      json = undefined;
    }
    return { status: result.statusCode, json, headers: result.headers ?? {} };
  }

  return { request, restore: () => (process.env = saved) };
}

/** Everything written to stdout and stderr while `run` runs (what Lambda sends to CloudWatch Logs). */
export async function captureOutput<T>(run: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const chunks: string[] = [];
  const keep = (chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(keep);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(keep);
  try {
    const result = await run();
    return { result, lines: chunks.join('').split('\n').filter((line) => line.trim() !== '') };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
