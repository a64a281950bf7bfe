import { buildSync } from 'esbuild';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The bundled core's exports (the types of core-entry.ts). */
export type Core = typeof import('./core-entry');

/**
 * Loads the SCIM core as esbuild minifies it for a function, not as tsx runs it: tsx keeps
 * function names with a helper call around every function, a cost the deployed code does not
 * pay and the peers (plain JavaScript from node_modules) do not pay either.
 */
export function loadBundledCore(): Core {
  const out = buildSync({
    entryPoints: [path.join(__dirname, 'core-entry.ts')],
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    write: false,
  });
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'scim-bench-')), 'core.cjs');
  writeFileSync(file, out.outputFiles[0].contents);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file) as Core;
}
