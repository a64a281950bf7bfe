import type { Filter } from '../scim/filter/ast';
import { mentions } from '../scim/filter/walk';
import type { AccessPlan } from '../scim/filter/plan';
import { returns, project, type Projection } from '../scim/projection';
import { toScimResource } from '../scim/resource';
import { findAttribute, userResourceType } from '../scim/schema/registry';
import type { JsonObject } from '../scim/schema/types';
import type { GroupStore, StoredResource, UserStore } from '../store/types';
import { ResourceService, type CallContext, type ServiceOptions } from './resource-service';

const GROUPS = findAttribute(userResourceType.schema.attributes, 'groups')!;

/**
 * The Users resource: the generic operations plus the read-only `groups` attribute
 * (RFC 7643 §4.1.2). A user's item names its groups (`memberOf`); their names come from one
 * batch read of those groups, which also drops a group deleted since. The store takes a
 * deleted user out of its groups in the deleting transaction.
 */
export class UserService extends ResourceService {
  /** Groups read for a request, by id; null when the group does not exist. */
  private readonly known = new WeakMap<CallContext, Map<string, Promise<StoredResource | null>>>();

  constructor(
    protected override readonly store: UserStore,
    private readonly groups: GroupStore,
    options?: ServiceOptions,
  ) {
    super(userResourceType, store, 'userName', options);
  }

  /**
   * Starts the read of the user's groups as soon as the user is read, so that for a PUT or
   * PATCH it runs alongside the write (two round trips in all). Awaited by render.
   */
  protected override async require(id: string, ctx: CallContext): Promise<StoredResource> {
    const found = await super.require(id, ctx);
    if (ctx.render !== false && returns(GROUPS, this.projectionOf(ctx))) this.groupsFor([found], ctx).catch(() => undefined);
    return found;
  }

  /**
   * `userName eq`: the user and (when they are returned) its groups, usually in two calls.
   * `groups.value eq "<gid>"` (AWS IAM Identity Center lists it): the members of that group.
   */
  protected override async lookup(plan: AccessPlan, ctx: CallContext): Promise<StoredResource[] | undefined> {
    if (plan.kind === 'unique') {
      const found = await this.store.findWithGroups(plan.value, returns(GROUPS, this.projectionOf(ctx)));
      if (!found) return [];
      const known = this.knownFor(ctx);
      for (const gid of found.askedFor) known.set(gid, Promise.resolve(found.groups.find((g) => g.id === gid) ?? null));
      return [found.user];
    }
    if (plan.kind !== 'memberOf') return super.lookup(plan, ctx);
    const members = await this.groups.members(plan.groupId);
    const users = await this.store.getMany(members);
    return users.sort((a, b) => a.uniqueValue.toLowerCase().localeCompare(b.uniqueValue.toLowerCase()));
  }

  protected override needsExpansion(filter: Filter): boolean {
    return mentions(filter, 'groups');
  }

  /** Users with their `groups`, for a filter that tests them. */
  protected override async forEvaluation(resources: StoredResource[], _filter: Filter, ctx: CallContext): Promise<JsonObject[]> {
    const groups = await this.groupsFor(resources, ctx);
    return resources.map((r, i) => ({ ...toScimResource(this.rt, r, ctx.baseUrl), groups: groups[i].map((g) => ({ value: g.id, display: g.displayName, type: 'direct' })) }));
  }

  protected override async render(resources: StoredResource[], ctx: CallContext, projection: Projection): Promise<JsonObject[]> {
    const views = resources.map((r) => toScimResource(this.rt, r, ctx.baseUrl));
    if (returns(GROUPS, projection) && resources.length > 0) {
      const groups = await this.groupsFor(resources, ctx);
      views.forEach((view, i) => {
        if (groups[i].length === 0) return;
        const meta = view.meta;
        delete view.meta;
        view.groups = groups[i].map((g) => ({
          value: g.id,
          $ref: `${ctx.baseUrl}/Groups/${encodeURIComponent(g.id)}`,
          display: g.displayName,
          type: 'direct',
        }));
        view.meta = meta;
      });
    }
    return views.map((view) => project(this.rt, view, projection));
  }

  /**
   * The groups of each user, in id order: the ids its item names, with the names from one
   * batch read of the groups not read yet in this request (a deleted group is left out).
   */
  private async groupsFor(users: readonly StoredResource[], ctx: CallContext): Promise<GroupRef[][]> {
    const known = this.knownFor(ctx);
    const missing = [...new Set(users.flatMap((u) => u.groupIds ?? []))].filter((gid) => !known.has(gid));
    if (missing.length > 0) {
      const batch = this.guard(() => this.groups.getMany(missing));
      // A read started for a request that then fails early must not go unhandled: in Lambda
      // an unhandled rejection ends the container.
      batch.catch(() => undefined);
      for (const gid of missing) known.set(gid, batch.then((found) => found.find((g) => g.id === gid) ?? null));
    }
    return Promise.all(
      users.map(async (user) => {
        const groups = await Promise.all((user.groupIds ?? []).map((gid) => known.get(gid)!));
        return groups
          .filter((g): g is StoredResource => g !== null)
          .map((g) => ({ id: g.id, displayName: String(g.document.displayName) }));
      }),
    );
  }

  private knownFor(ctx: CallContext): Map<string, Promise<StoredResource | null>> {
    let known = this.known.get(ctx);
    if (!known) this.known.set(ctx, (known = new Map()));
    return known;
  }
}

/** A group as the user's `groups` attribute shows it. */
interface GroupRef {
  readonly id: string;
  readonly displayName: string;
}
