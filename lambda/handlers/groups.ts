import { resourceRoutes } from '../http/resource-routes';
import type { Route } from '../http/router';
import { deployedHandler } from './lambda-entry';
import { groupsService, type FunctionSettings } from './services';

/** The routes of the Groups function: /Groups and /Groups/{id}, with the profile's rules. */
export const groupsRoutes = (settings: FunctionSettings): Route[] => resourceRoutes(groupsService(settings));

/** Lambda entry of the Groups function. */
export const handler = deployedHandler(groupsRoutes);
