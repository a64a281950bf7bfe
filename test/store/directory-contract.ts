import type { AuditFacts, DirectoryData, StoredResource } from '../../lambda/store/types';
import type { Stores } from './contract';

/**
 * The store contract for directories: what one table holding several directories must keep
 * apart, through the store interface alone. It runs against the DynamoDB store on DynamoDB
 * Local (test/store/dynamo-directories.test.ts, which also checks the directory prefix on
 * every key and index written) and against the in-memory store
 * (test/unit/store/memory-directories.test.ts).
 */
export interface DirectoryTable {
  /** The stores of one directory of the table. */
  stores(directory: string): Stores;
  readonly data: DirectoryData;
  close(): Promise<void> | void;
}

const NOW = '2026-11-28T12:00:00.000Z';
const user = (userName: string, extra: Record<string, unknown> = {}) => ({
  document: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, ...extra },
  uniqueValue: userName,
});
const group = (name: string) => ({ document: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: name }, uniqueValue: name });
const ids = (resources: readonly StoredResource[]) => resources.map((r) => r.id).sort();
/** The audit facts of a request served in `directory` (as lambda/http/call-context.ts gives them). */
const facts = (directory: string, operation: AuditFacts['operation'], requestId: string): AuditFacts => ({
  at: NOW,
  operation,
  actor: { tokenId: `tok-${directory}`, name: `${directory}-idp` },
  requestId,
  directory,
  changes: [],
});

