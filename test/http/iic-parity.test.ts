import { request as httpRequest } from 'node:http';
import type { ProfileName } from '../../lambda/scim/profiles/profile';
import { documentedTable, loadParityCases, parityCount, parityTable, type ParityCase, type ParitySide } from '../support/parity-table';
import { ENTERPRISE, ERROR, GROUP, startTestServer, TEST_TOKEN, userBody } from '../support/server';

/**
 * The parity table of docs/protocol.md, case by case over HTTP, against both profiles: the
 * aws-iam-identity-center profile must answer as IIC does (test/fixtures/profiles/iic-parity.json,
 * one behaviour a case, each with its source), and the default profile as the table says.
 * A case "pending" asserts today's answer, named in the test, so that it fails the day the
 * answer changes and the row is then brought up to date.
 */
const cases = loadParityCases();

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  readonly json: any;
}

/** Sends a request as a client would: the test token and a User-Agent unless the case says otherwise. */
function send(baseUrl: string, c: ParityCase['request'], path: string, body: unknown): Promise<Answer> {
  const headers: Record<string, string> = { Authorization: `Bearer ${TEST_TOKEN}`, ...(c.withoutUserAgent ? {} : { 'User-Agent': 'scim-endpoint parity test' }) };
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  if (text !== undefined) headers['Content-Type'] = 'application/scim+json';
  for (const [name, value] of Object.entries(c.headers ?? {})) {
    if (value === null) delete headers[name];
    else headers[name] = value;
  }
  const url = new URL(baseUrl + path);
  return new Promise((done, fail) => {
    // node:http adds no User-Agent of its own, so "without" really is without.
    const req = httpRequest(url, { method: c.method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = raw ? JSON.parse(raw) : undefined;
        } catch {
          json = undefined;
        }
        done({ status: res.statusCode ?? 0, headers: res.headers, text: raw, json });
      });
    });
    req.on('error', fail);
    req.end(text);
  });
}

/** The value at a dotted path; a key holding dots (an extension URN) is matched whole. */
function at(value: unknown, path: string): unknown {
  if (path === '') return value;
  if (value === null || typeof value !== 'object') return undefined;
  for (let i = path.length; i > 0; i--) {
    if (i < path.length && path[i] !== '.') continue;
    const key = path.slice(0, i);
    if (key in (value as object)) return at((value as Record<string, unknown>)[key], path.slice(i + 1));
  }
  return undefined;
}

/**
 * A fixture server: a manager, a user in a group with that manager, and an empty group (see
 * the fixture's description). A rate-limited server gets none: its setup would be throttled.
 */
async function team(profile: ProfileName, rateLimit?: number) {
  const server = await startTestServer(undefined, profile, undefined, { rateLimit });
  let n = 0;
  const next = () => ++n;
  const must = async (method: string, path: string, body: unknown) => {
    const res = await server.scim(method, path, body);
    if (res.status !== 201) {
      await server.stop();
      throw new Error(`setup ${method} ${path}: ${res.status} ${res.text}`);
    }
    return res.json.id as string;
  };
  if (rateLimit !== undefined) return { server, must, ids: {} as Record<string, string>, next };
  const manager = await must('POST', '/Users', userBody('parity-manager@example.com', { externalId: 'parity-ext-m' }));
  const user = await must('POST', '/Users', {
    ...userBody('parity-user@example.com', { externalId: 'parity-ext-1' }),
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
    [ENTERPRISE]: { manager: { value: manager } },
  });
  const group = await must('POST', '/Groups', { schemas: [GROUP], displayName: 'Parity Team', externalId: 'parity-g-ext', members: [{ value: user }] });
  const empty = await must('POST', '/Groups', { schemas: [GROUP], displayName: 'Parity Empty', externalId: 'parity-g-empty' });
  return { server, must, ids: { manager, user, group, empty } as Record<string, string>, next };
}

type Team = Awaited<ReturnType<typeof team>>;

