import { notFound, ScimError, tooMany } from '../scim/errors';
import type { Filter } from '../scim/filter/ast';
import { mentions } from '../scim/filter/walk';
import type { AccessPlan } from '../scim/filter/plan';
import { queryParam } from '../scim/list';
import { bodyMembers, isEmptyDelta, memberDelta, memberReferences, type MemberDelta } from '../scim/members';
import { applyPlan, normalizePatchRequest, planPatch } from '../scim/patch';
import { project, returns, type Projection } from '../scim/projection';
import { etagOf, toScimResource } from '../scim/resource';
import { findAttribute, groupResourceType } from '../scim/schema/registry';
import type { JsonObject } from '../scim/schema/types';
import { validateResource } from '../scim/validate';
import { jsonEqual } from '../scim/values';
import { mapConcurrently } from '../store/concurrency';
import type { GroupStore, MemberFacts, StoredResource, UserReads } from '../store/types';
import { Collection, truncate, type Candidates } from './collection';
import { effectiveChange, usersToRead } from './member-change';
import { checkIfMatch } from './preconditions';
import type { CallContext, ResourceService, ServiceOptions, ServiceResult } from './resource-service';

const MEMBERS = findAttribute(groupResourceType.schema.attributes, 'members')!;

/**
 * What the members of one response may take of Lambda's 6 MB response limit (6,291,456 bytes):
 * the rest is kept for the group's own attributes (at most MAX_RESOURCE_BYTES, 300,000) and
 * the function's response envelope.
 */
export const MEMBER_BYTES_BUDGET = 6 * 1024 * 1024 - 320 * 1024;

/** A user id as this server makes them (a UUID); member bytes are counted for ids this long. */
const ID_LENGTH = 36;

/**
 * What one member costs in the function's response: `{"value":…,"$ref":…,"type":"User"}` and
 * its comma, counted as Lambda carries it, the body being a JSON string inside the response
 * JSON (every quote escaped). The `$ref` grows with the Base URL.
 */
export function memberBytes(baseUrl: string): number {
  const id = 'x'.repeat(ID_LENGTH);
  return JSON.stringify(JSON.stringify(memberView(baseUrl, id))).length - 2 + 1;
}

/**
 * Members one response may list: as many as MEMBER_BYTES_BUDGET holds at this Base URL's
 * `$ref` length (about 33,000 at an API Gateway execute-api URL; docs/groups.md). A larger
 * group is read with excludedAttributes=members and member filters; its GET answers 400
 * tooMany saying so.
 */
export function maxMembersReturned(baseUrl: string): number {
  return Math.floor(MEMBER_BYTES_BUDGET / memberBytes(baseUrl));
}

/** A member as a response shows it: its id, its `$ref` derived from the Base URL (nothing stored), its type. */
function memberView(baseUrl: string, userId: string): JsonObject {
  return { value: userId, $ref: `${baseUrl}/Users/${encodeURIComponent(userId)}`, type: 'User' };
}
const CONCURRENCY = 8;

/** Member lists a request has read, by group id, in id order. */
type KnownMembers = ReadonlyMap<string, readonly string[]>;

/**
 * The Groups resource (RFC 7643 §4.2). `members` is kept as one item per member, never as
 * an array in the group's item: a change of k members costs O(k) writes, racing changes
 * lose nothing, a member must be an existing user, and a change of any accepted size is
 * all or nothing. A request's member delta is computed once, from its operations alone
 * (lambda/scim/members.ts), so the group and the users it names come in one read.
 */
export class GroupService implements ResourceService {
  readonly rt = groupResourceType;
  private readonly groups: Collection<KnownMembers>;
  private readonly memberFilterNeedsUser: boolean;

  constructor(
    private readonly store: GroupStore,
    private readonly users: UserReads,
    options?: ServiceOptions,
  ) {
    this.memberFilterNeedsUser = options?.memberFilterNeedsUser ?? false;
    this.groups = new Collection<KnownMembers>(
      groupResourceType,
      store,
      'displayName',
      {
        render: (resources, ctx, projection, known) => this.render(resources, ctx, projection, known),
        lookup: (plan) => this.lookup(plan),
        needsExpansion: (filter) => mentions(filter, 'members'),
        forEvaluation: (resources, filter, ctx) => this.forEvaluation(resources, filter, ctx),
      },
      options,
    );
  }

  async create(body: unknown, ctx: CallContext): Promise<ServiceResult> {
    const validated = validateResource(this.rt, body);
    const delta = bodyMembers(body);
    const write = this.groups.write(withoutMembers(validated));
    const id = this.groups.newId();
    const stored = await this.groups.retrying(ctx, async () => {
      const { facts } = await this.readFor(id, delta, false);
      const { add } = effectiveChange(delta, facts);
      const now = this.groups.now();
      const audit = this.groups.audit(ctx, 'create', now, undefined, write.document as JsonObject);
      return this.groups.guard(() => this.store.create(id, write, add, now, audit));
    });
    return this.groups.result(stored, ctx, new Map([[stored.id, [...namedIn(delta)].sort()]]));
  }

