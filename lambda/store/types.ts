/**
 * The store's interface: what the SCIM services need from persistence, with no AWS type in
 * it. Two implementations keep it: the DynamoDB store (lambda/store/dynamo-*.ts, the product)
 * and the in-memory store (lambda/store/memory-store.ts, for fast service tests); one contract
 * suite (test/store/contract.ts) runs against both.
 */

/** A JSON document as the store keeps it (the resource without `id` and `meta`). */
export type Document = Record<string, unknown>;

/** The two resource types the table holds. */
export type ResourceKind = 'User' | 'Group';

/** A resource as read from the store, with the fields `meta` is built from. */
export interface StoredResource {
  readonly id: string;
  readonly kind: ResourceKind;
  /** Increases with every write of the resource; `meta.version` and ETags are derived from it. */
  readonly version: number;
  readonly created: string;
  readonly lastModified: string;
  /** The value kept unique (userName or displayName), as last written. */
  readonly uniqueValue: string;
  /** Further values held unique by guards of their own, as last written (see UniqueClaim). */
  readonly alsoUnique?: readonly UniqueClaim[];
  readonly document: Document;
  /** Groups only: how many members the group has (kept exact by the membership writes). */
  readonly memberCount?: number;
  /**
   * Users only: the ids of the groups the user belongs to, sorted, written in the same
   * transactions as the groups' member items. It may still name a group deleted since (the
   * group's DELETE does not rewrite its members' items); readers drop ids of missing groups.
   */
  readonly groupIds?: readonly string[];
}

/** An attribute that a compatibility profile keeps unique besides userName / displayName. */
export type ClaimAttribute = 'email' | 'externalId';

/**
 * A value held unique among the resources of one kind by a guard item of its own, written in
 * the same transaction as the resource (the AWS IAM Identity Center profile: a user's e-mail
 * and externalId, a group's externalId). The default profile claims none.
 */
export interface UniqueClaim {
  readonly attribute: ClaimAttribute;
  readonly value: string;
}

/**
 * What a create or replace writes: the document (its string `externalId`, if any, is indexed),
 * the value kept unique case-insensitively (userName for users, displayName for groups), and
 * the further values to hold unique (none unless given). A replace's claims are the whole new
 * set: guards of claims it no longer makes go, new ones are written, in one transaction.
 */
export interface ResourceWrite {
  readonly document: Document;
  readonly uniqueValue: string;
  readonly alsoUnique?: readonly UniqueClaim[];
}

/** A page of resources and the number of all that matched. */
export interface Page {
  readonly resources: StoredResource[];
  readonly totalResults: number;
}

/** A cursor page: the resources and, when more follow, the listing position to resume after. */
export interface CursorPage {
  readonly resources: StoredResource[];
  readonly next?: string;
}

/** startIndex is 1-based as in RFC 7644 §3.4.2.4. */
export interface PageRequest {
  readonly startIndex: number;
  readonly count: number;
}

/** The reads every resource kind offers, each in at most two round trips. */
export interface ResourceReads {
  get(id: string): Promise<StoredResource | undefined>;
  /** The resources named by `ids` that exist (batch reads), in no particular order. */
  getMany(ids: readonly string[]): Promise<StoredResource[]>;
  findByUniqueValue(value: string): Promise<StoredResource | undefined>;
  findByExternalId(externalId: string): Promise<StoredResource[]>;
  /** One page in the listing order; totalResults from the counter (one read). */
  list(page: PageRequest): Promise<Page>;
  /** How many resources of this kind exist (one read of the counter). */
  count(): Promise<number>;
  /** Up to `count` resources in the listing order after the position `after` (DynamoDB paging). */
  listAfter(after: string | undefined, count: number): Promise<CursorPage>;
  /** A resource's position in the listing order, as listAfter and cursors use it. */
  positionOf(resource: StoredResource): string;
  /** Every resource that satisfies `matches`, paged in the listing order (reads them all). */
  listMatching(matches: (resource: StoredResource) => boolean, page: PageRequest): Promise<Page>;
}

/** A user and, read with it, groups its item names (see UserStore.findWithGroups). */
export interface UserWithGroups {
  readonly user: StoredResource;
  /** Those of `askedFor` that exist. */
  readonly groups: StoredResource[];
  /** The group ids that were read; the user may name others (when the index lagged). */
  readonly askedFor: ReadonlySet<string>;
}

/** Users and the groups their items name, read together so that they agree. */
export interface UserGroups {
  /** The users, read again when a group's pending member change was finished meanwhile. */
  readonly users: StoredResource[];
  /** Every group the users name, by id; null for a group that no longer exists. */
  readonly groups: Map<string, StoredResource | null>;
}

