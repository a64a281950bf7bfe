import type { Filter } from '../scim/filter/ast';
import { mentions } from '../scim/filter/walk';
import type { AccessPlan } from '../scim/filter/plan';
import { returns, project, type Projection } from '../scim/projection';
import { toScimResource } from '../scim/resource';
import { findAttribute, userResourceType } from '../scim/schema/registry';
import type { JsonObject } from '../scim/schema/types';
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
  /** Membership-index reads started for a request's users, keyed by the request. */
  private readonly pending = new WeakMap<CallContext, Map<string, Promise<string[]>>>();

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
    // Started alongside the user's read; awaited by render. Its failure is answered there.
    if (returns(GROUPS, this.projectionOf(ctx))) this.groupIds([id], ctx).catch(() => undefined);
    return super.require(id, ctx);
  }

  /**
   * Takes the user out of its groups, then deletes it: no group lists it once the 204 is
   * sent. In this order a request cut short (throttled, timed out) leaves the user in place
   * with fewer groups, and the client's retry of the DELETE finishes the job; the other order
   * would leave member items of a deleted user that a retry (404) can no longer find.
   */
  protected override async remove(current: StoredResource, ctx: CallContext): Promise<void> {
    // The index's ids as they are: a membership of a group deleted meanwhile goes too, and
    // the groups' names (a batch read) are not needed.
    const [groupIds] = await this.groupIds([current.id], ctx);
    await this.guard(() => this.groups.removeFromGroups(current.id, groupIds, this.now()));
    await super.remove(current, ctx);
  }

  /** `groups.value eq "<gid>"` (AWS IAM Identity Center lists it): the members of that group. */
  protected override async lookup(plan: AccessPlan): Promise<StoredResource[] | undefined> {
    if (plan.kind !== 'memberOf') return super.lookup(plan);
    const members = await this.groups.members(plan.groupId);
    const users = await this.store.getMany(members);
    return users.sort((a, b) => a.uniqueValue.toLowerCase().localeCompare(b.uniqueValue.toLowerCase()));
  }

  protected override needsExpansion(filter: Filter): boolean {
    return mentions(filter, 'groups');
  }

  /** Users with their `groups`, for a filter that tests them. */
  protected override async forEvaluation(resources: StoredResource[], _filter: Filter, ctx: CallContext): Promise<JsonObject[]> {
    const groups = await this.groupsFor(resources.map((r) => r.id), ctx);
    return resources.map((r, i) => ({ ...toScimResource(this.rt, r, ctx.baseUrl), groups: groups[i].map((g) => ({ value: g.id, display: g.displayName, type: 'direct' })) }));
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

  /**
   * The groups of each user: ids from the membership index, then one batch read of those
   * groups for their names, which also drops a group deleted since (the index lags the table).
   */
  private async groupsFor(userIds: readonly string[], ctx: CallContext): Promise<GroupRef[][]> {
    const ids = await this.groupIds(userIds, ctx);
    const found = new Map((await this.guard(() => this.groups.getMany([...new Set(ids.flat())]))).map((g) => [g.id, g]));
    return ids.map((list) =>
      list
        .filter((gid) => found.has(gid))
        .sort()
        .map((gid) => ({ id: gid, displayName: String(found.get(gid)!.document.displayName) })),
    );
  }

  /**
   * The membership-index ids of each user's groups, read once per user and request (at most
   * CONCURRENCY queries at a time) and shared by later calls in the same request.
   */
  private groupIds(userIds: readonly string[], ctx: CallContext): Promise<string[][]> {
    const started = this.startedFor(ctx);
    const missing = userIds.filter((id) => !started.has(id));
    if (missing.length > 0) {
      const batch = this.guard(() => mapConcurrently(missing, CONCURRENCY, (id) => this.groups.groupsOf(id)));
      // A read started for a request that then fails early (a 404, or the user's own read
      // throttled) must not go unhandled: in Lambda an unhandled rejection ends the container.
      missing.forEach((id, i) => {
        const one = batch.then((all) => all[i]);
        one.catch(() => undefined);
        started.set(id, one);
      });
    }
    return Promise.all(userIds.map((id) => started.get(id)!));
  }

  private startedFor(ctx: CallContext): Map<string, Promise<string[]>> {
    let started = this.pending.get(ctx);
    if (!started) this.pending.set(ctx, (started = new Map()));
    return started;
  }
}
