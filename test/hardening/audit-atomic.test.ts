import { expectConsistent } from '../support/consistency';
import { FaultInjector, type FaultKind } from '../support/faults';
import { GROUP, NAMED_TOKENS, namedTokenVerifier, PATCH_OP, startTestServer, userBody } from '../support/server';
import { problemWith } from '../support/workload';

/**
 * Neither a change without its audit entry nor an entry without its change: DynamoDB faults
 * are injected at every transaction of each kind of write (throttled, timed out, answered but
 * the answer lost, cancelled by a conflicting transaction), and afterwards the change is
 * applied exactly when its request's entry exists, and the entry names exactly the members
 * that were applied, for a 600-member change of thirteen transactions too.
 */
const KINDS: FaultKind[] = ['throttle', 'timeout', 'lost-response', 'conflict'];
/** 48 members with the intent (its entry among them), then 49 a step, the last 13 with the clean-up. */
const INTENT_TRANSACTIONS = 13;
const MEMBERS = 600;

/** Counts for docs/hardening.md, printed at the end. */
const tally = { runs: 0, faults: 0, applied: 0, refused: 0 };

interface Entry {
  requestId: string;
  operation: string;
  actor: { name: string };
  changes: { path: string; added?: string[]; removed?: string[]; after?: unknown }[];
}

