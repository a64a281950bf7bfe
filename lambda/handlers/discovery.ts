import type { Route } from '../http/router';
import { discoveryRoutes } from '../http/discovery-routes';
import { storelessHandler } from './storeless-entry';
import type { FunctionSettings } from './services';

/**
 * The routes of the Discovery function: /ServiceProviderConfig, /Schemas, /ResourceTypes
 * and /Me. They read no table: everything is generated from the schema definitions.
 */
export const discoveryFunctionRoutes = (settings: FunctionSettings): Route[] => discoveryRoutes(settings.profile ?? 'rfc');

/** Lambda entry of the Discovery function. */
export const handler = storelessHandler(discoveryRoutes);
