import { resourceRoutes } from '../http/resource-routes';
import type { Route } from '../http/router';
import { profileDocumentCheck } from '../scim/profiles/iic-document';
import { deployedHandler } from './lambda-entry';
import { usersService, type FunctionSettings } from './services';

/** The routes of the Users function: /Users and /Users/{id}, with the profile's document rule. */
export const usersRoutes = (settings: FunctionSettings): Route[] =>
  resourceRoutes(usersService(settings, { checkDocument: profileDocumentCheck(settings.profile ?? 'rfc') }));

/** Lambda entry of the Users function. */
export const handler = deployedHandler(usersRoutes);
