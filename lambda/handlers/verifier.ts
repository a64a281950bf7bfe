import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { RecordsTokenVerifier, type TokenVerifier } from '../http/auth';
import { SecretTokenVerifier } from '../http/secret-tokens';
import type { AuthConfig } from './config';

/** Hooks on the token secret's client. */
export interface VerifierHooks {
  /** Told of every read of the secret: the token cache's refreshes. */
  readonly onSecretRead?: () => void;
  /** Wraps the client, e.g. to trace its calls. */
  readonly capture?: <T>(client: T) => T;
}

/** The token check of a deployed function: the stack's secret, or the one hash `sam local invoke` gives. */
export function tokenVerifier(config: AuthConfig, hooks: VerifierHooks = {}): TokenVerifier {
  if (config.localTokenSha256) return new RecordsTokenVerifier([{ id: 'sam-local', sha256: config.localTokenSha256 }]);
  const client = new SecretsManagerClient({});
  const { onSecretRead, capture } = hooks;
  if (onSecretRead) {
    client.middlewareStack.add(
      (next) => async (args) => {
        onSecretRead();
        return next(args);
      },
      { step: 'initialize', name: 'scimTokenCacheMetrics' },
    );
  }
  return new SecretTokenVerifier(config.tokenSecretArn, capture ? capture(client) : client);
}
