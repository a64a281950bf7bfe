import { attr, complex } from './attribute';
import type { SchemaDef } from './types';

export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

/** The core Group schema, RFC 7643 §4.2 and §8.7.1. */
export const groupSchema: SchemaDef = {
  id: GROUP_SCHEMA,
  name: 'Group',
  description: 'Group',
  attributes: [
    attr('displayName', 'string', {
      description: 'A human-readable name for the Group.',
      required: true,
      // Unique here as AWS IAM Identity Center and Microsoft Entra ID require (RFC 7643 leaves it "none").
      uniqueness: 'server',
    }),
    complex(
      'members',
      [
        attr('value', 'string', { description: 'Identifier of the member of this Group.', mutability: 'immutable', caseExact: true }),
        attr('$ref', 'reference', { referenceTypes: ['User', 'Group'], mutability: 'immutable' }),
        attr('display', 'string', { mutability: 'readOnly' }),
        attr('type', 'string', { canonicalValues: ['User', 'Group'], mutability: 'immutable' }),
      ],
      { multiValued: true, description: 'A list of members of the Group.' },
    ),
  ],
};
