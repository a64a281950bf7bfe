import { randomUUID } from 'node:crypto';
import { notFound, payloadTooLarge, preconditionFailed, ScimError, throttled, unavailable, uniqueness } from '../scim/errors';
import { evaluate } from '../scim/filter/evaluate';
import { parseFilter } from '../scim/filter/parser';
import { planFilter } from '../scim/filter/plan';
import { listResponse, parsePaging, queryParam, type Paging } from '../scim/list';
import { applyPatch, normalizePatchRequest } from '../scim/patch';
import { parseProjection, project } from '../scim/projection';
import { etagOf, toScimResource } from '../scim/resource';
import type { JsonObject, ResourceTypeDef } from '../scim/schema/types';
import { validateResource } from '../scim/validate';
import { StoreConflict, StoreUnavailable, type ResourceStore, type StoredResource } from '../store/types';
import { checkIfMatch } from './preconditions';

/** What a service call returns to the route: a resource (or list) and its ETag. */
export interface ServiceResult {
  readonly body: JsonObject;
  readonly etag?: string;
}

/** Per-request facts a service needs. */
export interface CallContext {
  readonly baseUrl: string;
  readonly ifMatch?: string;
  readonly query?: Readonly<Record<string, string>>;
}

/** A stored document may not come near DynamoDB's 400 KB item limit. */
const MAX_DOCUMENT_CHARS = 300_000;
/** Read-modify-write retries when another writer got in between (no If-Match given). */
const MAX_WRITE_ATTEMPTS = 4;

/** Dependencies a service can be given in tests. */
export interface ServiceOptions {
  readonly now?: () => string;
  readonly newId?: () => string;
}

/**
 * The RFC 7644 §3 operations on one resource type, over a ResourceStore. Each single-resource
 * operation costs at most two store round trips: one read, one conditional write.
 */
export class ResourceService {
  private readonly now: () => string;
  private readonly newId: () => string;

  constructor(
    readonly rt: ResourceTypeDef,
    private readonly store: ResourceStore,
    /** The attribute kept unique case-insensitively (userName, displayName). */
    private readonly uniqueAttribute: string,
    options: ServiceOptions = {},
  ) {
    this.now = options.now ?? (() => new Date().toISOString());
    this.newId = options.newId ?? randomUUID;
  }

  /** POST (RFC 7644 §3.3). */
  async create(body: unknown, ctx: CallContext): Promise<ServiceResult> {
    const document = this.checked(validateResource(this.rt, body));
    const stored = await this.guard(() =>
      this.store.create(this.newId(), { document, uniqueValue: this.uniqueValueOf(document) }, this.now()),
    );
    return this.result(stored, ctx);
  }

  /** GET by id (RFC 7644 §3.4.1). */
  async get(id: string, ctx: CallContext): Promise<ServiceResult> {
    return this.result(await this.require(id), ctx);
  }

  /** PUT (RFC 7644 §3.5.1): the whole resource is replaced; readOnly attributes are kept. */
  async replace(id: string, body: unknown, ctx: CallContext): Promise<ServiceResult> {
    return this.readModifyWrite(id, ctx, (current) => validateResource(this.rt, body, { existing: current.document as JsonObject }));
  }

  /** PATCH (RFC 7644 §3.5.2): every operation applies, or none does. */
  async patch(id: string, body: unknown, ctx: CallContext): Promise<ServiceResult> {
    const operations = normalizePatchRequest(body);
    return this.readModifyWrite(id, ctx, (current) => {
      const { resource } = applyPatch(this.rt, toScimResource(this.rt, current, ctx.baseUrl), operations);
      return validateResource(this.rt, resource, { existing: current.document as JsonObject });
    });
  }