/** The placeholders of a case filled in, creating the fresh resources it names. */
async function expander(t: Team, c: ParityCase) {
  const n = t.next();
  const text = JSON.stringify(c.request);
  const values: Record<string, string> = { ...t.ids, baseUrl: t.server.baseUrl, n: String(n) };
  if (text.includes('{fresh-user')) {
    values['fresh-user-name'] = `fresh-${n}@example.com`;
    values['fresh-user'] = await t.must('POST', '/Users', userBody(values['fresh-user-name']));
  }
  if (text.includes('{fresh-group}')) values['fresh-group'] = await t.must('POST', '/Groups', { schemas: [GROUP], displayName: `Fresh ${n}` });
  if (text.includes('{group-with-user}')) {
    values['group-with-user'] = await t.must('POST', '/Groups', { schemas: [GROUP], displayName: `With user ${n}`, members: [{ value: t.ids.user }] });
  }
  const expand = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const repeat = /^REPEAT_(\d+)$/.exec(value);
      if (repeat) return 'r'.repeat(Number(repeat[1]));
      if (value === 'MEMBERS_101') return Array.from({ length: 101 }, (_, i) => ({ value: `m${i}` }));
      return value.replace(/\{([a-zA-Z-]+)\}/g, (whole, name: string) => values[name] ?? whole);
    }
    if (Array.isArray(value)) return value.map(expand);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v)]));
    return value;
  };
  // Query values are sent encoded, as a client encodes a filter.
  const [path, query] = (expand(c.request.path) as string).split('?');
  const encoded = query === undefined ? path : `${path}?${query.split('&').map((p) => p.replace(/=(.*)$/s, (_, v: string) => `=${encodeURIComponent(v)}`)).join('&')}`;
  return { path: encoded, body: expand(c.request.body), expand };
}

const IIC_TIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/;
/** API Gateway's $context.requestTime, which the gateway's own answers carry (lib/local/gateway-answers.ts). */
const GATEWAY_TIME = /^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/;

function check(profile: ProfileName, side: ParitySide, res: Answer, expand: (v: unknown) => unknown): void {
  expect({ status: res.status, body: res.status === side.status ? undefined : res.text.slice(0, 300) }).toEqual({ status: side.status, body: undefined });
  expect(res.headers['x-amzn-requestid']).toEqual(expect.any(String));
  if (res.text !== '') expect(res.headers['content-type']).toBe(profile === 'rfc' ? 'application/scim+json' : 'application/json');
  if (res.status >= 400) {
    if (profile === 'rfc') {
      expect(res.json).toMatchObject({ schemas: [ERROR], status: String(res.status), detail: expect.any(String) });
      expect(res.json.schema).toBeUndefined();
    } else {
      // IIC's error shape (CLIENTS.md §1.7): status as a string, the extra schema key, request id and time stamp, no scimType.
      expect(Object.keys(res.json).sort()).toEqual(['detail', 'exceptionRequestId', 'schema', 'schemas', 'status', 'timeStamp']);
      expect(res.json).toMatchObject({ schema: [ERROR], schemas: [ERROR], status: String(res.status), exceptionRequestId: res.headers['x-amzn-requestid'] });
      expect(res.json.timeStamp).toMatch(res.status === 429 || /No SCIM endpoint/.test(res.json.detail) ? GATEWAY_TIME : IIC_TIME);
    }
  }
  const e = (side.expect ?? {}) as Record<string, any>;
  if (e.detail !== undefined) expect(res.json.detail).toBe(e.detail);
  if (e.detailContains !== undefined) expect(res.json.detail).toContain(e.detailContains);
  if (e.scimType !== undefined) expect(res.json.scimType).toBe(e.scimType);
  for (const [path, value] of Object.entries((e.has ?? {}) as Record<string, unknown>)) expect([path, at(res.json, path)]).toEqual([path, expand(value)]);
  for (const path of (e.present ?? []) as string[]) expect([path, at(res.json, path)]).toEqual([path, expect.anything()]);
  for (const path of (e.absent ?? []) as string[]) expect([path, at(res.json, path)]).toEqual([path, undefined]);
  for (const [name, value] of Object.entries((e.headers ?? {}) as Record<string, unknown>)) {
    const got = res.headers[name.toLowerCase()];
    if (value === true) expect([name, got]).toEqual([name, expect.any(String)]);
    else if (value === null) expect([name, got]).toEqual([name, undefined]);
    else expect([name, got]).toEqual([name, value]);
  }
  const names = Array.isArray(res.json?.attributes) ? (res.json.attributes as { name: string }[]).map((a) => a.name) : [];
  for (const name of (e.attributeNamesLack ?? []) as string[]) expect(names).not.toContain(name);
  for (const name of (e.attributeNamesHave ?? []) as string[]) expect(names).toContain(name);
  if (e.nextCursorPattern !== undefined) expect(res.json.nextCursor).toMatch(new RegExp(e.nextCursorPattern));
}

