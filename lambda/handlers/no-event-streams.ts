/**
 * Stands in for `@smithy/core/event-streams` in the function bundles only
 * (lib/constructs/bundling.ts aliases that module to this file). The SDK's protocol code
 * imports it on demand, for operations whose input or output is an event stream (Kinesis
 * SubscribeToShard, Bedrock streaming, S3 SelectObjectContent...). The functions call
 * DynamoDB, Secrets Manager and EventBridge, which have no such operation, so they never load
 * it; bundled, it was 20 KB of every function and made each one load node:zlib at start.
 *
 * Should a function ever call an event-stream operation, it fails here, loudly, and the
 * alias is to be removed. A static import of another name from the module fails the build.
 */
const notBundled = (): never => {
  throw new Error('SDK event streams are not bundled in the functions (lambda/handlers/no-event-streams.ts).');
};

export class EventStreamSerde {
  constructor() {
    notBundled();
  }
}

export const eventStreamSerdeProvider = notBundled;
