import { mentions } from '../scim/filter/walk';
import type { AccessPlan } from '../scim/filter/plan';
import { applyPatch, normalizePatchRequest } from '../scim/patch';
import { returns, project, type Projection } from '../scim/projection';
import { etagOf, toScimResource } from '../scim/resource';
import { findAttribute, userResourceType } from '../scim/schema/registry';
import type { JsonObject } from '../scim/schema/types';
import { validateResource } from '../scim/validate';
import { jsonEqual } from '../scim/values';
import type { GroupReads, StoredResource, UserStore } from '../store/types';
import { checkIfMatch } from './preconditions';
import { Collection, type Candidates } from './collection';
import type { CallContext, ResourceService, ServiceOptions, ServiceResult } from './resource-service';

const GROUPS = findAttribute(userResourceType.schema.attributes, 'groups')!;

/** Groups a request has read, by id; null for a group that no longer exists. */
type KnownGroups = ReadonlyMap<string, StoredResource | null>;

/**
 * The Users resource: the RFC 7644 operations plus the read-only `groups` attribute
 * (RFC 7643 §4.1.2). A user's item names its groups (`memberOf`); their names come from one
 * batch read of those groups, which also drops a group deleted since. The store takes a
 * deleted user out of its groups in the deleting transaction.
 */
export class UserService implements ResourceService {
  readonly rt = userResourceType;
  private readonly users: Collection<KnownGroups>;

  constructor(
    private readonly store: UserStore,
    private readonly groups: GroupReads,
    options?: ServiceOptions,
  ) {
    this.users = new Collection<KnownGroups>(
      userResourceType,
      store,
      'userName',
      {
        render: (resources, ctx, projection, known) => this.render(resources, ctx, projection, known),
        lookup: (plan, _ctx, projection) => this.lookup(plan, projection),
        needsExpansion: (filter) => mentions(filter, 'groups'),
        forEvaluation: (resources, _filter, ctx) => this.forEvaluation(resources, ctx),
      },
      options,
    );
  }

  async create(body: unknown, ctx: CallContext): Promise<ServiceResult> {
    const write = this.users.write(validateResource(this.rt, body));
    const now = this.users.now();
    const audit = this.users.audit(ctx, 'create', now, undefined, write.document as JsonObject);
    const stored = await this.users.guard(() => this.store.create(this.users.newId(), write, now, audit));
    // A new user is in no group: nothing to read.
    return this.users.result(stored, ctx, new Map());
  }

  async get(id: string, ctx: CallContext): Promise<ServiceResult> {
    return this.users.result(await this.users.require(id), ctx);
  }

  /** PUT: the whole resource is replaced; readOnly attributes are kept. */
  async replace(id: string, body: unknown, ctx: CallContext): Promise<ServiceResult> {
    return this.readModifyWrite(id, ctx, 'replace', (current) => validateResource(this.rt, body, { existing: current.document as JsonObject }));
  }

  async patch(id: string, body: unknown, ctx: CallContext): Promise<ServiceResult> {
    const operations = normalizePatchRequest(body);
    return this.readModifyWrite(id, ctx, 'patch', (current) => {
      const { resource } = applyPatch(this.rt, toScimResource(this.rt, current, ctx.baseUrl), operations);
      return validateResource(this.rt, resource, { existing: current.document as JsonObject });
    });
  }

  async delete(id: string, ctx: CallContext): Promise<void> {
    await this.users.retrying(ctx, async () => {
      const current = await this.users.require(id);
      checkIfMatch(ctx.ifMatch, current.version);
      const now = this.users.now();
      const audit = this.users.audit(ctx, 'delete', now, current.document as JsonObject, undefined);
      await this.users.guard(() => this.store.delete(current, now, audit));
    });
  }

  list(ctx: CallContext): Promise<ServiceResult> {
    return this.users.list(ctx);
  }

