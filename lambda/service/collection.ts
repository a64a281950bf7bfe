import { randomUUID } from 'node:crypto';
import { notFound, payloadTooLarge, preconditionFailed, throttled, tooMany, unavailable, uniqueness } from '../scim/errors';
import type { Filter } from '../scim/filter/ast';
import { evaluate } from '../scim/filter/evaluate';
import { parseFilter } from '../scim/filter/parser';
import { planFilter, type AccessPlan } from '../scim/filter/plan';
import { encodeCursor, type CursorPosition } from '../scim/cursor';
import { cursorListResponse, listResponse, parsePagingRequest, queryParam } from '../scim/list';
import { parseSort, sortComparator, type Sort } from '../scim/sort';
import { parseProjection, type Projection } from '../scim/projection';
import { etagOf, toScimResource } from '../scim/resource';
import type { JsonObject, ResourceTypeDef } from '../scim/schema/types';
import { documentChanges } from '../scim/audit-changes';
import {
  StoreConflict,
  StoreUnavailable,
  type AuditFacts,
  type AuditOperation,
  type Page,
  type ResourceReads,
  type ResourceWrite,
  type StoredResource,
} from '../store/types';
import { MAX_RESOURCE_BYTES, resourceBytes } from '../store/resource-table';
import { EVERYTHING, pageOf } from './paging';
import type { CallContext, ServiceOptions, ServiceResult } from './resource-service';


/** Resources a lookup found, and what it read along with them for rendering (request-scoped). */
export interface Candidates<K> {
  readonly resources: StoredResource[];
  readonly known?: K;
}

/**
 * What a resource kind adds to the shared operations: how its resources are rendered (with
 * attributes kept outside the document), and the access paths and filter attributes of its own.
 * `K` is what one read learns that its rendering can use (a user's groups, a group's members).
 */
export interface KindHooks<K> {
  /** The client's view of stored resources, projected; `known` is what the request read already. */
  render(resources: readonly StoredResource[], ctx: CallContext, projection: Projection, known?: K): Promise<JsonObject[]>;
  /** The candidates of an access plan this kind answers itself (member lookups), else undefined. */
  lookup?(plan: AccessPlan, ctx: CallContext, projection: Projection): Promise<Candidates<K> | undefined>;
  /** Whether the filter tests attributes kept outside the document. */
  needsExpansion?(filter: Filter): boolean;
  /** Resources in the form `evaluate` reads, with those attributes. */
  forEvaluation?(resources: StoredResource[], filter: Filter, ctx: CallContext): Promise<JsonObject[]>;
}

/**
 * The RFC 7644 §3 machinery every resource endpoint shares, composed into UserService and
 * GroupService: listing (filter, sort, index or cursor paging, projection), reads, the
 * retry of a read-then-conditional-write, and the mapping of store refusals to SCIM errors.
 */
export class Collection<K> {
  readonly now: () => string;
  readonly newId: () => string;
  private readonly writeDeadlineMs: number;
  /** The directory cursors are bound to (ServiceOptions.directory). */
  private readonly cursorScope?: string;
  private readonly checkDocument: ServiceOptions['checkDocument'];
  private readonly uniqueClaims: ServiceOptions['uniqueClaims'];

  constructor(
    readonly rt: ResourceTypeDef,
    private readonly store: ResourceReads,
    /** The attribute kept unique case-insensitively (userName, displayName). */
    readonly uniqueAttribute: string,
    private readonly hooks: KindHooks<K>,
    options: ServiceOptions = {},
  ) {
    this.now = options.now ?? (() => new Date().toISOString());
    this.newId = options.newId ?? randomUUID;
    this.writeDeadlineMs = options.writeDeadlineMs ?? 10_000;
    this.cursorScope = options.directory;
    this.checkDocument = options.checkDocument;
    this.uniqueClaims = options.uniqueClaims;
  }

