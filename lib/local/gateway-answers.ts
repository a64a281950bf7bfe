import type { ProfileName } from '../../lambda/scim/profiles/profile';
import { GATEWAY_ANSWERS, gatewayErrorBody } from '../constructs/gateway-answers';

/** An answer as API Gateway's proxy result carries it. */
export interface GatewayResult {
  readonly statusCode: number;
  readonly headers?: Record<string, unknown>;
  readonly body: string;
}

/** The variables of a gateway response template that the local server fills in. */
export interface GatewayContext {
  readonly requestId: string;
  readonly at: Date;
  /** `$context.error.messageString`: API Gateway's own message, e.g. "Too Many Requests". */
  readonly message?: string;
}

/**
 * What the deployed stage answers itself for the gateway answer `id` (lib/constructs/
 * gateway-answers.ts), rendered by the local server from the same template and headers, so
 * that a throttled client sees on a laptop the bytes it sees in AWS.
 */
export function gatewayAnswer(profile: ProfileName, id: string, context: GatewayContext): GatewayResult {
  const answer = GATEWAY_ANSWERS.find((a) => a.id === id);
  if (!answer) throw new Error(`No gateway answer "${id}"`);
  const body = gatewayErrorBody(profile, answer.status, answer.detail)
    .replace('$context.requestId', context.requestId)
    .replace('$context.requestTime', requestTime(context.at))
    .replace('$context.error.messageString', JSON.stringify(context.message ?? ''));
  const contentType = profile === 'aws-iam-identity-center' ? 'application/json' : 'application/scim+json';
  return { statusCode: Number(answer.status), headers: { 'Content-Type': contentType, ...answer.headers }, body };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's `$context.requestTime`: CLF, "dd/MMM/yyyy:HH:mm:ss +0000" (UTC). */
export function requestTime(at: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(at.getUTCDate())}/${MONTHS[at.getUTCMonth()]}/${at.getUTCFullYear()}:${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())} +0000`;
}
