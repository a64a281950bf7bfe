import { resourceRoutes } from '../http/resource-routes';
import type { Route } from '../http/router';
import { deployedHandler } from './lambda-entry';
import { groupsService, type StoreSettings } from './services';

/** The routes of the Groups function: /Groups and /Groups/{id}. */
export const groupsRoutes = (settings: StoreSettings): Route[] => resourceRoutes(groupsService(settings));

/** Lambda entry of the Groups function. */
export const handler = deployedHandler(groupsRoutes);
