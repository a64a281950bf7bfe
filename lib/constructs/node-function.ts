import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FUNCTION_BUNDLE, PROJECT_ROOT } from './bundling';

/** Settings of one function of the endpoint. */
export interface NodeFunctionSettings {
  /** Handler module relative to the project root; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly logRetention: logs.RetentionDays;
  readonly environment: Record<string, string>;
  /** Encrypts the log group with this key. @default AWS-owned encryption */
  readonly encryptionKey?: kms.IKey;
  /** Concurrency reserved for (and capping) this function. @default none: the account's unreserved pool */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * A bundled Node.js 22 function with its own log group and its own role, which may write only
 * to that log group: no AWSLambdaBasicExecutionRole, whose log actions are on Resource "*".
 * Callers add exactly the statements the function needs.
 */
export class NodeFunction extends Construct {
  /** The function. */
  public readonly fn: NodejsFunction;
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
    this.fn = new NodejsFunction(this, 'Function', {
      description: settings.description,
      entry: path.join(PROJECT_ROOT, settings.entry),
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: settings.memorySize,
      timeout: settings.timeout,
      role: this.role,
      logGroup: this.logGroup,
      // JSON log format: Lambda's own lines (START/END/REPORT, timeouts) become JSON with the request id too.
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: settings.environment,
      reservedConcurrentExecutions: settings.reservedConcurrentExecutions,
      bundling: {
        forceDockerBundling: false,
        minify: FUNCTION_BUNDLE.minify,
        format: { esm: OutputFormat.ESM }[FUNCTION_BUNDLE.format],
        target: FUNCTION_BUNDLE.target,
        sourceMap: FUNCTION_BUNDLE.sourcemap,
        mainFields: [...FUNCTION_BUNDLE.mainFields],
        banner: FUNCTION_BUNDLE.banner,
        externalModules: FUNCTION_BUNDLE.external,
        // Rendered as one --alias:<package>=<path> argument each.
        esbuildArgs: { '--alias': Object.entries(FUNCTION_BUNDLE.alias).map(([from, to]) => `${from}=${to}`) },
      },
    });
  }
}
