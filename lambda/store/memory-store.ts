import { randomUUID } from 'node:crypto';
import { checkDirectory, membershipChange } from './audit';
import { parsePosition } from './audit-log';
import { auditSk, claimForm, listingSk, sameUnique, uniqueForm } from './keys';
import { MAX_GROUPS_PER_USER } from './memberships';
import { claimsOf } from './resource-table';
import {
  StoreConflict,
  type AuditChange,
  type AuditEntry,
  type AuditFacts,
  type AuditPage,
  type AuditQuery,
  type AuditReads,
  type ResourceKind as Kind,
  type CursorPage,
  type DirectoryData,
  type GroupStore,
  type GroupWrite,
  type MemberFacts,
  type Page,
  type PageRequest,
  type ResourceKind,
  type ResourceReads,
  type ResourceWrite,
  type StoredResource,
  type UniqueClaim,
  type UserGroups,
  type UserStore,
  type UserWithGroups,
} from './types';

/**
 * The store interface in memory, for service tests that start no Java (and for a server
 * that keeps nothing). It keeps what the DynamoDB store keeps and refuses what it refuses:
 * the contract suite (test/store/contract.ts) runs against both. Every write is atomic by
 * construction (it checks everything first, then changes the maps). Reads return frozen versions, never the live rows.
 */

interface Row {
  resource: StoredResource;
  /** Users: the ids of their groups (may name a deleted group, as on the table). */
  memberOf?: Set<string>;
  /** Groups: the ids of their members. */
  members?: Set<string>;
  /** The row's listing position, and the unique value it was worked out from. */
  position?: { readonly of: string; readonly sk: string };
}

/** A deep copy of a JSON value, frozen all the way down: what the store keeps of a write's document. */
function frozenCopy<T>(value: T): T {
  const freeze = (v: unknown): unknown => {
    if (v && typeof v === 'object') {
      for (const child of Object.values(v)) freeze(child);
      Object.freeze(v);
    }
    return v;
  };
  return freeze(structuredClone(value)) as T;
}

/** One directory's resources: what the users and the groups of one table hold, and its audit trail. */
export class MemoryDirectory {
  readonly users = new MemoryUserStore(this);
  readonly groups = new MemoryGroupStore(this);
  readonly audit = new MemoryAuditLog(() => this.directory);
  /** @internal rows by kind and id */
  readonly rows: Record<ResourceKind, Map<string, Row>> = { User: new Map(), Group: new Map() };
  /** @internal unique values by kind: normalised value → id */
  readonly unique: Record<ResourceKind, Map<string, string>> = { User: new Map(), Group: new Map() };
  /** @internal claimed values by kind: `<attribute>#<claimForm>` → id */
  readonly claims: Record<ResourceKind, Map<string, string>> = { User: new Map(), Group: new Map() };
  /** @internal by kind, bumped by every change of the listing order: a row added, removed or given another unique value */
  readonly orderChanges: Record<ResourceKind, number> = { User: 0, Group: 0 };

  constructor(readonly directory = 'default') {}

  /** @internal Refuses, before anything changes, the audit facts of a request of another directory. */
  accept(audit: AuditFacts | undefined): void {
    if (audit) checkDirectory(audit, this.directory);
  }

  /** @internal Records the entry of a change just applied (every write calls it last, after its checks). */
  record(audit: AuditFacts | undefined, kind: Kind, id: string, name: string, extra: { version?: number; membership?: AuditChange } = {}): void {
    if (!audit) return;
    const { changes: facts, ...rest } = audit;
    // The facts and each change cloned once (the changes are not cloned again with the facts).
    const changes = [...facts, ...(extra.membership ? [extra.membership] : [])].map((c) => structuredClone(c));
    const entry: AuditEntry = {
      ...structuredClone(rest),
      changes,
      id: randomUUID(),
      directory: this.directory,
      resourceType: kind,
      resourceId: id,
      resourceName: name,
      ...(extra.version !== undefined ? { version: extra.version } : {}),
    };
    this.audit.entries.push(entry);
  }

