import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ENTERPRISE, ERROR, GROUP, LIST, PATCH_OP, startTestServer, TEST_TOKEN, USER_SCHEMA, userBody } from '../support/server';


describe('/Users over HTTP against the local endpoint', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());
  const scim = (...args: Parameters<typeof server.scim>) => server.scim(...args);
  const patch = (id: string, Operations: unknown[], headers?: Record<string, string>) =>
    scim('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations }, headers);

  describe('authentication', () => {
    it.each([
      ['no Authorization header', {}],
      ['an unknown token', { Authorization: 'Bearer not-the-token' }],
      ['the Basic scheme', { Authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }],
      ['Bearer without a token', { Authorization: 'Bearer ' }],
      ['the token without a scheme', { Authorization: TEST_TOKEN }],
      ['the token with a suffix', { Authorization: `Bearer ${TEST_TOKEN}x` }],
    ])('refuses %s with 401, a SCIM body and WWW-Authenticate', async (_name, headers) => {
      const res = await fetch(`${server.baseUrl}/Users`, { headers });
      const body = await res.json();
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(body).toMatchObject({ schemas: [ERROR], status: '401' });
      expect(JSON.stringify(body)).not.toContain(TEST_TOKEN);
    });

    it('accepts the token with any case of "Bearer"', async () => {
      const res = await scim('GET', '/Users', undefined, { Authorization: `bearer ${TEST_TOKEN}` });
      expect(res.status).toBe(200);
    });
  });

  describe('POST /Users', () => {
    it('creates a user: 201, Location, ETag, scim+json, meta, id as a string', async () => {
      const res = await scim('POST', '/Users', userBody('Jane.Doe@Example.com', { externalId: 'jc-1' }));
      expect(res.status).toBe(201);
      expect(res.headers.get('content-type')).toBe('application/scim+json');
      expect(typeof res.json.id).toBe('string');
      expect(res.headers.get('location')).toBe(`${server.baseUrl}/Users/${res.json.id}`);
      expect(res.headers.get('etag')).toBe(res.json.meta.version);
      expect(res.json).toMatchObject({
        schemas: [USER_SCHEMA],
        userName: 'Jane.Doe@Example.com',
        externalId: 'jc-1',
        active: true,
        meta: { resourceType: 'User', location: res.headers.get('location'), version: 'W/"1"' },
      });
      expect(Date.parse(res.json.meta.created)).not.toBeNaN();
      expect(res.json.meta.created).toBe(res.json.meta.lastModified);
    });

    it('refuses the same userName in another case with 409 uniqueness', async () => {
      const res = await scim('POST', '/Users', userBody('jane.doe@example.COM'));
      expect(res.status).toBe(409);
      expect(res.json).toMatchObject({ schemas: [ERROR], status: '409', scimType: 'uniqueness' });
    });

    it('lets exactly one of 20 racing creates of one userName win', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, () => scim('POST', '/Users', userBody('race@example.com'))));
      expect(results.filter((r) => r.status === 201)).toHaveLength(1);
      expect(results.filter((r) => r.status === 409 && r.json.scimType === 'uniqueness')).toHaveLength(19);
      const list = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "race@example.com"')}`);
      expect(list.json.totalResults).toBe(1);
    });

    it('ignores id, meta and groups sent by the client, and unknown attributes', async () => {
      const res = await scim(
        'POST',
        '/Users',
        userBody('readonly@example.com', {
          id: 'client-chosen',
          meta: { created: '2001-01-01T00:00:00Z' },
          groups: [{ value: 'g1' }],
          password: 'Secret-123',
          favouriteColour: 'blue',
        }),
      );
      expect(res.status).toBe(201);
      expect(res.json.id).not.toBe('client-chosen');
      expect(res.json.meta.created).not.toBe('2001-01-01T00:00:00Z');
      expect(res.json.groups).toBeUndefined();
      expect(res.json.password).toBeUndefined();
      expect(res.json.favouriteColour).toBeUndefined();
      expect(res.text).not.toContain('Secret-123');
    });

    it('keeps several emails, phone numbers and addresses, and the enterprise extension', async () => {
      const res = await scim(
        'POST',
        '/Users',
        userBody('multi@example.com', {
          schemas: [USER_SCHEMA, ENTERPRISE],
          emails: [
            { value: 'multi@example.com', type: 'work', primary: true },
            { value: 'multi@home.example', type: 'home' },
          ],
          phoneNumbers: [{ value: '+1 555 0100', type: 'work' }, { value: '+1 555 0101', type: 'mobile' }],
          addresses: [{ locality: 'Oslo', type: 'work' }, { locality: 'Bergen', type: 'home' }],
          [ENTERPRISE]: { department: 'Security', manager: { value: 'boss-id' } },
        }),
      );
      expect(res.status).toBe(201);
      expect(res.json.emails).toHaveLength(2);
      expect(res.json.phoneNumbers).toHaveLength(2);
      expect(res.json.addresses).toHaveLength(2);
      expect(res.json.schemas).toEqual([USER_SCHEMA, ENTERPRISE]);
      expect(res.json[ENTERPRISE]).toEqual({ department: 'Security', manager: { value: 'boss-id' } });
    });

    it.each([
      ['a missing userName', { schemas: [USER_SCHEMA], name: { givenName: 'a' } }, 400, 'invalidValue'],
      ['an empty userName', { schemas: [USER_SCHEMA], userName: '  ' }, 400, 'invalidValue'],
      ['a userName that is a number', { schemas: [USER_SCHEMA], userName: 42 }, 400, 'invalidValue'],
      ['active as "maybe"', userBody('t1@example.com', { active: 'maybe' }), 400, 'invalidValue'],
      ['name as a string', userBody('t2@example.com', { name: 'Jane' }), 400, 'invalidValue'],
      ['two primary emails', userBody('t3@example.com', { emails: [{ value: 'a', primary: true }, { value: 'b', primary: true }] }), 400, 'invalidValue'],
      ['the Group schema', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], userName: 'x' }, 400, 'invalidValue'],
      ['a JSON array', [userBody('t4@example.com')], 400, 'invalidSyntax'],
      ['malformed JSON', '{"userName": "x",', 400, 'invalidSyntax'],
      ['an empty body', '', 400, 'invalidSyntax'],
    ])('refuses %s with a SCIM error', async (_name, body, status, scimType) => {
      const res = await scim('POST', '/Users', body);
      expect(res.status).toBe(status);
      expect(res.json).toMatchObject({ schemas: [ERROR], status: String(status), scimType });
      expect(res.text).not.toMatch(/at .*\.ts:\d+/);
    });

    it('accepts "True"/"False" strings for booleans (Microsoft Entra ID)', async () => {
      const res = await scim('POST', '/Users', userBody('entra-bool@example.com', { active: 'False' }));
      expect(res.status).toBe(201);
      expect(res.json.active).toBe(false);
    });

    it('accepts application/json and refuses other media types with 415', async () => {
      const json = await scim('POST', '/Users', userBody('plainjson@example.com'), { 'Content-Type': 'application/json; charset=utf-8' });
      expect(json.status).toBe(201);
      const form = await scim('POST', '/Users', 'userName=x', { 'Content-Type': 'application/x-www-form-urlencoded' });
      expect(form.status).toBe(415);
      expect(form.json.schemas).toEqual([ERROR]);
    });

    it('refuses a body over 1 MiB with 413 and stores nothing', async () => {
      const big = userBody('big@example.com', { title: 'x'.repeat(1024 * 1024) });
      const res = await scim('POST', '/Users', big);
      expect(res.status).toBe(413);
      const list = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "big@example.com"')}`);
      expect(list.json.totalResults).toBe(0);
    });
  });

  describe('GET', () => {
    let id: string;
    beforeAll(async () => {
      id = (await scim('POST', '/Users', userBody('getme@example.com', { externalId: 'ext-getme', title: 'Engineer' }))).json.id;
    });

    it('reads a user by id with its ETag', async () => {
      const res = await scim('GET', `/Users/${id}`);
      expect(res.status).toBe(200);
      expect(res.json.userName).toBe('getme@example.com');
      expect(res.headers.get('etag')).toBe('W/"1"');
    });

    it.each([
      ['an unknown id', 'does-not-exist'],
      ['an encoded path traversal', '..%2F..%2Fetc%2Fpasswd'],
      ['a 3,000-character id', 'x'.repeat(3000)],
      ['an emoji', '%F0%9F%98%80'],
      ['an SQL injection', encodeURIComponent("' OR 1=1 --")],
      ['a bad percent-encoding', '%E0%A4%A'],
    ])('answers 404 with a SCIM body for %s', async (_name, bad) => {
      const res = await scim('GET', `/Users/${bad}`);
      expect(res.status).toBe(404);
      expect(res.json).toMatchObject({ schemas: [ERROR], status: '404' });
    });

    it('tolerates a doubled slash after the Base URL (JumpCloud with a trailing slash)', async () => {
      const res = await fetch(`${server.baseUrl}//Users/${id}`, { headers: { Authorization: `Bearer ${TEST_TOKEN}` } });
      expect(res.status).toBe(200);
    });

    it('answers 404 for an unknown endpoint and 405 for an unsupported method', async () => {
      expect((await scim('GET', '/Nope')).status).toBe(404);
      const res = await scim('POST', `/Users/${id}`, userBody('x@example.com'));
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toContain('PUT');
    });

    it('honours attributes and excludedAttributes', async () => {
      const only = await scim('GET', `/Users/${id}?attributes=userName,name.givenName`);
      expect(Object.keys(only.json).sort()).toEqual(['id', 'name', 'schemas', 'userName']);
      expect(only.json.name).toEqual({ givenName: 'Test' });
      const without = await scim('GET', `/Users/${id}?excludedAttributes=emails,title`);
      expect(without.json.emails).toBeUndefined();
      expect(without.json.title).toBeUndefined();
      expect(without.json.id).toBe(id);
    });

    it('answers 304 to If-None-Match with the current ETag', async () => {
      const res = await scim('GET', `/Users/${id}`, undefined, { 'If-None-Match': 'W/"1"' });
      expect(res.status).toBe(304);
    });
  });

  describe('GET /Users (list and filter)', () => {
    beforeAll(async () => {
      for (let i = 0; i < 5; i++) {
        await scim('POST', '/Users', userBody(`list-${i}@corp.example`, { externalId: `list-ext-${i}`, title: i % 2 ? 'Odd' : 'Even' }));
      }
    });
    const list = (query: string) => scim('GET', `/Users?${query}`);
    const filter = (text: string) => list(`filter=${encodeURIComponent(text)}`);

    it('defaults startIndex to 1 and count to 100, with integer counts', async () => {
      const res = await scim('GET', '/Users');
      expect(res.status).toBe(200);
      expect(res.json.schemas).toEqual([LIST]);
      expect(res.json.startIndex).toBe(1);
      expect(Number.isInteger(res.json.totalResults)).toBe(true);
      expect(res.json.itemsPerPage).toBe(res.json.Resources.length);
      expect(res.json.totalResults).toBeGreaterThanOrEqual(res.json.Resources.length);
    });

    it('pages with startIndex and count in a stable order without repeats', async () => {
      const total = (await list('count=0')).json.totalResults;
      const seen: string[] = [];
      for (let start = 1; start <= total; start += 2) {
        const page = await list(`startIndex=${start}&count=2`);
        expect(page.json.startIndex).toBe(start);
        expect(page.json.totalResults).toBe(total);
        seen.push(...page.json.Resources.map((r: { id: string }) => r.id));
      }
      expect(seen).toHaveLength(total);
      expect(new Set(seen).size).toBe(total);
    });

    it('answers count=0 with the total only', async () => {
      const res = await list('count=0');
      expect(res.json.Resources).toEqual([]);
      expect(res.json.totalResults).toBeGreaterThan(0);
    });

    it.each([
      ['userName eq "LIST-3@corp.example"', ['list-3@corp.example']],
      ['externalId eq "list-ext-2"', ['list-2@corp.example']],
      ['externalId eq "LIST-EXT-2"', []],
      ['userName sw "list-" and title eq "odd"', ['list-1@corp.example', 'list-3@corp.example']],
      ['userName ew "@corp.example" and not (title eq "Odd")', ['list-0@corp.example', 'list-2@corp.example', 'list-4@corp.example']],
      ['emails[type eq "work" and value co "list-4"]', ['list-4@corp.example']],
      ['emails[type eq "work"].value eq "list-1@corp.example"', ['list-1@corp.example']],
      ['userName eq "list-0@corp.example" or userName eq "list-4@corp.example"', ['list-0@corp.example', 'list-4@corp.example']],
      ['userName eq "nobody@corp.example"', []],
    ])('filters %s', async (text, expected) => {
      const res = await filter(text);
      expect(res.status).toBe(200);
      expect(res.json.totalResults).toBe(expected.length);
      expect(res.json.Resources.map((r: { userName: string }) => r.userName).sort()).toEqual(expected);
    });

    it('filters on meta.lastModified with gt', async () => {
      const res = await filter('meta.lastModified gt "2000-01-01T00:00:00Z" and userName sw "list-"');
      expect(res.json.totalResults).toBe(5);
    });

    it.each([
      ['a missing value', 'userName eq'],
      ['an unknown operator', 'userName xx "a"'],
      ['an unknown attribute', 'nosuch eq "a"'],
      ['unbalanced parentheses', '((((userName eq "a"'],
      ['trailing garbage', 'userName eq "a" garbage'],
      ['5,000 nested parentheses', '('.repeat(5000)],
      ['an unterminated string', 'userName eq "abc'],
    ])('refuses a filter with %s with 400 invalidFilter', async (_name, text) => {
      const res = await filter(text);
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ schemas: [ERROR], scimType: 'invalidFilter' });
    });

    it('refuses non-integer paging with 400', async () => {
      const res = await list('startIndex=abc');
      expect(res.status).toBe(400);
      expect(res.json.scimType).toBe('invalidValue');
    });
  });

  describe('PUT /Users/{id}', () => {
    it('replaces the user, bumps the version and frees the old userName on rename', async () => {
      const created = (await scim('POST', '/Users', userBody('put-old@example.com', { title: 'Old' }))).json;
      const res = await scim('PUT', `/Users/${created.id}`, userBody('put-new@example.com', { displayName: 'Renamed' }));
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ id: created.id, userName: 'put-new@example.com', displayName: 'Renamed', meta: { version: 'W/"2"' } });
      expect(res.json.title).toBeUndefined();
      expect(res.json.meta.created).toBe(created.meta.created);
      expect((await scim('POST', '/Users', userBody('put-old@example.com'))).status).toBe(201);
      expect((await scim('PUT', `/Users/${created.id}`, userBody('put-old@example.com'))).status).toBe(409);
    });

    it('honours If-Match: 412 when stale, 200 when current', async () => {
      const created = (await scim('POST', '/Users', userBody('ifmatch@example.com'))).json;
      const stale = await scim('PUT', `/Users/${created.id}`, userBody('ifmatch@example.com'), { 'If-Match': 'W/"7"' });
      expect(stale.status).toBe(412);
      expect(stale.json.scimType).toBe('invalidVers');
      const current = await scim('PUT', `/Users/${created.id}`, userBody('ifmatch@example.com'), { 'If-Match': created.meta.version });
      expect(current.status).toBe(200);
    });

    it('answers 404 for an unknown id', async () => {
      expect((await scim('PUT', '/Users/nope', userBody('nope@example.com'))).status).toBe(404);
    });

    it('keeps version and lastModified when a PUT or PATCH changes nothing (Okta re-sends the whole user)', async () => {
      const body = userBody('unchanged@example.com', { title: 'Same' });
      const created = (await scim('POST', '/Users', body)).json;
      const put = await scim('PUT', `/Users/${created.id}`, body);
      expect(put.json.meta).toEqual(created.meta);
      const patched = await scim('PATCH', `/Users/${created.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Same' }] });
      expect(patched.json.meta.version).toBe('W/"1"');
      const { calls } = await server.table.countCalls(() => scim('PUT', `/Users/${created.id}?excludedAttributes=groups`, body));
      expect(calls).toEqual(['GetItemCommand']);
    });
  });

  describe('PATCH /Users/{id}', () => {
    let id: string;
    beforeEach(async () => {
      const name = `patch-${Math.random().toString(36).slice(2)}@example.com`;
      id = (await scim('POST', '/Users', userBody(name, { schemas: [USER_SCHEMA, ENTERPRISE] }))).json.id;
    });

    it("deactivates with Entra's capitalised op and string boolean", async () => {
      const res = await patch(id, [{ op: 'Replace', path: 'active', value: 'False' }]);
      expect(res.status).toBe(200);
      expect(res.json.active).toBe(false);
      expect(res.json.meta.version).toBe('W/"2"');
    });

    it("deactivates with Okta's path-less replace", async () => {
      const res = await patch(id, [{ op: 'replace', value: { active: false } }]);
      expect(res.json.active).toBe(false);
    });

    it('replaces with dotted and URN keys in a path-less value (Entra aadOptscim062020)', async () => {
      const res = await patch(id, [
        { op: 'replace', value: { 'name.givenName': 'Ada', [`${ENTERPRISE}:employeeNumber`]: '42', displayName: 'Ada L' } },
      ]);
      expect(res.status).toBe(200);
      expect(res.json.name.givenName).toBe('Ada');
      expect(res.json.displayName).toBe('Ada L');
      expect(res.json[ENTERPRISE].employeeNumber).toBe('42');
    });

    it('replaces a value selected by a value filter, and an extension path', async () => {
      const res = await patch(id, [
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'new@example.com' },
        { op: 'add', path: `${ENTERPRISE}:department`, value: 'Platform' },
        { op: 'add', path: 'phoneNumbers', value: [{ value: '+47 000', type: 'work' }] },
      ]);
      expect(res.status).toBe(200);
      expect(res.json.emails[0].value).toBe('new@example.com');
      expect(res.json[ENTERPRISE].department).toBe('Platform');
      expect(res.json.phoneNumbers).toEqual([{ value: '+47 000', type: 'work' }]);
    });

    it('applies all operations or none', async () => {
      const res = await patch(id, [
        { op: 'replace', path: 'title', value: 'Changed' },
        { op: 'replace', path: 'nosuchattribute', value: 'x' },
      ]);
      expect(res.status).toBe(400);
      expect(res.json.scimType).toBe('invalidPath');
      const after = await scim('GET', `/Users/${id}`);
      expect(after.json.title).toBeUndefined();
      expect(after.json.meta.version).toBe('W/"1"');
    });

    it.each([
      ['an empty Operations list', { schemas: [PATCH_OP], Operations: [] }, 'invalidValue'],
      ['an unknown op', { schemas: [PATCH_OP], Operations: [{ op: 'move', path: 'title' }] }, 'invalidSyntax'],
      ['a remove without path', { schemas: [PATCH_OP], Operations: [{ op: 'remove' }] }, 'noTarget'],
      ['a path to id', { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'id', value: 'x' }] }, 'mutability'],
      ['an unbalanced filter', { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'emails[type eq "work"', value: 'x' }] }, 'invalidPath'],
      ['a wrong value type', { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: 'perhaps' }] }, 'invalidValue'],
    ])('refuses %s with 400', async (_name, body, scimType) => {
      const res = await scim('PATCH', `/Users/${id}`, body);
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ schemas: [ERROR], scimType });
    });

    it('refuses a rename onto a taken userName with 409', async () => {
      await scim('POST', '/Users', userBody('taken@example.com'));
      const res = await patch(id, [{ op: 'replace', path: 'userName', value: 'TAKEN@example.com' }]);
      expect(res.status).toBe(409);
      expect(res.json.scimType).toBe('uniqueness');
    });

    it('loses no change when PATCHes race on one user', async () => {
      const titles = Array.from({ length: 8 }, (_, i) => ({ op: 'add', path: 'emails', value: [{ value: `race${i}@example.com`, type: 'other' }] }));
      const results = await Promise.all(titles.map((op) => patch(id, [op])));
      expect(results.map((r) => r.status).every((s) => s === 200 || s === 409)).toBe(true);
      const ok = results.filter((r) => r.status === 200).length;
      const after = await scim('GET', `/Users/${id}`);
      expect(after.json.emails).toHaveLength(1 + ok);
      expect(after.json.meta.version).toBe(`W/"${1 + ok}"`);
    });
  });

  describe('DELETE /Users/{id}', () => {
    it('deletes: 204 with no body, then 404 on GET and on a second DELETE; the userName is free', async () => {
      const { id } = (await scim('POST', '/Users', userBody('delete-me@example.com'))).json;
      const res = await scim('DELETE', `/Users/${id}`);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect((await scim('GET', `/Users/${id}`)).status).toBe(404);
      expect((await scim('DELETE', `/Users/${id}`)).status).toBe(404);
      expect((await scim('POST', '/Users', userBody('delete-me@example.com'))).status).toBe(201);
    });
  });

  describe('DynamoDB calls per request', () => {
    /** [round trips, calls] of one request. */
    const cost = async (fn: () => Promise<unknown>) => {
      const { calls, roundTrips } = await server.table.countCalls(fn);
      return [roundTrips, calls.length];
    };

    it('stays within two round trips and two calls for every single-resource operation of a user in no group', async () => {
      let id = '';
      expect(await cost(async () => (id = (await scim('POST', '/Users', userBody('budget@example.com'))).json.id))).toEqual([1, 1]);
      // GET: the user's item, which names its groups (none).
      expect(await cost(() => scim('GET', `/Users/${id}`))).toEqual([1, 1]);
      expect(await cost(() => scim('GET', `/Users/${id}?excludedAttributes=groups`))).toEqual([1, 1]);
      // PUT/PATCH: the read, then one conditional transaction.
      expect(await cost(() => scim('PUT', `/Users/${id}`, userBody('budget2@example.com')))).toEqual([2, 2]);
      expect(await cost(() => patch(id, [{ op: 'replace', path: 'title', value: 'x' }]))).toEqual([2, 2]);
      // userName eq: the listing index (the user's id and its groups' ids), then one consistent batch read.
      expect(await cost(() => scim('GET', `/Users?filter=${encodeURIComponent('userName eq "budget2@example.com"')}`))).toEqual([2, 2]);
      // No such user: the index shows none, and the uniqueness guard confirms it.
      expect(await cost(() => scim('GET', `/Users?filter=${encodeURIComponent('userName eq "nobody@example.com"')}`))).toEqual([2, 2]);
      expect(await cost(() => scim('GET', `/Users?filter=${encodeURIComponent('userName eq "budget2@example.com"')}&excludedAttributes=groups`))).toEqual([2, 2]);
      // An unfiltered page: counter and listing in parallel.
      expect(await cost(() => scim('GET', '/Users?count=10&excludedAttributes=groups'))).toEqual([1, 2]);
      expect(await cost(() => scim('DELETE', `/Users/${id}`))).toEqual([2, 2]);
    });

    it('answers userName eq from the uniqueness guard when the listing index lags the table', async () => {
      const id = (await scim('POST', '/Users', userBody('lagging@example.com'))).json.id;
      const other = (await scim('POST', '/Users', userBody('renamed@example.com'))).json.id;
      const key = { pk: `default#USER#${id}`, sk: 'USER' };
      // As if the index had not caught up with the create: the user is not in it yet.
      await server.table.client.send(new UpdateCommand({ TableName: server.table.tableName, Key: key, UpdateExpression: 'REMOVE gsi1pk' }));
      const found = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "LAGGING@example.com"')}`);
      expect(found.json.Resources.map((u: { id: string }) => u.id)).toEqual([id]);
      // As if it still showed a user under the name it was renamed from: the table decides.
      await server.table.client.send(
        new UpdateCommand({ TableName: server.table.tableName, Key: { pk: `default#USER#${other}`, sk: 'USER' }, UpdateExpression: 'SET gsi1sk = :old', ExpressionAttributeValues: { ':old': `gone@example.com#${other}` } }),
      );
      const stale = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "gone@example.com"')}`);
      expect(stale.json.totalResults).toBe(0);
      await scim('DELETE', `/Users/${id}`);
      await scim('DELETE', `/Users/${other}`);
    });

    it('reads a user in groups with its groups in two round trips, and deletes it with its memberships in one transaction', async () => {
      const id = (await scim('POST', '/Users', userBody('grouped@example.com'))).json.id;
      const groups: string[] = [];
      for (const name of ['Budget A', 'Budget B']) {
        groups.push((await scim('POST', '/Groups', { schemas: [GROUP], displayName: name, members: [{ value: id }] })).json.id);
      }
      // GET: the user's item, then its groups (names, and whether they still exist) in one batch read.
      expect(await cost(() => scim('GET', `/Users/${id}`))).toEqual([2, 2]);
      // PATCH: the read, then the write alongside the groups' batch read.
      expect(await cost(() => patch(id, [{ op: 'replace', path: 'title', value: 'y' }]))).toEqual([2, 3]);
      const byName = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "grouped@example.com"')}`);
      expect(byName.json.Resources[0].groups.map((g: { value: string }) => g.value).sort()).toEqual([...groups].sort());
      expect(await cost(() => scim('GET', `/Users?filter=${encodeURIComponent('userName eq "grouped@example.com"')}`))).toEqual([2, 2]);
      // A page of users with their groups: counter and listing, then one batch read of the page's groups.
      expect(await cost(() => scim('GET', `/Users?count=100`))).toEqual([2, 3]);
      // DELETE: the read, then one transaction (user, guard, counter, member items, group counts).
      expect(await cost(() => scim('DELETE', `/Users/${id}`))).toEqual([2, 2]);
      for (const gid of groups) {
        const group = await scim('GET', `/Groups/${gid}`);
        expect(group.json.members ?? []).toEqual([]);
      }
    });
  });
});