export function directoryContract(name: string, open: () => Promise<DirectoryTable>): void {
  describe(`store contract, directories: ${name}`, () => {
    let table: DirectoryTable;
    let a: Stores;
    let b: Stores;
    beforeAll(async () => {
      table = await open();
      a = table.stores('alpha');
      b = table.stores('beta');
      // The same ids and names in both directories: nothing may tell them apart but the directory.
      // Each change audited with the facts of a request of its own directory.
      for (const [dir, stores] of [['alpha', a], ['beta', b]] as const) {
        for (let i = 0; i < 6; i++) await stores.users.create(`u${i}`, user(`user${i}@example.com`, { externalId: `ext-${i}` }), NOW, facts(dir, 'create', `r-u${i}`));
        await stores.groups.create('g0', group('Engineering'), ['u0', 'u1'], NOW, facts(dir, 'create', 'r-g0'));
        await stores.groups.create('g1', group('Sales'), ['u2'], NOW, facts(dir, 'create', 'r-g1'));
      }
      await b.users.create('only-b', user('only-b@example.com'), NOW, facts('beta', 'create', 'r-only-b'));
    });
    afterAll(() => table.close());

    it('keeps a userName and a displayName unique within a directory, not across directories', async () => {
      await expect(a.users.create('dup', user('USER0@example.com'), NOW)).rejects.toMatchObject({ reason: 'uniqueness' });
      await expect(b.groups.create('dup', group('engineering'), [], NOW)).rejects.toMatchObject({ reason: 'uniqueness' });
      expect((await a.users.findByUniqueValue('user0@example.com'))?.id).toBe('u0');
      expect((await a.groups.findByUniqueValue('ENGINEERING'))?.id).toBe('g0');
      const renamed = await a.users.replace((await a.users.get('u5'))!, user('only-b@example.com'), NOW);
      expect(renamed.uniqueValue).toBe('only-b@example.com');
      expect((await b.users.findByUniqueValue('only-b@example.com'))?.id).toBe('only-b');
    });

    it("keeps each directory's audit trail apart: its entries, one resource's history, its positions", async () => {
      const requests = async (stores: Stores, query: { resourceId?: string } = {}) => (await stores.audit.list({ count: 100, ...query })).entries.map((e) => [e.directory, e.requestId]);
      expect((await requests(a)).length).toBe(8);
      expect((await requests(b)).length).toBe(9);
      expect((await requests(a)).every(([dir]) => dir === 'alpha')).toBe(true);
      expect(await requests(a, { resourceId: 'only-b' })).toEqual([]);
      expect(await requests(b, { resourceId: 'only-b' })).toEqual([['beta', 'r-only-b']]);
      // A position beta's trail gave is refused by alpha's, rather than read as a place in it.
      const page = await b.audit.list({ count: 2 });
      expect(page.next).toBeDefined();
      await expect(a.audit.list({ count: 2, after: page.next })).rejects.toMatchObject({ name: 'InvalidPosition' });
      expect((await b.audit.list({ count: 2, after: page.next })).entries).toHaveLength(2);
    });

    it("refuses to write a change with the audit facts of a request of another directory, writing nothing", async () => {
      await expect(a.users.create('stray', user('stray@example.com'), NOW, facts('beta', 'create', 'r-stray'))).rejects.toThrow(/another directory/);
      await expect(a.groups.create('stray', group('Stray'), [], NOW, facts('beta', 'create', 'r-stray'))).rejects.toThrow(/another directory/);
      expect(await a.users.get('stray')).toBeUndefined();
      expect(await a.groups.get('stray')).toBeUndefined();
      expect((await a.audit.list({ count: 100 })).entries.some((e) => e.requestId === 'r-stray')).toBe(false);
      expect((await b.audit.list({ count: 100 })).entries.some((e) => e.requestId === 'r-stray')).toBe(false);
    });

    it('counts, lists and pages each directory on its own', async () => {
      expect(await a.users.count()).toBe(6);
      expect(await b.users.count()).toBe(7);
      expect((await a.users.list({ startIndex: 1, count: 100 })).totalResults).toBe(6);
      expect(ids((await b.users.list({ startIndex: 1, count: 100 })).resources)).toContain('only-b');
      expect(ids((await a.users.list({ startIndex: 1, count: 100 })).resources)).not.toContain('only-b');
      expect(ids((await a.users.listMatching(() => true, { startIndex: 1, count: 100 })).resources)).not.toContain('only-b');
      // A cursor position taken in B resumes A's own listing, never B's.
      const onlyB = (await b.users.get('only-b'))!;
      const page = await a.users.listAfter(b.users.positionOf(onlyB), 100);
      expect(ids(page.resources)).toEqual(['u0', 'u1', 'u2', 'u3', 'u4', 'u5']);
      expect(await a.groups.count()).toBe(2);
    });

    it('reads nothing of another directory by id, by externalId or through memberships', async () => {
      expect(await a.users.get('only-b')).toBeUndefined();
      expect(await a.users.getMany(['only-b', 'u0'])).toHaveLength(1);
      expect(ids(await a.users.findByExternalId('ext-1'))).toEqual(['u1']);
      expect(await a.users.findWithGroups('only-b@example.com').then((f) => f?.user.id)).toBe('u5');
      expect(await a.groups.members('g0')).toEqual(['u0', 'u1']);
      const facts = (await a.groups.readForChange('g0', ['only-b', 'u0'], true)).facts;
      expect([...facts.users]).toEqual(['u0']);
    });

    it('refuses a member who is a user of another directory, writing nothing', async () => {
      const g0 = (await a.groups.get('g0'))!;
      await expect(a.groups.update(g0, { members: { add: ['only-b'], remove: [] }, pinned: false }, NOW)).rejects.toMatchObject({
        reason: 'memberGone',
        userId: 'only-b',
      });
      await expect(a.groups.create('g9', group('Crossing'), ['only-b'], NOW)).rejects.toMatchObject({ reason: 'memberGone' });
      expect(await a.groups.members('g0')).toEqual(['u0', 'u1']);
      expect(await a.groups.get('g9')).toBeUndefined();
      expect((await b.users.get('only-b'))?.groupIds).toBeUndefined();
    });

    it('deletes every item of one directory and nothing of another', async () => {
      const snapshot = async (stores: Stores) => ({
        users: (await stores.users.list({ startIndex: 1, count: 100 })).resources,
        groups: (await stores.groups.list({ startIndex: 1, count: 100 })).resources,
        members: await Promise.all(['g0', 'g1'].map((g) => stores.groups.members(g))),
        audit: (await stores.audit.list({ count: 100 })).entries,
      });
      const bBefore = await snapshot(b);
      const bItems = await table.data.count('beta');
      expect(await table.data.count('alpha')).toBeGreaterThan(12);

      const deleted = await table.data.purge('alpha');
      expect(deleted).toBeGreaterThan(12);
      expect(await table.data.count('alpha')).toBe(0);
      expect(await a.users.count()).toBe(0);
      expect(await a.groups.count()).toBe(0);
      expect((await a.users.list({ startIndex: 1, count: 100 })).resources).toEqual([]);
      expect(await a.users.get('u0')).toBeUndefined();
      expect(await a.users.findByUniqueValue('user0@example.com')).toBeUndefined();
      expect(await a.users.findByExternalId('ext-0')).toEqual([]);
      expect(await a.groups.members('g0')).toEqual([]);
      // Its audit trail went with it: the directory's activity and each resource's history.
      expect((await a.audit.list({ count: 100 })).entries).toEqual([]);
      expect((await a.audit.list({ count: 100, resourceId: 'u0' })).entries).toEqual([]);

      expect(await snapshot(b)).toEqual(bBefore);
      expect(bBefore.audit.length).toBe(9);
      expect(await table.data.count('beta')).toBe(bItems);
      // The id may be used again: nothing of the old directory stands in the way.
      expect((await a.users.create('u0', user('user0@example.com'), NOW)).version).toBe(1);
      expect(await table.data.purge('alpha')).toBeGreaterThan(0);
      expect(await table.data.purge('nobody')).toBe(0);
    });
  });
}