describe('an audit entry exists exactly when its change was applied, whatever fails', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let faults: FaultInjector;
  const members: string[] = [];

  beforeAll(async () => {
    server = await startTestServer(undefined, 'rfc', { leaseMs: 150, completeWithinMs: 400 }, { verifier: namedTokenVerifier() });
    faults = new FaultInjector(server.table.client, 15);
    // Created 10 at a time, each retried on a 429/503 (a loaded machine throttles DynamoDB Local too).
    const create = async (userName: string): Promise<string> => {
      for (let attempt = 0; ; attempt++) {
        const res = await okta('POST', '/Users', userBody(userName));
        if (res.status === 201) return res.json.id;
        if (![429, 503].includes(res.status) || attempt >= 5) throw new Error(`POST /Users ${userName}: ${res.status} ${res.text}`);
        await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
      }
    };
    for (let i = 0; i < MEMBERS; i += 10) {
      members.push(...(await Promise.all(Array.from({ length: 10 }, (_, j) => create(`audit-fault-${i + j}@example.com`)))));
    }
    expect(new Set(members).size).toBe(MEMBERS);
  }, 180_000);
  afterEach(() => faults.clear());
  afterAll(async () => {
    process.stdout.write(`audit atomicity: ${tally.runs} faulted writes, ${tally.faults} faults, ${tally.applied} applied with their entry, ${tally.refused} refused without one\n`);
    await server.stop();
  });

  function okta(method: string, path: string, body?: unknown) {
    return server.scim(method, path, body, { Authorization: `Bearer ${NAMED_TOKENS.okta.token}` });
  }
  async function entriesOf(resourceId: string): Promise<Entry[]> {
    const res = await server.scim('GET', `/Audit?resourceId=${encodeURIComponent(resourceId)}&count=200`);
    expect(res.status).toBe(200);
    return res.json.Resources;
  }

  /** Runs `request` with the fault at transaction k; returns the answer and that request's entries. */
  async function faulted(kind: FaultKind, k: number, request: () => ReturnType<typeof okta>, resourceId: () => string | undefined) {
    const before = faults.count();
    faults.fromTransaction(kind, k);
    const answer = await request();
    faults.clear();
    tally.runs++;
    tally.faults += faults.count() - before;
    // (The answer is shown when no fault was injected: the request never reached a transaction.)
    expect({ injected: faults.count() > before, answer: answer.json }).toEqual({ injected: true, answer: answer.json });
    // Whatever happened, the client got a SCIM answer, never a 500.
    expect(problemWith(answer)).toBeUndefined();
    const requestId = answer.headers.get('x-request-id')!;
    const id = resourceId() ?? answer.json?.id;
    const entries = id ? (await entriesOf(id)).filter((e) => e.requestId === requestId) : [];
    return { answer, entries };
  }

  const count = (applied: boolean) => (applied ? tally.applied++ : tally.refused++);

  it.each(KINDS)('%s on the transaction of a user create, replace and delete', async (kind) => {
    // Create: applied when the user exists under that name.
    const name = `fault-${kind}-${Date.now()}@example.com`;
    const created = await faulted(kind, 1, () => okta('POST', '/Users', userBody(name)), () => undefined);
    const found = (await okta('GET', `/Users?filter=${encodeURIComponent(`userName eq "${name}"`)}`)).json.Resources as { id: string }[];
    const id = found[0]?.id;
    const createEntries = id ? (await entriesOf(id)).filter((e) => e.requestId === created.answer.headers.get('x-request-id')) : [];
    expect(createEntries).toHaveLength(found.length);
    count(found.length === 1);
    const userId = id ?? (await okta('POST', '/Users', userBody(name))).json.id;

    // Replace: applied when the title is the new one.
    const replaced = await faulted(kind, 1, () => okta('PUT', `/Users/${userId}`, userBody(name, { title: kind })), () => userId);
    const applied = (await okta('GET', `/Users/${userId}`)).json.title === kind;
    expect(replaced.entries).toHaveLength(applied ? 1 : 0);
    if (applied) expect(replaced.entries[0].changes).toEqual([{ path: 'title', after: kind }]);
    count(applied);

    // Delete: applied when the user is gone.
    const deleted = await faulted(kind, 1, () => okta('DELETE', `/Users/${userId}`), () => userId);
    const gone = (await okta('GET', `/Users/${userId}`)).status === 404;
    expect(deleted.entries).toHaveLength(gone ? 1 : 0);
    count(gone);
    await expectConsistent(server.table.client, server.table.tableName);
  });

  it.each(KINDS)('%s on the transaction of a group created with 3 members, and of a rename', async (kind) => {
    const displayName = `Fault ${kind} ${Date.now()}`;
    const created = await faulted(kind, 1, () => okta('POST', '/Groups', { schemas: [GROUP], displayName, members: members.slice(0, 3).map((value) => ({ value })) }), () => undefined);
    const found = (await okta('GET', `/Groups?filter=${encodeURIComponent(`displayName eq "${displayName}"`)}`)).json.Resources as { id: string; members?: unknown[] }[];
    if (found[0]) {
      const entries = (await entriesOf(found[0].id)).filter((e) => e.requestId === created.answer.headers.get('x-request-id'));
      expect(entries).toHaveLength(1);
      expect(entries[0].changes.find((c) => c.path === 'members')?.added).toEqual(members.slice(0, 3));
      expect(found[0].members).toHaveLength(3);
    }
    count(found.length === 1);
    const gid = found[0]?.id ?? (await okta('POST', '/Groups', { schemas: [GROUP], displayName })).json.id;
    const renamed = await faulted(kind, 1, () => okta('PATCH', `/Groups/${gid}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: `${displayName} renamed` }] }), () => gid);
    const applied = (await okta('GET', `/Groups/${gid}`)).json.displayName === `${displayName} renamed`;
    expect(renamed.entries).toHaveLength(applied ? 1 : 0);
    count(applied);
  });

  const intentCases: [FaultKind, number][] = KINDS.flatMap((kind) =>
    (kind === 'throttle' || kind === 'lost-response' ? Array.from({ length: INTENT_TRANSACTIONS }, (_, i) => i + 1) : [1, 2, 7, 13]).map((k) => [kind, k] as [FaultKind, number]),
  );

  it.each(intentCases)(`%s at transaction %i of a ${MEMBERS}-member PATCH: the entry names exactly the members applied`, async (kind, k) => {
    const gid = (await okta('POST', '/Groups', { schemas: [GROUP], displayName: `Intent ${kind} ${k}` })).json.id as string;
    const { answer, entries } = await faulted(kind, k, () => okta('PATCH', `/Groups/${gid}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: members.map((value) => ({ value })) }] }), () => gid);
    // Reading the group finishes a change that was decided; then the entry is whole too.
    const group = (await okta('GET', `/Groups/${gid}`)).json;
    const applied = ((group.members ?? []) as { value: string }[]).map((m) => m.value);
    const whole = (await entriesOf(gid)).filter((e) => e.requestId === answer.headers.get('x-request-id'));
    expect(whole).toHaveLength(applied.length > 0 ? 1 : 0);
    if (applied.length > 0) {
      expect(whole[0].actor.name).toBe('okta-prod');
      expect([...(whole[0].changes[0].added ?? [])].sort()).toEqual([...applied].sort());
      expect(applied).toHaveLength(MEMBERS);
    } else {
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(entries).toEqual([]);
    }
    count(applied.length > 0);
    await expectConsistent(server.table.client, server.table.tableName);
  });
});
