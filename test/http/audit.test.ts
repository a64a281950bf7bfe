import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { auditPk } from '../../lambda/store/keys';
import { ENTERPRISE, GROUP, NAMED_TOKENS, namedTokenVerifier, PATCH_OP, startTestServer, userBody } from '../support/server';
import { expectConsistent } from '../support/consistency';

/**
 * The audit trail over HTTP on the local endpoint: a session of creates, PUTs, PATCHes (a
 * 150-member change among them), deletes and Bulk requests made with two named tokens, and
 * requests that are refused. The audit lists exactly the changes that were applied, each once,
 * with the right actor, request id, client and what it changed; nothing for what was refused
 * or changed nothing.
 */
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
type Who = keyof typeof NAMED_TOKENS;
const AGENTS: Record<Who, string> = { okta: 'Okta SCIM Client 1.0.0', jumpcloud: 'JumpCloud SCIM', reader: 'curl/8.5.0' };

interface Expected {
  readonly requestId: string;
  readonly actor: string;
  readonly operation: string;
  readonly resourceType: string;
  readonly resourceId: string;
}

interface Entry {
  id: string;
  at: string;
  requestId: string;
  actor: { tokenId: string; name: string };
  operation: string;
  resourceType: string;
  resourceId: string;
  resourceName: string;
  userAgent?: string;
  sourceAddress?: string;
  version?: number;
  bulk?: { index: number; bulkId?: string };
  changes: { path: string; before?: unknown; after?: unknown; added?: string[]; removed?: string[]; beforeDigest?: unknown; afterDigest?: unknown }[];
}