  /**
   * GET on the collection (RFC 7644 §3.4.2) and POST .search (§3.4.3): filter, sort,
   * index or cursor paging (RFC 9865), projection. An unfiltered list in the listing order
   * is one page of the listing index; anything else reads the matching set and pages it
   * in the function (docs/protocol.md states the cost).
   */
  async list(ctx: CallContext): Promise<ServiceResult> {
    const query = ctx.query ?? {};
    const paging = parsePagingRequest(query, this.cursorScope);
    const sort = parseSort(this.rt, query);
    const projection = this.projectionOf(ctx);
    const filterText = queryParam(query, 'filter')?.trim() || undefined;
    const inListingOrder = !sort || this.isListingOrder(sort);
    const page = await this.guard(async (): Promise<Page & { next?: CursorPosition; known?: K }> => {
      if (!filterText && inListingOrder && paging.kind === 'index') return this.store.list(paging);
      if (!filterText && inListingOrder && paging.kind === 'cursor' && !(paging.cursor && 'offset' in paging.cursor)) {
        const after = paging.cursor && 'after' in paging.cursor ? paging.cursor.after : undefined;
        const [totalResults, found] = await Promise.all([this.store.count(), this.store.listAfter(after, paging.count)]);
        return { resources: found.resources, totalResults, next: found.next ? { after: found.next } : undefined };
      }
      const found = filterText ? await this.filtered(filterText, ctx, projection) : { resources: (await this.store.listMatching(() => true, EVERYTHING)).resources };
      const ordered = this.ordered(found.resources, sort, inListingOrder, ctx);
      return { ...pageOf(ordered, paging, inListingOrder ? (r) => this.store.positionOf(r) : undefined), known: found.known };
    });
    const resources = paging.count === 0 ? [] : await this.guard(() => this.hooks.render(page.resources, ctx, projection, page.known));
    if (paging.kind === 'index') return { body: listResponse(resources, page.totalResults, paging.startIndex) };
    return { body: cursorListResponse(resources, page.totalResults, page.next && encodeCursor(page.next, this.cursorScope)) };
  }

  /** The resource or a 404. */
  async require(id: string): Promise<StoredResource> {
    const found = await this.guard(() => this.store.get(id));
    if (!found) throw this.missing(id);
    return found;
  }

  /** The 404 for a resource that does not exist. */
  missing(id: string) {
    return notFound(`${this.rt.name} "${truncate(id)}" not found.`);
  }

  /** The resource rendered as the request asks, with its ETag. */
  async result(stored: StoredResource, ctx: CallContext, known?: K): Promise<ServiceResult> {
    const [body] = await this.guard(() => this.hooks.render([stored], ctx, this.projectionOf(ctx), known));
    return { body, etag: etagOf(stored.version) };
  }

  projectionOf(ctx: CallContext): Projection {
    const query = ctx.query ?? {};
    return parseProjection(this.rt, queryParam(query, 'attributes'), queryParam(query, 'excludedAttributes'));
  }

  /**
   * What the store writes for a validated document; refused (413) when it is larger than a
   * stored resource may be, in UTF-8 bytes (with room for what its item grows by later), and
   * first by the profile's rule on the document, if any (ServiceOptions.checkDocument). The
   * profile's unique claims (ServiceOptions.uniqueClaims) go with it.
   */
  write(document: JsonObject): ResourceWrite {
    this.checkDocument?.(this.rt, document);
    const alsoUnique = this.uniqueClaims?.(this.rt, document) ?? [];
    const write = { document, uniqueValue: String(document[this.uniqueAttribute]), ...(alsoUnique.length > 0 ? { alsoUnique } : {}) };
    const bytes = resourceBytes(write);
    if (bytes > MAX_RESOURCE_BYTES) {
      throw payloadTooLarge(`A ${this.rt.name} may hold at most ${MAX_RESOURCE_BYTES} bytes of attributes (UTF-8 JSON); this one has ${bytes}.`);
    }
    return write;
  }

  /**
   * The audit facts of a change the request makes at `at`: who, from where, and which
   * attribute paths of the document it changes (`before` absent for a create, `after` for a
   * delete). The store adds the resource and the member ids, and writes the entry with the change.
   */
  audit(ctx: CallContext, operation: AuditOperation, at: string, before: JsonObject | undefined, after: JsonObject | undefined): AuditFacts {
    const { actor, requestId, userAgent, sourceAddress, directory } = ctx.request;
    return {
      at,
      operation,
      actor: { tokenId: actor.tokenId, name: actor.name },
      requestId,
      directory,
      ...(userAgent !== undefined ? { userAgent } : {}),
      ...(sourceAddress !== undefined ? { sourceAddress } : {}),
      ...(ctx.bulk ? { bulk: ctx.bulk } : {}),
      changes: documentChanges(this.rt, before, after),
    };
  }

