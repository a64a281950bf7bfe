/**
 * Stands in for `@aws-sdk/endpoint-cache` in the function bundles only
 * (lib/constructs/bundling.ts aliases that package to this file). It is the LRU cache of
 * DynamoDB endpoint discovery (mnemonist's LRUCache, with obliterator): 7 KB of every bundle
 * that talks to DynamoDB.
 *
 * What the SDK does with it: DynamoDBClient's constructor calls
 * resolveEndpointDiscoveryConfig (@aws-sdk/middleware-endpoint-discovery), which creates
 * `new EndpointCache(1000)` as `config.endpointCache`. Only the discovery middleware reads or
 * writes that cache, and in the SDK version we pin no DynamoDB command adds the middleware
 * (each command's middleware list, `_mw0` in client-dynamodb's commandBuilder.js, is empty):
 * the cache is created and never touched. Discovery is also off by default and nothing here
 * turns it on (`endpointDiscoveryEnabled`, AWS_ENABLE_ENDPOINT_DISCOVERY).
 *
 * So this cache is the real one kept empty: reads find nothing, which is what the middleware
 * sees with discovery off (requests go to the regional endpoint). A write is discovery at work,
 * which the bundles cannot do: it throws, loudly, and the alias is to be removed.
 */
const notBundled = (): never => {
  throw new Error('DynamoDB endpoint discovery is not bundled in the functions (lambda/handlers/no-endpoint-cache.ts).');
};

export class EndpointCache {
  // The capacity the SDK passes is of no use to a cache that holds nothing.
  constructor(_capacity?: number) {}

  getEndpoint(_key: string): string | undefined {
    return undefined;
  }

  get(_key: string): undefined {
    return undefined;
  }

  has(_key: string): boolean {
    return false;
  }

  set(_key: string, _endpoints: readonly unknown[]): void {
    notBundled();
  }

  delete(_key: string): void {}

  clear(): void {}
}
