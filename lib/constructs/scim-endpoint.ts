import * as path from 'node:path';
import { Duration, RemovalPolicy, SecretValue, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { FUNCTION_ROUTES, SCIM_BASE_PATH, type FunctionRoute } from '../../lambda/handlers/routes';
import { PROFILES, type ProfileName } from '../../lambda/scim/profiles/profile';
import { INDEXES, TABLE_KEYS, type IndexDefinition } from '../../lambda/store/table';

/** Properties of {@link ScimEndpoint}. Every one is optional: the defaults deploy a working endpoint. */
export interface ScimEndpointProps {
  /**
   * API Gateway stage name; it is the first path segment of the Base URL.
   * @default 'v1'
   */
  readonly stageName?: string;

  /**
   * Memory of each SCIM function, in MB (CPU is allotted in proportion).
   * @default 512
   */
  readonly memorySize?: number;

  /**
   * How long the functions' CloudWatch logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Steady-state request rate allowed on the stage, in requests per second.
   * @default 50
   */
  readonly throttlingRateLimit?: number;

  /**
   * Burst of requests allowed on the stage above the steady rate.
   * @default 100
   */
  readonly throttlingBurstLimit?: number;

  /**
   * Directory whose data this deployment serves; it prefixes every table key.
   * Letters, digits, `_` and `-` only, since `#` separates key parts.
   * @default 'default'
   */
  readonly directoryId?: string;

  /**
   * Compatibility profile: `aws-iam-identity-center` refuses what AWS IAM Identity Center
   * refuses and answers as it does, to rehearse a rollout; `rfc` is the whole RFC.
   * Passed to the functions as SCIM_PROFILE.
   * @default 'rfc'
   */
  readonly compatibilityProfile?: ProfileName;
}

/** Where the function bundles are built from: the project root (lib/constructs → ../..). */
const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** Stays below API Gateway's 29 s integration limit, so a slow request ends as a Lambda timeout we log. */
const FUNCTION_TIMEOUT = Duration.seconds(28);

/** The only DynamoDB actions the functions need: item reads/writes, queries and transactions. No Scan. */
const TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:TransactWriteItems',
  'dynamodb:TransactGetItems',
  'dynamodb:ConditionCheckItem',
];

/** The secret's value when created: no tokens. The token CLI adds token hashes; no plain token is ever stored. */
const EMPTY_TOKEN_STORE = JSON.stringify({ tokens: [] });

/** RFC 7644 §3.12 error body for what API Gateway answers itself (unknown path, throttling, oversized body). */
const scimErrorTemplate = (status: string, detail: string): string =>
  `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"${status}","detail":${detail}}`;

/**
 * A SCIM 2.0 service provider: one DynamoDB table, a Secrets Manager secret holding bearer
 * token hashes, one Lambda function per entry of FUNCTION_ROUTES and a REST API in front.
 */
export class ScimEndpoint extends Construct {
  /** The single table of users, groups, memberships and uniqueness guards. */
  public readonly table: dynamodb.Table;
  /** Holds `{"tokens":[...]}`: hashes of the bearer tokens the functions accept. */
  public readonly tokenSecret: secretsmanager.Secret;
  /** The SCIM functions, keyed by FunctionRoute id (e.g. "Users"). */
  public readonly functions: Readonly<Record<string, NodejsFunction>>;
  /** The log group of each function, keyed like {@link functions}. */
  public readonly logGroups: Readonly<Record<string, logs.LogGroup>>;
  /** The REST API serving `/scim/v2/...`. */
  public readonly api: apigateway.RestApi;
  /** The SCIM Base URL to give the identity provider, without a trailing slash. */
  public readonly baseUrl: string;

