import { attr, complex } from './attribute';
import type { AttributeDef } from './types';

/**
 * Attributes every resource carries (RFC 7643 §3.1). They are not part of any schema's
 * attribute list, but filters, projection and PATCH treat them like schema attributes.
 */
export const commonAttributes: readonly AttributeDef[] = [
  attr('id', 'string', {
    description: 'Unique identifier for the resource, assigned by the service provider.',
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
  }),
  attr('externalId', 'string', {
    description: 'An identifier for the resource as defined by the provisioning client.',
    caseExact: true,
  }),
  complex(
    'meta',
    [
      attr('resourceType', 'string', { caseExact: true, mutability: 'readOnly' }),
      attr('created', 'dateTime', { mutability: 'readOnly' }),
      attr('lastModified', 'dateTime', { mutability: 'readOnly' }),
      attr('location', 'reference', { caseExact: true, mutability: 'readOnly', referenceTypes: ['uri'] }),
      attr('version', 'string', { caseExact: true, mutability: 'readOnly' }),
    ],
    { description: 'Resource metadata.', mutability: 'readOnly' },
  ),
];
