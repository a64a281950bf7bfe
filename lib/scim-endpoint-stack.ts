import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { ApplicationLogLevel } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { ProfileName } from '../lambda/scim/profiles/profile';
import type { TlsSecurityPolicy } from './constructs/edge-defaults';
import { ScimEndpoint, type ScimCustomDomain, type ScimEndpointProps } from './constructs/scim-endpoint';

/** Stack properties: the usual StackProps plus every {@link ScimEndpointProps} setting. */
export interface ScimEndpointStackProps extends StackProps, ScimEndpointProps {}

/**
 * The deployable unit: one {@link ScimEndpoint} and the outputs an operator needs.
 * The outputs live here, not in the construct, so their keys stay exactly `ScimBaseUrl`,
 * `TokenSecretArn` and `TableName` (the token CLI looks them up by those names).
 */
export class ScimEndpointStack extends Stack {
  /** The SCIM endpoint this stack deploys. */
  public readonly endpoint: ScimEndpoint;

  constructor(scope: Construct, id: string, props: ScimEndpointStackProps = {}) {
    super(scope, id, props);
    const { stageName, memorySize, logRetention, throttlingRateLimit, throttlingBurstLimit, directoryId, compatibilityProfile } = props;
    const { customDomain, allowedSourceCidrs, webAcl, requestRateLimit, alarmEmail, changeEvents, apiGatewayCloudWatchRole } = props;
    const { providerRateLimit, providerBurstLimit, authorizerCacheSeconds, tlsSecurityPolicy, endpointAccessMode, customerManagedKey } = props;
    const { reservedConcurrency, unauthenticatedRateLimit, unauthorizedAlarmThreshold, throttledAlarmThreshold, auditRetentionDays } = props;
    const { dashboard, tracing, logLevel, metricsNamespace } = props;
    this.endpoint = new ScimEndpoint(this, 'ScimEndpoint', {
      providerRateLimit,
      providerBurstLimit,
      authorizerCacheSeconds,
      tlsSecurityPolicy,
      endpointAccessMode,
      customerManagedKey,
      reservedConcurrency,
      unauthenticatedRateLimit,
      unauthorizedAlarmThreshold,
      throttledAlarmThreshold,
      stageName,
      memorySize,
      logRetention,
      throttlingRateLimit,
      throttlingBurstLimit,
      directoryId,
      compatibilityProfile,
      customDomain,
      allowedSourceCidrs,
      webAcl,
      requestRateLimit,
      alarmEmail,
      changeEvents,
      apiGatewayCloudWatchRole,
      auditRetentionDays,
      dashboard,
      tracing,
      logLevel,
      metricsNamespace,
    });

    new CfnOutput(this, 'ScimBaseUrl', {
      description: 'SCIM Base URL for the identity provider (no trailing slash)',
      value: this.endpoint.baseUrl,
    });
    new CfnOutput(this, 'TokenSecretArn', {
      description: 'Secrets Manager secret holding bearer token hashes (use the token CLI)',
      value: this.endpoint.tokenSecret.secretArn,
    });
    new CfnOutput(this, 'TableName', {
      description: 'DynamoDB table holding the directory',
      value: this.endpoint.table.tableName,
    });
    new CfnOutput(this, 'DirectoryId', {
      description: "The deployment's own directory, served at ScimBaseUrl (others: npm run directory)",
      value: this.endpoint.directoryId,
    });
    new CfnOutput(this, 'UsagePlanId', {
      description: 'Usage plan every directory is throttled in, one key each (npm run directory adds them)',
      value: this.endpoint.edgeAuth.usagePlan.usagePlanId,
    });
    new CfnOutput(this, 'UsageKeySalt', {
      description: 'Part of each directory\'s usage-plan key value (not a credential: keys come from the authorizer only)',
      value: this.endpoint.edgeAuth.usageKeySalt,
    });
    new CfnOutput(this, 'DirectoryOperatorPolicyArn', {
      description: 'Managed policy for the role that runs npm run directory and npm run token (attach it; nothing else has it)',
      value: this.endpoint.directoryOperator.policy.managedPolicyArn,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'SNS topic every alarm notifies (subscribe on-call here)',
      value: this.endpoint.monitoring.topic.topicArn,
    });
    if (this.endpoint.dashboard) {
      new CfnOutput(this, 'DashboardName', {
        description: 'CloudWatch dashboard of the endpoint (docs/operations.md, Monitoring)',
        value: this.endpoint.dashboard.dashboard.dashboardName,
      });
    }
    if (this.endpoint.changeEvents) {
      new CfnOutput(this, 'ChangeEventBusName', {
        description: 'EventBridge bus receiving SCIM change events (source "scim-endpoint")',
        value: this.endpoint.changeEvents.bus.eventBusName,
      });
    }
  }
}

