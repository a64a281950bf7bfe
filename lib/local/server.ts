import type { APIGatewayProxyEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FUNCTION_ROUTES, SCIM_BASE_PATH } from '../../lambda/handlers/routes';
import { toLambdaHandler, type ApiHandler } from '../../lambda/handlers/lambda-entry';
import { directorySettings, type FunctionSettings } from '../../lambda/handlers/services';
import { routesByDirectory } from '../../lambda/http/directories';
import { discoveryFunctionRoutes } from '../../lambda/handlers/discovery';
import { auditFunctionRoutes } from '../../lambda/handlers/audit';
import { bulkRoutes } from '../../lambda/handlers/bulk';
import type { ProfileName } from '../../lambda/scim/profiles/profile';
import { groupsRoutes } from '../../lambda/handlers/groups';
import { usersRoutes } from '../../lambda/handlers/users';
import type { TokenVerifier } from '../../lambda/http/auth';
import type { Logger } from '../../lambda/http/log';
import { MAX_BODY_BYTES } from '../../lambda/http/request';
import { errorResponse, toApiGatewayResult } from '../../lambda/http/response';
import type { Route } from '../../lambda/http/router';
import { notFound, payloadTooLarge, ScimError } from '../../lambda/scim/errors';
import { answerSession, CONSOLE_SESSION_PATH } from '../console/session';
import { isConsoleRequest, serveConsole } from '../console/static';
import { profileError } from '../../lambda/http/profile';
import { gatewayAnswer, type GatewayResult } from './gateway-answers';
import { RateLimiter } from './rate-limit';

/** The route factory of each function in FUNCTION_ROUTES, by its id. */
export const FUNCTION_FACTORIES: Record<string, (settings: FunctionSettings) => Route[]> = {
  Users: usersRoutes,
  Groups: groupsRoutes,
  Discovery: discoveryFunctionRoutes,
  Bulk: bulkRoutes,
  Audit: auditFunctionRoutes,
};

export interface LocalServerOptions {
  readonly store: FunctionSettings;
  /** The compatibility profile (SCIM_PROFILE). @default 'rfc' */
  readonly profile?: ProfileName;
  readonly verifier: TokenVerifier;
  readonly logger: Logger;
  readonly port: number;
  readonly host?: string;
  /** The built directory console, served at `/` and `/console/`; unset: those paths are 404 too. */
  readonly consoleDir?: string;
  /**
   * Requests per second above which SCIM requests get 429, as API Gateway's stage throttle
   * answers (SCIM_RATE_LIMIT). @default no limit
   */
  readonly rateLimit?: number;
}

export interface LocalServer {
  readonly server: Server;
  readonly baseUrl: string;
  close(): Promise<void>;
}

/**
 * Serves SCIM over HTTP by handing each request, as an API Gateway proxy event, to the same
 * Lambda handler code the stack deploys; the function is picked with FUNCTION_ROUTES, as
 * API Gateway picks it.
 */
