import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SCIM_BASE_PATH } from '../../lambda/handlers/routes';
import type { Logger } from '../../lambda/http/log';
import { CONSOLE_DIR, CONSOLE_PATH, isConsoleRequest, serveConsole } from './static';

export interface ConsoleProxyOptions {
  /** The SCIM Base URL to read from, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/prod/scim/v2`. */
  readonly baseUrl: string;
  readonly port: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default CONSOLE_DIR */
  readonly consoleDir?: string;
  readonly logger: Logger;
  /** How long to wait for the endpoint. @default 30000 (API Gateway gives up at 29 s) */
  readonly timeoutMs?: number;
}

export interface ConsoleProxy {
  readonly server: Server;
  /** Where the console is, e.g. http://127.0.0.1:8090/console/. */
  readonly consoleUrl: string;
  close(): Promise<void>;
}

/** Request headers the console sends and the endpoint needs; nothing else is forwarded (no cookies). */
const FORWARDED_REQUEST = ['authorization', 'accept', 'if-none-match'];
/** Response headers the console reads. */
const FORWARDED_RESPONSE = ['content-type', 'etag', 'www-authenticate', 'location'];

/**
 * `npm run console`: the console's files, and a read-only proxy from `/scim/v2/*` on this
 * origin to a deployed endpoint, so the browser needs no CORS from it. Only GET and HEAD
 * pass; the token goes through in the Authorization header and is never logged or kept.
 */
export async function startConsoleProxy(options: ConsoleProxyOptions): Promise<ConsoleProxy> {
  const upstream = parseBaseUrl(options.baseUrl);
  const dir = options.consoleDir ?? CONSOLE_DIR;
  const server = createServer((req, res) => {
    const work = isConsoleRequest(req.url) ? serveConsole(req, res, dir) : proxy(req, res, upstream, options);
    work.catch((error: Error) => {
      options.logger.error('console proxy error', { name: error.name, message: error.message });
      if (!res.headersSent) res.writeHead(502).end();
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((done) => server.listen(options.port, host, done));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    consoleUrl: `http://${host}:${port}${CONSOLE_PATH}`,
    close: () =>
      new Promise((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

/** The Base URL without a trailing slash; refused when it is not http(s) or carries credentials. */
export function parseBaseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`--base-url must be a URL such as https://example.com/scim/v2, not "${text}".`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('--base-url must be an http or https URL.');
  if (url.username || url.password) throw new Error('--base-url must not carry credentials: the token is typed in the page.');
  if (url.search || url.hash) throw new Error('--base-url must not have a query or a fragment.');
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}

async function proxy(req: IncomingMessage, res: ServerResponse, upstream: URL, options: ConsoleProxyOptions): Promise<void> {
  const started = Date.now();
  const requestId = randomUUID();
  const url = new URL(req.url ?? '/', 'http://local');
  const path = url.pathname.replace(/\/{2,}/g, '/');
  if (!(path === SCIM_BASE_PATH || path.startsWith(SCIM_BASE_PATH + '/'))) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found.\n');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('The console proxy is read-only.\n');
    return;
  }
  const target = new URL(upstream.href);
  target.pathname = upstream.pathname + path.slice(SCIM_BASE_PATH.length);
  target.search = url.search;
  const headers: Record<string, string> = {};
  for (const name of FORWARDED_REQUEST) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  let answer: Response;
  try {
    answer = await fetch(target, { method: req.method, headers, redirect: 'manual', signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
  } catch (error) {
    // The path only, never the query (filters carry user names) nor any header.
    options.logger.error('console proxy: endpoint unreachable', { requestId, path, reason: (error as Error).name });
    res.writeHead(502, { 'Content-Type': 'text/plain; charset=utf-8' }).end('The SCIM endpoint could not be reached.\n');
    return;
  }
  const body = Buffer.from(await answer.arrayBuffer());
  // The Base URL is no secret, and the console shows it, so that an admin knows which endpoint it is reading.
  const out: Record<string, string> = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'X-Scim-Endpoint': upstream.href };
  for (const name of FORWARDED_RESPONSE) {
    const value = answer.headers.get(name);
    if (value !== null) out[name] = value;
  }
  res.writeHead(answer.status, out);
  res.end(req.method === 'HEAD' ? undefined : body);
  options.logger.info('console proxy', { requestId, method: req.method, path, status: answer.status, ms: Date.now() - started });
}