/** Context keys the app reads (cdk.json `context`, or `cdk deploy -c key=value`). */
export const CONTEXT_KEYS = {
  stackName: 'scim-endpoint:stackName',
  stageName: 'scim-endpoint:stageName',
  memorySize: 'scim-endpoint:memorySize',
  logRetentionDays: 'scim-endpoint:logRetentionDays',
  throttlingRateLimit: 'scim-endpoint:throttlingRateLimit',
  throttlingBurstLimit: 'scim-endpoint:throttlingBurstLimit',
  directoryId: 'scim-endpoint:directoryId',
  compatibilityProfile: 'scim-endpoint:compatibilityProfile',
  customDomainName: 'scim-endpoint:customDomainName',
  certificateArn: 'scim-endpoint:certificateArn',
  hostedZoneId: 'scim-endpoint:hostedZoneId',
  hostedZoneName: 'scim-endpoint:hostedZoneName',
  allowedSourceCidrs: 'scim-endpoint:allowedSourceCidrs',
  webAcl: 'scim-endpoint:webAcl',
  requestRateLimit: 'scim-endpoint:requestRateLimit',
  alarmEmail: 'scim-endpoint:alarmEmail',
  changeEvents: 'scim-endpoint:changeEvents',
  apiGatewayCloudWatchRole: 'scim-endpoint:apiGatewayCloudWatchRole',
  providerRateLimit: 'scim-endpoint:providerRateLimit',
  providerBurstLimit: 'scim-endpoint:providerBurstLimit',
  authorizerCacheSeconds: 'scim-endpoint:authorizerCacheSeconds',
  tlsSecurityPolicy: 'scim-endpoint:tlsSecurityPolicy',
  endpointAccessMode: 'scim-endpoint:endpointAccessMode',
  customerManagedKey: 'scim-endpoint:customerManagedKey',
  reservedConcurrency: 'scim-endpoint:reservedConcurrency',
  unauthenticatedRateLimit: 'scim-endpoint:unauthenticatedRateLimit',
  unauthorizedAlarmThreshold: 'scim-endpoint:unauthorizedAlarmThreshold',
  throttledAlarmThreshold: 'scim-endpoint:throttledAlarmThreshold',
  auditRetentionDays: 'scim-endpoint:auditRetentionDays',
  dashboard: 'scim-endpoint:dashboard',
  tracing: 'scim-endpoint:tracing',
  logLevel: 'scim-endpoint:logLevel',
  metricsNamespace: 'scim-endpoint:metricsNamespace',
} as const;

