/**
 * Stands in for lambda/handlers/telemetry.ts and tracing.ts in the cold-start benchmark's
 * "before" bundles: the functions as they were before Powertools, logging with the plain
 * JSON logger of lambda/http/log.ts and publishing no metric. Same exports, same shapes, so
 * that the two bundles differ by Powertools alone.
 */
import type { Context } from 'aws-lambda';
import { jsonLogger, type Logger } from '../../lambda/http/log';
import type { RequestObserver, RequestSummary } from '../../lambda/http/observe';
import type { CallRecord } from '../../lambda/store/client';

export function powertoolsLogger(): { logger: Logger; powertools: { addContext(context: Context): void } } {
  return { logger: jsonLogger, powertools: { addContext: () => undefined } };
}

export class FunctionTelemetry implements RequestObserver {
  readonly logger: Logger = jsonLogger;
  async invocation<T>(_context: Context | undefined, run: () => Promise<T>): Promise<T> {
    return run();
  }
  requestEnded(_summary: RequestSummary): void {}
  readonly dynamoCall = (_call: CallRecord): void => undefined;
  readonly memberChanges = (_added: number, _removed: number): void => undefined;
  readonly tokenCacheRefresh = (): void => undefined;
}

export async function startTracing(): Promise<undefined> {
  return undefined;
}
