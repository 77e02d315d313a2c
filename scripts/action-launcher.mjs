// The Action's entry point (bundled by scripts/bundle-action.mjs into action/dist/schema-lint.mjs): the CLI with every
// package inlined, so the Action runs it with no `npm install` at all.
import { loadParser } from '../dist/src/sql/parser.js';
import { runProcess } from '../dist/src/cli/entry.js';

const parserReady = loadParser();
const code = await runProcess();
await parserReady.catch(() => undefined);
process.exitCode = code;
