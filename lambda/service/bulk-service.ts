import { parseBulkRequest, type BulkOperation } from '../scim/bulk/request';
import { referencedBulkIds, resolveData, resolvePath } from '../scim/bulk/references';
import { invalidValue, ScimError } from '../scim/errors';
import type { JsonObject } from '../scim/schema/types';
import type { CallContext, ResourceService } from './resource-service';

/** What became of one bulk operation (RFC 7644 §3.7.3); the route renders it. */
export interface BulkOutcome {
  readonly method: string;
  readonly bulkId?: string;
  readonly location?: string;
  readonly version?: string;
  readonly status: number;
  readonly error?: ScimError;
}

/**
 * Bulk (RFC 7644 §3.7): runs each operation through the same service a single request
 * uses, so every rule (validation, uniqueness, If-Match via `version`, member checks)
 * holds the same. Operations run in order, except that one referring to a bulkId not yet
 * created waits until it is (§3.7.2); references that can never be resolved, circular
 * ones included, fail with 409. Operations are not atomic together: each commits on its
 * own, and processing stops once failOnErrors operations have failed (§3.7.3).
 */
export class BulkService {
  constructor(private readonly services: readonly ResourceService[]) {}

  /**
   * Runs a BulkRequest body; returns the outcomes of the operations processed, in request order.
   * Each operation applied is audited on its own, naming its position and bulkId.
   */
  async run(body: unknown, ctx: Pick<CallContext, 'baseUrl' | 'request'>): Promise<BulkOutcome[]> {
    const { operations, failOnErrors } = parseBulkRequest(body);
    const creators = new Map<string, number>();
    const duplicates = new Set<string>();
    for (const op of operations) {
      if (op.method !== 'POST' || op.bulkId === undefined) continue;
      if (creators.has(op.bulkId)) duplicates.add(op.bulkId);
      creators.set(op.bulkId, op.index);
    }
    const ids = new Map<string, string>();
    const outcomes: (BulkOutcome | undefined)[] = [];
    let errors = 0;
    const record = (op: BulkOperation, outcome: BulkOutcome): boolean => {
      outcomes[op.index] = outcome;
      if (!outcome.error) return false;
      errors++;
      return failOnErrors !== undefined && errors >= failOnErrors;
    };

    let pending = operations;
    let stopped = false;
    while (pending.length > 0 && !stopped) {
      const waiting: BulkOperation[] = [];
      for (const op of pending) {
        const refs = referencedBulkIds(op.path, op.data);
        const unresolved = [...refs].filter((r) => !ids.has(r));
        // Wait for a creator that has not run yet (and is not this operation itself).
        if (unresolved.some((r) => creators.has(r) && creators.get(r) !== op.index && outcomes[creators.get(r)!] === undefined)) {
          waiting.push(op);
          continue;
        }
        const outcome =
          op.bulkId !== undefined && duplicates.has(op.bulkId)
            ? failure(op, invalidValue(`bulkId "${op.bulkId.slice(0, 64)}" is used by more than one operation.`))
            : unresolved.length > 0
              ? failure(op, unresolvable(unresolved))
              : await this.execute(op, ids, ctx);
        if (outcome.status === 201 && op.bulkId !== undefined && outcome.location) {
          ids.set(op.bulkId, decodeURIComponent(outcome.location.slice(outcome.location.lastIndexOf('/') + 1)));
        }
        if (record(op, outcome)) {
          stopped = true;
          break;
        }
      }
      if (!stopped && waiting.length === pending.length) {
        // Nothing could run: the waiting operations refer to each other in a circle.
        for (const op of waiting) {
          if (record(op, failure(op, unresolvable([...referencedBulkIds(op.path, op.data)].filter((r) => !ids.has(r)))))) break;
        }
        break;
      }
      pending = waiting;
    }
    return outcomes.filter((o): o is BulkOutcome => o !== undefined);
  }

  private async execute(op: BulkOperation, ids: ReadonlyMap<string, string>, request: Pick<CallContext, 'baseUrl' | 'request'>): Promise<BulkOutcome> {
    const baseUrl = request.baseUrl;
    try {
      const segments = resolvePath(op.path, ids).split('/').filter(Boolean);
      const service = this.services.find((s) => s.rt.endpoint.slice(1).toLowerCase() === segments[0]?.toLowerCase());
      if (!service) throw invalidValue(`"path" must start with ${this.services.map((s) => s.rt.endpoint).join(' or ')}.`);
      const ctx: CallContext = {
        baseUrl,
        ifMatch: op.version,
        request: request.request,
        // A client's bulkId may be long: the audit keeps its first 256 characters.
        bulk: { index: op.index, ...(op.bulkId !== undefined ? { bulkId: op.bulkId.slice(0, 256) } : {}) },
      };
      const data = resolveData(op.data, ids);
      const [, id] = segments;
      if (op.method === 'POST') {
        if (segments.length !== 1) throw invalidValue('A POST operation\'s "path" is a resource endpoint such as /Users.');
        if (op.bulkId === undefined || op.bulkId === '') throw invalidValue('A POST operation needs a "bulkId" (RFC 7644 §3.7).');
        return this.outcome(op, 201, await service.create(data, ctx));
      }
      if (segments.length !== 2) throw invalidValue(`A ${op.method || 'bulk'} operation's "path" names one resource, e.g. ${service.rt.endpoint}/<id>.`);
      switch (op.method) {
        case 'PUT':
          return this.outcome(op, 200, await service.replace(id, data, ctx), locationOf(baseUrl, service, id));
        case 'PATCH': {
          const result = await service.patch(id, data, ctx);
          return this.outcome(op, result.body ? 200 : 204, result, locationOf(baseUrl, service, id));
        }
        case 'DELETE':
          await service.delete(id, ctx);
          return { method: op.method, ...(op.bulkId ? { bulkId: op.bulkId } : {}), location: locationOf(baseUrl, service, id), status: 204 };
        default:
          throw invalidValue('"method" must be POST, PUT, PATCH or DELETE.');
      }
    } catch (error) {
      if (error instanceof ScimError) return failure(op, error);
      throw error;
    }
  }

  private outcome(op: BulkOperation, status: number, result: { body?: JsonObject; etag?: string }, location?: string): BulkOutcome {
    const meta = result.body?.meta as { location?: string } | undefined;
    return {
      method: op.method,
      ...(op.bulkId ? { bulkId: op.bulkId } : {}),
      location: meta?.location ?? location,
      ...(result.etag ? { version: result.etag } : {}),
      status,
    };
  }
}

function locationOf(baseUrl: string, service: ResourceService, id: string): string {
  return `${baseUrl}${service.rt.endpoint}/${encodeURIComponent(id)}`;
}

function failure(op: BulkOperation, error: ScimError): BulkOutcome {
  return { method: op.method, ...(op.bulkId ? { bulkId: op.bulkId } : {}), status: error.status, error };
}

function unresolvable(bulkIds: string[]): ScimError {
  const shown = bulkIds.slice(0, 3).map((b) => `"bulkId:${b.slice(0, 64)}"`).join(', ');
  return new ScimError(409, 'invalidValue', `${shown} cannot be resolved: no operation of this request created it, it failed, or the references form a circle.`);
}
