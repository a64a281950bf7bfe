import { createHash, createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** A request as an HTTP stand-in received it. */
export interface ReceivedRequest {
  readonly method: string;
  /** Path and query, as `IncomingMessage.url`. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** What a SigV4 Authorization header names, and whether its signature holds for `secretAccessKey`. */
export interface SigV4Check {
  readonly accessKeyId: string;
  /** date/region/service/aws4_request */
  readonly scope: string;
  readonly valid: boolean;
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/;
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text, 'utf8').digest();

/**
 * Recomputes the Signature Version 4 signature of `request` with `secretAccessKey`
 * (docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html), for
 * the requests of the AWS JSON protocols: a path without escaping and no query string.
 */
export function checkSigV4(request: ReceivedRequest, secretAccessKey: string): SigV4Check | undefined {
  const match = AUTHORIZATION.exec(String(request.headers.authorization ?? ''));
  if (!match) return undefined;
  const [, accessKeyId, scope, signedHeaders, signature] = match;
  const [date, region, service] = scope.split('/');
  const [pathname, query = ''] = request.url.split('?');
  const canonicalHeaders = signedHeaders
    .split(';')
    .map((name) => `${name}:${String(request.headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonicalRequest = [request.method, pathname, query, canonicalHeaders, signedHeaders, sha256(request.body)].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', String(request.headers['x-amz-date']), scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request');
  return { accessKeyId, scope, valid: hmac(key, stringToSign).toString('hex') === signature };
}
