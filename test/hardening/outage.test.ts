import { connect, createServer, type Server, type Socket } from 'node:net';
import { StaticTokenVerifier } from '../../lambda/http/auth';
import { createDocumentClient } from '../../lambda/store/client';
import { ensureTable, freePort, LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal, type DynamoDbLocal } from '../../lib/local/dynamodb-local';
import { startLocalServer, type LocalServer } from '../../lib/local/server';
import { expectConsistent } from '../support/consistency';
import { freshTable } from '../support/dynamo';
import { CapturingLogger, expectNoSecrets } from '../support/logs';
import { GROUP, TEST_TOKEN, userBody } from '../support/server';
import { problemWith, withRetries, type Answer } from '../support/workload';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
/** API Gateway ends an integration after 29 s; an answer must come well before. */
const API_GATEWAY_LIMIT_MS = 29_000;

/** The SCIM endpoint on a DynamoDB `endpoint`, with its own client (SDK settings as deployed). */
async function serve(endpoint: string, tableName: string, logger: CapturingLogger) {
  const client = createDocumentClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const local: LocalServer = await startLocalServer({
    store: { client, tableName, directoryId: 'default' },
    verifier: new StaticTokenVerifier(TEST_TOKEN),
    logger,
    port: 0,
  });
  const scim = async (method: string, path: string, body?: unknown): Promise<Answer & { ms: number }> => {
    const started = Date.now();
    const res = await fetch(local.baseUrl + path, {
      method,
      headers: { Authorization: `Bearer ${TEST_TOKEN}`, ...(body ? { 'Content-Type': 'application/scim+json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json, text, ms: Date.now() - started };
  };
  return { client, scim, stop: async () => (await local.close(), client.destroy()) };
}

describe('DynamoDB goes away: the process stops mid-run, or stops answering', () => {
  const logger = new CapturingLogger();
  afterAll(() => expectNoSecrets(logger.lines, [TEST_TOKEN]));

  /**
   * Eight clients create users and add them to a group while `outage` cuts DynamoDB off;
   * then `recover` brings it back and the clients retry what failed. Every answer must be a
   * success or a well-formed 503 with Retry-After, well inside 29 s; afterwards every
   * acknowledged write is there and the checker passes.
   */
  async function workloadThroughOutage(endpoint: Awaited<ReturnType<typeof serve>>, tableName: string, outage: () => Promise<void>, recover?: () => Promise<void>) {
    const acknowledged = new Map<string, string>();
    const gid = (await endpoint.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Outage' })).json.id as string;
    const members = new Set<string>();
    const answers: (Answer & { ms: number })[] = [];
    let stopped = false;
    const failed: { method: string; path: string; body: unknown }[] = [];
    // Each client goes on until DynamoDB is gone and it has met the outage 3 times.
    const clients = Array.from({ length: 8 }, async (_, c) => {
      let afterStop = 0;
      for (let i = 0; i < 200 && afterStop < 3; i++) {
        if (stopped) afterStop++;
        const body = userBody(`outage-${c}-${i}@example.com`);
        const created = await endpoint.scim('POST', '/Users', body);
        answers.push(created);
        if (created.status !== 201) {
          failed.push({ method: 'POST', path: '/Users', body });
          continue;
        }
        acknowledged.set(created.json.id, body.userName);
        const add = { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: created.json.id }] }] };
        const added = await endpoint.scim('PATCH', `/Groups/${gid}`, add);
        answers.push(added);
        if (added.status === 204) members.add(created.json.id);
        else failed.push({ method: 'PATCH', path: `/Groups/${gid}`, body: add });
      }
    });
    const stopper = (async () => {
      while (acknowledged.size < 16) await new Promise((r) => setTimeout(r, 20));
      await outage();
      stopped = true;
    })();
    await Promise.all([...clients, stopper]);

    const statuses = new Map<number, number>();
    answers.forEach((a) => statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1));
    const unexpected = logger.lines.filter((line) => line.includes('"level":"ERROR"'));
    expect([[...statuses.keys()].filter((s) => ![201, 204, 503].includes(s)), unexpected.slice(0, 2)]).toEqual([[], []]);
    const unavailable = answers.filter((a) => a.status === 503);
    expect(unavailable.length).toBeGreaterThan(0);
    for (const answer of answers) {
      expect(problemWith(answer)).toBeUndefined();
      expect(answer.ms).toBeLessThan(API_GATEWAY_LIMIT_MS);
    }
    const slowest = Math.max(...unavailable.map((a) => a.ms));
    if (!recover) return { requests: answers.length, unavailable: unavailable.length, slowest, acknowledged: acknowledged.size };

    await recover();
    let conflicts = 0;
    for (const request of failed) {
      const { answer } = await withRetries(() => endpoint.scim(request.method, request.path, request.body), 20, 200);
      expect(problemWith(answer)).toBeUndefined();
      // A create whose write landed just before the cut is a 409 on retry: no duplicate.
      expect([201, 204, 409]).toContain(answer.status);
      if (answer.status === 409) conflicts++;
      if (answer.status === 201) acknowledged.set(answer.json.id, (request.body as { userName: string }).userName);
      if (answer.status === 204) members.add((request.body as any).Operations[0].value[0].value);
    }
    for (const [id, userName] of acknowledged) {
      const res = await endpoint.scim('GET', `/Users/${id}?excludedAttributes=groups`);
      expect([res.status, res.json?.userName]).toEqual([200, userName]);
    }
    const group = await endpoint.scim('GET', `/Groups/${gid}`);
    const stored = new Set((group.json.members ?? []).map((m: { value: string }) => m.value));
    for (const uid of members) expect(stored.has(uid)).toBe(true);
    await expectConsistent(endpoint.client, tableName);
    return { requests: answers.length, unavailable: unavailable.length, slowest, retried: failed.length, conflicts, acknowledged: acknowledged.size };
  }

  it('the connection to DynamoDB is cut mid-run and restored: 503 with Retry-After, then the retries land and nothing is lost', async () => {
    const { tableName, endpoint: dynamoEndpoint, client } = await freshTable('outage');
    client.destroy();
    const proxy = await tcpProxy(new URL(dynamoEndpoint).port);
    const endpoint = await serve(`http://127.0.0.1:${proxy.port}`, tableName, logger);
    try {
      const figures = await workloadThroughOutage(endpoint, tableName, proxy.stop, proxy.start);
      process.stdout.write(`outage (connection cut): ${JSON.stringify(figures)}\n`);
    } finally {
      await endpoint.stop();
      await proxy.stop();
    }
  }, 60_000);

  it('DynamoDB Local stopped mid-run, and a DynamoDB that never answers: 503 with Retry-After, well inside 29 s', async () => {
    // Both at once: starting a DynamoDB Local takes as long as the black hole's timeouts.
    const [stoppedProcess, blackHole] = await Promise.all([processStoppedMidRun(), neverAnswers()]);
    process.stdout.write(`outage (process stopped): ${JSON.stringify(stoppedProcess)}\nblack hole: answered 503 in ${blackHole.join(', ')} ms\n`);
  }, 90_000);

  /**
   * A DynamoDB Local of its own, stopped (SIGTERM) while eight clients write. Only the answers
   * are checked here: retries and the data after a restart are the connection-cut test's
   * (a second start of DynamoDB Local would add half a minute to the suite).
   */
  async function processStoppedMidRun() {
    const dynamo: DynamoDbLocal = await startDynamoDbLocal();
    await ensureTable(dynamo.endpoint, 'outage');
    const endpoint = await serve(dynamo.endpoint, 'outage', logger);
    try {
      return await workloadThroughOutage(endpoint, 'outage', () => dynamo.stop());
    } finally {
      await endpoint.stop();
      await dynamo.stop();
    }
  }

  /** A server that accepts connections and never answers: the SDK's timeouts must end each call. */
  async function neverAnswers(): Promise<number[]> {
    const sockets: Socket[] = [];
    const blackHole: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((done) => blackHole.listen(0, '127.0.0.1', done));
    const port = (blackHole.address() as { port: number }).port;
    const endpoint = await serve(`http://127.0.0.1:${port}`, 'nowhere', logger);
    try {
      const answers = await Promise.all([
        endpoint.scim('GET', '/Users/some-id'),
        endpoint.scim('POST', '/Users', userBody('hang@example.com')),
        endpoint.scim('GET', '/Groups?count=1'),
      ]);
      for (const answer of answers) {
        expect(answer.status).toBe(503);
        expect(problemWith(answer)).toBeUndefined();
        expect(answer.ms).toBeLessThan(20_000);
      }
      return answers.map((a) => a.ms);
    } finally {
      await endpoint.stop();
      sockets.forEach((s) => s.destroy());
      await new Promise((done) => blackHole.close(done));
    }
  }
});

/** A TCP proxy to DynamoDB Local on `targetPort` that can be cut (refusing and resetting) and restored. */
async function tcpProxy(targetPort: string) {
  const port = await freePort();
  const open = new Set<Socket>();
  let server: Server | undefined;
  const start = async () => {
    server = createServer((client) => {
      const upstream = connect(Number(targetPort), '127.0.0.1');
      open.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const close = () => (client.destroy(), upstream.destroy(), open.delete(client), open.delete(upstream));
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    await new Promise<void>((done) => server!.listen(port, '127.0.0.1', done));
  };
  const stop = async () => {
    const closing = server;
    server = undefined;
    open.forEach((s) => s.destroy());
    if (closing) await new Promise((done) => closing.close(done));
  };
  await start();
  return { port, start, stop };
}
