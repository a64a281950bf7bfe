import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import fc from 'fast-check';
import { bulkRoutes } from '../../lambda/handlers/bulk';
import { groupsRoutes } from '../../lambda/handlers/groups';
import { toLambdaHandler, type ApiHandler } from '../../lambda/handlers/lambda-entry';
import { usersRoutes } from '../../lambda/handlers/users';
import { StaticTokenVerifier } from '../../lambda/http/auth';
import { MAX_JSON_DEPTH } from '../../lambda/scim/json-body';
import { expectConsistent } from '../support/consistency';
import { freshTable } from '../support/dynamo';
import { CapturingLogger, expectNoSecrets } from '../support/logs';
import { PATCH_OP, TEST_TOKEN, USER_SCHEMA, userBody } from '../support/server';
import { problemWith } from '../support/workload';

/**
 * Property-based fuzzing of the Lambda handlers with API Gateway events built from generated
 * and hostile input: the same path a request takes from API Gateway (and from the local
 * server). Invariant: the handler never throws and never answers 5xx; every answer is a
 * success or a well-formed RFC 7644 §3.12 error; afterwards the table passes the checker.
 * Reproduce a failure with FUZZ_SEED=<seed printed by fast-check>.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261128);
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
let inputs = 0;
let serverErrors = 0;
/** Requests per property, for docs/hardening.md. */
const perProperty: Record<string, number> = {};
/** Percent-encodes a path segment; one that cannot be (an unpaired surrogate) goes as it is. */
const encodeSegment = (s: string) => {
  try {
    return encodeURIComponent(s);
  } catch {
    return s;
  }
};
const HOSTILE_TOKEN = 'hostile-secret-token-value-42';
const PASSWORD = 'Pa55word-never-logged!';