  /** DELETE (RFC 7644 §3.6). */
  async delete(id: string, ctx: CallContext): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.require(id);
      checkIfMatch(ctx.ifMatch, current.version);
      try {
        await this.guard(() => this.store.delete(current));
        return;
      } catch (error) {
        if (!this.shouldRetry(error, ctx, attempt)) throw this.versionError(error, ctx);
      }
    }
  }

  /** GET on the collection (RFC 7644 §3.4.2): filter, paging and projection. */
  async list(ctx: CallContext): Promise<ServiceResult> {
    const query = ctx.query ?? {};
    const paging = parsePaging(query);
    const projection = parseProjection(this.rt, queryParam(query, 'attributes'), queryParam(query, 'excludedAttributes'));
    const filterText = queryParam(query, 'filter');
    const page = await this.guard(() =>
      filterText === undefined || filterText.trim() === '' ? this.store.list(paging) : this.filtered(filterText, paging, ctx),
    );
    const resources = page.resources.map((r) => project(this.rt, toScimResource(this.rt, r, ctx.baseUrl), projection));
    return { body: listResponse(paging.count === 0 ? [] : resources, page.totalResults, paging.startIndex) };
  }

  /** Projects a single-resource result as its request asked (attributes / excludedAttributes). */
  projectResult(result: ServiceResult, query: Readonly<Record<string, string>>): JsonObject {
    const projection = parseProjection(this.rt, queryParam(query, 'attributes'), queryParam(query, 'excludedAttributes'));
    return project(this.rt, result.body, projection);
  }

  private async filtered(text: string, paging: Paging, ctx: CallContext) {
    const filter = parseFilter(this.rt, text);
    const plan = planFilter(filter, this.rt);
    const matches = (r: StoredResource) => evaluate(filter, toScimResource(this.rt, r, ctx.baseUrl), this.rt);
    let candidates: StoredResource[];
    switch (plan.kind) {
      case 'id': {
        const found = await this.store.get(plan.id);
        candidates = found ? [found] : [];
        break;
      }
      case 'unique': {
        const found = await this.store.findByUniqueValue(plan.value);
        candidates = found ? [found] : [];
        break;
      }
      case 'externalId':
        candidates = await this.store.findByExternalId(plan.value);
        break;
      default:
        return this.store.listMatching(matches, paging);
    }
    const all = candidates.filter(matches);
    return {
      totalResults: all.length,
      resources: all.slice(paging.startIndex - 1, paging.startIndex - 1 + paging.count),
    };
  }

  private async readModifyWrite(
    id: string,
    ctx: CallContext,
    change: (current: StoredResource) => JsonObject,
  ): Promise<ServiceResult> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.require(id);
      checkIfMatch(ctx.ifMatch, current.version);
      const document = this.checked(change(current));
      try {
        const stored = await this.guard(() =>
          this.store.replace(current, { document, uniqueValue: this.uniqueValueOf(document) }, this.now()),
        );
        return this.result(stored, ctx);
      } catch (error) {
        if (!this.shouldRetry(error, ctx, attempt)) throw this.versionError(error, ctx);
      }
    }
  }

  private shouldRetry(error: unknown, ctx: CallContext, attempt: number): boolean {
    const lostRace = error instanceof StoreConflict && error.reason === 'version';
    return lostRace && !ctx.ifMatch && attempt < MAX_WRITE_ATTEMPTS;
  }

  private versionError(error: unknown, ctx: CallContext): unknown {
    if (error instanceof StoreConflict && error.reason === 'version') {
      return ctx.ifMatch
        ? preconditionFailed('The resource was changed by another request; read it again.')
        : new ScimError(409, undefined, 'The resource is being changed by other requests; retry.');
    }
    return error;
  }

  private async require(id: string): Promise<StoredResource> {
    const found = await this.guard(() => this.store.get(id));
    if (!found) throw notFound(`${this.rt.name} "${truncate(id)}" not found.`);
    return found;
  }

  private result(stored: StoredResource, ctx: CallContext): ServiceResult {
    return { body: toScimResource(this.rt, stored, ctx.baseUrl), etag: etagOf(stored.version) };
  }

  private uniqueValueOf(document: JsonObject): string {
    return String(document[this.uniqueAttribute]);
  }

  private checked(document: JsonObject): JsonObject {
    if (JSON.stringify(document).length > MAX_DOCUMENT_CHARS) {
      throw payloadTooLarge(`A ${this.rt.name} may hold at most ${MAX_DOCUMENT_CHARS} characters of attributes.`);
    }
    return document;
  }

  /** Runs a store call and turns store refusals into SCIM errors. */
  private async guard<T>(call: () => Promise<T>): Promise<T> {
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

const truncate = (text: string) => (text.length > 80 ? `${text.slice(0, 77)}...` : text);
