import type { ProfileName } from '../../lambda/scim/profiles/profile';
import { SECRETS_RETRY_AFTER_SECONDS } from '../../lambda/http/token-cache';

// What the stage answers itself, kept free of aws-cdk-lib: the local endpoint (lib/local/gateway-answers.ts) renders the same answers.

const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** One answer API Gateway gives itself, without a function: its type, status, detail and extra headers. */
export interface GatewayAnswer {
  readonly id: string;
  /** API Gateway's response type (`AWS::ApiGateway::GatewayResponse` ResponseType). */
  readonly type: string;
  readonly status: string;
  /** A JSON value: a literal, or API Gateway's own message already quoted and escaped. */
  readonly detail: string;
  readonly headers?: Record<string, string>;
}

/**
 * What API Gateway answers before (or instead of) a SCIM function. With the edge authorizer a
 * missing or unknown token is refused here; MISSING_AUTHENTICATION_TOKEN then only happens for a
 * path no route owns, hence 404. An authorizer that fails (Secrets Manager unreachable) is a
 * 503 with Retry-After: the identity provider retries instead of giving up on a 500.
 */
export const GATEWAY_ANSWERS: readonly GatewayAnswer[] = [
  { id: 'UnknownPath', type: 'MISSING_AUTHENTICATION_TOKEN', status: '404', detail: '"No SCIM endpoint at this path"' },
  {
    id: 'Unauthorized',
    type: 'UNAUTHORIZED',
    status: '401',
    detail: '"Authentication required: send a valid \\"Authorization: Bearer <token>\\"."',
    headers: { 'WWW-Authenticate': 'Bearer realm="scim"' },
  },
  { id: 'AccessDenied', type: 'ACCESS_DENIED', status: '403', detail: '"This token may not call this endpoint."' },
  { id: 'WafBlocked', type: 'WAF_FILTERED', status: '403', detail: '"The request was blocked by the web ACL."' },
  { id: 'InvalidUsageKey', type: 'INVALID_API_KEY', status: '403', detail: '"This token\'s directory has no usage plan."' },
  { id: 'Throttled', type: 'THROTTLED', status: '429', detail: '$context.error.messageString', headers: { 'Retry-After': '1' } },
  { id: 'QuotaExceeded', type: 'QUOTA_EXCEEDED', status: '429', detail: '$context.error.messageString', headers: { 'Retry-After': '60' } },
  { id: 'RequestTooLarge', type: 'REQUEST_TOO_LARGE', status: '413', detail: '$context.error.messageString' },
  {
    id: 'AuthorizerFailed',
    type: 'AUTHORIZER_FAILURE',
    status: '503',
    detail: '"The token check is unavailable right now; retry shortly."',
    headers: { 'Retry-After': String(SECRETS_RETRY_AFTER_SECONDS) },
  },
  { id: 'AuthorizerMisconfigured', type: 'AUTHORIZER_CONFIGURATION_ERROR', status: '500', detail: '"Internal server error."' },
];

/**
 * The body of a gateway answer in the profile's error shape: RFC 7644 §3.12 (`rfc`), or AWS IAM
 * Identity Center's (CLIENTS.md §1.7: `schema` next to `schemas`, exceptionRequestId, timeStamp,
 * no scimType, application/json), as lambda/scim/profiles/iic-response.ts renders the functions'.
 * API Gateway's $context.requestTime is "dd/MMM/yyyy:HH:mm:ss +0000", not IIC's own timestamp format.
 */
export function gatewayErrorBody(profile: ProfileName, status: string, detail: string): string {
  if (profile === 'aws-iam-identity-center') {
    return `{"schema":["${ERROR_SCHEMA}"],"schemas":["${ERROR_SCHEMA}"],"detail":${detail},"status":"${status}","exceptionRequestId":"$context.requestId","timeStamp":"$context.requestTime"}`;
  }
  return `{"schemas":["${ERROR_SCHEMA}"],"status":"${status}","detail":${detail}}`;
}