  /** With members wanted, the group and its members come from one Query of its partition. */
  async get(id: string, ctx: CallContext): Promise<ServiceResult> {
    if (!returns(MEMBERS, this.groups.projectionOf(ctx))) return this.groups.result(await this.groups.require(id), ctx);
    const found = await this.groups.guard(() => this.store.getWithMembers(id, maxMembersReturned(ctx.baseUrl)));
    if (!found) throw this.groups.missing(id);
    if (!found.members) throw tooManyMembers(found.group.memberCount ?? 0, ctx.baseUrl);
    return this.groups.result(found.group, ctx, new Map([[id, found.members]]));
  }

  /** PUT: the group's attributes and its whole member list, version-conditional. */
  async replace(id: string, body: unknown, ctx: CallContext): Promise<ServiceResult> {
    const delta = bodyMembers(body);
    const stored = await this.groups.retrying(ctx, async () => {
      const current = await this.groups.require(id);
      checkIfMatch(ctx.ifMatch, current.version);
      const document = withoutMembers(validateResource(this.rt, body, { existing: current.document as JsonObject }));
      const members = await this.change(current, delta, undefined);
      const now = this.groups.now();
      const audit = this.groups.audit(ctx, 'replace', now, current.document as JsonObject, document);
      return this.groups.guard(() => this.store.update(current, { write: this.groups.write(document), members, pinned: true }, now, audit));
    });
    return this.groups.result(stored, ctx, new Map([[stored.id, [...namedIn(delta)].sort()]]));
  }

  /**
   * PATCH answers 204 unless the request asks for attributes (RFC 7644 §3.5.2): Microsoft
   * Entra ID asks servers not to return members, and a large group's body would be costly.
   * The operations are planned once; each attempt reads the group with the users the member
   * delta names (one batch read) and writes in one conditional step.
   */
  async patch(id: string, body: unknown, ctx: CallContext): Promise<ServiceResult> {
    const plan = planPatch(this.rt, normalizePatchRequest(body), { detached: ['members'] });
    const delta = memberDelta(plan.detached);
    const query = ctx.query ?? {};
    const withBody = queryParam(query, 'attributes') !== undefined || queryParam(query, 'excludedAttributes') !== undefined;
    const { stored, pinned } = await this.groups.retrying(ctx, async () => {
      const { group: current, facts } = await this.readFor(id, delta, true);
      if (!current) throw this.groups.missing(id);
      checkIfMatch(ctx.ifMatch, current.version);
      const document = validateResource(this.rt, applyPlan(toScimResource(this.rt, current, ctx.baseUrl), plan), { existing: current.document as JsonObject });
      const members = await this.change(current, delta, facts);
      const docChanged = !jsonEqual(document, current.document as JsonObject);
      if (!docChanged && members.add.length === 0 && members.remove.length === 0) return { stored: current, pinned: true };
      const pinned = docChanged || ctx.ifMatch !== undefined;
      const write = docChanged ? this.groups.write(document) : undefined;
      const now = this.groups.now();
      const audit = this.groups.audit(ctx, 'patch', now, current.document as JsonObject, document);
      return { stored: await this.groups.guard(() => this.store.update(current, { write, members, pinned }, now, audit)), pinned };
    });
    // Unpinned member changes may interleave with others: the version written is not known
    // without a read, so a body is read again and a bare 204 carries no ETag.
    if (withBody) return pinned ? this.groups.result(stored, ctx) : this.get(id, ctx);
    return pinned ? { etag: etagOf(stored.version) } : {};
  }

  /**
   * DELETE (RFC 7644 §3.6). A 404 also sweeps the group's partition: when an earlier DELETE
   * was cut short after the group went (throttled while removing its member items), the
   * client's retry is what removes the leftovers. One Query when there are none.
   */
  async delete(id: string, ctx: CallContext): Promise<void> {
    try {
      await this.groups.retrying(ctx, async () => {
        const current = await this.groups.require(id);
        checkIfMatch(ctx.ifMatch, current.version);
        const audit = this.groups.audit(ctx, 'delete', this.groups.now(), current.document as JsonObject, undefined);
        await this.groups.guard(() => this.store.delete(current, audit));
      });
    } catch (error) {
      if (error instanceof ScimError && error.status === 404) await this.groups.guard(() => this.store.deleteLeftoverMembers(id));
      throw error;
    }
  }

  list(ctx: CallContext): Promise<ServiceResult> {
    return this.groups.list(ctx);
  }

  /**
   * The group (when `withGroup`) and what the users the delta names say about themselves, in
   * one batch read. A replace reads the users that would join only once it knows the list.
   */
  private async readFor(groupId: string, delta: MemberDelta, withGroup: boolean): Promise<{ group?: StoredResource; facts: MemberFacts }> {
    const named = delta.kind === 'changes' ? usersToRead(delta) : withGroup ? [] : delta.members;
    if (named.length === 0 && withGroup) return { group: await this.groups.guard(() => this.store.get(groupId)), facts: NO_FACTS };
    return this.groups.guard(() => this.store.readForChange(groupId, named, withGroup));
  }

