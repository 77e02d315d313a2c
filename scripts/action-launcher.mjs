// The Action's entry point (bundled by scripts/bundle-action.mjs into action/dist/schema-lint.mjs): the CLI with every
// package inlined, so the Action runs it with no `npm install` at all.
import { loadParser } from '../dist/src/sql/parser.js';
import { main, tolerateClosed } from '../dist/src/cli/entry.js';

const parserReady = loadParser();
const code = await main(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: tolerateClosed(process.stdout),
  stderr: tolerateClosed(process.stderr),
});
await parserReady.catch(() => undefined);
process.exitCode = code;
