import { fromEnv, type FromEnvInit } from '@aws-sdk/credential-provider-env';

/**
 * Stands in for `@aws-sdk/credential-provider-node` in the function bundles only
 * (lib/constructs/bundling.ts aliases that package to this file): the SDK clients' default
 * credentials become the environment variables, and the rest of the default chain (profiles,
 * SSO, STS web identity, process, container and instance metadata, with the SSO/STS clients of
 * @aws-sdk/nested-clients) is not bundled: a third of each bundle and of its module load.
 *
 * In Lambda the chain would stop at its first link anyway: the runtime sets
 * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, "the access keys obtained
 * from the function's execution role", as reserved variables of every function
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime),
 * and `sam local invoke` passes its credentials the same way. The one documented exception
 * is SnapStart, which serves container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI)
 * instead (https://docs.aws.amazon.com/lambda/latest/dg/snapstart-activate.html); it is not
 * offered for Node.js and the stack does not enable it. Should that change, chain
 * `fromHttp` of @aws-sdk/credential-provider-http here (about 7 KB).
 *
 * The local endpoint, the tests and the token CLI run unbundled and keep the default chain.
 */
export function defaultProvider(init?: FromEnvInit): ReturnType<typeof fromEnv> {
  const fromEnvironment = fromEnv(init);
  return async (identityProperties) => {
    try {
      return await fromEnvironment(identityProperties);
    } catch (error) {
      throw new Error(
        'No AWS credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY: a function bundle reads only these, which Lambda sets from the execution role (see lambda/handlers/env-credentials.ts).',
        { cause: error },
      );
    }
  };
}
