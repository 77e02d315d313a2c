#!/usr/bin/env node
// Thin launcher. The CLI is bundled into dist/bundle (npm run build: tsc, then scripts/bundle.mjs) so start-up
// compiles one file instead of ~100 modules; without a bundle it runs tsc's dist/src. Compiling the parser's
// WebAssembly takes ~100 ms on another thread: it starts first, so it overlaps loading the rest of the CLI.
const bundled = await import('../dist/bundle/parser.js').then(
  (parser) => ({ parser, cli: '../dist/bundle/schema-lint.js' }),
  async (error) => {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    return { parser: await import('../dist/src/sql/parser.js'), cli: '../dist/src/cli/entry.js' };
  },
);
const parserReady = bundled.parser.loadParser();
const { main, tolerateClosed } = await import(bundled.cli);
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
