/**
 * The race's peer: scimmy 1.3 behind its own express routers (scimmy-routers), on an in-memory
 * User and Group store, as a scimmy user would write one from scimmy's documentation: the
 * store is reached only through the ingress, egress and degress handlers, filters are scimmy's
 * own (`SCIMMY.Types.Filter` match), PATCH is scimmy's (`PatchOp` on the resource egress gave,
 * written back through ingress), list pages are scimmy's `ListResponse`. Nothing is persisted.
 *
 *   PORT=0 SCIM_TOKEN=... node --import tsx bench/lib/scimmy-server.ts
 *
 * Prints `  Base URL:   http://127.0.0.1:<port>/scim/v2` as bin/local.ts does. Every request
 * needs `Authorization: Bearer $SCIM_TOKEN`.
 */
import express from 'express';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import SCIMMY from 'scimmy';
import SCIMMYRouters from 'scimmy-routers';

type Json = Record<string, any>;
type Resource = SCIMMY.Types.Resource;
/** What the store keeps: the resource as scimmy gave it, with its id and meta. */
type UserRecord = Json & { id: string; userName: string };
type Member = { value: string; display?: string; type?: string };
type GroupRecord = Json & { id: string; displayName: string; members: Member[] };

const users = new Map<string, UserRecord>();
const groups = new Map<string, GroupRecord>();
/** Lower-cased userName → id: userName is unique case-insensitively (RFC 7643 §4.1.1). */
const userNames = new Map<string, string>();
/** Lower-cased displayName → id (AWS IAM Identity Center's rule, which ours follows). */
const groupNames = new Map<string, string>();
/** User id → the ids of the groups it is a member of: the read-only `groups` of a user (RFC 7643 §4.1.2). */
const memberOf = new Map<string, Set<string>>();

// scimmy's own 404s carry no scimType (RFC 7644 §3.12 has none for 404); its types ask for a string.
const NO_SCIM_TYPE = null as unknown as string;
const notFound = (id: string) => new SCIMMY.Types.Error(404, NO_SCIM_TYPE, `Resource ${id} not found`);
const plain = (value: unknown): Json => JSON.parse(JSON.stringify(value));
const meta = (created: string) => ({ created, lastModified: new Date().toISOString() });

/**
 * The page a list asks for. scimmy's ListResponse pages what egress returns, and takes
 * totalResults from the constraints when they carry it; it slices again when the page's
 * length reaches startIndex, so only a page starting at 1 or past `count` can come back
 * pre-sliced: for others every match goes back and scimmy slices.
 */
function page<T extends Json>(resource: Resource, matches: T[]): T[] {
  const constraints = resource.constraints as (Json & { count?: number; startIndex?: number }) | undefined;
  const count = constraints?.count;
  const startIndex = constraints?.startIndex ?? 1;
  if (constraints === undefined || count === undefined || (startIndex !== 1 && startIndex <= count)) return matches;
  constraints.totalResults = matches.length;
  return matches.slice(startIndex - 1, startIndex - 1 + count);
}

function withGroups(user: UserRecord): UserRecord {
  const ids = memberOf.get(user.id);
  if (!ids || ids.size === 0) return user;
  return { ...user, groups: [...ids].map((gid) => ({ value: gid, display: groups.get(gid)?.displayName, type: 'direct' })) };
}

function claimName(names: Map<string, string>, value: unknown, id: string | undefined, what: string): string {
  const key = String(value ?? '').toLowerCase();
  const holder = names.get(key);
  if (holder !== undefined && holder !== id) throw new SCIMMY.Types.Error(409, 'uniqueness', `${what} "${value}" is already in use`);
  return key;
}

