#!/usr/bin/env node
/**
 * Builds the GitHub Action's CLI into action/dist/ (committed: the Action runs it without installing anything).
 * Everything is inlined: yargs, pg, ajv, pgsql-deparser and libpg-query, whose WebAssembly is copied next to the
 * bundle (the parser looks for it beside its own module). Run after tsc: `npm run build:action`. A test rebuilds it into a
 * temporary folder and fails when the committed copy differs (test/action.test.ts).
 *
 * Usage: node scripts/bundle-action.mjs [outdir]   (default: action/dist)
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lazyStringWidth } from './lazy-string-width.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.resolve(process.argv[2] ?? path.join(root, 'action', 'dist'));
const lazyModules = path.join(root, 'dist', 'src', 'shared', 'lazy-modules.js');

// src/shared/lazy-modules.ts loads ajv and the deparser through createRequire, which a bundler cannot follow: without
// that line its `require` calls are plain ones, and esbuild inlines those packages (still evaluated on first use).
const inlineLazyModules = {
  name: 'inline-lazy-modules',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /lazy-modules\.js$/ }, (args) => {
      if (path.resolve(args.path) !== lazyModules) return undefined;
      const source = readFileSync(args.path, 'utf8');
      const line = /^const require = createRequire\(import\.meta\.url\);$/m;
      if (!line.test(source)) throw new Error(`${args.path}: the createRequire line this bundle removes is gone`);
      return { contents: source.replace(line, ''), loader: 'js' };
    });
  },
};

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
await build({
  entryPoints: { 'schema-lint': path.join(root, 'scripts', 'action-launcher.mjs') },
  outExtension: { '.js': '.mjs' },
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir,
  // pg's optional native binding is loaded in a try/catch; the Action uses the pure JavaScript client.
  external: ['pg-native'],
  plugins: [inlineLazyModules, lazyStringWidth],
  // CommonJS code inside the bundle calls require() for Node built-ins, and libpg-query's loader finds its
  // WebAssembly through __dirname: give them both, pointing at this folder.
  banner: {
    js: [
      "import { createRequire as __slRequire } from 'node:module';",
      "import { fileURLToPath as __slPath } from 'node:url';",
      'const require = __slRequire(import.meta.url);',
      'const __filename = __slPath(import.meta.url);',
      "const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
    ].join(' '),
  },
  logLevel: 'warning',
  legalComments: 'none',
  minify: true,
});
copyFileSync(path.join(root, 'node_modules', 'libpg-query', 'wasm', 'libpg-query.wasm'), path.join(outdir, 'libpg-query.wasm'));
