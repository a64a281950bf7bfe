/**
 * Compatibility profiles: how faithfully the endpoint imitates a particular hosted SCIM
 * service. `rfc` (the default) is the whole of RFC 7643/7644; `aws-iam-identity-center`
 * refuses what AWS IAM Identity Center refuses and answers as it does (docs/protocol.md).
 */
export const PROFILES = ['rfc', 'aws-iam-identity-center'] as const;

/** One of {@link PROFILES}. */
export type ProfileName = (typeof PROFILES)[number];

/** Reads a profile name (SCIM_PROFILE, the CDK prop); unset is `rfc`, anything unknown throws. */
export function parseProfile(text: string | undefined): ProfileName {
  if (text === undefined || text.trim() === '') return 'rfc';
  const found = PROFILES.find((p) => p === text.trim().toLowerCase());
  if (!found) throw new Error(`Unknown compatibility profile "${text}"; expected one of ${PROFILES.join(', ')}.`);
  return found;
}
