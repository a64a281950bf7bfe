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
  /** Deletes the resource if its version is still `current.version`. */
  delete(current: StoredResource): Promise<void>;
  findByUniqueValue(value: string): Promise<StoredResource | undefined>;
  findByExternalId(externalId: string): Promise<StoredResource[]>;
  /** One page in the listing order; totalResults from the counter (one read). */
  list(page: PageRequest): Promise<Page>;
  /** Every resource that satisfies `matches`, paged in the listing order (reads them all). */
  listMatching(matches: (document: StoredResource) => boolean, page: PageRequest): Promise<Page>;
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
