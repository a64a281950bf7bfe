/**
 * Where our CPU goes: ours (the local endpoint's bundle, as `npm start` and the race run it)
 * under the race's workload with V8's CPU profiler on, on DynamoDB Local and on the in-memory
 * store; each sample's code is mapped back through the bundle's source map to the package or
 * folder it comes from, and grouped: the SDK's middleware, signing, serialization and
 * marshalling, Node's HTTP, JSON, validation, logging, our SCIM core, services and store.
 * The shares are of the profile's samples. V8 samples the thread on a wall clock, so a moment
 * the thread waits inside a system call counts for that call: the socket writes (writev, to
 * DynamoDB Local and to the client) are a group of their own for that reason, larger than the
 * CPU they cost (the process's system time, which holds the kernel's side of them, is a small
 * part of its CPU). The ms per request apply the shares to the CPU time /proc measured for
 * the process over the same workload.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SourceMapConsumer } from 'source-map';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { buildLocalBundle } from '../lib/local/bundle';
import { ensureTable, LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal } from '../lib/local/dynamodb-local';
import { createDocumentClient, createStoreClient } from '../lambda/store/client';
import { processCpuMs } from './lib/proc-stat';
import { RaceClient } from './lib/race-client';
import { startServer } from './lib/race-servers';
import { FULL_WORKLOAD, QUICK_WORKLOAD, warmUp, workloadPhases } from './lib/race-workload';

const ROOT = path.resolve(__dirname, '..');

/** The groups of the breakdown, first match wins, on the source path a sample maps to (or the native function's name). */
const GROUPS: readonly { readonly group: string; readonly test: RegExp }[] = [
  { group: 'socket writes (writev: samples count its wall time, see below)', test: /^native writev$/ },
  { group: 'SigV4 signing and hashing (SDK signer, node:crypto: token hashes, ids)', test: /@smithy\/signature-v4|@aws-crypto|httpAuthSchemes|node:internal\/crypto/ },
  { group: 'SDK: marshalling (document client, attribute values)', test: /@aws-sdk\/(lib-dynamodb|util-dynamodb|dynamodb-codec)/ },
  { group: 'SDK: serialization (JSON protocol, schemas)', test: /@smithy\/core\/dist-es\/submodules\/(protocols|serde|schema)|@aws-sdk\/core\/dist-es\/submodules\/protocols/ },
  { group: 'SDK: HTTP handler', test: /@smithy\/node-http-handler/ },
  { group: 'SDK: middleware, endpoints, retries, client', test: /@smithy\/|@aws-sdk\// },
  { group: 'logging (Powertools Logger, our log lines)', test: /@aws-lambda-powertools|lambda\/http\/log|lambda\/handlers\/(telemetry|instrumented)/ },
  { group: 'JSON.parse and JSON.stringify', test: /^native (parse|stringify)$/ },
  { group: 'validation (schemas, values, names, JSON body checks)', test: /lambda\/scim\/(validate|schema|values|unique-name|json-body)/ },
  { group: 'SCIM core (filters, PATCH, projection, lists, errors)', test: /lambda\/scim\// },
  { group: 'services and store (ours)', test: /lambda\/(service|store)\// },
  { group: 'HTTP routing, auth and handler glue (ours)', test: /lambda\/(http|handlers)\// },
  { group: 'the local server (lib/local, API Gateway stand-in)', test: /\/(lib|bin)\// },
  { group: 'Node: HTTP, sockets, streams', test: /node:internal\/(http|_http|net|stream|streams|child_process)|node:(_http|http|net|stream)|stream_base_commons|^native (writeLatin1String|writeUtf8String|writeBuffer)$/ },
  { group: 'garbage collection', test: /^\(garbage collector\)$/ },
];
const OTHER = 'other (promises, timers, Node internals, program)';

export interface ProfileGroup {
  readonly group: string;
  readonly sharePercent: number;
  readonly cpuMsPerRequest: number;
}

export interface ProfileRun {
  readonly store: 'DynamoDB Local' | 'memory';
  readonly requests: number;
  readonly cpuMsPerRequest: number;
  readonly sampledMs: number;
  readonly groups: ProfileGroup[];
}

export interface ProfileResult {
  readonly requestsPerStore: number;
  readonly runs: ProfileRun[];
  /**
   * The SDK's cost of a call: CPU µs per call in this process, a GetItem of a user and a
   * PutItem of one, on DynamoDB Local, 8 calls in flight (as the race); median of 5 rounds of
   * 400 after 400 unmeasured; of the stores' client (createDocumentClient: lib-dynamodb's
   * document client) and, to say what another way to call the SDK would save, of the
   * low-level client with `@aws-sdk/util-dynamodb` marshalling, without and with the SDK's
   * `cacheMiddleware` (which the document client refuses).
   */
  readonly sdkCallMicros: readonly SdkCallCost[];
}

export interface SdkCallCost {
  readonly client: 'document client (the stores\' client)' | 'low-level client + util-dynamodb' | 'low-level client + util-dynamodb, cacheMiddleware';
  readonly get: number;
  readonly put: number;
}

/** What one call of the SDK costs in CPU, the HTTP round trip to DynamoDB Local included, called three ways. */
async function sdkCallCost(): Promise<SdkCallCost[]> {
  const dynamo = await startDynamoDbLocal();
  const table = 'sdk-call-cost';
  const at = { endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const documents = createDocumentClient(at);
  const plain = createStoreClient(at);
  const cached = createStoreClient(at, { cacheMiddleware: true });
  try {
    await ensureTable(dynamo.endpoint, table);
    const user = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'cost@example.com', displayName: 'Cost', name: { givenName: 'Cost', familyName: 'Probe' }, emails: [{ value: 'cost@example.com', type: 'work', primary: true }], active: true };
    const item = { pk: 'u', sk: 'USER', version: 1, uniqueValue: user.userName, document: user };
    const key = { pk: 'u', sk: 'USER' };
    await documents.send(new PutCommand({ TableName: table, Item: item }));
    const viaLowLevel = (client: DynamoDBClient) => ({
      get: async () => {
        const { Item } = await client.send(new GetItemCommand({ TableName: table, Key: marshall(key), ConsistentRead: true }));
        return Item && unmarshall(Item);
      },
      put: () => client.send(new PutItemCommand({ TableName: table, Item: marshall(item, { removeUndefinedValues: true, convertClassInstanceToMap: false }) })),
    });
    const ways: [SdkCallCost['client'], { get: () => Promise<unknown>; put: () => Promise<unknown> }][] = [
      ["document client (the stores' client)", {
        get: () => documents.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true })),
        put: () => documents.send(new PutCommand({ TableName: table, Item: item })),
      }],
      ['low-level client + util-dynamodb', viaLowLevel(plain)],
      ['low-level client + util-dynamodb, cacheMiddleware', viaLowLevel(cached)],
    ];
    const inFlight = 8;
    const round = async (call: () => Promise<unknown>) => {
      const start = process.cpuUsage();
      for (let i = 0; i < 400 / inFlight; i++) await Promise.all(Array.from({ length: inFlight }, call));
      const used = process.cpuUsage(start);
      return (used.user + used.system) / 400;
    };
    const cells = ways.flatMap(([client, calls]) => (['get', 'put'] as const).map((op) => ({ client, op, call: calls[op], rounds: [] as number[] })));
    for (const cell of cells) await round(cell.call);
    // Rounds interleaved, so that a change in the machine's load falls on all three alike.
    for (let r = 0; r < 5; r++) for (const cell of cells) cell.rounds.push(await round(cell.call));
    const median = (xs: number[]) => Math.round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);
    const figures = new Map(ways.map(([client]) => [client, { client, get: 0, put: 0 }]));
    for (const cell of cells) figures.get(cell.client)![cell.op] = median(cell.rounds);
    return [...figures.values()];
  } finally {
    documents.destroy();
    plain.destroy();
    cached.destroy();
    await dynamo.stop();
  }
}

interface CpuProfile {
  readonly nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }[];
  readonly samples: number[];
  readonly timeDeltas: number[];
}

