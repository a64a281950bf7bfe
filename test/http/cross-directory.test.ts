import { randomUUID } from 'node:crypto';
import { FUNCTION_ROUTES } from '../../lambda/handlers/routes';
import type { Route } from '../../lambda/http/router';
import { FUNCTION_FACTORIES } from '../../lib/local/server';
import { scimAt, startDirectoriesServer } from '../support/directories';
import { GROUP, PATCH_OP, USER_SCHEMA } from '../support/server';
import type { Answer } from '../support/workload';

/**
 * The cross-directory probe matrix over HTTP on the local endpoint. Three directories hold
 * users and groups of the same names (the deployment's own, `alpha` and `beta`); beta also has
 * a user and a group of its own. With a token of alpha, every route and method of the route
 * table (generated from it, so a new route cannot be missed) is called:
 *
 * - at beta's and at the deployment's own Base URL: answered exactly as an unknown token is;
 * - at alpha's, naming beta's (and the deployment's) ids in paths, bodies, every filter form the
 *   planner has, sort, cursors, `.search` at the root, Bulk with bulkId references, and a PATCH
 *   adding a member who exists only in beta: answered exactly as for ids that exist nowhere
 *   (the same answer with the id swapped), with nothing written.
 *
 * - with a `read` token of beta: everything of beta readable, nothing writable (403), and at
 *   alpha's Base URL every route answered exactly as an unknown token is;
 * - the audit trail (`GET /Audit`): each directory's entries only, a resource or actor of
 *   another directory answered as one of nowhere, an audit cursor of another directory refused.
 *
 * No answer may contain a resource, id, count or error detail of another directory.
 */
