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

/** What every function reads, whether or not it uses the table. */
export type AuthConfig = Pick<FunctionConfig, 'tokenSecretArn' | 'profile'>;

/** Reads the configuration from `env`; throws naming every missing variable. */
export function readConfig(env: NodeJS.ProcessEnv): FunctionConfig {
  const missing = ['TABLE_NAME', 'TOKEN_SECRET_ARN'].filter((name) => !env[name]);
  if (missing.length > 0) throw new Error(`Missing required environment variable(s): ${missing.join(', ')}`);
  return {
    ...readAuthConfig(env),
    tableName: env.TABLE_NAME!,
    directoryId: env.DIRECTORY_ID || 'default',
    dynamoEndpoint: env.DYNAMODB_ENDPOINT || undefined,
  };
}

/** The configuration of a function without a table (Discovery): the token secret and the profile. */
export function readAuthConfig(env: NodeJS.ProcessEnv): AuthConfig {
  if (!env.TOKEN_SECRET_ARN) throw new Error('Missing required environment variable(s): TOKEN_SECRET_ARN');
  return { tokenSecretArn: env.TOKEN_SECRET_ARN, profile: parseProfile(env.SCIM_PROFILE) };
}
