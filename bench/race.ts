/**
 * The race (issue 19): one black-box SCIM workload against several servers, each an OS
 * process of its own, measured side by side in one run: ours on DynamoDB Local (what
 * `npm start` runs), ours on the in-memory store (`SCIM_STORE=memory`), the scimmy 1.3 +
 * express peer (bench/lib/scimmy-server.ts), and, with `--race-before <rev>`, ours at another
 * revision. All servers are started first; then each phase runs on every server in turn, the
 * order rotating per phase, so that whatever else loads the machine falls on all alike.
 * Per phase and server: requests/s, p50/p99 latency, and the CPU time each process used
 * (/proc/<pid>/stat) per request.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildLocalBundle } from '../lib/local/bundle';
import { processCpuMs, clockTicksPerSecond, waitForQuiet, type Quiet } from './lib/proc-stat';
import { RaceClient } from './lib/race-client';
import { startServer, type RunningServer, type ServerCommand } from './lib/race-servers';
import { raceBudgets, raceRatios, serverTotals, summarisePhase, type CpuReading, type PhaseFigures, type RaceBudget, type RaceRatios, type ServerId, type ServerTotals } from './lib/race-summary';
import { FULL_WORKLOAD, QUICK_WORKLOAD, warmUp, workloadPhases, type WorkloadSize, type WorkloadState } from './lib/race-workload';

const ROOT = path.resolve(__dirname, '..');

/** Where the race builds ours's bundle (removed when the race ends). */
export const OURS_BUNDLE_DIR = path.join(ROOT, 'dist', 'local-race');

/**
 * How ours is started: the process `npm start` runs, the local endpoint bundled as the
 * functions are (lib/local/bundle.ts), built for the race into a folder of its own.
 */
export async function oursCommand(): Promise<Pick<ServerCommand, 'command' | 'args' | 'cwd'>> {
  const entry = await buildLocalBundle(OURS_BUNDLE_DIR);
  return { command: process.execPath, args: [path.relative(ROOT, entry)], cwd: ROOT };
}

/** `--race-before`'s server: that revision's bin/local.ts under tsx, as its `npm start` ran it. */
function beforeCommand(root: string): Pick<ServerCommand, 'command' | 'args' | 'cwd'> {
  return { command: process.execPath, args: ['--import', 'tsx', 'bin/local.ts'], cwd: root };
}

function scimmyCommand(): Pick<ServerCommand, 'command' | 'args' | 'cwd'> {
  return { command: process.execPath, args: ['--import', 'tsx', 'bench/lib/scimmy-server.ts'], cwd: ROOT };
}

export interface RaceOptions {
  readonly size?: WorkloadSize;
  readonly quick?: boolean;
  /** SCIM_LOG=quiet for ours; by default ours logs a line per request, as the deployed functions do. */
  readonly quietLog?: boolean;
  /** A git revision to race as "before" (on DynamoDB Local). */
  readonly before?: string;
  /** Which servers (default: ours on DynamoDB Local, ours in memory, scimmy; and before when given). */
  readonly servers?: readonly Exclude<ServerId, 'before'>[];
  readonly concurrency?: number;
}

/** One server of the race, as it ran. */
export interface RaceServer {
  readonly id: ServerId;
  readonly label: string;
  readonly command: string;
  /** The store it really served from: "DynamoDB Local" when it printed a DynamoDB Local pid, else "memory". */
  readonly store: string;
  /** What was asked of it (SCIM_STORE=memory for ours in memory). */
  readonly env: string;
}

export interface RaceResult {
  readonly concurrency: number;
  readonly workload: WorkloadSize;
  readonly requestsPerServer: number;
  /** Ours's per-request log: "per request" (the default of bin/local.ts) or "quiet" (SCIM_LOG=quiet). */
  readonly oursLog: 'per request' | 'quiet';
  readonly clockTicksPerSecond: number;
  readonly servers: RaceServer[];
  /** Phase by phase, servers in the order they ran that phase. */
  readonly phases: PhaseFigures[];
  readonly totals: ServerTotals[];
  readonly ratios: RaceRatios;
  /**
   * The waits for quiet (lib/proc-stat.ts waitForQuiet) before the first phase and after each
   * run: how many, how many ended at the 5 s limit with the processes still busy, and how long they took.
   */
  readonly quiet: { readonly waits: number; readonly notQuiet: number; readonly medianWaitMs: number; readonly longestWaitMs: number };
}

interface Contender {
  readonly server: RaceServer;
  readonly running: RunningServer;
  readonly client: RaceClient;
  readonly state: WorkloadState;
}

/** The environment a server starts with: this one's, without SCIM_* settings of its own. */
function serverEnv(extra: Record<string, string>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SCIM_')) env[k] = v;
  return { ...env, NODE_NO_WARNINGS: '1', PORT: '0', ...extra };
}

/** A detached worktree of `rev` with this checkout's node_modules; removed by the returned function. */
function checkOut(rev: string): { dir: string; sha: string; remove: () => void } {
  const sha = execFileSync('git', ['rev-parse', '--short', rev], { cwd: ROOT, encoding: 'utf8' }).trim();
  const parent = mkdtempSync(path.join(tmpdir(), 'scim-race-before-'));
  const dir = path.join(parent, 'tree');
  execFileSync('git', ['worktree', 'add', '--detach', dir, sha], { cwd: ROOT, stdio: 'ignore' });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return {
    dir,
    sha,
    remove: () => {
      rmSync(path.join(dir, 'node_modules'), { force: true });
      execFileSync('git', ['worktree', 'remove', '--force', dir], { cwd: ROOT, stdio: 'ignore' });
      rmSync(parent, { recursive: true, force: true });
    },
  };
}

