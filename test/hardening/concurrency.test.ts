import { expectConsistent } from '../support/consistency';
import { CapturingLogger, expectNoSecrets } from '../support/logs';
import { GROUP, PATCH_OP, startTestServer, TEST_TOKEN, userBody } from '../support/server';
import { problemWith, type Answer } from '../support/workload';

const SEED = Number(process.env.RACE_SEED ?? 11);

/**
 * Many clients at once on the same users and groups, over HTTP: creates, renames, patches,
 * member changes and deletes. Afterwards the checker passes, every acknowledged write is
 * there, and the versions each client was given never went backwards.
 */
describe('races: many clients on the same users and groups', () => {
  const logger = new CapturingLogger();
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let races = 0;
  let requests = 0;
  beforeAll(async () => {
    server = await startTestServer(logger);
  });
  afterAll(async () => {
    process.stdout.write(`races: seed ${SEED}, ${races} races, ${requests} requests\n`);
    await server.stop();
    expectNoSecrets(logger.lines, [TEST_TOKEN]);
  });

  /** Acknowledged versions per resource, in the order each client received them. */
  const versions = new Map<string, number[]>();
  const send = async (method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer> => {
    requests++;
    const answer = await server.scim(method, path, body, headers);
    const problem = problemWith(answer);
    if (problem || answer.status >= 500) throw new Error(`${method} ${path}: ${problem ?? answer.status}\n${answer.text.slice(0, 300)}`);
    const version = answer.json?.meta?.version ?? answer.headers.get('etag');
    if (answer.status < 300 && version && answer.json?.id) {
      const list = versions.get(answer.json.id) ?? [];
      list.push(Number(/"(\d+)"/.exec(version)?.[1]));
      versions.set(answer.json.id, list);
    }
    return answer;
  };
  const patchOp = (Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });
  let state = SEED;
  const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

  it('20 racing renames of one user onto 4 names: each name held once, the last acknowledged write is what reads back', async () => {
    const ids = await Promise.all([0, 1, 2].map(async (i) => (await send('POST', '/Users', userBody(`racer${i}@example.com`))).json.id as string));
    races++;
    const names = ['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com'];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const id = ids[i % 3];
        return send('PATCH', `/Users/${id}`, patchOp([{ op: 'replace', path: 'userName', value: names[Math.floor(random() * 4)] }])).then((r) => ({ id, r }));
      }),
    );
    for (const { r } of results) expect([200, 409]).toContain(r.status);
    const held = new Map<string, string>();
    for (const id of ids) {
      const user = await send('GET', `/Users/${id}`);
      expect(held.has(user.json.userName.toLowerCase())).toBe(false);
      held.set(user.json.userName.toLowerCase(), id);
      // The version read back is at least every version this user was acknowledged with.
      expect(Number(/"(\d+)"/.exec(user.json.meta.version)![1])).toBeGreaterThanOrEqual(Math.max(...(versions.get(id) ?? [1])));
    }
    await expectConsistent(server.table.client, server.table.tableName);
  });

  it('creates, deletes and re-creates of the same userNames at once: one holder per name, counters exact', async () => {
    races++;
    const names = Array.from({ length: 5 }, (_, i) => `churn${i}@example.com`);
    const live = new Map<string, string>();
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const name = names[i % names.length];
        const created = await send('POST', '/Users', userBody(name));
        expect([201, 409]).toContain(created.status);
        if (created.status === 201 && random() < 0.5) {
          const deleted = await send('DELETE', `/Users/${created.json.id}`);
          expect([204, 404]).toContain(deleted.status);
        } else if (created.status === 201) live.set(name, created.json.id);
      }),
    );
    for (const [name, id] of live) {
      const found = await send('GET', `/Users?filter=${encodeURIComponent(`userName eq "${name}"`)}`);
      expect(found.json.Resources.map((u: { id: string }) => u.id)).toEqual([id]);
    }
    const all = await send('GET', '/Users?count=0');
    const report = await expectConsistent(server.table.client, server.table.tableName);
    expect(all.json.totalResults).toBe(report.scanned.users);
  });

  it('member adds, removes, renames and user deletes on the same groups at once: every acknowledged change is there', async () => {
    races++;
    const users = await Promise.all(Array.from({ length: 12 }, async (_, i) => (await send('POST', '/Users', userBody(`m${i}@example.com`))).json.id as string));
    const groups = await Promise.all([0, 1].map(async (g) => (await send('POST', '/Groups', { schemas: [GROUP], displayName: `Race ${g}` })).json.id as string));
    await new Promise((r) => setTimeout(r, 100));
    const added = new Map<string, Set<string>>(groups.map((g) => [g, new Set()]));
    const removed = new Map<string, Set<string>>(groups.map((g) => [g, new Set()]));
    const deletedUsers = new Set<string>();
    const names = new Map<string, string>();
    const work = Array.from({ length: 60 }, (_, i) => async () => {
      const gid = groups[i % 2];
      const uid = users[Math.floor(random() * users.length)];
      const roll = random();
      if (roll < 0.55) {
        const res = await send('PATCH', `/Groups/${gid}`, patchOp([{ op: 'add', path: 'members', value: [{ value: uid }] }]));
        expect([204, 400]).toContain(res.status); // 400: the user was deleted meanwhile
        if (res.status === 204) added.get(gid)!.add(uid);
      } else if (roll < 0.8) {
        const res = await send('PATCH', `/Groups/${gid}`, patchOp([{ op: 'remove', path: `members[value eq "${uid}"]` }]));
        expect(res.status).toBe(204);
        removed.get(gid)!.add(uid);
      } else if (roll < 0.92) {
        const name = `Race ${i % 2} v${i}`;
        const res = await send('PATCH', `/Groups/${gid}`, patchOp([{ op: 'replace', value: { displayName: name } }]));
        expect([204, 409]).toContain(res.status);
        if (res.status === 204) names.set(gid, name);
      } else if (!deletedUsers.has(uid) && users.indexOf(uid) >= 8) {
        const res = await send('DELETE', `/Users/${uid}`);
        expect([204, 404]).toContain(res.status);
        deletedUsers.add(uid);
      }
    });
    await Promise.all(work.map((w) => w()));
    for (const gid of groups) {
      const group = await send('GET', `/Groups/${gid}`);
      const members = new Set<string>((group.json.members ?? []).map((m: { value: string }) => m.value));
      // An add never undone by a remove or a user delete is there; a deleted user is nowhere.
      for (const uid of added.get(gid)!) if (!removed.get(gid)!.has(uid) && !deletedUsers.has(uid)) expect(members.has(uid)).toBe(true);
      for (const uid of deletedUsers) expect(members.has(uid)).toBe(false);
      // A user that was only ever removed is not a member.
      for (const uid of removed.get(gid)!) if (!added.get(gid)!.has(uid)) expect(members.has(uid)).toBe(false);
    }
    await expectConsistent(server.table.client, server.table.tableName);
  });

  it('PUT, PATCH and DELETE racing on one user with and without If-Match: 412 or success, versions never go back', async () => {
    races++;
    const created = await send('POST', '/Users', userBody('contested@example.com'));
    const id = created.json.id as string;
    const etag = created.headers.get('etag')!;
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) => {
        const pinned = i % 3 === 0 ? { 'If-Match': etag } : undefined;
        if (i === 23) return send('DELETE', `/Users/${id}`, undefined, pinned);
        if (i % 2 === 0) return send('PUT', `/Users/${id}`, userBody('contested@example.com', { title: `put ${i}` }), pinned);
        return send('PATCH', `/Users/${id}`, patchOp([{ op: 'replace', path: 'title', value: `patch ${i}` }]), pinned);
      }),
    );
    // Never a 409: contention without If-Match is retried inside the request (issue 13 #4).
    for (const r of results) expect([200, 204, 404, 412]).toContain(r.status);
    // With If-Match on the first version, at most one write can have won.
    const pinnedWins = results.filter((r, i) => i % 3 === 0 && i !== 23 && r.status === 200);
    expect(pinnedWins.length).toBeLessThanOrEqual(1);
    const list = versions.get(id) ?? [];
    const successes = results.filter((r) => r.status === 200).map((r) => Number(/"(\d+)"/.exec(r.json.meta.version)![1]));
    // Every acknowledged version is distinct: no two writes were told they made the same version.
    expect(new Set(successes).size).toBe(successes.length);
    expect(list.length).toBeGreaterThan(0);
    await expectConsistent(server.table.client, server.table.tableName);
  });

  it('50 concurrent PATCHes of one user without If-Match are all applied; with one If-Match exactly one wins', async () => {
    races += 2;
    const id = (await send('POST', '/Users', userBody('crowded@example.com'))).json.id as string;
    const adds = await Promise.all(
      Array.from({ length: 50 }, (_, i) => send('PATCH', `/Users/${id}`, patchOp([{ op: 'add', path: 'emails', value: [{ value: `crowd${i}@example.com`, type: 'other' }] }]))),
    );
    expect(adds.map((r) => r.status)).toEqual(Array(50).fill(200));
    const emails = ((await send('GET', `/Users/${id}`)).json.emails as { value: string }[]).map((e) => e.value);
    for (let i = 0; i < 50; i++) expect(emails).toContain(`crowd${i}@example.com`);

    const etag = (await send('GET', `/Users/${id}`)).headers.get('etag')!;
    const pinned = await Promise.all(
      Array.from({ length: 50 }, (_, i) => send('PATCH', `/Users/${id}`, patchOp([{ op: 'replace', path: 'title', value: `pinned ${i}` }]), { 'If-Match': etag })),
    );
    const statuses = pinned.map((r) => r.status).sort();
    expect(statuses).toEqual([200, ...Array(49).fill(412)]);
    for (const r of pinned.filter((x) => x.status === 412)) expect(r.json.scimType).toBe('invalidVers');
    await expectConsistent(server.table.client, server.table.tableName);
  });
});