describe('the audit trail over HTTP', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const expected: Expected[] = [];
  beforeAll(async () => {
    server = await startTestServer(undefined, 'rfc', undefined, { verifier: namedTokenVerifier() });
  });
  afterAll(() => server.stop());

  /** A request as `who`, with their client's User-Agent. */
  const call = (who: Who, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    server.scim(method, path, body, { Authorization: `Bearer ${NAMED_TOKENS[who].token}`, 'User-Agent': AGENTS[who], ...headers });

  /** A change that must be applied (2xx) and audited once: remembered with its request id. */
  async function change(who: Who, method: string, path: string, body: unknown, resourceType: 'User' | 'Group', resourceId?: string) {
    const res = await call(who, method, path, body);
    expect({ status: res.status < 300, detail: res.json?.detail }).toEqual({ status: true, detail: undefined });
    const id = resourceId ?? res.json.id;
    expected.push({ requestId: res.headers.get('x-request-id')!, actor: NAMED_TOKENS[who].record.name, operation: OPERATION[method], resourceType, resourceId: id });
    return { ...res, id };
  }
  const OPERATION: Record<string, string> = { POST: 'create', PUT: 'replace', PATCH: 'patch', DELETE: 'delete' };

  /** Every entry of the directory, read a page at a time with the read token, newest first. */
  async function everything(query = ''): Promise<Entry[]> {
    const all: Entry[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const res = await call('reader', 'GET', `/Audit?count=37${query}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.json.itemsPerPage).toBe(res.json.Resources.length);
      all.push(...res.json.Resources);
      cursor = res.json.nextCursor;
      if (!cursor) break;
    }
    return all;
  }

  const ids: Record<string, string> = {};
  const many: string[] = [];

  it('runs a session of changes with two tokens, and refused requests in between', async () => {
    ids.ada = (await change('okta', 'POST', '/Users', userBody('ada@example.com', { displayName: 'Ada' }), 'User')).id;
    ids.grace = (await change('okta', 'POST', '/Users', userBody('grace@example.com'), 'User')).id;
    ids.linus = (await change('jumpcloud', 'POST', '/Users', userBody('linus@example.com'), 'User')).id;

    // Refused: a taken userName (409), a body that does not validate (400), an unknown user (404),
    // a stale If-Match (412), a write by the read token (403).
    expect((await call('jumpcloud', 'POST', '/Users', userBody('ADA@example.com'))).status).toBe(409);
    expect((await call('okta', 'PUT', `/Users/${ids.ada}`, { schemas: [ENTERPRISE] })).status).toBe(400);
    expect((await call('okta', 'DELETE', '/Users/no-such-user')).status).toBe(404);
    expect((await call('okta', 'PATCH', `/Users/${ids.ada}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'x' }] }, { 'If-Match': 'W/"9"' })).status).toBe(412);
    expect((await call('reader', 'POST', '/Users', userBody('sneaky@example.com'))).status).toBe(403);

    await change('okta', 'PUT', `/Users/${ids.ada}`, userBody('ada@example.com', { displayName: 'Ada Lovelace', title: 'Analyst' }), 'User', ids.ada);
    // The same document again changes nothing: 200, and no entry.
    expect((await call('okta', 'PUT', `/Users/${ids.ada}`, userBody('ada@example.com', { displayName: 'Ada Lovelace', title: 'Analyst' }))).status).toBe(200);
    await change('jumpcloud', 'PATCH', `/Users/${ids.grace}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] }, 'User', ids.grace);

    // 150 users by two Bulk requests of jumpcloud's (100 and 50 operations), one failing operation among them.
    for (const [from, to] of [[0, 100], [100, 150]]) {
      const operations = Array.from({ length: to - from }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `u${from + i}`, data: userBody(`member${from + i}@example.com`) }));
      if (from === 100) operations.push({ method: 'POST', path: '/Users', bulkId: 'dup', data: userBody('grace@example.com') });
      const res = await call('jumpcloud', 'POST', '/Bulk', { schemas: [BULK], Operations: operations });
      expect(res.status).toBe(200);
      for (const op of res.json.Operations as { status: string; location?: string; bulkId: string }[]) {
        if (op.bulkId === 'dup') {
          expect(op.status).toBe('409');
          continue;
        }
        expect(op.status).toBe('201');
        const id = op.location!.slice(op.location!.lastIndexOf('/') + 1);
        many.push(id);
        expected.push({ requestId: res.headers.get('x-request-id')!, actor: 'jumpcloud', operation: 'create', resourceType: 'User', resourceId: id });
      }
    }
    expect(many).toHaveLength(150);

    ids.engineers = (await change('okta', 'POST', '/Groups', { schemas: [GROUP], displayName: 'Engineers', members: [{ value: ids.ada }] }, 'Group')).id;
    // Refused: a member that is no user (400), nothing written.
    expect((await call('okta', 'PATCH', `/Groups/${ids.engineers}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: 'ghost' }] }] })).status).toBe(400);
    // 150 members in one PATCH: more than one transaction holds, still one change and one entry.
    await change('okta', 'PATCH', `/Groups/${ids.engineers}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: many.map((value) => ({ value })) }] }, 'Group', ids.engineers);
    await change('jumpcloud', 'PATCH', `/Groups/${ids.engineers}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${many[0]}"]` }, { op: 'replace', path: 'displayName', value: 'Engine room' }] }, 'Group', ids.engineers);
    // A Bulk of a group (bulkId reference) and a patch of it.
    const bulk = await call('okta', 'POST', '/Bulk', {
      schemas: [BULK],
      Operations: [
        { method: 'POST', path: '/Groups', bulkId: 'ops', data: { schemas: [GROUP], displayName: 'Operations', members: [{ value: ids.grace }] } },
        { method: 'PATCH', path: '/Groups/bulkId:ops', data: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: ids.linus }] }] } },
      ],
    });
    expect((bulk.json.Operations as { status: string }[]).map((o) => o.status)).toEqual(['201', '204']);
    ids.operations = bulk.json.Operations[0].location.split('/').pop();
    for (const operation of ['create', 'patch']) {
      expected.push({ requestId: bulk.headers.get('x-request-id')!, actor: 'okta-prod', operation, resourceType: 'Group', resourceId: ids.operations });
    }

    await change('jumpcloud', 'DELETE', `/Users/${ids.linus}`, undefined, 'User', ids.linus);
    await change('okta', 'DELETE', `/Groups/${ids.operations}`, undefined, 'Group', ids.operations);
    expect((await call('okta', 'DELETE', `/Groups/${ids.operations}`)).status).toBe(404);
    // 15 s alone; minutes on a loaded machine (another DynamoDB Local test beside it took it past 120 s).
  }, 600_000);

  it('lists exactly those changes, each once, newest first, each with its actor, request and client', async () => {
    const entries = await everything();
    const key = (e: Expected) => `${e.requestId} ${e.operation} ${e.resourceType} ${e.resourceId} ${e.actor}`;
    expect(entries.map((e) => key({ ...e, actor: e.actor.name })).sort()).toEqual(expected.map(key).sort());
    expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
    const times = entries.map((e) => e.at);
    expect(times).toEqual([...times].sort().reverse());
    for (const e of entries) {
      const who = (Object.keys(NAMED_TOKENS) as Who[]).find((w) => NAMED_TOKENS[w].record.name === e.actor.name)!;
      expect(e).toMatchObject({ directory: 'default', actor: { tokenId: NAMED_TOKENS[who].record.id }, userAgent: AGENTS[who], sourceAddress: '127.0.0.1' });
    }
  });

  it('records what changed: attribute values before and after, member ids added and removed, Bulk positions', async () => {
    const history = async (id: string) => (await call('reader', 'GET', `/Audit?resourceId=${id}`)).json.Resources as Entry[];
    const ada = await history(ids.ada);
    expect(ada.map((e) => e.operation)).toEqual(['replace', 'create']);
    expect(ada[0].changes).toEqual([
      { path: 'displayName', before: 'Ada', after: 'Ada Lovelace' },
      { path: 'title', after: 'Analyst' },
    ]);
    expect(ada[0]).toMatchObject({ resourceName: 'ada@example.com', version: 2 });

    const [deactivated] = await history(ids.grace);
    expect(deactivated.changes).toEqual([{ path: 'active', before: true, after: false }]);

    const engineers = await history(ids.engineers);
    expect(engineers.map((e) => e.operation)).toEqual(['patch', 'patch', 'create']);
    expect(engineers[2].changes).toEqual([{ path: 'displayName', after: 'Engineers' }, { path: 'members', added: [ids.ada] }]);
    expect(engineers[1].changes).toEqual([{ path: 'members', added: many }]);
    expect(engineers[0].changes).toEqual([{ path: 'displayName', before: 'Engineers', after: 'Engine room' }, { path: 'members', removed: [many[0]] }]);
    expect(engineers[0].actor.name).toBe('jumpcloud');

    const operations = await history(ids.operations);
    expect(operations.map((e) => [e.operation, e.bulk])).toEqual([
      ['delete', undefined],
      ['patch', { index: 1 }],
      ['create', { index: 0, bulkId: 'ops' }],
    ]);
    expect(operations[0].changes).toEqual([{ path: 'displayName', before: 'Operations' }]);
    const [linusDeleted] = await history(ids.linus);
    expect(linusDeleted).toMatchObject({ operation: 'delete', actor: { name: 'jumpcloud' }, changes: expect.arrayContaining([{ path: 'groups', removed: [ids.operations] }]) });
  });

  it('narrows by actor and since, and refuses what it cannot read with a SCIM error', async () => {
    const byJumpcloud = await everything('&actor=jumpcloud');
    expect(byJumpcloud.length).toBe(expected.filter((e) => e.actor === 'jumpcloud').length);
    expect(byJumpcloud.every((e) => e.actor.name === 'jumpcloud')).toBe(true);
    const all = await everything();
    const since = all[4].at;
    expect((await everything(`&since=${encodeURIComponent(since)}`)).map((e) => e.id)).toEqual(all.filter((e) => e.at >= since).map((e) => e.id));
    for (const [query, scimType] of [['count=0', 'invalidValue'], ['since=soon', 'invalidValue'], ['cursor=%21%21', 'invalidCursor'], ['cursor=eyJ4Ijox', 'invalidCursor']]) {
      const res = await call('reader', 'GET', `/Audit?${query}`);
      expect({ query, status: res.status, scimType: res.json.scimType }).toEqual({ query, status: 400, scimType });
    }
    await expectConsistent(server.table.client, server.table.tableName);
  });

  it('the largest PUT: a 290 kB user replaced whole is one entry of a few kilobytes, values above 1 KiB as digests', async () => {
    const emails = (tag: string) => Array.from({ length: 5_000 }, (_, i) => ({ value: `${tag}.${String(i).padStart(5, '0')}@example.com`, type: 'work' }));
    const big = (tag: string) => userBody('big@example.com', { emails: emails(tag), title: tag.repeat(60_000) });
    const created = await change('okta', 'POST', '/Users', big('a'), 'User');
    expect(Buffer.byteLength(JSON.stringify(big('b')))).toBeGreaterThan(285_000);
    await change('okta', 'PUT', `/Users/${created.id}`, big('b'), 'User', created.id);
    const [replaced] = (await call('reader', 'GET', `/Audit?resourceId=${created.id}`)).json.Resources as Entry[];
    expect(replaced.changes.map((c) => c.path)).toEqual(['title', 'emails']);
    for (const c of replaced.changes) {
      expect(c).toEqual({ path: c.path, beforeDigest: { bytes: expect.any(Number), sha256: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) }, afterDigest: expect.any(Object) });
    }
    // As stored: the entry's item, far below DynamoDB's 400 KB, next to the resource's.
    const { Items } = await server.table.client.send(new QueryCommand({ TableName: server.table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': auditPk('default', created.id) } }));
    for (const item of Items!) expect(Buffer.byteLength(JSON.stringify(item))).toBeLessThan(4_000);
    // Larger than a user may be: 413, and no entry.
    const tooBig = await call('okta', 'PUT', `/Users/${created.id}`, { ...big('c'), nickName: 'n'.repeat(60_000) });
    expect(tooBig.status).toBe(413);
    expect((await call('reader', 'GET', `/Audit?resourceId=${created.id}`)).json.Resources).toHaveLength(2);
  }, 300_000);
});
