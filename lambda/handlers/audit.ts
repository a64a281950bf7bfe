import { auditRoutes } from '../http/audit-routes';
import type { Route } from '../http/router';
import { AuditService } from '../service/audit-service';
import { deployedHandler } from './lambda-entry';
import { DynamoAuditLog } from '../store/audit-log';
import type { StoreSettings } from './services';

/** The routes of the Audit function: GET /Audit, read from the table (this function may not write it). */
export const auditFunctionRoutes = (settings: StoreSettings): Route[] =>
  auditRoutes(
    // Not through directoryStores: this function reads the audit trail only, and its bundle leaves the user and group stores out.
    new AuditService(settings.stores ? settings.stores(settings.directoryId).audit : new DynamoAuditLog(settings.client, settings.tableName, settings.directoryId)),
  );

/** Lambda entry of the Audit function. */
export const handler = deployedHandler(auditFunctionRoutes);
