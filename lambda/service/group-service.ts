import { invalidValue, ScimError, tooMany } from '../scim/errors';
import { queryParam } from '../scim/list';
import type { Filter } from '../scim/filter/ast';
import { leaves, mentions } from '../scim/filter/walk';
import type { AccessPlan } from '../scim/filter/plan';
import { applyPatch, normalizePatchRequest, type DetachedChange } from '../scim/patch';
import { project, returns, type Projection } from '../scim/projection';
import { toScimResource } from '../scim/resource';
import { findAttribute, groupResourceType } from '../scim/schema/registry';
import type { Json, JsonObject } from '../scim/schema/types';
import { validateResource } from '../scim/validate';
import { isObject, jsonEqual } from '../scim/values';
import { mapConcurrently } from '../store/concurrency';
import { MAX_GROUPS_PER_USER } from '../store/memberships';
import type { GroupStore, MemberChange, MemberCheck, ResourceStore, StoredResource } from '../store/types';
import { ResourceService, type CallContext, type ServiceOptions, type ServiceResult } from './resource-service';

const MEMBERS = findAttribute(groupResourceType.schema.attributes, 'members')!;

/**
 * Member changes one request may carry (adds plus removes, or the size of a full list).
 * Up to 48 of them are written in one transaction with the group, so they apply atomically;
 * above that they are validated first, then written in transactions of 49 (see docs/groups.md).
 */
export const MAX_MEMBER_CHANGES = 10_000;
/**
 * Members one response may list: each is about 48 bytes of JSON, so 100,000 stay well inside
 * Lambda's 6 MB response limit. A larger group is read with excludedAttributes=members and
 * member filters; its GET answers 400 tooMany saying so.
 */
export const MAX_MEMBERS_RETURNED = 100_000;
const CONCURRENCY = 8;

/**
 * The Groups resource (RFC 7643 §4.2). `members` is kept as one item per member, never as
 * an array in the group's item: a change of k members costs O(k) writes, racing changes
 * lose nothing, and a member must be an existing user.
 */
export class GroupService extends ResourceService {
  /** Member lists read along with a group in this request. */
  private readonly loaded = new WeakMap<CallContext, Map<string, string[]>>();
  /** The users a PATCH's member operations name: read together with the group. */
  private readonly named = new WeakMap<CallContext, string[]>();
  /** What that read told about them, for the attempt that made it. */
  private readonly readWith = new WeakMap<CallContext, { ids: Set<string>; check: MemberCheck }>();

  constructor(
    private readonly groups: GroupStore,
    private readonly users: ResourceStore,
    options?: ServiceOptions,
  ) {
    super(groupResourceType, groups, 'displayName', options);
  }

  override async create(body: unknown, ctx: CallContext): Promise<ServiceResult> {
    const { document, members } = this.split(body, validateResource(this.rt, body));
    const id = this.newId();
    await this.requireUsers(id, members);
    const stored = await this.guard(() => this.groups.createWithMembers(id, this.write(document), members, this.now()));
    this.remember(ctx, stored.id, members);
    return this.result(stored, ctx);
  }

  override async replace(id: string, body: unknown, ctx: CallContext): Promise<ServiceResult> {
    return this.readModifyWrite(id, ctx, async (current) => {
      const { document, members } = this.split(body, validateResource(this.rt, body, { existing: current.document as JsonObject }));
      const change = await this.towards(current.id, new Set(members));
      const stored = await this.guard(() => this.groups.update(current, this.write(document), change, this.now(), true));
      this.forget(ctx, id);
      return stored;
    });
  }

