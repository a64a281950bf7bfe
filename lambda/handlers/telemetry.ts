import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { LogFields, Logger } from '../http/log';
import { operationOf, statusClassOf, type RequestObserver, type RequestSummary } from '../http/observe';
import type { CallRecord } from '../store/client';
import { DEFAULT_NAMESPACE, DIMENSIONS, METRICS } from './metric-names';

/** Values of one metric in one EMF line, at most (CloudWatch's limit, which Powertools enforces by flushing). */
const EMF_MAX_VALUES = 100;

/** The service name logs and metrics carry: one per deployment (the stack sets it). */
const serviceName = (env: NodeJS.ProcessEnv) => env.POWERTOOLS_SERVICE_NAME || 'scim-endpoint';

/** A Logger writing Powertools' JSON lines; the log level comes from the Lambda log level or POWERTOOLS_LOG_LEVEL. */
export function powertoolsLogger(env: NodeJS.ProcessEnv = process.env): { logger: Logger; powertools: PowertoolsLogger } {
  const powertools = new PowertoolsLogger({ serviceName: serviceName(env) });
  return {
    powertools,
    logger: {
      info: (message: string, fields: LogFields) => powertools.info(message, { ...fields }),
      error: (message: string, fields: LogFields) => powertools.error(message, { ...fields }),
    },
  };
}

/** One function container's logs and metrics (Powertools for AWS Lambda): see docs/operations.md. */
export class FunctionTelemetry implements RequestObserver {
  /** The Logger the HTTP layer writes to: Powertools' JSON lines, with the Lambda context. */
  readonly logger: Logger;
  private readonly powertools: PowertoolsLogger;
  private readonly metrics: Metrics;
  private requests: RequestSummary[] = [];
  private calls: CallRecord[] = [];
  private membersAdded = 0;
  private membersRemoved = 0;
  private tokenReads = 0;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    // Service name, namespace and log level come from POWERTOOLS_SERVICE_NAME,
    // POWERTOOLS_METRICS_NAMESPACE and the Lambda log level (AWS_LAMBDA_LOG_LEVEL), set by the stack.
    ({ logger: this.logger, powertools: this.powertools } = powertoolsLogger(env));
    this.metrics = new Metrics({ namespace: env.POWERTOOLS_METRICS_NAMESPACE || DEFAULT_NAMESPACE, serviceName: serviceName(env) });
  }

  /** Runs one invocation: the Lambda context on every log line, the metrics published when it ends. */
  async invocation<T>(context: Context | undefined, run: () => Promise<T>): Promise<T> {
    if (context) this.powertools.addContext(context);
    this.metrics.captureColdStartMetric(context?.functionName);
    try {
      return await run();
    } finally {
      this.flush();
    }
  }

  requestEnded(summary: RequestSummary): void {
    this.requests.push(summary);
  }

  /** For the DynamoDB client's `onCall`: one call, counted in the invocation it ends in. */
  readonly dynamoCall = (call: CallRecord): void => {
    this.calls.push(call);
  };

  /** Member items committed by one write (see member-changes.ts). */
  readonly memberChanges = (added: number, removed: number): void => {
    this.membersAdded += added;
    this.membersRemoved += removed;
  };

  /** One read of the token secret. */
  readonly tokenCacheRefresh = (): void => {
    this.tokenReads += 1;
  };

  /**
   * Writes what the invocation observed as EMF lines, one per dimension set (CloudWatch takes
   * every metric of a line under all of its dimensions, so each set needs a line of its own).
   * Lambda runs one invocation at a time per container, so everything recorded since the
   * last flush belongs to this one.
   */
  private flush(): void {
    const { metrics } = this;
    for (const summary of this.requests) {
      metrics.addDimensions({ [DIMENSIONS.operation]: operationOf(summary), [DIMENSIONS.statusClass]: statusClassOf(summary.status) });
      metrics.addMetric(METRICS.requests, MetricUnit.Count, 1);
      metrics.addMetric(METRICS.latency, MetricUnit.Milliseconds, summary.ms);
      metrics.publishStoredMetrics();
      if (summary.status >= 400) {
        metrics.addDimension(DIMENSIONS.scimType, summary.scimType ?? 'none');
        metrics.addMetric(METRICS.scimErrors, MetricUnit.Count, 1);
        metrics.publishStoredMetrics();
      }
    }
    const byCommand = new Map<string, number[]>();
    for (const call of this.calls) {
      const times = byCommand.get(call.command) ?? [];
      times.push(Math.round((call.ended - call.started) * 100) / 100);
      byCommand.set(call.command, times);
    }
    for (const [command, times] of byCommand) {
      // EMF holds at most 100 values of a metric per line (a 10,000-member PATCH makes ~200 calls).
      for (let at = 0; at < times.length; at += EMF_MAX_VALUES) {
        const chunk = times.slice(at, at + EMF_MAX_VALUES);
        metrics.addDimension(DIMENSIONS.dynamoOperation, command.replace(/Command$/, ''));
        metrics.addMetric(METRICS.dynamoCalls, MetricUnit.Count, chunk.length);
        // One value per call: EMF keeps them as one array, so percentiles stay per call.
        for (const ms of chunk) metrics.addMetric(METRICS.dynamoLatency, MetricUnit.Milliseconds, ms);
        metrics.publishStoredMetrics();
      }
    }
    if (this.membersAdded > 0) metrics.addMetric(METRICS.membersAdded, MetricUnit.Count, this.membersAdded);
    if (this.membersRemoved > 0) metrics.addMetric(METRICS.membersRemoved, MetricUnit.Count, this.membersRemoved);
    if (this.tokenReads > 0) metrics.addMetric(METRICS.tokenCacheRefreshes, MetricUnit.Count, this.tokenReads);
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    this.requests = [];
    this.calls = [];
    this.membersAdded = 0;
    this.membersRemoved = 0;
    this.tokenReads = 0;
  }
}
