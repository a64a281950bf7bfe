/**
 * Writes the figures of a run into bench/README.md, between markers of the form
 * `<!-- bench:<section> -->` and `<!-- /bench:<section> -->`: the one home of every figure the
 * benchmark makes, which the other docs link to instead of repeating. A section that did not
 * run (`--only`) keeps the figures it had.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AuditOverheadResult } from '../audit-overhead';
import type { ColdStartResult } from '../cold-start';
import type { DeployedResult } from '../deployed';
import type { DirectoriesResult } from '../directories';
import type { DynamoResult } from '../dynamo-calls';
import type { LoadResult } from '../load';
import type { LogBytesResult } from '../log-bytes';
import type { PeersResult } from '../peers';
import type { ProfileResult } from '../profile';
import type { RaceResult } from '../race';
import { OURS_MODES, RACE_TARGETS } from './race-summary';

export const README = path.join(__dirname, '..', 'README.md');

export interface RunFigures {
  readonly recordedAt: string;
  readonly mode: string;
  readonly node: string;
  /** The 1-minute load average when the run started (absent in runs recorded before it was). */
  readonly loadAverage?: number;
  readonly coldStart?: ColdStartResult;
  readonly dynamoCallsPerOp?: DynamoResult;
  readonly auditOverhead?: AuditOverheadResult;
  readonly load?: LoadResult;
  readonly race?: RaceResult;
  readonly deployed?: DeployedResult;
  readonly profile?: ProfileResult;
  readonly peers?: PeersResult;
  readonly logBytes?: LogBytesResult;
  readonly directories?: DirectoriesResult;
  readonly budgets: readonly { readonly budget: string; readonly met: boolean | 'reported'; readonly detail: string }[];
}

type Cell = string | number;

