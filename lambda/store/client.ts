import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { StoreUnavailable } from './types';

/** Where the table is: AWS (region from the environment) or DynamoDB Local (an endpoint). */
export interface ClientOptions {
  readonly endpoint?: string;
  readonly region?: string;
  /** Credentials for DynamoDB Local, which accepts any. */
  readonly credentials?: DynamoDBClientConfig['credentials'];
  /** Told of every DynamoDB request when it ends (retries included), e.g. to count round trips. */
  readonly onCall?: (call: CallRecord) => void;
}

/** One DynamoDB request: its command and when it started and ended (performance.now()). */
export interface CallRecord {
  readonly command: string;
  readonly started: number;
  readonly ended: number;
}

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
]);

/**
 * The document client the stores use. Timeouts are short so that a stuck connection turns
 * into a 503 well inside API Gateway's 29 s, and the SDK's standard retries (3 attempts with
 * backoff) absorb brief throttling before the client sees a 429.
 */
export function createDocumentClient(options: ClientOptions = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    endpoint: options.endpoint,
    region: options.region,
    credentials: options.credentials,
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 2000, requestTimeout: 5000 },
  });
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        throw translateError(error);
      }
    },
    { step: 'initialize', name: 'scimStoreErrors' },
  );
  if (options.onCall) {
    const onCall = options.onCall;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const started = performance.now();
        try {
          return await next(args);
        } finally {
          onCall({ command: String(context.commandName), started, ended: performance.now() });
        }
      },
      { step: 'initialize', name: 'scimCallRecorder' },
    );
  }
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/** Turns throttling and unreachable-database errors into StoreUnavailable; others pass. */
export function translateError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  if (THROTTLING.has(error.name)) return new StoreUnavailable('throttled', 'DynamoDB throttled the request.');
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const code = (error as { code?: string }).code;
  const network =
    error.name === 'TimeoutError' ||
    error.name === 'RequestTimeout' ||
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'ETIMEDOUT' ||
    code === 'EPIPE';
  if (network || (status !== undefined && status >= 500)) {
    return new StoreUnavailable('unreachable', 'DynamoDB could not be reached.');
  }
  return error;
}