describe('cross-directory probes: a token of one directory reveals and touches nothing of another', () => {
  jest.setTimeout(240_000);
  let server: Awaited<ReturnType<typeof startDirectoriesServer>>;
  type Client = ReturnType<typeof scimAt>;
  let alpha: Client;
  let alphaAtBeta: Client;
  let alphaAtHome: Client;
  let beta: Client;
  let home: Client;
  let unknownAtBeta: Client;
  let unknownAtHome: Client;
  let unknownAtAlpha: Client;
  let betaReader: Client;
  let betaReaderAtAlpha: Client;
  const urls = { alpha: '', beta: '' };
  /** Ids and names by directory. */
  const ids: Record<'alpha' | 'beta' | 'home', { users: Record<string, string>; groups: Record<string, string> }> = {
    alpha: { users: {}, groups: {} },
    beta: { users: {}, groups: {} },
    home: { users: {}, groups: {} },
  };
  /**
   * Names alpha's own probes create in alpha (uniqueness is per directory, so beta's names are
   * free there): alpha's audit trail rightly records them once they were written.
   */
  const ALPHA_WROTE = 'only-b@example.com Only B';
  /** Every string of another directory no answer to alpha's token may hold (but what the probe itself sent). */
  let foreign: string[] = [];
  let probes = 0;
  const covered = new Set<string>();

  /** A directory's users and groups: the same names in each, so only the directory tells them apart. */
  async function populate(client: Client, into: (typeof ids)['alpha'], extra: boolean) {
    for (const name of ['ada', 'bob', 'cy', ...(extra ? ['only-b'] : [])]) {
      const created = await client('POST', '/Users', { schemas: [USER_SCHEMA], userName: `${name}@example.com`, externalId: `ext-${name}`, displayName: name });
      expect(created.status).toBe(201);
      into.users[name] = created.json.id;
    }
    const groups: [string, string[]][] = [
      ['Engineering', ['ada', 'bob']],
      ['Sales', ['cy']],
      ...(extra ? ([['Only B', ['only-b', 'ada']]] as [string, string[]][]) : []),
    ];
    for (const [name, members] of groups) {
      const created = await client('POST', '/Groups', { schemas: [GROUP], displayName: name, members: members.map((m) => ({ value: into.users[m] })) });
      expect(created.status).toBe(201);
      into.groups[name] = created.json.id;
    }
  }

  /** What alpha's, beta's and the deployment's own directory hold, read with their own tokens. */
  const snapshot = async () => {
    const read = async (client: Client) => [
      (await client('GET', '/Users?count=100&sortBy=userName')).json,
      (await client('GET', '/Groups?count=100&sortBy=displayName')).json,
    ];
    return { alpha: await read(alpha), beta: await read(beta), home: await read(home) };
  };

  beforeAll(async () => {
    server = await startDirectoriesServer();
    // Each directory with the first token `npm run directory -- create` made for it.
    const made = { alpha: await server.newDirectory('alpha'), beta: await server.newDirectory('beta') };
    urls.alpha = made.alpha.baseUrl;
    urls.beta = made.beta.baseUrl;
    const alphaToken = made.alpha.firstToken.token;
    alpha = scimAt(urls.alpha, alphaToken);
    alphaAtBeta = scimAt(urls.beta, alphaToken);
    alphaAtHome = scimAt(server.baseUrl, alphaToken);
    beta = scimAt(urls.beta, made.beta.firstToken.token);
    home = scimAt(server.baseUrl, await server.newToken());
    unknownAtBeta = scimAt(urls.beta, 'not-a-token-of-anyone-0123456789');
    unknownAtHome = scimAt(server.baseUrl, 'not-a-token-of-anyone-0123456789');
    unknownAtAlpha = scimAt(urls.alpha, 'not-a-token-of-anyone-0123456789');
    const reader = await server.token('create', '--name', 'beta-reader', '--scope', 'read', '--directory', 'beta', '--json');
    expect(reader.code).toBe(0);
    betaReader = scimAt(urls.beta, JSON.parse(reader.out).token);
    betaReaderAtAlpha = scimAt(urls.alpha, JSON.parse(reader.out).token);
    await populate(home, ids.home, false);
    await populate(alpha, ids.alpha, false);
    await populate(beta, ids.beta, true);
    foreign = [
      ...Object.values(ids.beta.users),
      ...Object.values(ids.beta.groups),
      ...Object.values(ids.home.users),
      ...Object.values(ids.home.groups),
      'only-b',
      'Only B',
    ];
  });
  afterAll(() => server.stop());

  /** Alpha's answer may hold nothing of another directory but what the request itself sent. */
  function expectNothingForeign(answer: Answer, sent: string) {
    probes++;
    const leaked = foreign.filter((value) => !sent.includes(value) && answer.text.includes(value));
    expect(leaked).toEqual([]);
    for (const resource of answer.json?.Resources ?? []) {
      // Users and groups listed must be alpha's (discovery lists schemas and resource types).
      if (['User', 'Group'].includes(resource.meta?.resourceType)) {
        expect([...Object.values(ids.alpha.users), ...Object.values(ids.alpha.groups)]).toContain(resource.id);
      }
    }
  }

  /** The answer to a foreign value equals the answer to a value that exists nowhere, the value swapped. */
  async function expectLikeNowhere(send: (value: string) => Promise<Answer>, value: string, describeIt: string) {
    const nowhere = randomUUID();
    const [foreignAnswer, control] = await Promise.all([send(value), send(nowhere)]);
    expectNothingForeign(foreignAnswer, value);
    probes++;
    expect({ probe: describeIt, status: foreignAnswer.status, body: foreignAnswer.text.split(value).join('<value>') }).toEqual({
      probe: describeIt,
      status: control.status,
      body: control.text.split(nowhere).join('<value>'),
    });
    return foreignAnswer;
  }

  /** Every route of every function, as the local endpoint and API Gateway serve them. */
  const routeTable: { fn: string; method: string; pattern: string }[] = FUNCTION_ROUTES.flatMap((fn) =>
    FUNCTION_FACTORIES[fn.id]({ client: undefined as never, tableName: 'none', directoryId: 'none' }).map((r: Route) => ({
      fn: fn.id,
      method: r.method,
      pattern: r.pattern.join('/'),
    })),
  );

  /** A body for a route (beta's values in it where it takes any), or undefined for none. */
  function bodyFor(method: string, pattern: string, value: string): unknown {
    if (method === 'GET' || method === 'DELETE') return undefined;
    const [resource, rest] = pattern.split('/');
    if (rest === '.search' || resource === '.search') return { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: `id eq "${value}"` };
    if (resource === 'Users') return method === 'PATCH' ? { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'x' }] } : { schemas: [USER_SCHEMA], userName: `${value}@example.com` };
    if (resource === 'Groups') {
      return method === 'PATCH'
        ? { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value }] }] }
        : { schemas: [GROUP], displayName: `probe ${value}`, members: [{ value }] };
    }
    if (resource === 'Bulk') {
      return { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [{ method: 'DELETE', path: `/Users/${value}` }] };
    }
    return { schemas: [PATCH_OP] };
  }

  /** The path of a route naming `value` where it takes an id. */
  const pathFor = (pattern: string, value: string) => '/' + pattern.replace(/:[a-z]+/g, encodeURIComponent(value));

  it('has routes to probe: every function of the route table', () => {
    expect(new Set(routeTable.map((r) => r.fn))).toEqual(new Set(FUNCTION_ROUTES.map((f) => f.id)));
    expect(routeTable.length).toBeGreaterThanOrEqual(25);
  });

  it("answers a token of alpha at beta's Base URL, and at the deployment's own, exactly as an unknown token, on every route and method", async () => {
    for (const { method, pattern } of routeTable) {
      for (const [withAlpha, withUnknown] of [
        [alphaAtBeta, unknownAtBeta],
        [alphaAtHome, unknownAtHome],
        // A read token of beta at alpha's Base URL: refused as unknown, before its scope could say 403.
        [betaReaderAtAlpha, unknownAtAlpha],
      ] as const) {
        // Paths naming beta's own ids, and alpha's: neither tells anything.
        for (const value of [ids.beta.users.ada, ids.alpha.users.ada, ids.beta.groups['Only B']]) {
          const body = bodyFor(method, pattern, value);
          const [a, u] = await Promise.all([withAlpha(method, pathFor(pattern, value), body), withUnknown(method, pathFor(pattern, value), body)]);
          probes++;
          expect({ route: `${method} ${pattern}`, status: a.status, body: a.text, auth: a.headers.get('www-authenticate') }).toEqual({
            route: `${method} ${pattern}`,
            status: 401,
            body: u.text,
            auth: u.headers.get('www-authenticate'),
          });
          covered.add(`${method} ${pattern} elsewhere`);
        }
      }
    }
  });

  it("answers beta's and the deployment's ids on every route at alpha's Base URL as ids that exist nowhere", async () => {
    const before = await snapshot();
    for (const { method, pattern } of routeTable) {
      if (!pattern.includes(':')) continue;
      for (const value of [ids.beta.users['only-b'], ids.beta.groups['Only B'], ids.beta.users.ada, ids.home.groups.Engineering]) {
        await expectLikeNowhere((v) => alpha(method, pathFor(pattern, v), bodyFor(method, pattern, v)), value, `${method} ${pattern}`);
      }
      covered.add(`${method} ${pattern} here`);
    }
    expect(await snapshot()).toEqual(before);
  });

  it("creates, lists and searches at alpha's Base URL seeing and blocking nothing of beta", async () => {
    for (const { method, pattern } of routeTable.filter((r) => !r.pattern.includes(':'))) {
      const path = `/${pattern}`;
      if (method === 'POST' && (pattern === 'Users' || pattern === 'Groups')) {
        // A name beta has is free in alpha (uniqueness is per directory); a member of beta is refused as a user of nowhere.
        const body = pattern === 'Users' ? { schemas: [USER_SCHEMA], userName: 'only-b@example.com' } : { schemas: [GROUP], displayName: 'Only B' };
        const created = await alpha('POST', path, body);
        expectNothingForeign(created, JSON.stringify(body));
        expect(created.status).toBe(201);
        expect(Object.values(ids.beta.users).concat(Object.values(ids.beta.groups))).not.toContain(created.json.id);
        expect((await alpha('DELETE', `${path}/${created.json.id}`)).status).toBe(204);
        if (pattern === 'Groups') {
          await expectLikeNowhere((v) => alpha('POST', path, { schemas: [GROUP], displayName: 'With a member', members: [{ value: v }] }), ids.beta.users['only-b'], 'POST Groups with a member of beta');
        }
      } else if (method === 'POST' && pattern === 'Bulk') {
        continue; // its own case below covers it
      } else if (method === 'POST' || method === 'GET') {
        const answer = await alpha(method, path, bodyFor(method, pattern, randomUUID()));
        expectNothingForeign(answer, pattern === 'Audit' ? ALPHA_WROTE : '');
        expect(answer.status).not.toBe(500);
      } else {
        const answer = await alpha(method, path);
        expectNothingForeign(answer, '');
      }
      covered.add(`${method} ${pattern} here`);
    }
  });

  /** Every filter form the planner has, each with a value of beta's and one that exists in alpha too. */
  const filters = () => ({
    Users: [
      [`id eq "${ids.beta.users.ada}"`, 0],
      [`userName eq "only-b@example.com"`, 0],
      [`userName eq "ada@example.com"`, 1],
      [`externalId eq "ext-only-b"`, 0],
      [`externalId eq "ext-ada"`, 1],
      [`groups.value eq "${ids.beta.groups['Only B']}"`, 0],
      [`groups.value eq "${ids.beta.groups.Engineering}"`, 0],
      [`userName co "only"`, 0],
      [`userName sw "a" and active pr`, 0],
      [`displayName sw "ad"`, 1],
    ],
    Groups: [
      [`id eq "${ids.beta.groups.Engineering}"`, 0],
      [`displayName eq "Only B"`, 0],
      [`displayName eq "Engineering"`, 1],
      [`members[value eq "${ids.beta.users['only-b']}"]`, 0],
      [`members[value eq "${ids.beta.users.ada}"]`, 0],
      [`members.value eq "${ids.alpha.users.ada}"`, 1],
      [`displayName co "Only"`, 0],
      [`members eq "${ids.beta.users.ada}" or displayName eq "Sales"`, 1],
    ],
  });

  it('filters, sorts and searches (GET, POST .search, POST /.search at the root) within alpha only', async () => {
    for (const [resource, cases] of Object.entries(filters()) as [string, [string, number][]][]) {
      for (const [filter, expected] of cases) {
        for (const [how, send] of [
          ['GET', () => alpha('GET', `/${resource}?filter=${encodeURIComponent(filter)}`)],
          ['GET sorted', () => alpha('GET', `/${resource}?filter=${encodeURIComponent(filter)}&sortBy=${resource === 'Users' ? 'userName' : 'displayName'}&sortOrder=descending`)],
          ['POST .search', () => alpha('POST', `/${resource}/.search`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter })],
          ['POST /.search', () => alpha('POST', '/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter })],
          ['GET cursor', () => alpha('GET', `/${resource}?filter=${encodeURIComponent(filter)}&cursor=&count=5`)],
        ] as const) {
          const answer = await send();
          expectNothingForeign(answer, filter);
          expect({ how, filter, status: answer.status, total: answer.json?.totalResults }).toEqual({ how, filter, status: 200, total: how === 'POST /.search' ? expect.any(Number) : expected });
        }
      }
    }
    // A filter naming beta's values answers as one naming values that exist nowhere.
    await expectLikeNowhere((v) => alpha('GET', `/Users?filter=${encodeURIComponent(`groups.value eq "${v}"`)}`), ids.beta.groups.Engineering, 'groups.value eq');
    await expectLikeNowhere((v) => alpha('GET', `/Groups?filter=${encodeURIComponent(`members[value eq "${v}"]`)}`), ids.beta.users['only-b'], 'members[value eq]');
    await expectLikeNowhere((v) => alpha('GET', `/Users?filter=${encodeURIComponent(`id eq "${v}"`)}`), ids.beta.users.ada, 'id eq');
    // Unfiltered and sorted lists count alpha's own: 3 users and 2 groups (beta has 4 and 3, the deployment's own 3 and 2).
    for (const path of ['/Users', '/Users?sortBy=displayName&sortOrder=descending', '/Users?cursor=&count=2', '/Groups', '/Groups?sortBy=displayName']) {
      const answer = await alpha('GET', path);
      expectNothingForeign(answer, '');
      expect(answer.json.totalResults).toBe(path.startsWith('/Users') ? 3 : 2);
    }
  });

  it("refuses a cursor of one directory in another with 400, and alpha's cursor at beta's Base URL with 401", async () => {
    const cursorOf = async (client: Client) => (await client('GET', '/Users?cursor=&count=1')).json.nextCursor as string;
    const [a, b, h] = [await cursorOf(alpha), await cursorOf(beta), await cursorOf(home)];
    expect([a, b, h].every((c) => typeof c === 'string')).toBe(true);
    for (const [client, cursor] of [
      [beta, a],
      [home, a],
      [alpha, b],
      [alpha, h],
      [beta, h],
    ] as const) {
      for (const path of [`/Users?cursor=${cursor}&count=1`, `/Groups?cursor=${cursor}`]) {
        const answer = await client('GET', path);
        probes++;
        expect({ path, status: answer.status, scimType: answer.json.scimType }).toEqual({ path, status: 400, scimType: 'invalidCursor' });
      }
      const searched = await client('POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], cursor, count: 1 });
      probes++;
      expect(searched.status).toBe(400);
    }
    const elsewhere = await alphaAtBeta('GET', `/Users?cursor=${a}`);
    probes++;
    expect(elsewhere.status).toBe(401);
    // Each directory's own cursor still works.
    expect((await alpha('GET', `/Users?cursor=${a}&count=5`)).json.Resources.map((r: { id: string }) => r.id).every((id: string) => Object.values(ids.alpha.users).includes(id))).toBe(true);
  });

  it('runs Bulk with bulkId references within alpha: operations naming beta answer as for ids of nowhere, and write nothing', async () => {
    const before = await snapshot();
    const bulk = (member: string, user: string, group: string, name: string) => ({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'nu', data: { schemas: [USER_SCHEMA], userName: `${name}@example.com` } },
        { method: 'POST', path: '/Groups', bulkId: 'ng', data: { schemas: [GROUP], displayName: name, members: [{ value: 'bulkId:nu' }, { value: member }] } },
        { method: 'PATCH', path: `/Users/${user}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] } },
        { method: 'PUT', path: `/Users/${user}`, data: { schemas: [USER_SCHEMA], userName: 'ada@example.com' } },
        { method: 'DELETE', path: `/Groups/${group}` },
        { method: 'PATCH', path: `/Groups/${ids.alpha.groups.Engineering}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: member }] }] } },
      ],
    });
    const sent = [ids.beta.users['only-b'], ids.beta.users.ada, ids.beta.groups['Only B']];
    const nowhere = [randomUUID(), randomUUID(), randomUUID()];
    const foreignRun = await alpha('POST', '/Bulk', bulk(sent[0], sent[1], sent[2], 'bulk-probe'));
    const control = await alpha('POST', '/Bulk', bulk(nowhere[0], nowhere[1], nowhere[2], 'bulk-control'));
    expectNothingForeign(foreignRun, sent.join(' '));
    const statuses = (answer: Answer) => answer.json.Operations.map((o: { status: string }) => o.status);
    expect(statuses(foreignRun)).toEqual(['201', '400', '404', '404', '404', '400']);
    expect(statuses(control)).toEqual(statuses(foreignRun));
    // Each refusal says what it says of an id of nowhere (the ids swapped for placeholders).
    const details = (answer: Answer, values: string[]) =>
      answer.json.Operations.slice(1).map((o: { response?: unknown }) => values.reduce((text, v, i) => text.split(v).join(`<${i}>`), JSON.stringify(o.response)));
    probes += 5;
    expect(details(foreignRun, sent)).toEqual(details(control, nowhere));
    covered.add('POST Bulk here');
    // Nothing of the refused operations was written: only the two users the POSTs created.
    const after = await snapshot();
    expect(after.beta).toEqual(before.beta);
    expect(after.home).toEqual(before.home);
    expect(after.alpha[1]).toEqual(before.alpha[1]);
    expect(after.alpha[0].totalResults).toBe(before.alpha[0].totalResults + 2);
    for (const run of [foreignRun, control]) expect((await alpha('DELETE', run.json.Operations[0].location.replace(urls.alpha, ''))).status).toBe(204);
  });

  it('refuses a PATCH adding a member who exists only in beta with 400, writing nothing in either directory', async () => {
    const before = await snapshot();
    const patch = (v: string) =>
      alpha('PATCH', `/Groups/${ids.alpha.groups.Engineering}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: v }, { value: ids.alpha.users.cy }] }] });
    const answer = await expectLikeNowhere(patch, ids.beta.users['only-b'], 'PATCH add a member of beta');
    expect(answer.status).toBe(400);
    expect(answer.json.scimType).toBe('invalidValue');
    // The same with the member as a path filter and a replace of the whole list.
    await expectLikeNowhere(
      (v) => alpha('PATCH', `/Groups/${ids.alpha.groups.Engineering}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'members', value: [{ value: v }] }] }),
      ids.beta.users['only-b'],
      'PATCH replace members with a member of beta',
    );
    await expectLikeNowhere(
      (v) => alpha('PUT', `/Groups/${ids.alpha.groups.Sales}`, { schemas: [GROUP], displayName: 'Sales', members: [{ value: v }] }),
      ids.beta.users.ada,
      'PUT members with a member of beta',
    );
    expect(await snapshot()).toEqual(before);
    const onlyB = await beta('GET', `/Users/${ids.beta.users['only-b']}`);
    expect(onlyB.json.groups.map((g: { value: string }) => g.value)).toEqual([ids.beta.groups['Only B']]);
  });

  it("reads each directory's audit trail only: no entry, resource, actor or cursor of another", async () => {
    const trail = async (client: Client, query = 'count=200') => {
      const answer = await client('GET', `/Audit?${query}`);
      expect(answer.status).toBe(200);
      return answer.json.Resources as { directory: string; resourceId: string; actor: { name: string } }[];
    };
    const alphaTrail = await trail(alpha);
    expectNothingForeign(await alpha('GET', '/Audit?count=200'), ALPHA_WROTE);
    // Alpha's own changes are there (its 3 users and 2 groups among them), each of alpha, by alpha's token.
    expect(alphaTrail.length).toBeGreaterThanOrEqual(5);
    expect(new Set(alphaTrail.map((e) => e.directory))).toEqual(new Set(['alpha']));
    expect(new Set(alphaTrail.map((e) => e.actor.name))).toEqual(new Set(['alpha']));
    for (const id of [...Object.values(ids.alpha.users), ...Object.values(ids.alpha.groups)]) expect(alphaTrail.map((e) => e.resourceId)).toContain(id);
    const betaTrail = await trail(beta);
    expect(new Set(betaTrail.map((e) => e.directory))).toEqual(new Set(['beta']));
    expect(betaTrail.map((e) => e.resourceId)).toContain(ids.beta.users['only-b']);
    // A resource or an actor of beta, asked of alpha's trail, answers as one of nowhere.
    await expectLikeNowhere((v) => alpha('GET', `/Audit?resourceId=${encodeURIComponent(v)}`), ids.beta.users['only-b'], 'GET Audit resourceId of beta');
    await expectLikeNowhere((v) => alpha('GET', `/Audit?resourceId=${encodeURIComponent(v)}`), ids.beta.users.ada, 'GET Audit resourceId of beta (same name in alpha)');
    await expectLikeNowhere((v) => alpha('GET', `/Audit?actor=${encodeURIComponent(v)}`), 'beta', 'GET Audit actor of beta');
    // Beta's read token reads beta's trail, the same as beta's provisioning token does.
    expect((await trail(betaReader)).map((e) => e.resourceId)).toEqual(betaTrail.map((e) => e.resourceId));
    // An audit cursor of one directory is refused by another (400), as cursors of users and groups are.
    const cursorOf = async (client: Client) => (await client('GET', '/Audit?count=1')).json.nextCursor as string;
    const [a, b] = [await cursorOf(alpha), await cursorOf(beta)];
    for (const [client, cursor] of [
      [alpha, b],
      [beta, a],
      [betaReader, a],
    ] as const) {
      const answer = await client('GET', `/Audit?count=1&cursor=${cursor}`);
      probes++;
      expect({ status: answer.status, scimType: answer.json.scimType }).toEqual({ status: 400, scimType: 'invalidCursor' });
    }
    expect((await alpha('GET', `/Audit?count=1&cursor=${a}`)).status).toBe(200);
    covered.add('GET Audit audit');
  });

  it("lets a read token of beta read beta and write nothing there, Bulk included", async () => {
    const before = await snapshot();
    for (const path of ['/Users', `/Users/${ids.beta.users['only-b']}`, '/Groups', `/Groups/${ids.beta.groups['Only B']}`, '/Audit', '/ServiceProviderConfig']) {
      const answer = await betaReader('GET', path);
      probes++;
      expect({ path, status: answer.status }).toEqual({ path, status: 200 });
    }
    const searched = await betaReader('POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'userName eq "only-b@example.com"' });
    expect(searched.json.totalResults).toBe(1);
    for (const { method, pattern } of routeTable.filter((r) => r.method !== 'GET' && !r.pattern.endsWith('.search'))) {
      const value = ids.beta.users['only-b'];
      const answer = await betaReader(method, pathFor(pattern, value), bodyFor(method, pattern, value));
      probes++;
      expect({ route: `${method} ${pattern}`, status: answer.status, scimType: answer.json?.scimType }).toEqual({ route: `${method} ${pattern}`, status: 403, scimType: undefined });
    }
    expect(await snapshot()).toEqual(before);
  });

  it('probed every route and method of the route table, elsewhere and here', () => {
    for (const { method, pattern } of routeTable) {
      expect(covered).toContain(`${method} ${pattern} elsewhere`);
      expect(covered).toContain(`${method} ${pattern} here`);
    }
    // The closing note of issue 16 quotes this figure.
    process.stdout.write(`cross-directory probes: ${probes} over ${routeTable.length} routes\n`);
    expect(probes).toBeGreaterThan(routeTable.length * 10);
  });
});
