/**
 * Timing helpers for the benchmarks. On a shared, noisy machine absolute times drift, so
 * contenders are measured interleaved (each round runs every contender once, in turn) and
 * compared by the median of per-round ratios, which load moves far less than it moves times.
 */

/** The median of `values` (the mean of the two middle ones for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The value below which `p` percent of `values` lie (nearest rank); NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

/** A piece of work to time: `run` does one batch and returns something, so the work is not optimised away. */
export interface Contender {
  readonly name: string;
  readonly run: () => unknown | Promise<unknown>;
}

/** Per contender: the median time of one batch in microseconds, and every round's time. */
export interface Interleaved {
  readonly medianMicros: Record<string, number>;
  readonly rounds: Record<string, number[]>;
}

let sink: unknown;

/** Runs each contender `warmup` times, then `rounds` rounds of one batch each, in turn. */
export async function interleave(contenders: readonly Contender[], rounds: number, warmup = 3): Promise<Interleaved> {
  for (let i = 0; i < warmup; i++) for (const c of contenders) sink = await c.run();
  const times: Record<string, number[]> = Object.fromEntries(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    // Rotate who goes first so that no contender always runs right after a GC-heavy one.
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(r + k) % contenders.length];
      const started = process.hrtime.bigint();
      sink = await c.run();
      times[c.name].push(Number(process.hrtime.bigint() - started) / 1000);
    }
  }
  void sink;
  return { medianMicros: Object.fromEntries(Object.entries(times).map(([n, t]) => [n, median(t)])), rounds: times };
}

/** The median over rounds of `slow[i] / fast[i]`: how many times faster `fast` is, round by round. */
export function speedup(result: Interleaved, fast: string, slow: string): number {
  const a = result.rounds[fast];
  const b = result.rounds[slow];
  return median(a.map((t, i) => b[i] / t));
}
