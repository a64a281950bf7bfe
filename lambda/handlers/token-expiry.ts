import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseTokenDocument } from '../http/secret-tokens';
import { daysLeftByDirectory, expiryMetricLines } from '../http/token-expiry';

let client: SecretsManagerClient | undefined;

/**
 * The daily token check (an EventBridge schedule): publishes the days left on the newest live
 * token as a metric, alarmed at 30 and 7 days. It reads the secret; it writes nothing but its log.
 */
export const handler = async (): Promise<{ directories: number; least: number }> => {
  const missing = ['TOKEN_SECRET_ARN', 'STACK_NAME'].filter((name) => !process.env[name]);
  if (missing.length > 0) throw new Error(`Missing required environment variable(s): ${missing.join(', ')}`);
  client ??= new SecretsManagerClient({});
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: process.env.TOKEN_SECRET_ARN }));
  const now = new Date();
  const { tokens, directories } = parseTokenDocument(SecretString ?? '');
  // Every registered directory counts: one whose only token expired is a provider locked out.
  const days = daysLeftByDirectory(tokens, now, directories.filter((d) => d.state === undefined).map((d) => d.id));
  for (const line of expiryMetricLines(process.env.STACK_NAME!, days, now)) process.stdout.write(line + '\n');
  return { directories: days.size, least: days.size === 0 ? 0 : Math.min(...days.values()) };
};
