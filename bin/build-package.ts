#!/usr/bin/env node
/**
 * Builds what the npm package carries (`npm pack` runs it as `prepack`), into dist/:
 *   dist/lib/, dist/lambda/  the construct and the stack compiled (tsconfig.lib.json), with types
 *   dist/functions/<name>/   every function's bundle, built as the stack builds it from source
 *   dist/bin/token.mjs       the token CLI in one file (`npx scim-endpoint-token`)
 * so that a consumer's `cdk synth` needs neither esbuild nor this repository's sources.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, rmSync } from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { buildFunctionSync, bundleName, FUNCTION_BUNDLE, FUNCTION_ENTRIES, PROJECT_ROOT } from '../lib/constructs/bundling';

const DIST = path.join(PROJECT_ROOT, 'dist');
const started = Date.now();

for (const part of ['lib', 'lambda', 'functions', 'bin']) rmSync(path.join(DIST, part), { recursive: true, force: true });

execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(PROJECT_ROOT, 'tsconfig.lib.json')], { stdio: ['ignore', process.stderr, process.stderr] });

for (const { entry } of FUNCTION_ENTRIES) buildFunctionSync(entry, path.join(DIST, 'functions', bundleName(entry)));

// The CLI runs on an operator's machine: the SDK's default credential chain (profiles, SSO) stays.
const cli = path.join(DIST, 'bin', 'token.mjs');
buildSync({
  absWorkingDir: PROJECT_ROOT,
  entryPoints: [path.join(PROJECT_ROOT, 'bin', 'token.ts')],
  outfile: cli,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  mainFields: [...FUNCTION_BUNDLE.mainFields],
  // bin/token.ts begins with its own #! line, which esbuild keeps first.
  banner: { js: FUNCTION_BUNDLE.banner },
  logLevel: 'warning',
});
chmodSync(cli, 0o755);

// On stderr: `npm pack --json` prints its answer on stdout.
process.stderr.write(`dist/ built for the package in ${Date.now() - started} ms\n`);
