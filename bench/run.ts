/**
 * The benchmark suite: cold start (and what Powertools adds), DynamoDB calls and capacity per
 * operation, load, the race of whole servers (ours against the scimmy peer, CPU per request),
 * the SCIM core against peer libraries, and the log bytes per request.
 * Prints tables and the budgets met or not, and writes bench/results/latest.json. Read
 * bench/README.md for how to read the figures.
 *
 *   npm run bench                 # the full run (a few minutes)
 *   npm run bench -- --quick      # fewer samples, under a minute
 *   npm run bench -- --only peers # one section: coldStart, dynamoCallsPerOp, auditOverhead, load, race, deployed, profile, peers, logBytes or directories
 *   npm run bench -- --only race --race-quiet        # the race with ours's per-request log off (SCIM_LOG=quiet)
 *   npm run bench -- --only race --race-before main  # the race with ours at another git revision as one more server
 *
 * A run without --quick also rewrites its figures in bench/README.md (bench/lib/readme.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { startDynamoDbLocal } from '../lib/local/dynamodb-local';
import { runAuditOverhead, type AuditOverheadResult } from './audit-overhead';
import { runColdStart, type ColdStartResult } from './cold-start';
import { runDeployed, type DeployedResult } from './deployed';
import { runDirectories, type DirectoriesResult } from './directories';
import { runDynamoCalls, type DynamoResult } from './dynamo-calls';
import { runLoad, type LoadResult } from './load';
import { runLogBytes, type LogBytesResult } from './log-bytes';
import { runPeers, type PeersResult } from './peers';
import { runProfile, type ProfileResult } from './profile';
import { checkRaceBudgets, runRace, type RaceResult } from './race';
import { updateReadme } from './lib/readme';
import { RACE_TARGETS } from './lib/race-summary';

const SECTIONS = ['coldStart', 'dynamoCallsPerOp', 'auditOverhead', 'load', 'race', 'deployed', 'profile', 'peers', 'logBytes', 'directories'] as const;
type Section = (typeof SECTIONS)[number];

interface Budget {
  readonly budget: string;
  readonly met: boolean | 'reported';
  readonly detail: string;
}

async function withDynamoDbLocal<T>(run: (endpoint: string) => Promise<T>): Promise<T> {
  const dynamo = await startDynamoDbLocal();
  try {
    return await run(dynamo.endpoint);
  } finally {
    await dynamo.stop();
  }
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const onlyAt = process.argv.indexOf('--only');
  const only = onlyAt >= 0 ? (process.argv[onlyAt + 1] as Section) : undefined;
  if (only && !SECTIONS.includes(only)) throw new Error(`--only takes one of ${SECTIONS.join(', ')}`);
  const wanted = (s: Section) => !only || only === s;
  const beforeAt = process.argv.indexOf('--race-before');
  const raceBefore = beforeAt >= 0 ? process.argv[beforeAt + 1] : undefined;
  if (beforeAt >= 0 && !raceBefore) throw new Error('--race-before takes a git revision');
  const raceQuiet = process.argv.includes('--race-quiet');
  const started = Date.now();
  // Times depend on what else the machine runs; calls, capacity and bytes do not.
  const loadAverage = Math.round(loadavg()[0] * 10) / 10;
  const results: Results = {};
  let last = Date.now();
  const say = (text: string) => {
    process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0)} s, +${((Date.now() - last) / 1000).toFixed(0)} s] ${text}\n`);
    last = Date.now();
  };

  if (wanted('peers')) {
    say('peers: the SCIM core against scim2-parse-filter, scim-patch and scimmy...');
    results.peers = await runPeers(quick);
  }
  if (wanted('coldStart')) {
    say('coldStart: bundling each function and importing it in fresh processes...');
    results.coldStart = await runColdStart(quick);
  }
  // Each DynamoDB section on a DynamoDB Local of its own: the load figures of a full run were
  // several times slower on the instance the calls section had already worked.
  if (wanted('dynamoCallsPerOp')) {
    say('dynamoCallsPerOp: counting calls and capacity per SCIM operation on DynamoDB Local...');
    results.dynamoCallsPerOp = await withDynamoDbLocal((endpoint) => runDynamoCalls(endpoint, quick));
  }
  if (wanted('auditOverhead')) {
    say('auditOverhead: each write with and without its audit items, interleaved, on DynamoDB Local...');
    results.auditOverhead = await withDynamoDbLocal((endpoint) => runAuditOverhead(endpoint, quick));
  }
  if (wanted('load')) {
    say('load: a fixed mixed workload against the local endpoint...');
    results.load = await withDynamoDbLocal((endpoint) => runLoad(endpoint, quick));
  }
  if (wanted('race')) {
    say(`race: one workload against ours (DynamoDB Local, in memory${raceBefore ? `, ${raceBefore}` : ''}) and scimmy + express, each a process, interleaved...`);
    results.race = await runRace({ quick, quietLog: raceQuiet, before: raceBefore });
  }
  if (wanted('deployed')) {
    say('deployed: the race workload on the Users and Groups bundles, invoked one event at a time as Lambda does...');
    results.deployed = await withDynamoDbLocal((endpoint) => runDeployed(endpoint, quick ? 'quick' : 'full'));
  }
  if (wanted('profile')) {
    say('profile: the race workload on ours with the CPU profiler on, on DynamoDB Local and in memory...');
    results.profile = await runProfile(quick);
  }
  if (wanted('directories')) {
    say(`directories: seeding and deleting a directory of ${quick ? '2,000 users and 200' : '10,000 users and 1,000'} groups on DynamoDB Local...`);
    results.directories = await withDynamoDbLocal((endpoint) => runDirectories(endpoint, quick));
  }

  if (wanted('logBytes')) {
    say('logBytes: what the deployed handlers write to CloudWatch Logs per request (log line, EMF metrics)...');
    results.logBytes = await withDynamoDbLocal((endpoint) => runLogBytes(endpoint, quick));
  }

  say('done');
  print(results);
  const budgets = checkBudgets(results);
  console.log('\nBudgets');
  console.table(budgets.map((b) => ({ budget: b.budget, met: b.met === 'reported' ? 'reported' : b.met ? 'yes' : 'NO', detail: b.detail })));
  const out = {
    recordedAt: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    node: process.version,
    loadAverage,
    seconds: Math.round((Date.now() - started) / 1000),
    ...results,
    budgets,
  };
  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, only ? `latest-${only}.json` : 'latest.json');
  writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
  console.log(`\n${out.mode} run in ${out.seconds} s; written to ${path.relative(process.cwd(), file)}`);
  // The figures' one home: a full run (or a full --only section) rewrites its blocks of bench/README.md.
  if (!quick) console.log(`bench/README.md: figures of ${updateReadme(out).join(', ')} rewritten`);
}

type Results = Partial<{
  coldStart: ColdStartResult;
  dynamoCallsPerOp: DynamoResult;
  auditOverhead: AuditOverheadResult;
  load: LoadResult;
  race: RaceResult;
  deployed: DeployedResult;
  profile: ProfileResult;
  peers: PeersResult;
  logBytes: LogBytesResult;
  directories: DirectoriesResult;
}>;

function print(r: Results): void {
  if (r.deployed) {
    const d = r.deployed;
    console.log(`\nThe deployed Users and Groups bundles, one invocation at a time: ${d.cpuMsPerRequest} ms CPU per invocation over ${d.requests} (${d.errors} errors)`);
    console.table(d.phases.map((p) => ({ phase: p.phase, requests: p.requests, errors: p.errors, 'CPU ms/invocation': p.cpuMsPerRequest, 'p50 ms': p.p50Ms, 'p99 ms': p.p99Ms })));
  }
  if (r.logBytes) {
    console.log(`\nCloudWatch Logs bytes per request written by the deployed handlers (mix of 70% reads, 30% writes: ${r.logBytes.mixBytesPerRequest} bytes)`);
    console.table(r.logBytes.rows.map((x) => ({ operation: x.operation, 'log line bytes': x.logBytes, 'EMF bytes': x.emfBytes, 'EMF lines': x.emfLines })));
  }
  if (r.coldStart) {
    console.log(
      `\nCold start (${r.coldStart.runs} fresh processes each, median; Node ${r.coldStart.node}; SDK ${r.coldStart.sdk}; ` +
        `an empty module takes ${r.coldStart.emptyModuleInitMs} ms, ${r.coldStart.emptyModuleInitCpuMs} ms CPU, by the same measure)`,
    );
    console.table(
      r.coldStart.functions.map((f) => ({
        function: f.function,
        'bundle bytes': f.bundleBytes,
        'init ms (median)': f.initMsMedian,
        'init CPU ms (median)': f.initCpuMsMedian,
        'heaviest (KB)': f.heaviest.slice(0, 4).map((h) => `${h.what} ${(h.bytes / 1024).toFixed(0)}`).join(', '),
      })),
    );
    console.log('\nPowertools (Logger, Metrics; the Tracer in a chunk loaded only with tracing on): the same bundles before it, interleaved');
    console.table(
      r.coldStart.functions.map((f) => ({
        function: f.function,
        'bytes before': f.before.bundleBytes,
        'bytes after': f.bundleBytes,
        'bytes +%': Math.round((f.bundleBytes / f.before.bundleBytes - 1) * 1000) / 10,
        'init ms before': f.before.initMsMedian,
        'init ms after': f.initMsMedian,
        'init +% (median per run)': f.initIncreasePercent,
        'CPU ms before': f.before.initCpuMsMedian,
        'CPU ms after': f.initCpuMsMedian,
        'CPU +% (median per run)': f.initCpuIncreasePercent,
        'lazy chunks bytes': f.lazyChunkBytes,
      })),
    );
  }
  if (r.dynamoCallsPerOp) {
    const d = r.dynamoCallsPerOp;
    console.log(`\nDynamoDB per operation (median of ${d.samples} samples; capacity: ${d.capacitySource})`);
    console.table(
      d.rows.map((o) => ({
        operation: o.operation,
        calls: o.calls,
        'round trips': o.roundTrips,
        RRU: o.readUnits,
        WRU: o.writeUnits,
        'DynamoDB $/M ops': o.dynamoCostPerMillion,
        'total $/M ops': o.totalCostPerMillion,
        budget: `${o.budgetMet ? 'met' : 'NOT MET'}: ${o.budget}`,
      })),
    );
    const p = d.prices;
    console.log(
      `Prices (USD, ${p.source}): $${p.dynamoWriteRequestUnitPerMillion}/M write request units, ` +
        `$${p.dynamoReadRequestUnitPerMillion}/M read request units, API Gateway REST $${p.apiGatewayRestPerMillion}/M requests, ` +
        `Lambda $${p.lambdaRequestPerMillion}/M requests + $${p.lambdaArmGbSecond}/GB-s arm64 at an ASSUMED ${p.assumedLambdaMs} ms x ${p.lambdaMemoryGb} GB per request. ` +
        'Total = DynamoDB + API Gateway + Lambda.',
    );
  }
  if (r.auditOverhead) {
    const a = r.auditOverhead;
    console.log(`\nThe audit trail's cost per change (median of ${a.samples} samples each way, interleaved; rule: ${a.rule})`);
    console.table(
      a.rows.map((o) => ({
        operation: o.operation,
        transactions: o.transactions,
        'audit items': o.auditItems,
        'audit bytes': o.auditBytes,
        'WRU with / without (DynamoDB Local)': `${o.wruWith} / ${o.wruWithout} (+${o.wruWith - o.wruWithout})`,
        'audit WRU (rules)': o.ruleWru,
        'calls with / without': `${o.callsWith} / ${o.callsWithout}`,
        'ms with / without': `${o.msWith} / ${o.msWithout} (${o.msWith >= o.msWithout ? '+' : ''}${Math.round((o.msWith - o.msWithout) * 100) / 100})`,
        'audit $/M changes (rules)': o.ruleCostPerMillion,
      })),
    );
    console.log(`Our CPU to make an entry: ${a.entryMicros.replace} µs for a PUT's changes, ${a.entryMicros.create} µs for a create's (documentChanges + auditItem).`);
  }
  if (r.load) {
    console.log(`\nLoad against the local endpoint (DynamoDB Local; concurrency ${r.load.concurrency})`);
    console.table(r.load.phases.map((p) => ({ phase: p.phase, requests: p.requests, 'ops/s': p.opsPerSecond, 'p50 ms': p.p50Ms, 'p95 ms': p.p95Ms, 'p99 ms': p.p99Ms, errors: p.errors })));
  }
  if (r.race) printRace(r.race);
  if (r.profile) {
    console.log(`\nWhere our CPU goes (bench/profile.ts): the race workload, ${r.profile.requestsPerStore} requests, on the bundle with V8's profiler`);
    for (const run of r.profile.runs) {
      console.log(`${run.store}: ${run.cpuMsPerRequest} ms CPU per request (/proc), ${run.sampledMs} ms sampled`);
      console.table(run.groups.map((g) => ({ group: g.group, share: `${g.sharePercent}%`, 'ms/request': g.cpuMsPerRequest })));
    }
    for (const c of r.profile.sdkCallMicros) console.log(`One call to DynamoDB Local, ${c.client}: ${c.get} µs CPU (GetItem), ${c.put} µs (PutItem of a small user)`);
  }
  if (r.directories) {
    const d = r.directories;
    console.log(
      `\nDeleting a directory (DynamoDB Local; ${d.users} users, ${d.groups} groups, ${d.memberships} memberships: ${d.items} items; ` +
        `seeded in ${d.seedSeconds.toFixed(0)} s; the other directory holds ${d.otherItems} items)`,
    );
    console.table([
      {
        items: d.items,
        'count ms': d.countMs,
        'delete s': d.deleteSeconds,
        'items/s': d.itemsPerSecond,
        calls: Object.entries(d.calls).map(([c, n]) => `${c} ${n}`).join(', '),
        'est. WRU': d.estimatedWriteUnits,
        'est. RRU': d.estimatedReadUnits,
        'est. $': d.estimatedCostUsd,
        'left after': d.left,
        'other unchanged': d.otherUnchanged ? 'yes' : 'NO',
      },
    ]);
  }
  if (r.peers) {
    console.log(`\nSCIM core against peers (${r.peers.rounds} interleaved rounds; speedup = median of per-round peer time / our time; ours bundled and minified as deployed)`);
    console.log(`filter: ${r.peers.filter}`);
    console.table(r.peers.rows.map((x) => ({ task: x.task, peer: x.peer, 'ours µs': Math.round(x.oursMicros), 'peer µs': Math.round(x.peerMicros), speedup: `${x.speedup.toFixed(2)}x`, note: x.note })));
  }
}

function printRace(race: RaceResult): void {
  const label = (id: string) => race.servers.find((s) => s.id === id)?.label ?? id;
  const w = race.workload;
  console.log(
    `\nThe race: ${race.requestsPerServer} requests per server (${w.users} users, ${w.groups} groups of ${w.membersPerGroup}), ${race.concurrency} in flight, ` +
      `phases interleaved across servers; ours's log: ${race.oursLog}; CPU of each process from /proc/<pid>/stat`,
  );
  console.table(race.servers.map((s) => ({ server: s.label, command: s.command, env: s.env, store: s.store })));
  console.table(
    race.phases.map((p) => ({
      phase: p.phase,
      server: label(p.server),
      requests: p.requests,
      errors: p.errors,
      'req/s': p.requestsPerSecond,
      'p50 ms': p.p50Ms,
      'p99 ms': p.p99Ms,
      'node CPU ms/req': p.nodeCpuMsPerRequest,
      'java CPU ms/req': p.javaCpuMsPerRequest ?? '',
      'client CPU ms/req': p.clientCpuMsPerRequest,
    })),
  );
  for (const p of race.phases.filter((x) => x.errors > 0)) console.log(`errors, ${label(p.server)}, ${p.phase}: ${p.errorSamples.join(' | ')}`);
  console.log('Whole workload (requests/s = requests / the sum of the phases\' seconds)');
  console.table(
    race.totals.map((t) => ({
      server: label(t.server),
      requests: t.requests,
      errors: t.errors,
      'req/s': t.requestsPerSecond,
      'node CPU ms/req': t.nodeCpuMsPerRequest,
      'java CPU ms/req': t.javaCpuMsPerRequest ?? '',
    })),
  );
  const r = race.ratios;
  console.log(
    `ours in memory / scimmy requests/s: ${r.memoryOverScimmyRequestsPerSecond ?? 'n/a'}x (target >= 3); ` +
      `slowest p99 of ours in memory: ${r.memoryWorstP99 ? `${r.memoryWorstP99.ms} ms (${r.memoryWorstP99.phase})` : 'n/a'} (target < 20 ms); ` +
      `scimmy CPU / ours: ${Object.entries(r.scimmyOverOursCpu).map(([id, x]) => `${label(id)} ${x}x`).join(', ') || 'n/a'} (target >= 6)`,
  );
}

const signed = (n: number) => `${n >= 0 ? '+' : ''}${n}%`;

/** Each budget of the issue, met or not, from the figures of this run. */
function checkBudgets(r: Results): Budget[] {
  const budgets: Budget[] = [];
  if (r.race) budgets.push(...checkRaceBudgets(r.race));
  if (r.deployed) {
    const d = r.deployed;
    budgets.push({
      budget: 'deployed: our CPU <= 1.5 ms per invocation (the Users and Groups bundles, one event at a time)',
      met: d.errors === 0 && d.cpuMsPerRequest <= RACE_TARGETS.oursCpuMsPerRequest,
      detail: `${d.cpuMsPerRequest} ms over ${d.requests} invocations, ${d.errors} errors`,
    });
  }
  if (r.directories) {
    const d = r.directories;
    budgets.push({
      budget: 'deleting a directory leaves none of its items and changes no other directory',
      met: d.left === 0 && d.otherUnchanged,
      detail: `${d.items} items in ${d.deleteSeconds} s (${d.itemsPerSecond}/s), ${d.left} left, the other directory's ${d.otherItems} items ${d.otherUnchanged ? 'unchanged' : 'CHANGED'}`,
    });
  }
  if (r.auditOverhead) {
    // Issue 15: at most one audit item for a single-resource change, one per member-change transaction.
    const rows = r.auditOverhead.rows;
    budgets.push({
      budget: 'audit: one item per transaction of a change (an entry, then a page per later transaction)',
      met: rows.every((o) => o.auditItems === o.transactions),
      detail: rows.map((o) => `${o.operation}: ${o.auditItems} item(s) in ${o.transactions} transaction(s)`).join('; '),
    });
    budgets.push({
      budget: 'audit: no DynamoDB call of its own (its items ride in the change\'s transactions)',
      met: rows.every((o) => o.callsWith === o.callsWithout),
      detail: rows.map((o) => `${o.operation}: ${o.callsWith} / ${o.callsWithout}`).join('; '),
    });
  }
  if (r.dynamoCallsPerOp) {
    const rows = r.dynamoCallsPerOp.rows;
    const single = rows.filter((o) => o.budget.startsWith('<= 2 round trips'));
    const group = rows.filter((o) => o.operation.startsWith('group:'));
    const list = rows.find((o) => o.operation.startsWith('list page') && o.operation.includes('excludedAttributes=groups'));
    budgets.push({
      budget: 'single-resource operation: at most 2 DynamoDB round trips',
      met: single.every((o) => o.budgetMet),
      detail: single.map((o) => `${o.operation} ${o.roundTrips}`).join('; '),
    });
    const overTwoCalls = single.filter((o) => o.calls > 2);
    budgets.push({
      budget: 'single-resource operation: at most 2 DynamoDB calls (counting parallel calls apart)',
      met: overTwoCalls.length === 0,
      detail: overTwoCalls.length === 0 ? 'all' : `over: ${overTwoCalls.map((o) => `${o.operation} ${o.calls}`).join('; ')}`,
    });
    budgets.push({ budget: 'member changes O(k)', met: group.every((o) => o.budgetMet), detail: group.map((o) => `${o.operation}: ${o.calls} calls`).join('; ') });
    if (list) budgets.push({ budget: 'totalResults of an unfiltered list: one read', met: list.budgetMet, detail: `${list.operation}: ${list.calls} calls, ${list.roundTrips} round trip(s)` });
  }
  if (r.peers) {
    for (const task of [...new Set(r.peers.rows.map((x) => x.task))]) {
      const rows = r.peers.rows.filter((x) => x.task === task);
      const fastest = rows.reduce((a, b) => (b.peerMicros < a.peerMicros ? b : a));
      budgets.push({
        budget: `core >= 3x the fastest peer: ${task}`,
        met: fastest.speedup >= 3,
        detail: `${fastest.speedup.toFixed(2)}x against ${fastest.peer}`,
      });
    }
  }
  if (r.coldStart) {
    budgets.push({
      budget: 'bundle and initialisation as small as the design allows',
      met: 'reported',
      detail: r.coldStart.functions.map((f) => `${f.function} ${(f.bundleBytes / 1024).toFixed(0)} KB, ${f.initMsMedian} ms`).join('; '),
    });
    // The edge authorizer and the token check import no Powertools: their bundle is the same
    // before and after, and the ratio of two timings of one file is only the machine's noise.
    const changed = r.coldStart.functions.filter((f) => f.bundleBytes !== f.before.bundleBytes);
    const unchanged = r.coldStart.functions.filter((f) => f.bundleBytes === f.before.bundleBytes);
    const worst = changed.reduce((a, b) => (b.initIncreasePercent > a.initIncreasePercent ? b : a));
    budgets.push({
      budget: 'Powertools adds under 15% to each function\'s init time',
      met: changed.every((f) => f.initIncreasePercent < 15),
      detail:
        changed.map((f) => `${f.function} ${signed(f.initIncreasePercent)} (CPU ${signed(f.initCpuIncreasePercent)})`).join('; ') +
        ` (most: ${worst.function}); wall clock, median of per-run ratios` +
        (unchanged.length > 0 ? `; without Powertools (the same bundle): ${unchanged.map((f) => f.function).join(', ')}` : ''),
    });
  }
  return budgets;
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
