import { resourceRoutes } from '../http/resource-routes';
import type { Route } from '../http/router';
import { deployedHandler } from './lambda-entry';
import { usersService, type FunctionSettings } from './services';

/** The routes of the Users function: /Users and /Users/{id}, with the profile's rules. */
export const usersRoutes = (settings: FunctionSettings): Route[] => resourceRoutes(usersService(settings));

/** Lambda entry of the Users function. */
export const handler = deployedHandler(usersRoutes);