/** The reads of users with their groups: what the Groups service needs of users. */
export interface UserReads extends ResourceReads {
  /** The groups the users' items name (one batch read), but those in `known`. */
  groupsOf(users: readonly StoredResource[], known?: ReadonlyMap<string, StoredResource | null>): Promise<UserGroups>;
}

/**
 * Users: each write one conditional transaction; deleting one also takes it out of its groups.
 * A write given `audit` writes its audit entry in the same transaction as the change (or, for
 * a change of several transactions, a page of it in each): the entry exists exactly when the
 * change was applied.
 */
export interface UserStore extends UserReads {
  create(id: string, write: ResourceWrite, now: string, audit?: AuditFacts): Promise<StoredResource>;
  /** Replaces the resource if its version is still `current.version`. */
  replace(current: StoredResource, write: ResourceWrite, now: string, audit?: AuditFacts): Promise<StoredResource>;
  /**
   * Deletes the user if it is still at `current.version` and in the groups it was read in,
   * with its guard, its member items and its groups' counts; `now` stamps those groups.
   */
  delete(current: StoredResource, now: string, audit?: AuditFacts): Promise<void>;
  /** The user with this userName and (when `withGroups`) its groups: two calls, usually. */
  findWithGroups(userName: string, withGroups?: boolean): Promise<UserWithGroups | undefined>;
}

/** Member changes to write: every id in `add` is not yet a member, every id in `remove` is. */
export interface MemberChange {
  readonly add: readonly string[];
  readonly remove: readonly string[];
}

/** What one batch read tells about users about to be added to or removed from a group. */
export interface MemberFacts {
  /** Which of the ids name existing users. */
  readonly users: ReadonlySet<string>;
  /** Which of the ids are members of the group now. */
  readonly members: ReadonlySet<string>;
  /** Which of the ids are users already in as many groups as one user may be. */
  readonly full: ReadonlySet<string>;
}

/** A write of a group: its new document (or none) and member changes. */
export interface GroupWrite {
  readonly write?: ResourceWrite;
  readonly members: MemberChange;
  /**
   * Require the group still at `current.version`. Always so with a new document; member
   * changes alone, unpinned, do not conflict with other member changes (each member item
   * carries its own condition), so racing PATCHes all succeed.
   */
  readonly pinned: boolean;
}

/** The reads of groups with their members: what the Users service needs of groups. */
export interface GroupReads extends ResourceReads {
  /** The group and its members; `members` is undefined when there are more than `maxMembers`. */
  getWithMembers(groupId: string, maxMembers: number): Promise<{ group: StoredResource; members?: string[] } | undefined>;
  /** The ids of the group's members, in id order. */
  members(groupId: string): Promise<string[]>;
}

/**
 * Groups, with members kept as one item each in the group's partition and, on each user's
 * item, the set of its groups (`memberOf`), both written in one transaction. Every write is
 * atomic whatever its size: a reader sees all of a member change or none of it.
 */
export interface GroupStore extends GroupReads {
  create(id: string, write: ResourceWrite, members: readonly string[], now: string, audit?: AuditFacts): Promise<StoredResource>;
  /**
   * Writes `change` on `current`. The returned version is exact when pinned; unpinned, other
   * member changes may have landed too, and it is a lower bound.
   */
  update(current: StoredResource, change: GroupWrite, now: string, audit?: AuditFacts): Promise<StoredResource>;
  /** Deletes the group (if still at `current.version`), then its member items. */
  delete(current: StoredResource, audit?: AuditFacts): Promise<void>;
  /** The group (when `withGroup`) and what these users' items say, in one batch read. */
  readForChange(groupId: string, userIds: readonly string[], withGroup: boolean): Promise<{ group?: StoredResource; facts: MemberFacts }>;
  /** Deletes member items left behind by a group DELETE that was cut short; returns how many. */
  deleteLeftoverMembers(groupId: string): Promise<number>;
}

/** Told as a directory's deletion goes: the pass (a pass reads every shard) and the items deleted so far. */
export type PurgeProgress = (progress: { readonly pass: number; readonly deleted: number }) => void;

/**
 * Every item of one directory, whatever kind (users, groups, members, guards, counters,
 * intents, and what later kinds of items add): what deleting a directory needs of the store.
 */
export interface DirectoryData {
  /** How many items the directory holds (each user, group, membership, guard, counter shard...). */
  count(directory: string): Promise<number>;
  /**
   * Deletes every item of the directory, in passes until one finds nothing; returns how many
   * items were deleted. Nothing of any other directory is touched.
   */
  purge(directory: string, progress?: PurgeProgress): Promise<number>;
  /**
   * Records that the directory's deletion starts, as one item of the directory (so the purge
   * removes it too) whose write is the deletion's one change event. @default nothing recorded
   */
  announceDeletion?(directory: string, deletion: DirectoryDeletion): Promise<void>;
}