SCIMMY.Resources.declare(SCIMMY.Resources.User)
  .ingress((resource, data) => {
    const id = resource.id;
    const existing = id === undefined ? undefined : users.get(id);
    if (id !== undefined && !existing) throw notFound(id);
    const user = plain(data);
    delete user.groups;
    const key = claimName(userNames, user.userName, id, 'userName');
    const stored: UserRecord = { ...user, userName: user.userName, id: id ?? randomUUID(), meta: meta(existing?.meta.created ?? new Date().toISOString()) };
    if (existing) userNames.delete(String(existing.userName).toLowerCase());
    userNames.set(key, stored.id);
    users.set(stored.id, stored);
    return withGroups(stored);
  })
  .egress((resource) => {
    if (resource.id !== undefined) {
      const user = users.get(resource.id);
      if (!user) throw notFound(resource.id);
      return withGroups(user);
    }
    const all = [...users.values()];
    return page(resource, resource.filter ? (resource.filter.match(all) as UserRecord[]) : all).map(withGroups);
  })
  .degress((resource) => {
    const id = resource.id!;
    const user = users.get(id);
    if (!user) throw notFound(id);
    users.delete(id);
    userNames.delete(String(user.userName).toLowerCase());
    // No membership outlives its user.
    for (const gid of memberOf.get(id) ?? []) {
      const group = groups.get(gid);
      if (group) group.members = group.members.filter((m) => m.value !== id);
    }
    memberOf.delete(id);
  });

SCIMMY.Resources.declare(SCIMMY.Resources.Group)
  .ingress((resource, data) => {
    const id = resource.id;
    const existing = id === undefined ? undefined : groups.get(id);
    if (id !== undefined && !existing) throw notFound(id);
    const group = plain(data);
    const key = claimName(groupNames, group.displayName, id, 'displayName');
    const members: Member[] = group.members ?? [];
    for (const m of members) {
      if (!users.has(m.value)) throw new SCIMMY.Types.Error(400, 'invalidValue', `member ${m.value} is not a user`);
      m.type = 'User';
    }
    const stored: GroupRecord = { ...group, displayName: group.displayName, members, id: id ?? randomUUID(), meta: meta(existing?.meta.created ?? new Date().toISOString()) };
    const before = new Set<string>((existing?.members ?? []).map((m) => m.value));
    const after = new Set<string>(members.map((m) => m.value));
    for (const uid of before) if (!after.has(uid)) memberOf.get(uid)?.delete(stored.id);
    for (const uid of after) if (!before.has(uid)) (memberOf.get(uid) ?? memberOf.set(uid, new Set()).get(uid)!).add(stored.id);
    if (existing) groupNames.delete(String(existing.displayName).toLowerCase());
    groupNames.set(key, stored.id);
    groups.set(stored.id, stored);
    return stored;
  })
  .egress((resource) => {
    if (resource.id !== undefined) {
      const group = groups.get(resource.id);
      if (!group) throw notFound(resource.id);
      return group;
    }
    const all = [...groups.values()];
    return page(resource, resource.filter ? (resource.filter.match(all) as GroupRecord[]) : all);
  })
  .degress((resource) => {
    const id = resource.id!;
    const group = groups.get(id);
    if (!group) throw notFound(id);
    groups.delete(id);
    groupNames.delete(String(group.displayName).toLowerCase());
    for (const m of group.members) memberOf.get(m.value)?.delete(id);
  });

function main(): void {
  const token = process.env.SCIM_TOKEN;
  if (!token) throw new Error('SCIM_TOKEN is required');
  const port = Number(process.env.PORT ?? '0');
  const app = express();
  app.use(
    '/scim/v2',
    new SCIMMYRouters({
      type: 'bearer',
      handler: (req) => {
        if (req.header('Authorization') !== `Bearer ${token}`) throw new Error('Bearer token required');
        return 'bench';
      },
    }) as unknown as express.Router,
  );
  const server = app.listen(port, '127.0.0.1', () => {
    const { port: listening } = server.address() as AddressInfo;
    process.stdout.write(`\nscimmy ${scimmyVersion()} + express is running\n  Base URL:   http://127.0.0.1:${listening}/scim/v2\n`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** The installed scimmy's version (its package.json is not in its exports: read from disk). */
function scimmyVersion(): string {
  const entry = require.resolve('scimmy');
  const root = entry.slice(0, entry.lastIndexOf('node_modules/scimmy') + 'node_modules/scimmy'.length);
  return (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
}

main();
