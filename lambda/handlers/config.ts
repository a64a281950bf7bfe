import { parseProfile, type ProfileName } from '../scim/profiles/profile';

/**
 * The functions' configuration, read once from the environment when a container starts.
 * A missing required value fails the start loudly rather than the first request quietly.
 */
export interface FunctionConfig {
  readonly tableName: string;
  readonly tokenSecretArn: string;
  readonly directoryId: string;
  /** SCIM_PROFILE: the compatibility profile (default `rfc`). */
  readonly profile: ProfileName;
  /** Set only to point a function at DynamoDB Local (sam local invoke). */
  readonly dynamoEndpoint?: string;
}

/** Reads the configuration from `env`; throws naming every missing variable. */
export function readConfig(env: NodeJS.ProcessEnv): FunctionConfig {
  const missing = ['TABLE_NAME', 'TOKEN_SECRET_ARN'].filter((name) => !env[name]);
  if (missing.length > 0) throw new Error(`Missing required environment variable(s): ${missing.join(', ')}`);
  return {
    tableName: env.TABLE_NAME!,
    tokenSecretArn: env.TOKEN_SECRET_ARN!,
    directoryId: env.DIRECTORY_ID || 'default',
    dynamoEndpoint: env.DYNAMODB_ENDPOINT || undefined,
    profile: parseProfile(env.SCIM_PROFILE),
  };
}