/** Reads the stack's settings from CDK context once; an unset key leaves the construct default. */
export function stackPropsFromContext(scope: Construct): ScimEndpointStackProps {
  const read = (key: string): unknown => scope.node.tryGetContext(key);
  return {
    stackName: optionalString(CONTEXT_KEYS.stackName, read(CONTEXT_KEYS.stackName)),
    stageName: optionalString(CONTEXT_KEYS.stageName, read(CONTEXT_KEYS.stageName)),
    directoryId: optionalString(CONTEXT_KEYS.directoryId, read(CONTEXT_KEYS.directoryId)),
    compatibilityProfile: optionalString(CONTEXT_KEYS.compatibilityProfile, read(CONTEXT_KEYS.compatibilityProfile)) as ProfileName | undefined,
    memorySize: optionalNumber(CONTEXT_KEYS.memorySize, read(CONTEXT_KEYS.memorySize)),
    throttlingRateLimit: optionalNumber(CONTEXT_KEYS.throttlingRateLimit, read(CONTEXT_KEYS.throttlingRateLimit)),
    throttlingBurstLimit: optionalNumber(CONTEXT_KEYS.throttlingBurstLimit, read(CONTEXT_KEYS.throttlingBurstLimit)),
    logRetention: retentionDays(read(CONTEXT_KEYS.logRetentionDays)),
    ...defined({
      customDomain: customDomain(read),
      allowedSourceCidrs: optionalList(CONTEXT_KEYS.allowedSourceCidrs, read(CONTEXT_KEYS.allowedSourceCidrs)),
      webAcl: optionalBoolean(CONTEXT_KEYS.webAcl, read(CONTEXT_KEYS.webAcl)),
      requestRateLimit: optionalNumber(CONTEXT_KEYS.requestRateLimit, read(CONTEXT_KEYS.requestRateLimit)),
      alarmEmail: optionalString(CONTEXT_KEYS.alarmEmail, read(CONTEXT_KEYS.alarmEmail)),
      changeEvents: optionalBoolean(CONTEXT_KEYS.changeEvents, read(CONTEXT_KEYS.changeEvents)),
      apiGatewayCloudWatchRole: optionalBoolean(CONTEXT_KEYS.apiGatewayCloudWatchRole, read(CONTEXT_KEYS.apiGatewayCloudWatchRole)),
      providerRateLimit: optionalNumber(CONTEXT_KEYS.providerRateLimit, read(CONTEXT_KEYS.providerRateLimit)),
      providerBurstLimit: optionalNumber(CONTEXT_KEYS.providerBurstLimit, read(CONTEXT_KEYS.providerBurstLimit)),
      authorizerCacheSeconds: optionalNumber(CONTEXT_KEYS.authorizerCacheSeconds, read(CONTEXT_KEYS.authorizerCacheSeconds)),
      tlsSecurityPolicy: optionalString(CONTEXT_KEYS.tlsSecurityPolicy, read(CONTEXT_KEYS.tlsSecurityPolicy)) as TlsSecurityPolicy | undefined,
      endpointAccessMode: optionalString(CONTEXT_KEYS.endpointAccessMode, read(CONTEXT_KEYS.endpointAccessMode)) as 'STRICT' | 'BASIC' | undefined,
      customerManagedKey: optionalBoolean(CONTEXT_KEYS.customerManagedKey, read(CONTEXT_KEYS.customerManagedKey)),
      reservedConcurrency: optionalCounts(CONTEXT_KEYS.reservedConcurrency, read(CONTEXT_KEYS.reservedConcurrency)),
      unauthenticatedRateLimit: optionalNumber(CONTEXT_KEYS.unauthenticatedRateLimit, read(CONTEXT_KEYS.unauthenticatedRateLimit)),
      unauthorizedAlarmThreshold: optionalNumber(CONTEXT_KEYS.unauthorizedAlarmThreshold, read(CONTEXT_KEYS.unauthorizedAlarmThreshold)),
      throttledAlarmThreshold: optionalNumber(CONTEXT_KEYS.throttledAlarmThreshold, read(CONTEXT_KEYS.throttledAlarmThreshold)),
      auditRetentionDays: optionalNumber(CONTEXT_KEYS.auditRetentionDays, read(CONTEXT_KEYS.auditRetentionDays)),
      dashboard: optionalBoolean(CONTEXT_KEYS.dashboard, read(CONTEXT_KEYS.dashboard)),
      tracing: optionalBoolean(CONTEXT_KEYS.tracing, read(CONTEXT_KEYS.tracing)),
      logLevel: logLevel(read(CONTEXT_KEYS.logLevel)),
      metricsNamespace: optionalString(CONTEXT_KEYS.metricsNamespace, read(CONTEXT_KEYS.metricsNamespace)),
    }),
  };
}

