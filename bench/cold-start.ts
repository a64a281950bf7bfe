/**
 * Cold start per function: each handler bundled exactly as the stack bundles it (the
 * settings of lib/constructs/bundling.ts: esbuild, minified ESM, node22, AWS SDK bundled, the
 * default credential chain replaced), its size in bytes, what weighs most in it, and the time
 * to import it in a fresh Node process (module initialisation; the handler creates its
 * clients on the first event).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { FUNCTION_ROUTES } from '../lambda/handlers/routes';
import { esbuildOptions } from '../lib/constructs/bundling';
import { median } from './lib/timing';

/** Every function the stack can deploy: the SCIM ones and the change-event publisher (lib/constructs/change-events.ts, opt-in). */
const FUNCTIONS = [...FUNCTION_ROUTES, { id: 'ChangeEvents', entry: 'lambda/handlers/change-events.ts' }];

export interface FunctionColdStart {
  readonly function: string;
  readonly bundleBytes: number;
  readonly initMsMedian: number;
  /** CPU time of the process during the import (user + system, all threads), median. */
  readonly initCpuMsMedian: number;
  readonly initMsRuns: number[];
  /** The heaviest contributors to the bundle, in bytes of minified output. */
  readonly heaviest: { readonly what: string; readonly bytes: number }[];
}

export interface ColdStartResult {
  readonly sdk: string;
  readonly node: string;
  readonly runs: number;
  /** The same measure on an empty module: the floor no bundle can go under on this machine. */
  readonly emptyModuleInitMs: number;
  readonly emptyModuleInitCpuMs: number;
  readonly functions: FunctionColdStart[];
}

/** Builds the bundles and times their import `runs` times each, interleaved. */
export async function runColdStart(quick: boolean): Promise<ColdStartResult> {
  const runs = quick ? 5 : 15;
  const dir = mkdtempSync(path.join(tmpdir(), 'scim-cold-'));
  const bundles: { id: string; file: string; meta: Metafile }[] = [];
  for (const fn of FUNCTIONS) {
    const file = path.join(dir, fn.id, 'index.mjs');
    const result = await build({ ...esbuildOptions(fn.entry), outfile: file, metafile: true, logLevel: 'silent' });
    bundles.push({ id: fn.id, file, meta: result.metafile });
  }
  // The event loop of a fresh process: import the bundle and print how long it took, in
  // wall-clock time and in CPU time of the process (all its threads: compilation and GC
  // included), which other load on a shared machine disturbs less than the wall clock.
  const probe = path.join(dir, 'probe.mjs');
  writeFileSync(
    probe,
    'const c=process.cpuUsage();const t=performance.now();await import(process.argv[2]);' +
      "const u=process.cpuUsage(c);process.stdout.write((performance.now()-t)+' '+(u.user+u.system)/1000);",
  );
  const empty = path.join(dir, 'empty.mjs');
  writeFileSync(empty, 'export const handler = async () => ({});');
  const targets = [...bundles, { id: '(empty module)', file: empty }];
  const times: Record<string, number[]> = Object.fromEntries(targets.map((b) => [b.id, []]));
  const cpuTimes: Record<string, number[]> = Object.fromEntries(targets.map((b) => [b.id, []]));
  for (let r = 0; r < runs; r++) {
    for (const b of targets) {
      const out = execFileSync(process.execPath, [probe, b.file], {
        env: {
          ...process.env,
          TABLE_NAME: 'bench',
          TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:0:secret:x',
          EVENT_BUS_NAME: 'bench',
          AWS_REGION: 'us-east-1',
        },
      });
      const [wall, cpu] = out.toString().split(' ').map(Number);
      times[b.id].push(wall);
      cpuTimes[b.id].push(cpu);
    }
  }
  return {
    sdk: 'bundled (the stack sets externalModules: []), credentials from the environment (no default chain)',
    node: process.version,
    runs,
    emptyModuleInitMs: Math.round(median(times['(empty module)']) * 10) / 10,
    emptyModuleInitCpuMs: Math.round(median(cpuTimes['(empty module)']) * 10) / 10,
    functions: bundles.map((b) => ({
      function: b.id,
      bundleBytes: statSync(b.file).size,
      initMsMedian: Math.round(median(times[b.id]) * 10) / 10,
      initCpuMsMedian: Math.round(median(cpuTimes[b.id]) * 10) / 10,
      initMsRuns: times[b.id].map((t) => Math.round(t * 10) / 10),
      heaviest: heaviest(b.meta, b.file),
    })),
  };
}

/** Output bytes per package (or per project folder), largest first. */
function heaviest(meta: Metafile, file: string): { what: string; bytes: number }[] {
  const output = Object.entries(meta.outputs).find(([out]) => path.resolve(out) === path.resolve(file))?.[1];
  const bytes = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const what = m ? m[1] : input.split('/').slice(0, 2).join('/');
    bytes.set(what, (bytes.get(what) ?? 0) + bytesInOutput);
  }
  return [...bytes]
    .map(([what, b]) => ({ what, bytes: b }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 8);
}
