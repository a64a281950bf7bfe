import {
  InvalidPosition,
  StoreConflict,
  type AuditEntry,
  type AuditFacts,
  type AuditReads,
  type GroupStore,
  type StoredResource,
  type UniqueClaim,
  type UserStore,
} from '../../lambda/store/types';

/**
 * The store contract: what the services rely on, asserted through the store interface alone.
 * It runs against the DynamoDB store on DynamoDB Local (test/store/dynamo-contract.test.ts)
 * and against the in-memory store (test/unit/store/memory-contract.test.ts), so the fake
 * cannot drift from the product. Call counts and item layouts are the DynamoDB store's own
 * tests (test/store/dynamo-store.test.ts).
 */
export interface Stores {
  readonly users: UserStore;
  readonly groups: GroupStore;
  readonly audit: AuditReads;
}

const NOW = '2026-11-28T12:00:00.000Z';
const LATER = '2026-11-28T13:00:00.000Z';
const userDoc = (userName: string, extra: Record<string, unknown> = {}) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, ...extra });
const user = (userName: string, extra: Record<string, unknown> = {}) => ({ document: userDoc(userName, extra), uniqueValue: userName });
const group = (name: string, extra: Record<string, unknown> = {}) => ({
  document: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: name, ...extra },
  uniqueValue: name,
});

