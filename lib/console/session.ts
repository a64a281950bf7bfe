import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerToken, callerOf, type TokenVerifier } from '../../lambda/http/auth';
import { SCIM_BASE_PATH } from '../../lambda/http/request';
import { CONSOLE_PATH } from './static';

/**
 * `GET /console/session` on the local endpoint: which Base URL the token pasted into the console
 * belongs to (`/scim/v2`, or `/<directory>/scim/v2`), so that the console reads the token's own
 * directory. A token that is not valid gets 401, as at any Base URL. Elsewhere (`npm run
 * console`, another server) the path is a 404 and the console reads `/scim/v2`.
 */
export const CONSOLE_SESSION_PATH = `${CONSOLE_PATH}session`;

export async function answerSession(req: IncomingMessage, res: ServerResponse, verifier: TokenVerifier, home: string): Promise<void> {
  const headers = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
  if (req.method !== 'GET') {
    res.writeHead(405, { ...headers, Allow: 'GET' }).end('{}');
    return;
  }
  const token = bearerToken(req.headers.authorization);
  const record = token ? await verifier.verify(token) : undefined;
  const directory = record && callerOf(record, home).directory;
  const entry = directory !== undefined && directory !== home ? await verifier.directory?.(directory) : undefined;
  if (directory === undefined || (directory !== home && (!entry || entry.state !== undefined))) {
    res.writeHead(401, { ...headers, 'WWW-Authenticate': 'Bearer realm="scim"' }).end('{}');
    return;
  }
  const baseUrl = directory === home ? SCIM_BASE_PATH : `/${directory}${SCIM_BASE_PATH}`;
  res.writeHead(200, headers).end(JSON.stringify({ baseUrl }));
}
