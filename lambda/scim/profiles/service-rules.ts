import type { JsonObject, ResourceTypeDef } from '../schema/types';
import { checkIicDocument, iicUniqueClaims, type IicClaim } from './iic-document';
import type { ProfileName } from './profile';

/** What a profile adds to the services (ServiceOptions in lambda/service/resource-service.ts). */
export interface ProfileServiceRules {
  readonly checkDocument?: (rt: ResourceTypeDef, document: JsonObject) => void;
  readonly uniqueClaims?: (rt: ResourceTypeDef, document: JsonObject) => IicClaim[];
  readonly memberFilterNeedsUser?: boolean;
}

/**
 * The profile's rules that need the services: the resulting document's check, the values kept
 * unique besides userName/displayName, and a member filter's 404 for a user that does not
 * exist (IIC's ListGroups). None under `rfc`.
 */
export function profileServiceRules(profile: ProfileName): ProfileServiceRules {
  return profile === 'aws-iam-identity-center' ? { checkDocument: checkIicDocument, uniqueClaims: iicUniqueClaims, memberFilterNeedsUser: true } : {};
}
