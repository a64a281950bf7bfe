import type { JsonObject, ResourceTypeDef } from '../scim/schema/types';
import type { Actor, UniqueClaim } from '../store/types';

/** What a service call returns to the route: a resource (or list) and its ETag. */
export interface ServiceResult {
  /** Absent when the operation answers without a body (204). */
  readonly body?: JsonObject;
  readonly etag?: string;
}

/** Who sent a request and from where: what the audit entry of each change it applies records. */
export interface RequestFacts {
  /** The token the request was authenticated with. */
  readonly actor: Actor;
  readonly requestId: string;
  /** The client's User-Agent header, cut to MAX_USER_AGENT characters. */
  readonly userAgent?: string;
  /** The address the request came from (API Gateway's sourceIp; locally, the socket's peer). */
  readonly sourceAddress?: string;
  /**
   * The directory the request was authenticated for and is served in (its token's): the
   * store it writes to must be that directory's, and refuses to audit a change of another.
   */
  readonly directory: string;
}

/** User agents longer than this are recorded cut (a header may be kilobytes). */
export const MAX_USER_AGENT = 256;

/** Per-request facts a service needs, passed as values with each call. */
export interface CallContext {
  readonly baseUrl: string;
  readonly ifMatch?: string;
  readonly query?: Readonly<Record<string, string>>;
  /** Who made the request: every change it applies is audited with it, so it is never optional. */
  readonly request: RequestFacts;
  /** For an operation of a Bulk request: its position in the request (from 0) and its bulkId. */
  readonly bulk?: { readonly index: number; readonly bulkId?: string };
}

/** Dependencies a service can be given in tests. */
export interface ServiceOptions {
  readonly now?: () => string;
  readonly newId?: () => string;
  /**
   * How long a write keeps retrying while other requests change the same resource, before it
   * answers 503 with Retry-After. @default 10000
   */
  readonly writeDeadlineMs?: number;
  /**
   * The directory served, when it is not the deployment's own: every cursor names it, and a
   * cursor of another directory is refused with 400 invalidCursor. @default none
   */
  readonly directory?: string;
  /** A compatibility profile's rule on the validated document of a create, replace or patch; throws a ScimError. */
  readonly checkDocument?: (rt: ResourceTypeDef, document: JsonObject) => void;
  /**
   * The values of a validated document that a compatibility profile keeps unique besides
   * userName / displayName, each with a guard written in the resource's own transaction.
   * @default none
   */
  readonly uniqueClaims?: (rt: ResourceTypeDef, document: JsonObject) => UniqueClaim[];
  /**
   * Groups: a member filter (`members.value eq "u"`, `id eq "g" and members eq "u"`) naming a
   * user that does not exist answers 404, as IIC does, instead of no results. @default false
   */
  readonly memberFilterNeedsUser?: boolean;
}

/**
 * The RFC 7644 §3 operations of one resource endpoint, as the routes and Bulk call them.
 * UserService and GroupService implement it; what they share is composed from Collection.
 */
export interface ResourceService {
  readonly rt: ResourceTypeDef;
  /** POST (RFC 7644 §3.3). */
  create(body: unknown, ctx: CallContext): Promise<ServiceResult>;
  /** GET by id (RFC 7644 §3.4.1), with `attributes` / `excludedAttributes`. */
  get(id: string, ctx: CallContext): Promise<ServiceResult>;
  /** PUT (RFC 7644 §3.5.1). */
  replace(id: string, body: unknown, ctx: CallContext): Promise<ServiceResult>;
  /** PATCH (RFC 7644 §3.5.2): every operation applies, or none does. */
  patch(id: string, body: unknown, ctx: CallContext): Promise<ServiceResult>;
  /** DELETE (RFC 7644 §3.6). */
  delete(id: string, ctx: CallContext): Promise<void>;
  /** GET on the collection (RFC 7644 §3.4.2) and POST .search (§3.4.3). */
  list(ctx: CallContext): Promise<ServiceResult>;
}
