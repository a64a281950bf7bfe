import * as path from 'node:path';
import type { BuildOptions } from 'esbuild';

/** Where the function bundles are built from: the project root (lib/constructs → ../..). */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/**
 * How every function is bundled, in esbuild's terms: the one definition that NodeFunction
 * (through NodejsFunction's bundling options), the cold-start benchmark and the tests build
 * from. esbuild runs in PROJECT_ROOT, against which the alias targets resolve.
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
  /**
   * Modules replaced in the bundles, each by a file that says why. The SDK's default
   * credential chain becomes the environment variables Lambda sets: each bundle loses the
   * SSO/STS clients it never calls there, a third of its bytes. The SDK's event-stream
   * support, which no operation the functions call uses, goes too (6%, and node:zlib).
   */
  alias: {
    '@aws-sdk/credential-provider-node': './lambda/handlers/env-credentials.ts',
    '@smithy/core/event-streams': './lambda/handlers/no-event-streams.ts',
  } as Record<string, string>,
} as const;

/** Input paths (as in esbuild's metafile) that a function bundle must not contain: what `alias` replaces. */
export const EXCLUDED_FROM_BUNDLES = [
  /node_modules\/@aws-sdk\/credential-provider-node\//,
  /node_modules\/@aws-sdk\/nested-clients\//,
  /node_modules\/@smithy\/core\/dist-es\/submodules\/event-streams\//,
];

/** FUNCTION_BUNDLE as options of esbuild's build API, to bundle `entry` (relative to the project root) outside CDK. */
export function esbuildOptions(entry: string): BuildOptions {
  const { format, target, minify, sourcemap, mainFields, banner, external, alias } = FUNCTION_BUNDLE;
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
    alias,
  };
}
