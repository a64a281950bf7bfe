/**
 * CPU time of another process, read from Linux's /proc/<pid>/stat (proc(5)): user and system
 * time of all its threads, in clock ticks. What a server process costs per request is the
 * difference of two readings divided by the requests between them.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The utime and stime fields of a /proc/<pid>/stat line, in clock ticks. */
export interface CpuTicks {
  readonly utime: number;
  readonly stime: number;
}

/**
 * Parses one /proc/<pid>/stat line. The second field (the command name, in parentheses) may
 * itself hold spaces and parentheses, so the fields are counted from the last `)`: utime and
 * stime are fields 14 and 15 of proc(5), the 12th and 13th after it.
 */
export function parseProcStat(line: string): CpuTicks {
  const close = line.lastIndexOf(')');
  if (close < 0) throw new Error(`not a /proc/<pid>/stat line: ${line.slice(0, 80)}`);
  const after = line.slice(close + 2).trim().split(/\s+/);
  // after[0] is field 3 (state); field n is after[n - 3].
  const utime = Number(after[14 - 3]);
  const stime = Number(after[15 - 3]);
  if (!Number.isInteger(utime) || !Number.isInteger(stime)) throw new Error(`no utime/stime in /proc/<pid>/stat line: ${line.slice(0, 80)}`);
  return { utime, stime };
}

let clockTicks: number | undefined;

/** Clock ticks per second (sysconf(_SC_CLK_TCK)), asked of `getconf` once. */
export function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    if (!Number.isInteger(value) || value <= 0) throw new Error(`getconf CLK_TCK gave "${value}"`);
    clockTicks = value;
  }
  return clockTicks;
}

/** The CPU time (user + system) `pid` has used so far, in milliseconds. */
export function processCpuMs(pid: number): number {
  const { utime, stime } = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  return ((utime + stime) * 1000) / clockTicksPerSecond();
}

/** How a wait for quiet ended: how long it took, and whether the processes did go quiet. */
export interface Quiet {
  readonly waitedMs: number;
  readonly quiet: boolean;
}

/**
 * Waits until `pids`, together, use at most one clock tick of CPU over `windowMs` (one tick
 * is 10 ms at 100 ticks/s: 5% of a core over 200 ms), or until `maxMs` has passed. A server's
 * work can trail its last answer (DynamoDB Local's collector after a heavy phase, a log
 * flush); the race waits for it so that it is counted to the phase that caused it and does
 * not fall on the next server's phase.
 */
export async function waitForQuiet(pids: readonly number[], windowMs = 200, maxMs = 5_000): Promise<Quiet> {
  const tick = 1000 / clockTicksPerSecond();
  const total = () => pids.reduce((sum, pid) => sum + processCpuMs(pid), 0);
  const started = performance.now();
  let last = total();
  for (;;) {
    await new Promise((r) => setTimeout(r, windowMs));
    const now = total();
    const waitedMs = Math.round(performance.now() - started);
    if (now - last <= tick) return { waitedMs, quiet: true };
    if (waitedMs >= maxMs) return { waitedMs, quiet: false };
    last = now;
  }
}
