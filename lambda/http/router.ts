import { methodNotAllowed, notFound } from '../scim/errors';
import type { ScimRequest, ScimResponse } from './types';

/**
 * What a route may do to the directory. `read` routes are open to every token; `write` routes
 * to `provision` tokens only (lambda/http/scope.ts).
 */
export type Access = 'read' | 'write';

/** A route: a method and a path pattern below /scim/v2, where ":id" matches one segment. */
export interface Route {
  readonly method: string;
  readonly pattern: readonly string[];
  readonly access: Access;
  /** The pattern as logs and metrics name it, e.g. `Users/{id}`: never a value from the request. */
  readonly template: string;
  readonly handle: (request: ScimRequest, params: Record<string, string>) => Promise<ScimResponse>;
}

/** Builds a route; `path` such as "Users/:id". */
export function route(method: string, path: string, handle: Route['handle']): Route {
  const pattern = path.split('/').filter(Boolean);
  const template = pattern.map((part) => (part.startsWith(':') ? `{${part.slice(1)}}` : part)).join('/');
  return { method, pattern, template, access: accessOf(method, pattern), handle };
}

/**
 * A route reads when its method is GET, or it is a POST of a query (RFC 7644 §3.4.3 `.search`:
 * the query in a body); every other route may change the directory. The rule, not a flag per
 * route, decides, so a new route is a write unless it is one of those.
 */
export function accessOf(method: string, pattern: readonly string[]): Access {
  if (method === 'GET') return 'read';
  return method === 'POST' && pattern[pattern.length - 1]?.toLowerCase() === '.search' ? 'read' : 'write';
}

/**
 * Finds the route for a request. Fixed segments match case-insensitively (clients differ in
 * how they spell `/users`); an unknown path is 404 and a known path with another method 405.
 */
export function match(routes: readonly Route[], request: ScimRequest): { route: Route; params: Record<string, string> } {
  const found = find(routes, request);
  if (found) return found;
  const allowed: string[] = [];
  for (const candidate of routes) {
    const params = matchPattern(candidate.pattern, request.segments);
    if (params) allowed.push(candidate.method);
  }
  if (allowed.length > 0) throw methodNotAllowed(`${request.method} is not supported on this path.`, allowed);
  throw notFound('No SCIM endpoint at this path.');
}

/** The route for a request, or undefined when none has its path and method. */
export function find(routes: readonly Route[], request: Pick<ScimRequest, 'method' | 'segments'>): { route: Route; params: Record<string, string> } | undefined {
  for (const candidate of routes) {
    if (candidate.method !== request.method) continue;
    const params = matchPattern(candidate.pattern, request.segments);
    if (params) return { route: candidate, params };
  }
  return undefined;
}

/**
 * What logs and metrics may say about a request's path without repeating what the client sent:
 * the template of the route that owns the path (whatever the method), and whether one of its
 * routes takes the method, so that the operations counted are those of the route table.
 */
export function describeRoute(routes: readonly Route[], method: string, segments: readonly string[]): { template?: string; routed: boolean } {
  const owners = routes.filter((candidate) => matchPattern(candidate.pattern, segments));
  return { template: owners[0]?.template, routed: owners.some((candidate) => candidate.method === method) };
}

function matchPattern(pattern: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i].startsWith(':')) params[pattern[i].slice(1)] = segments[i];
    else if (pattern[i].toLowerCase() !== segments[i].toLowerCase()) return undefined;
  }
  return params;
}
