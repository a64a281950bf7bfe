import { CapturingLogger, expectNoSecrets } from '../support/logs';
import { expectConsistent } from '../support/consistency';
import { FaultInjector, type FaultKind } from '../support/faults';
import { GROUP, PATCH_OP, startTestServer, TEST_TOKEN, userBody } from '../support/server';
import { problemWith, withRetries, type Answer } from '../support/workload';

const SEED = Number(process.env.FAULT_SEED ?? 7);
/** Slowest acceptable answer under faults: the SDK's 3 attempts with backoff, far inside API Gateway's 29 s. */
const BOUND_MS = 8000;

/** Counts for docs/hardening.md, printed at the end. */
const tally = { requests: 0, faults: 0, answered: new Map<number, number>() };

describe('fault injection: throttling and timeouts from DynamoDB (SDK middleware)', () => {
  const logger = new CapturingLogger();
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let faults: FaultInjector;
  beforeAll(async () => {
    server = await startTestServer(logger);
    faults = new FaultInjector(server.table.client, SEED);
  });
  afterEach(() => faults.clear());
  afterAll(async () => {
    tally.faults = faults.count();
    process.stdout.write(`faults: seed ${SEED}, ${tally.requests} requests, ${tally.faults} faults injected, answers ${JSON.stringify([...tally.answered])}\n`);
    await server.stop();
    expectNoSecrets(logger.lines, [TEST_TOKEN]);
  });

  /** Sends a request, checks the answer is well-formed and bounded in time, counts it. */
  const send = async (method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer> => {
    const started = Date.now();
    const answer = await server.scim(method, path, body, headers);
    const ms = Date.now() - started;
    tally.requests++;
    tally.answered.set(answer.status, (tally.answered.get(answer.status) ?? 0) + 1);
    const problem = problemWith(answer);
    if (problem) throw new Error(`${method} ${path}: ${problem}\n${answer.text.slice(0, 500)}`);
    if (ms > BOUND_MS) throw new Error(`${method} ${path} took ${ms} ms`);
    return answer;
  };
  const patchOp = (Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });
  const createUser = async (name: string) => (await send('POST', '/Users', userBody(name))).json.id as string;

  const everyKind = (uid: string, gid: string): [string, string, unknown?][] => [
    ['POST', '/Users', userBody(`new-${uid}@example.com`)],
    ['GET', `/Users/${uid}`],
    ['GET', '/Users?filter=userName%20eq%20%22a%40example.com%22'],
    ['GET', '/Users?count=5'],
    ['PUT', `/Users/${uid}`, userBody(`put-${uid}@example.com`)],
    ['PATCH', `/Users/${uid}`, patchOp([{ op: 'replace', path: 'displayName', value: 'Patched' }])],
    ['POST', '/Groups', { schemas: [GROUP], displayName: `G-${uid}`, members: [{ value: uid }] }],
    ['GET', `/Groups/${gid}`],
    ['PATCH', `/Groups/${gid}`, patchOp([{ op: 'add', path: 'members', value: [{ value: uid }] }])],
    ['GET', `/Groups?filter=members%5Bvalue%20eq%20%22${uid}%22%5D`],
    ['DELETE', `/Users/${uid}`],
    ['DELETE', `/Groups/${gid}`],
  ];

  it.each<[FaultKind, number]>([
    ['throttle', 429],
    ['timeout', 503],
  ])('under sustained %s every kind of request answers %d with Retry-After, and the retry then succeeds', async (kind, status) => {
    const uid = await createUser(`${kind}@example.com`);
    const gid = (await send('POST', '/Groups', { schemas: [GROUP], displayName: `Group ${kind}` })).json.id as string;
    const requests = everyKind(uid, gid);
    faults.set({ kind });
    const refused = await Promise.all(requests.map(([method, path, body]) => send(method, path, body)));
    faults.clear();
    refused.forEach((answer, i) => {
      expect([...requests[i].slice(0, 2), answer.status]).toEqual([...requests[i].slice(0, 2), status]);
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    });
    // The same requests again, in order, once DynamoDB answers: each succeeds.
    for (const [method, path, body] of requests) {
      const retried = await send(method, path, body);
      expect([method, path, retried.status < 300]).toEqual([method, path, true]);
    }
    expect(faults.count(kind)).toBeGreaterThanOrEqual(everyKind(uid, gid).length * 3); // the SDK retried each 3 times
    await expectConsistent(server.table.client, server.table.tableName);
  });

  it('a user\'s deletion with its memberships is throttled: nothing is half-done, the retry finishes', async () => {
    const uid = await createUser('leaving@example.com');
    const gids: string[] = [];
    for (const name of ['Leavers A', 'Leavers B']) {
      gids.push((await send('POST', '/Groups', { schemas: [GROUP], displayName: name, members: [{ value: uid }] })).json.id);
    }
    // The transaction that deletes the user with its member items is refused.
    faults.set({ kind: 'throttle', commands: ['TransactWriteItemsCommand'], when: (input) => JSON.stringify(input).includes(`MEMBER#${uid}`) });
    const first = await send('DELETE', `/Users/${uid}`);
    expect(first.status).toBe(429);
    faults.clear();
    // All or nothing: the user is still there, in both groups.
    expect((await send('GET', `/Users/${uid}`)).json.groups.map((g: { value: string }) => g.value).sort()).toEqual([...gids].sort());
    const { answer } = await withRetries(() => send('DELETE', `/Users/${uid}`));
    expect([204, 404]).toContain(answer.status);
    expect((await send('GET', `/Users/${uid}`)).status).toBe(404);
    for (const gid of gids) {
      const group = await send('GET', `/Groups/${gid}`);
      expect(group.json.members ?? []).toEqual([]);
    }
    await expectConsistent(server.table.client, server.table.tableName);
  });

  it('a group deleted while its member items are removed is throttled: a retried DELETE leaves no orphan', async () => {
    const uids = await Promise.all([1, 2, 3].map((i) => createUser(`member${i}@example.com`)));
    const gid = (await send('POST', '/Groups', { schemas: [GROUP], displayName: 'Doomed', members: uids.map((value) => ({ value })) })).json.id;
    faults.set({ kind: 'throttle', commands: ['BatchWriteItemCommand'] });
    const first = await send('DELETE', `/Groups/${gid}`);
    expect(first.status).toBe(429);
    faults.clear();
    const { answer } = await withRetries(() => send('DELETE', `/Groups/${gid}`));
    expect([204, 404]).toContain(answer.status);
    expect((await send('GET', `/Groups/${gid}`)).status).toBe(404);
    await expectConsistent(server.table.client, server.table.tableName);
  });

  it('member changes colliding with other transactions on the same user: retried, then 429 with nothing written', async () => {
    const uid = await createUser('contended@example.com');
    const gid = (await send('POST', '/Groups', { schemas: [GROUP], displayName: 'Contended' })).json.id;
    const add = () => send('PATCH', `/Groups/${gid}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: uid }] }] });
    // A conflict or two is absorbed by the store's own retries.
    faults.set({ kind: 'conflict', commands: ['TransactWriteItemsCommand'], times: 2 });
    expect((await add()).status).toBe(204);
    expect(faults.count('conflict')).toBe(2);
    await send('PATCH', `/Groups/${gid}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${uid}"]` }] });
    // A conflict that persists is a retryable refusal, never a 500.
    faults.set({ kind: 'conflict', commands: ['TransactWriteItemsCommand'] });
    const refused = await add();
    faults.clear();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await send('GET', `/Users/${uid}`)).json.groups).toBeUndefined();
    expect((await send('GET', `/Groups/${gid}`)).json.members ?? []).toEqual([]);
    await expectConsistent(server.table.client, server.table.tableName);
  });

  it('a create whose answer is lost is retried by the SDK with its ClientRequestToken: one user, 201', async () => {
    faults.set({ kind: 'lost-response', commands: ['TransactWriteItemsCommand'], times: 1 });
    const created = await send('POST', '/Users', userBody('lost-answer@example.com'));
    expect(faults.count('lost-response')).toBeGreaterThanOrEqual(1);
    faults.clear();
    // DynamoDB (and DynamoDB Local) answer the SDK's retry of a transaction that already
    // succeeded from its idempotency token (ClientRequestToken): 201, not a false 409.
    expect(created.status).toBe(201);
    const found = await send('GET', `/Users?filter=${encodeURIComponent('userName eq "lost-answer@example.com"')}`);
    expect(found.json.totalResults).toBe(1);
    await expectConsistent(server.table.client, server.table.tableName);
  });

  it(`random faults (seed ${SEED}) during a mixed workload: every acknowledged write is there, nothing half-written`, async () => {
    faults.set(
      { kind: 'throttle', probability: 0.15 },
      { kind: 'timeout', probability: 0.1 },
      { kind: 'lost-response', commands: ['TransactWriteItemsCommand'], probability: 0.05 },
    );
    const retried = (method: string, path: string, body?: unknown) => withRetries(() => send(method, path, body)).then((r) => r.answer);
    const users = new Map<string, string>(); // id -> userName acknowledged
    const deleted = new Set<string>();
    for (let i = 0; i < 16; i++) {
      const res = await retried('POST', '/Users', userBody(`soak${i}@example.com`));
      if (res.status === 201) users.set(res.json.id, `soak${i}@example.com`);
    }
    const ids = [...users.keys()];
    const groups = new Map<string, Set<string>>();
    for (let g = 0; g < 4; g++) {
      const members = ids.slice(g * 3, g * 3 + 3);
      const res = await retried('POST', '/Groups', { schemas: [GROUP], displayName: `Soak ${g}`, members: members.map((value) => ({ value })) });
      if (res.status === 201) groups.set(res.json.id, new Set(members));
    }
    await Promise.all(
      ids.map(async (id, i) => {
        if (i % 4 === 0) {
          const res = await retried('PATCH', `/Users/${id}`, patchOp([{ op: 'replace', path: 'userName', value: `renamed${i}@example.com` }]));
          if (res.status === 200) users.set(id, `renamed${i}@example.com`);
        } else if (i % 4 === 1) {
          const gid = [...groups.keys()][i % groups.size];
          const res = await retried('PATCH', `/Groups/${gid}`, patchOp([{ op: 'add', path: 'members', value: [{ value: id }] }]));
          if (res.status === 204) groups.get(gid)!.add(id);
        } else if (i % 4 === 2 && i > 12) {
          const res = await retried('DELETE', `/Users/${id}`);
          if (res.status === 204) deleted.add(id);
        }
      }),
    );
    faults.clear();
    expect(faults.count()).toBeGreaterThan(10);
    // Every acknowledged write is visible.
    for (const [id, userName] of users) {
      const res = await send('GET', `/Users/${id}?excludedAttributes=groups`);
      if (deleted.has(id)) expect(res.status).toBe(404);
      else expect([id, res.json.userName]).toEqual([id, userName]);
    }
    for (const [gid, members] of groups) {
      const res = await send('GET', `/Groups/${gid}`);
      const stored = new Set((res.json.members ?? []).map((m: { value: string }) => m.value));
      for (const uid of members) if (!deleted.has(uid)) expect([gid, uid, stored.has(uid)]).toEqual([gid, uid, true]);
      for (const uid of deleted) expect([gid, uid, stored.has(uid)]).toEqual([gid, uid, false]);
    }
    await expectConsistent(server.table.client, server.table.tableName);
  });
});
