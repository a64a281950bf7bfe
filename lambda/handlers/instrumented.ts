import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { RequestObserver } from '../http/observe';
import { FunctionTelemetry } from './telemetry';
import type { ApiHandler } from './to-lambda';
import { startTracing, type Tracing } from './tracing';

/** What a deployed function's handler is given: the Lambda runtime passes the context. */
export type LambdaApiHandler = (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;

/** What the handler of a deployed function is built with. */
export interface Instruments {
  readonly telemetry: FunctionTelemetry;
  /** Present when the stack turned tracing on. */
  readonly tracing?: Tracing;
  /** Every request's summary goes to the metrics (and to the trace). */
  readonly observer: RequestObserver;
}

/**
 * A deployed function's Lambda entry: `build` makes the handler on the first event (clients
 * are created once per container), and every invocation runs with the Lambda context on its
 * log lines, its metrics published when it ends and, when on, in its own trace subsegment.
 */
export function instrumentedHandler(build: (instruments: Instruments) => ApiHandler): LambdaApiHandler {
  let ready: Promise<{ handler: ApiHandler; instruments: Instruments }> | undefined;
  return async (event, context) => {
    // A failed start (a missing variable) is retried by the next event, as before.
    ready ??= start(build).catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    const { handler, instruments } = await ready;
    const { telemetry, tracing } = instruments;
    const run = () => handler(event);
    return telemetry.invocation(context, tracing ? () => tracing.invocation(run) : run);
  };
}

async function start(build: (instruments: Instruments) => ApiHandler) {
  const telemetry = new FunctionTelemetry(process.env);
  const tracing = await startTracing(process.env);
  const observer: RequestObserver = {
    requestEnded(summary) {
      telemetry.requestEnded(summary);
      tracing?.requestEnded(summary);
    },
  };
  const instruments = { telemetry, tracing, observer };
  return { handler: build(instruments), instruments };
}
