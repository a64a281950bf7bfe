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
  /** The Base URL as the client called it, e.g. https://api.example.com/v1/scim/v2. */
  readonly baseUrl: string;
  readonly requestId: string;
}

/** What a route returns; response.ts renders it. */
export interface ScimResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}