export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const handlers = new Map<string, ApiHandler>();
  const host = options.host ?? '127.0.0.1';
  const gateway = new Gateway(options.profile ?? 'rfc', options.rateLimit === undefined ? undefined : new RateLimiter(options.rateLimit));
  const server = createServer((req, res) => {
    const forConsole = options.consoleDir && isConsoleRequest(req.url);
    const work =
      forConsole && new URL(req.url ?? '/', 'http://local').pathname === CONSOLE_SESSION_PATH
        ? answerSession(req, res, options.verifier, options.store.directoryId)
        : forConsole
          ? serveConsole(req, res, options.consoleDir!)
          : handle(req, res, handlers, gateway);
    work.catch((error: Error) => {
      options.logger.error('local server error', { name: error.name, message: error.message });
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((done) => server.listen(options.port, host, done));
  const { port } = server.address() as AddressInfo;
  // The Base URL is the address listened on, as a deployment's is its stage URL: never the Host header.
  const baseUrl = `http://${host}:${port}${SCIM_BASE_PATH}`;
  for (const fn of FUNCTION_ROUTES) {
    const factory = FUNCTION_FACTORIES[fn.id];
    if (!factory) throw new Error(`No local route factory for function ${fn.id}`);
    const settings = { ...options.store, profile: options.profile ?? 'rfc' };
    const handler = toLambdaHandler({
      routes: factory(settings),
      // Every directory the tokens file registers, as a deployment serves those of its secret.
      home: settings.directoryId,
      directoryRoutes: routesByDirectory((entry) => factory(directorySettings(settings, entry))),
      verifier: options.verifier,
      logger: options.logger,
      profile: settings.profile,
      baseUrl,
    });
    for (const resource of fn.resources) handlers.set(resource.toLowerCase(), handler);
  }
  return {
    server,
    baseUrl,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

/**
 * What API Gateway answers itself, before any function runs: its throttle and a path no
 * function owns, as the deployed stage renders them for the profile; and the function's own
 * 413 for a body over the limit, which the local server refuses before reading it all.
 */
class Gateway {
  constructor(
    private readonly profile: ProfileName,
    private readonly limiter: RateLimiter | undefined,
  ) {}

  /** The 429 of a request over the rate limit, or undefined when it may go on. */
  throttle(requestId: string): GatewayResult | undefined {
    if (!this.limiter || this.limiter.take()) return undefined;
    return gatewayAnswer(this.profile, 'Throttled', { requestId, at: new Date(), message: 'Too Many Requests' });
  }

  unknownPath(requestId: string): GatewayResult {
    if (this.profile === 'rfc') return toApiGatewayResult(errorResponse(notFound('No SCIM endpoint at this path.')), requestId);
    return gatewayAnswer(this.profile, 'UnknownPath', { requestId, at: new Date() });
  }

  tooLarge(requestId: string): GatewayResult {
    const error = payloadTooLarge(`The request body is larger than ${MAX_BODY_BYTES} bytes.`);
    return toApiGatewayResult(profileError(this.profile, error, requestId), requestId);
  }
}

async function handle(req: IncomingMessage, res: ServerResponse, handlers: Map<string, ApiHandler>, gateway: Gateway): Promise<void> {
  const requestId = randomUUID();
  const refused = gateway.throttle(requestId);
  if (refused) {
    req.resume(); // the body is not read, as API Gateway does not forward a throttled request
    return send(res, refused, requestId);
  }
  const url = new URL(req.url ?? '/', 'http://local');
  const folded = url.pathname.replace(/\/{2,}/g, '/');
  // `/scim/v2/...` or `/<directory>/scim/v2/...`, as API Gateway's resources are laid out.
  const base = BASE.exec(folded);
  const rest = base ? folded.slice(base[0].length).split('/').filter(Boolean) : undefined;
  const handler = rest && rest.length > 0 ? handlers.get(safeDecode(rest[0]).toLowerCase()) : undefined;
  if (!handler) return send(res, gateway.unknownPath(requestId), requestId);

  const body = await readBody(req);
  if (body === undefined) return send(res, gateway.tooLarge(requestId), requestId);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = value;
  const event = {
    httpMethod: req.method ?? 'GET',
    path: url.pathname,
    resource: '/{proxy+}',
    headers,
    multiValueHeaders: {},
    queryStringParameters: Object.keys(query).length > 0 ? query : null,
    multiValueQueryStringParameters: null,
    pathParameters: base?.[1] !== undefined ? { directory: safeDecode(base[1]) } : null,
    stageVariables: null,
    body: body.length > 0 ? body.toString('utf8') : null,
    isBase64Encoded: false,
    requestContext: {
      requestId,
      path: url.pathname,
      domainName: req.headers.host ?? '127.0.0.1',
      stage: 'local',
      // As API Gateway's: the peer of the connection, never a client header such as X-Forwarded-For.
      identity: { sourceIp: req.socket.remoteAddress ?? '127.0.0.1' },
    },
  } as unknown as APIGatewayProxyEvent;
  try {
    send(res, await handler(event), requestId);
  } catch (error) {
    if (error instanceof ScimError) return send(res, toApiGatewayResult(errorResponse(error), requestId), requestId);
    throw error;
  }
}

/** Writes a result with the request id header API Gateway adds to every answer (x-amzn-RequestId). */
function send(res: ServerResponse, result: GatewayResult, requestId: string): void {
  res.writeHead(result.statusCode, { ...(result.headers as Record<string, string>), 'x-amzn-RequestId': requestId });
  res.end(result.body);
}

/** Reads the body, or undefined once it passes MAX_BODY_BYTES (the rest is not buffered). */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => done(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on('error', fail);
  });
}

const BASE = new RegExp(`^(?:/([^/]+))?${SCIM_BASE_PATH}(?=/|$)`);

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
