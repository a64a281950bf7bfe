import { isObject } from '../values';

/** A response as the profile rewrites it (the shape of lambda/http's ScimResponse). */
export interface ProfileResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** What of the request decides how its answer is rewritten. */
export interface AnsweredRequest {
  /** The first path segment below the Base URL, e.g. "Users". */
  readonly resource: string | undefined;
  readonly method: string;
  /** Whether a list was asked for with `cursor` (RFC 9865 paging). */
  readonly cursor: boolean;
  readonly requestId: string;
}

const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** IIC's ValidationException text for a body or filter it cannot read (CLIENTS.md §1.7, idp-scim-sync#30, #75). */
export const IIC_VALIDATION_DETAIL = 'Request is unparsable, syntactically incorrect, or violates schema.';

/** IIC's ConflictException text (re:Post, CLIENTS.md §1.7). */
export const IIC_DUPLICATE_DETAIL = 'Refused to create a new, duplicate resource.';

/**
 * Answers as AWS IAM Identity Center does (CLIENTS.md §1.3, §1.4, §1.6, §1.7): `application/json`,
 * no ETag and no meta.version; a group read with an empty `members` list, a created group
 * without one; cursor pages with `itemsPerPage` and `nextCursor` but no `totalResults`; errors
 * in its shape (status as a string, the extra `schema` key, exceptionRequestId and timeStamp,
 * no scimType; its own words for a duplicate and for an unreadable request).
 */
export function iicResponse(request: AnsweredRequest, response: ProfileResponse, now: Date = new Date()): ProfileResponse {
  const { ETag: _etag, ...headers } = response.headers ?? {};
  headers['Content-Type'] = 'application/json';
  const body = response.body;
  if (!isObject(body)) return { ...response, headers };
  if (Array.isArray(body.schemas) && body.schemas.includes(ERROR_SCHEMA)) {
    const detail = body.scimType === 'invalidSyntax' ? IIC_VALIDATION_DETAIL : String(body.detail ?? '');
    return { status: response.status, headers, body: iicErrorBody(response.status, detail, request.requestId, now) };
  }
  const isGroups = request.resource?.toLowerCase() === 'groups';
  const adapt = (r: unknown) => {
    if (!isObject(r)) return r;
    const out = { ...r };
    if (isObject(out.meta)) {
      const { version: _version, ...meta } = out.meta;
      out.meta = meta;
    }
    if (isGroups) {
      // CreateGroup answers without members; GetGroup and ListGroups with an empty list (§1.6).
      const { meta, members: _members, ...rest } = out;
      return { ...rest, ...(request.method === 'POST' ? {} : { members: [] }), ...(meta !== undefined ? { meta } : {}) };
    }
    return out;
  };
  if (!Array.isArray(body.Resources)) return { status: response.status, headers, body: adapt(body) };
  // A cursor page has itemsPerPage and nextCursor only (ListUsers, ListGroups: "Query Parameters").
  const { totalResults: _total, ...list } = body;
  return { status: response.status, headers, body: { ...(request.cursor ? list : body), Resources: body.Resources.map(adapt) } };
}

/** IIC's error body; `timeStamp` in its own format, "2024-12-10 19:50:00.531" (UTC). */
export function iicErrorBody(status: number, detail: string, requestId: string, now: Date) {
  return {
    schema: [ERROR_SCHEMA],
    schemas: [ERROR_SCHEMA],
    detail: status === 409 ? IIC_DUPLICATE_DETAIL : detail,
    status: String(status),
    exceptionRequestId: requestId,
    timeStamp: now.toISOString().replace('T', ' ').replace('Z', ''),
  };
}