/** Who deletes a directory, and when: what its change event says. */
export interface DirectoryDeletion {
  readonly at: string;
  readonly id: string;
  /** The operator's tool, as the event names it (a deletion is no token's doing). */
  readonly actor: Actor;
}

/** Who made a change: the token it was made with (its id, and its name or, unnamed, its id again). */
export interface Actor {
  readonly tokenId: string;
  readonly name: string;
}

/** A value too large to record whole: its length (bytes of its UTF-8 JSON) and SHA-256 (base64url). */
export interface ValueDigest {
  readonly bytes: number;
  readonly sha256: string;
}

/**
 * One attribute path a change touched (RFC 7644 §3.10 notation, e.g. `name.givenName` or
 * `urn:…:enterprise:2.0:User:department`) with its value before and after: absent where there
 * was none, a digest where it was too large. Memberships are ids `added` and `removed`, never
 * the whole list (`members` of a group, `groups` a deleted user left).
 */
export interface AuditChange {
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
  readonly beforeDigest?: ValueDigest;
  readonly afterDigest?: ValueDigest;
  readonly added?: readonly string[];
  readonly removed?: readonly string[];
}

/** What was asked of the resource: RFC 7644 §3.3 create, §3.5.1 replace, §3.5.2 patch, §3.6 delete. */
export type AuditOperation = 'create' | 'replace' | 'patch' | 'delete';

/**
 * What a write's caller knows of a change and its request, for the audit entry: all an entry
 * holds but what the store itself knows (the resource, its version, the member ids each
 * transaction applies).
 */
export interface AuditFacts {
  /** When the change was made (the time its write stamps on the resource). */
  readonly at: string;
  readonly operation: AuditOperation;
  readonly actor: Actor;
  readonly requestId: string;
  /**
   * The directory the request was served in. A store audits changes of its own directory only
   * and refuses facts naming another (a bug, never a client's doing). @default the store's own
   */
  readonly directory?: string;
  readonly userAgent?: string;
  readonly sourceAddress?: string;
  /** For an operation of a Bulk request: its position in the request (from 0) and its bulkId. */
  readonly bulk?: { readonly index: number; readonly bulkId?: string };
  /** The attribute paths of the document that changed (memberships are the store's to add). */
  readonly changes: readonly AuditChange[];
}

/** An audit entry as read back: one applied change, whole. */
export interface AuditEntry extends AuditFacts {
  readonly id: string;
  readonly directory: string;
  readonly resourceType: ResourceKind;
  readonly resourceId: string;
  /** The userName or displayName: after the change, or before a deletion. */
  readonly resourceName: string;
  /** meta.version after the change, where it is exact (not on a delete or an unpinned member change). */
  readonly version?: number;
}

/** Which entries to read: one resource's or the directory's, newest first. */
export interface AuditQuery {
  /** One resource's history; absent: the whole directory. */
  readonly resourceId?: string;
  /** Only changes made with a token of this name (or this token id). */
  readonly actor?: string;
  /** Only changes at or after this ISO 8601 time. */
  readonly since?: string;
  /** At most this many entries (a page may hold fewer and still have a `next`). */
  readonly count: number;
  /** Continue after this position (a previous page's `next`). */
  readonly after?: string;
}

/** A page of entries, newest first, and where the next page starts when there may be one. */
export interface AuditPage {
  readonly entries: AuditEntry[];
  readonly next?: string;
}

/** The audit trail of one directory, read back. */
export interface AuditReads {
  list(query: AuditQuery): Promise<AuditPage>;
}

/** Why the store refused a write. Services turn these into SCIM errors. */
export class StoreConflict extends Error {
  constructor(
    readonly reason: 'uniqueness' | 'version' | 'missing' | 'memberGone' | 'groupLimit' | 'tooLarge',
    message: string,
    /** The user a member refusal is about. */
    readonly userId?: string,
    /** For uniqueness: the claimed attribute that is taken; undefined for userName / displayName. */
    readonly attribute?: ClaimAttribute,
  ) {
    super(message);
    this.name = 'StoreConflict';
  }
}

/** The database refused for load or could not be reached; the request may be retried. */
export class StoreUnavailable extends Error {
  constructor(readonly reason: 'throttled' | 'unreachable', message: string) {
    super(message);
    this.name = 'StoreUnavailable';
  }
}

/** A position (`AuditQuery.after`) this store did not hand out. */
export class InvalidPosition extends Error {
  constructor() {
    super('The position is not one this store gave.');
    this.name = 'InvalidPosition';
  }
}
