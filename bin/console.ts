import { parseArgs } from 'node:util';
import { jsonLogger, type Logger } from '../lambda/http/log';
import { startConsoleProxy } from '../lib/console/proxy';

/**
 * `npm run console -- --base-url <url>`: the directory console for a deployed endpoint (or
 * any SCIM 2.0 endpoint), served on http://127.0.0.1:$PORT/console/ with a read-only proxy
 * to <url>, so the browser needs no CORS. The token is typed in the page; it is never
 * passed on the command line, written to disk or logged.
 *
 *   --base-url  the endpoint's SCIM Base URL (required)
 *   --port      port to listen on (default: PORT, else 8090)
 *   SCIM_LOG    "quiet" to silence the per-request log lines
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'base-url': { type: 'string' }, port: { type: 'string' } } });
  const baseUrl = values['base-url'];
  if (!baseUrl) throw new Error('give the endpoint: npm run console -- --base-url https://<api>/scim/v2');
  const port = parsePort(values.port ?? process.env.PORT ?? '8090');
  const logger: Logger = process.env.SCIM_LOG === 'quiet' ? { info: () => undefined, error: jsonLogger.error } : jsonLogger;
  const proxy = await startConsoleProxy({ baseUrl, port, logger });
  process.stdout.write(
    [
      '',
      'scim-endpoint directory console',
      `  Console:    ${proxy.consoleUrl}`,
      `  Endpoint:   ${baseUrl} (read-only: GET only, proxied from /scim/v2 on this port)`,
      '  Token:      typed in the page, kept in its memory only',
      '',
    ].join('\n') + '\n',
  );
  const stop = () => proxy.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`the port must be a port number, not "${text}".`);
  return port;
}

main().catch((error: Error) => {
  process.stderr.write(`the console could not start: ${error.message}\n`);
  process.exit(1);
});
