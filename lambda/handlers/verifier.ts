import { RecordsTokenVerifier, type TokenVerifier } from '../http/auth';
import { SecretTokenVerifier } from '../http/secret-tokens';
import type { AuthConfig } from './config';

/** The token check of a deployed function: the stack's secret, or the one hash `sam local invoke` gives. */
export function tokenVerifier(config: AuthConfig): TokenVerifier {
  return config.localTokenSha256
    ? new RecordsTokenVerifier([{ id: 'sam-local', sha256: config.localTokenSha256 }])
    : new SecretTokenVerifier(config.tokenSecretArn);
}
