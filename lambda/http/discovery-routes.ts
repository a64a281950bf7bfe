import { forbidden, notFound, notImplemented } from '../scim/errors';
import { schemaRepresentation, resourceTypeRepresentation } from '../scim/discovery/schemas';
import { serviceProviderConfig } from '../scim/discovery/service-provider-config';
import { listResponse, queryParam } from '../scim/list';
import { profileSchemas } from '../scim/profiles/discovery';
import type { ProfileName } from '../scim/profiles/profile';
import { resourceTypes } from '../scim/schema/registry';
import type { JsonObject } from '../scim/schema/types';
import { route, type Route } from './router';
import type { ScimRequest, ScimResponse } from './types';

/**
 * RFC 7644 §4 discovery, and /Me. The documents are generated per request from the schema
 * definitions (cheap, no I/O), with the Base URL the client called for meta.location.
 * They stay behind the bearer token like every other path: they reveal nothing secret, but
 * an unauthenticated 200 would let anyone probe which hosts run the endpoint, and IAM
 * Identity Center answers 401 to them without a token too (CLIENTS.md §1.1).
 */
export function discoveryRoutes(profile: ProfileName): Route[] {
  const schemas = (req: ScimRequest) => profileSchemas(profile).map((s) => schemaRepresentation(s, req.baseUrl));
  const types = (req: ScimRequest) => resourceTypes.map((rt) => resourceTypeRepresentation(rt, req.baseUrl));
  return [
    route('GET', 'ServiceProviderConfig', async (req) => ok(serviceProviderConfig(req.baseUrl, profile))),
    route('GET', 'Schemas', async (req) => ok(all(req, schemas(req)))),
    route('GET', 'Schemas/:id', async (req, { id }) => ok(one(schemas(req), id, 'Schema'))),
    route('GET', 'ResourceTypes', async (req) => ok(all(req, types(req)))),
    route('GET', 'ResourceTypes/:id', async (req, { id }) => ok(one(types(req), id, 'ResourceType'))),
    ...meRoutes(),
  ];
}

/**
 * /Me (RFC 7644 §3.11) needs the token to name a User. Ours are provisioning credentials:
 * they identify an identity provider acting for the whole directory, not any one user, so
 * there is no "me" to resolve; 501 says so plainly rather than guessing.
 */
function meRoutes(): Route[] {
  const refuse = async (): Promise<ScimResponse> => {
    throw notImplemented('/Me is not supported: a bearer token here identifies a provisioning client, not a User.');
  };
  return ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].flatMap((method) => [route(method, 'Me', refuse), route(method, 'Me/:rest', refuse)]);
}

/** RFC 7644 §4: filtering discovery endpoints is refused with 403; paging is not applied. */
function all(req: ScimRequest, resources: JsonObject[]): JsonObject {
  if (queryParam(req.query, 'filter') !== undefined) {
    throw forbidden('Discovery endpoints do not support filtering (RFC 7644 §4).');
  }
  return listResponse(resources, resources.length, 1);
}

function one(resources: JsonObject[], id: string, kind: string): JsonObject {
  const found = resources.find((r) => String(r.id).toLowerCase() === id.toLowerCase());
  if (!found) throw notFound(`No ${kind} "${id.slice(0, 200)}".`);
  return found;
}

const ok = (body: JsonObject): ScimResponse => ({ status: 200, body });
