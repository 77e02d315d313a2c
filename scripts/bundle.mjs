#!/usr/bin/env node
/**
 * Bundles the CLI (after tsc) into one CommonJS file, dist/bundle/schema-lint.cjs, which bin/schema-lint.js compiles
 * with V8's code cache (a script can have one; an ES module cannot on Node 20). Start-up was dominated by resolving
 * and compiling ~100 small ESM modules and yargs' own tree; one file compiles once, and with the code cache its
 * functions are not compiled again on later runs. Parts a run may not need (live mode, SARIF, the GitHub and markdown
 * reporters) are wrapped by esbuild to be evaluated on first use, not at load.
 *
 * libpg-query stays external: it loads its WebAssembly next to its own module file. Packages loaded through
 * createRequire (ajv, pgsql-deparser) are loaded from node_modules at run time, as before.
 */
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lazyStringWidth } from './lazy-string-width.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist', 'bundle');
rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: [path.join(root, 'dist', 'src', 'cli', 'entry.js')],
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outfile: path.join(outdir, 'schema-lint.cjs'),
  external: ['libpg-query'],
  // ESM sources ask for their own URL (createRequire, package.json next to dist/): the bundle's, in a CommonJS file.
  define: { 'import.meta.url': '__schemaLintBundleUrl' },
  banner: { js: "const __schemaLintBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
  legalComments: 'none',
  plugins: [lazyStringWidth],
  write: false,
});
// The first line names the build by its content: the launcher keys V8's code cache by it. V8 checks a cache only
// against the source's length, and npm installs every file with the same time, so a release whose bundle kept its
// length would otherwise run the previous release's compiled code.
mkdirSync(outdir, { recursive: true });
for (const file of result.outputFiles) {
  const build = createHash('sha256').update(file.contents).digest('hex').slice(0, 32);
  writeFileSync(file.path, `// schema-lint build ${build}\n${file.text}`);
}
