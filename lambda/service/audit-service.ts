import { badCursor, encodeAuditCursor, parseAuditRequest } from '../scim/audit-query';
import type { JsonObject } from '../scim/schema/types';
import { InvalidPosition, StoreUnavailable, type AuditReads } from '../store/types';
import { throttled, unavailable } from '../scim/errors';

/** The schema URN of an audit page (this server's extension; not a SCIM resource). */
export const AUDIT_LIST_SCHEMA = 'urn:scim-endpoint:api:messages:2.0:AuditList';

/**
 * Reads the audit trail of the caller's directory: one resource's history (`resourceId`) or
 * the directory's activity, newest first, a page at a time (`count`, `cursor`), narrowed by
 * `actor` and `since`. Any token may read it: it shows what the directory's tokens changed.
 */
export class AuditService {
  constructor(
    private readonly log: AuditReads,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async list(query: Readonly<Record<string, string>>): Promise<JsonObject> {
    const request = parseAuditRequest(query, this.now());
    let page;
    try {
      page = await this.log.list(request);
    } catch (error) {
      if (error instanceof InvalidPosition) throw badCursor();
      if (error instanceof StoreUnavailable) {
        throw error.reason === 'throttled' ? throttled('Too many requests; retry after a short wait.', 1) : unavailable('The directory store is unavailable; retry shortly.', 2);
      }
      throw error;
    }
    return {
      schemas: [AUDIT_LIST_SCHEMA],
      itemsPerPage: page.entries.length,
      Resources: page.entries as unknown as JsonObject[],
      ...(page.next !== undefined ? { nextCursor: encodeAuditCursor(page.next) } : {}),
    };
  }
}