  /** What the table would hold for this directory: resources, their guards (claims included), memberships, audit entries. */
  itemCount(): number {
    const members = [...this.rows.Group.values()].reduce((n, row) => n + (row.members?.size ?? 0), 0);
    const guards = this.unique.User.size + this.unique.Group.size + this.claims.User.size + this.claims.Group.size;
    return this.rows.User.size + this.rows.Group.size + guards + members + this.audit.entries.length;
  }

  /** Forgets everything (the directory is deleted); stores already handed out read it empty. */
  clear(): void {
    for (const kind of ['User', 'Group'] as const) {
      this.rows[kind].clear();
      this.orderChanges[kind]++;
      this.unique[kind].clear();
      this.claims[kind].clear();
    }
    this.audit.entries.length = 0;
  }
}

/** Several directories in memory, as one table holds them: each its own, nothing shared. */
export class MemoryTable implements DirectoryData {
  private readonly directories = new Map<string, MemoryDirectory>();

  /** The directory's stores (made on first use). */
  directory(id: string): MemoryDirectory {
    let found = this.directories.get(id);
    if (!found) this.directories.set(id, (found = new MemoryDirectory(id)));
    return found;
  }

  async count(directory: string): Promise<number> {
    return this.directories.get(directory)?.itemCount() ?? 0;
  }

  async purge(directory: string): Promise<number> {
    const found = this.directories.get(directory);
    const deleted = found?.itemCount() ?? 0;
    found?.clear();
    return deleted;
  }
}

/** The audit trail in memory, read as the DynamoDB store reads it: newest first, by the same keys. */
export class MemoryAuditLog implements AuditReads {
  /** @internal every entry, in the order written */
  readonly entries: AuditEntry[] = [];

  constructor(private readonly directoryOf: () => string = () => 'default') {}

  async list(query: AuditQuery): Promise<AuditPage> {
    const after = query.after === undefined ? undefined : parsePosition(query.after, this.directoryOf())[1];
    const from = query.since ?? '';
    const matching = this.entries
      .filter((e) => query.resourceId === undefined || e.resourceId === query.resourceId)
      .filter((e) => query.actor === undefined || e.actor.name === query.actor || e.actor.tokenId === query.actor)
      .filter((e) => e.at >= from)
      .map((e) => ({ e, sk: auditSk(e.at, e.id) }))
      .filter(({ sk }) => after === undefined || sk < after)
      .sort((a, b) => (a.sk < b.sk ? 1 : a.sk > b.sk ? -1 : 0));
    const page = matching.slice(0, query.count);
    const last = page.at(-1);
    return {
      entries: page.map(({ e }) => structuredClone(e)),
      ...(matching.length > query.count && last ? { next: JSON.stringify([this.directoryOf(), last.e.resourceId, last.sk]) } : {}),
    };
  }
}

/** A claim's key among the claims of its kind: its attribute and its comparison form. */
const claimKey = (claim: UniqueClaim) => `${claim.attribute}#${claimForm(claim)}`;


class MemoryReads implements ResourceReads {
  constructor(
    protected readonly dir: MemoryDirectory,
    protected readonly kind: ResourceKind,
  ) {}

  protected get rows(): Map<string, Row> {
    return this.dir.rows[this.kind];
  }

  async get(id: string): Promise<StoredResource | undefined> {
    const row = this.rows.get(id);
    return row && this.view(row);
  }

  async getMany(ids: readonly string[]): Promise<StoredResource[]> {
    return [...new Set(ids)].flatMap((id) => {
      const row = this.rows.get(id);
      return row ? [this.view(row)] : [];
    });
  }

  async findByUniqueValue(value: string): Promise<StoredResource | undefined> {
    const id = this.dir.unique[this.kind].get(uniqueForm(value));
    return id === undefined ? undefined : this.get(id);
  }

  async findByExternalId(externalId: string): Promise<StoredResource[]> {
    return this.ordered()
      .filter((row) => row.resource.document.externalId === externalId)
      .map((row) => this.view(row));
  }

  async list(page: PageRequest): Promise<Page> {
    const all = this.ordered();
    return { resources: all.slice(page.startIndex - 1, page.startIndex - 1 + page.count).map((r) => this.view(r)), totalResults: all.length };
  }

  async count(): Promise<number> {
    return this.rows.size;
  }

