#!/usr/bin/env node
// Thin launcher. The CLI is bundled into one CommonJS file, dist/bundle/schema-lint.cjs (npm run build: tsc, then
// scripts/bundle.mjs), compiled here with V8's code cache (code-cache.js), so start-up neither resolves ~100 modules
// nor compiles the same functions on every run. tsc's dist/src runs instead when there is no bundle, or when tsc ran
// after the bundle was made (`npx tsc` alone): a stale bundle must never run in place of the code just built.
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { codeCacheFolder, loadBundle } from './code-cache.js';
import { wasmFlags } from './wasm-tiering.js';

const args = process.argv.slice(2);

// Before the parser's WebAssembly is compiled: see wasm-tiering.js. Never an error of its own (a bad path is the
// run's to report).
let flags = [];
try {
  flags = wasmFlags(args);
  for (const flag of flags) setFlagsFromString(flag);
} catch {
  flags = []; // keep V8's defaults
}

const bundle = fileURLToPath(new URL('../dist/bundle/schema-lint.cjs', import.meta.url));
const mtime = (file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs;
const bundleTime = mtime(bundle);
const useBundle = bundleTime !== undefined && !(mtime(fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url))) > bundleTime);

const loaded = useBundle ? loadBundle(bundle, codeCacheFolder(args, process.env, process.cwd()), flags) : undefined;
const cli = loaded?.exports ?? (await import('../dist/src/cli/entry.js'));
// Compiling the parser's WebAssembly takes ~100 ms on other threads: it starts before the run needs it.
const parserReady = cli.loadParser();
// Custom rules are ES modules: imported from here, an ES module (the bundle is a script, with no loader of its own).
cli.setModuleImporter((url) => import(url));
const code = await cli.runProcess();
// A run that never parsed (--help, a usage error) must not leave a rejected promise behind.
await parserReady.catch(() => undefined);
loaded?.save();
process.exitCode = code;
