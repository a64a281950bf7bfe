import { Aws, Duration, RemovalPolicy, SecretValue, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DIRECTORY_BASE_PATH, FUNCTION_ROUTES, SCIM_BASE_PATH, type FunctionRoute } from '../../lambda/handlers/routes';
import { PROFILES, type ProfileName } from '../../lambda/scim/profiles/profile';
import { AUDIT_TTL_ATTRIBUTE, DEFAULT_AUDIT_RETENTION_DAYS, INDEXES, TABLE_KEYS, type IndexDefinition } from '../../lambda/store/table';
import { ApiGatewayAccount } from './api-gateway-account';
import { ApiWebAcl, apiResourcePolicy } from './api-protection';
import { ChangeEvents } from './change-events';
import { ScimDashboard } from './dashboard';
import { DirectoryOperator } from './directory-operator';
import { EdgeAuth } from './edge-auth';
import { EncryptionKey, SECRET_READ_KMS_ACTIONS, TABLE_KMS_ACTIONS, viaService } from './encryption';
import { addGatewayResponses } from './gateway-responses';
import { Monitoring } from './monitoring';
import { NodeFunction } from './node-function';
import { functionObservability, validateObservabilityProps, type FunctionObservability, type ScimObservabilityProps } from './observability';
import { TokenAlarms } from './token-alarms';
import { EDGE_DEFAULTS, type TlsSecurityPolicy } from './edge-defaults';
import { acknowledgeNagFindings } from './nag-acknowledgments';
import { validateEdgeProps, validateNetworkProps } from './validate-network-props';

/** A custom domain for the Base URL, served with TLS 1.2 as the minimum. */
export interface ScimCustomDomain {
  /** The host name, e.g. `scim.example.com`. */
  readonly domainName: string;
  /** ARN of an ACM certificate for `domainName`, in the stack's region (a regional endpoint). */
  readonly certificateArn: string;
  /**
   * Route 53 hosted zone in which to create the alias record (`hostedZoneName` is needed with it).
   * @default no record: point the name at the API's regional domain yourself
   */
  readonly hostedZoneId?: string;
  /**
   * Name of that hosted zone, e.g. `example.com`.
   * @default none
   */
  readonly hostedZoneName?: string;
}