  async listAfter(after: string | undefined, count: number): Promise<CursorPage> {
    if (count <= 0) return { resources: [] };
    const rest = this.ordered().filter((row) => after === undefined || this.positionOf(row.resource) > after);
    const resources = rest.slice(0, count).map((r) => this.view(r));
    return { resources, next: rest.length > count ? this.positionOf(resources[resources.length - 1]) : undefined };
  }

  positionOf(resource: StoredResource): string {
    return listingSk(resource.uniqueValue, resource.id);
  }

  /**
   * A row's listing position, worked out again only when its unique value changes: the
   * position's name folding (NFKC, case folding) of every row was most of a list page's time
   * when worked out for every row of every page.
   */
  private positionOfRow(row: Row): string {
    if (row.position?.of !== row.resource.uniqueValue) row.position = { of: row.resource.uniqueValue, sk: this.positionOf(row.resource) };
    return row.position.sk;
  }

  async listMatching(matches: (resource: StoredResource) => boolean, page: PageRequest): Promise<Page> {
    const all = this.ordered()
      .map((row) => this.view(row))
      .filter(matches);
    return { resources: all.slice(page.startIndex - 1, page.startIndex - 1 + page.count), totalResults: all.length };
  }

  /**
   * The rows in the listing order (the listing index's sort key), sorted again only after the
   * order changed: every list page sorted the whole directory before. Callers never change it.
   */
  protected ordered(): readonly Row[] {
    const changes = this.dir.orderChanges[this.kind];
    if (this.sorted?.changes !== changes) {
      const keyed = [...this.rows.values()].map((row) => [this.positionOfRow(row), row] as const);
      this.sorted = { changes, rows: keyed.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row) };
    }
    return this.sorted.rows;
  }

  private sorted?: { readonly changes: number; readonly rows: readonly Row[] };

  /**
   * The row as the table would return it. A stored version is never changed in place (every
   * write stores a new one, its document deep-frozen), so a read hands it out as it is, with
   * no copy: a caller that tried to change it would throw, not change the store.
   */
  protected view(row: Row): StoredResource {
    const resource = row.resource;
    if (this.kind === 'User') return row.memberOf?.size ? { ...resource, groupIds: [...row.memberOf].sort() } : { ...resource };
    return { ...resource, memberCount: row.members?.size ?? 0 };
  }

  /** Checks that a new unique value and the write's claims are free (other than for `id` itself). */
  protected checkUnique(value: string, id: string, claims: readonly UniqueClaim[] = []): void {
    const holder = this.dir.unique[this.kind].get(uniqueForm(value));
    if (holder !== undefined && holder !== id) throw new StoreConflict('uniqueness', `The ${this.kind}'s unique value is already taken.`);
    for (const claim of claims) {
      const owner = this.dir.claims[this.kind].get(claimKey(claim));
      if (owner !== undefined && owner !== id) throw new StoreConflict('uniqueness', `The ${this.kind}'s ${claim.attribute} is already taken.`, undefined, claim.attribute);
    }
  }

  /** Moves the claims of `id` from `before` to `after`. */
  private reclaim(id: string, before: readonly UniqueClaim[] = [], after: readonly UniqueClaim[] = []): void {
    const claims = this.dir.claims[this.kind];
    for (const claim of before) if (claims.get(claimKey(claim)) === id) claims.delete(claimKey(claim));
    for (const claim of after) claims.set(claimKey(claim), id);
  }

  protected current(resource: StoredResource, pinned = true): Row {
    const row = this.rows.get(resource.id);
    if (!row) throw new StoreConflict('missing', `The ${this.kind} no longer exists.`);
    if (pinned && row.resource.version !== resource.version) throw new StoreConflict('version', 'The resource changed.');
    return row;
  }

  protected insert(id: string, write: ResourceWrite, now: string, extra: Partial<Row> = {}): StoredResource {
    if (this.rows.has(id)) throw new StoreConflict('version', 'The resource changed.');
    this.checkUnique(write.uniqueValue, id, write.alsoUnique);
    const resource: StoredResource = { id, kind: this.kind, version: 1, created: now, lastModified: now, uniqueValue: write.uniqueValue, ...claimsOf(write), document: frozenCopy(write.document) };
    this.rows.set(id, { resource, ...extra });
    this.dir.orderChanges[this.kind]++;
    this.dir.unique[this.kind].set(uniqueForm(write.uniqueValue), id);
    this.reclaim(id, [], write.alsoUnique);
    return resource;
  }

  protected rewrite(row: Row, write: ResourceWrite, now: string): void {
    this.checkUnique(write.uniqueValue, row.resource.id, write.alsoUnique);
    const unique = this.dir.unique[this.kind];
    if (!sameUnique(row.resource.uniqueValue, write.uniqueValue)) unique.delete(uniqueForm(row.resource.uniqueValue));
    if (row.resource.uniqueValue !== write.uniqueValue) this.dir.orderChanges[this.kind]++;
    unique.set(uniqueForm(write.uniqueValue), row.resource.id);
    this.reclaim(row.resource.id, row.resource.alsoUnique, write.alsoUnique);
    const { alsoUnique: _previous, ...rest } = row.resource;
    row.resource = { ...rest, version: row.resource.version + 1, lastModified: now, uniqueValue: write.uniqueValue, ...claimsOf(write), document: frozenCopy(write.document) };
  }

  protected drop(row: Row): void {
    this.rows.delete(row.resource.id);
    this.dir.orderChanges[this.kind]++;
    this.dir.unique[this.kind].delete(uniqueForm(row.resource.uniqueValue));
    this.reclaim(row.resource.id, row.resource.alsoUnique);
  }
}

