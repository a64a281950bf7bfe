import { resourceRoutes } from '../http/resource-routes';
import type { Route } from '../http/router';
import { deployedHandler } from './lambda-entry';
import { usersService, type StoreSettings } from './services';

/** The routes of the Users function: /Users and /Users/{id}. */
export const usersRoutes = (settings: StoreSettings): Route[] => resourceRoutes(usersService(settings));

/** Lambda entry of the Users function. */
export const handler = deployedHandler(usersRoutes);