  constructor(scope: Construct, id: string, props: ScimEndpointProps = {}) {
    super(scope, id);
    validateProps(props);

    const stageName = props.stageName ?? 'v1';
    const directoryId = props.directoryId ?? 'default';

    this.table = this.createTable();
    this.tokenSecret = new secretsmanager.Secret(this, 'TokenSecret', {
      description: 'SCIM bearer token hashes, managed by the token CLI (bin/token.ts)',
      // Not sensitive: an empty list. Real tokens are only ever added as hashes.
      secretStringValue: SecretValue.unsafePlainText(EMPTY_TOKEN_STORE),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const functions: Record<string, NodejsFunction> = {};
    const logGroups: Record<string, logs.LogGroup> = {};
    for (const route of FUNCTION_ROUTES) {
      logGroups[route.id] = new logs.LogGroup(this, `${route.id}LogGroup`, {
        retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      });
      functions[route.id] = this.createFunction(route, logGroups[route.id], {
        memorySize: props.memorySize ?? 512,
        directoryId,
        profile: props.compatibilityProfile,
      });
    }
    this.functions = functions;
    this.logGroups = logGroups;

    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: 'scim-endpoint',
      description: 'SCIM 2.0 endpoint (RFC 7644)',
      endpointConfiguration: { types: [apigateway.EndpointType.REGIONAL] },
      disableExecuteApiEndpoint: false,
      // No account-wide CloudWatch role: it is a per-region singleton that another stack may own.
      cloudWatchRole: false,
      deployOptions: {
        stageName,
        throttlingRateLimit: props.throttlingRateLimit ?? 50,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 100,
      },
    });
    this.addRoutes();
    this.addScimGatewayResponses();
    // RestApi adds an output with the stage URL; drop it so the only URL shown is the Base URL.
    this.api.node.tryRemoveChild('Endpoint');

    this.baseUrl = `${this.api.url}${SCIM_BASE_PATH.replace(/^\//, '')}`;
  }

  private createTable(): dynamodb.Table {
    const table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // Change events (provisioning audit, downstream sync) are read from the stream later.
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      // The directory's data outlives the stack: deleting the stack must never delete it.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of Object.values(INDEXES) as IndexDefinition[]) {
      table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: index.projection === 'ALL' ? dynamodb.ProjectionType.ALL : dynamodb.ProjectionType.KEYS_ONLY,
      });
    }
    return table;
  }

  private createFunction(
    route: FunctionRoute,
    logGroup: logs.ILogGroup,
    settings: { memorySize: number; directoryId: string; profile?: ProfileName },
  ): NodejsFunction {
    const usesTable = route.usesTable ?? true;
    // An explicit role instead of AWSLambdaBasicExecutionRole, whose log actions are on
    // Resource "*": this one may write only to the function's own log group.
    const role = new iam.Role(this, `${route.id}FunctionRole`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `SCIM ${route.id} function: its log group, ${usesTable ? 'the table ' : ''}and the token secret`,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );

    const fn = new NodejsFunction(this, `${route.id}Function`, {
      description: `SCIM ${route.resources.join(', ')}`,
      entry: path.join(PROJECT_ROOT, route.entry),
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: settings.memorySize,
      timeout: FUNCTION_TIMEOUT,
      role,
      logGroup,
      environment: {
        // A function that reads no table (Discovery) is not told its name either.
        ...(usesTable ? { TABLE_NAME: this.table.tableName, DIRECTORY_ID: settings.directoryId } : {}),
        TOKEN_SECRET_ARN: this.tokenSecret.secretArn,
        // Only when set, so that a default deployment's environment stays as it was.
        ...(settings.profile ? { SCIM_PROFILE: settings.profile } : {}),
      },
      bundling: {
        forceDockerBundling: false,
        minify: true,
        format: OutputFormat.ESM,
        target: 'node22',
        sourceMap: false,
        mainFields: ['module', 'main'],
        // Some bundled CommonJS dependencies call require() for Node built-ins; ESM has none.
        banner: "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
        // Bundle the AWS SDK v3 rather than use the runtime's copy: a pinned version, and
        // tree-shaking keeps the module load (cold start) small.
        externalModules: [],
      },
    });

    if (usesTable) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: TABLE_ACTIONS,
          resources: [this.table.tableArn, `${this.table.tableArn}/index/*`],
        }),
      );
    }
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.tokenSecret.secretArn],
      }),
    );
    return fn;
  }

  /** `/scim/v2/<Resource>` and, for routes with children, `/scim/v2/<Resource>/{proxy+}`: ANY, Lambda proxy. */
  private addRoutes(): void {
    const base = this.api.root.resourceForPath(SCIM_BASE_PATH);
    for (const route of FUNCTION_ROUTES) {
      const integration = new apigateway.LambdaIntegration(this.functions[route.id], {
        proxy: true,
        allowTestInvoke: false,
      });
      // Authentication is the functions' job: they check the bearer token against the hashes
      // in the token secret (IAM Identity Center's model), which an API Gateway authorizer
      // would only duplicate at the cost of an extra invocation and a cache to reason about.
      const methodOptions: apigateway.MethodOptions = { authorizationType: apigateway.AuthorizationType.NONE };
      for (const resourceName of route.resources) {
        const resource = base.addResource(resourceName);
        resource.addMethod('ANY', integration, methodOptions);
        if (route.withChildren) {
          resource.addResource('{proxy+}').addMethod('ANY', integration, methodOptions);
        }
      }
    }
  }

  /**
   * Answers that API Gateway gives without calling a function, rendered as SCIM errors so that
   * clients see the RFC 7644 §3.12 form everywhere. With no authorizer, MISSING_AUTHENTICATION_TOKEN
   * only happens for a path no route owns, hence 404.
   */
  private addScimGatewayResponses(): void {
    // `detail` is a JSON value: a literal, or API Gateway's own message already quoted and escaped.
    const responses: Array<[string, apigateway.ResponseType, string, string]> = [
      ['UnknownPath', apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN, '404', '"No SCIM endpoint at this path"'],
      ['Throttled', apigateway.ResponseType.THROTTLED, '429', '$context.error.messageString'],
      ['RequestTooLarge', apigateway.ResponseType.REQUEST_TOO_LARGE, '413', '$context.error.messageString'],
    ];
    for (const [id, type, statusCode, detail] of responses) {
      const template = scimErrorTemplate(statusCode, detail);
      this.api.addGatewayResponse(id, {
        type,
        statusCode,
        responseHeaders: { 'Content-Type': "'application/scim+json'" },
        templates: { 'application/json': template, 'application/scim+json': template },
      });
    }
  }
}

