import { matchesIfNoneMatch } from '../service/preconditions';
import type { ResourceService, ServiceResult } from '../service/resource-service';
import { searchQuery } from '../scim/search';
import { callContext as context } from './call-context';
import { parseJsonBody } from './request';
import { route, type Route } from './router';
import type { ScimResponse } from './types';

/** The RFC 7644 §3 routes of one resource endpoint (e.g. /Users), each a translation only. */
export function resourceRoutes(service: ResourceService): Route[] {
  const base = service.rt.endpoint.slice(1);
  return [
    route('POST', base, async (req) => created(await service.create(parseJsonBody(req), context(req)))),
    route('GET', base, async (req) => ok(await service.list(context(req)))),
    // RFC 7644 §3.4.3: the same query as a GET, sent in a body (kept out of URLs and logs).
    route('POST', `${base}/.search`, async (req) => ok(await service.list({ ...context(req), query: searchQuery(parseJsonBody(req)) }))),
    route('GET', `${base}/:id`, async (req, { id }) => {
      const result = await service.get(id, context(req));
      if (result.etag && matchesIfNoneMatch(req.headers['if-none-match'], result.etag)) {
        return { status: 304, headers: { ETag: result.etag } };
      }
      return ok(result);
    }),
    route('PUT', `${base}/:id`, async (req, { id }) => ok(await service.replace(id, parseJsonBody(req), context(req)))),
    route('PATCH', `${base}/:id`, async (req, { id }) => ok(await service.patch(id, parseJsonBody(req), context(req)))),
    route('DELETE', `${base}/:id`, async (req, { id }) => {
      await service.delete(id, context(req));
      return { status: 204 };
    }),
  ];
}

function ok(result: ServiceResult): ScimResponse {
  return { status: result.body ? 200 : 204, body: result.body, headers: result.etag ? { ETag: result.etag } : {} };
}

function created(result: ServiceResult): ScimResponse {
  const location = (result.body!.meta as { location: string }).location;
  return { status: 201, body: result.body, headers: { ETag: result.etag ?? '', Location: location } };
}

