import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { runRace, type RaceResult } from '../../bench/race';
import { README, renderSections, replaceSections } from '../../bench/lib/readme';
import { parseProcStat, processCpuMs, waitForQuiet } from '../../bench/lib/proc-stat';
import type { PhaseRun, RaceClient } from '../../bench/lib/race-client';
import { parseStartup } from '../../bench/lib/race-servers';
import { raceBudgets, raceRatios, serverTotals, summarisePhase, type PhaseFigures } from '../../bench/lib/race-summary';
import { FULL_WORKLOAD, warmUp, workloadPhases, type WorkloadSize } from '../../bench/lib/race-workload';

describe('the race: reading another process', () => {
  it('takes utime and stime from a stat line whose command name holds spaces and parentheses', () => {
    // Fields 3..15 of proc(5): state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime.
    const line = '4242 (node (worker) 1) S 1 4242 4242 0 -1 4194560 9016 0 12 0 1234 567 0 0 20 0 11 0 3456 1000000 2000 18446744073709551615';
    expect(parseProcStat(line)).toEqual({ utime: 1234, stime: 567 });
    expect(() => parseProcStat('no parentheses here')).toThrow(/not a \/proc/);
  });

  it("counts this process's CPU as process.cpuUsage does, to the clock tick", () => {
    const cpu = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    const fromProc = processCpuMs(process.pid);
    const fromNode = cpu();
    let sink = 0;
    while (cpu() - fromNode < 200) sink += Math.sqrt(sink + 1);
    expect(sink).toBeGreaterThan(0);
    const used = processCpuMs(process.pid) - fromProc;
    // Other threads of this process (GC, DynamoDB Local's client) may add a little; ticks are 10 ms.
    expect(used).toBeGreaterThanOrEqual(180);
    expect(used).toBeLessThan(1000);
  });

  it('waits for quiet: at once for an idle process, to the limit for a busy one', async () => {
    const idle = await waitForQuiet([process.pid], 100, 2_000);
    expect(idle.quiet).toBe(true);
    const busy = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const spinning = await waitForQuiet([busy.pid!], 100, 600);
      expect(spinning.quiet).toBe(false);
      expect(spinning.waitedMs).toBeGreaterThanOrEqual(600);
    } finally {
      busy.kill('SIGKILL');
    }
  });

  it("reads ours's Base URL and DynamoDB Local's pid from its banner, and no pid when it starts no Java", () => {
    const ours = [
      'scim-endpoint is running locally',
      '  Base URL:   http://127.0.0.1:44279/scim/v2',
      '  Token:      (the value of SCIM_TOKEN)',
      '  DynamoDB:   http://127.0.0.1:43799 (DynamoDB Local, pid 5381, on 127.0.0.1 only)',
      '',
    ].join('\n');
    expect(parseStartup(ours)).toEqual({ baseUrl: 'http://127.0.0.1:44279/scim/v2', dynamoPid: 5381 });
    expect(parseStartup('scimmy 1.3.5 + express is running\n  Base URL:   http://127.0.0.1:35379/scim/v2\n')).toEqual({ baseUrl: 'http://127.0.0.1:35379/scim/v2', dynamoPid: undefined });
    expect(parseStartup('starting...\n').baseUrl).toBeUndefined();
  });
});

