/**
 * Bulk limits (RFC 7644 §3.7.4), advertised in ServiceProviderConfig.
 *
 * 100 operations: each costs at most two DynamoDB round trips (~10-20 ms), so a full bulk
 * request stays well inside API Gateway's 29 s; the response holds, per operation, only its
 * status, location and version (or an error body), a few hundred bytes, far below Lambda's
 * 6 MB. The payload limit is the request body limit every function applies (1 MiB).
 */
export const BULK_MAX_OPERATIONS = 100;
export const BULK_MAX_PAYLOAD_BYTES = 1024 * 1024;
