import { Stack, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { DEFAULT_NAMESPACE } from '../../lambda/handlers/metric-names';

/** The observability settings of {@link ScimEndpoint}: Powertools' logs, metrics and tracing, and the dashboard. */
export interface ScimObservabilityProps {
  /**
   * A CloudWatch dashboard with the endpoint's requests, errors, DynamoDB calls, API Gateway's
   * and the functions' own metrics, and the state of every alarm. A dashboard costs $3 a month
   * beyond the first three of the account.
   * @default true
   */
  readonly dashboard?: boolean;

  /**
   * X-Ray tracing: the Powertools Tracer in the functions (a subsegment per AWS call) and
   * tracing on the API stage. X-Ray bills per trace recorded and retrieved.
   * @default false
   */
  readonly tracing?: boolean;

  /**
   * Level of the functions' own log lines (Lambda's application log level, which the
   * Powertools Logger follows). `DEBUG` and `TRACE` add nothing today; `WARN` and above drop
   * the one line per request.
   * @default lambda.ApplicationLogLevel.INFO
   */
  readonly logLevel?: lambda.ApplicationLogLevel;

  /**
   * CloudWatch namespace of the functions' metrics.
   * @default 'ScimEndpoint'
   */
  readonly metricsNamespace?: string;
}

/** What every function of one endpoint is given for its logs, metrics and traces. */
export interface FunctionObservability {
  readonly logLevel: lambda.ApplicationLogLevel;
  readonly tracing: boolean;
  /** POWERTOOLS_* variables. */
  readonly environment: { readonly [name: string]: string };
  /** The metrics' namespace and `service` dimension (one value per endpoint). */
  readonly metricsNamespace: string;
  readonly serviceName: string;
}

/**
 * The settings resolved for one endpoint. The `service` dimension is the stack's name and the
 * construct's id, so that two endpoints in one account and region never mix their metrics.
 */
export function functionObservability(endpoint: Construct, props: ScimObservabilityProps): FunctionObservability {
  const stackName = Stack.of(endpoint).stackName;
  const serviceName = Token.isUnresolved(stackName) ? endpoint.node.id : `${stackName}-${endpoint.node.id}`;
  const metricsNamespace = props.metricsNamespace ?? DEFAULT_NAMESPACE;
  const tracing = props.tracing ?? false;
  return {
    logLevel: props.logLevel ?? lambda.ApplicationLogLevel.INFO,
    tracing,
    metricsNamespace,
    serviceName,
    environment: {
      POWERTOOLS_SERVICE_NAME: serviceName,
      POWERTOOLS_METRICS_NAMESPACE: metricsNamespace,
      // Read by lambda/handlers/tracing.ts: without it the Tracer is not even loaded.
      POWERTOOLS_TRACE_ENABLED: String(tracing),
    },
  };
}

/** Fails synthesis early on a namespace CloudWatch would refuse. */
export function validateObservabilityProps(props: ScimObservabilityProps): void {
  const { metricsNamespace } = props;
  if (metricsNamespace !== undefined && !Token.isUnresolved(metricsNamespace)) {
    // CloudWatch: 1-255 characters, no leading colon, not AWS/ (reserved for AWS services).
    if (!/^[A-Za-z0-9.\-_/#:]{1,255}$/.test(metricsNamespace) || metricsNamespace.startsWith(':') || metricsNamespace.startsWith('AWS/')) {
      throw new Error(`metricsNamespace must be 1-255 letters, digits or . - _ / # :, not starting with ':' or 'AWS/'; got '${metricsNamespace}'`);
    }
  }
}
