import { Token } from 'aws-cdk-lib';
import { EDGE_DEFAULTS, TLS_SECURITY_POLICIES } from './edge-defaults';
import type { ScimEndpointProps } from './scim-endpoint';

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const IPV6_CIDR = /^[0-9A-Fa-f:]+\/(\d{1,3})$/;

/** A CIDR as both the resource policy and WAF accept it (WAF wants the prefix length). */
function isCidr(value: string): boolean {
  const v4 = IPV4_CIDR.exec(value);
  if (v4) return v4.slice(1, 5).every((o) => Number(o) <= 255) && Number(v4[5]) <= 32;
  const v6 = IPV6_CIDR.exec(value);
  return v6 !== null && value.includes(':') && Number(v6[1]) <= 128;
}

/** Fails synthesis early on a malformed allow list, rate limit, alarm address or custom domain. */
export function validateNetworkProps(props: ScimEndpointProps): void {
  const { allowedSourceCidrs, requestRateLimit, alarmEmail, customDomain } = props;
  if (allowedSourceCidrs !== undefined) {
    if (allowedSourceCidrs.length === 0) throw new Error('allowedSourceCidrs must list at least one CIDR, or be left out');
    const bad = allowedSourceCidrs.filter((c) => !isCidr(c));
    if (bad.length > 0) throw new Error(`allowedSourceCidrs must be CIDRs such as 203.0.113.0/24; got ${bad.join(', ')}`);
  }
  if (requestRateLimit !== undefined && !Token.isUnresolved(requestRateLimit)) {
    if (!Number.isInteger(requestRateLimit) || requestRateLimit < 10 || requestRateLimit > 2_000_000_000) {
      throw new Error(`requestRateLimit must be an integer from 10 to 2000000000 (requests per 5 minutes); got ${requestRateLimit}`);
    }
  }
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
    throw new Error(`alarmEmail must be an e-mail address; got '${alarmEmail}'`);
  }
  if (customDomain) {
    if (!/^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/.test(customDomain.domainName)) {
      throw new Error(`customDomain.domainName must be a host name; got '${customDomain.domainName}'`);
    }
    if (!Token.isUnresolved(customDomain.certificateArn) && !/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/.test(customDomain.certificateArn)) {
      throw new Error(`customDomain.certificateArn must be an ACM certificate ARN; got '${customDomain.certificateArn}'`);
    }
    if ((customDomain.hostedZoneId === undefined) !== (customDomain.hostedZoneName === undefined)) {
      throw new Error('customDomain.hostedZoneId and customDomain.hostedZoneName go together');
    }
  }
}

const positiveInteger = (value: number | undefined) => value === undefined || Token.isUnresolved(value) || (Number.isInteger(value) && value > 0);

/**
 * Fails synthesis early on edge settings that cannot work: a provider plan above the stage
 * limit (the stage would throttle it first), a cache past the 60 s revocation bound, a TLS
 * policy below 1.2, a reserved concurrency for a function that does not exist.
 */
export function validateEdgeProps(props: ScimEndpointProps, functionIds: readonly string[]): void {
  const { providerRateLimit, providerBurstLimit, throttlingRateLimit, throttlingBurstLimit, authorizerCacheSeconds } = props;
  const { tlsSecurityPolicy, endpointAccessMode, reservedConcurrency, unauthenticatedRateLimit } = props;
  const { unauthorizedAlarmThreshold, throttledAlarmThreshold } = props;
  for (const [name, value] of Object.entries({ providerBurstLimit, unauthorizedAlarmThreshold, throttledAlarmThreshold })) {
    if (!positiveInteger(value)) throw new Error(`${name} must be a positive integer; got ${value}`);
  }
  if (providerRateLimit !== undefined && !Token.isUnresolved(providerRateLimit) && !(Number.isFinite(providerRateLimit) && providerRateLimit > 0)) {
    throw new Error(`providerRateLimit must be a positive number; got ${providerRateLimit}`);
  }
  const stageRate = throttlingRateLimit ?? EDGE_DEFAULTS.throttlingRateLimit;
  const stageBurst = throttlingBurstLimit ?? EDGE_DEFAULTS.throttlingBurstLimit;
  const planRate = providerRateLimit ?? EDGE_DEFAULTS.providerRateLimit;
  const planBurst = providerBurstLimit ?? EDGE_DEFAULTS.providerBurstLimit;
  if (![stageRate, stageBurst, planRate, planBurst].some((v) => Token.isUnresolved(v)) && (planRate > stageRate || planBurst > stageBurst)) {
    throw new Error(
      `providerRateLimit/providerBurstLimit (${planRate}/${planBurst}) must not exceed throttlingRateLimit/throttlingBurstLimit (${stageRate}/${stageBurst}): the stage limit sits above every directory's plan`,
    );
  }
  if (authorizerCacheSeconds !== undefined && !(Number.isInteger(authorizerCacheSeconds) && authorizerCacheSeconds >= 1 && authorizerCacheSeconds <= 60)) {
    throw new Error(`authorizerCacheSeconds must be an integer from 1 to 60 (the revocation bound); got ${authorizerCacheSeconds}`);
  }
  if (tlsSecurityPolicy !== undefined && !(TLS_SECURITY_POLICIES as readonly string[]).includes(tlsSecurityPolicy)) {
    throw new Error(`tlsSecurityPolicy must be one of ${TLS_SECURITY_POLICIES.join(', ')}; got '${tlsSecurityPolicy}'`);
  }
  if (endpointAccessMode !== undefined && endpointAccessMode !== 'STRICT' && endpointAccessMode !== 'BASIC') {
    throw new Error(`endpointAccessMode must be STRICT or BASIC; got '${endpointAccessMode}'`);
  }
  if (unauthenticatedRateLimit !== undefined && !Token.isUnresolved(unauthenticatedRateLimit)) {
    if (!Number.isInteger(unauthenticatedRateLimit) || unauthenticatedRateLimit < 10 || unauthenticatedRateLimit > 2_000_000_000) {
      throw new Error(`unauthenticatedRateLimit must be an integer from 10 to 2000000000 (requests per 5 minutes); got ${unauthenticatedRateLimit}`);
    }
  }
  for (const [fn, value] of Object.entries(reservedConcurrency ?? {})) {
    if (!functionIds.includes(fn)) throw new Error(`reservedConcurrency names no function '${fn}'; functions are ${functionIds.join(', ')}`);
    if (!positiveInteger(value)) throw new Error(`reservedConcurrency.${fn} must be a positive integer; got ${value}`);
  }
}
