import type { StoredResource } from '../store/types';
import type { JsonObject, ResourceTypeDef } from './schema/types';

/** The weak ETag of a version (RFC 7644 §3.14); `meta.version` carries the same text. */
export const etagOf = (version: number) => `W/"${version}"`;

/** The resource as a client sees it: schemas, id, the stored attributes and meta (RFC 7643 §3.1). */
export function toScimResource(rt: ResourceTypeDef, stored: StoredResource, baseUrl: string): JsonObject {
  const { schemas, ...attributes } = stored.document as JsonObject;
  return {
    schemas: schemas ?? [rt.schema.id],
    id: stored.id,
    ...attributes,
    meta: {
      resourceType: rt.name,
      created: stored.created,
      lastModified: stored.lastModified,
      location: locationOf(rt, stored.id, baseUrl),
      version: etagOf(stored.version),
    },
  };
}

/** The URI of a resource (RFC 7644 §3.1, the Location header). */
export function locationOf(rt: ResourceTypeDef, id: string, baseUrl: string): string {
  return `${baseUrl}${rt.endpoint}/${encodeURIComponent(id)}`;
}
