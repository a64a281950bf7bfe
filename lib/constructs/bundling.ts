import * as path from 'node:path';
import type { BuildOptions, BuildResult } from 'esbuild';
import { FUNCTION_ROUTES } from '../../lambda/handlers/routes';

/** Where the function bundles are built from: the project root (lib/constructs → ../..). */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/**
 * Every function the stack can deploy: the SCIM ones, the edge authorizer (edge-auth.ts), the
 * daily token expiry check (token-alarms.ts) and the change-event publisher (change-events.ts, opt-in).
 */
export const FUNCTION_ENTRIES: readonly { readonly id: string; readonly entry: string }[] = [
  ...FUNCTION_ROUTES.map(({ id, entry }) => ({ id, entry })),
  { id: 'Authorizer', entry: 'lambda/handlers/authorizer.ts' },
  { id: 'TokenExpiryCheck', entry: 'lambda/handlers/token-expiry.ts' },
  { id: 'ChangeEvents', entry: 'lambda/handlers/change-events.ts' },
];

/** The folder a function's bundle is known by: the handler module's name (`users` for lambda/handlers/users.ts). */
export const bundleName = (entry: string): string => path.basename(entry, path.extname(entry));

/**
 * How every function is bundled, in esbuild's terms: the one definition that the stack (from
 * source), the package's prebuilt bundles, the cold-start benchmark and the tests build from.
 * esbuild runs in PROJECT_ROOT, against which the alias targets resolve.
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
   * support, which no operation the functions call uses, goes too (6%, and node:zlib), and
   * so does DynamoDB endpoint discovery's LRU cache, which no command of the pinned SDK uses,
   * and the JavaScript SHA-256 that the SDK's signing hash falls back to without node:crypto.
   */
  alias: {
    '@aws-sdk/credential-provider-node': './lambda/handlers/env-credentials.ts',
    '@smithy/core/event-streams': './lambda/handlers/no-event-streams.ts',
    '@aws-sdk/endpoint-cache': './lambda/handlers/no-endpoint-cache.ts',
    '@smithy/core/checksum': './lambda/handlers/native-sha256.ts',
  } as Record<string, string>,
  /**
   * What a dynamic import() reaches goes into a chunk of its own (chunks/), loaded only when
   * imported: the Tracer and the X-Ray SDK (lambda/handlers/tracing.ts), which a function
   * without tracing never loads.
   */
  splitting: true,
} as const;

/** Input paths (as in esbuild's metafile) that a function bundle must not contain: what `alias` replaces. */
export const EXCLUDED_FROM_BUNDLES = [
  /node_modules\/@aws-sdk\/credential-provider-node\//,
  /node_modules\/@aws-sdk\/nested-clients\//,
  /node_modules\/@smithy\/core\/dist-es\/submodules\/event-streams\//,
  /node_modules\/@aws-sdk\/endpoint-cache\//,
  /node_modules\/mnemonist\//,
  /node_modules\/obliterator\//,
  /node_modules\/@smithy\/core\/dist-es\/submodules\/checksum\//,
];

/**
 * FUNCTION_BUNDLE as options of esbuild's build API: `entry` (relative to the project root)
 * into `outdir` as `index.mjs` (Lambda's `index.handler`), with its lazily loaded chunks in
 * `outdir/chunks/`.
 */
export function esbuildOptions(entry: string, outdir: string): BuildOptions {
  const { format, target, minify, sourcemap, mainFields, banner, external, alias, splitting } = FUNCTION_BUNDLE;
  return {
    absWorkingDir: PROJECT_ROOT,
    entryPoints: { index: path.join(PROJECT_ROOT, entry) },
    outdir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting,
    platform: 'node',
    format,
    target,
    minify,
    sourcemap,
    mainFields: [...mainFields],
    banner: { js: banner },
    external,
    alias,
    logLevel: 'silent',
  };
}

/** Bundles one function into `outdir`, synchronously (CDK's local bundling is synchronous). */
export function buildFunctionSync(entry: string, outdir: string, extra: BuildOptions = {}): BuildResult {
  // Required here, not imported: the packaged construct ships prebuilt bundles and no esbuild.
  const esbuild = require('esbuild') as typeof import('esbuild');
  return esbuild.buildSync({ ...esbuildOptions(entry, outdir), ...extra });
}
