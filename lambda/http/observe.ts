import type { ScimType } from '../scim/errors';

/**
 * What the request's log line and metrics say about one request: the route template and ids
 * of our own making, never a value a client chose (userName, e-mail, filter, raw path).
 */
export interface RequestSummary {
  readonly requestId: string;
  readonly method: string;
  /** The route template, e.g. `Users/{id}`; undefined when no route owns the path. */
  readonly route?: string;
  /** Whether a route takes this method on that path (a 405 is not routed). */
  readonly routed?: boolean;
  /** The id in the path, only when it has the form of the ids this service assigns (see ownId). */
  readonly id?: string;
  readonly status: number;
  /** The scimType of an error answer (RFC 7644 §3.12). */
  readonly scimType?: ScimType;
  readonly ms: number;
}

/** Told of every request when its answer is ready: the deployed functions turn it into metrics. */
export interface RequestObserver {
  requestEnded(summary: RequestSummary): void;
}

/** The ids this service assigns (resource-service.ts: randomUUID), in the form it writes them. */
const OWN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The path's id when it is one of ours. Anything else a client put in the path (an e-mail
 * used as an id, a userName, a probe) stays out of the logs; the route template still says
 * which endpoint was called.
 */
export function ownId(value: string | undefined): string | undefined {
  return value !== undefined && OWN_ID.test(value) ? value : undefined;
}

/**
 * The operation a metric is counted under: method and route template when a route takes them,
 * otherwise `unrouted`. Its values are the route table's, 32 in all, whatever clients send.
 */
export function operationOf(summary: Pick<RequestSummary, 'method' | 'route' | 'routed'>): string {
  return summary.route !== undefined && summary.routed ? `${summary.method} ${summary.route}` : 'unrouted';
}

/** 2xx, 3xx, 4xx or 5xx. */
export function statusClassOf(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}
