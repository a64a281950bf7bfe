/**
 * Cold start per function: each handler bundled exactly as the stack bundles it (the
 * settings of lib/constructs/bundling.ts: esbuild, minified ESM, node22, AWS SDK bundled, the
 * default credential chain replaced, dynamic imports in chunks of their own), its size in
 * bytes, what weighs most in it, and the time to import it in a fresh Node process (module
 * initialisation; the handler creates its clients on the first event).
 *
 * Each function is also bundled "before Powertools": lambda/handlers/telemetry.ts and
 * tracing.ts replaced by bench/lib/without-powertools.ts (the plain JSON logger, no metrics,
 * no Tracer), so that what Powertools costs is measured in the same run, interleaved.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';
import { esbuildOptions, FUNCTION_ENTRIES, PROJECT_ROOT } from '../lib/constructs/bundling';
import { median } from './lib/timing';

export interface FunctionColdStart {
  readonly function: string;
  /** The entry a cold start loads (index.mjs), as deployed. */
  readonly bundleBytes: number;
  readonly initMsMedian: number;
  /** CPU time of the process during the import (user + system, all threads), median. */
  readonly initCpuMsMedian: number;
  readonly initMsRuns: number[];
  /** The same function before Powertools (the plain JSON logger, no metrics, no Tracer). */
  readonly before: { readonly bundleBytes: number; readonly initMsMedian: number; readonly initCpuMsMedian: number };
  /** Median over runs of (after / before - 1) of the wall-clock import time, in percent. */
  readonly initIncreasePercent: number;
  /** The same of the CPU time, which the machine's other load moves less. */
  readonly initCpuIncreasePercent: number;
  /** Bytes of the chunks loaded only on demand (the Tracer and the X-Ray SDK, the SDK's user-agent parser). */
  readonly lazyChunkBytes: number;
  /** The heaviest contributors to the entry, in bytes of minified output. */
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

/** Replaces the handlers' Powertools modules by the stand-ins of the functions before them. */
const withoutPowertools: Plugin = {
  name: 'without-powertools',
  setup(b) {
    b.onResolve({ filter: /^\.\/(telemetry|tracing)$/ }, (args) =>
      args.importer.startsWith(path.join(PROJECT_ROOT, 'lambda', 'handlers'))
        ? { path: path.join(PROJECT_ROOT, 'bench', 'lib', 'without-powertools.ts') }
        : undefined,
    );
  },
};

/** Builds the bundles and times their import `runs` times each, interleaved. */
export async function runColdStart(quick: boolean): Promise<ColdStartResult> {
  const runs = quick ? 5 : 21;
  const dir = mkdtempSync(path.join(tmpdir(), 'scim-cold-'));
  const bundles: { id: string; file: string; meta: Metafile; before: string; beforeMeta: Metafile }[] = [];
  for (const fn of FUNCTION_ENTRIES) {
    const out = path.join(dir, fn.id);
    const result = await build({ ...esbuildOptions(fn.entry, out), metafile: true });
    const beforeOut = path.join(dir, `${fn.id}-before`);
    const before = await build({ ...esbuildOptions(fn.entry, beforeOut), metafile: true, plugins: [withoutPowertools] });
    bundles.push({ id: fn.id, file: path.join(out, 'index.mjs'), meta: result.metafile, before: path.join(beforeOut, 'index.mjs'), beforeMeta: before.metafile });
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
  const targets = [
    ...bundles.flatMap((b) => [
      { id: b.id, file: b.file },
      { id: `${b.id} (before)`, file: b.before },
    ]),
    { id: '(empty module)', file: empty },
  ];
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
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    sdk: 'bundled (no external modules), credentials from the environment (no default chain)',
    node: process.version,
    runs,
    emptyModuleInitMs: round(median(times['(empty module)'])),
    emptyModuleInitCpuMs: round(median(cpuTimes['(empty module)'])),
    functions: bundles.map((b) => {
      const before = `${b.id} (before)`;
      return {
        function: b.id,
        bundleBytes: statSync(b.file).size,
        initMsMedian: round(median(times[b.id])),
        initCpuMsMedian: round(median(cpuTimes[b.id])),
        initMsRuns: times[b.id].map(round),
        before: { bundleBytes: statSync(b.before).size, initMsMedian: round(median(times[before])), initCpuMsMedian: round(median(cpuTimes[before])) },
        // Per run, so that the machine's load, which moves both alike, cancels out.
        initIncreasePercent: round(median(times[b.id].map((t, i) => (t / times[before][i] - 1) * 100))),
        initCpuIncreasePercent: round(median(cpuTimes[b.id].map((t, i) => (t / cpuTimes[before][i] - 1) * 100))),
        lazyChunkBytes: chunkBytes(path.dirname(b.file)),
        heaviest: heaviest(b.meta, b.file),
      };
    }),
  };
}

/** Bytes of everything in a bundle's chunks/ folder. */
function chunkBytes(bundleDir: string): number {
  const chunks = path.join(bundleDir, 'chunks');
  return readdirSync(chunks).reduce((sum, name) => sum + statSync(path.join(chunks, name)).size, 0);
}

/** Output bytes per package (or per project folder), largest first. */
function heaviest(meta: Metafile, file: string): { what: string; bytes: number }[] {
  const output = Object.entries(meta.outputs).find(([out]) => path.resolve(PROJECT_ROOT, out) === path.resolve(file))?.[1];
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
