/** A SCIM request as the core sees it, whatever carried it (API Gateway or the local server). */
export interface ScimRequest {
  readonly method: string;
  /** Path segments below /scim/v2, URL-decoded, e.g. ["Users", "2819c223"]. */
  readonly segments: readonly string[];
  /** Query parameters; a repeated parameter keeps its last value. */
  readonly query: Readonly<Record<string, string>>;
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  /** The raw body text ('' when none). */
  readonly body: string;
  /**
   * The Base URL, e.g. https://api.example.com/v1/scim/v2: from configuration (the stage URL or
   * the custom domain, known at deploy time), never from a request header.
   */
  readonly baseUrl: string;
  readonly requestId: string;
  /**
   * The directory the path names, `/<directory>/scim/v2/...` (API Gateway's `{directory}` path
   * parameter); absent for `/scim/v2/...`, the deployment's own directory.
   */
  readonly directory?: string;
  /** The address the request came from (API Gateway's `requestContext.identity.sourceIp`). */
  readonly sourceAddress?: string;
  /** Who sent it, once authenticated (set by serve before routing). */
  readonly caller?: Caller;
}

/** Who a request comes from: the token it was authenticated with (lambda/http/auth.ts callerOf). */
export interface Caller {
  readonly tokenId: string;
  /** The token's name; the id for tokens created without one. */
  readonly name: string;
  readonly scope: 'provision' | 'read';
  readonly directory: string;
}

/** What a route returns; response.ts renders it. */
export interface ScimResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}
