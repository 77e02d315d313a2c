#!/usr/bin/env node
// Thin launcher. The CLI is bundled into dist/bundle (npm run build: tsc, then scripts/bundle.mjs) so start-up
// compiles one file instead of ~100 modules. tsc's dist/src runs instead when there is no bundle, or when tsc ran
// after the bundle was made (`npx tsc` alone): a stale bundle must never run in place of the code just built.
// Compiling the parser's WebAssembly takes ~100 ms on another thread: it starts first, overlapping the CLI's load.
import { statSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { wasmFlags } from './wasm-tiering.js';

// Before the parser's WebAssembly is compiled: see wasm-tiering.js. Never an error of its own (a bad path is the
// run's to report).
try {
  for (const flag of wasmFlags(process.argv.slice(2))) setFlagsFromString(flag);
} catch {
  // keep V8's defaults
}

const mtime = (relative) => statSync(new URL(relative, import.meta.url), { throwIfNoEntry: false })?.mtimeMs;
const bundleTime = mtime('../dist/bundle/schema-lint.js');
const useBundle = bundleTime !== undefined && !(mtime('../dist/src/cli/main.js') > bundleTime);
const parser = await import(useBundle ? '../dist/bundle/parser.js' : '../dist/src/sql/parser.js');
const parserReady = parser.loadParser();
const { runProcess } = await import(useBundle ? '../dist/bundle/schema-lint.js' : '../dist/src/cli/entry.js');
const code = await runProcess();
// A run that never parsed (--help, a usage error) must not leave a rejected promise behind.
await parserReady.catch(() => undefined);
process.exitCode = code;