/** Fails synthesis early, with a message naming the prop, instead of at deploy time. */
function validateProps(props: ScimEndpointProps): void {
  const { stageName, memorySize, throttlingRateLimit, throttlingBurstLimit, directoryId, compatibilityProfile } = props;
  if (compatibilityProfile !== undefined && !(PROFILES as readonly string[]).includes(compatibilityProfile)) {
    throw new Error(`compatibilityProfile must be one of ${PROFILES.join(', ')}; got '${compatibilityProfile}'`);
  }
  if (stageName !== undefined && !Token.isUnresolved(stageName) && !/^[A-Za-z0-9_-]{1,128}$/.test(stageName)) {
    throw new Error(`stageName must be 1-128 letters, digits, '_' or '-'; got '${stageName}'`);
  }
  if (memorySize !== undefined && !Token.isUnresolved(memorySize)) {
    if (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10240) {
      throw new Error(`memorySize must be an integer from 128 to 10240 MB; got ${memorySize}`);
    }
  }
  if (throttlingRateLimit !== undefined && !Token.isUnresolved(throttlingRateLimit)) {
    if (!Number.isFinite(throttlingRateLimit) || throttlingRateLimit <= 0) {
      throw new Error(`throttlingRateLimit must be a positive number; got ${throttlingRateLimit}`);
    }
  }
  if (throttlingBurstLimit !== undefined && !Token.isUnresolved(throttlingBurstLimit)) {
    if (!Number.isInteger(throttlingBurstLimit) || throttlingBurstLimit <= 0) {
      throw new Error(`throttlingBurstLimit must be a positive integer; got ${throttlingBurstLimit}`);
    }
  }
  if (directoryId !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(directoryId)) {
    throw new Error(`directoryId must be 1-64 letters, digits, '_' or '-'; got '${directoryId}'`);
  }
}
