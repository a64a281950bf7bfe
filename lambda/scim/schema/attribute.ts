import type { AttributeDef, AttributeType } from './types';

type Options = Partial<Omit<AttributeDef, 'name' | 'type'>>;

/**
 * Builds an attribute definition with the RFC 7643 §2.2 defaults: single-valued, optional,
 * caseExact false, readWrite, returned by default, uniqueness none.
 */
export function attr(name: string, type: AttributeType, options: Options = {}): AttributeDef {
  return {
    name,
    type,
    multiValued: false,
    description: '',
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...options,
  };
}

/** A complex attribute with its sub-attributes. */
export function complex(name: string, subAttributes: AttributeDef[], options: Options = {}): AttributeDef {
  return attr(name, 'complex', { ...options, subAttributes });
}

/**
 * The value/display/type/primary shape that RFC 7643 §2.4 gives multi-valued attributes
 * such as emails and phoneNumbers.
 */
export function multiValued(
  name: string,
  description: string,
  types: readonly string[],
  value: Options & { type?: AttributeType } = {},
  extra: AttributeDef[] = [],
): AttributeDef {
  const { type: valueType = 'string', ...valueOptions } = value;
  return complex(
    name,
    [
      attr('value', valueType, { description: `The ${name} value.`, ...valueOptions }),
      attr('display', 'string', { description: 'A human-readable name, primarily used for display purposes.' }),
      attr('type', 'string', { description: 'A label indicating the attribute\'s function.', canonicalValues: types }),
      attr('primary', 'boolean', { description: 'Indicates the primary or preferred value.' }),
      ...extra,
    ],
    { multiValued: true, description },
  );
}
