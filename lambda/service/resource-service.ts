import { randomUUID } from 'node:crypto';
import { notFound, payloadTooLarge, preconditionFailed, ScimError, throttled, unavailable, uniqueness } from '../scim/errors';
import type { Filter } from '../scim/filter/ast';
import { evaluate } from '../scim/filter/evaluate';
import { parseFilter } from '../scim/filter/parser';
import { planFilter, type AccessPlan } from '../scim/filter/plan';
import { encodeCursor, type CursorPosition } from '../scim/cursor';
import { cursorListResponse, listResponse, parsePagingRequest, queryParam, type Paging } from '../scim/list';
import { parseSort, sortComparator, type Sort } from '../scim/sort';
import { EVERYTHING, pageOf } from './paging';
import { applyPatch, normalizePatchRequest } from '../scim/patch';
import { parseProjection, project, type Projection } from '../scim/projection';
import { etagOf, toScimResource } from '../scim/resource';
import type { JsonObject, ResourceTypeDef } from '../scim/schema/types';
import { validateResource } from '../scim/validate';
import { jsonEqual } from '../scim/values';
import { StoreConflict, StoreUnavailable, type Page, type ResourceStore, type StoredResource } from '../store/types';
import { checkIfMatch } from './preconditions';

/** What a service call returns to the route: a resource (or list) and its ETag. */
export interface ServiceResult {
  /** Absent when the operation answers without a body (204). */
  readonly body?: JsonObject;
  readonly etag?: string;
}

/** Per-request facts a service needs. */
export interface CallContext {
  readonly baseUrl: string;
  readonly ifMatch?: string;
  readonly query?: Readonly<Record<string, string>>;
  /** False when the answer carries no resource, so none is rendered. @default true */
  readonly render?: boolean;
}

/** A stored document may not come near DynamoDB's 400 KB item limit. */
const MAX_DOCUMENT_CHARS = 300_000;
/** Read-modify-write retries when another writer got in between (no If-Match given). */
export const MAX_WRITE_ATTEMPTS = 4;

/** Dependencies a service can be given in tests. */
export interface ServiceOptions {
  readonly now?: () => string;
  readonly newId?: () => string;
}

/**
 * The RFC 7644 §3 operations on one resource type, over a ResourceStore. Each single-resource
 * operation costs at most two store round trips: one read, one conditional write. Subclasses
 * add what a resource type keeps outside its document (a user's groups, a group's members).
 */
export class ResourceService {
  protected readonly now: () => string;
  protected readonly newId: () => string;

  constructor(
    readonly rt: ResourceTypeDef,
    protected readonly store: ResourceStore,
    /** The attribute kept unique case-insensitively (userName, displayName). */
    protected readonly uniqueAttribute: string,
    options: ServiceOptions = {},
  ) {
    this.now = options.now ?? (() => new Date().toISOString());
    this.newId = options.newId ?? randomUUID;
  }

  /** POST (RFC 7644 §3.3). */
  async create(body: unknown, ctx: CallContext): Promise<ServiceResult> {
    const document = this.checked(validateResource(this.rt, body));
    const stored = await this.guard(() => this.store.create(this.newId(), this.write(document), this.now()));
    this.created(stored, ctx);
    return this.result(stored, ctx);
  }

  /** Told of a resource just created, before it is rendered (subclasses know it has no relations yet). */
  protected created(_stored: StoredResource, _ctx: CallContext): void {}

  /** GET by id (RFC 7644 §3.4.1), with `attributes` / `excludedAttributes`. */
  async get(id: string, ctx: CallContext): Promise<ServiceResult> {
    return this.result(await this.require(id, ctx), ctx);
  }

  /** PUT (RFC 7644 §3.5.1): the whole resource is replaced; readOnly attributes are kept. */
  async replace(id: string, body: unknown, ctx: CallContext): Promise<ServiceResult> {
    return this.readModifyWrite(id, ctx, async (current) => {
      const document = this.checked(validateResource(this.rt, body, { existing: current.document as JsonObject }));
      return this.replaceIfChanged(current, document);
    });
  }

  /** PATCH (RFC 7644 §3.5.2): every operation applies, or none does. */
  async patch(id: string, body: unknown, ctx: CallContext): Promise<ServiceResult> {
    const operations = normalizePatchRequest(body);
    return this.readModifyWrite(id, ctx, async (current) => {
      const { resource } = applyPatch(this.rt, toScimResource(this.rt, current, ctx.baseUrl), operations);
      const document = this.checked(validateResource(this.rt, resource, { existing: current.document as JsonObject }));
      return this.replaceIfChanged(current, document);
    });
  }

