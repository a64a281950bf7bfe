/** A SCIM resource as the console reads it: any JSON object with an id. */
export interface ScimResource {
  readonly id: string;
  readonly schemas?: string[];
  readonly meta?: { resourceType?: string; created?: string; lastModified?: string; version?: string; location?: string };
  readonly [attribute: string]: unknown;
}

/** An RFC 7644 §3.4.2 ListResponse. */
export interface ListResponse<T = ScimResource> {
  readonly totalResults: number;
  readonly startIndex: number;
  readonly itemsPerPage: number;
  readonly Resources: T[];
}

/** A query on a list endpoint (RFC 7644 §3.4.2.2, §3.4.2.4, §3.9). */
export interface ListQuery {
  readonly filter?: string;
  readonly startIndex?: number;
  readonly count?: number;
  readonly attributes?: string;
  readonly excludedAttributes?: string;
}

/** One audit entry as GET /Audit answers it (docs/operations.md, "The audit trail"). */
export interface AuditEntry {
  readonly id: string;
  readonly at: string;
  readonly actor: { readonly tokenId: string; readonly name: string };
  readonly requestId: string;
  readonly userAgent?: string;
  readonly sourceAddress?: string;
  readonly operation: 'create' | 'replace' | 'patch' | 'delete';
  readonly resourceType: 'User' | 'Group';
  readonly resourceId: string;
  readonly resourceName: string;
  readonly version?: number;
  readonly bulk?: { readonly index: number; readonly bulkId?: string };
  readonly changes: readonly AuditChange[];
}

/** One attribute path an entry records. */
export interface AuditChange {
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
  readonly beforeDigest?: { readonly bytes: number; readonly sha256: string };
  readonly afterDigest?: { readonly bytes: number; readonly sha256: string };
  readonly added?: readonly string[];
  readonly removed?: readonly string[];
}

/** A page of the audit trail, newest first. */
export interface AuditList {
  readonly Resources: AuditEntry[];
  readonly nextCursor?: string;
}

/** What the endpoint refused, with the RFC 7644 §3.12 detail when it sent one. */
export class ScimRequestError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly scimType?: string,
  ) {
    super(detail);
    this.name = 'ScimRequestError';
  }
}

/**
 * The Base URL (a same-origin path) of the directory a token belongs to: the local endpoint
 * tells it at /console/session (`/scim/v2`, or `/<directory>/scim/v2`); anywhere else (a 404:
 * `npm run console` proxies one Base URL) it is `/scim/v2`. A refused token is a ScimRequestError.
 */
export async function basePathOf(token: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch('/console/session', { headers: { Authorization: `Bearer ${token}` }, credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' });
  } catch {
    throw new ScimRequestError(0, 'The SCIM endpoint could not be reached.');
  }
  if (response.status === 404) return '/scim/v2';
  if (!response.ok) throw new ScimRequestError(response.status, `${response.status} ${response.statusText}`.trim());
  const { baseUrl } = (await response.json()) as { baseUrl?: unknown };
  return typeof baseUrl === 'string' && /^\/([a-z0-9-]+\/)?scim\/v2$/.test(baseUrl) ? baseUrl : '/scim/v2';
}

/**
 * A read-only SCIM client: GET requests with the bearer token, which lives only in this
 * object (page memory). The Base URL is same-origin: `/scim/v2` or `/<directory>/scim/v2` as
 * `npm start` serves SCIM (basePathOf), or `/scim/v2` that `npm run console` proxies to a
 * deployed endpoint.
 */
export class ScimClient {
  /** The endpoint being read: the one `npm run console` proxies to (its X-Scim-Endpoint header), else this origin's. */
  endpoint: string;

  constructor(
    private readonly token: string,
    private readonly baseUrl = '/scim/v2',
  ) {
    this.endpoint = `${location.origin}${baseUrl}`;
  }

  /** GET a list endpoint such as `/Users`. */
  list<T = ScimResource>(resource: string, query: ListQuery = {}): Promise<ListResponse<T>> {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined && value !== '') params.set(name, String(value));
    }
    const search = params.toString();
    return this.get<ListResponse<T>>(`/${resource}${search ? `?${search}` : ''}`).then(normaliseList);
  }

  /** GET one resource, e.g. `/Users/{id}`. */
  read<T = ScimResource>(resource: string, id: string, query: Pick<ListQuery, 'attributes' | 'excludedAttributes'> = {}): Promise<T> {
    const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v) as [string, string][]).toString();
    return this.get<T>(`/${resource}/${encodeURIComponent(id)}${params ? `?${params}` : ''}`);
  }

  /** GET /Audit: this endpoint's audit trail (not SCIM: an endpoint without one answers 404). */
  async audit(query: { resourceId?: string; actor?: string; count?: number; cursor?: string } = {}): Promise<AuditList> {
    const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, String(v)])).toString();
    const list = await this.get<Partial<AuditList>>(`/Audit${params ? `?${params}` : ''}`);
    return { Resources: Array.isArray(list.Resources) ? list.Resources : [], ...(typeof list.nextCursor === 'string' ? { nextCursor: list.nextCursor } : {}) };
  }

  /** GET any path below the Base URL, e.g. `/ServiceProviderConfig`. */
  async get<T>(path: string): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.baseUrl + path, {
        headers: { Authorization: `Bearer ${this.token}`, Accept: 'application/scim+json, application/json' },
        credentials: 'omit',
        cache: 'no-store',
        referrerPolicy: 'no-referrer',
      });
    } catch {
      throw new ScimRequestError(0, 'The SCIM endpoint could not be reached.');
    }
    const proxied = response.headers.get('X-Scim-Endpoint');
    if (proxied) this.endpoint = proxied;
    const text = await response.text();
    const body = parseJson(text);
    if (!response.ok) {
      const error = (body ?? {}) as { detail?: unknown; scimType?: unknown };
      const detail = typeof error.detail === 'string' && error.detail ? error.detail : `${response.status} ${response.statusText}`.trim();
      throw new ScimRequestError(response.status, detail, typeof error.scimType === 'string' ? error.scimType : undefined);
    }
    if (body === undefined) throw new ScimRequestError(response.status, 'The endpoint answered with something that is not JSON.');
    return body as T;
  }
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Some endpoints send counts as strings or leave out Resources when there are none. */
function normaliseList<T>(list: ListResponse<T>): ListResponse<T> {
  const resources = Array.isArray(list.Resources) ? list.Resources : [];
  return {
    totalResults: Number(list.totalResults ?? resources.length),
    startIndex: Number(list.startIndex ?? 1),
    itemsPerPage: Number(list.itemsPerPage ?? resources.length),
    Resources: resources,
  };
}
