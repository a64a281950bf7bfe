/**
 * The store's interface: what the SCIM services need from persistence, with no AWS type in it.
 * lambda/store/dynamo-*.ts implements it on the single DynamoDB table.
 */

/** A JSON document as the store keeps it (the resource without `id` and `meta`). */
export type Document = Record<string, unknown>;

/** The two resource types the table holds. */
export type ResourceKind = 'User' | 'Group';

/** A resource as read from the store, with the fields `meta` is built from. */
export interface StoredResource {
  readonly id: string;
  readonly kind: ResourceKind;
  /** Increases by one with every write; `meta.version` and ETags are derived from it. */
  readonly version: number;
  readonly created: string;
  readonly lastModified: string;
  /** The value kept unique (userName or displayName), as last written. */
  readonly uniqueValue: string;
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

/**
 * What a create or replace writes: the document (its string `externalId`, if any, is indexed)
 * and the value kept unique case-insensitively (userName for users, displayName for groups).
 */
export interface ResourceWrite {
  readonly document: Document;
  readonly uniqueValue: string;
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

/** The resources of one kind: reads and conditional writes, each in at most two round trips. */
export interface ResourceStore {
  create(id: string, write: ResourceWrite, now: string): Promise<StoredResource>;
  get(id: string): Promise<StoredResource | undefined>;
  /** Replaces the resource if its version is still `expectedVersion`. */
  replace(current: StoredResource, write: ResourceWrite, now: string): Promise<StoredResource>;
  /**
   * Deletes the resource if its version is still `current.version`; `now` stamps what else
   * the deletion changes (the groups a deleted user leaves; the time of the call when absent).
   */
  delete(current: StoredResource, now?: string): Promise<void>;
  findByUniqueValue(value: string): Promise<StoredResource | undefined>;
  findByExternalId(externalId: string): Promise<StoredResource[]>;
  /** The resources named by `ids` that exist (batch reads), in no particular order. */
  getMany(ids: readonly string[]): Promise<StoredResource[]>;
  /** One page in the listing order; totalResults from the counter (one read). */
  list(page: PageRequest): Promise<Page>;
  /** How many resources of this kind exist (one read of the counter). */
  count(): Promise<number>;
  /** Up to `count` resources in the listing order after the position `after` (DynamoDB paging). */
  listAfter(after: string | undefined, count: number): Promise<CursorPage>;
  /** A resource's position in the listing order, as listAfter and cursors use it. */
  positionOf(resource: StoredResource): string;
  /** Every resource that satisfies `matches`, paged in the listing order (reads them all). */
  listMatching(matches: (document: StoredResource) => boolean, page: PageRequest): Promise<Page>;
}

/** A user and, read with it, groups its item names (see UserStore.findWithGroups). */
export interface UserWithGroups {
  readonly user: StoredResource;
  /** Those of `askedFor` that exist. */
  readonly groups: StoredResource[];
  /** The group ids that were read; the user may name others (when the index lagged). */
  readonly askedFor: ReadonlySet<string>;
}

/** Users: deleting one also takes it out of its groups, in the same transaction. */
export interface UserStore extends ResourceStore {
  /** The user with this userName and (when `withGroups`) its groups: two calls, usually. */
  findWithGroups(userName: string, withGroups?: boolean): Promise<UserWithGroups | undefined>;
}

/** Member changes to apply: every id in `add` is not yet a member, every id in `remove` is. */
export interface MemberChange {
  readonly add: readonly string[];
  readonly remove: readonly string[];
}

/** What one batch read tells about users about to be added to or removed from a group. */
export interface MemberCheck {
  /** Which of the ids name existing users. */
  readonly existingUsers: Set<string>;
  /** Which of the ids are members of the group now. */
  readonly currentMembers: Set<string>;
  /** Which of the ids are users already in as many groups as one user may be. */
  readonly full: Set<string>;
}

/**
 * Groups, with members kept as one item each in the group's partition and, on each user's
 * item, the set of its groups (`memberOf`), both written in one transaction.
 */
export interface GroupStore extends ResourceStore {
  createWithMembers(id: string, write: ResourceWrite, members: readonly string[], now: string): Promise<StoredResource>;
  /**
   * A new document (or none) and member changes; atomic when it all fits one transaction.
   * With a document, or `pinned`, the write requires the group still at `current.version`
   * and the returned version is exact. Member changes alone, unpinned, do not conflict with
   * other member changes (each member item carries its own condition), so racing PATCHes all
   * succeed; the returned version is then only a lower bound.
   */
  update(current: StoredResource, write: ResourceWrite | undefined, change: MemberChange, now: string, pinned: boolean): Promise<StoredResource>;
  /** Deletes the group, then its member items; returns how many members it had. */
  deleteWithMembers(current: StoredResource): Promise<number>;
  /** The group and its members; `members` is undefined when there are more than `maxMembers`. */
  getWithMembers(groupId: string, maxMembers: number): Promise<{ group: StoredResource; members?: string[] } | undefined>;
  members(groupId: string): Promise<string[]>;
  /** One batch read of the users: which ids are users, which of them are members of the group. */
  check(groupId: string, userIds: readonly string[]): Promise<MemberCheck>;
  /** The group (consistent) and `check` of these users, in the same batch read. */
  getWithUsers(groupId: string, userIds: readonly string[]): Promise<{ group?: StoredResource; check: MemberCheck }>;
  /** Deletes member items left behind by a group DELETE that was cut short; returns how many. */
  deleteLeftoverMembers(groupId: string): Promise<number>;
}

/** Why the store refused a write. Services turn these into SCIM errors. */
export class StoreConflict extends Error {
  constructor(readonly reason: 'uniqueness' | 'version' | 'missing', message: string) {
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