export class MemoryUserStore extends MemoryReads implements UserStore {
  constructor(dir: MemoryDirectory) {
    super(dir, 'User');
  }

  async create(id: string, write: ResourceWrite, now: string, audit?: AuditFacts): Promise<StoredResource> {
    this.dir.accept(audit);
    const created = this.view({ resource: this.insert(id, write, now) });
    this.dir.record(audit, 'User', id, write.uniqueValue, { version: 1 });
    return created;
  }

  async replace(current: StoredResource, write: ResourceWrite, now: string, audit?: AuditFacts): Promise<StoredResource> {
    this.dir.accept(audit);
    const row = this.current(current);
    this.rewrite(row, write, now);
    this.dir.record(audit, 'User', current.id, write.uniqueValue, { version: row.resource.version });
    return this.view(row);
  }

  async delete(current: StoredResource, now: string, audit?: AuditFacts): Promise<void> {
    this.dir.accept(audit);
    const row = this.current(current);
    // As on the table: the deletion holds only if the user is still in the groups it was read in.
    const read = [...(current.groupIds ?? [])].sort().join(',');
    if ([...(row.memberOf ?? [])].sort().join(',') !== read) throw new StoreConflict('version', 'The resource changed.');
    const left: string[] = [];
    for (const gid of [...(row.memberOf ?? [])].sort()) {
      const group = this.dir.rows.Group.get(gid);
      if (!group) continue;
      left.push(gid);
      if (!group.members?.delete(current.id)) continue;
      group.resource = { ...group.resource, version: group.resource.version + 1, lastModified: now };
    }
    this.drop(row);
    this.dir.record(audit, 'User', current.id, current.uniqueValue, left.length > 0 ? { membership: membershipChange('groups', [], left) } : {});
  }

  async findWithGroups(userName: string, withGroups = true): Promise<UserWithGroups | undefined> {
    const user = await this.findByUniqueValue(userName);
    if (!user) return undefined;
    const ids = withGroups ? (user.groupIds ?? []) : [];
    return { user, groups: await this.dir.groups.getMany(ids), askedFor: new Set(ids) };
  }

  async groupsOf(users: readonly StoredResource[], known: ReadonlyMap<string, StoredResource | null> = new Map()): Promise<UserGroups> {
    const groups = new Map(known);
    for (const gid of new Set(users.flatMap((u) => u.groupIds ?? []))) {
      if (!groups.has(gid)) groups.set(gid, (await this.dir.groups.get(gid)) ?? null);
    }
    return { users: [...users], groups };
  }
}

export class MemoryGroupStore extends MemoryReads implements GroupStore {
  constructor(dir: MemoryDirectory) {
    super(dir, 'Group');
  }