  /**
   * Reads the user, checks If-Match, writes the document `change` makes of it unless it is
   * the same (Okta re-sends the full user on every sync: an unchanged user keeps its version
   * and lastModified), and retries a lost race. The user's groups, when the answer shows
   * them, are read alongside the write: two round trips in all.
   */
  private async readModifyWrite(
    id: string,
    ctx: CallContext,
    operation: 'replace' | 'patch',
    change: (current: StoredResource) => JsonObject,
  ): Promise<ServiceResult> {
    const projection = this.users.projectionOf(ctx);
    const { stored, groups } = await this.users.retrying(ctx, async () => {
      const current = await this.users.require(id);
      checkIfMatch(ctx.ifMatch, current.version);
      const groupsRead = returns(GROUPS, projection) ? this.groupsOf([current]) : undefined;
      // Awaited below; until then a failure must not go unhandled (in Lambda that ends the container).
      groupsRead?.catch(() => undefined);
      const document = change(current);
      const now = this.users.now();
      // An unchanged document is no change: nothing is written, nothing audited.
      const written = jsonEqual(document, current.document as JsonObject)
        ? current
        : await this.users.guard(() =>
            this.store.replace(current, this.users.write(document), now, this.users.audit(ctx, operation, now, current.document as JsonObject, document)),
          );
      return { stored: written, groups: await groupsRead };
    });
    const [body] = await this.render([stored], ctx, projection, groups);
    return { body, etag: etagOf(stored.version) };
  }

  /** The groups of these users, as one batch read (those in `known` are not read again). */
  private async groupsOf(users: readonly StoredResource[], known?: KnownGroups): Promise<KnownGroups> {
    return (await this.users.guard(() => this.store.groupsOf(users, known))).groups;
  }

  /**
   * `userName eq`: the user and (when they are returned) its groups, usually in two calls.
   * `groups.value eq "<gid>"` (AWS IAM Identity Center lists it): the members of that group.
   */
  private async lookup(plan: AccessPlan, projection: Projection): Promise<Candidates<KnownGroups> | undefined> {
    if (plan.kind === 'unique') {
      const found = await this.store.findWithGroups(plan.value, returns(GROUPS, projection));
      if (!found) return { resources: [] };
      const known = new Map<string, StoredResource | null>([...found.askedFor].map((gid) => [gid, found.groups.find((g) => g.id === gid) ?? null]));
      return { resources: [found.user], known };
    }
    if (plan.kind !== 'memberOf') return undefined;
    const members = await this.groups.members(plan.groupId);
    const users = await this.store.getMany(members);
    return { resources: users.sort((a, b) => a.uniqueValue.toLowerCase().localeCompare(b.uniqueValue.toLowerCase())) };
  }

  /** Users with their `groups`, for a filter that tests them. */
  private async forEvaluation(resources: StoredResource[], ctx: CallContext): Promise<JsonObject[]> {
    const known = await this.groupsOf(resources);
    return resources.map((r) => ({
      ...toScimResource(this.rt, r, ctx.baseUrl),
      groups: groupRefs(r, known).map((g) => ({ value: g.id, display: String(g.document.displayName), type: 'direct' })),
    }));
  }

  /** Users as the client sees them, with `groups` (read now unless the request has them). */
  private async render(resources: readonly StoredResource[], ctx: CallContext, projection: Projection, known?: KnownGroups): Promise<JsonObject[]> {
    let users = resources;
    let groups = known ?? new Map<string, StoredResource | null>();
    if (returns(GROUPS, projection) && resources.some((r) => (r.groupIds ?? []).some((gid) => !groups.has(gid)))) {
      const read = await this.users.guard(() => this.store.groupsOf(resources, groups));
      users = read.users;
      groups = read.groups;
    }
    return users.map((user) => {
      const view = toScimResource(this.rt, user, ctx.baseUrl);
      const refs = returns(GROUPS, projection) ? groupRefs(user, groups) : [];
      if (refs.length > 0) {
        const meta = view.meta;
        delete view.meta;
        view.groups = refs.map((g) => ({ value: g.id, $ref: `${ctx.baseUrl}/Groups/${encodeURIComponent(g.id)}`, display: String(g.document.displayName), type: 'direct' }));
        view.meta = meta;
      }
      return project(this.rt, view, projection);
    });
  }
}

/** The groups of a user that still exist, in id order. */
function groupRefs(user: StoredResource, known: KnownGroups): StoredResource[] {
  return (user.groupIds ?? []).map((gid) => known.get(gid)).filter((g): g is StoredResource => g !== null && g !== undefined);
}
