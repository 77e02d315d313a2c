#!/usr/bin/env node
/**
 * Bundles the CLI (after tsc) into dist/bundle/: one ESM file for the entry, plus one chunk per lazily imported part
 * (live mode, SARIF/GitHub reporters, …) so a run loads only what it uses. Start-up was dominated by resolving and
 * compiling ~100 small ESM modules and yargs' own tree; one file compiles once. bin/schema-lint.js loads the bundle
 * when it exists and falls back to tsc's dist/src otherwise.
 *
 * libpg-query stays external: it loads its WebAssembly next to its own module file. Packages loaded through
 * createRequire (ajv, pgsql-deparser) are loaded from node_modules at run time, as before.
 */
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lazyStringWidth } from './lazy-string-width.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist', 'bundle');
rmSync(outdir, { recursive: true, force: true });
await build({
  // Two entries sharing chunks: the launcher starts the parser's WASM compile before it loads the CLI.
  entryPoints: {
    parser: path.join(root, 'dist', 'src', 'sql', 'parser.js'),
    'schema-lint': path.join(root, 'dist', 'src', 'cli', 'entry.js'),
  },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir,
  external: ['libpg-query'],
  // CommonJS packages bundled into ESM call require() for Node built-ins: give them one.
  banner: { js: "import { createRequire as __schemaLintRequire } from 'node:module'; const require = __schemaLintRequire(import.meta.url);" },
  logLevel: 'warning',
  legalComments: 'none',
  plugins: [lazyStringWidth],
});