  /**
   * PATCH answers 204 unless the request asks for attributes (RFC 7644 §3.5.2): Microsoft
   * Entra ID asks servers not to return members, and a large group's body would be costly.
   */
  override async patch(id: string, body: unknown, ctx: CallContext): Promise<ServiceResult> {
    const operations = normalizePatchRequest(body);
    const withBody = queryParam(ctx.query ?? {}, 'attributes') !== undefined || queryParam(ctx.query ?? {}, 'excludedAttributes') !== undefined;
    let exactVersion = true;
    const call = { ...ctx, render: withBody };
    const named = this.membersNamed(operations);
    if (named.length > 0) this.named.set(call, named);
    const result = await this.readModifyWrite(id, call, async (current) => {
      const { resource, detached } = applyPatch(this.rt, toScimResource(this.rt, current, ctx.baseUrl), operations, {
        detached: ['members'],
      });
      const document = this.checked(validateResource(this.rt, resource, { existing: current.document as JsonObject }));
      const change = await this.memberChange(current.id, detached, call);
      const docChanged = !jsonEqual(document, current.document as JsonObject);
      this.forget(ctx, id);
      if (!docChanged && change.add.length === 0 && change.remove.length === 0) return current;
      const pinned = docChanged || ctx.ifMatch !== undefined;
      const stored = await this.guard(() => this.groups.update(current, docChanged ? this.write(document) : undefined, change, this.now(), pinned));
      if (pinned) return stored;
      // Unpinned member changes may interleave with others: the version written is not
      // known without a read, so a body is re-read and a bare 204 carries no ETag.
      if (withBody) return this.require(id, ctx);
      exactVersion = false;
      return stored;
    });
    return exactVersion ? result : { ...result, etag: undefined };
  }

  /**
   * DELETE (RFC 7644 §3.6). A 404 also sweeps the group's partition: when an earlier DELETE
   * was cut short after the group went (throttled while removing its member items), the
   * client's retry is what removes the leftovers. One Query when there are none.
   */
  override async delete(id: string, ctx: CallContext): Promise<void> {
    try {
      await super.delete(id, ctx);
    } catch (error) {
      if (error instanceof ScimError && error.status === 404) await this.guard(() => this.groups.deleteLeftoverMembers(id));
      throw error;
    }
  }

  /**
   * For a PATCH that names users in member operations, the group and those users come from
   * one batch read: adding or removing a member is that read and one transaction.
   */
  protected override async require(id: string, ctx: CallContext): Promise<StoredResource> {
    const named = this.named.get(ctx);
    if (!named) return super.require(id, ctx);
    const { group, check } = await this.guard(() => this.groups.getWithUsers(id, named));
    if (!group) throw this.missing(id);
    this.readWith.set(ctx, { ids: new Set(named), check });
    return group;
  }

  /**
   * The users the member operations of a PATCH name (adds and removes by value), found by
   * applying the operations to an empty group: member changes do not depend on the group's
   * document. None when there are none, when the operations need the real group to apply, or
   * when they name more than a request may change (refused before anything is read).
   */
  private membersNamed(operations: ReturnType<typeof normalizePatchRequest>): string[] {
    let detached: DetachedChange[];
    try {
      detached = applyPatch(this.rt, { schemas: [this.rt.schema.id] }, operations, { detached: ['members'] }).detached;
    } catch {
      return [];
    }
    const values = detached.flatMap((change) => ('values' in change && change.op !== 'replace' ? change.values : []));
    const ids = new Set(values.map((v) => v.value).filter((v): v is string => typeof v === 'string'));
    return ids.size <= MAX_MEMBER_CHANGES ? [...ids] : [];
  }

  /** Deletes the group, then its member items (no read shows them once the group is gone). */
  protected override async remove(current: StoredResource): Promise<void> {
    await this.guard(() => this.groups.deleteWithMembers(current));
  }

  /** With members wanted, the group and its members come from one Query of its partition. */
  override async get(id: string, ctx: CallContext): Promise<ServiceResult> {
    if (!returns(MEMBERS, this.projectionOf(ctx))) return super.get(id, ctx);
    const found = await this.guard(() => this.groups.getWithMembers(id, MAX_MEMBERS_RETURNED));
    if (!found) return super.get(id, ctx);
    if (!found.members) throw tooManyMembers(found.group.memberCount ?? 0);
    this.remember(ctx, id, found.members);
    return this.result(found.group, ctx);
  }

  protected override async render(resources: StoredResource[], ctx: CallContext, projection: Projection): Promise<JsonObject[]> {
    const views = resources.map((r) => toScimResource(this.rt, r, ctx.baseUrl));
    if (returns(MEMBERS, projection) && resources.length > 0) {
      const total = resources.reduce((n, r) => n + (r.memberCount ?? 0), 0);
      if (total > MAX_MEMBERS_RETURNED) throw tooManyMembers(total);
      const members = await mapConcurrently(resources, CONCURRENCY, (r) => this.membersOf(r.id, ctx));
      views.forEach((view, i) => {
        if (members[i].length === 0) return;
        const meta = view.meta;
        delete view.meta;
        view.members = members[i].map((value) => ({ value, type: 'User' }));
        view.meta = meta;
      });
    }
    return views.map((view) => project(this.rt, view, projection));
  }

