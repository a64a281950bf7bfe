import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { ProfileName } from '../lambda/scim/profiles/profile';
import { ScimEndpoint, type ScimEndpointProps } from './constructs/scim-endpoint';

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
    this.endpoint = new ScimEndpoint(this, 'ScimEndpoint', {
      stageName,
      memorySize,
      logRetention,
      throttlingRateLimit,
      throttlingBurstLimit,
      directoryId,
      compatibilityProfile,
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
  };
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

function retentionDays(value: unknown): RetentionDays | undefined {
  const days = optionalNumber(CONTEXT_KEYS.logRetentionDays, value);
  if (days === undefined) return undefined;
  const allowed = Object.values(RetentionDays).filter((v): v is RetentionDays => typeof v === 'number');
  if (!allowed.includes(days as RetentionDays)) {
    throw new Error(`Context ${CONTEXT_KEYS.logRetentionDays} must be one of ${allowed.join(', ')}; got ${days}`);
  }
  return days as RetentionDays;
}