/** What the test asserts of a side: its answer, or today's while it is pending. */
const asserted = (side: ParitySide): ParitySide => (side.pending ? side.now! : side);

function title(i: number, c: ParityCase, side: ParitySide): string {
  const base = `${i + 1}. ${c.behaviour}`;
  if (side.pending) return `${base}: PENDING ${side.pending}, answers ${side.now!.status} until then`;
  if (side.differs) return `${base}: differs from IIC on purpose`;
  return base;
}

describe.each([
  ['aws-iam-identity-center', 'profile'],
  ['rfc', 'default'],
] as const)('the parity table against the %s profile', (profile, key) => {
  const teams = new Map<number | undefined, Promise<Team>>();
  const teamFor = (rateLimit?: number) => {
    if (!teams.has(rateLimit)) teams.set(rateLimit, team(profile, rateLimit));
    return teams.get(rateLimit)!;
  };
  afterAll(async () => {
    const started = await Promise.allSettled(teams.values());
    for (const t of started) if (t.status === 'fulfilled') await t.value.server.stop();
  });

  it.each(cases.map((c, i) => [title(i, c, c[key]), c] as const))('%s', async (_title, c) => {
    const side = c[key];
    const expected = asserted(side);
    expect(expected.answer.startsWith(String(expected.status))).toBe(true); // the table's words say the status tested
    const t = await teamFor(c.server?.rateLimit);
    const { path, body, expand } = await expander(t, c);
    let res: Answer;
    if (c.server) {
      const answers = await Promise.all(Array.from({ length: c.server.burst }, () => send(t.server.baseUrl, c.request, path, body)));
      res = answers.find((a) => a.status === expected.status) ?? answers[0];
    } else {
      res = await send(t.server.baseUrl, c.request, path, body);
    }
    check(profile, expected, res, expand);
    if (c.after === 'restore-group' && res.status < 300) {
      const restored = await t.server.scim('PATCH', `/Groups/${t.ids.group}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'members', value: [{ value: t.ids.user }] }],
      });
      expect(restored.status).toBe(204);
    }
  });
});

describe('the parity table in docs/protocol.md', () => {
  it('is the table the fixture generates (npx tsx test/support/parity-table.ts --write)', () => {
    expect(documentedTable()).toBe(parityTable(cases));
  });

  it('has a row for every item of issue 17 and names a source for each', () => {
    const items = new Set(cases.map((c) => c.item).filter(Boolean));
    expect([...items].sort((a, b) => Number(a) - Number(b))).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11']);
    for (const c of cases) expect([c.behaviour, c.source.length > 0]).toEqual([c.behaviour, true]);
    for (const c of cases) expect([c.behaviour, Boolean(c.profile.pending && c.profile.differs)]).toEqual([c.behaviour, false]);
    const count = parityCount(cases);
    expect(count.matched + count.pending + count.differs).toBe(cases.length);
  });
});