  /**
   * `members[value eq "u"]`, `members.value eq "u"`, `members eq "u"`: the groups the user's
   * item names (a consistent read), then those groups (a batch read; a deleted one is absent).
   */
  protected override async lookup(plan: AccessPlan, ctx: CallContext): Promise<StoredResource[] | undefined> {
    if (plan.kind !== 'member') return super.lookup(plan, ctx);
    const user = await this.users.get(plan.userId);
    const found = await this.groups.getMany(user?.groupIds ?? []);
    return found.sort((a, b) => a.uniqueValue.toLowerCase().localeCompare(b.uniqueValue.toLowerCase()));
  }

  protected override needsExpansion(filter: Filter): boolean {
    return mentions(filter, 'members');
  }

  /**
   * Groups as `evaluate` needs them: when the filter only asks whether given users are
   * members, those users are read (one batch read); any other use of `members` loads the
   * member lists.
   */
  protected override async forEvaluation(resources: StoredResource[], filter: Filter, ctx: CallContext): Promise<JsonObject[]> {
    const refs = memberReferences(filter);
    const views = resources.map((r) => toScimResource(this.rt, r, ctx.baseUrl));
    if (refs.other) {
      const lists = await mapConcurrently(resources, CONCURRENCY, (r) => this.membersOf(r.id, ctx));
      views.forEach((view, i) => (view.members = lists[i].map((value) => ({ value }))));
      return views;
    }
    // The users named by the filter, in one batch read: their items name their groups.
    const named = await this.users.getMany([...refs.values]);
    views.forEach((view, i) => {
      view.members = named.filter((user) => user.groupIds?.includes(resources[i].id)).map((user) => ({ value: user.id }));
    });
    return views;
  }

  /**
   * Separates the members (stored as items) from the rest of a validated group. Members are
   * read from the body as sent, so that a member object without a value is refused rather
   * than dropped by validation.
   */
  private split(body: unknown, validated: JsonObject): { document: JsonObject; members: string[] } {
    const { members: _validated, ...rest } = validated;
    const document = this.checked(rest);
    const ids = memberIds(membersIn(body));
    if (ids.length > MAX_MEMBER_CHANGES) {
      throw tooMany(`A request may carry at most ${MAX_MEMBER_CHANGES} members; send the rest with PATCH.`);
    }
    return { document, members: ids };
  }

  /** The member changes that make the group's members exactly `wanted`. */
  private async towards(groupId: string, wanted: Set<string>): Promise<MemberChange> {
    const current = new Set(await this.guard(() => this.groups.members(groupId)));
    const add = [...wanted].filter((id) => !current.has(id));
    const remove = [...current].filter((id) => !wanted.has(id));
    await this.requireUsers(groupId, add);
    return { add, remove };
  }

  /**
   * Folds PATCH's ordered member changes into one set of adds and removes, and keeps only
   * what changes something: adding a member or removing a non-member is a no-op.
   */
  private async memberChange(groupId: string, changes: DetachedChange[], ctx: CallContext): Promise<MemberChange> {
    const adds = new Set<string>();
    const removes = new Set<string>();
    let replaceWith: Set<string> | undefined;
    let count = 0;
    for (const change of changes) {
      if ('all' in change) {
        replaceWith = new Set();
        adds.clear();
        removes.clear();
        continue;
      }
      const ids = memberIds(change.values);
      count += ids.length;
      if (change.op === 'replace') {
        replaceWith = new Set(ids);
        adds.clear();
        removes.clear();
      } else {
        for (const id of ids) {
          (change.op === 'add' ? adds : removes).add(id);
          (change.op === 'add' ? removes : adds).delete(id);
        }
      }
    }
    if (count > MAX_MEMBER_CHANGES) {
      throw tooMany(`A PATCH may change at most ${MAX_MEMBER_CHANGES} members; split the changes over several requests.`);
    }
    if (replaceWith) {
      for (const id of adds) replaceWith.add(id);
      for (const id of removes) replaceWith.delete(id);
      return this.towards(groupId, replaceWith);
    }
    if (adds.size === 0 && removes.size === 0) return { add: [], remove: [] };
    const named = [...adds, ...removes];
    // Read with the group by this attempt (a retry reads afresh), or now.
    const prefetched = this.readWith.get(ctx);
    this.readWith.delete(ctx);
    const check =
      prefetched && named.every((uid) => prefetched.ids.has(uid)) ? prefetched.check : await this.guard(() => this.groups.check(groupId, named));
    const add = [...adds].filter((id) => !check.currentMembers.has(id));
    refuseUnable(add, check);
    return { add, remove: [...removes].filter((id) => check.currentMembers.has(id)) };
  }

