import type { APIGatewayProxyEvent } from 'aws-lambda';
import { MAX_BODY_BYTES, fromApiGatewayEvent, parseJsonBody, scimSegments } from '../../../lambda/http/request';
import { match, route, type Route } from '../../../lambda/http/router';
import type { ScimRequest } from '../../../lambda/http/types';
import { ScimError } from '../../../lambda/scim/errors';
import bodies from '../../fixtures/http/bodies.json';
import events from '../../fixtures/http/events.json';
import paths from '../../fixtures/http/paths.json';
import { thrown } from '../../support/scim-error';

/** One case of test/fixtures/http/paths.json. */
interface PathCase {
  readonly path: string;
  readonly why?: string;
  readonly segments?: string[];
  readonly notFound?: boolean;
}

/** One case of test/fixtures/http/bodies.json. */
interface BodyCase {
  readonly name: string;
  readonly why?: string;
  readonly contentType?: string;
  readonly body: string;
  readonly expected?: unknown;
  readonly error?: { status: number; scimType?: string };
}

const outcome = (error: ScimError) => ({ status: error.status, scimType: error.scimType, headers: error.headers });

function requestWith(fields: Partial<ScimRequest>): ScimRequest {
  return { method: 'GET', segments: [], query: {}, headers: {}, body: '', baseUrl: 'https://example.com/scim/v2', requestId: 'test', ...fields };
}

describe('scimSegments', () => {
  for (const c of paths.cases as PathCase[]) {
    const title = `${JSON.stringify(c.path)}${c.why ? ` (${c.why})` : ''}`;
    test(title, () => {
      expect((c.segments === undefined) !== (c.notFound === undefined)).toBe(true); // exactly one outcome per case
      if (c.notFound) {
        expect(outcome(thrown(() => scimSegments(c.path)))).toEqual({ status: 404, scimType: undefined, headers: {} });
      } else {
        expect(scimSegments(c.path)).toStrictEqual(c.segments);
      }
    });
  }
});

/** The Base URL events.json is read with (the stack's SCIM_BASE_URL). */
const CONFIGURED = 'https://scim.example.com/v1/scim/v2';

describe('fromApiGatewayEvent', () => {
  test.each(events.cases.map((c) => [c.name + ('why' in c ? ` (${c.why})` : ''), c] as const))('%s', (_, c) => {
    expect(fromApiGatewayEvent(c.event as unknown as APIGatewayProxyEvent, CONFIGURED)).toStrictEqual(c.expected);
  });

  const base = {
    httpMethod: 'GET',
    path: '/scim/v2/Users',
    headers: {},
    body: null,
    isBase64Encoded: false,
    requestContext: { path: '/prod/scim/v2/Users', domainName: 'api.example.com', requestId: 'r-1' },
  };

  test('header and query values that are undefined are left out', () => {
    const event = { ...base, headers: { Host: 'api.example.com', 'X-Empty': undefined }, queryStringParameters: { count: '5', startIndex: undefined } };
    const request = fromApiGatewayEvent(event as unknown as APIGatewayProxyEvent, CONFIGURED);
    expect(request.headers).toStrictEqual({ host: 'api.example.com' });
    expect(request.query).toStrictEqual({ count: '5' });
  });

  test('a path with a bad percent-encoding is 404', () => {
    const event = { ...base, path: '/scim/v2/Users/%E0%A4%A' };
    expect(outcome(thrown(() => fromApiGatewayEvent(event as unknown as APIGatewayProxyEvent, CONFIGURED)))).toEqual({
      status: 404,
      scimType: undefined,
      headers: {},
    });
  });

  test('a path outside /scim/v2 is 404', () => {
    const event = { ...base, path: '/v1/Users', requestContext: { ...base.requestContext, path: '/prod/v1/Users' } };
    expect(thrown(() => fromApiGatewayEvent(event as unknown as APIGatewayProxyEvent, CONFIGURED)).status).toBe(404);
  });
});

