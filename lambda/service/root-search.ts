import { invalidValue, ScimError } from '../scim/errors';
import { parseFilter } from '../scim/filter/parser';
import { listResponse, parsePaging, queryParam } from '../scim/list';
import type { JsonObject } from '../scim/schema/types';
import type { CallContext, ResourceService } from './resource-service';

/**
 * POST /.search at the root (RFC 7644 §3.4.3): one query over every resource type. A type
 * whose attributes the filter does not name is left out (a userName filter finds no group);
 * only a filter no type understands is refused. Results come type by type (Users, then
 * Groups), each sorted by sortBy when given; startIndex/count run across the whole list.
 * Cursor paging is per resource type, so it is refused here.
 */
export async function searchAll(services: readonly ResourceService[], query: Record<string, string>, ctx: CallContext): Promise<JsonObject> {
  if (queryParam(query, 'cursor') !== undefined) {
    throw invalidValue('Cursor paging is not offered on the root /.search; search /Users/.search or /Groups/.search.');
  }
  const paging = parsePaging(query);
  const filter = queryParam(query, 'filter')?.trim();
  let applicable = services;
  if (filter) {
    const failures: ScimError[] = [];
    applicable = services.filter((s) => {
      try {
        parseFilter(s.rt, filter);
        return true;
      } catch (error) {
        if (!(error instanceof ScimError)) throw error;
        failures.push(error);
        return false;
      }
    });
    if (applicable.length === 0) throw failures[0];
  }
  const resources: JsonObject[] = [];
  let totalResults = 0;
  let start = paging.startIndex;
  for (const service of applicable) {
    const remaining = paging.count - resources.length;
    const page = (await service.list({ ...ctx, query: { ...query, startIndex: String(start), count: String(remaining) } })).body!;
    const total = Number(page.totalResults);
    resources.push(...(page.Resources as JsonObject[]));
    totalResults += total;
    start = start > total ? start - total : 1;
  }
  return listResponse(resources, totalResults, paging.startIndex);
}
