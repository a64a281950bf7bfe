import { MAX_USER_AGENT, type CallContext } from '../service/resource-service';
import type { ScimRequest } from './types';

/**
 * The per-request facts a service is called with: the Base URL, If-Match, the query, and who
 * sent the request from where (what every change it applies is audited with). Routes run only
 * after `serve` authenticated the request, so a request without a caller here is a bug.
 */
export function callContext(req: ScimRequest): CallContext {
  if (!req.caller) throw new Error('A route ran for a request that was not authenticated.');
  const userAgent = req.headers['user-agent'];
  return {
    baseUrl: req.baseUrl,
    ifMatch: req.headers['if-match'],
    query: req.query,
    request: {
      actor: { tokenId: req.caller.tokenId, name: req.caller.name },
      requestId: req.requestId,
      directory: req.caller.directory,
      ...(userAgent ? { userAgent: userAgent.slice(0, MAX_USER_AGENT) } : {}),
      ...(req.sourceAddress ? { sourceAddress: req.sourceAddress } : {}),
    },
  };
}
