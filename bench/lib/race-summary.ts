/**
 * The race's figures from its raw measurements: per phase and server, per server over the
 * whole workload, the ratios issue 19's budgets are stated in, and those budgets met or not.
 * Pure functions, so that what the bench prints is tested without starting a server.
 */
import { percentile } from './timing';
import type { PhaseRun } from './race-client';

/** Which server: ours on DynamoDB Local, ours on the in-memory store, the scimmy peer, ours at another revision. */
export type ServerId = 'oursDynamo' | 'oursMemory' | 'scimmy' | 'before';

/** CPU time used so far, in ms: the server's Node process, its DynamoDB Local (Java) if any, and the load generator. */
export interface CpuReading {
  readonly node: number;
  readonly java?: number;
  readonly client: number;
}

/** One phase on one server. */
export interface PhaseFigures {
  readonly phase: string;
  readonly server: ServerId;
  readonly requests: number;
  readonly errors: number;
  readonly errorSamples: string[];
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU of the server's own process over the phase. */
  readonly nodeCpuMs: number;
  readonly nodeCpuMsPerRequest: number;
  /** CPU of the DynamoDB Local under it (absent: there is none). */
  readonly javaCpuMs?: number;
  readonly javaCpuMsPerRequest?: number;
  /** CPU of the load generator (this process), to show it is not what bounds the figure. */
  readonly clientCpuMsPerRequest: number;
}

/** One server over the whole workload: total requests over the sum of its phases' times and CPU. */
export interface ServerTotals {
  readonly server: ServerId;
  readonly requests: number;
  readonly errors: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly nodeCpuMsPerRequest: number;
  readonly javaCpuMsPerRequest?: number;
}