  /**
   * Runs a read-then-conditional-write step. When another writer changed the resource in
   * between, the step runs again from a fresh read, with a growing, jittered pause, until
   * the write deadline (well inside API Gateway's 29 s): concurrent writes without If-Match
   * are all applied. With If-Match the client asked for that exact version, so the answer is
   * 412 instead. Only when the deadline passes is the answer 503 with Retry-After, never a
   * 409 that a client would read as "already exists".
   */
  async retrying<T>(ctx: CallContext, step: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.writeDeadlineMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await step();
      } catch (error) {
        // A member that vanished or a resource that changed is met by reading again: the
        // fresh read refuses what no longer holds (404, 400) or writes on top of it.
        const lostRace = error instanceof StoreConflict && (error.reason === 'version' || error.reason === 'missing' || error.reason === 'memberGone');
        if (!lostRace) throw error;
        if (ctx.ifMatch && error.reason === 'version') throw preconditionFailed('The resource was changed by another request; read it again.');
        if (Date.now() >= deadline) throw unavailable('The resource is being changed by many requests at once; retry shortly.', 1);
        // Full jitter: contenders on one item spread out instead of colliding again in step.
        await sleep(Math.random() * Math.min(500, 10 * 2 ** attempt));
      }
    }
  }

  /** Runs a store call and turns store refusals into SCIM errors. */
  async guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof StoreConflict && error.reason === 'uniqueness') {
        const attribute = error.attribute === 'email' ? 'e-mail address' : (error.attribute ?? this.uniqueAttribute);
        throw uniqueness(`The ${attribute} is already taken by another ${this.rt.name}.`);
      }
      if (error instanceof StoreConflict && error.reason === 'tooLarge') {
        throw payloadTooLarge(`The ${this.rt.name} is as large as a stored resource may be; make it smaller first.`);
      }
      if (error instanceof StoreConflict && error.reason === 'groupLimit') {
        // Joined other groups between the read and the write: the same refusal as on the read.
        throw tooMany(`User "${String(error.userId).slice(0, 64)}" is in as many groups as one user may be; remove it from another group first.`);
      }
      if (error instanceof StoreUnavailable) {
        throw error.reason === 'throttled'
          ? throttled('Too many requests; retry after a short wait.', 1)
          : unavailable('The directory store is unavailable; retry shortly.', 2);
      }
      throw error;
    }
  }

  /** Sorting by the unique attribute, ascending, is the listing index's own order. */
  private isListingOrder(sort: Sort): boolean {
    const { attribute, sub, extension } = sort.path;
    return !sort.descending && !sub && !extension && attribute.name === this.uniqueAttribute;
  }

  /** The resources in the order asked for: sortBy's, or the listing order. */
  private ordered(all: StoredResource[], sort: Sort | undefined, inListingOrder: boolean, ctx: CallContext): StoredResource[] {
    if (inListingOrder) {
      const position = new Map(all.map((r) => [r, this.store.positionOf(r)]));
      return [...all].sort((a, b) => (position.get(a)! < position.get(b)! ? -1 : position.get(a)! > position.get(b)! ? 1 : 0));
    }
    const views = new Map(all.map((r) => [r, toScimResource(this.rt, r, ctx.baseUrl)]));
    const compare = sortComparator(sort!);
    return [...all].sort((a, b) => compare(views.get(a)!, views.get(b)!));
  }

  /** The resources that match a filter: through an access plan's lookup, or by reading them all. */
  private async filtered(text: string, ctx: CallContext, projection: Projection): Promise<Candidates<K>> {
    const filter = parseFilter(this.rt, text);
    const plan = planFilter(filter, this.rt);
    const candidates = (await this.hooks.lookup?.(plan, ctx, projection)) ?? (await this.lookup(plan));
    // A lookup with no residual answers the filter exactly: nothing is left to evaluate.
    if (candidates && plan.kind !== 'scan' && !plan.residual) return candidates;
    const expand = this.hooks.needsExpansion?.(filter) ?? false;
    if (!candidates && !expand) {
      const page = await this.store.listMatching((r) => evaluate(filter, toScimResource(this.rt, r, ctx.baseUrl), this.rt), EVERYTHING);
      return { resources: page.resources };
    }
    const all = candidates?.resources ?? (await this.store.listMatching(() => true, EVERYTHING)).resources;
    // Attributes kept outside the document are read only when the filter tests them.
    const views = expand ? await this.hooks.forEvaluation!(all, filter, ctx) : all.map((r) => toScimResource(this.rt, r, ctx.baseUrl));
    return { resources: all.filter((_, i) => evaluate(filter, views[i], this.rt)), known: candidates?.known };
  }

  /** The access paths every kind has: by id, by the unique value, by externalId. */
  private async lookup(plan: AccessPlan): Promise<Candidates<K> | undefined> {
    switch (plan.kind) {
      case 'id': {
        const found = await this.store.get(plan.id);
        return { resources: found ? [found] : [] };
      }
      case 'unique': {
        const found = await this.store.findByUniqueValue(plan.value);
        return { resources: found ? [found] : [] };
      }
      case 'externalId':
        return { resources: await this.store.findByExternalId(plan.value) };
      default:
        return undefined;
    }
  }
}

export const truncate = (text: string) => (text.length > 80 ? `${text.slice(0, 77)}...` : text);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