  /** The member change a delta makes of the group now: a replace reads the current members first. */
  private async change(current: StoredResource, delta: MemberDelta, facts: MemberFacts | undefined) {
    if (isEmptyDelta(delta)) return { add: [], remove: [] };
    if (delta.kind === 'changes') return effectiveChange(delta, facts ?? NO_FACTS);
    const members = new Set(await this.groups.guard(() => this.store.members(current.id)));
    const joining = usersToRead(delta, members);
    const read = joining.length > 0 ? (await this.groups.guard(() => this.store.readForChange(current.id, joining, false))).facts : NO_FACTS;
    return effectiveChange(delta, read, members);
  }

  /**
   * `members[value eq "u"]`, `members.value eq "u"`, `members eq "u"`: the groups the user's
   * item names (a consistent read), then those groups (a batch read; a deleted one is absent).
   */
  private async lookup(plan: AccessPlan): Promise<Candidates<KnownMembers> | undefined> {
    if (plan.kind !== 'member') return undefined;
    const user = await this.users.get(plan.userId);
    this.requireNamed([plan.userId], user ? [user] : []);
    if (!user) return { resources: [] };
    const { users, groups } = await this.users.groupsOf([user]);
    const found = groupsNamed(users[0], groups);
    return { resources: found.sort((a, b) => a.uniqueValue.toLowerCase().localeCompare(b.uniqueValue.toLowerCase())) };
  }

  /**
   * Groups as `evaluate` needs them: when the filter only asks whether given users are
   * members, those users are read (one batch read); any other use of `members` loads the
   * member lists.
   */
  private async forEvaluation(resources: StoredResource[], filter: Filter, ctx: CallContext): Promise<JsonObject[]> {
    const refs = memberReferences(filter);
    const views = resources.map((r) => toScimResource(this.rt, r, ctx.baseUrl));
    if (refs.other) {
      const lists = await mapConcurrently(resources, CONCURRENCY, (r) => this.groups.guard(() => this.store.members(r.id)));
      views.forEach((view, i) => (view.members = lists[i].map((value) => ({ value }))));
      return views;
    }
    // The users named by the filter, in one batch read: their items name their groups.
    const named = await this.users.getMany([...refs.values]);
    this.requireNamed([...refs.values], named);
    views.forEach((view, i) => {
      view.members = named.filter((user) => user.groupIds?.includes(resources[i].id)).map((user) => ({ value: user.id }));
    });
    return views;
  }

  /** Under the IIC profile (ServiceOptions.memberFilterNeedsUser): 404 for a user a member filter names that does not exist. */
  private requireNamed(ids: readonly string[], found: readonly StoredResource[]): void {
    if (!this.memberFilterNeedsUser) return;
    const missing = ids.find((id) => !found.some((user) => user.id === id));
    if (missing !== undefined) throw notFound(`User "${truncate(missing)}" not found.`);
  }

  /** Groups as the client sees them, with `members` (read now unless the request has them). */
  private async render(resources: readonly StoredResource[], ctx: CallContext, projection: Projection, known?: KnownMembers): Promise<JsonObject[]> {
    const views = resources.map((r) => toScimResource(this.rt, r, ctx.baseUrl));
    if (returns(MEMBERS, projection) && resources.length > 0) {
      const total = resources.reduce((n, r) => n + (known?.has(r.id) ? 0 : (r.memberCount ?? 0)), 0);
      if (total > maxMembersReturned(ctx.baseUrl)) throw tooManyMembers(total, ctx.baseUrl);
      const members = await mapConcurrently(resources, CONCURRENCY, async (r) => known?.get(r.id) ?? (await this.groups.guard(() => this.store.members(r.id))));
      views.forEach((view, i) => {
        if (members[i].length === 0) return;
        const meta = view.meta;
        delete view.meta;
        view.members = members[i].map((value) => memberView(ctx.baseUrl, value));
        view.meta = meta;
      });
    }
    return views.map((view) => project(this.rt, view, projection));
  }
}

const NO_FACTS: MemberFacts = { users: new Set(), members: new Set(), full: new Set() };

/** The ids a replace delta names (the members the group has after it). */
function namedIn(delta: MemberDelta): readonly string[] {
  return delta.kind === 'replace' ? delta.members : [];
}

/** The groups of a user that still exist. */
function groupsNamed(user: StoredResource | undefined, groups: ReadonlyMap<string, StoredResource | null>): StoredResource[] {
  return (user?.groupIds ?? []).map((gid) => groups.get(gid)).filter((g): g is StoredResource => g !== null && g !== undefined);
}

/** A validated group without `members`, which are kept as items, not in the document. */
function withoutMembers(validated: JsonObject): JsonObject {
  const { members: _members, ...rest } = validated;
  return rest;
}

function tooManyMembers(total: number, baseUrl: string) {
  return tooMany(
    `${total} members are more than one response carries (${maxMembersReturned(baseUrl)}). Ask with ` +
      'excludedAttributes=members (or a smaller count), and find members with filter=members[value eq "<id>"].',
  );
}
