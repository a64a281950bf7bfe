/**
 * What AWS IAM Identity Center accepts of a User (CLIENTS.md §1.4), as data the profile's
 * checks and its /Schemas both read.
 */

/** User attributes IIC refuses: not supported at all, or (groups) not writable on create. */
export const IIC_UNSUPPORTED_USER_ATTRIBUTES = ['ims', 'photos', 'x509Certificates', 'entitlements', 'password', 'groups'] as const;

/** Multi-valued attributes IIC limits to one value. */
export const IIC_SINGLE_VALUED = ['emails', 'phoneNumbers', 'addresses', 'roles'] as const;

/** Sub-attributes IIC refuses, by attribute. */
export const IIC_UNSUPPORTED_SUB_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  emails: ['display'],
  phoneNumbers: ['display'],
  addresses: ['display'],
  roles: ['display'],
};

/** Names reserved for both users and groups in the Identity Store. */
export const IIC_RESERVED_NAMES = ['administrator', 'awsadministrators'] as const;

/** Identity Store limits: userName 128 characters, group displayName 1,024. */
export const IIC_MAX_USER_NAME = 128;
export const IIC_MAX_GROUP_NAME = 1024;

/** At most this many member changes per group PATCH or members per group POST (§1.5). */
export const IIC_MAX_MEMBER_CHANGES = 100;
