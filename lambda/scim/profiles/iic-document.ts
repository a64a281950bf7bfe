import { invalidValue } from '../errors';
import type { JsonObject, ResourceTypeDef } from '../schema/types';
import { IIC_SINGLE_VALUED } from './iic-attributes';
import type { ProfileName } from './profile';

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

/** The document check a profile adds after validation (ServiceOptions.checkDocument); none under `rfc`. */
export function profileDocumentCheck(profile: ProfileName): ((rt: ResourceTypeDef, document: JsonObject) => void) | undefined {
  return profile === 'aws-iam-identity-center' ? checkIicDocument : undefined;
}