describe('fuzzing the handlers with generated and hostile input', () => {
  // Each property is a fixed number of requests (2,271 in all, about 25 s on a quiet machine);
  // on two cores shared by a whole team a property can take minutes, which is no failure.
  jest.setTimeout(300_000);
  const logger = new CapturingLogger();
  let table: Awaited<ReturnType<typeof freshTable>>;
  let users: ApiHandler;
  let groups: ApiHandler;
  let bulk: ApiHandler;
  const userIds: string[] = [];
  const groupIds: string[] = [];

  beforeAll(async () => {
    table = await freshTable('fuzz');
    const store = { client: table.client, tableName: table.tableName, directoryId: 'default' };
    const verifier = new StaticTokenVerifier(TEST_TOKEN);
    users = toLambdaHandler({ routes: usersRoutes(store), verifier, logger, baseUrl: 'https://scim.example.com/v1/scim/v2' });
    groups = toLambdaHandler({ routes: groupsRoutes(store), verifier, logger, baseUrl: 'https://scim.example.com/v1/scim/v2' });
    bulk = toLambdaHandler({ routes: bulkRoutes(store), verifier, logger, baseUrl: 'https://scim.example.com/v1/scim/v2' });
    for (let i = 0; i < 6; i++) {
      const res = await call({ method: 'POST', path: '/scim/v2/Users', body: JSON.stringify(userBody(`seed${i}@example.com`, { externalId: `x${i}` })) });
      userIds.push(JSON.parse(res.body).id);
    }
    for (let i = 0; i < 3; i++) {
      const res = await call({ method: 'POST', path: '/scim/v2/Groups', body: JSON.stringify({ schemas: [GROUP_SCHEMA], displayName: `Seed ${i}`, members: userIds.slice(i, i + 3).map((value) => ({ value })) }) });
      groupIds.push(JSON.parse(res.body).id);
    }
  });

  afterAll(async () => {
    process.stdout.write(`fuzz: seed ${SEED}, ${inputs} generated requests, ${serverErrors} answered 5xx; by property ${JSON.stringify(perProperty)}\n`);
    await expectConsistent(table.client, table.tableName);
    table.client.destroy();
    expectNoSecrets(logger.lines, [TEST_TOKEN, HOSTILE_TOKEN, PASSWORD]);
    // Nothing reached the unexpected-error path (which would have logged a stack).
    expect(logger.lines.filter((l) => l.includes('"level":"ERROR"'))).toEqual([]);
  });

  let startedAt = 0;
  beforeEach(() => (startedAt = inputs));
  afterEach(() => {
    const name = (expect.getState().currentTestName ?? '?').replace('fuzzing the handlers with generated and hostile input ', '');
    perProperty[name.split(':')[0]] = inputs - startedAt;
  });

  interface Request {
    method: string;
    path: string;
    body?: string | null;
    query?: Record<string, string>;
    headers?: Record<string, string>;
    base64?: boolean;
  }

  /** Builds the API Gateway proxy event and runs the function API Gateway would pick. */
  async function call(request: Request): Promise<APIGatewayProxyResult> {
    inputs++;
    const headers = { Authorization: `Bearer ${TEST_TOKEN}`, 'Content-Type': 'application/scim+json', Host: 'api.example.com', ...request.headers };
    const event = {
      httpMethod: request.method,
      path: request.path,
      resource: '/{proxy+}',
      headers,
      multiValueHeaders: {},
      queryStringParameters: request.query && Object.keys(request.query).length > 0 ? request.query : null,
      multiValueQueryStringParameters: null,
      pathParameters: null,
      stageVariables: null,
      body: request.body ?? null,
      isBase64Encoded: request.base64 ?? false,
      requestContext: { requestId: `fuzz-${inputs}`, path: `/prod${request.path}`, domainName: 'api.example.com', stage: 'prod' },
    } as unknown as APIGatewayProxyEvent;
    const segment = request.path.split('/')[3]?.toLowerCase() ?? '';
    const handler = segment.startsWith('group') ? groups : segment === 'bulk' ? bulk : users;
    return handler(event);
  }

  /** The invariant every answer must hold. */
  function wellFormed(result: APIGatewayProxyResult, what: string): void {
    let json: unknown;
    try {
      json = result.body ? JSON.parse(result.body) : undefined;
    } catch {
      json = undefined;
    }
    const headers = new Headers(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)]));
    if (result.statusCode >= 500) serverErrors++;
    const problem = result.statusCode >= 500 ? `status ${result.statusCode}` : problemWith({ status: result.statusCode, headers, json, text: result.body });
    if (problem) throw new Error(`${what}: ${problem}\n${result.body.slice(0, 400)}`);
    if (result.statusCode < 300 && result.statusCode !== 204 && json === undefined) throw new Error(`${what}: a success without a JSON body`);
  }

  const run = async (request: Request) => {
    const result = await call(request);
    wellFormed(result, `${request.method} ${request.path} ${JSON.stringify(request.query ?? {}).slice(0, 200)} ${String(request.body).slice(0, 300)}`);
    return result;
  };
  const options = (numRuns: number) => ({ numRuns, seed: SEED, endOnFailure: true });

  // ---- generators -------------------------------------------------------------------------

  const ATTRS = ['userName', 'displayName', 'externalId', 'id', 'active', 'title', 'name.givenName', 'name.familyName', 'emails', 'emails.value', 'emails.type', 'emails.primary', 'members', 'members.value', 'groups', 'groups.value', 'meta.created', 'meta.lastModified', `${USER_SCHEMA}:userName`, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value', 'nosuch', 'emails[type eq "work"].value', ''];
  const OPS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr', 'EQ', 'Eq', 'xx', ''];
  /** Strings that have broken parsers, keys and encoders elsewhere. */
  const HOSTILE = ['', ' ', '"', '\\', '\\"', '\u0000', '\ud800', '\udfff', 'a\ud83d', '😀'.repeat(120), 'x'.repeat(199) + '😀', 'é'.repeat(700), '%', '%zz', '%00', '../..', '#', 'USER#x', 'MEMBER#', '$', '${x}', '{{x}}', "' OR 1=1 --", '<script>', 'null', 'true', '1e309', '-0', 'NaN', '__proto__', 'constructor', 'toString', '\r\nX-Injected: 1', 'A'.repeat(5000)];
  const hostile = fc.constantFrom(...HOSTILE);
  const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }), hostile);
  const literal = fc.oneof(
    text.map((s) => JSON.stringify(s)),
    fc.constantFrom('true', 'false', 'null', '1', '-1.5e3', '2026-11-28T00:00:00Z', '"2026-11-28T00:00:00Z"', '01', '1e999', '"'),
    fc.integer().map(String),
  );
  const filterTree: fc.Arbitrary<string> = fc.letrec<{ f: string }>((tie) => ({
    f: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.tuple(fc.constantFrom(...ATTRS), fc.constantFrom(...OPS), literal).map(([a, o, v]) => (o === 'pr' ? `${a} pr` : `${a} ${o} ${v}`)),
      fc.tuple(tie('f'), fc.constantFrom('and', 'or', 'AND', 'Or', 'xor'), tie('f')).map(([a, o, b]) => `${a} ${o} ${b}`),
      tie('f').map((a) => `not (${a})`),
      tie('f').map((a) => `(${a})`),
      fc.tuple(fc.constantFrom('emails', 'members', 'groups', 'name', 'x'), tie('f')).map(([a, f]) => `${a}[${f}]`),
    ),
  })).f;
  const filter = fc.oneof(filterTree, text, fc.constantFrom('(((((((((((', ')', '[', 'userName eq', 'not', 'a[b[c[d eq 1]]]', '('.repeat(60) + 'id pr' + ')'.repeat(60), Array(250).fill('id pr').join(' or ')));
  const id = fc.oneof(fc.constantFrom('USERS', 'GROUPS'), text, fc.uuid()); // USERS/GROUPS: an existing one
  const json: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 4 });
  const patchPath = fc.oneof(filterTree.map((f) => `members[${f}]`), fc.constantFrom(...ATTRS), text, fc.tuple(fc.constantFrom(...ATTRS), filterTree).map(([a, f]) => `${a}[${f}]`), fc.constantFrom('emails[type eq "work"].value', 'members[value eq "x"]', 'name.givenName', 'members', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager'));
  const patchValue = fc.oneof(json, fc.array(fc.record({ value: fc.oneof(text, fc.constant('USER')), display: text }, { requiredKeys: [] }), { maxLength: 4 }), fc.dictionary(fc.constantFrom(...ATTRS, 'members', 'active', 'displayName'), json, { maxKeys: 4 }));
  const operation = fc.record(
    { op: fc.constantFrom('add', 'remove', 'replace', 'Add', 'Replace', 'REMOVE', 'move', '', 'copy'), path: patchPath, value: patchValue },
    { requiredKeys: [] },
  );
  const patchBody = fc.oneof(
    fc.record({ schemas: fc.constantFrom([PATCH_OP], [], ['x'], PATCH_OP as unknown as string[]), Operations: fc.array(operation, { maxLength: 6 }) }, { requiredKeys: ['Operations'] }),
    json,
  );
  const userDocument = fc.oneof(
    fc.record(
      {
        schemas: fc.constantFrom([USER_SCHEMA], [], ['urn:x'], 'str' as unknown as string[]),
        userName: fc.oneof(text, json),
        displayName: fc.oneof(text, json),
        externalId: fc.oneof(text, json),
        active: fc.oneof(fc.boolean(), fc.constantFrom('True', 'false', 'yes', 1, null)),
        name: fc.oneof(fc.record({ givenName: text, familyName: text, formatted: text }, { requiredKeys: [] }), json),
        emails: fc.oneof(fc.array(fc.record({ value: text, type: text, primary: fc.oneof(fc.boolean(), text) }, { requiredKeys: [] }), { maxLength: 3 }), json),
        members: fc.oneof(fc.array(fc.record({ value: text, type: text }, { requiredKeys: [] }), { maxLength: 3 }), json),
        password: fc.constant(PASSWORD),
        id: text,
        meta: json,
      },
      { requiredKeys: [] },
    ),
    json,
  );
  const rawBody = fc.oneof(
    json.map((j) => JSON.stringify(j)),
    text,
    fc.constantFrom('{', '{"schemas":', '[]', '{"a":1}{"b":2}', '\ufeff{}', 'null', '{"userName":"\\ud800"}', '{"__proto__":{"polluted":1},"userName":"proto@example.com","schemas":["' + USER_SCHEMA + '"]}'),
  );

  // Ids: mostly ones that exist, so writes reach the store; the rest made up.
  const pick = (generated: string) => (generated === 'USERS' ? userIds[0] : generated === 'GROUPS' ? groupIds[0] : generated);
  const idFor = (kind: 'Users' | 'Groups') => fc.oneof({ weight: 3, arbitrary: fc.nat().map((n) => (kind === 'Users' ? userIds : groupIds)[n % (kind === 'Users' ? userIds.length : groupIds.length)]) }, { weight: 1, arbitrary: id.map((g) => pick(g)) });
  const kind = fc.constantFrom<'Users' | 'Groups'>('Users', 'Groups');

  // ---- properties --------------------------------------------------------------------------

  it('list filters: any filter text, paging and projection', async () => {
    const query = fc.record(
      {
        filter: filter,
        startIndex: fc.oneof(fc.integer({ min: -5, max: 50 }).map(String), text),
        count: fc.oneof(fc.integer({ min: -5, max: 2000 }).map(String), text),
        sortBy: fc.oneof(fc.constantFrom(...ATTRS), text),
        sortOrder: fc.oneof(fc.constantFrom('ascending', 'descending'), text),
        attributes: fc.oneof(fc.constantFrom(...ATTRS), text),
        excludedAttributes: fc.oneof(fc.constantFrom(...ATTRS), text),
      },
      { requiredKeys: [] },
    );
    await fc.assert(fc.asyncProperty(kind, query, async (k, q) => void (await run({ method: 'GET', path: `/scim/v2/${k}`, query: q }))), options(300));
  });

  it('PATCH bodies: generated operations on existing and made-up resources', async () => {
    await fc.assert(
      fc.asyncProperty(kind, fc.nat(), patchBody, fc.boolean(), async (k, n, body, valid) => {
        const target = valid ? (k === 'Users' ? userIds : groupIds)[n % 3] : `missing-${n}`;
        await run({ method: 'PATCH', path: `/scim/v2/${k}/${encodeSegment(target)}`, body: JSON.stringify(body) });
      }),
      options(300),
    );
  });

  it('POST and PUT documents: generated users and groups, valid and not', async () => {
    await fc.assert(
      fc.asyncProperty(kind, fc.constantFrom('POST', 'PUT'), userDocument, fc.nat(), async (k, method, doc, n) => {
        const body = k === 'Groups' && doc && typeof doc === 'object' && !Array.isArray(doc) ? { schemas: [GROUP_SCHEMA], ...doc, displayName: (doc as { displayName?: unknown }).displayName } : doc;
        const path = method === 'POST' ? `/scim/v2/${k}` : `/scim/v2/${k}/${(k === 'Users' ? userIds : groupIds)[n % 3]}`;
        const result = await run({ method, path, body: JSON.stringify(body) });
        // Keep the pools at the seeded resources: a PUT may rename them, but never remove them.
        if (result.statusCode === 201 && n % 2 === 0) {
          await run({ method: 'DELETE', path: `/scim/v2/${k}/${JSON.parse(result.body).id}` });
        }
      }),
      options(150),
    );
  });

  it('raw bodies, methods, paths, ids and headers', async () => {
    const request = fc.record({
      method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'get', 'FOO'),
      k: fc.constantFrom('Users', 'Groups', 'users', 'GROUPS', 'Schemas', 'Bulk', 'Me', '', 'Users/x/y', '.search'),
      withId: fc.boolean(),
      body: fc.option(rawBody, { nil: undefined }),
      base64: fc.boolean(),
      contentType: fc.constantFrom('application/scim+json', 'application/json; charset=utf-8', 'text/plain', '', 'application/x-www-form-urlencoded', 'APPLICATION/JSON'),
      ifMatch: fc.option(fc.oneof(fc.constantFrom('*', 'W/"1"', '"1"', 'W/"999"', 'W/', ',,,'), text), { nil: undefined }),
      ifNoneMatch: fc.option(fc.oneof(fc.constantFrom('*', 'W/"1"'), text), { nil: undefined }),
      slashes: fc.constantFrom('', '/', '//'),
    });
    await fc.assert(
      fc.asyncProperty(request, idFor('Users'), async (r, target) => {
        const idPart = r.withId ? `/${encodeSegment(target)}` : '';
        const headers: Record<string, string> = { 'Content-Type': r.contentType };
        if (r.ifMatch !== undefined) headers['If-Match'] = r.ifMatch;
        if (r.ifNoneMatch !== undefined) headers['If-None-Match'] = r.ifNoneMatch;
        const body = r.body === undefined ? undefined : r.base64 ? Buffer.from(r.body).toString('base64') : r.body;
        await run({ method: r.method, path: `/scim/v2${r.slashes}/${r.k}${idPart}`, body, base64: r.base64, headers });
      }),
      options(250),
    );
  });

  it('sizes: bodies, filters, member lists and values at and past the limits, each with its exact answer', async () => {
    const big = (n: number) => 'x'.repeat(n);
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    /** A request and the one answer it must get: status, and scimType (undefined: none). */
    const cases: [Request, number, string | undefined][] = [
      [{ method: 'POST', path: '/scim/v2/Users', body: big(1024 * 1024 + 1) }, 413, undefined],
      [{ method: 'POST', path: '/scim/v2/Users', body: JSON.stringify(userBody('big@example.com', { title: big(1024 * 1024 - 200) })) }, 413, undefined],
      [{ method: 'POST', path: '/scim/v2/Users', body: JSON.stringify(userBody('wide@example.com', { title: big(299_000) })) }, 201, undefined],
      [{ method: 'POST', path: '/scim/v2/Users', body: JSON.stringify(userBody('wider@example.com', { title: big(300_001) })) }, 413, undefined],
      [{ method: 'POST', path: '/scim/v2/Users', body: JSON.stringify(userBody(big(3000) + '@example.com')) }, 201, undefined],
      [{ method: 'POST', path: '/scim/v2/Groups', body: JSON.stringify({ schemas: [GROUP_SCHEMA], displayName: big(5000) }) }, 201, undefined],
      [{ method: 'POST', path: '/scim/v2/Groups', body: JSON.stringify({ schemas: [GROUP_SCHEMA], displayName: 'Many', members: Array.from({ length: 10_001 }, (_, i) => ({ value: `u${i}` })) }) }, 400, 'tooMany'],
      [{ method: 'PATCH', path: `/scim/v2/Groups/${groupIds[0]}`, body: JSON.stringify({ schemas: [PATCH_OP], Operations: Array.from({ length: 1001 }, () => ({ op: 'add', path: 'members', value: [{ value: userIds[0] }] })) }) }, 400, 'tooMany'],
      [{ method: 'PATCH', path: `/scim/v2/Groups/${groupIds[0]}`, body: JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: Array.from({ length: 150 }, (_, i) => ({ value: `nobody-${i}` })) }] }) }, 400, 'invalidValue'],
      [{ method: 'GET', path: '/scim/v2/Users', query: { filter: `userName eq "${big(5000)}"` } }, 400, 'invalidFilter'],
      [{ method: 'GET', path: '/scim/v2/Users', query: { filter: `externalId eq "${big(4000)}"` } }, 200, undefined],
      [{ method: 'GET', path: '/scim/v2/Groups', query: { filter: `members[value eq "${big(3000)}"]` } }, 200, undefined],
      [{ method: 'GET', path: '/scim/v2/Users', query: { filter: `groups.value eq "${big(3000)}"` } }, 200, undefined],
      [{ method: 'GET', path: `/scim/v2/Users/${big(3000)}` }, 404, undefined],
      [{ method: 'DELETE', path: `/scim/v2/Groups/${big(3000)}` }, 404, undefined],
      [{ method: 'PUT', path: `/scim/v2/Users/${big(2000)}`, body: JSON.stringify(userBody('p@example.com')) }, 404, undefined],
      [{ method: 'GET', path: '/scim/v2/Users', query: { count: '99999999999999999999', startIndex: '1e20' } }, 400, 'invalidValue'],
      [{ method: 'GET', path: '/scim/v2/Users', query: { attributes: Array(2000).fill('userName').join(',') } }, 400, 'invalidValue'],
      // Nesting (lambda/scim/json-body.ts): 32 levels parse, 33 do not; nothing deeper reaches an operation.
      [{ method: 'POST', path: '/scim/v2/Users', body: deep(100_000) }, 400, 'invalidSyntax'],
      [{ method: 'POST', path: '/scim/v2/Users', body: JSON.stringify(userBody('deep@example.com', { title: JSON.parse(deep(2000)) })) }, 400, 'invalidSyntax'],
      [{ method: 'POST', path: '/scim/v2/Users', body: JSON.stringify(userBody('deep32@example.com', { title: JSON.parse(deep(31)) })) }, 400, 'invalidValue'],
      [{ method: 'POST', path: '/scim/v2/Users', body: JSON.stringify(userBody('deep33@example.com', { title: JSON.parse(deep(32)) })) }, 400, 'invalidSyntax'],
      // A PatchOp's own levels count: body, Operations, operation, value.
      [{ method: 'PATCH', path: `/scim/v2/Users/${userIds[0]}`, body: `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"add","value":{"title":${deep(28)}}}]}` }, 400, 'invalidValue'],
      [{ method: 'PATCH', path: `/scim/v2/Users/${userIds[0]}`, body: `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"add","value":{"title":${deep(29)}}}]}` }, 400, 'invalidSyntax'],
      // One attribute named twice (RFC 7643 §2.1).
      [{ method: 'POST', path: '/scim/v2/Users', body: '{"userName":"twice@example.com","USERNAME":"other@example.com"}' }, 400, 'invalidSyntax'],
      [{ method: 'PATCH', path: `/scim/v2/Users/${userIds[0]}`, body: `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"replace","path":"title","value":"a","VALUE":"b"}]}` }, 400, 'invalidSyntax'],
    ];
    const label = (r: Request) => `${r.method} ${r.path.slice(0, 50)} ${String(r.body ?? JSON.stringify(r.query ?? {})).slice(0, 70)}`;
    const answers: { request: string; status: number; scimType: string | undefined }[] = [];
    for (const [request] of cases) {
      const result = await run(request);
      const body = result.body ? JSON.parse(result.body) : {};
      answers.push({ request: label(request), status: result.statusCode, scimType: body.scimType });
      if (result.statusCode === 201) await run({ method: 'DELETE', path: `${request.path}/${body.id}` });
    }
    expect(answers).toEqual(cases.map(([request, status, scimType]) => ({ request: label(request), status, scimType })));
  });

  it('userNames and displayNames that are hard for keys: surrogates, 200-character cuts, case folding', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostile, fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }), fc.tuple(fc.nat({ max: 210 }), fc.constantFrom('😀', 'ß', 'İ', '\ud800', 'Σ')).map(([n, c]) => 'a'.repeat(n) + c + 'b')), kind, async (value, k) => {
        const body = k === 'Users' ? userBody(value) : { schemas: [GROUP_SCHEMA], displayName: value };
        const created = await run({ method: 'POST', path: `/scim/v2/${k}`, body: JSON.stringify(body) });
        const wellFormedValue = (value as string & { isWellFormed(): boolean }).isWellFormed();
        // An unpaired surrogate is refused at the edge (DynamoDB stores UTF-8); the rest is kept as sent.
        if (!wellFormedValue) expect(JSON.parse(created.body)).toMatchObject({ status: '400', scimType: 'invalidValue' });
        if (created.statusCode !== 201) return;
        const gotten = await run({ method: 'GET', path: `/scim/v2/${k}/${JSON.parse(created.body).id}` });
        expect(JSON.parse(gotten.body)[k === 'Users' ? 'userName' : 'displayName']).toBe(value);
        await run({ method: 'GET', path: `/scim/v2/${k}`, query: { filter: `${k === 'Users' ? 'userName' : 'displayName'} eq ${JSON.stringify(value)}` } });
        await run({ method: 'DELETE', path: `/scim/v2/${k}/${JSON.parse(created.body).id}` });
      }),
      options(60),
    );
  });

  // ---- nesting, equivalent names, repeated keys (issue 13) ----------------------------------

  /** A value nested `levels` deep, each level an array or an object of one member. */
  const nested = (levels: number, shapes: boolean[]): unknown => {
    let value: unknown = 'leaf';
    for (let i = 0; i < levels; i++) value = shapes[i % shapes.length] ? [value] : { k: value };
    return value;
  };
  let serial = 0;
  const fresh = (stem: string) => `${stem}-${SEED}-${++serial}@example.com`;
  const answerOf = (result: APIGatewayProxyResult) => {
    const body = result.body ? JSON.parse(result.body) : {};
    return { status: result.statusCode, scimType: body.scimType as string | undefined, body };
  };
  const holders = async (userName: string) => JSON.parse((await run({ method: 'GET', path: '/scim/v2/Users', query: { filter: `userName eq ${JSON.stringify(userName)}` } })).body).totalResults as number;

  it('nesting: bodies at and past 32 levels, in a user, a PATCH value and a Bulk operation after a valid one', async () => {
    const where = fc.constantFrom('POST', 'PATCH', 'Bulk');
    await fc.assert(
      fc.asyncProperty(where, fc.integer({ min: 0, max: 70 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }), async (at, levels, shapes) => {
        const title = nested(levels, shapes);
        const first = fresh('nest-first');
        // The levels of each envelope: a user's own object; a PatchOp's body, Operations, operation, value; a BulkRequest's body, Operations, operation, data.
        const [request, envelope] = ((): [Request, number] => {
          if (at === 'POST') return [{ method: 'POST', path: '/scim/v2/Users', body: JSON.stringify(userBody(fresh('nest'), { title })) }, 1];
          if (at === 'PATCH') return [{ method: 'PATCH', path: `/scim/v2/Users/${userIds[1]}`, body: JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'add', value: { title } }] }) }, 4];
          const Operations = [
            { method: 'POST', path: '/Users', bulkId: 'first', data: userBody(first) },
            { method: 'POST', path: '/Users', bulkId: 'deep', data: userBody(fresh('nest'), { title }) },
          ];
          return [{ method: 'POST', path: '/scim/v2/Bulk', body: JSON.stringify({ schemas: [BULK_REQUEST], Operations }) }, 4];
        })();
        const answer = answerOf(await run(request));
        if (envelope + levels > MAX_JSON_DEPTH) {
          expect({ status: answer.status, scimType: answer.scimType }).toEqual({ status: 400, scimType: 'invalidSyntax' });
          if (at === 'Bulk') expect(await holders(first)).toBe(0); // nothing before it committed
          return;
        }
        // title is a single string; a one-element array of it is taken as the string (clients send that).
        const plain = levels === 0 || (levels === 1 && shapes[0]);
        const expected = plain ? { status: at === 'POST' ? 201 : 200, scimType: undefined } : { status: 400, scimType: 'invalidValue' };
        if (at === 'Bulk') {
          expect(answer.status).toBe(200);
          const ops = answer.body.Operations as { status: string; location?: string; response?: { scimType?: string } }[];
          expect(ops.map((o) => [o.status, o.response?.scimType])).toEqual([['201', undefined], [String(expected.status === 200 ? 201 : 400), expected.scimType]]);
          for (const o of ops) if (o.location) await run({ method: 'DELETE', path: `/scim/v2/Users/${o.location.split('/').pop()}` });
          return;
        }
        expect({ status: answer.status, scimType: answer.scimType }).toEqual(expected);
        if (answer.status === 201) await run({ method: 'DELETE', path: `/scim/v2/Users/${answer.body.id}` });
      }),
      options(120),
    );
  });

  /** Spellings of one name (lambda/scim/unique-name.ts): each transformation keeps the comparison key. */
  const IGNORABLE = ['\u200b', '\u200c', '\u200d', '\u00ad', '\u200e', '\ufeff', '\ufe0f', '\u2060'];
  const spelling = fc.record({
    form: fc.constantFrom<'NFC' | 'NFD' | 'NFKC' | 'NFKD'>('NFC', 'NFD', 'NFKC', 'NFKD'),
    caseOf: fc.array(fc.constantFrom('upper', 'lower', 'keep'), { minLength: 1, maxLength: 8 }),
    fullwidth: fc.boolean(),
    ignorable: fc.array(fc.tuple(fc.nat(), fc.constantFrom(...IGNORABLE)), { maxLength: 3 }),
  });
  const respell = (name: string, how: { form: 'NFC' | 'NFD' | 'NFKC' | 'NFKD'; caseOf: string[]; fullwidth: boolean; ignorable: [number, string][] }) => {
    let chars = [...name.normalize(how.form)].map((c, i) => {
      const mode = how.caseOf[i % how.caseOf.length];
      const cased = mode === 'upper' ? c.toUpperCase() : mode === 'lower' ? c.toLowerCase() : c;
      return how.fullwidth ? [...cased].map((x) => (x >= '!' && x <= '~' ? String.fromCharCode(x.charCodeAt(0) + 0xfee0) : x)).join('') : cased;
    });
    for (const [at, char] of how.ignorable) chars = [...chars.slice(0, at % (chars.length + 1)), char, ...chars.slice(at % (chars.length + 1))];
    return chars.join('');
  };
  // Letters with precomposed and decomposed forms, case pairs that case folding joins (ß/SS, Σ/σ/ς), a ligature.
  const nameText = fc.array(fc.constantFrom('a', 'B', 'é', 'Å', 'ß', 'Σ', 'ς', 'ñ', 'Ǆ', 'ﬁ', 'ö', 'ﬀ', 'K', 'x', '1', '.'), { minLength: 1, maxLength: 10 }).map((c) => c.join(''));

  it('equivalent names: another normalisation form, case, width or invisible characters are the same name (409), found by filter, spelling kept', async () => {
    await fc.assert(
      fc.asyncProperty(nameText, spelling, fc.constantFrom<'Users' | 'Groups'>('Users', 'Groups'), async (stem, how, k) => {
        const attribute = k === 'Users' ? 'userName' : 'displayName';
        const name = `${stem}-${SEED}-${++serial}`;
        const variant = respell(name, how);
        const bodyOf = (value: string) => (k === 'Users' ? userBody(value) : { schemas: [GROUP_SCHEMA], displayName: value });
        const created = answerOf(await run({ method: 'POST', path: `/scim/v2/${k}`, body: JSON.stringify(bodyOf(name)) }));
        expect(created.status).toBe(201);
        expect(created.body[attribute]).toBe(name);
        const again = answerOf(await run({ method: 'POST', path: `/scim/v2/${k}`, body: JSON.stringify(bodyOf(variant)) }));
        expect({ status: again.status, scimType: again.scimType }).toEqual({ status: 409, scimType: 'uniqueness' });
        const found = answerOf(await run({ method: 'GET', path: `/scim/v2/${k}`, query: { filter: `${attribute} eq ${JSON.stringify(variant)}` } }));
        expect((found.body.Resources ?? []).map((r: Record<string, string>) => r[attribute])).toEqual([name]);
        expect(answerOf(await run({ method: 'DELETE', path: `/scim/v2/${k}/${created.body.id}` })).status).toBe(204);
        // Once the name is free, the other spelling is taken as sent.
        const second = answerOf(await run({ method: 'POST', path: `/scim/v2/${k}`, body: JSON.stringify(bodyOf(variant)) }));
        expect({ status: second.status, value: second.body[attribute] }).toEqual({ status: 201, value: variant });
        await run({ method: 'DELETE', path: `/scim/v2/${k}/${second.body.id}` });
      }),
      options(80),
    );
  });

  /** JSON text of `value` with one more member, `extra`, in the object `target` (identity). */
  const withExtraMember = (value: unknown, target: object, extra: [string, unknown]): string => {
    if (Array.isArray(value)) return `[${value.map((v) => withExtraMember(v, target, extra)).join(',')}]`;
    if (value === null || typeof value !== 'object') return JSON.stringify(value);
    const members = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${withExtraMember(v, target, extra)}`);
    if (value === target) members.push(`${JSON.stringify(extra[0])}:${JSON.stringify(extra[1])}`);
    return `{${members.join(',')}}`;
  };
  const recase = (key: string, pattern: boolean[]) => {
    const changed = [...key].map((c, i) => (pattern[i % pattern.length] ? c.toUpperCase() : c.toLowerCase())).join('');
    return changed;
  };

  it('repeated keys: a member named twice, exactly or in another case, at any depth of a user or a PATCH, is 400 invalidSyntax and nothing is written', async () => {
    const place = fc.constantFrom('root', 'name', 'email', 'enterprise', 'manager', 'operation', 'value');
    await fc.assert(
      fc.asyncProperty(place, fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }), fc.boolean(), async (at, pattern, exact) => {
        const userName = fresh('twice');
        const user = userBody(userName, { schemas: [USER_SCHEMA, ENTERPRISE], [ENTERPRISE]: { department: 'R&D', manager: { value: userIds[0] } } }) as Record<string, any>;
        const patch = { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { title: 'Boss', name: { givenName: 'Ada' } } }] };
        const targets: Record<string, [object, object, string]> = {
          root: [user, user, 'userName'],
          name: [user, user.name, 'givenName'],
          email: [user, user.emails[0], 'value'],
          enterprise: [user, user[ENTERPRISE], 'department'],
          manager: [user, user[ENTERPRISE].manager, 'value'],
          operation: [patch, patch.Operations[0], 'op'],
          value: [patch, patch.Operations[0].value.name, 'givenName'],
        };
        const [document, target, key] = targets[at];
        const twin = exact ? key : recase(key, pattern) === key ? key.toUpperCase() : recase(key, pattern);
        const text = withExtraMember(document, target, [twin, key === 'op' ? 'add' : 'other@example.com']);
        const isPatch = document === patch;
        const answer = answerOf(await run(isPatch ? { method: 'PATCH', path: `/scim/v2/Users/${userIds[2]}`, body: text } : { method: 'POST', path: '/scim/v2/Users', body: text }));
        expect({ status: answer.status, scimType: answer.scimType }).toEqual({ status: 400, scimType: 'invalidSyntax' });
        if (!isPatch) expect(await holders(userName)).toBe(0);
        else expect(JSON.parse((await run({ method: 'GET', path: `/scim/v2/Users/${userIds[2]}` })).body).title).not.toBe('Boss');
        // The same document without the twin is accepted.
        const clean = answerOf(await run(isPatch ? { method: 'PATCH', path: `/scim/v2/Users/${userIds[2]}`, body: JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Staff' }] }) } : { method: 'POST', path: '/scim/v2/Users', body: JSON.stringify(document) }));
        expect(clean.status).toBe(isPatch ? 200 : 201);
        if (!isPatch) await run({ method: 'DELETE', path: `/scim/v2/Users/${clean.body.id}` });
      }),
      options(100),
    );
  });
});
