import { returns, project, type Projection } from '../scim/projection';
import { toScimResource } from '../scim/resource';
import { findAttribute, userResourceType } from '../scim/schema/registry';
import type { JsonObject } from '../scim/schema/types';
import type { Filter } from '../scim/filter/ast';
import type { AccessPlan } from '../scim/filter/plan';
import { mapConcurrently } from '../store/concurrency';
import type { GroupStore, ResourceStore, StoredResource } from '../store/types';
import { ResourceService, type CallContext, type ServiceOptions } from './resource-service';

const GROUPS = findAttribute(userResourceType.schema.attributes, 'groups')!;
/** How many users' group lists are read at once for a list page. */
const CONCURRENCY = 16;

/** A group as the user's `groups` attribute shows it. */
interface GroupRef {
  readonly id: string;
  readonly displayName: string;
}

/**
 * The Users resource: the generic operations plus the read-only `groups` attribute
 * (RFC 7643 §4.1.2), read from the membership index, and the removal of a deleted user
 * from every group. For a single user the group reads run alongside the user's own
 * read and write, so a request still takes two DynamoDB round trips.
 */
export class UserService extends ResourceService {
  /** Group reads started for a request's user, keyed by the request. */
  private readonly pending = new WeakMap<CallContext, Map<string, Promise<GroupRef[]>>>();

  constructor(
    store: ResourceStore,
    private readonly groups: GroupStore,
    options?: ServiceOptions,
  ) {
    super(userResourceType, store, 'userName', options);
  }

  /** A user just created belongs to no group: nothing to read. */
  protected override created(stored: StoredResource, ctx: CallContext): void {
    this.startedFor(ctx).set(stored.id, Promise.resolve([]));
  }

  protected override async require(id: string, ctx: CallContext): Promise<StoredResource> {
    if (returns(GROUPS, this.projectionOf(ctx))) this.groupsFor([id], ctx);
    return super.require(id, ctx);
  }

  /** Deletes the user, then its memberships: no group lists it once the 204 is sent. */
  protected override async remove(current: StoredResource, ctx: CallContext): Promise<void> {
    const [groups] = await this.groupsFor([current.id], ctx);
    await super.remove(current, ctx);
    await this.guard(() => this.groups.removeFromGroups(current.id, groups.map((g) => g.id), this.now()));
  }

  protected override async render(resources: StoredResource[], ctx: CallContext, projection: Projection): Promise<JsonObject[]> {
    const views = resources.map((r) => toScimResource(this.rt, r, ctx.baseUrl));
    if (returns(GROUPS, projection) && resources.length > 0) {
      const groups = await this.groupsFor(resources.map((r) => r.id), ctx);
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

  /** `groups.value eq "g"`: the group's member items, then one batch read of those users. */
  protected override async lookup(plan: AccessPlan): Promise<StoredResource[] | undefined> {
    if (plan.kind !== 'group') return super.lookup(plan);
    const ids = await this.groups.members(plan.groupId);
    return this.store.getMany(ids);
  }

  /** `groups` is not in the user's document: a filter naming it needs the memberships. */
  protected override needsExpansion(filter: Filter): boolean {
    return mentions(filter, 'groups');
  }

  /** Users with their `groups` (value and display), as the filter evaluator reads them. */
  protected override async forEvaluation(resources: StoredResource[], filter: Filter, ctx: CallContext): Promise<JsonObject[]> {
    const views = resources.map((r) => toScimResource(this.rt, r, ctx.baseUrl));
    if (!mentions(filter, 'groups') || resources.length === 0) return views;
    const groups = await this.groupsFor(resources.map((r) => r.id), ctx);
    views.forEach((view, i) => (view.groups = groups[i].map((g) => ({ value: g.id, display: g.displayName, type: 'direct' }))));
    return views;
  }

  /**
   * The groups of each user: ids from the membership index, then one batch read of those
   * groups for their names, which also drops a group deleted since (the index lags the table).
   * Started once per user and request, and shared by later calls in the same request.
   */
  private groupsFor(userIds: readonly string[], ctx: CallContext): Promise<GroupRef[][]> {
    const started = this.startedFor(ctx);
    const missing = userIds.filter((id) => !started.has(id));
    if (missing.length > 0) {
      const batch = this.guard(async () => {
        const ids = await mapConcurrently(missing, CONCURRENCY, (id) => this.groups.groupsOf(id));
        const found = new Map((await this.groups.getMany([...new Set(ids.flat())])).map((g) => [g.id, g]));
        return ids.map((list) =>
          list
            .filter((gid) => found.has(gid))
            .sort()
            .map((gid) => ({ id: gid, displayName: String(found.get(gid)!.document.displayName) })),
        );
      });
      // A read started for a request that then fails early (404) must not go unhandled.
      batch.catch(() => undefined);
      missing.forEach((id, i) => started.set(id, batch.then((all) => all[i])));
    }
    return Promise.all(userIds.map((id) => started.get(id)!));
  }

  private startedFor(ctx: CallContext): Map<string, Promise<GroupRef[]>> {
    let started = this.pending.get(ctx);
    if (!started) this.pending.set(ctx, (started = new Map()));
    return started;
  }
}

/** Whether a filter names the top-level attribute `name` anywhere. */
function mentions(filter: Filter, name: string): boolean {
  switch (filter.kind) {
    case 'and':
    case 'or':
      return mentions(filter.left, name) || mentions(filter.right, name);
    case 'not':
      return mentions(filter.filter, name);
    default:
      return !filter.path.uri && filter.path.name === name;
  }
}