/** Each sample's self time, by group, with native frames (but JSON's) counted as their caller's. */
export function groupProfile(profile: CpuProfile, sourceOf: (url: string, line: number, column: number) => string): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const groupOf = new Map<number, string>();
  const classify = (id: number): string => {
    const known = groupOf.get(id);
    if (known) return known;
    const { callFrame: f } = byId.get(id)!;
    let key: string;
    if (f.url) key = f.url.startsWith('file:') ? sourceOf(f.url, f.lineNumber, f.columnNumber) : f.url;
    else key = f.functionName.startsWith('(') ? f.functionName : `native ${f.functionName}`;
    let group = GROUPS.find((g) => g.test.test(key))?.group;
    // A native frame (a builtin) does its caller's work, JSON's aside.
    if (!group && key.startsWith('native ') && parent.has(id)) group = classify(parent.get(id)!);
    group ??= OTHER;
    groupOf.set(id, group);
    return group;
  };
  const totals = new Map<string, number>();
  for (const [id, micros] of self) {
    if (byId.get(id)!.callFrame.functionName === '(idle)') continue;
    const group = classify(id);
    totals.set(group, (totals.get(group) ?? 0) + micros);
  }
  return totals;
}

/** A source-path lookup over the bundle's maps (the entry's and each lazy chunk's). */
function sourceLookup(): (url: string, line: number, column: number) => string {
  const maps = new Map<string, SourceMapConsumer | null>();
  return (url, line, column) => {
    const file = new URL(url).pathname;
    if (!maps.has(file)) {
      let consumer: SourceMapConsumer | null = null;
      try {
        consumer = new SourceMapConsumer(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
      } catch {
        consumer = null;
      }
      maps.set(file, consumer);
    }
    const consumer = maps.get(file);
    const source = consumer?.originalPositionFor({ line: line + 1, column }).source;
    return source ? path.resolve(path.dirname(file), source) : file;
  };
}

/** Runs the workload on ours with the profiler on, on each store; `quick` runs the smaller workload. */
export async function runProfile(quick: boolean): Promise<ProfileResult> {
  const outdir = path.join(ROOT, 'dist', 'local-profile');
  const entry = await buildLocalBundle(outdir, { sourcemap: true });
  const lookup = sourceLookup();
  const size = quick ? QUICK_WORKLOAD : FULL_WORKLOAD;
  const runs: ProfileRun[] = [];
  let requestsPerStore = 0;
  try {
    for (const store of ['dynamodb', 'memory'] as const) {
      const profiles = mkdtempSync(path.join(tmpdir(), 'scim-profile-'));
      const data = mkdtempSync(path.join(tmpdir(), 'scim-profile-data-'));
      const token = randomBytes(24).toString('base64url');
      const server = await startServer({
        command: process.execPath,
        args: ['--cpu-prof', `--cpu-prof-dir=${profiles}`, entry],
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', SCIM_TOKEN: token, SCIM_IN_MEMORY: '1', SCIM_DATA_DIR: data, ...(store === 'memory' ? { SCIM_STORE: 'memory' } : {}) },
      });
      try {
        const client = new RaceClient(server.baseUrl, token, 8);
        // As in the race: the workload once unmeasured, then measured. The profile holds both.
        await warmUp(client, size, 8);
        const state = { users: [] as string[], groups: [] as string[] };
        const before = processCpuMs(server.pid);
        let requests = 0;
        for (const phase of workloadPhases(size)) {
          const run = await client.run(phase.requests, 8, (i) => phase.request(i, state));
          if (run.errors > 0) throw new Error(`profile: ${run.errors} errors in ${phase.phase}: ${run.errorSamples.join(' | ')}`);
          requests += run.requests;
        }
        await new Promise((r) => setTimeout(r, 100));
        const cpuMs = processCpuMs(server.pid) - before;
        client.close();
        await server.stop(10_000);
        // The main thread's profile is the largest (the others are of Node's worker threads).
        const file = readdirSync(profiles).map((f) => path.join(profiles, f)).sort((a, b) => statSync(b).size - statSync(a).size)[0];
        if (!file) throw new Error('profile: the server wrote no CPU profile');
        const totals = groupProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, lookup);
        const sampled = [...totals.values()].reduce((a, b) => a + b, 0);
        const cpuPerRequest = cpuMs / requests;
        requestsPerStore = requests;
        runs.push({
          store: store === 'memory' ? 'memory' : 'DynamoDB Local',
          requests,
          cpuMsPerRequest: round(cpuPerRequest, 2),
          sampledMs: Math.round(sampled / 1000),
          groups: [...totals]
            .sort((a, b) => b[1] - a[1])
            .map(([group, micros]) => ({ group, sharePercent: round((100 * micros) / sampled, 1), cpuMsPerRequest: round((cpuPerRequest * micros) / sampled, 3) })),
        });
      } finally {
        await server.stop();
        rmSync(profiles, { recursive: true, force: true });
        rmSync(data, { recursive: true, force: true });
      }
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
  return { requestsPerStore, runs, sdkCallMicros: await sdkCallCost() };
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
