import { BULK_RESPONSE_SCHEMA } from '../scim/bulk/request';
import { searchQuery } from '../scim/search';
import type { BulkService } from '../service/bulk-service';
import type { ResourceService } from '../service/resource-service';
import { searchAll } from '../service/root-search';
import { callContext } from './call-context';
import { parseJsonBody } from './request';
import { errorBody } from './response';
import { route, type Route } from './router';

/**
 * POST /Bulk (RFC 7644 §3.7) and POST /.search (§3.4.3). The body limit every function
 * applies (1 MiB) is Bulk's maxPayloadSize, answered 413 above it as §3.7.4 asks.
 */
export function bulkAndSearchRoutes(bulk: BulkService, services: readonly ResourceService[]): Route[] {
  return [
    route('POST', 'Bulk', async (req) => {
      const outcomes = await bulk.run(parseJsonBody(req), callContext(req));
      return {
        status: 200,
        body: {
          schemas: [BULK_RESPONSE_SCHEMA],
          Operations: outcomes.map((o) => ({
            method: o.method,
            ...(o.bulkId !== undefined ? { bulkId: o.bulkId } : {}),
            ...(o.version ? { version: o.version } : {}),
            ...(o.location ? { location: o.location } : {}),
            status: String(o.status),
            ...(o.error ? { response: errorBody(o.error) } : {}),
          })),
        },
      };
    }),
    route('POST', '.search', async (req) => ({
      status: 200,
      body: await searchAll(services, searchQuery(parseJsonBody(req)), callContext(req)),
    })),
  ];
}