describe('parseJsonBody', () => {
  test.each((bodies.cases as BodyCase[]).map((c) => [c.why ? `${c.name} (${c.why})` : c.name, c] as const))('%s', (_, c) => {
    expect((c.expected === undefined) !== (c.error === undefined)).toBe(true); // exactly one outcome per case
    const headers: Record<string, string> = c.contentType === undefined ? {} : { 'content-type': c.contentType };
    const run = () => parseJsonBody(requestWith({ method: 'POST', headers, body: c.body }));
    if (c.error) {
      const error = thrown(run);
      expect({ status: error.status, scimType: error.scimType }).toEqual({ scimType: undefined, ...c.error });
    } else {
      expect(run()).toStrictEqual(c.expected);
    }
  });

  /** A JSON document of exactly `bytes` UTF-8 bytes: {"x":"<filler>"}, the filler `unit` repeated. */
  const documentOf = (bytes: number, unit = 'a') => {
    const overhead = Buffer.byteLength('{"x":""}');
    const unitBytes = Buffer.byteLength(unit);
    const filler = unit.repeat(Math.floor((bytes - overhead) / unitBytes)) + 'a'.repeat((bytes - overhead) % unitBytes);
    const text = `{"x":"${filler}"}`;
    expect(Buffer.byteLength(text)).toBe(bytes);
    return text;
  };
  const post = (body: string) => requestWith({ method: 'POST', headers: { 'content-type': 'application/scim+json' }, body });

  test('the limit is 1 MiB', () => {
    expect(MAX_BODY_BYTES).toBe(1024 * 1024);
  });

  test('a body of exactly 1 MiB is parsed', () => {
    const parsed = parseJsonBody(post(documentOf(MAX_BODY_BYTES))) as { x: string };
    expect(parsed.x).toHaveLength(MAX_BODY_BYTES - Buffer.byteLength('{"x":""}'));
  });

  test('a body of 1 MiB + 1 byte is 413', () => {
    expect(outcome(thrown(() => parseJsonBody(post(documentOf(MAX_BODY_BYTES + 1)))))).toEqual({
      status: 413,
      scimType: undefined,
      headers: {},
    });
  });

  test('the limit counts UTF-8 bytes, not characters', () => {
    const text = documentOf(MAX_BODY_BYTES + 2, 'ä'); // about 512 Ki characters, 1 MiB + 2 bytes
    expect(text.length).toBeLessThan(MAX_BODY_BYTES);
    expect(thrown(() => parseJsonBody(post(text))).status).toBe(413);
  });

  test('an oversized body is 413 whatever its Content-Type', () => {
    const request = requestWith({ method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(MAX_BODY_BYTES + 1) });
    expect(thrown(() => parseJsonBody(request)).status).toBe(413);
  });
});

describe('router match', () => {
  const handle: Route['handle'] = async () => ({ status: 200 });
  const routes: Route[] = [
    route('POST', 'Users', handle),
    route('GET', 'Users', handle),
    route('GET', 'Users/:id', handle),
    route('PUT', 'Users/:id', handle),
    route('PATCH', 'Users/:id', handle),
    route('DELETE', 'Users/:id', handle),
    route('GET', 'ServiceProviderConfig', handle),
  ];
  const matching = (method: string, segments: string[]) => match(routes, requestWith({ method, segments }));

  test.each([
    ['GET', ['Users'], 1, {}],
    ['POST', ['Users'], 0, {}],
    ['GET', ['Users', '2819c223'], 2, { id: '2819c223' }],
    ['PATCH', ['Users', '2819c223'], 4, { id: '2819c223' }],
    ['DELETE', ['Users', 'a/b c'], 5, { id: 'a/b c' }],
    ['GET', ['users'], 1, {}],
    ['PUT', ['USERS', 'AbC-123'], 3, { id: 'AbC-123' }],
    ['GET', ['serviceproviderconfig'], 6, {}],
  ] as const)('%s %j → route %i, params %j', (method, segments, index, params) => {
    const found = matching(method, [...segments]);
    expect(found.route).toBe(routes[index]);
    expect(found.params).toStrictEqual(params);
  });

  test.each([
    ['DELETE', ['Users'], 'POST, GET'],
    ['PUT', ['users'], 'POST, GET'],
    ['POST', ['Users', '2819c223'], 'GET, PUT, PATCH, DELETE'],
    ['PATCH', ['ServiceProviderConfig'], 'GET'],
  ] as const)('%s %j → 405, Allow: %s', (method, segments, allow) => {
    expect(outcome(thrown(() => matching(method, [...segments])))).toEqual({ status: 405, scimType: undefined, headers: { Allow: allow } });
  });

  test.each([
    ['GET', ['Groups']],
    ['GET', []],
    ['GET', ['Users', '2819c223', 'extra']],
    ['POST', ['Userz']],
    ['GET', ['ServiceProviderConfigs']],
  ] as const)('%s %j → 404 without Allow', (method, segments) => {
    expect(outcome(thrown(() => matching(method, [...segments])))).toEqual({ status: 404, scimType: undefined, headers: {} });
  });

  test('the method is compared exactly (fromApiGatewayEvent upper-cases it)', () => {
    expect(outcome(thrown(() => matching('get', ['Users'])))).toEqual({
      status: 405,
      scimType: undefined,
      headers: { Allow: 'POST, GET' },
    });
  });
});
