/**
 * The names the functions publish under (lambda/handlers/telemetry.ts), in one place: the
 * stack's dashboard (lib/constructs/dashboard.ts) reads the same ones. No import, so that the
 * CDK construct reads this file at synth time without loading Powertools. Every dimension has
 * a few dozen values at most (route templates, status classes, scimTypes, DynamoDB commands),
 * so that the number of CloudWatch metrics, and the bill, stays fixed however many users and
 * groups there are (docs/deploy.md).
 */
export const METRICS = {
  /** Count of requests and their latency, by `Operation` and `StatusClass`. */
  requests: 'Requests',
  latency: 'Latency',
  /** Count of error answers by `ScimType` (`none` for errors that have none, e.g. 401 or 404). */
  scimErrors: 'ScimErrors',
  /** Count and latency of DynamoDB calls (retries included), by `DynamoDBOperation`. */
  dynamoCalls: 'DynamoDBCalls',
  dynamoLatency: 'DynamoDBLatency',
  /** Member items written and deleted (group PATCH, PUT, DELETE; a user's DELETE), no dimension. */
  membersAdded: 'MembersAdded',
  membersRemoved: 'MembersRemoved',
  /** Reads of the token secret: the token cache's refreshes (at most one a minute, more on unknown tokens). */
  tokenCacheRefreshes: 'TokenCacheRefreshes',
} as const;

/** The dimensions, besides Powertools' own `service` (one value per deployment). */
export const DIMENSIONS = {
  operation: 'Operation',
  statusClass: 'StatusClass',
  scimType: 'ScimType',
  dynamoOperation: 'DynamoDBOperation',
} as const;

/** The namespace when POWERTOOLS_METRICS_NAMESPACE is unset. */
export const DEFAULT_NAMESPACE = 'ScimEndpoint';
