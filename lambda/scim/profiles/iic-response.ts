import { isObject } from '../values';

/** A response as the profile rewrites it (the shape of lambda/http's ScimResponse). */
export interface ProfileResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/**
 * Answers as AWS IAM Identity Center does (CLIENTS.md §1.4, §1.6, §1.7): `application/json`,
 * no ETag and no meta.version, groups always with an empty `members` list, and errors in
 * its shape (status as a string, the extra `schema` key, exceptionRequestId and timeStamp,
 * no scimType; its own text for a duplicate).
 */
export function iicResponse(resource: string | undefined, response: ProfileResponse, requestId: string, now: Date = new Date()): ProfileResponse {
  const { ETag: _etag, ...headers } = response.headers ?? {};
  headers['Content-Type'] = 'application/json';
  const body = response.body;
  if (!isObject(body)) return { ...response, headers };
  if (Array.isArray(body.schemas) && body.schemas.includes(ERROR_SCHEMA)) {
    return { status: response.status, headers, body: errorBody(response.status, String(body.detail ?? ''), requestId, now) };
  }
  const isGroups = resource?.toLowerCase() === 'groups';
  const adapt = (r: unknown) => {
    if (!isObject(r)) return r;
    const out = { ...r };
    if (isObject(out.meta)) {
      const { version: _version, ...meta } = out.meta;
      out.meta = meta;
    }
    if (isGroups) {
      const { meta, ...rest } = out;
      return { ...rest, members: [], ...(meta !== undefined ? { meta } : {}) };
    }
    return out;
  };
  const adapted = Array.isArray(body.Resources) ? { ...body, Resources: body.Resources.map(adapt) } : adapt(body);
  return { status: response.status, headers, body: adapted };
}

function errorBody(status: number, detail: string, requestId: string, now: Date) {
  return {
    schema: [ERROR_SCHEMA],
    schemas: [ERROR_SCHEMA],
    detail: status === 409 ? 'Refused to create a new, duplicate resource.' : detail,
    status: String(status),
    exceptionRequestId: requestId,
    // IIC's own format: "2024-12-10 19:50:00.531" (UTC).
    timeStamp: now.toISOString().replace('T', ' ').replace('Z', ''),
  };
}