function table(header: readonly string[], rows: readonly Cell[][]): string {
  const line = (cells: readonly Cell[]) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const signed = (n: number) => `${n >= 0 ? '+' : ''}${n}%`;

/** The markdown of each section the run measured. */
export function renderSections(run: RunFigures): Record<string, string> {
  const when = `${run.mode} run of ${run.recordedAt.slice(0, 10)}, Node ${run.node}${run.loadAverage === undefined ? '' : `, load average ${run.loadAverage} at its start`}`;
  const sections: Record<string, string> = {};
  const c = run.coldStart;
  if (c) {
    sections.coldStart = [
      `*${when}; median of ${c.runs} fresh processes per bundle, interleaved; an empty module: ${c.emptyModuleInitMs} ms (${c.emptyModuleInitCpuMs} ms CPU).*`,
      '',
      table(
        ['function', 'entry bytes', 'init ms', 'init CPU ms', 'lazy chunks', 'heaviest in the entry'],
        c.functions.map((f) => [f.function, f.bundleBytes, f.initMsMedian, f.initCpuMsMedian, kb(f.lazyChunkBytes), f.heaviest.slice(0, 4).map((h) => `${h.what} ${kb(h.bytes)}`).join(', ')]),
      ),
      '',
      'What Powertools (Logger and Metrics in the entry, the Tracer in a lazy chunk) adds, against the same bundle with the plain JSON logger and no metrics (bench/lib/without-powertools.ts), in the same run:',
      '',
      table(
        ['function', 'bytes before', 'bytes after', 'bytes', 'init ms before', 'init ms after', 'init (median per run)', 'CPU ms before', 'CPU ms after', 'CPU (median per run)'],
        c.functions.map((f) => [
          f.function,
          f.before.bundleBytes,
          f.bundleBytes,
          signed(Math.round((f.bundleBytes / f.before.bundleBytes - 1) * 1000) / 10),
          f.before.initMsMedian,
          f.initMsMedian,
          signed(f.initIncreasePercent),
          f.before.initCpuMsMedian,
          f.initCpuMsMedian,
          signed(f.initCpuIncreasePercent),
        ]),
      ),
    ].join('\n');
  }
  const d = run.dynamoCallsPerOp;
  if (d) {
    sections.dynamoCallsPerOp = [
      `*${when}; median of ${d.samples} samples; capacity: ${d.capacitySource}.*`,
      '',
      table(
        ['operation', 'calls', 'round trips', 'RRU', 'WRU', 'DynamoDB $/M ops', 'total $/M ops', 'budget'],
        d.rows.map((o) => [o.operation, o.calls, o.roundTrips, o.readUnits, o.writeUnits, o.dynamoCostPerMillion, o.totalCostPerMillion, `${o.budgetMet ? 'met' : 'NOT MET'}: ${o.budget}`]),
      ),
    ].join('\n');
  }
  const a = run.auditOverhead;
  if (a) {
    sections.auditOverhead = [
      `*${when}; median of ${a.samples} samples with and ${a.samples} without the audit items, interleaved; our CPU to make an entry: ${a.entryMicros.replace} µs for a PUT's changes, ${a.entryMicros.create} µs for a create's.*`,
      '',
      table(
        ['operation', 'transactions', 'audit items', 'audit bytes', 'WRU with / without (DynamoDB Local)', 'audit WRU (rules)', 'calls with / without', 'ms with / without', 'audit $/M changes (rules)'],
        a.rows.map((o) => [
          o.operation,
          o.transactions,
          o.auditItems,
          o.auditBytes.toLocaleString('en-US'),
          `${o.wruWith} / ${o.wruWithout}`,
          o.ruleWru,
          `${o.callsWith} / ${o.callsWithout}`,
          `${o.msWith.toFixed(1)} / ${o.msWithout.toFixed(1)}`,
          `$${o.ruleCostPerMillion.toFixed(2)}`,
        ]),
      ),
    ].join('\n');
  }
  const l = run.load;
  if (l) {
    sections.load = [
      `*${when}; concurrency ${l.concurrency}, DynamoDB Local.*`,
      '',
      table(['phase', 'requests', 'ops/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors'], l.phases.map((p) => [p.phase, p.requests, p.opsPerSecond, p.p50Ms, p.p95Ms, p.p99Ms, p.errors])),
    ].join('\n');
  }
  if (run.race) sections.race = renderRace(run.race, when);
  const dep = run.deployed;
  if (dep) {
    sections.deployed = [
      `*${when}; the race's workload (${dep.requests.toLocaleString('en-US')} invocations) after its warm-up, one event at a time, on the Users and Groups bundles as the stack builds them, against DynamoDB Local; CPU of the process over each phase, per invocation; ${dep.errors} errors.*`,
      '',
      table(['phase', 'invocations', 'errors', 'CPU ms/invocation', 'p50 ms', 'p99 ms'], [
        ...dep.phases.map((p) => [p.phase, p.requests, p.errors, p.cpuMsPerRequest, p.p50Ms, p.p99Ms]),
        ['**whole workload**', dep.requests, dep.errors, `**${dep.cpuMsPerRequest}**`, '', ''],
      ]),
    ].join('\n');
  }
  const pr = run.profile;
  if (pr) {
    const [dynamo, memory] = ['DynamoDB Local', 'memory'].map((store) => pr.runs.find((r) => r.store === store));
    const groups = [...new Set(pr.runs.flatMap((r) => r.groups.map((g) => g.group)))];
    const cell = (r: typeof dynamo, group: string) => {
      const g = r?.groups.find((x) => x.group === group);
      return g ? `${g.cpuMsPerRequest.toFixed(3)} (${g.sharePercent}%)` : '';
    };
    sections.profile = [
      `*${when}; the race workload (${pr.requestsPerStore.toLocaleString('en-US')} requests, 8 in flight) on ours's bundle with \`--cpu-prof\`, after the race's warm-up (its samples are in the profile too), each sample mapped through the source map to its package or folder; ms per request: the group's share of the samples times the CPU /proc measured for the process over the measured pass (${dynamo?.cpuMsPerRequest ?? 'n/a'} ms on DynamoDB Local, ${memory?.cpuMsPerRequest ?? 'n/a'} ms in memory; the profiler's own cost included).*`,
      '',
      table(['where', 'DynamoDB Local: ms/request (share)', 'in memory: ms/request (share)'], groups.map((g) => [g, cell(dynamo, g), cell(memory, g)])),
      '',
      `The SDK's cost of a call, in the benchmark's own process: µs of CPU per call to DynamoDB Local (the HTTP round trip included), 8 in flight, median of 5 interleaved rounds of 400 calls after one unmeasured; the stores' client first, then the low-level client with \`@aws-sdk/util-dynamodb\` marshalling, without and with the SDK's \`cacheMiddleware\` (which lib-dynamodb's document client refuses):`,
      '',
      table(['client', 'GetItem of a user', 'PutItem of a user'], pr.sdkCallMicros.map((c) => [c.client, c.get, c.put])),
    ].join('\n');
  }
  const p = run.peers;
  if (p) {
    sections.peers = [
      `*${when}; ${p.rounds} interleaved rounds; speedup = median of per-round peer time / our time.*`,
      '',
      table(['task', 'peer', 'ours µs', 'peer µs', 'speedup', 'note'], p.rows.map((x) => [x.task, x.peer, Math.round(x.oursMicros), Math.round(x.peerMicros), `${x.speedup.toFixed(2)}x`, x.note])),
    ].join('\n');
  }
  const b = run.logBytes;
  if (b) {
    sections.logBytes = [
      `*${when}; per request, after each function's first (cold) invocation; a mix of 70% reads and 30% writes: ${b.mixBytesPerRequest} bytes per request.*`,
      '',
      table(['operation', 'requests', 'log line bytes', 'EMF bytes', 'EMF lines'], b.rows.map((x) => [x.operation, x.requests, x.logBytes, x.emfBytes, x.emfLines])),
    ].join('\n');
  }
  const r = run.directories;
  if (r) {
    const n = (x: number) => x.toLocaleString('en-US');
    sections.directories = [
      `*${when}; the deleted directory seeded in the store's own layout and checked consistent first; times are DynamoDB Local's and this machine's, calls and items are not.*`,
      '',
      table(
        ['users', 'groups', 'memberships', 'items', 'seed s', 'count ms', 'delete s', 'items/s', 'calls', 'est. WRU', 'est. RRU', 'est. $', 'left after', 'other directory unchanged'],
        [
          [
            n(r.users),
            n(r.groups),
            n(r.memberships),
            n(r.items),
            Math.round(r.seedSeconds),
            n(r.countMs),
            r.deleteSeconds,
            n(r.itemsPerSecond),
            Object.entries(r.calls).map(([name, count]) => `${name} ${n(count)}`).join(', '),
            n(r.estimatedWriteUnits),
            n(r.estimatedReadUnits),
            r.estimatedCostUsd.toFixed(3),
            r.left,
            `${r.otherUnchanged ? 'yes' : 'NO'} (${n(r.otherItems)} items)`,
          ],
        ],
      ),
    ].join('\n');
  }
  if (!run.coldStart || !run.dynamoCallsPerOp || !run.load || !run.peers) return sections;
  sections.budgets = [
    `*${when}.*`,
    '',
    table(['budget', 'met', 'figures'], run.budgets.map((b) => [b.budget, b.met === 'reported' ? 'reported' : b.met ? 'yes' : 'NO', b.detail])),
  ].join('\n');
  return sections;
}

/** The race's block: its servers, the whole workload, the issue's ratios, then phase by phase. */
function renderRace(race: RaceResult, when: string): string {
  const w = race.workload;
  const label = (id: string) => race.servers.find((s) => s.id === id)?.label ?? id;
  const order = race.servers.map((s) => s.id);
  const phases = [...new Set(race.phases.map((p) => p.phase))];
  const byPhase = phases.flatMap((phase) =>
    race.phases.filter((p) => p.phase === phase).sort((a, b) => order.indexOf(a.server) - order.indexOf(b.server)),
  );
  const total = (id: string) => race.totals.find((t) => t.server === id);
  const ratio = (x: number | undefined) => (x === undefined ? 'n/a' : `${x}x`);
  const r = race.ratios;
  const errors = race.phases.filter((p) => p.errors > 0);
  return [
    `*${when}; ${race.requestsPerServer.toLocaleString('en-US')} requests per server (${w.users} users, ${w.groups} groups of ${w.membersPerGroup}, ` +
      `${w.removals} member removals, list pages of ${w.pageSize}), ${race.concurrency} in flight; ours's log: ${race.oursLog}; ` +
      `CPU from /proc/<pid>/stat at ${race.clockTicksPerSecond} ticks/s; each phase started with every server process quiet ` +
      `(${race.quiet.waits - race.quiet.notQuiet} of ${race.quiet.waits} waits ended quiet, median ${race.quiet.medianWaitMs} ms, longest ${race.quiet.longestWaitMs} ms).*`,
    '',
    table(
      ['server', 'started as', 'store it ran on'],
      race.servers.map((s) => [s.label, `\`${[s.env, s.command].filter(Boolean).join(' ')}\``, s.store]),
    ),
    '',
    'Whole workload (requests/s: all requests over the sum of the phases\' seconds; CPU: of each process, per request):',
    '',
    table(
      ['server', 'requests', 'errors', 'requests/s', 'Node CPU ms/request', 'DynamoDB Local CPU ms/request'],
      race.totals.map((t) => [label(t.server), t.requests, t.errors, t.requestsPerSecond, t.nodeCpuMsPerRequest, t.javaCpuMsPerRequest ?? '']),
    ),
    '',
    table(
      ['issue 19', 'target', 'this run'],
      [
        ['ours in memory ÷ scimmy, requests/s', `>= ${RACE_TARGETS.memoryOverScimmy}x`, ratio(r.memoryOverScimmyRequestsPerSecond)],
        ['slowest phase p99, ours in memory', `< ${RACE_TARGETS.memoryP99Ms} ms`, r.memoryWorstP99 ? `${r.memoryWorstP99.ms} ms (${r.memoryWorstP99.phase})` : 'n/a'],
        ...(['oursDynamo', 'oursMemory'] as const).flatMap((id) =>
          total(id)
            ? [
                [`our Node CPU per request, ${OURS_MODES[id]}`, `<= ${RACE_TARGETS.oursCpuMsPerRequest} ms`, `${total(id)!.nodeCpuMsPerRequest} ms`],
                [`scimmy's CPU per request ÷ ours, ${OURS_MODES[id]}`, `>= ${RACE_TARGETS.scimmyOverOursCpu}x`, ratio(r.scimmyOverOursCpu[id])],
              ]
            : [],
        ),
      ],
    ),
    '',
    'Phase by phase:',
    '',
    table(
      ['phase', 'server', 'requests', 'errors', 'requests/s', 'p50 ms', 'p99 ms', 'Node CPU ms/request', 'DynamoDB Local CPU ms/request', 'load generator CPU ms/request'],
      byPhase.map((p) => [p.phase, label(p.server), p.requests, p.errors, p.requestsPerSecond, p.p50Ms, p.p99Ms, p.nodeCpuMsPerRequest, p.javaCpuMsPerRequest ?? '', p.clientCpuMsPerRequest]),
    ),
    ...(errors.length === 0 ? [] : ['', ...errors.map((p) => `Errors, ${label(p.server)}, ${p.phase}: ${p.errorSamples.join('; ')}`)]),
  ].join('\n');
}

/** Replaces each rendered section of `text` between its markers; a missing marker is an error. */
export function replaceSections(text: string, sections: Record<string, string>): string {
  let out = text;
  for (const [name, body] of Object.entries(sections)) {
    const open = `<!-- bench:${name} -->`;
    const close = `<!-- /bench:${name} -->`;
    const at = out.indexOf(open);
    const end = out.indexOf(close);
    if (at < 0 || end < at) throw new Error(`bench/README.md has no ${open} ... ${close} block`);
    out = `${out.slice(0, at + open.length)}\n${body}\n${out.slice(end)}`;
  }
  return out;
}

/** Writes the run's figures into bench/README.md. */
export function updateReadme(run: RunFigures, file = README): string[] {
  const sections = renderSections(run);
  writeFileSync(file, replaceSections(readFileSync(file, 'utf8'), sections));
  return Object.keys(sections);
}
