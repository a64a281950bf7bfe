import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { StoreConflict, StoreUnavailable } from './types';

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

/** The SDK's middleware the stores' calls go without (see createDocumentClient). */
export const UNNEEDED_STEPS = ['getUserAgentMiddleware', 'loggerMiddleware'] as const;

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
]);

/**
 * The low-level client under the stores' document client, with its settings. Timeouts are
 * short so that a stuck connection turns into a 503 well inside API Gateway's 29 s (at most 3
 * attempts of 5 s plus backoff, about 15.5 s for one call), and the SDK's standard retries
 * absorb brief throttling before the client sees a 429. `config` adds to them (the bench's
 * SDK call cost measures this client with `cacheMiddleware`, which the document client refuses).
 */
export function createStoreClient(options: ClientOptions = {}, config: Pick<DynamoDBClientConfig, 'cacheMiddleware'> = {}): DynamoDBClient {
  const client = new DynamoDBClient({
    endpoint: options.endpoint,
    region: options.region,
    credentials: options.credentials,
    maxAttempts: 3,
    // throwOnRequestTimeout: without it the SDK only logs a warning when requestTimeout
    // passes and waits on, so a DynamoDB that stops answering would hang the request past
    // API Gateway's 29 s (test/hardening/outage.test.ts).
    requestHandler: { connectionTimeout: 2000, requestTimeout: 5000, throwOnRequestTimeout: true },
    ...config,
  });
  // Two steps of every call that do nothing the table needs: the user-agent header (the SDK's
  // usage metrics; about a tenth of a call's CPU, `npm run bench -- --only profile`) and the
  // logger step, which logs to a no-op logger. Retries, signing, endpoints and the trace header stay.
  for (const step of UNNEEDED_STEPS) client.middlewareStack.remove(step);
  return client;
}

/** The document client the stores use: createStoreClient's, with the stores' errors and the call hook. */
export function createDocumentClient(options: ClientOptions = {}): DynamoDBDocumentClient {
  const client = createStoreClient(options);
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

const NETWORK_CODES = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'];
/** A network failure named only in a message (the SDK's retry wraps what is not an Error of its realm). */
const NETWORK_MESSAGE = new RegExp(`\\b(${NETWORK_CODES.join('|')})\\b|socket hang up`);

/** Turns throttling and unreachable-database errors into StoreUnavailable; others pass. */
export function translateError(error: unknown): unknown {
  // Duck-typed: an error created in another realm (a vm context, as under jest) is no `instanceof Error`.
  if (typeof error !== 'object' || error === null || typeof (error as Error).name !== 'string') return error;
  const { name, message } = error as Error;
  if (THROTTLING.has(name)) return new StoreUnavailable('throttled', 'DynamoDB throttled the request.');
  // An item past DynamoDB's 400 KB (only one stored before the byte limits were, growing):
  // a refusal of this write, not a failure of the store.
  if (name === 'ValidationException' && typeof message === 'string' && /item size|maximum allowed size/i.test(message)) {
    return new StoreConflict('tooLarge', 'The item would exceed the size DynamoDB allows.');
  }
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const code = (error as { code?: string }).code;
  const network =
    name === 'TimeoutError' ||
    name === 'RequestTimeout' ||
    (code !== undefined && NETWORK_CODES.includes(code)) ||
    (typeof message === 'string' && NETWORK_MESSAGE.test(message));
  if (network || (status !== undefined && status >= 500)) {
    return new StoreUnavailable('unreachable', 'DynamoDB could not be reached.');
  }
  return error;
}
