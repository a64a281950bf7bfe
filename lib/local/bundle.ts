import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { BuildOptions, Plugin } from 'esbuild';
import { esbuildOptions, PROJECT_ROOT } from '../constructs/bundling';

/** Where `npm start` runs the local endpoint from: bin/local.ts bundled (dist/ is not committed). */
export const LOCAL_BUNDLE_DIR = path.join(PROJECT_ROOT, 'dist', 'local');
export const LOCAL_BUNDLE = path.join(LOCAL_BUNDLE_DIR, 'index.mjs');

/**
 * The local endpoint's own files find what sits next to them (the DynamoDB Local launcher, the
 * built console) through `__dirname`, which an ESM bundle does not have: each such use becomes
 * the folder of the source file it is written in.
 */
const ownDirname: Plugin = {
  name: 'own-dirname',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('__dirname')) return undefined;
      return { contents: source.replace(/\b__dirname\b/g, JSON.stringify(path.dirname(args.path))), loader: 'ts' };
    });
  },
};

/**
 * Bundles bin/local.ts into LOCAL_BUNDLE with the options every function is bundled with
 * (FUNCTION_BUNDLE: minified ESM, the AWS SDK inside), so that `npm start` runs the handler
 * code the stack deploys, compiled the same way, and not the sources under a TypeScript
 * loader. About a second. `outdir` must lie inside the project, whose node_modules the bundle
 * resolves DynamoDB Local from; `extra.sourcemap` is for the CPU profile (bench/profile.ts),
 * which maps the bundle's code back to its packages.
 */
export async function buildLocalBundle(outdir = LOCAL_BUNDLE_DIR, extra: Pick<BuildOptions, 'sourcemap'> = {}): Promise<string> {
  const esbuild = await import('esbuild');
  await esbuild.build({ ...esbuildOptions('bin/local.ts', outdir), ...extra, plugins: [ownDirname], logLevel: 'warning' });
  return path.join(outdir, 'index.mjs');
}
