import type { AuditService } from '../service/audit-service';
import { route, type Route } from './router';

/** GET /Audit: the directory's audit trail (a read: any token may call it). */
export function auditRoutes(audit: AuditService): Route[] {
  return [route('GET', 'Audit', async (req) => ({ status: 200, body: await audit.list(req.query) }))];
}