  /**
   * Writes the new document unless it equals the stored one: Okta re-sends the full user on
   * every sync, and an unchanged resource keeps its version and lastModified (no write).
   */
  private async replaceIfChanged(current: StoredResource, document: JsonObject): Promise<StoredResource> {
    if (jsonEqual(document, current.document as JsonObject)) return current;
    return this.guard(() => this.store.replace(current, this.write(document), this.now()));
  }

  /** DELETE (RFC 7644 §3.6). */
  async delete(id: string, ctx: CallContext): Promise<void> {
    const quiet = { ...ctx, render: false };
    await this.retrying(quiet, async () => {
      const current = await this.require(id, quiet);
      checkIfMatch(ctx.ifMatch, current.version);
      await this.remove(current, quiet);
    });
  }

  /**
   * GET on the collection (RFC 7644 §3.4.2) and POST .search (§3.4.3): filter, sort,
   * index or cursor paging (RFC 9865), projection. An unfiltered list in the listing order
   * is one page of the listing index; anything else reads the matching set and pages it
   * in the function (docs/protocol.md states the cost).
   */
  async list(ctx: CallContext): Promise<ServiceResult> {
    const query = ctx.query ?? {};
    const paging = parsePagingRequest(query);
    const sort = parseSort(this.rt, query);
    const projection = this.projectionOf(ctx);
    const filterText = queryParam(query, 'filter')?.trim() || undefined;
    const inListingOrder = !sort || this.isListingOrder(sort);
    const page = await this.guard(async (): Promise<Page & { next?: CursorPosition }> => {
      if (!filterText && inListingOrder && paging.kind === 'index') return this.store.list(paging);
      if (!filterText && inListingOrder && (paging.kind === 'cursor' && !(paging.cursor && 'offset' in paging.cursor))) {
        const after = paging.cursor && 'after' in paging.cursor ? paging.cursor.after : undefined;
        const [totalResults, found] = await Promise.all([this.store.count(), this.store.listAfter(after, paging.count)]);
        return { resources: found.resources, totalResults, next: found.next ? { after: found.next } : undefined };
      }
      const all = filterText
        ? (await this.filtered(filterText, EVERYTHING, ctx)).resources
        : (await this.store.listMatching(() => true, EVERYTHING)).resources;
      return pageOf(this.ordered(all, sort, inListingOrder, ctx), paging, inListingOrder ? (r) => this.store.positionOf(r) : undefined);
    });
    const resources = paging.count === 0 ? [] : await this.guard(() => this.render(page.resources, ctx, projection));
    if (paging.kind === 'index') return { body: listResponse(resources, page.totalResults, paging.startIndex) };
    return { body: cursorListResponse(resources, page.totalResults, page.next && encodeCursor(page.next)) };
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

  /** Deletes a resource read at its current version (subclasses clean up around it). */
  protected async remove(current: StoredResource, _ctx: CallContext): Promise<void> {
    await this.guard(() => this.store.delete(current, this.now()));
  }

  /**
   * The client's view of stored resources: schemas, id, attributes and meta, projected as
   * asked. Subclasses add attributes kept outside the document.
   */
  protected async render(resources: StoredResource[], ctx: CallContext, projection: Projection): Promise<JsonObject[]> {
    return resources.map((r) => project(this.rt, toScimResource(this.rt, r, ctx.baseUrl), projection));
  }

  /**
   * Resources a filter can only be evaluated on with attributes kept outside the document
   * (e.g. a group's members): subclasses return them in the form `evaluate` reads.
   */
  protected async forEvaluation(resources: StoredResource[], _filter: Filter, ctx: CallContext): Promise<JsonObject[]> {
    return resources.map((r) => toScimResource(this.rt, r, ctx.baseUrl));
  }

  /** Whether the filter needs `forEvaluation` (attributes outside the document). */
  protected needsExpansion(_filter: Filter): boolean {
    return false;
  }

  /** The candidates of an access plan a subclass answers itself (e.g. member lookups). */
  protected async lookup(plan: AccessPlan, _ctx: CallContext): Promise<StoredResource[] | undefined> {
    switch (plan.kind) {
      case 'id': {
        const found = await this.store.get(plan.id);
        return found ? [found] : [];
      }
      case 'unique': {
        const found = await this.store.findByUniqueValue(plan.value);
        return found ? [found] : [];
      }
      case 'externalId':
        return this.store.findByExternalId(plan.value);
      default:
        return undefined;
    }
  }

  private async filtered(text: string, paging: Paging, ctx: CallContext): Promise<Page> {
    const filter = parseFilter(this.rt, text);
    const plan = planFilter(filter, this.rt);
    const candidates = await this.lookup(plan, ctx);
    // A lookup with no residual answers the filter exactly: nothing is left to evaluate.
    if (candidates && plan.kind !== 'scan' && !plan.residual) {
      return { totalResults: candidates.length, resources: candidates.slice(paging.startIndex - 1, paging.startIndex - 1 + paging.count) };
    }
    if (!candidates && !this.needsExpansion(filter)) {
      return this.store.listMatching((r) => evaluate(filter, toScimResource(this.rt, r, ctx.baseUrl), this.rt), paging);
    }
    const all = candidates ?? (await this.store.listMatching(() => true, { startIndex: 1, count: Number.MAX_SAFE_INTEGER })).resources;
    // Attributes kept outside the document are read only when the filter tests them.
    const views = this.needsExpansion(filter)
      ? await this.forEvaluation(all, filter, ctx)
      : all.map((r) => toScimResource(this.rt, r, ctx.baseUrl));
    const matching = all.filter((_, i) => evaluate(filter, views[i], this.rt));
    return {
      totalResults: matching.length,
      resources: matching.slice(paging.startIndex - 1, paging.startIndex - 1 + paging.count),
    };
  }

  /** Reads the resource, checks If-Match, writes with `change`; retries a lost race. */
  protected async readModifyWrite(
    id: string,
    ctx: CallContext,
    change: (current: StoredResource) => Promise<StoredResource>,
  ): Promise<ServiceResult> {
    const stored = await this.retrying(ctx, async () => {
      const current = await this.require(id, ctx);
      checkIfMatch(ctx.ifMatch, current.version);
      return change(current);
    });
    return this.result(stored, ctx);
  }

  /**
   * Runs a read-then-conditional-write step. When another writer changed the resource in
   * between, the step is run again from a fresh read (a few times); with If-Match the
   * client asked for that exact version, so the answer is 412 instead.
   */
  protected async retrying<T>(ctx: CallContext, step: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await step();
      } catch (error) {
        const lostRace = error instanceof StoreConflict && error.reason === 'version';
        if (!lostRace) throw error;
        if (ctx.ifMatch) throw preconditionFailed('The resource was changed by another request; read it again.');
        if (attempt >= MAX_WRITE_ATTEMPTS) throw new ScimError(409, undefined, 'The resource is being changed by other requests; retry.');
      }
    }
  }

  /** Reads a resource or answers 404; subclasses may start related reads for `ctx` alongside. */
  protected async require(id: string, _ctx: CallContext): Promise<StoredResource> {
    const found = await this.guard(() => this.store.get(id));
    if (!found) throw this.missing(id);
    return found;
  }

  /** The 404 for a resource that does not exist. */
  protected missing(id: string): ScimError {
    return notFound(`${this.rt.name} "${truncate(id)}" not found.`);
  }

  protected projectionOf(ctx: CallContext): Projection {
    const query = ctx.query ?? {};
    return parseProjection(this.rt, queryParam(query, 'attributes'), queryParam(query, 'excludedAttributes'));
  }

  protected async result(stored: StoredResource, ctx: CallContext): Promise<ServiceResult> {
    if (ctx.render === false) return { etag: etagOf(stored.version) };
    const [body] = await this.guard(() => this.render([stored], ctx, this.projectionOf(ctx)));
    return { body, etag: etagOf(stored.version) };
  }

  protected write(document: JsonObject) {
    return { document, uniqueValue: String(document[this.uniqueAttribute]) };
  }

  protected checked(document: JsonObject): JsonObject {
    if (JSON.stringify(document).length > MAX_DOCUMENT_CHARS) {
      throw payloadTooLarge(`A ${this.rt.name} may hold at most ${MAX_DOCUMENT_CHARS} characters of attributes.`);
    }
    return document;
  }

  /** Runs a store call and turns store refusals into SCIM errors. */
  protected async guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof StoreConflict && error.reason === 'uniqueness') {
        throw uniqueness(`The ${this.uniqueAttribute} is already taken by another ${this.rt.name}.`);
      }
      if (error instanceof StoreUnavailable) {
        throw error.reason === 'throttled'
          ? throttled('Too many requests; retry after a short wait.', 1)
          : unavailable('The directory store is unavailable; retry shortly.', 2);
      }
      throw error;
    }
  }
}

export const truncate = (text: string) => (text.length > 80 ? `${text.slice(0, 77)}...` : text);
