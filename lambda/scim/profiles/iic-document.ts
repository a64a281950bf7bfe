import { invalidValue } from '../errors';
import type { JsonObject, ResourceTypeDef } from '../schema/types';
import { IIC_SINGLE_VALUED } from './iic-attributes';

/**
 * The rules of the AWS IAM Identity Center profile that only the resulting document can
 * tell: a PATCH may leave two emails where each operation carried one (an `add` onto a user
 * that has one, or two `add phoneNumbers` operations). IIC permits one value per
 * multi-valued attribute however it got there (PatchUser, CLIENTS.md §1.4).
 */
export function checkIicDocument(rt: ResourceTypeDef, document: JsonObject): void {
  if (rt.name !== 'User') return;
  for (const name of IIC_SINGLE_VALUED) {
    const values = document[name];
    if (Array.isArray(values) && values.length > 1) throw invalidValue(`"${name}" may hold only one value.`);
  }
}

/** A value the profile keeps unique, as the store's UniqueClaim (lambda/store/types.ts) takes it. */
export interface IicClaim {
  readonly attribute: 'email' | 'externalId';
  readonly value: string;
}

/**
 * What IIC keeps unique besides userName and displayName: a user's e-mail address and
 * externalId, a group's externalId. A second resource with one of them answers 409 "Refused
 * to create a new, duplicate resource." (AWS: Provisioning considerations; re:Post). The
 * store compares an e-mail case-insensitively, as IIC does, and an externalId exactly.
 */
export function iicUniqueClaims(rt: ResourceTypeDef, document: JsonObject): IicClaim[] {
  const claims: IicClaim[] = [];
  if (rt.name === 'User' && Array.isArray(document.emails)) {
    for (const email of document.emails) {
      const value = (email as JsonObject | null)?.value;
      if (typeof value === 'string' && value !== '') claims.push({ attribute: 'email', value });
    }
  }
  if (typeof document.externalId === 'string' && document.externalId !== '') claims.push({ attribute: 'externalId', value: document.externalId });
  return claims;
}
