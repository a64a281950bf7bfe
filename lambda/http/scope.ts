import { forbidden } from '../scim/errors';
import { find, type Route } from './router';
import type { Caller, ScimRequest } from './types';

/**
 * What a token's scope allows: a `provision` token everything the API offers, a `read` token
 * the routes that only read (GET, `.search`, discovery; lambda/http/router.ts accessOf). A
 * write by a `read` token, Bulk included, is refused with 403 before the request is parsed
 * (RFC 7644 §3.12: "operation is not permitted based on the supplied authorization"). A
 * request no route takes is left to the router (404, 405) whatever the scope.
 */
export function checkScope(caller: Caller, routes: readonly Route[], request: Pick<ScimRequest, 'method' | 'segments'>): void {
  if (caller.scope === 'provision') return;
  const found = find(routes, request);
  if (found && found.route.access !== 'read') {
    throw forbidden(`This token has the "${caller.scope}" scope: it may read this directory, not change it. Use a token with the "provision" scope.`);
  }
}
