/** The TLS security policies a regional REST API and its custom domain accept (TLS 1.2 or better only). */
export const TLS_SECURITY_POLICIES = [
  'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09',
  'SecurityPolicy_TLS13_1_2_PQ_2025_09',
  'SecurityPolicy_TLS13_1_2_2021_06',
  'SecurityPolicy_TLS13_1_3_2025_09',
  'SecurityPolicy_TLS13_1_2_FIPS_PFS_PQ_2025_09',
  'SecurityPolicy_TLS13_1_3_FIPS_2025_09',
  'TLS_1_2',
] as const;
export type TlsSecurityPolicy = (typeof TLS_SECURITY_POLICIES)[number];

/** The defaults of the settings the edge work added, in one place (docs/deploy.md lists them). */
export const EDGE_DEFAULTS = {
  throttlingRateLimit: 200,
  throttlingBurstLimit: 400,
  providerRateLimit: 50,
  providerBurstLimit: 100,
  authorizerCacheSeconds: 30,
  tlsSecurityPolicy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09' as TlsSecurityPolicy,
  endpointAccessMode: 'STRICT' as const,
  requestRateLimit: 20_000,
  unauthenticatedRateLimit: 300,
  unauthorizedAlarmThreshold: 20,
  throttledAlarmThreshold: 50,
};
