import { checkIicRequest } from '../scim/profiles/iic-request';
import { iicResponse } from '../scim/profiles/iic-response';
import type { ProfileName } from '../scim/profiles/profile';
import type { ScimError } from '../scim/errors';
import { queryParam } from '../scim/list';
import { errorResponse } from './response';
import type { ScimRequest, ScimResponse } from './types';

/**
 * The one seam where a compatibility profile acts: on the request after authentication and
 * before routing, and on the response before it is rendered. Under the default `rfc`
 * profile both are the identity.
 */
export function profileRequest(profile: ProfileName, request: ScimRequest): ScimRequest {
  if (profile === 'rfc') return request;
  const adjusted = checkIicRequest({ method: request.method, segments: request.segments, query: request.query, body: lenientJson(request.body) });
  const headers = { ...request.headers };
  for (const name of adjusted.ignoredHeaders) delete headers[name];
  return { ...request, query: adjusted.query, headers };
}

/** The response as the profile answers it. */
export function profileResponse(profile: ProfileName, request: ScimRequest, response: ScimResponse): ScimResponse {
  if (profile === 'rfc') return response;
  const answered = { resource: request.segments[0], method: request.method, cursor: queryParam(request.query, 'cursor') !== undefined, requestId: request.requestId };
  return iicResponse(answered, response);
}

/** A refusal made before the request could be read (a path that does not decode), as the profile answers it. */
export function profileError(profile: ProfileName, error: ScimError, requestId: string): ScimResponse {
  const response = errorResponse(error);
  if (profile === 'rfc') return response;
  return iicResponse({ resource: undefined, method: '', cursor: false, requestId }, response);
}

/** The body parsed when it parses; otherwise the route itself refuses it. */
function lenientJson(body: string): unknown {
  if (body.trim() === '') return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
