import { attr, complex, multiValued } from './attribute';
import type { SchemaDef } from './types';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** The core User schema, RFC 7643 §4.1 and §8.7.1. */
export const userSchema: SchemaDef = {
  id: USER_SCHEMA,
  name: 'User',
  description: 'User Account',
  attributes: [
    attr('userName', 'string', {
      description: 'Unique identifier for the User, used by the user to directly authenticate.',
      required: true,
      uniqueness: 'server',
    }),
    complex(
      'name',
      [
        attr('formatted', 'string', { description: 'The full name, formatted for display.' }),
        attr('familyName', 'string', { description: 'The family name of the User.' }),
        attr('givenName', 'string', { description: 'The given name of the User.' }),
        attr('middleName', 'string', { description: 'The middle name(s) of the User.' }),
        attr('honorificPrefix', 'string', { description: 'The honorific prefix(es) of the User.' }),
        attr('honorificSuffix', 'string', { description: 'The honorific suffix(es) of the User.' }),
      ],
      { description: "The components of the user's real name." },
    ),
    attr('displayName', 'string', { description: 'The name of the User, suitable for display to end-users.' }),
    attr('nickName', 'string', { description: 'The casual way to address the user.' }),
    attr('profileUrl', 'reference', { description: "A URI of the User's online profile.", referenceTypes: ['external'] }),
    attr('title', 'string', { description: "The user's title, such as \"Vice President\"." }),
    attr('userType', 'string', { description: 'The relationship between the organization and the user.' }),
    attr('preferredLanguage', 'string', { description: "The User's preferred written or spoken language." }),
    attr('locale', 'string', { description: "The User's default location for localization." }),
    attr('timezone', 'string', { description: "The User's time zone in IANA Time Zone database format." }),
    attr('active', 'boolean', { description: "The User's administrative status." }),
    attr('password', 'string', {
      description: "The User's cleartext password. Accepted and never stored or returned.",
      mutability: 'writeOnly',
      returned: 'never',
    }),
    multiValued('emails', 'Email addresses for the user.', ['work', 'home', 'other']),
    multiValued('phoneNumbers', 'Phone numbers for the User.', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
    multiValued('ims', 'Instant messaging addresses for the User.', ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo']),
    multiValued('photos', 'URLs of photos of the User.', ['photo', 'thumbnail'], {
      type: 'reference',
      referenceTypes: ['external'],
    }),
    complex(
      'addresses',
      [
        attr('formatted', 'string', { description: 'The full mailing address, formatted for display.' }),
        attr('streetAddress', 'string', { description: 'The full street address component.' }),
        attr('locality', 'string', { description: 'The city or locality component.' }),
        attr('region', 'string', { description: 'The state or region component.' }),
        attr('postalCode', 'string', { description: 'The zip code or postal code component.' }),
        attr('country', 'string', { description: 'The country name component.' }),
        attr('type', 'string', { description: 'A label indicating the attribute\'s function.', canonicalValues: ['work', 'home', 'other'] }),
        attr('primary', 'boolean', { description: 'Indicates the primary mailing address.' }),
      ],
      { multiValued: true, description: 'A physical mailing address for this User.' },
    ),
    complex(
      'groups',
      [
        attr('value', 'string', { description: 'The identifier of the User\'s group.', mutability: 'readOnly' }),
        attr('$ref', 'reference', { referenceTypes: ['User', 'Group'], mutability: 'readOnly' }),
        attr('display', 'string', { mutability: 'readOnly' }),
        attr('type', 'string', { canonicalValues: ['direct', 'indirect'], mutability: 'readOnly' }),
      ],
      { multiValued: true, mutability: 'readOnly', description: 'A list of groups to which the user belongs.' },
    ),
    multiValued('entitlements', 'A list of entitlements for the User.', []),
    multiValued('roles', 'A list of roles for the User.', []),
    multiValued('x509Certificates', 'A list of certificates issued to the User.', [], { type: 'binary' }),
  ],
};

/** The enterprise User extension, RFC 7643 §4.3. */
export const enterpriseUserSchema: SchemaDef = {
  id: ENTERPRISE_USER_SCHEMA,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    attr('employeeNumber', 'string', { description: 'Numeric or alphanumeric identifier assigned to a person.' }),
    attr('costCenter', 'string', { description: 'Identifies the name of a cost center.' }),
    attr('organization', 'string', { description: 'Identifies the name of an organization.' }),
    attr('division', 'string', { description: 'Identifies the name of a division.' }),
    attr('department', 'string', { description: 'Identifies the name of a department.' }),
    complex(
      'manager',
      [
        attr('value', 'string', { description: 'The id of the SCIM resource representing the manager.' }),
        attr('$ref', 'reference', { referenceTypes: ['User'], description: 'The URI of the manager.' }),
        attr('displayName', 'string', { mutability: 'readOnly', description: "The manager's displayName." }),
      ],
      { description: "The User's manager." },
    ),
  ],
};