/** The issue's ratios; absent where a server they need did not run. */
export interface RaceRatios {
  /** ours in memory requests/s ÷ scimmy's, whole workload (target >= 3). */
  readonly memoryOverScimmyRequestsPerSecond?: number;
  /** The slowest phase's p99 of ours in memory (target < 20 ms). */
  readonly memoryWorstP99?: { readonly phase: string; readonly ms: number };
  /** scimmy's CPU per request ÷ ours (Node process only), per mode of ours (target >= 6). */
  readonly scimmyOverOursCpu: Partial<Record<'oursDynamo' | 'oursMemory', number>>;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The figures of one phase on one server from its run and the CPU readings before and after it. */
export function summarisePhase(phase: string, server: ServerId, run: PhaseRun, before: CpuReading, after: CpuReading): PhaseFigures {
  const perRequest = (ms: number) => round(ms / run.requests, 2);
  const nodeCpuMs = after.node - before.node;
  const javaCpuMs = before.java !== undefined && after.java !== undefined ? after.java - before.java : undefined;
  return {
    phase,
    server,
    requests: run.requests,
    errors: run.errors,
    errorSamples: run.errorSamples,
    seconds: round(run.seconds, 3),
    requestsPerSecond: round(run.requests / run.seconds, 1),
    p50Ms: round(percentile(run.latenciesMs, 50), 1),
    p99Ms: round(percentile(run.latenciesMs, 99), 1),
    nodeCpuMs: round(nodeCpuMs, 1),
    nodeCpuMsPerRequest: perRequest(nodeCpuMs),
    ...(javaCpuMs === undefined ? {} : { javaCpuMs: round(javaCpuMs, 1), javaCpuMsPerRequest: perRequest(javaCpuMs) }),
    clientCpuMsPerRequest: perRequest(after.client - before.client),
  };
}

/** Each server's totals over the phases it ran, in the order the servers first appear. */
export function serverTotals(rows: readonly PhaseFigures[]): ServerTotals[] {
  const servers = [...new Set(rows.map((r) => r.server))];
  return servers.map((server) => {
    const mine = rows.filter((r) => r.server === server);
    const sum = (f: (r: PhaseFigures) => number) => mine.reduce((a, r) => a + f(r), 0);
    const requests = sum((r) => r.requests);
    const seconds = sum((r) => r.seconds);
    const java = mine.every((r) => r.javaCpuMs !== undefined) ? sum((r) => r.javaCpuMs!) : undefined;
    return {
      server,
      requests,
      errors: sum((r) => r.errors),
      seconds: round(seconds, 2),
      requestsPerSecond: round(requests / seconds, 1),
      nodeCpuMsPerRequest: round(sum((r) => r.nodeCpuMs) / requests, 2),
      ...(java === undefined ? {} : { javaCpuMsPerRequest: round(java / requests, 2) }),
    };
  });
}

/** The ratios of the issue's budgets, from the totals and the phases. */
export function raceRatios(totals: readonly ServerTotals[], rows: readonly PhaseFigures[]): RaceRatios {
  const of = (id: ServerId) => totals.find((t) => t.server === id);
  const scimmy = of('scimmy');
  const memory = of('oursMemory');
  const memoryRows = rows.filter((r) => r.server === 'oursMemory');
  const worst = memoryRows.reduce<PhaseFigures | undefined>((a, r) => (a === undefined || r.p99Ms > a.p99Ms ? r : a), undefined);
  const scimmyOverOursCpu: RaceRatios['scimmyOverOursCpu'] = {};
  for (const id of ['oursDynamo', 'oursMemory'] as const) {
    const ours = of(id);
    if (scimmy && ours && ours.nodeCpuMsPerRequest > 0) scimmyOverOursCpu[id] = round(scimmy.nodeCpuMsPerRequest / ours.nodeCpuMsPerRequest, 2);
  }
  return {
    ...(scimmy && memory ? { memoryOverScimmyRequestsPerSecond: round(memory.requestsPerSecond / scimmy.requestsPerSecond, 2) } : {}),
    ...(worst ? { memoryWorstP99: { phase: worst.phase, ms: worst.p99Ms } } : {}),
    scimmyOverOursCpu,
  };
}

/** A budget of the issue, met or not, as bench/run.ts lists them. */
export interface RaceBudget {
  readonly budget: string;
  readonly met: boolean;
  readonly detail: string;
}

/** Targets of issue 19 ("a fair race" and "cut our CPU per request"). */
export const RACE_TARGETS = { memoryOverScimmy: 3, memoryP99Ms: 20, oursCpuMsPerRequest: 1.5, scimmyOverOursCpu: 6 } as const;

/** How the budgets and the README name each mode of ours. */
export const OURS_MODES = { oursDynamo: 'on DynamoDB Local', oursMemory: 'in memory' } as const;

/**
 * Issue 19's budgets from a race's figures. `notes` says where a server did not run as its
 * name says: until bin/local.ts serves SCIM_STORE=memory, "ours in memory" runs on DynamoDB
 * Local, and its budgets say so rather than pass for the in-memory store's.
 */
export function raceBudgets(
  totals: readonly ServerTotals[],
  rows: readonly PhaseFigures[],
  notes: Partial<Record<ServerId, string>> = {},
): RaceBudget[] {
  const budgets: RaceBudget[] = [];
  const ratios = raceRatios(totals, rows);
  const of = (id: ServerId) => totals.find((t) => t.server === id);
  const ranOn = (id: ServerId) => (notes[id] ? ` (${notes[id]})` : '');
  const scimmy = of('scimmy');
  const memory = of('oursMemory');
  budgets.push({
    budget: 'race: every request answered as a SCIM server should, on every server',
    met: totals.every((t) => t.errors === 0),
    detail: totals.map((t) => `${t.server} ${t.errors} errors in ${t.requests}`).join('; '),
  });
  if (scimmy && memory && ratios.memoryOverScimmyRequestsPerSecond !== undefined) {
    budgets.push({
      budget: `race: ours in memory >= ${RACE_TARGETS.memoryOverScimmy}x scimmy's requests/s`,
      met: ratios.memoryOverScimmyRequestsPerSecond >= RACE_TARGETS.memoryOverScimmy,
      detail: `${ratios.memoryOverScimmyRequestsPerSecond}x: ${memory.requestsPerSecond} against ${scimmy.requestsPerSecond} requests/s over the whole workload${ranOn('oursMemory')}`,
    });
  }
  if (ratios.memoryWorstP99) {
    const over = rows.filter((r) => r.server === 'oursMemory' && r.p99Ms >= RACE_TARGETS.memoryP99Ms);
    budgets.push({
      budget: `race: every phase's p99 of ours in memory under ${RACE_TARGETS.memoryP99Ms} ms`,
      met: over.length === 0,
      detail: `slowest: ${ratios.memoryWorstP99.phase} ${ratios.memoryWorstP99.ms} ms${over.length > 0 ? `; over: ${over.map((r) => `${r.phase} ${r.p99Ms}`).join(', ')}` : ''}${ranOn('oursMemory')}`,
    });
  }
  for (const id of ['oursDynamo', 'oursMemory'] as const) {
    const ours = of(id);
    if (!ours) continue;
    budgets.push({
      budget: `race: our Node CPU <= ${RACE_TARGETS.oursCpuMsPerRequest} ms per request, ${OURS_MODES[id]}`,
      met: ours.nodeCpuMsPerRequest <= RACE_TARGETS.oursCpuMsPerRequest,
      detail: `${ours.nodeCpuMsPerRequest} ms over ${ours.requests} requests${ours.javaCpuMsPerRequest === undefined ? '' : `; DynamoDB Local ${ours.javaCpuMsPerRequest} ms besides`}${ranOn(id)}`,
    });
    const ratio = ratios.scimmyOverOursCpu[id];
    if (scimmy && ratio !== undefined) {
      budgets.push({
        budget: `race: scimmy's CPU per request >= ${RACE_TARGETS.scimmyOverOursCpu}x ours, ${OURS_MODES[id]}`,
        met: ratio >= RACE_TARGETS.scimmyOverOursCpu,
        detail: `${ratio}x: scimmy ${scimmy.nodeCpuMsPerRequest} ms, ours ${ours.nodeCpuMsPerRequest} ms (Node process only)${ranOn(id)}`,
      });
    }
  }
  return budgets;
}
