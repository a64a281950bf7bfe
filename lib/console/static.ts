import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

/** Where the console is served; `/` redirects there. */
export const CONSOLE_PATH = '/console/';

/** The built console (`npm run build:console` writes it; git ignores it). */
export const CONSOLE_DIR = join(__dirname, '..', '..', 'dist', 'console');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/**
 * The console talks only to its own origin and runs only its own files: no inline script,
 * no framing, no referrer (a search term in the fragment never leaves the page anyway).
 */
const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/** Whether a request is for the console (or `/`) rather than for SCIM. */
export function isConsoleRequest(url: string | undefined): boolean {
  const path = new URL(url ?? '/', 'http://local').pathname;
  return path === '/' || path === '/console' || path.startsWith(CONSOLE_PATH);
}

/**
 * Serves the built console's files: `/` and `/console` redirect to `/console/`, which is
 * index.html; hashed assets are cached for good, index.html never (it names the assets).
 */
export async function serveConsole(req: IncomingMessage, res: ServerResponse, dir: string = CONSOLE_DIR): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://local').pathname;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('The console is read-only.\n');
    return;
  }
  if (path === '/' || path === '/console') {
    res.writeHead(302, { Location: CONSOLE_PATH }).end();
    return;
  }
  const decoded = decodeSafely(path.slice(CONSOLE_PATH.length));
  if (decoded === undefined) return notFound(res);
  const relative = decoded || 'index.html';
  const root = resolve(dir);
  const file = normalize(join(root, relative));
  if (!file.startsWith(root + sep) || !(extname(file) in CONTENT_TYPES)) return notFound(res);
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    if (relative !== 'index.html') return notFound(res);
    res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' }).end('The console is not built: run `npm run build:console`.\n');
    return;
  }
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': CONTENT_TYPES[extname(file)],
    'Content-Length': body.length,
    'Cache-Control': relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found.\n');
}

function decodeSafely(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
