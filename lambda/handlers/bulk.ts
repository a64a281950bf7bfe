import { bulkAndSearchRoutes } from '../http/bulk-routes';
import type { Route } from '../http/router';
import { BulkService } from '../service/bulk-service';
import { deployedHandler } from './lambda-entry';
import { groupsService, usersService, type FunctionSettings } from './services';

/** The routes of the Bulk function: /Bulk and the root /.search, over both resource types. */
export const bulkRoutes = (settings: FunctionSettings): Route[] => {
  const services = [usersService(settings), groupsService(settings)];
  return bulkAndSearchRoutes(new BulkService(services), services);
};

/** Lambda entry of the Bulk function. */
export const handler = deployedHandler(bulkRoutes);
