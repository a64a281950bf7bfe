import { auditRoutes } from '../http/audit-routes';
import type { Route } from '../http/router';
import { AuditService } from '../service/audit-service';
import { DynamoAuditLog } from '../store/audit-log';
import { deployedHandler } from './lambda-entry';
import type { StoreSettings } from './services';

/** The routes of the Audit function: GET /Audit, read from the table (this function may not write it). */
export const auditFunctionRoutes = (settings: StoreSettings): Route[] =>
  auditRoutes(new AuditService(new DynamoAuditLog(settings.client, settings.tableName, settings.directoryId)));

/** Lambda entry of the Audit function. */
export const handler = deployedHandler(auditFunctionRoutes);
