import { auditRoutes } from '../http/audit-routes';
import type { Route } from '../http/router';
import { AuditService } from '../service/audit-service';
import { deployedHandler } from './lambda-entry';
import { directoryStores, type StoreSettings } from './services';

/** The routes of the Audit function: GET /Audit, read from the table (this function may not write it). */
export const auditFunctionRoutes = (settings: StoreSettings): Route[] =>
  auditRoutes(new AuditService(directoryStores(settings).audit));

/** Lambda entry of the Audit function. */
export const handler = deployedHandler(auditFunctionRoutes);
