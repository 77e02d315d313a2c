// The Action's entry point (bundled by scripts/bundle-action.mjs into action/dist/schema-lint.mjs): the CLI with every
// package inlined, so the Action runs it with no `npm install` at all.
import { setFlagsFromString } from 'node:v8';
import { loadParser } from '../dist/src/sql/parser.js';
import { runProcess } from '../dist/src/cli/entry.js';

// As bin/schema-lint.js: compile the parser's WebAssembly function by function when first called (faster start).
setFlagsFromString('--wasm-lazy-compilation');
const parserReady = loadParser();
const code = await runProcess();
await parserReady.catch(() => undefined);
process.exitCode = code;
