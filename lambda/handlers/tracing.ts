import type { RequestSummary } from '../http/observe';
import { operationOf, statusClassOf } from '../http/observe';

/** X-Ray tracing of one container, when the stack turns it on. */
export interface Tracing {
  /** Traces the client's calls (a subsegment per AWS call). */
  captureClient<T>(client: T): T;
  /** Runs one invocation in a subsegment annotated with its operation and status class. */
  invocation<T>(run: () => Promise<T>): Promise<T>;
  /** Annotates the current invocation with what the request was (templates only, never values). */
  requestEnded(summary: RequestSummary): void;
}

/**
 * The Tracer of Powertools for AWS Lambda, loaded only when POWERTOOLS_TRACE_ENABLED is
 * `true` (the stack's `tracing` setting): the X-Ray SDK it brings is a separate chunk of the
 * bundle that a function without tracing never loads, so it costs no cold start.
 */
export async function startTracing(env: NodeJS.ProcessEnv = process.env): Promise<Tracing | undefined> {
  if (env.POWERTOOLS_TRACE_ENABLED !== 'true') return undefined;
  const { Tracer } = await import('@aws-lambda-powertools/tracer');
  // No response or error is ever added as metadata: a SCIM body is personal data.
  const tracer = new Tracer({ serviceName: env.POWERTOOLS_SERVICE_NAME || 'scim-endpoint', captureHTTPsRequests: true });
  return {
    captureClient: (client) => tracer.captureAWSv3Client(client),
    async invocation(run) {
      const segment = tracer.getSegment();
      if (!segment || !tracer.isTracingEnabled()) return run();
      const subsegment = segment.addNewSubsegment('## handler');
      tracer.setSegment(subsegment);
      tracer.annotateColdStart();
      tracer.addServiceNameAnnotation();
      try {
        return await run();
      } finally {
        subsegment.close();
        tracer.setSegment(segment);
      }
    },
    requestEnded(summary) {
      if (!tracer.isTracingEnabled()) return;
      tracer.putAnnotation('Operation', operationOf(summary));
      tracer.putAnnotation('StatusClass', statusClassOf(summary.status));
    },
  };
}