  async create(id: string, write: ResourceWrite, members: readonly string[], now: string, audit?: AuditFacts): Promise<StoredResource> {
    this.dir.accept(audit);
    this.checkJoins(id, members);
    this.checkUnique(write.uniqueValue, id, write.alsoUnique);
    const resource = this.insert(id, write, now, { members: new Set() });
    const row = this.rows.get(id)!;
    for (const uid of members) this.join(row, uid);
    this.dir.record(audit, 'Group', id, write.uniqueValue, { version: 1, ...(members.length > 0 ? { membership: membershipChange('members', members, []) } : {}) });
    return this.view({ resource, members: row.members });
  }

  async update(current: StoredResource, change: GroupWrite, now: string, audit?: AuditFacts): Promise<StoredResource> {
    this.dir.accept(audit);
    const row = this.current(current, change.pinned || change.write !== undefined);
    const members = row.members!;
    if (change.members.add.some((uid) => members.has(uid)) || change.members.remove.some((uid) => !members.has(uid))) {
      throw new StoreConflict('version', 'The resource changed.');
    }
    this.checkJoins(current.id, change.members.add);
    if (change.write) this.rewrite(row, change.write, now);
    else row.resource = { ...row.resource, version: row.resource.version + 1, lastModified: now };
    for (const uid of change.members.remove) {
      members.delete(uid);
      this.dir.rows.User.get(uid)?.memberOf?.delete(current.id);
    }
    for (const uid of change.members.add) this.join(row, uid);
    const { add, remove } = change.members;
    this.dir.record(audit, 'Group', current.id, row.resource.uniqueValue, {
      ...(change.pinned || change.write ? { version: row.resource.version } : {}),
      ...(add.length + remove.length > 0 ? { membership: membershipChange('members', add, remove) } : {}),
    });
    return this.view(row);
  }

  async delete(current: StoredResource, audit?: AuditFacts): Promise<void> {
    this.dir.accept(audit);
    // The group's id stays in its former members' memberOf, as on the table.
    this.drop(this.current(current));
    this.dir.record(audit, 'Group', current.id, current.uniqueValue);
  }

  async getWithMembers(groupId: string, maxMembers: number): Promise<{ group: StoredResource; members?: string[] } | undefined> {
    const row = this.rows.get(groupId);
    if (!row) return undefined;
    const group = this.view(row);
    return (group.memberCount ?? 0) > maxMembers ? { group } : { group, members: [...row.members!].sort() };
  }

  async members(groupId: string): Promise<string[]> {
    return [...(this.rows.get(groupId)?.members ?? [])].sort();
  }

  async readForChange(groupId: string, userIds: readonly string[], withGroup: boolean): Promise<{ group?: StoredResource; facts: MemberFacts }> {
    const users = new Set<string>();
    const members = new Set<string>();
    const full = new Set<string>();
    for (const uid of new Set(userIds)) {
      const user = this.dir.rows.User.get(uid);
      if (!user) continue;
      users.add(uid);
      if (user.memberOf?.has(groupId)) members.add(uid);
      if ((user.memberOf?.size ?? 0) >= MAX_GROUPS_PER_USER) full.add(uid);
    }
    const row = withGroup ? this.rows.get(groupId) : undefined;
    return { group: row && this.view(row), facts: { users, members, full } };
  }

  async deleteLeftoverMembers(): Promise<number> {
    return 0;
  }

  /** Refuses joins of users that do not exist or are in as many groups as a user may be. */
  private checkJoins(groupId: string, userIds: readonly string[]): void {
    for (const uid of userIds) {
      const user = this.dir.rows.User.get(uid);
      if (!user) throw new StoreConflict('memberGone', 'A user named as member does not exist.', uid);
      if (!user.memberOf?.has(groupId) && (user.memberOf?.size ?? 0) >= MAX_GROUPS_PER_USER) {
        throw new StoreConflict('groupLimit', 'A user named as member is in as many groups as a user may be.', uid);
      }
    }
  }

  private join(row: Row, userId: string): void {
    row.members!.add(userId);
    const user = this.dir.rows.User.get(userId)!;
    (user.memberOf ??= new Set()).add(row.resource.id);
  }
}
