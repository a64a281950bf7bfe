import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { functionCode } from './function-code';
import { acknowledgeNagFindings } from './nag-acknowledgments';
import type { FunctionObservability } from './observability';

/** Settings of one function of the endpoint. */
export interface NodeFunctionSettings {
  /** Handler module relative to the project root; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly logRetention: logs.RetentionDays;
  readonly environment: { readonly [name: string]: string };
  /** Encrypts the log group with this key. @default AWS-owned encryption */
  readonly encryptionKey?: kms.IKey;
  /** Concurrency reserved for (and capping) this function. @default none: the account's unreserved pool */
  readonly reservedConcurrentExecutions?: number;
  /** Log level and tracing (lib/constructs/observability.ts). @default INFO, no tracing */
  readonly observability?: FunctionObservability;
}

/**
 * A bundled Node.js 22 function (its code from function-code.ts) with its own log group and its own role, which may write only
 * to that log group: no AWSLambdaBasicExecutionRole, whose log actions are on Resource "*".
 * Callers add exactly the statements the function needs.
 */
export class NodeFunction extends Construct {
  /** The function. */
  public readonly fn: lambda.Function;
  /** Its execution role. */
  public readonly role: iam.Role;
  /** Its log group. */
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, settings: NodeFunctionSettings) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', { retention: settings.logRetention, encryptionKey: settings.encryptionKey });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: settings.description,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] }),
    );
    this.fn = new lambda.Function(this, 'Function', {
      description: settings.description,
      code: functionCode(settings.entry),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: settings.memorySize,
      timeout: settings.timeout,
      role: this.role,
      logGroup: this.logGroup,
      // JSON log format: Lambda's own lines (START/END/REPORT, timeouts) become JSON with the request id too.
      loggingFormat: lambda.LoggingFormat.JSON,
      // Lambda sets AWS_LAMBDA_LOG_LEVEL from it, which the Powertools Logger follows.
      applicationLogLevelV2: settings.observability?.logLevel ?? lambda.ApplicationLogLevel.INFO,
      // ACTIVE also grants xray:PutTraceSegments and PutTelemetryRecords (Resource "*", as X-Ray requires).
      tracing: settings.observability?.tracing ? lambda.Tracing.ACTIVE : undefined,
      environment: { ...settings.environment },
      reservedConcurrentExecutions: settings.reservedConcurrentExecutions,
    });
    acknowledgeNagFindings(this.fn, 'runtimePinned');
    // The X-Ray statement is in the role's default policy, beside the log statement above.
    if (settings.observability?.tracing) acknowledgeNagFindings(this.role.node.findChild('DefaultPolicy'), 'xrayResources');
  }
}
