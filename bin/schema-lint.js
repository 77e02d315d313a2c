#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/src/cli (built by `npm run build`).
import { main } from '../dist/src/cli/main.js';

const code = await main(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
});
process.exitCode = code;