export function storeContract(name: string, open: () => Promise<Stores & { close(): Promise<void> | void }>): void {
  describe(`store contract: ${name}`, () => {
    let stores: Stores & { close(): Promise<void> | void };
    let users: UserStore;
    let groups: GroupStore;
    let audit: AuditReads;
    beforeAll(async () => {
      stores = await open();
      ({ users, groups, audit } = stores);
    });
    afterAll(() => stores.close());

    const create = (id: string, userName: string, extra = {}) => users.create(id, user(userName, extra), NOW);
    const ids = (resources: readonly StoredResource[]) => resources.map((r) => r.id).sort();

    describe('users', () => {
      it('creates and reads back a resource at version 1, as written', async () => {
        const created = await create('u1', 'Alice@Example.com', { title: 'A' });
        const read = await users.get('u1');
        expect(read).toEqual(created);
        expect(read).toMatchObject({ id: 'u1', kind: 'User', version: 1, created: NOW, lastModified: NOW, uniqueValue: 'Alice@Example.com' });
        expect(read?.document).toEqual(userDoc('Alice@Example.com', { title: 'A' }));
        expect(await users.get('nobody')).toBeUndefined();
        expect(await users.get('x'.repeat(5000))).toBeUndefined();
      });

      it('refuses a second resource whose unique value differs only in case, writing nothing', async () => {
        const before = await users.count();
        await expect(create('u2', 'alice@example.COM')).rejects.toMatchObject({ reason: 'uniqueness' });
        expect(await users.get('u2')).toBeUndefined();
        expect(await users.count()).toBe(before);
      });

      it('finds by unique value case-insensitively', async () => {
        expect((await users.findByUniqueValue('ALICE@example.com'))?.id).toBe('u1');
        expect(await users.findByUniqueValue('nobody@example.com')).toBeUndefined();
        expect((await users.findWithGroups('alice@EXAMPLE.com'))?.user.id).toBe('u1');
        expect(await users.findWithGroups('nobody@example.com')).toBeUndefined();
      });

      it('lets exactly one of 20 racing creates of one userName win', async () => {
        const outcomes = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => create(`race-${i}`, i % 2 ? 'Racer@example.com' : 'racer@EXAMPLE.com')));
        const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        expect(lost).toHaveLength(19);
        for (const o of lost) expect(o.reason).toBeInstanceOf(StoreConflict);
        for (const o of lost) expect((o.reason as StoreConflict).reason).toBe('uniqueness');
      });

      it('swaps the guard on rename: the old name is free again, the new one taken', async () => {
        const bob = await create('u3', 'bob@example.com');
        const renamed = await users.replace(bob, user('robert@example.com'), LATER);
        expect(renamed).toMatchObject({ version: 2, lastModified: LATER, created: NOW, uniqueValue: 'robert@example.com' });
        expect(await users.get('u3')).toEqual(renamed);
        await expect(create('u4', 'ROBERT@example.com')).rejects.toMatchObject({ reason: 'uniqueness' });
        expect((await create('u4', 'bob@example.com')).id).toBe('u4');
      });

      it('keeps the guard on a change of case only', async () => {
        const carol = await create('u5', 'carol@example.com');
        const recased = await users.replace(carol, user('Carol@Example.com'), NOW);
        expect((await users.findByUniqueValue('carol@example.com'))?.document.userName).toBe('Carol@Example.com');
        await expect(create('u6', 'CAROL@example.com')).rejects.toMatchObject({ reason: 'uniqueness' });
        expect(recased.uniqueValue).toBe('Carol@Example.com');
      });

      it('refuses a rename onto a taken name and changes nothing', async () => {
        const dave = await create('u7', 'dave@example.com');
        await expect(users.replace(dave, user('alice@example.com'), NOW)).rejects.toMatchObject({ reason: 'uniqueness' });
        expect(await users.get('u7')).toEqual(dave);
        expect((await users.findByUniqueValue('dave@example.com'))?.id).toBe('u7');
      });

      it('refuses a write or a deletion based on a stale version', async () => {
        const erin = await create('u8', 'erin@example.com');
        await users.replace(erin, user('erin@example.com', { title: 'A' }), NOW);
        await expect(users.replace(erin, user('erin@example.com', { title: 'B' }), NOW)).rejects.toMatchObject({ reason: 'version' });
        await expect(users.delete(erin, NOW)).rejects.toMatchObject({ reason: 'version' });
        expect((await users.get('u8'))?.document.title).toBe('A');
      });

      it('deletes the resource with its guard and keeps the count exact', async () => {
        const before = await users.count();
        const frank = await create('u9', 'frank@example.com');
        expect(await users.count()).toBe(before + 1);
        await users.delete(frank, NOW);
        expect(await users.count()).toBe(before);
        expect(await users.get('u9')).toBeUndefined();
        expect(await users.findByUniqueValue('frank@example.com')).toBeUndefined();
        expect((await create('u9b', 'FRANK@example.com')).id).toBe('u9b');
      });

      it('finds by externalId exactly (caseExact), whatever it holds', async () => {
        await create('u10', 'grace@example.com', { externalId: 'EXT-1' });
        expect(ids(await users.findByExternalId('EXT-1'))).toEqual(['u10']);
        expect(await users.findByExternalId('ext-1')).toEqual([]);
        const grace = (await users.get('u10'))!;
        await users.replace(grace, user('grace@example.com'), NOW);
        expect(await users.findByExternalId('EXT-1')).toEqual([]);
      });

      it('reads many by id, leaving out what does not exist', async () => {
        expect(ids(await users.getMany(['u1', 'u3', 'nobody', 'u1']))).toEqual(['u1', 'u3']);
        expect(await users.getMany([])).toEqual([]);
      });

      it('lists in userName order with an exact total, also past the end', async () => {
        const total = await users.count();
        const all: StoredResource[] = [];
        for (let start = 1; start <= total; start += 3) {
          const page = await users.list({ startIndex: start, count: 3 });
          expect(page.totalResults).toBe(total);
          all.push(...page.resources);
        }
        const names = all.map((r) => r.uniqueValue.toLowerCase());
        expect(names).toEqual([...names].sort());
        expect(new Set(all.map((r) => r.id)).size).toBe(total);
        expect(await users.list({ startIndex: total + 1000, count: 5 })).toEqual({ resources: [], totalResults: total });
      });

      it('lists in the new order after a create, a rename and a delete', async () => {
        const order = async () => (await users.list({ startIndex: 1, count: 1000 })).resources.map((r) => r.id);
        const before = await order();
        await create('order-1', 'aaa-first@example.com');
        await create('order-2', 'aaa-second@example.com');
        expect((await order()).slice(0, 2)).toEqual(['order-1', 'order-2']);
        await users.replace((await users.get('order-1'))!, user('zzz-last@example.com'), NOW);
        const renamed = await order();
        expect([renamed[0], renamed[renamed.length - 1]]).toEqual(['order-2', 'order-1']);
        await users.delete((await users.get('order-1'))!, NOW);
        await users.delete((await users.get('order-2'))!, NOW);
        expect(await order()).toEqual(before);
      });

      it('pages the resources that match a predicate, counting them all', async () => {
        const page = await users.listMatching((r) => String(r.document.userName).toLowerCase().includes('example.com'), { startIndex: 2, count: 2 });
        expect(page.resources).toHaveLength(2);
        expect(page.totalResults).toBe(await users.count());
        const first = await users.listMatching(() => true, { startIndex: 1, count: 3 });
        expect(page.resources[0].id).toBe(first.resources[1].id);
      });

      it('pages with cursors in the listing order, to the end, without a next position at the end', async () => {
        const total = await users.count();
        const all: StoredResource[] = [];
        let after: string | undefined;
        let pages = 0;
        do {
          const page = await users.listAfter(after, 2);
          all.push(...page.resources);
          after = page.next;
          pages++;
        } while (after && pages < 100);
        expect(all.map((r) => r.id)).toEqual((await users.listMatching(() => true, { startIndex: 1, count: 1000 })).resources.map((r) => r.id));
        expect(pages).toBe(Math.ceil(total / 2));
        expect(await users.listAfter(undefined, 0)).toEqual({ resources: [] });
      });

      it('resumes after a position whose resource is gone', async () => {
        const gone = await create('cursor-gone', 'aaaa-cursor@example.com');
        const page = await users.listAfter(users.positionOf(gone), 1);
        await users.delete(gone, NOW);
        const again = await users.listAfter(users.positionOf(gone), 1);
        expect(again.resources.map((r) => r.id)).toEqual(page.resources.map((r) => r.id));
        const last = (await users.listMatching(() => true, { startIndex: 1, count: 1000 })).resources.at(-1)!;
        expect(await users.listAfter(users.positionOf(last), 5)).toEqual({ resources: [] });
      });
    });

    describe('unique claims (the IIC profile: e-mail and externalId held unique)', () => {
      const email = (value: string) => ({ attribute: 'email' as const, value });
      const ext = (value: string) => ({ attribute: 'externalId' as const, value });
      const claiming = (userName: string, claims: UniqueClaim[], extra = {}) => ({ ...user(userName, extra), alsoUnique: claims });

      it('keeps the claims with the resource, and a second claim of an e-mail in another case is refused, saying which, writing nothing', async () => {
        const created = await users.create('c1', claiming('claim-1@example.com', [email('Shared@Example.com'), ext('EXT-C1')]), NOW);
        expect(created.alsoUnique).toEqual([email('Shared@Example.com'), ext('EXT-C1')]);
        expect(await users.get('c1')).toEqual(created);
        const before = await users.count();
        const refused = await users.create('c2', claiming('claim-2@example.com', [email('shared@EXAMPLE.com')]), NOW).catch((e: unknown) => e);
        expect(refused).toMatchObject({ reason: 'uniqueness', attribute: 'email' });
        await expect(users.create('c2', claiming('claim-2@example.com', [ext('EXT-C1')]), NOW)).rejects.toMatchObject({ reason: 'uniqueness', attribute: 'externalId' });
        expect(await users.get('c2')).toBeUndefined();
        expect(await users.findByUniqueValue('claim-2@example.com')).toBeUndefined();
        expect(await users.count()).toBe(before);
      });

      it('compares an externalId exactly, and leaves writes that claim nothing free (the default profile)', async () => {
        expect((await users.create('c3', claiming('claim-3@example.com', [ext('ext-c1')]), NOW)).id).toBe('c3');
        expect((await create('c4', 'claim-4@example.com', { emails: [{ value: 'shared@example.com' }], externalId: 'EXT-C1' })).alsoUnique).toBeUndefined();
      });

      it('moves a claim on change, frees it on drop and on delete, and keeps it on a change of case', async () => {
        const c1 = (await users.get('c1'))!;
        const recased = await users.replace(c1, claiming('claim-1@example.com', [email('SHARED@example.com'), ext('EXT-C1')]), LATER);
        await expect(users.create('c5', claiming('claim-5@example.com', [email('shared@example.com')]), NOW)).rejects.toMatchObject({ attribute: 'email' });
        const moved = await users.replace(recased, claiming('claim-1@example.com', [email('moved@example.com')]), LATER);
        expect(moved.alsoUnique).toEqual([email('moved@example.com')]);
        // The old e-mail and the dropped externalId are free; the new e-mail is taken.
        const c5 = await users.create('c5', claiming('claim-5@example.com', [email('shared@example.com'), ext('EXT-C1')]), NOW);
        await expect(users.create('c6', claiming('claim-6@example.com', [email('MOVED@example.com')]), NOW)).rejects.toMatchObject({ attribute: 'email' });
        await users.delete(c5, NOW);
        await users.delete((await users.get('c1'))!, NOW);
        const c6 = await users.create('c6', claiming('claim-6@example.com', [email('moved@example.com'), email('shared@example.com'), ext('EXT-C1')]), NOW);
        // A replace without claims (the default profile) lets them go.
        expect((await users.replace(c6, user('claim-6@example.com'), NOW)).alsoUnique).toBeUndefined();
        expect((await users.create('c7', claiming('claim-7@example.com', [email('moved@example.com')]), NOW)).id).toBe('c7');
      });

      it('refuses a change onto another resource\'s claim and changes nothing', async () => {
        const c7 = (await users.get('c7'))!;
        const c8 = await users.create('c8', claiming('claim-8@example.com', [email('eight@example.com')]), NOW);
        await expect(users.replace(c8, claiming('claim-8b@example.com', [email('Moved@Example.com')]), LATER)).rejects.toMatchObject({ reason: 'uniqueness', attribute: 'email' });
        expect(await users.get('c8')).toEqual(c8);
        expect(await users.findByUniqueValue('claim-8b@example.com')).toBeUndefined();
        expect(await users.get('c7')).toEqual(c7);
      });

      it('lets exactly one of 10 racing creates claiming one e-mail win', async () => {
        const outcomes = await Promise.allSettled(
          Array.from({ length: 10 }, (_, i) => users.create(`claim-race-${i}`, claiming(`claim-race-${i}@example.com`, [email(i % 2 ? 'race@example.com' : 'RACE@example.com')]), NOW)),
        );
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toMatchObject({ reason: 'uniqueness', attribute: 'email' });
      });

      it('holds a group\'s externalId apart from a user\'s, and frees it when the group goes', async () => {
        await users.create('c9', claiming('claim-9@example.com', [ext('EXT-C1')]), NOW);
        const g = await groups.create('cg1', { ...group('Claim Group'), alsoUnique: [ext('EXT-C1')] }, [], NOW);
        await expect(groups.create('cg2', { ...group('Claim Group 2'), alsoUnique: [ext('EXT-C1')] }, [], NOW)).rejects.toMatchObject({ reason: 'uniqueness', attribute: 'externalId' });
        const renamed = await groups.update(g, { write: { ...group('Claim Group renamed'), alsoUnique: [ext('EXT-C1')] }, members: { add: [], remove: [] }, pinned: true }, LATER);
        expect(renamed.alsoUnique).toEqual([ext('EXT-C1')]);
        await groups.delete((await groups.get('cg1'))!);
        expect((await groups.create('cg2', { ...group('Claim Group 2'), alsoUnique: [ext('EXT-C1')] }, [], NOW)).id).toBe('cg2');
      });
    });

    describe('groups and memberships', () => {
      const members = Array.from({ length: 300 }, (_, i) => `m${String(i).padStart(3, '0')}`);
      beforeAll(async () => {
        for (let i = 0; i < members.length; i += 10) {
          await Promise.all(members.slice(i, i + 10).map((id) => create(id, `${id}@example.com`)));
        }
      }, 120_000);

      const memberIds = async (gid: string) => (await groups.members(gid)).sort();

      it('creates a group with members, the count exact and each user naming it', async () => {
        const created = await groups.create('g1', group('Small'), members.slice(0, 5), NOW);
        expect(created).toMatchObject({ id: 'g1', kind: 'Group', version: 1, memberCount: 5, uniqueValue: 'Small' });
        expect(await memberIds('g1')).toEqual(members.slice(0, 5));
        expect(await groups.get('g1')).toMatchObject({ memberCount: 5 });
        expect((await users.get(members[0]))?.groupIds).toEqual(['g1']);
        expect((await groups.getWithMembers('g1', 10))?.members?.sort()).toEqual(members.slice(0, 5));
      });

      it('refuses a group whose name is taken, and one naming a user that does not exist, writing nothing', async () => {
        await expect(groups.create('g-dup', group('SMALL'), [], NOW)).rejects.toMatchObject({ reason: 'uniqueness' });
        await expect(groups.create('g-ghost', group('Ghostly'), [members[0], 'ghost'], NOW)).rejects.toMatchObject({ reason: 'memberGone', userId: 'ghost' });
        expect(await groups.get('g-ghost')).toBeUndefined();
        expect(await groups.findByUniqueValue('ghostly')).toBeUndefined();
        expect((await users.get(members[0]))?.groupIds).toEqual(['g1']);
      });

      it('applies a change of 250 members whole, with an exact count', async () => {
        const created = await groups.create('g2', group('Large'), [], NOW);
        const after = await groups.update(created, { members: { add: members.slice(0, 250), remove: [] }, pinned: false }, NOW);
        expect(after.memberCount).toBe(250);
        expect(await groups.get('g2')).toMatchObject({ memberCount: 250 });
        expect(await memberIds('g2')).toEqual(members.slice(0, 250));
        expect((await users.get(members[249]))?.groupIds).toEqual(['g2']);
        const trimmed = await groups.update((await groups.get('g2'))!, { members: { add: [], remove: members.slice(0, 100) }, pinned: false }, NOW);
        expect(trimmed.memberCount).toBe(150);
        expect(await memberIds('g2')).toEqual(members.slice(100, 250));
        expect((await users.get(members[0]))?.groupIds).toEqual(['g1']);
        expect((await users.get(members[99]))?.groupIds).toBeUndefined();
      });

      it('applies racing large member changes of one group, each whole, the count exact', async () => {
        const created = await groups.create('g-race', group('Racing'), [], NOW);
        await Promise.all(
          [0, 1, 2, 3].map((k) => groups.update(created, { members: { add: members.slice(k * 60, k * 60 + 60), remove: [] }, pinned: false }, NOW)),
        );
        expect(await memberIds('g-race')).toEqual(members.slice(0, 240));
        expect(await groups.get('g-race')).toMatchObject({ memberCount: 240 });
        const trimmed = await groups.update((await groups.get('g-race'))!, { members: { add: [], remove: members.slice(0, 240) }, pinned: false }, NOW);
        expect(trimmed.memberCount).toBe(0);
        expect((await users.get(members[239]))?.groupIds).toEqual(['g2']);
      });

      it('refuses a change whose premise is stale: adding a present member, removing an absent one', async () => {
        const current = (await groups.get('g1'))!;
        await expect(groups.update(current, { members: { add: [members[0]], remove: [] }, pinned: false }, NOW)).rejects.toMatchObject({ reason: 'version' });
        await expect(groups.update(current, { members: { add: [], remove: [members[200]] }, pinned: false }, NOW)).rejects.toMatchObject({ reason: 'version' });
        expect(await groups.get('g1')).toMatchObject({ memberCount: 5 });
        expect(await memberIds('g1')).toEqual(members.slice(0, 5));
      });

      it('refuses to add a user that does not exist, saying which, and writes nothing', async () => {
        const current = (await groups.get('g1'))!;
        await expect(groups.update(current, { members: { add: [members[6], 'ghost'], remove: [] }, pinned: false }, NOW)).rejects.toMatchObject({
          reason: 'memberGone',
          userId: 'ghost',
        });
        expect(await memberIds('g1')).toEqual(members.slice(0, 5));
        expect((await users.get(members[6]))?.groupIds).toBeUndefined();
      });

      it('pins the version when asked, and lets member-only changes interleave when not', async () => {
        const current = (await groups.get('g1'))!;
        await groups.update(current, { members: { add: [members[10]], remove: [] }, pinned: false }, NOW);
        await expect(groups.update(current, { members: { add: [members[11]], remove: [] }, pinned: true }, NOW)).rejects.toMatchObject({ reason: 'version' });
        const unpinned = await groups.update(current, { members: { add: [members[11]], remove: [] }, pinned: false }, NOW);
        expect(unpinned.version).toBeGreaterThan(current.version);
        expect(await groups.get('g1')).toMatchObject({ memberCount: 7 });
      });

      it('renames with the guard swapped alongside member changes, all or nothing', async () => {
        const current = (await groups.get('g1'))!;
        const renamed = await groups.update(current, { write: group('Renamed'), members: { add: [members[12]], remove: [members[0]] }, pinned: true }, LATER);
        expect(renamed).toMatchObject({ uniqueValue: 'Renamed', version: current.version + 1, memberCount: 7, lastModified: LATER });
        expect(await groups.get('g1')).toEqual(renamed);
        expect((await groups.findByUniqueValue('renamed'))?.id).toBe('g1');
        expect(await groups.findByUniqueValue('small')).toBeUndefined();
        await expect(groups.update(renamed, { write: group('LARGE'), members: { add: [members[13]], remove: [] }, pinned: true }, NOW)).rejects.toMatchObject({
          reason: 'uniqueness',
        });
        expect(await memberIds('g1')).not.toContain(members[13]);
        expect(await groups.get('g1')).toEqual(renamed);
      });

      it('a rename with 60 new members is all or nothing: a user deleted before the write refuses it whole', async () => {
        const created = await groups.create('g-sixty', group('Sixty'), [], NOW);
        const adds = members.slice(200, 260);
        await users.delete((await users.get(members[259]))!, NOW);
        await expect(
          groups.update(created, { write: group('Sixty renamed'), members: { add: adds, remove: [] }, pinned: true }, NOW),
        ).rejects.toMatchObject({ reason: 'memberGone', userId: members[259] });
        expect(await groups.get('g-sixty')).toEqual(created);
        expect(await memberIds('g-sixty')).toEqual([]);
        expect(await groups.findByUniqueValue('Sixty renamed')).toBeUndefined();
        expect((await users.get(members[200]))?.groupIds).toEqual(['g2']);
        await create(members[259], `${members[259]}@example.com`);
      });

      it('tells, in one read, which named users exist, which are members and which are full', async () => {
        const { group: g, facts } = await groups.readForChange('g1', [members[1], members[299], 'ghost'], true);
        expect(g?.id).toBe('g1');
        expect([...facts.users].sort()).toEqual([members[1], members[299]].sort());
        expect([...facts.members]).toEqual([members[1]]);
        expect([...facts.full]).toEqual([]);
        expect((await groups.readForChange('g1', [members[1]], false)).group).toBeUndefined();
        expect((await groups.readForChange('nope', [], true)).group).toBeUndefined();
      });

      it('reads a group with its members, and stops above a limit without them', async () => {
        expect((await groups.getWithMembers('g2', 1000))?.members).toHaveLength(150);
        const capped = await groups.getWithMembers('g2', 100);
        expect(capped?.group.id).toBe('g2');
        expect(capped?.members).toBeUndefined();
        expect(await groups.getWithMembers('nope', 10)).toBeUndefined();
        expect(await groups.members('nope')).toEqual([]);
      });

      it("reads users' groups together with the users, a deleted group shown as null", async () => {
        const u = (await users.get(members[150]))!;
        const { users: read, groups: found } = await users.groupsOf([u]);
        expect(read.map((r) => r.id)).toEqual([members[150]]);
        expect([...found.keys()]).toEqual(['g2']);
        expect(found.get('g2')?.uniqueValue).toBe('Large');
        const withGroups = await users.findWithGroups(`${members[150]}@example.com`);
        expect(withGroups?.groups.map((g) => g.id)).toEqual(['g2']);
        expect(ids((await users.groupsOf([u], new Map([['g2', null]]))).users)).toEqual([members[150]]);
      });

      it('deletes a user with its memberships, the groups counted down and stamped', async () => {
        const uid = members[151];
        const g2 = (await groups.get('g2'))!;
        await users.delete((await users.get(uid))!, LATER);
        expect(await users.get(uid)).toBeUndefined();
        const after = (await groups.get('g2'))!;
        expect(after).toMatchObject({ memberCount: g2.memberCount! - 1, lastModified: LATER });
        expect(after.version).toBeGreaterThan(g2.version);
        expect(await memberIds('g2')).not.toContain(uid);
      });

      it('deletes a user in more groups than one transaction holds', async () => {
        const uid = members[152];
        const many = Array.from({ length: 60 }, (_, i) => `many${i}`);
        for (const gid of many) await groups.create(gid, group(`Many ${gid}`), [uid], NOW);
        const current = (await users.get(uid))!;
        expect(current.groupIds).toHaveLength(61);
        await users.delete(current, NOW);
        expect(await users.get(uid)).toBeUndefined();
        for (const gid of [...many, 'g2']) expect(await memberIds(gid)).not.toContain(uid);
        expect(await groups.get('many7')).toMatchObject({ memberCount: 0 });
      });

      it('refuses a user deletion when a membership was added after the user was read', async () => {
        const uid = members[153];
        const current = (await users.get(uid))!;
        const late = await groups.create('late', group('Late'), [], NOW);
        await groups.update(late, { members: { add: [uid], remove: [] }, pinned: false }, NOW);
        await expect(users.delete(current, NOW)).rejects.toMatchObject({ reason: 'version' });
        expect(await users.get(uid)).toBeDefined();
        await users.delete((await users.get(uid))!, NOW);
        expect(await memberIds('late')).toEqual([]);
        expect(await groups.get('late')).toMatchObject({ memberCount: 0 });
      });

      it('deletes a group and its members; its id may stay named by users, but reads show no membership', async () => {
        const g2 = (await groups.get('g2'))!;
        const uid = members[160];
        await groups.delete(g2);
        expect(await groups.get('g2')).toBeUndefined();
        expect(await groups.members('g2')).toEqual([]);
        expect(await groups.getWithMembers('g2', 1000)).toBeUndefined();
        expect(await groups.findByUniqueValue('Large')).toBeUndefined();
        const u = (await users.get(uid))!;
        expect((await users.groupsOf([u])).groups.get('g2') ?? null).toBeNull();
        // The user's deletion still works with the deleted group named.
        await users.delete(u, NOW);
        expect(await users.get(uid)).toBeUndefined();
        expect(await groups.deleteLeftoverMembers('g2')).toBe(0);
      });

      it('lists groups with exact counts, in displayName order', async () => {
        const page = await groups.list({ startIndex: 1, count: 1000 });
        expect(page.totalResults).toBe(await groups.count());
        const names = page.resources.map((g) => g.uniqueValue.toLowerCase());
        expect(names).toEqual([...names].sort());
        expect(page.resources.find((g) => g.id === 'many7')?.memberCount).toBe(0);
      });
    });

    describe('the audit trail', () => {
      const OKTA = { tokenId: 'tok-okta', name: 'okta-prod' };
      const READER = { tokenId: 'tok-hr', name: 'hr-sync' };
      let clock = 0;
      /** A strictly later time for each change, so that "newest first" has one answer. */
      const tick = () => new Date(Date.parse('2026-12-01T00:00:00.000Z') + 1000 * ++clock).toISOString();
      const facts = (operation: AuditFacts['operation'], extra: Partial<AuditFacts> = {}): AuditFacts => ({
        at: tick(),
        operation,
        actor: OKTA,
        requestId: `req-${clock}`,
        userAgent: 'Okta SCIM Client',
        sourceAddress: '198.51.100.7',
        changes: [{ path: 'title', after: 'x' }],
        ...extra,
      });
      const history = async (id: string) => (await audit.list({ resourceId: id, count: 100 })).entries;
      const brief = (entries: AuditEntry[]) => entries.map((e) => [e.operation, e.resourceType, e.resourceId]);
      const audited = new Set<string>();
      const remember = (...ids: string[]) => ids.forEach((id) => audited.add(id));

      it('a create, a replace and a delete: one entry each, newest first, with the facts and the store’s own', async () => {
        const f1 = facts('create');
        const created = await users.create('aud-u1', user('audit1@example.com'), f1.at, f1);
        const f2 = facts('replace', { changes: [{ path: 'userName', before: 'audit1@example.com', after: 'audit.one@example.com' }] });
        const replaced = await users.replace(created, user('audit.one@example.com'), f2.at, f2);
        const f3 = facts('delete', { actor: READER });
        await users.delete(replaced, f3.at, f3);
        remember('aud-u1');
        const entries = await history('aud-u1');
        expect(entries.map((e) => e.operation)).toEqual(['delete', 'replace', 'create']);
        expect(entries[2]).toEqual({
          ...f1,
          id: expect.any(String),
          directory: 'default',
          resourceType: 'User',
          resourceId: 'aud-u1',
          resourceName: 'audit1@example.com',
          version: 1,
        });
        expect(entries[1]).toMatchObject({ version: 2, resourceName: 'audit.one@example.com', changes: f2.changes, requestId: f2.requestId });
        expect(entries[0]).toMatchObject({ actor: READER, resourceName: 'audit.one@example.com' });
        expect(entries[0].version).toBeUndefined();
        expect(new Set(entries.map((e) => e.id)).size).toBe(3);
      });

      it('a write that is refused leaves no entry', async () => {
        const taken = await users.create('aud-u2', user('audit2@example.com'), NOW, facts('create'));
        remember('aud-u2');
        await expect(users.create('aud-u3', user('AUDIT2@example.com'), NOW, facts('create'))).rejects.toMatchObject({ reason: 'uniqueness' });
        await users.replace(taken, user('audit2@example.com', { title: 'T' }), NOW, facts('replace'));
        await expect(users.replace(taken, user('audit2@example.com', { title: 'stale' }), NOW, facts('replace'))).rejects.toMatchObject({ reason: 'version' });
        await expect(users.delete(taken, NOW, facts('delete'))).rejects.toMatchObject({ reason: 'version' });
        await expect(groups.create('aud-g0', group('Audit ghost'), ['nobody'], NOW, facts('create'))).rejects.toMatchObject({ reason: 'memberGone' });
        expect(await history('aud-u3')).toEqual([]);
        expect(await history('aud-g0')).toEqual([]);
        expect((await history('aud-u2')).map((e) => e.operation)).toEqual(['replace', 'create']);
      });

      it('group members: the ids added and removed, whole, in one entry at any size (150 at once)', async () => {
        const ids = Array.from({ length: 150 }, (_, i) => `aud-m${String(i).padStart(3, '0')}`);
        for (let i = 0; i < ids.length; i += 30) await Promise.all(ids.slice(i, i + 30).map((id) => create(id, `${id}@example.com`)));
        const small = await groups.create('aud-g1', group('Audit small'), ids.slice(0, 3), NOW, facts('create', { changes: [{ path: 'displayName', after: 'Audit small' }] }));
        const [created] = await history('aud-g1');
        expect(created).toMatchObject({ resourceType: 'Group', resourceName: 'Audit small', version: 1 });
        expect(created.changes).toEqual([{ path: 'displayName', after: 'Audit small' }, { path: 'members', added: ids.slice(0, 3) }]);

        const big = await groups.update(small, { members: { add: ids.slice(3), remove: ids.slice(0, 2) }, pinned: false }, NOW, facts('patch', { changes: [] }));
        expect(big.memberCount).toBe(148);
        const [patched, ...older] = await history('aud-g1');
        expect(older).toHaveLength(1);
        expect(patched.changes).toEqual([{ path: 'members', added: ids.slice(3), removed: ids.slice(0, 2) }]);
        expect(patched.version).toBeUndefined(); // unpinned: other member changes may interleave

        const renamed = await groups.update((await groups.get('aud-g1'))!, { write: group('Audit renamed'), members: { add: [], remove: [ids[2]] }, pinned: true }, NOW, facts('patch', { changes: [{ path: 'displayName', before: 'Audit small', after: 'Audit renamed' }] }));
        const [third] = await history('aud-g1');
        expect(third).toMatchObject({ resourceName: 'Audit renamed', version: renamed.version });
        expect(third.changes).toEqual([{ path: 'displayName', before: 'Audit small', after: 'Audit renamed' }, { path: 'members', removed: [ids[2]] }]);

        await groups.delete((await groups.get('aud-g1'))!, facts('delete', { changes: [{ path: 'displayName', before: 'Audit renamed' }] }));
        const entries = await history('aud-g1');
        expect(entries.map((e) => e.operation)).toEqual(['delete', 'patch', 'patch', 'create']);
        // The deletion is the group's own entry: its members went with it, and are no change of their own.
        expect(entries[0].changes).toEqual([{ path: 'displayName', before: 'Audit renamed' }]);
        remember('aud-g1');
      });

      it('a user deleted from 60 groups (more than one transaction holds): one entry naming every group it left', async () => {
        const uid = 'aud-u60';
        await create(uid, 'audit60@example.com');
        const gids = Array.from({ length: 60 }, (_, i) => `aud-g60-${String(i).padStart(2, '0')}`);
        for (const gid of gids) await groups.create(gid, group(`Audit 60 ${gid}`), [uid], NOW);
        await users.delete((await users.get(uid))!, NOW, facts('delete', { changes: [] }));
        const entries = await history(uid);
        expect(entries).toHaveLength(1);
        expect(entries[0].changes).toHaveLength(1);
        expect(entries[0].changes[0].path).toBe('groups');
        expect([...(entries[0].changes[0].removed ?? [])].sort()).toEqual(gids);
        remember(uid);
      });

      it("the directory's activity: every entry, newest first, paged, narrowed by since and actor", async () => {
        const all: AuditEntry[] = [];
        let after: string | undefined;
        let pages = 0;
        do {
          const page = await audit.list({ count: 3, after });
          expect(page.entries.length).toBeLessThanOrEqual(3);
          all.push(...page.entries);
          after = page.next;
        } while (after && ++pages < 100);
        expect(new Set(all.map((e) => e.resourceId))).toEqual(audited);
        const times = all.map((e) => e.at);
        expect(times).toEqual([...times].sort().reverse());
        expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
        // The 150-member change is whole here too.
        expect(all.find((e) => e.resourceId === 'aud-g1' && e.changes.some((c) => c.added?.length === 147))).toBeDefined();

        const since = all[2].at;
        expect((await audit.list({ count: 100, since })).entries.map((e) => e.id)).toEqual(all.slice(0, 3).map((e) => e.id));
        const byReader = (await audit.list({ count: 100, actor: 'hr-sync' })).entries;
        expect(brief(byReader)).toEqual([['delete', 'User', 'aud-u1']]);
        expect((await audit.list({ count: 100, actor: 'tok-hr' })).entries.map((e) => e.id)).toEqual(byReader.map((e) => e.id));
        expect((await audit.list({ count: 100, actor: 'nobody' })).entries).toEqual([]);
        expect(await audit.list({ count: 5, resourceId: 'never-existed' })).toEqual({ entries: [] });
      });

      it('refuses a position it did not hand out', async () => {
        await expect(audit.list({ count: 5, after: 'garbage' })).rejects.toBeInstanceOf(InvalidPosition);
        await expect(audit.list({ count: 5, after: '["x","NOT-AUDIT"]' })).rejects.toBeInstanceOf(InvalidPosition);
      });
    });
  });
}
