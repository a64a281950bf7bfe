import type { AttributeDef, JsonObject, ResourceTypeDef, SchemaDef } from '../schema/types';

export const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
export const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';

/**
 * A schema as /Schemas returns it (RFC 7643 §7, example in §8.7.1), generated from the very
 * definition the validator, filter and projection use.
 */
export function schemaRepresentation(schema: SchemaDef, baseUrl: string): JsonObject {
  return {
    schemas: [SCHEMA_SCHEMA],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes.map(attributeRepresentation),
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${schema.id}` },
  };
}

/** One attribute with every characteristic of RFC 7643 §7 (defaults written out). */
export function attributeRepresentation(def: AttributeDef): JsonObject {
  return {
    name: def.name,
    type: def.type,
    multiValued: def.multiValued,
    description: def.description,
    required: def.required,
    caseExact: def.caseExact,
    mutability: def.mutability,
    returned: def.returned,
    uniqueness: def.uniqueness,
    ...(def.canonicalValues && def.canonicalValues.length > 0 ? { canonicalValues: [...def.canonicalValues] } : {}),
    ...(def.referenceTypes ? { referenceTypes: [...def.referenceTypes] } : {}),
    ...(def.subAttributes ? { subAttributes: def.subAttributes.map(attributeRepresentation) } : {}),
  };
}

/** A resource type as /ResourceTypes returns it (RFC 7643 §6, example in §8.6). */
export function resourceTypeRepresentation(rt: ResourceTypeDef, baseUrl: string): JsonObject {
  return {
    schemas: [RESOURCE_TYPE_SCHEMA],
    id: rt.id,
    name: rt.name,
    endpoint: rt.endpoint,
    description: rt.description,
    schema: rt.schema.id,
    ...(rt.extensions.length > 0
      ? { schemaExtensions: rt.extensions.map((e) => ({ schema: e.schema.id, required: e.required })) }
      : {}),
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/${rt.id}` },
  };
}
