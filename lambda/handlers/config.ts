import { parseProfile, type ProfileName } from '../scim/profiles/profile';

/**
 * The functions' configuration, read once from the environment when a container starts.
 * A missing required value fails the start loudly rather than the first request quietly.
 */
export interface FunctionConfig {
  readonly tableName: string;
  readonly tokenSecretArn: string;
  readonly directoryId: string;
  /**
   * SCIM_BASE_URL: the Base URL the stack knows at deploy time (the stage URL or the custom
   * domain, ending in /scim/v2), on which Location and meta.location are built.
   */
  readonly baseUrl: string;
  /** SCIM_PROFILE: the compatibility profile (default `rfc`). */
  readonly profile: ProfileName;
  /** Set only to point a function at DynamoDB Local (sam local invoke); empty in AWS. */
  readonly dynamoEndpoint?: string;
  /** AUDIT_RETENTION_DAYS: how long audit entries are kept (DynamoDB TTL); default 400. */
  readonly auditRetentionDays?: number;
  /**
   * The SHA-256 of the one token accepted under `sam local invoke` (TOKEN_SECRET_ARN set to
   * `sha256:<hash>` by events/env.json), so no Secrets Manager is needed locally. Honoured only
   * together with DYNAMODB_ENDPOINT: a function pointed at the real table always reads the secret.
   */
  readonly localTokenSha256?: string;
}

const LOCAL_TOKEN = /^sha256:([A-Za-z0-9_-]{43})$/;

/** What every function reads, whether or not it uses the table. */
export type AuthConfig = Pick<FunctionConfig, 'tokenSecretArn' | 'profile' | 'localTokenSha256' | 'baseUrl' | 'directoryId'>;

/** An absolute http(s) URL ending in /scim/v2, without a trailing slash, query or fragment. */
const BASE_URL = /^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?\/scim\/v2$/;

/** Reads the configuration from `env`; throws naming every missing variable. */
export function readConfig(env: NodeJS.ProcessEnv): FunctionConfig {
  const missing = ['TABLE_NAME', 'TOKEN_SECRET_ARN', 'SCIM_BASE_URL'].filter((name) => !env[name]);
  if (missing.length > 0) throw new Error(`Missing required environment variable(s): ${missing.join(', ')}`);
  const retention = env.AUDIT_RETENTION_DAYS;
  if (retention && !(/^\d{1,5}$/.test(retention) && Number(retention) >= 1)) {
    throw new Error(`AUDIT_RETENTION_DAYS must be a whole number of days of at least 1; got "${retention}"`);
  }
  return {
    ...readAuthConfig(env),
    tableName: env.TABLE_NAME!,
    dynamoEndpoint: env.DYNAMODB_ENDPOINT || undefined,
    ...(retention ? { auditRetentionDays: Number(retention) } : {}),
  };
}

/** The configuration of a function without a table (Discovery): the token secret and the profile. */
export function readAuthConfig(env: NodeJS.ProcessEnv): AuthConfig {
  const missing = ['TOKEN_SECRET_ARN', 'SCIM_BASE_URL'].filter((name) => !env[name]);
  if (missing.length > 0) throw new Error(`Missing required environment variable(s): ${missing.join(', ')}`);
  if (!BASE_URL.test(env.SCIM_BASE_URL!)) {
    throw new Error(`SCIM_BASE_URL must be an absolute http(s) URL ending in /scim/v2; got "${env.SCIM_BASE_URL}"`);
  }
  const local = LOCAL_TOKEN.exec(env.TOKEN_SECRET_ARN!);
  if (env.TOKEN_SECRET_ARN!.startsWith('sha256:') && (!local || !env.DYNAMODB_ENDPOINT)) {
    throw new Error('TOKEN_SECRET_ARN=sha256:<hash> is for sam local invoke only: it needs DYNAMODB_ENDPOINT and a base64url SHA-256');
  }
  return {
    tokenSecretArn: env.TOKEN_SECRET_ARN!,
    baseUrl: env.SCIM_BASE_URL!,
    profile: parseProfile(env.SCIM_PROFILE),
    localTokenSha256: local?.[1],
    // The deployment's own directory, whose tokens name none; every function knows it, to tell a token of another.
    directoryId: env.DIRECTORY_ID || 'default',
  };
}