describe('the race: figures', () => {
  const run = (requests: number, seconds: number, errors = 0): PhaseRun => ({
    requests,
    errors,
    errorSamples: [],
    seconds,
    latenciesMs: Array.from({ length: requests }, (_, i) => requests - i),
  });

  it('summarises a phase: requests/s, nearest-rank percentiles, CPU per request of each process', () => {
    const figures = summarisePhase('get user', 'oursDynamo', run(100, 2), { node: 1000, java: 5000, client: 10 }, { node: 1150, java: 5400, client: 60 });
    expect(figures).toMatchObject({ requests: 100, requestsPerSecond: 50, p50Ms: 50, p99Ms: 99, nodeCpuMs: 150, nodeCpuMsPerRequest: 1.5, javaCpuMs: 400, javaCpuMsPerRequest: 4, clientCpuMsPerRequest: 0.5 });
    const noJava = summarisePhase('get user', 'scimmy', run(10, 1), { node: 0, client: 0 }, { node: 30, client: 5 });
    expect(noJava.javaCpuMsPerRequest).toBeUndefined();
    expect(noJava.nodeCpuMsPerRequest).toBe(3);
  });

  const phase = (server: PhaseFigures['server'], requests: number, seconds: number, nodeCpuMs: number, p99Ms = 5, errors = 0): PhaseFigures => ({
    ...summarisePhase(`phase ${requests}`, server, run(requests, seconds, errors), { node: 0, client: 0 }, { node: nodeCpuMs, client: 0 }),
    p99Ms,
  });

  it("totals a server over its phases: requests over the sum of the phases' seconds, not a mean of rates", () => {
    const rows = [phase('scimmy', 900, 1, 900), phase('scimmy', 100, 9, 100), phase('oursMemory', 1000, 2, 250)];
    const [scimmy, memory] = serverTotals(rows);
    expect(scimmy).toMatchObject({ server: 'scimmy', requests: 1000, seconds: 10, requestsPerSecond: 100, nodeCpuMsPerRequest: 1 });
    expect(memory).toMatchObject({ server: 'oursMemory', requestsPerSecond: 500, nodeCpuMsPerRequest: 0.25 });
    expect(memory.javaCpuMsPerRequest).toBeUndefined();
  });

  it("computes issue 19's budgets from the figures, met and missed", () => {
    const meets = [phase('scimmy', 1000, 10, 9000), phase('oursMemory', 1000, 2, 1000, 19.9), phase('oursDynamo', 1000, 5, 1400)];
    const met = raceBudgets(serverTotals(meets), meets);
    expect(met.map((b) => b.budget)).toEqual([
      'race: every request answered as a SCIM server should, on every server',
      "race: ours in memory >= 3x scimmy's requests/s",
      "race: every phase's p99 of ours in memory under 20 ms",
      'race: our Node CPU <= 1.5 ms per request, on DynamoDB Local',
      "race: scimmy's CPU per request >= 6x ours, on DynamoDB Local",
      'race: our Node CPU <= 1.5 ms per request, in memory',
      "race: scimmy's CPU per request >= 6x ours, in memory",
    ]);
    expect(met.every((b) => b.met)).toBe(true);
    expect(met[1].detail).toMatch(/^5x: 500 against 100/);

    const misses = [phase('scimmy', 1000, 10, 9000, 5, 1), phase('oursMemory', 1000, 4, 1600, 20), phase('oursDynamo', 1000, 5, 1400)];
    const missed = raceBudgets(serverTotals(misses), misses, { oursMemory: 'ran on DynamoDB Local' });
    expect(missed.filter((b) => !b.met).map((b) => b.budget)).toEqual([
      'race: every request answered as a SCIM server should, on every server',
      "race: ours in memory >= 3x scimmy's requests/s",
      "race: every phase's p99 of ours in memory under 20 ms",
      'race: our Node CPU <= 1.5 ms per request, in memory',
      "race: scimmy's CPU per request >= 6x ours, in memory",
    ]);
    expect(missed[1].detail).toContain('(ran on DynamoDB Local)');
    // Without the peer, no ratio to it is claimed.
    expect(raceBudgets(serverTotals(meets.slice(1)), meets.slice(1)).map((b) => b.budget).filter((b) => b.includes('scimmy'))).toEqual([]);
  });

  it("renders a block for bench/README.md's race markers, servers in the order they started", () => {
    const rows = [phase('scimmy', 1000, 10, 9000), phase('oursMemory', 1000, 2, 1000)];
    const totals = serverTotals(rows);
    const race: RaceResult = {
      concurrency: 8,
      workload: FULL_WORKLOAD,
      requestsPerServer: 1000,
      oursLog: 'per request',
      clockTicksPerSecond: 100,
      servers: [
        { id: 'oursMemory', label: 'ours, in memory', command: 'node --import tsx bin/local.ts', store: 'memory', env: 'SCIM_STORE=memory' },
        { id: 'scimmy', label: 'scimmy 1.3 + express', command: 'node --import tsx bench/lib/scimmy-server.ts', store: 'memory', env: '' },
      ],
      phases: rows,
      totals,
      ratios: raceRatios(totals, rows),
      quiet: { waits: 5, notQuiet: 1, medianWaitMs: 200, longestWaitMs: 5000 },
    };
    const block = renderSections({ recordedAt: '2026-12-02T00:00:00Z', mode: 'full', node: 'v20', race, budgets: [] }).race;
    expect(block).toContain('| ours, in memory | 1000 | 0 | 500 | 1 |  |');
    expect(block).toContain('4 of 5 waits ended quiet, median 200 ms, longest 5000 ms');
    expect(block).toContain('| ours in memory ÷ scimmy, requests/s | >= 3x | 5x |');
    expect(block.indexOf('| phase 1000 | ours, in memory |')).toBeLessThan(block.indexOf('| phase 1000 | scimmy 1.3 + express |'));
    expect(replaceSections(readFileSync(README, 'utf8'), { race: block })).toContain(`<!-- bench:race -->\n${block}\n<!-- /bench:race -->`);
  });

  it('stops a warm-up at its first phase with an error: the figures would be of a broken server', async () => {
    const phasesRun: number[] = [];
    const failing = { run: async (requests: number) => (phasesRun.push(requests), { requests, errors: phasesRun.length === 2 ? 1 : 0, errorSamples: ['POST /Users: answered 500'], latenciesMs: [], seconds: 0 }) } as unknown as RaceClient;
    await expect(warmUp(failing, FULL_WORKLOAD, 8)).rejects.toThrow(/warm-up: 1 errors in get user: POST \/Users: answered 500/);
    expect(phasesRun).toHaveLength(2);
  });

  it("the issue's workload: 2,710 requests, every user in two groups, no member removed twice", () => {
    const phases = workloadPhases(FULL_WORKLOAD);
    expect(phases.reduce((a, p) => a + p.requests, 0)).toBe(2710);
    const state = { users: Array.from({ length: 500 }, (_, i) => `u${i}`), groups: Array.from({ length: 10 }, (_, i) => `g${i}`) };
    const adds = phases.find((p) => p.phase === 'add 100 members (PATCH)')!;
    const memberships = new Map<string, number>();
    for (let i = 0; i < adds.requests; i++) {
      for (const { value } of (adds.request(i, state).body as any).Operations[0].value) memberships.set(value, (memberships.get(value) ?? 0) + 1);
    }
    expect([...new Set(memberships.values())]).toEqual([2]);
    expect(memberships.size).toBe(500);
    const removals = phases.find((p) => p.phase === 'remove a member (PATCH)')!;
    const removed = Array.from({ length: removals.requests }, (_, i) => removals.request(i, state)).map((r) => `${r.path} ${(r.body as any).Operations[0].path}`);
    expect(new Set(removed).size).toBe(100);
  });
});