/** Properties of {@link ScimEndpoint}. Every one is optional: the defaults deploy a working endpoint. */
export interface ScimEndpointProps extends ScimObservabilityProps {
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
   * Steady-state request rate allowed on the stage, for all callers together, in requests per
   * second: the ceiling above every directory's usage plan (API Gateway's account limit is 10,000).
   * @default 200
   */
  readonly throttlingRateLimit?: number;

  /**
   * Burst of requests allowed on the stage above the steady rate.
   * @default 400
   */
  readonly throttlingBurstLimit?: number;

  /**
   * Steady request rate of one directory's tokens together (their usage plan), in requests per
   * second. Microsoft Entra ID requires an endpoint to take 25; AWS IAM Identity Center throttles
   * at about 20 (CLIENTS.md §1.9), so a client tuned for it fits too.
   * @default 50
   */
  readonly providerRateLimit?: number;

  /**
   * Burst of one directory's tokens above their steady rate.
   * @default 100
   */
  readonly providerBurstLimit?: number;

  /**
   * Seconds API Gateway caches the edge authorizer's answer per token (1 to 60). The authorizer's
   * own copy of the token list lives for the rest of the minute, so a revoked token is refused at
   * the edge within 60 s whatever this is; lower means more authorizer invocations.
   * @default 30
   */
  readonly authorizerCacheSeconds?: number;

  /**
   * TLS security policy of the REST API and of the custom domain. The default accepts TLS 1.3
   * and TLS 1.2 with forward-secret AES-GCM suites only (and post-quantum key exchange where the
   * client offers it): what Entra ID, Okta and JumpCloud negotiate. `TLS_1_2` is the legacy policy.
   * @default 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09'
   */
  readonly tlsSecurityPolicy?: TlsSecurityPolicy;

  /**
   * Endpoint access mode of an enhanced security policy: `STRICT` refuses a request whose SNI
   * does not name the API's own endpoint (domain fronting); `BASIC` is for migrating to it.
   * @default 'STRICT'
   */
  readonly endpointAccessMode?: 'STRICT' | 'BASIC';

  /**
   * Encrypt the table (and its stream), the token secret, every log group, the alarm topic and the
   * dead-letter queue with one customer-managed KMS key this stack creates (rotated yearly, retained).
   * A key costs $1 a month plus requests; the token CLI's operator needs kms:Decrypt and
   * kms:GenerateDataKey on it.
   * @default false: AWS-managed and AWS-owned encryption
   */
  readonly customerManagedKey?: boolean;

  /**
   * Reserved concurrency per function, keyed by function id (`Users`, `Groups`, `Discovery`,
   * `Bulk`, `Audit`, `Authorizer`): a floor the account cannot take away and a ceiling on what one
   * function may cost. Mind that a function at its ceiling answers 500 (Lambda throttle).
   * @default none: every function draws on the account's unreserved pool
   */
  readonly reservedConcurrency?: Readonly<Record<string, number>>;

  /**
   * 401 answers in 5 minutes that raise the Api401 alarm.
   * @default 20
   */
  readonly unauthorizedAlarmThreshold?: number;

  /**
   * 429 answers in 5 minutes that raise the Api429 alarm.
   * @default 50
   */
  readonly throttledAlarmThreshold?: number;

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

  /**
   * Serve the Base URL on this domain (TLS 1.2 minimum) and switch off the default
   * execute-api endpoint, so that the domain is the only way in.
   * @default none: the execute-api URL is the Base URL
   */
  readonly customDomain?: ScimCustomDomain;

  /**
   * Source addresses (CIDR, IPv4 or IPv6) allowed to call the API, e.g. the identity provider's
   * published egress ranges. Enforced by the API's resource policy, and by the web ACL when on.
   * @default any source
   */
  readonly allowedSourceCidrs?: string[];

  /**
   * Put a WAF web ACL in front of the stage, with a rate-based rule per source IP and, with
   * `allowedSourceCidrs`, an IP allow list. WAF is billed per web ACL, rule and request.
   * @default false
   */
  readonly webAcl?: boolean;

  /**
   * Requests one source IP may send in any 5-minute window before the web ACL blocks it
   * (only with `webAcl`; WAF's minimum is 10). The default is above one directory's usage plan
   * (50 req/s is 15,000 per 5 minutes), so that a provider behind a single egress address is
   * throttled by its plan (429, retried) before WAF would block it (403, not retried).
   * @default 20000
   */
  readonly requestRateLimit?: number;

  /**
   * Requests without a bearer token one source IP may send in any 5-minute window before the
   * web ACL blocks it (only with `webAcl`): such a request can only be refused.
   * @default 300
   */
  readonly unauthenticatedRateLimit?: number;

  /**
   * E-mail address subscribed to the alarm topic (the recipient confirms the subscription).
   * @default none: the topic exists, subscribe to it later
   */
  readonly alarmEmail?: string;

  /**
   * Publish every committed change (users, groups, memberships) to an EventBridge bus.
   * @default false
   */
  readonly changeEvents?: boolean;

  /**
   * Days an audit entry is kept before DynamoDB's TTL deletes it (free of charge, within about
   * two days of expiry). The entries are items of the table: its key, its backups.
   * @default 400
   */
  readonly auditRetentionDays?: number;

  /**
   * Create the account-level API Gateway CloudWatch role that access logging needs. Set it to
   * false when the account and region already have one (it is a per-region setting).
   * @default true
   */
  readonly apiGatewayCloudWatchRole?: boolean;
}

/** Stays below API Gateway's 29 s integration limit, so a slow request ends as a Lambda timeout we log. */
const FUNCTION_TIMEOUT = Duration.seconds(28);

