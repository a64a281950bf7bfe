import { BoundedCache } from '../scim/bounded-cache';
import { PROFILES, type ProfileName } from '../scim/profiles/profile';
import { invalidToken, type TokenVerifier } from './auth';
import { SCIM_BASE_PATH } from './request';
import type { Route } from './router';
import type { Caller, ScimRequest } from './types';

/**
 * Directories: one deployment serves its own directory at `/scim/v2` (unchanged since there was
 * one) and every other at `/<id>/scim/v2`, the shape AWS IAM Identity Center gives its own
 * (`/<tenant id>/scim/v2`). Directories are registered in the token list (the secret, or the
 * local tokens.json) next to the tokens that belong to them: every function and the edge
 * authorizer already read it, so serving a directory costs no extra read and no AWS resource,
 * and a directory and its tokens are created and deleted in one write (docs/protocol.md).
 */

/** A directory besides the deployment's own, as the token list registers it (`npm run directory`). */
export interface DirectoryEntry {
  /** A short slug: lower-case letters, digits and inner hyphens, at most 40 characters. */
  readonly id: string;
  readonly name: string;
  /** The compatibility profile its Base URL answers with. */
  readonly profile: ProfileName;
  readonly createdAt: string;
  /** Set while its items are being deleted: its tokens are refused and its id stays taken. */
  readonly state?: 'deleting';
  /** Deployed: the id of the API key that keys its usage plan (removed with the directory). */
  readonly usageKeyId?: string;
}

/** A directory id: a slug that fits a URL path segment and a key prefix (no `#`). */
export const DIRECTORY_ID = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

/**
 * Ids no directory may take: the deployment's own is served at /scim/v2 only, and a path that
 * begins with `scim` or `console` already means something (the console is served at /console/).
 */
export const RESERVED_DIRECTORY_IDS: readonly string[] = ['default', 'scim', 'console'];

/** Why `id` cannot name a new directory, or undefined when it can. */
export function directoryIdProblem(id: string, home: string): string | undefined {
  if (!DIRECTORY_ID.test(id)) return `"${id.slice(0, 64)}" is not a directory id: 1 to 40 lower-case letters, digits and inner hyphens.`;
  if (RESERVED_DIRECTORY_IDS.includes(id) || id === home) return `"${id}" is reserved (the deployment's own directory, or a path the endpoint serves).`;
  return undefined;
}

/** Whether `value` is a well-formed directory entry. */
export function isDirectoryEntry(value: unknown): value is DirectoryEntry {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  return (
    typeof e.id === 'string' &&
    DIRECTORY_ID.test(e.id) &&
    !RESERVED_DIRECTORY_IDS.includes(e.id) &&
    typeof e.name === 'string' &&
    (PROFILES as readonly unknown[]).includes(e.profile) &&
    typeof e.createdAt === 'string' &&
    (e.state === undefined || e.state === 'deleting') &&
    (e.usageKeyId === undefined || typeof e.usageKeyId === 'string')
  );
}

/** The Base URL of a directory: the deployment's own with `/<id>` before `/scim/v2`. */
export function directoryBaseUrl(homeBaseUrl: string, id: string): string {
  if (!homeBaseUrl.endsWith(SCIM_BASE_PATH)) throw new Error(`A Base URL ends with ${SCIM_BASE_PATH}; got "${homeBaseUrl}".`);
  return `${homeBaseUrl.slice(0, -SCIM_BASE_PATH.length)}/${id}${SCIM_BASE_PATH}`;
}

/** Routes of directories, built once per directory and profile and kept (they hold no request state). */
export function routesByDirectory(build: (entry: DirectoryEntry) => Route[], limit = 200): (entry: DirectoryEntry) => Route[] {
  const cache = new BoundedCache<string, Route[]>(limit);
  return (entry) => {
    const key = `${entry.id} ${entry.profile}`;
    return cache.get(key) ?? cache.set(key, build(entry));
  };
}

/** What a request is served with: its directory's routes, profile and Base URL. */
export interface ServedDirectory {
  readonly routes: readonly Route[];
  readonly profile: ProfileName;
  readonly baseUrl: string;
}

/**
 * The directory a request is served in. The path names it (none: the deployment's own, `home`);
 * the caller's token must belong to it, and a directory other than the deployment's own must be
 * registered and not being deleted. Anything else is refused exactly as an unknown token is
 * (401, one detail for all), so that no answer tells whether another directory exists.
 */
export async function servedDirectory(
  request: ScimRequest,
  caller: Caller,
  home: ServedDirectory & { readonly id: string },
  verifier: TokenVerifier,
  routesOf: ((entry: DirectoryEntry) => Route[]) | undefined,
): Promise<ServedDirectory> {
  if (request.directory === undefined) {
    if (caller.directory !== home.id) throw invalidToken();
    return home;
  }
  const entry = routesOf && caller.directory === request.directory ? await verifier.directory?.(request.directory) : undefined;
  if (!entry || entry.state !== undefined) throw invalidToken();
  return { routes: routesOf!(entry), profile: entry.profile, baseUrl: directoryBaseUrl(home.baseUrl, entry.id) };
}