describe('the race, end to end', () => {
  const TINY: WorkloadSize = { users: 10, groups: 2, membersPerGroup: 5, removals: 4, pageSize: 4, listPasses: 1 };

  it('runs every phase on ours and on the scimmy peer, each its own process, without an error', async () => {
    const race = await runRace({ size: TINY, servers: ['oursMemory', 'scimmy'], quietLog: true });
    const expected = workloadPhases(TINY);
    expect(race.servers.map((s) => s.id)).toEqual(['oursMemory', 'scimmy']);
    expect(race.oursLog).toBe('quiet');
    for (const server of ['oursMemory', 'scimmy'] as const) {
      const rows = race.phases.filter((p) => p.server === server);
      expect(rows.map((p) => [p.phase, p.requests])).toEqual(expected.map((p) => [p.phase, p.requests]));
      expect(rows.filter((p) => p.errors > 0).map((p) => `${p.phase}: ${p.errorSamples.join('; ')}`)).toEqual([]);
    }
    // The first phase ran ours first, the second scimmy first: the order rotates.
    expect(race.phases.slice(0, 4).map((p) => p.server)).toEqual(['oursMemory', 'scimmy', 'scimmy', 'oursMemory']);
    expect(race.totals.map((t) => [t.server, t.requests, t.errors])).toEqual([
      ['oursMemory', race.requestsPerServer, 0],
      ['scimmy', race.requestsPerServer, 0],
    ]);
    expect(race.totals.every((t) => t.nodeCpuMsPerRequest > 0)).toBe(true);
    // A wait before the first phase and one after every run.
    expect(race.quiet.waits).toBe(1 + race.phases.length);
  }, 90_000);
});