/**
 * The only DynamoDB actions the store (lambda/store) needs: GetItem, Query, BatchGetItem and
 * BatchWriteItem as sent, and for TransactWriteItems (which is no IAM action of its own) the
 * Put/Update/Delete/ConditionCheck item actions IAM checks for each item of a transaction.
 * No Scan, no table-level action.
 */
export const TABLE_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
];

/** What a function that only reads the audit trail needs: a Query of the table and its listing index. */
export const TABLE_READ_ACTIONS = ['dynamodb:Query'];

/** JSON access log line: who called what, over which TLS, and the outcome. No header, so no token, is logged. */
const ACCESS_LOG_FORMAT = apigateway.AccessLogFormat.custom(
  JSON.stringify({
    requestId: apigateway.AccessLogField.contextRequestId(),
    requestTime: apigateway.AccessLogField.contextRequestTime(),
    sourceIp: apigateway.AccessLogField.contextIdentitySourceIp(),
    userAgent: apigateway.AccessLogField.contextIdentityUserAgent(),
    httpMethod: apigateway.AccessLogField.contextHttpMethod(),
    // The resource template (/scim/v2/Users/{proxy+}), not the path: an id in a path may be an e-mail.
    resourcePath: apigateway.AccessLogField.contextResourcePath(),
    protocol: apigateway.AccessLogField.contextProtocol(),
    tlsVersion: '$context.tlsVersion',
    cipherSuite: '$context.cipherSuite',
    status: apigateway.AccessLogField.contextStatus(),
    responseLength: apigateway.AccessLogField.contextResponseLength(),
    responseLatency: apigateway.AccessLogField.contextResponseLatency(),
    integrationLatency: apigateway.AccessLogField.contextIntegrationLatency(),
    errorMessage: apigateway.AccessLogField.contextErrorMessage(),
    wafStatus: '$context.waf.status',
    // Who the edge authorizer says the caller is (a token id, never the token), and its outcome.
    tokenId: '$context.authorizer.tokenId',
    authorizerStatus: '$context.authorizer.status',
    authorizerLatency: '$context.authorizer.latency',
    usagePlanKeyId: '$context.identity.apiKeyId',
  }),
);

/** The secret's value when created: no tokens. The token CLI adds token hashes; no plain token is ever stored. */
const EMPTY_TOKEN_STORE = JSON.stringify({ tokens: [] });

/**
 * A SCIM 2.0 service provider: one DynamoDB table, a Secrets Manager secret holding bearer
 * token hashes, one Lambda function per entry of FUNCTION_ROUTES and a REST API in front
 * (TLS 1.2+, an edge authorizer and a usage plan per directory), with JSON access logs,
 * alarms and, optionally, a customer-managed key, a custom domain, a WAF web ACL and change events.
 */
export class ScimEndpoint extends Construct {
  /** The single table of users, groups, memberships and uniqueness guards. */
  public readonly table: dynamodb.Table;
  /** Holds `{"tokens":[...]}`: hashes of the bearer tokens the functions accept. */
  public readonly tokenSecret: secretsmanager.Secret;
  /** The SCIM functions, keyed by FunctionRoute id (e.g. "Users"). */
  public readonly functions: Readonly<Record<string, lambda.Function>>;
  /** The log group of each function, keyed like {@link functions}. */
  public readonly logGroups: Readonly<Record<string, logs.LogGroup>>;
  /** The REST API serving `/scim/v2/...`. */
  public readonly api: apigateway.RestApi;
  /** The stage's JSON access log. */
  public readonly accessLogGroup: logs.LogGroup;
  /** The edge authorizer and the deployment directory's usage plan. */
  public readonly edgeAuth: EdgeAuth;
  /** The daily token expiry check and the 401/429 counts. */
  public readonly tokenAlarms: TokenAlarms;
  /** Alarms and the topic they notify. */
  public readonly monitoring: Monitoring;
  /** The customer-managed key, when `customerManagedKey` is on. */
  public readonly encryptionKey?: kms.Key;
  /** The web ACL, when `webAcl` is on. */
  public readonly webAcl?: ApiWebAcl;
  /** The change-event publisher and its bus, when `changeEvents` is on. */
  public readonly changeEvents?: ChangeEvents;
  /** The custom domain, when given. */
  public readonly domain?: apigateway.DomainName;
  /** The CloudWatch dashboard, unless `dashboard` is false. */
  public readonly dashboard?: ScimDashboard;
  /** The managed policy an operator's role needs for `npm run directory` and `npm run token` (attached to nothing). */
  public readonly directoryOperator: DirectoryOperator;
  /** The deployment's own directory, served at /scim/v2 (every other at /<id>/scim/v2). */
  public readonly directoryId: string;
  /** The SCIM Base URL to give the identity provider, without a trailing slash. */
  public readonly baseUrl: string;