/** Drops undefined entries, so that unset context keys do not appear as keys at all. */
function defined<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The custom domain from its context keys: a domain name needs a certificate ARN. */
function customDomain(read: (key: string) => unknown): ScimCustomDomain | undefined {
  const domainName = optionalString(CONTEXT_KEYS.customDomainName, read(CONTEXT_KEYS.customDomainName));
  const certificateArn = optionalString(CONTEXT_KEYS.certificateArn, read(CONTEXT_KEYS.certificateArn));
  if (domainName === undefined && certificateArn === undefined) return undefined;
  if (domainName === undefined || certificateArn === undefined) {
    throw new Error(`Context ${CONTEXT_KEYS.customDomainName} and ${CONTEXT_KEYS.certificateArn} go together`);
  }
  return {
    domainName,
    certificateArn,
    ...defined({
      hostedZoneId: optionalString(CONTEXT_KEYS.hostedZoneId, read(CONTEXT_KEYS.hostedZoneId)),
      hostedZoneName: optionalString(CONTEXT_KEYS.hostedZoneName, read(CONTEXT_KEYS.hostedZoneName)),
    }),
  };
}

/** Counts per name: a JSON object in cdk.json, or `Users=10,Groups=5` from `-c key=...`. */
function optionalCounts(key: string, value: unknown): Record<string, number> | undefined {
  if (value === undefined) return undefined;
  const entries =
    typeof value === 'string'
      ? value.split(',').filter((p) => p.trim()).map((pair) => {
          const [name, count] = pair.split('=').map((p) => p.trim());
          return [name, Number(count)] as const;
        })
      : typeof value === 'object' && value !== null && !Array.isArray(value)
        ? Object.entries(value as Record<string, unknown>)
        : undefined;
  if (!entries || !entries.every(([name, count]) => name && typeof count === 'number' && Number.isFinite(count))) {
    throw new Error(`Context ${key} must map function ids to numbers, e.g. {"Users": 10} or Users=10,Groups=5`);
  }
  return Object.fromEntries(entries) as Record<string, number>;
}

/** Booleans come as booleans from cdk.json and as "true"/"false" from `-c key=value`. */
function optionalBoolean(key: string, value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`Context ${key} must be true or false; got ${String(value)}`);
}

/** A list: a JSON array in cdk.json, or comma-separated from `-c key=a,b`. */
function optionalList(key: string, value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? value.split(',').map((v) => v.trim()).filter(Boolean) : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((v) => typeof v === 'string')) {
    throw new Error(`Context ${key} must be a non-empty list of strings`);
  }
  return list;
}

function optionalString(key: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new Error(`Context ${key} must be a non-empty string`);
  return value;
}

/** Numbers come as numbers from cdk.json and as strings from `-c key=value`. */
function optionalNumber(key: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) throw new Error(`Context ${key} must be a number; got ${String(value)}`);
  return number;
}

/** One of Lambda's application log levels, in any case (`info`, `DEBUG`). */
function logLevel(value: unknown): ApplicationLogLevel | undefined {
  const level = optionalString(CONTEXT_KEYS.logLevel, value);
  if (level === undefined) return undefined;
  const allowed = Object.values(ApplicationLogLevel) as string[];
  if (!allowed.includes(level.toUpperCase())) {
    throw new Error(`Context ${CONTEXT_KEYS.logLevel} must be one of ${allowed.join(', ')}; got ${level}`);
  }
  return level.toUpperCase() as ApplicationLogLevel;
}

function retentionDays(value: unknown): RetentionDays | undefined {
  const days = optionalNumber(CONTEXT_KEYS.logRetentionDays, value);
  if (days === undefined) return undefined;
  const allowed = Object.values(RetentionDays).filter((v): v is RetentionDays => typeof v === 'number');
  if (!allowed.includes(days as RetentionDays)) {
    throw new Error(`Context ${CONTEXT_KEYS.logRetentionDays} must be one of ${allowed.join(', ')}; got ${days}`);
  }
  return days as RetentionDays;
}