const commandLine = (c: Pick<ServerCommand, 'command' | 'args'>) => [path.basename(c.command), ...c.args].join(' ');

/** Runs the race and returns its figures; every server and worktree it started is gone when it resolves. */
export async function runRace(options: RaceOptions = {}): Promise<RaceResult> {
  const size = options.size ?? (options.quick ? QUICK_WORKLOAD : FULL_WORKLOAD);
  const concurrency = options.concurrency ?? 8;
  const quietLog = options.quietLog ?? false;
  const wanted = options.servers ?? ['oursDynamo', 'oursMemory', 'scimmy'];
  const cleanUp: (() => void)[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'scim-race-'));
    cleanUp.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  };
  const ours = (extra: Record<string, string>) => ({ SCIM_IN_MEMORY: '1', SCIM_DATA_DIR: dataDir(), ...(quietLog ? { SCIM_LOG: 'quiet' } : {}), ...extra });

  const specs: { id: ServerId; label: string; run: Pick<ServerCommand, 'command' | 'args' | 'cwd'>; env: Record<string, string>; asked: string }[] = [];
  const oursRun = wanted.some((id) => id !== 'scimmy') ? await oursCommand() : undefined;
  cleanUp.push(() => rmSync(OURS_BUNDLE_DIR, { recursive: true, force: true }));
  for (const id of wanted) {
    if (id === 'oursDynamo') specs.push({ id, label: 'ours, DynamoDB Local', run: oursRun!, env: ours({}), asked: 'SCIM_IN_MEMORY=1' });
    if (id === 'oursMemory') specs.push({ id, label: 'ours, in memory', run: oursRun!, env: ours({ SCIM_STORE: 'memory' }), asked: 'SCIM_IN_MEMORY=1 SCIM_STORE=memory' });
    if (id === 'scimmy') specs.push({ id, label: 'scimmy 1.3 + express', run: scimmyCommand(), env: {}, asked: '' });
  }
  const started: RunningServer[] = [];
  try {
    if (options.before) {
      const tree = checkOut(options.before);
      cleanUp.push(tree.remove);
      specs.push({ id: 'before', label: `before (${tree.sha}), DynamoDB Local`, run: beforeCommand(tree.dir), env: ours({}), asked: 'SCIM_IN_MEMORY=1' });
    }
    const contenders: Contender[] = [];
    // Started one after the other: several DynamoDB Locals starting at once on two cores can take a minute.
    for (const spec of specs) {
      const token = randomBytes(24).toString('base64url');
      const running = await startServer({ ...spec.run, env: serverEnv({ ...spec.env, SCIM_TOKEN: token }) });
      started.push(running);
      contenders.push({
        server: {
          id: spec.id,
          label: spec.label,
          command: commandLine(spec.run),
          store: running.dynamoPid === undefined ? 'memory' : 'DynamoDB Local',
          env: [spec.asked, spec.env.SCIM_LOG ? `SCIM_LOG=${spec.env.SCIM_LOG}` : ''].filter(Boolean).join(' '),
        },
        running,
        client: new RaceClient(running.baseUrl, token, concurrency),
        state: { users: [], groups: [] },
      });
    }

    const clientCpuMs = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    const read = (c: Contender): CpuReading => ({
      node: processCpuMs(c.running.pid),
      ...(c.running.dynamoPid === undefined ? {} : { java: processCpuMs(c.running.dynamoPid) }),
      client: clientCpuMs(),
    });
    // Unmeasured: each server first serves the whole workload once, with names of its own.
    for (const c of contenders) await warmUp(c.client, size, concurrency);
    // Every server process and its DynamoDB Local: a phase starts when all of them are quiet.
    const pids = started.flatMap((s) => (s.dynamoPid === undefined ? [s.pid] : [s.pid, s.dynamoPid]));
    const waits: Quiet[] = [await waitForQuiet(pids)];
    const rows: PhaseFigures[] = [];
    const phases = workloadPhases(size);
    for (const [k, phase] of phases.entries()) {
      for (let j = 0; j < contenders.length; j++) {
        const c = contenders[(k + j) % contenders.length];
        const before = read(c);
        const run = await c.client.run(phase.requests, concurrency, (i) => phase.request(i, c.state));
        // Work a request leaves behind (a log write, a collection) belongs to it: wait for quiet, then read.
        waits.push(await waitForQuiet(pids));
        rows.push(summarisePhase(phase.phase, c.server.id, run, before, read(c)));
      }
    }
    for (const c of contenders) c.client.close();
    const totals = serverTotals(rows);
    return {
      concurrency,
      workload: size,
      requestsPerServer: phases.reduce((a, p) => a + p.requests, 0),
      oursLog: quietLog ? 'quiet' : 'per request',
      clockTicksPerSecond: clockTicksPerSecond(),
      servers: contenders.map((c) => c.server),
      phases: rows,
      totals,
      ratios: raceRatios(totals, rows),
      quiet: { waits: waits.length, notQuiet: waits.filter((w) => !w.quiet).length, medianWaitMs: median(waits.map((w) => w.waitedMs)), longestWaitMs: Math.max(...waits.map((w) => w.waitedMs)) },
    };
  } finally {
    await Promise.all(started.map((s) => s.stop()));
    for (const undo of cleanUp.reverse()) undo();
  }
}

/** Issue 19's budgets from a race, as bench/run.ts lists them. */
export function checkRaceBudgets(race: RaceResult): RaceBudget[] {
  const memory = race.servers.find((s) => s.id === 'oursMemory');
  const notes = memory && memory.store !== 'memory' ? { oursMemory: `ran on ${memory.store}: bin/local.ts did not serve SCIM_STORE=memory` } : {};
  return raceBudgets(race.totals, race.phases, notes);
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