  constructor(scope: Construct, id: string, props: ScimEndpointProps = {}) {
    super(scope, id);
    validateProps(props);

    const stageName = props.stageName ?? 'v1';
    const directoryId = props.directoryId ?? 'default';
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const tlsSecurityPolicy = props.tlsSecurityPolicy ?? EDGE_DEFAULTS.tlsSecurityPolicy;
    const reserved = props.reservedConcurrency ?? {};
    const key = props.customerManagedKey ? new EncryptionKey(this, 'EncryptionKey').key : undefined;
    this.encryptionKey = key;
    const observability = functionObservability(this, props);

    this.table = this.createTable(key);
    this.tokenSecret = new secretsmanager.Secret(this, 'TokenSecret', {
      description: 'SCIM bearer token hashes, managed by the token CLI (bin/token.ts)',
      // Not sensitive: an empty list. Real tokens are only ever added as hashes.
      secretStringValue: SecretValue.unsafePlainText(EMPTY_TOKEN_STORE),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Set on the resource: Secret's encryptionKey prop would add a key-policy statement for the whole
    // account through Secrets Manager, which the account statement and each role's own grant make needless.
    if (key) (this.tokenSecret.node.defaultChild as secretsmanager.CfnSecret).kmsKeyId = key.keyArn;
    acknowledgeNagFindings(this.tokenSecret, 'secretRotation');

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogGroup', { retention: logRetention, encryptionKey: key });
    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: 'scim-endpoint',
      description: 'SCIM 2.0 endpoint (RFC 7644)',
      endpointConfiguration: { types: [apigateway.EndpointType.REGIONAL] },
      // With a custom domain (TLS 1.2 minimum) the default endpoint would be a second way in.
      disableExecuteApiEndpoint: props.customDomain !== undefined,
      policy: apiResourcePolicy(props.allowedSourceCidrs),
      // Usage plans are keyed by the edge authorizer (the caller's directory), never by a client header.
      apiKeySourceType: apigateway.ApiKeySourceType.AUTHORIZER,
      // The account role access logging needs is made below, with a narrower policy than CDK's.
      cloudWatchRole: false,
      deployOptions: {
        stageName,
        throttlingRateLimit: props.throttlingRateLimit ?? EDGE_DEFAULTS.throttlingRateLimit,
        throttlingBurstLimit: props.throttlingBurstLimit ?? EDGE_DEFAULTS.throttlingBurstLimit,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: ACCESS_LOG_FORMAT,
        // Execution logs and data tracing stay off: they would log request headers, the token among them.
        loggingLevel: apigateway.MethodLoggingLevel.OFF,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: observability.tracing,
      },
    });
    // TLS 1.2 or better on the execute-api endpoint too (its own default is TLS 1.0).
    const cfnApi = this.api.node.defaultChild as apigateway.CfnRestApi;
    cfnApi.securityPolicy = tlsSecurityPolicy;
    if (tlsSecurityPolicy.startsWith('SecurityPolicy_')) cfnApi.endpointAccessMode = props.endpointAccessMode ?? EDGE_DEFAULTS.endpointAccessMode;
    acknowledgeNagFindings(cfnApi, 'requestValidation');
    acknowledgeNagFindings(this.api.deploymentStage, 'executionLogs', ...(props.webAcl ? [] : (['webAclOptional'] as const)));
    if (props.apiGatewayCloudWatchRole ?? true) {
      // Access logging needs the per-region API Gateway account role; the stage must wait for it.
      const account = new ApiGatewayAccount(this, 'ApiGatewayAccount');
      this.api.deploymentStage.node.addDependency(account.account);
    }

    const scimPath = SCIM_BASE_PATH.replace(/^\//, '');
    // Known at deploy time, so no function ever builds it from a request header. The stage URL is
    // built from the API id, not api.url, whose stage reference would make a dependency cycle.
    this.baseUrl = props.customDomain
      ? `https://${props.customDomain.domainName}/${scimPath}`
      : `https://${this.api.restApiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}/${stageName}/${scimPath}`;

    const functions: Record<string, lambda.Function> = {};
    const logGroups: Record<string, logs.LogGroup> = {};
    for (const route of FUNCTION_ROUTES) {
      const fn = this.createFunction(route, {
        memorySize: props.memorySize ?? 512,
        directoryId,
        logRetention,
        profile: props.compatibilityProfile,
        key,
        reservedConcurrency: reserved[route.id],
        auditRetentionDays: props.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS,
        observability,
      });
      functions[route.id] = fn.fn;
      logGroups[route.id] = fn.logGroup;
    }
    this.functions = functions;
    this.logGroups = logGroups;

    this.edgeAuth = new EdgeAuth(this, 'EdgeAuth', {
      api: this.api,
      tokenSecret: this.tokenSecret,
      directoryId,
      cacheSeconds: props.authorizerCacheSeconds ?? EDGE_DEFAULTS.authorizerCacheSeconds,
      providerRateLimit: props.providerRateLimit ?? EDGE_DEFAULTS.providerRateLimit,
      providerBurstLimit: props.providerBurstLimit ?? EDGE_DEFAULTS.providerBurstLimit,
      logRetention,
      encryptionKey: key,
      reservedConcurrency: reserved.Authorizer,
      observability,
    });
    this.addRoutes(this.edgeAuth.methodOptions);
    addGatewayResponses(this.api, props.compatibilityProfile ?? 'rfc');
    this.directoryId = directoryId;
    this.directoryOperator = new DirectoryOperator(this, 'DirectoryOperator', {
      tokenSecret: this.tokenSecret,
      table: this.table,
      usagePlan: this.edgeAuth.usagePlan,
      encryptionKey: key,
    });
    // RestApi adds an output with the stage URL; drop it so the only URL shown is the Base URL.
    this.api.node.tryRemoveChild('Endpoint');

    if (props.webAcl) {
      this.webAcl = new ApiWebAcl(this, 'WebAcl', {
        stageArn: this.api.deploymentStage.stageArn,
        requestRateLimit: props.requestRateLimit ?? EDGE_DEFAULTS.requestRateLimit,
        unauthenticatedRateLimit: props.unauthenticatedRateLimit ?? EDGE_DEFAULTS.unauthenticatedRateLimit,
        allowedSourceCidrs: props.allowedSourceCidrs,
        logRetention,
        encryptionKey: key,
      });
    }
    if (props.changeEvents) {
      this.changeEvents = new ChangeEvents(this, 'ChangeEvents', { table: this.table, logRetention, encryptionKey: key, observability });
    }
    this.monitoring = new Monitoring(this, 'Monitoring', {
      api: this.api,
      table: this.table,
      functions: {
        ...functions,
        Authorizer: this.edgeAuth.fn.fn,
        ...(this.changeEvents ? { ChangeEvents: this.changeEvents.publisher.fn } : {}),
      },
      alarmEmail: props.alarmEmail,
      encryptionKey: key,
    });
    this.tokenAlarms = new TokenAlarms(this, 'TokenAlarms', {
      tokenSecret: this.tokenSecret,
      accessLogGroup: this.accessLogGroup,
      monitoring: this.monitoring,
      logRetention,
      unauthorizedThreshold: props.unauthorizedAlarmThreshold ?? EDGE_DEFAULTS.unauthorizedAlarmThreshold,
      throttledThreshold: props.throttledAlarmThreshold ?? EDGE_DEFAULTS.throttledAlarmThreshold,
      encryptionKey: key,
    });
    if (this.changeEvents) {
      const period = Duration.minutes(5);
      this.monitoring.add(
        'ChangeEventsDeadLetters',
        this.changeEvents.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
        'Change events could not be published after retries (see the dead-letter queue)',
      );
      this.monitoring.add(
        'ChangeEventsIteratorAge',
        this.changeEvents.publisher.fn.metric('IteratorAge', { period, statistic: 'Maximum' }),
        'Change events are more than 5 minutes behind the table',
        300_000,
      );
    }

    if (props.dashboard ?? true) {
      // The live list of alarms: those added after this line (Monitoring.add) are shown too.
      this.dashboard = new ScimDashboard(this, 'Dashboard', {
        api: this.api,
        table: this.table,
        // The authorizer answers before every SCIM function: its throttles and errors are the endpoint's too.
        functions: { ...functions, Authorizer: this.edgeAuth.fn.fn },
        alarms: this.monitoring.alarms,
        metricsNamespace: observability.metricsNamespace,
        serviceName: observability.serviceName,
      });
    }

    if (props.customDomain) this.domain = this.addCustomDomain(props.customDomain, tlsSecurityPolicy, props.endpointAccessMode ?? EDGE_DEFAULTS.endpointAccessMode);
  }

  private createTable(key: kms.IKey | undefined): dynamodb.Table {
    const table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      ...(key ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: key } : { encryption: dynamodb.TableEncryption.AWS_MANAGED }),
      // The change-event publisher reads this stream (when on); it costs nothing unread.
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      // Audit entries expire by TTL (auditRetentionDays); no other item carries the attribute.
      timeToLiveAttribute: AUDIT_TTL_ATTRIBUTE,
      // The directory's data outlives the stack: deleting the stack must never delete it.
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
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
    settings: {
      memorySize: number;
      directoryId: string;
      logRetention: logs.RetentionDays;
      profile?: ProfileName;
      key?: kms.IKey;
      reservedConcurrency?: number;
      auditRetentionDays: number;
      observability: FunctionObservability;
    },
  ): NodeFunction {
    const usesTable = route.usesTable ?? true;
    const fn = new NodeFunction(this, route.id, {
      entry: route.entry,
      description: `SCIM ${route.resources.join(', ')}`,
      memorySize: settings.memorySize,
      timeout: FUNCTION_TIMEOUT,
      logRetention: settings.logRetention,
      encryptionKey: settings.key,
      reservedConcurrentExecutions: settings.reservedConcurrency,
      observability: settings.observability,
      environment: {
        // A function that reads no table (Discovery) is not told its name either.
        ...(usesTable ? { TABLE_NAME: this.table.tableName, AUDIT_RETENTION_DAYS: String(settings.auditRetentionDays) } : {}),
        // Every function tells a token of the deployment's own directory from one of another.
        DIRECTORY_ID: settings.directoryId,
        TOKEN_SECRET_ARN: this.tokenSecret.secretArn,
        SCIM_BASE_URL: this.baseUrl,
        // Empty in AWS. Declared so that `sam local invoke --env-vars events/env.json` may set it
        // (SAM overrides only variables the template declares) to reach DynamoDB Local.
        DYNAMODB_ENDPOINT: '',
        // Only when set, so that a default deployment's environment stays as it was.
        ...(settings.profile ? { SCIM_PROFILE: settings.profile } : {}),
        ...settings.observability.environment,
      },
    });
    if (usesTable) {
      // The table and its indexes by name: no other table, no other index. The directory index
      // is read only by an operator deleting a directory (DirectoryOperator), never by a function.
      const indexArns = Object.values(INDEXES)
        .filter((index) => index.indexName !== INDEXES.byDirectory.indexName)
        .map((index) => `${this.table.tableArn}/index/${index.indexName}`);
      const actions = route.tableAccess === 'read' ? TABLE_READ_ACTIONS : TABLE_ACTIONS;
      fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: [this.table.tableArn, ...indexArns] }));
      if (settings.key) fn.role.addToPrincipalPolicy(viaService(settings.key, 'dynamodb', TABLE_KMS_ACTIONS));
    }
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.tokenSecret.secretArn] }),
    );
    if (settings.key) fn.role.addToPrincipalPolicy(viaService(settings.key, 'secretsmanager', SECRET_READ_KMS_ACTIONS));
    return fn;
  }

  /** The domain (the API's TLS policy), its mapping to the stage at the root, and the alias record when a zone is given. */
  private addCustomDomain(custom: ScimCustomDomain, policy: TlsSecurityPolicy, accessMode: 'STRICT' | 'BASIC'): apigateway.DomainName {
    const enhanced = policy.startsWith('SecurityPolicy_');
    const domain = new apigateway.DomainName(this, 'Domain', {
      domainName: custom.domainName,
      certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', custom.certificateArn),
      endpointType: apigateway.EndpointType.REGIONAL,
      securityPolicy: policy as apigateway.SecurityPolicy,
      ...(enhanced ? { endpointAccessMode: accessMode as apigateway.EndpointAccessMode } : {}),
      mapping: this.api,
    });
    if (custom.hostedZoneId) {
      const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
        hostedZoneId: custom.hostedZoneId,
        zoneName: custom.hostedZoneName!,
      });
      new route53.ARecord(this, 'AliasRecord', {
        zone,
        recordName: custom.domainName,
        target: route53.RecordTarget.fromAlias(new targets.ApiGatewayDomain(domain)),
      });
    }
    return domain;
  }

  /**
   * `/scim/v2/<Resource>` and, for routes with children, `/scim/v2/<Resource>/{proxy+}`, and the
   * same below `/{directory}/scim/v2` for every other directory: ANY, Lambda proxy, behind the
   * edge authorizer. One resource tree whatever the number of directories.
   */
  private addRoutes(methodOptions: apigateway.MethodOptions): void {
    const bases = [SCIM_BASE_PATH, DIRECTORY_BASE_PATH].map((path) => this.api.root.resourceForPath(path));
    for (const route of FUNCTION_ROUTES) {
      const integration = new apigateway.LambdaIntegration(this.functions[route.id], {
        proxy: true,
        allowTestInvoke: false,
      });
      // The functions check the token again: the authorizer is the first of two checks, not the only one.
      for (const base of bases) {
        for (const resourceName of route.resources) {
          const resource = base.addResource(resourceName);
          const methods = [resource.addMethod('ANY', integration, methodOptions)];
          if (route.withChildren) methods.push(resource.addResource('{proxy+}').addMethod('ANY', integration, methodOptions));
          for (const method of methods) acknowledgeNagFindings(method, 'bearerTokenAuthorizer');
        }
      }
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
  const { auditRetentionDays } = props;
  if (auditRetentionDays !== undefined && !Token.isUnresolved(auditRetentionDays) && !(Number.isInteger(auditRetentionDays) && auditRetentionDays >= 1 && auditRetentionDays <= 36_500)) {
    throw new Error(`auditRetentionDays must be a whole number of days from 1 to 36500; got ${auditRetentionDays}`);
  }
  if (directoryId !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(directoryId)) {
    throw new Error(`directoryId must be 1-64 letters, digits, '_' or '-'; got '${directoryId}'`);
  }
  validateNetworkProps(props);
  validateEdgeProps(props, [...FUNCTION_ROUTES.map((r) => r.id), 'Authorizer']);
  validateObservabilityProps(props);
}
