import * as path from 'node:path';
import type { BuildOptions } from 'esbuild';

/** Where the function bundles are built from: the project root (lib/constructs → ../..). */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/**
 * How every function is bundled, in esbuild's terms: the one definition that NodeFunction
 * (through NodejsFunction's bundling options), the cold-start benchmark and the tests build
 * from.
 */
export const FUNCTION_BUNDLE = {
  format: 'esm',
  target: 'node22',
  minify: true,
  sourcemap: false,
  mainFields: ['module', 'main'],
  /** Some bundled CommonJS dependencies call require() for Node built-ins; ESM has none. */
  banner: "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
  /**
   * Bundle the AWS SDK v3 rather than use the runtime's copy: a pinned version, and
   * tree-shaking keeps the module load (cold start) small.
   */
  external: [] as string[],
} as const;

/** FUNCTION_BUNDLE as options of esbuild's build API, to bundle `entry` (relative to the project root) outside CDK. */
export function esbuildOptions(entry: string): BuildOptions {
  const { format, target, minify, sourcemap, mainFields, banner, external } = FUNCTION_BUNDLE;
  return {
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [path.join(PROJECT_ROOT, entry)],
    bundle: true,
    platform: 'node',
    format,
    target,
    minify,
    sourcemap,
    mainFields: [...mainFields],
    banner: { js: banner },
    external,
  };
}
