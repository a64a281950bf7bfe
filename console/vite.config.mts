import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The directory console: built into static files under dist/console, served at /console/ by
 * `npm start` and `npm run console`. Nothing is fetched from a CDN at run time.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../dist/console',
    emptyOutDir: true,
    target: 'es2022',
    // One small bundle: no source maps shipped, no inline scripts (the pages are served with a strict CSP).
    sourcemap: false,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  logLevel: 'warn',
});
