import { schemas } from '../schema/registry';
import { USER_SCHEMA } from '../schema/user';
import type { SchemaDef } from '../schema/types';
import { IIC_UNSUPPORTED_USER_ATTRIBUTES } from './iic-attributes';
import type { ProfileName } from './profile';

/**
 * The schemas /Schemas advertises under a profile: all of them, or under the AWS IAM
 * Identity Center profile the User schema without the attributes IIC refuses
 * (CLIENTS.md §1.4), so that a client reading the schema learns what it may send.
 */
export function profileSchemas(profile: ProfileName): readonly SchemaDef[] {
  if (profile === 'rfc') return schemas;
  const refused = new Set(IIC_UNSUPPORTED_USER_ATTRIBUTES.map((a) => a.toLowerCase()));
  return schemas.map((s) =>
    s.id === USER_SCHEMA ? { ...s, attributes: s.attributes.filter((a) => !refused.has(a.name.toLowerCase())) } : s,
  );
}
