#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/src/cli (built by `npm run build`). Compiling the parser's WebAssembly takes
// ~100 ms on another thread: it starts first, so it overlaps loading the rest of the CLI.
import { loadParser } from '../dist/src/sql/parser.js';

const parserReady = loadParser();
const { main } = await import('../dist/src/cli/main.js');
const { tolerateClosed } = await import('../dist/src/cli/closed-stream.js');
const code = await main(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  // `| head -1` or `> /dev/full`: the run ends quietly with its own exit code, not with Node's EPIPE stack.
  stdout: tolerateClosed(process.stdout),
  stderr: tolerateClosed(process.stderr),
});
// A run that never parsed (--help, a usage error) must not leave a rejected promise behind.
await parserReady.catch(() => undefined);
process.exitCode = code;