  /** Refuses new members that are not users, or are in as many groups as a user may be. */
  private async requireUsers(groupId: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    refuseUnable(ids, await this.guard(() => this.groups.check(groupId, ids)));
  }

  private async membersOf(groupId: string, ctx: CallContext): Promise<string[]> {
    const known = this.loaded.get(ctx)?.get(groupId);
    return known ?? this.guard(() => this.groups.members(groupId));
  }

  private remember(ctx: CallContext, groupId: string, members: string[]): void {
    let map = this.loaded.get(ctx);
    if (!map) this.loaded.set(ctx, (map = new Map()));
    map.set(groupId, [...members].sort());
  }

  private forget(ctx: CallContext, groupId: string): void {
    this.loaded.get(ctx)?.delete(groupId);
  }
}

function tooManyMembers(total: number) {
  return tooMany(
    `${total} members are more than one response carries (${MAX_MEMBERS_RETURNED}). Ask with ` +
      'excludedAttributes=members (or a smaller count), and find members with filter=members[value eq "<id>"].',
  );
}

/** The `members` a POST or PUT body carries, as sent (its key matched case-insensitively). */
function membersIn(body: unknown): Json[] {
  if (!isObject(body)) return [];
  const key = Object.keys(body).find((k) => k.toLowerCase() === 'members');
  const value = key === undefined ? undefined : body[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidValue('"members" must be an array of member objects.');
  return value;
}

/** The distinct member ids of a members value; members must be users (no nested groups). */
function memberIds(values: readonly Json[]): string[] {
  const ids = new Set<string>();
  for (const member of values) {
    if (!isObject(member) || typeof member.value !== 'string' || member.value === '') {
      throw invalidValue('Each member needs a non-empty string "value": the id of a User.');
    }
    if (typeof member.type === 'string' && member.type.toLowerCase() !== 'user') {
      throw invalidValue('Members must be Users; nested groups are not supported.');
    }
    ids.add(member.value);
  }
  return [...ids];
}

/** Refuses when some of `adds` cannot become members: not users, or in too many groups. */
function refuseUnable(adds: readonly string[], check: MemberCheck): void {
  refuseUnknown(adds.filter((id) => !check.existingUsers.has(id)));
  const full = adds.filter((id) => check.full.has(id));
  if (full.length > 0) {
    throw tooMany(`User "${full[0].slice(0, 64)}" is in ${MAX_GROUPS_PER_USER} groups, the most one user may be in; remove it from another group first.`);
  }
}

function refuseUnknown(missing: string[]): void {
  if (missing.length === 0) return;
  const shown = missing.slice(0, 3).map((id) => `"${id.slice(0, 64)}"`).join(', ');
  throw invalidValue(`No User with id ${shown}${missing.length > 3 ? ` and ${missing.length - 3} more` : ''}; members must be existing Users.`);
}

/**
 * How a filter uses `members`: the user ids of `members.value eq "<id>"` tests (also written
 * `members[value eq "<id>"]` or `members eq "<id>"`), and whether it uses members otherwise.
 */
export function memberReferences(filter: Filter): { values: Set<string>; other: boolean } {
  const values = new Set<string>();
  let other = false;
  for (const leaf of leaves(filter)) {
    if (leaf.path.uri || leaf.path.name !== 'members') continue;
    const test = leaf.kind === 'valuePath' ? leaf.filter : leaf;
    const onValue = leaf.kind === 'valuePath' ? test.kind === 'compare' && test.path.name === 'value' : leaf.path.sub === 'value';
    if (onValue && test.kind === 'compare' && test.op === 'eq' && typeof test.value === 'string') values.add(test.value);
    else other = true;
  }
  return { values, other };
}
