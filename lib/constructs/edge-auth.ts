import { Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { usageKeyValue } from '../../lambda/http/edge-authorizer';
import { SECRET_READ_KMS_ACTIONS, viaService } from './encryption';
import { NodeFunction } from './node-function';
import type { FunctionObservability } from './observability';

/** Settings of {@link EdgeAuth}. */
export interface EdgeAuthProps {
  readonly api: apigateway.RestApi;
  readonly tokenSecret: secretsmanager.ISecret;
  /** The directory whose usage plan the deployment creates (its tokens' default directory). */
  readonly directoryId: string;
  /** Seconds API Gateway caches the authorizer's answer per token (at most 60, the revocation bound). */
  readonly cacheSeconds: number;
  /** Steady requests per second of one directory's tokens together. */
  readonly providerRateLimit: number;
  /** Burst of one directory's tokens above the steady rate. */
  readonly providerBurstLimit: number;
  readonly logRetention: logs.RetentionDays;
  readonly encryptionKey?: kms.IKey;
  readonly reservedConcurrency?: number;
  /** The endpoint's log level and tracing, so that a traced request shows its authorizer too. @default INFO, no tracing */
  readonly observability?: FunctionObservability;
}

/**
 * Authentication at the edge and each provider's own capacity: a REQUEST authorizer on the
 * Authorization header refuses a request without a valid token before any SCIM function runs
 * (cached per token), and names the caller's directory as the API key of a usage plan, so
 * that the directory's tokens are throttled in a bucket of their own. A caller without a
 * valid token never reaches that bucket.
 */
export class EdgeAuth extends Construct {
  /** The authorizer function. */
  public readonly fn: NodeFunction;
  /** The authorizer every SCIM method uses. */
  public readonly authorizer: apigateway.RequestAuthorizer;
  /**
   * The usage plan: each directory's key in it is throttled in a bucket of its own (a plan's
   * limits apply per key). The deployment's own key is made here; `npm run directory` adds the others.
   */
  public readonly usagePlan: apigateway.UsagePlan;
  /** What each SCIM method is given: the authorizer, and the usage-plan key it names. */
  public readonly methodOptions: apigateway.MethodOptions;
  /** Part of every usage key (usageKeyValue): the directory CLI makes each new directory's key with it. */
  public readonly usageKeySalt: string;

  constructor(scope: Construct, id: string, props: EdgeAuthProps) {
    super(scope, id);
    // Stable for the life of the construct, distinct per deployment: part of each usage key.
    const salt = this.node.addr.slice(0, 16);
    this.usageKeySalt = salt;
    this.fn = new NodeFunction(this, 'Authorizer', {
      entry: 'lambda/handlers/authorizer.ts',
      description: 'SCIM edge authorizer: bearer token check before any SCIM function',
      memorySize: 256,
      timeout: Duration.seconds(10),
      logRetention: props.logRetention,
      encryptionKey: props.encryptionKey,
      reservedConcurrentExecutions: props.reservedConcurrency,
      observability: props.observability,
      environment: {
        TOKEN_SECRET_ARN: props.tokenSecret.secretArn,
        USAGE_KEY_SALT: salt,
        AUTHORIZER_CACHE_SECONDS: String(props.cacheSeconds),
        DIRECTORY_ID: props.directoryId,
      },
    });
    this.fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [props.tokenSecret.secretArn] }),
    );
    if (props.encryptionKey) this.fn.role.addToPrincipalPolicy(viaService(props.encryptionKey, 'secretsmanager', SECRET_READ_KMS_ACTIONS));

    this.authorizer = new apigateway.RequestAuthorizer(this, 'RequestAuthorizer', {
      handler: this.fn.fn,
      identitySources: [apigateway.IdentitySource.header('Authorization')],
      resultsCacheTtl: Duration.seconds(props.cacheSeconds),
      authorizerName: 'scim-bearer-token',
    });

    this.usagePlan = new apigateway.UsagePlan(this, 'UsagePlan', {
      name: `scim-directory-${props.directoryId}`,
      description: `SCIM: requests of directory ${props.directoryId}'s tokens`,
      throttle: { rateLimit: props.providerRateLimit, burstLimit: props.providerBurstLimit },
      apiStages: [{ api: props.api, stage: props.api.deploymentStage }],
    });
    // Not a credential: the API takes keys from the authorizer only (apiKeySourceType AUTHORIZER).
    const key = new apigateway.ApiKey(this, 'DirectoryKey', {
      description: `Usage-plan key of SCIM directory ${props.directoryId} (named by the authorizer, never sent by clients)`,
      value: usageKeyValue(salt, props.directoryId),
      enabled: true,
    });
    this.usagePlan.addApiKey(key);

    this.methodOptions = {
      authorizationType: apigateway.AuthorizationType.CUSTOM,
      authorizer: this.authorizer,
      apiKeyRequired: true,
    };
  }
}
