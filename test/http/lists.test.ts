import { GROUP, startTestServer, userBody } from '../support/server';

const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

/** Sort, cursor paging and .search over HTTP, on a directory of its own. */
describe('lists: sortBy, cursors and .search over HTTP', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const scim = (...args: Parameters<typeof server.scim>) => server.scim(...args);
  const names = (res: { json: { Resources: { userName: string }[] } }) => res.json.Resources.map((r) => r.userName);
  // Titles and dates chosen so that every order differs from the userName order.
  const people = [
    { userName: 'dora@example.com', title: 'b', nickName: 'Zed' },
    { userName: 'Carl@example.com', title: 'a', nickName: 'yan' },
    { userName: 'bea@example.com', title: 'c' },
    { userName: 'AL@example.com', title: 'a', nickName: 'Xu' },
    { userName: 'eve@example.com', title: 'b', nickName: 'wim' },
  ];
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer();
    for (const p of people) {
      const res = await scim('POST', '/Users', userBody(p.userName, { title: p.title, ...(p.nickName ? { nickName: p.nickName } : {}) }));
      expect(res.status).toBe(201);
      ids[p.userName] = res.json.id;
    }
    for (const name of ['Ops', 'dev', 'Admins']) expect((await scim('POST', '/Groups', { schemas: [GROUP], displayName: name })).status).toBe(201);
  });
  afterAll(() => server.stop());

  describe('sortBy / sortOrder (RFC 7644 §3.4.2.3)', () => {
    it('lists in userName order, case-insensitively, by default and with sortBy=userName', async () => {
      const expected = ['AL@example.com', 'bea@example.com', 'Carl@example.com', 'dora@example.com', 'eve@example.com'];
      expect(names(await scim('GET', '/Users'))).toEqual(expected);
      expect(names(await scim('GET', '/Users?sortBy=userName'))).toEqual(expected);
      expect(names(await scim('GET', '/Users?sortBy=userName&sortOrder=descending'))).toEqual([...expected].reverse());
    });

    it('sorts by another attribute, missing values last ascending and first descending', async () => {
      expect(names(await scim('GET', '/Users?sortBy=nickName'))).toEqual([
        'eve@example.com', 'AL@example.com', 'Carl@example.com', 'dora@example.com', 'bea@example.com',
      ]);
      expect(names(await scim('GET', '/Users?sortBy=nickName&sortOrder=descending'))[0]).toBe('bea@example.com');
    });

    it('breaks ties by id, so pages of a sorted list neither overlap nor skip', async () => {
      const all = names(await scim('GET', '/Users?sortBy=title'));
      const paged: string[] = [];
      for (let start = 1; start <= 5; start += 2) paged.push(...names(await scim('GET', `/Users?sortBy=title&startIndex=${start}&count=2`)));
      expect(paged).toEqual(all);
      expect(all.slice(0, 2).sort()).toEqual(['AL@example.com', 'Carl@example.com'].sort());
      const tied = all.slice(0, 2).map((n) => ids[n]);
      expect(tied).toEqual([...tied].sort());
    });

    it('sorts a multi-valued attribute by its primary value, and combines with a filter', async () => {
      const res = await scim('GET', `/Users?sortBy=emails.value&sortOrder=descending&filter=${encodeURIComponent('title eq "b"')}`);
      expect(names(res)).toEqual(['eve@example.com', 'dora@example.com']);
      expect(res.json.totalResults).toBe(2);
    });

    it('sorts groups by displayName', async () => {
      const res = await scim('GET', '/Groups?sortBy=displayName&sortOrder=descending');
      expect(res.json.Resources.map((g: { displayName: string }) => g.displayName)).toEqual(['Ops', 'dev', 'Admins']);
    });

    it.each([
      ['sortBy=nope', 400, 'invalidPath'],
      ['sortBy=name', 400, 'invalidValue'],
      ['sortBy=userName&sortOrder=sideways', 400, 'invalidValue'],
    ])('refuses %s with %i %s', async (query, status, scimType) => {
      const res = await scim('GET', `/Users?${query}`);
      expect(res.status).toBe(status);
      expect(res.json.scimType).toBe(scimType);
    });
  });

  describe('filtering users by their groups', () => {
    it('answers groups.value eq, groups[value eq] and groups.display from the memberships', async () => {
      const members = [ids['bea@example.com'], ids['eve@example.com']];
      const group = await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Readers', members: members.map((value) => ({ value })) });
      for (const filter of [`groups.value eq "${group.json.id}"`, `groups[value eq "${group.json.id}"]`, 'groups.display eq "readers"']) {
        const res = await scim('GET', `/Users?filter=${encodeURIComponent(filter)}`);
        expect(res.status).toBe(200);
        expect(names(res)).toEqual(['bea@example.com', 'eve@example.com']);
      }
      const narrowed = await scim('GET', `/Users?filter=${encodeURIComponent(`groups.value eq "${group.json.id}" and title eq "b"`)}`);
      expect(names(narrowed)).toEqual(['eve@example.com']);
      const none = await scim('GET', `/Users?filter=${encodeURIComponent('groups.value eq "no-such-group"')}`);
      expect(none.json).toMatchObject({ totalResults: 0, Resources: [] });
      await scim('DELETE', `/Groups/${group.json.id}`);
    });
  });

  describe('cursor paging (RFC 9865)', () => {
    const walk = async (query: string, total = 5) => {
      const seen: string[] = [];
      let cursor = '';
      for (let pages = 0; pages < 10; pages++) {
        const res = await scim('GET', `/Users?count=2&cursor=${encodeURIComponent(cursor)}${query}`);
        expect(res.status).toBe(200);
        expect(res.json.startIndex).toBeUndefined();
        expect(res.json.totalResults).toBe(total);
        expect(res.json.itemsPerPage).toBe(res.json.Resources.length);
        seen.push(...names(res));
        if (!res.json.nextCursor) return { seen, pages: pages + 1 };
        expect(res.json.nextCursor).toMatch(/^[-a-zA-Z0-9+=/:_]*$/); // IIC's cursor pattern
        cursor = res.json.nextCursor;
      }
      throw new Error('the cursor never ended');
    };

    it('walks the whole listing with nextCursor, with no nextCursor on the last page', async () => {
      const { seen, pages } = await walk('');
      expect(seen).toEqual(names(await scim('GET', '/Users')));
      expect(pages).toBe(3);
    });

    it('walks a filtered and sorted list the same way (offset cursors over the sorted set)', async () => {
      const { seen, pages } = await walk(`&filter=${encodeURIComponent('title ne "c"')}&sortBy=nickName`, 4);
      expect(seen).toEqual(['eve@example.com', 'AL@example.com', 'Carl@example.com', 'dora@example.com']);
      expect(pages).toBe(2);
    });

    it('keeps its place when a resource before the cursor is deleted', async () => {
      const first = await scim('GET', '/Users?count=2&cursor=');
      const extra = await scim('POST', '/Users', userBody('aaa-first@example.com'));
      await scim('DELETE', `/Users/${extra.json.id}`);
      const second = await scim('GET', `/Users?count=2&cursor=${first.json.nextCursor}`);
      expect(names(second)).toEqual(['Carl@example.com', 'dora@example.com']);
    });

    it.each([
      'not-a-cursor',
      'eyJ4IjoxfQ',
      Buffer.from('{"a":"no-hash"}').toString('base64url'),
      '%%%',
      Buffer.from(JSON.stringify({ a: `${'é'.repeat(600)}#abc` })).toString('base64url'),
    ])(
      'refuses the forged or broken cursor %s with 400 invalidCursor',
      async (cursor) => {
        const res = await scim('GET', `/Users?cursor=${encodeURIComponent(cursor)}`);
        expect(res.status).toBe(400);
        expect(res.json.scimType).toBe('invalidCursor');
      },
    );

    it('refuses cursor together with startIndex', async () => {
      const res = await scim('GET', '/Users?cursor=&startIndex=2');
      expect(res.status).toBe(400);
      expect(res.json.scimType).toBe('invalidValue');
    });
  });

  describe('POST .search (RFC 7644 §3.4.3)', () => {
    it('answers /Users/.search like the GET with the same parameters', async () => {
      const body = { schemas: [SEARCH], filter: 'title eq "a"', sortBy: 'userName', sortOrder: 'descending', attributes: ['userName'], count: 10 };
      const res = await scim('POST', '/Users/.search', body);
      expect(res.status).toBe(200);
      expect(res.json.Resources).toEqual([
        { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id: ids['Carl@example.com'], userName: 'Carl@example.com' },
        { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id: ids['AL@example.com'], userName: 'AL@example.com' },
      ]);
    });

    it('answers /Groups/.search with excludedAttributes', async () => {
      const res = await scim('POST', '/Groups/.search', { schemas: [SEARCH], filter: 'displayName eq "ops"', excludedAttributes: ['meta'] });
      expect(res.json.totalResults).toBe(1);
      expect(res.json.Resources[0].meta).toBeUndefined();
    });

    it('searches every resource type at the root, paging across them', async () => {
      const all = await scim('POST', '/.search', { schemas: [SEARCH] });
      expect(all.json.totalResults).toBe(8);
      const page = await scim('POST', '/.search', { schemas: [SEARCH], startIndex: 5, count: 2 });
      expect(page.json).toMatchObject({ totalResults: 8, startIndex: 5, itemsPerPage: 2 });
      expect(page.json.Resources[0].userName).toBe('eve@example.com');
      expect(page.json.Resources[1].displayName).toBe('Admins');
    });

    it("at the root, a filter naming one type's attribute finds only that type", async () => {
      const res = await scim('POST', '/.search', { schemas: [SEARCH], filter: 'displayName eq "dev"' });
      expect(res.json.Resources.map((r: { displayName: string }) => r.displayName)).toEqual(['dev']);
      const users = await scim('POST', '/.search', { schemas: [SEARCH], filter: 'userName sw "a"' });
      expect(names(users)).toEqual(['AL@example.com']);
      const nobody = await scim('POST', '/.search', { schemas: [SEARCH], filter: 'shoeSize eq 4' });
      expect(nobody.status).toBe(400);
    });

    it.each([
      [{ schemas: [SEARCH], filtr: 'userName eq "x"' }, 'invalidSyntax'],
      [{ schemas: ['urn:wrong'] }, 'invalidValue'],
      [{ schemas: [SEARCH], count: '10' }, 'invalidValue'],
      [{ schemas: [SEARCH], attributes: [1] }, 'invalidValue'],
      ['[]', 'invalidSyntax'],
    ])('refuses the SearchRequest %j with 400 %s', async (body, scimType) => {
      const res = await scim('POST', '/Users/.search', body);
      expect(res.status).toBe(400);
      expect(res.json.scimType).toBe(scimType);
    });
  });
});
