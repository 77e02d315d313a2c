/** What bin/schema-lint.js needs, in one module: the entry point the bundle is built from (scripts/bundle.mjs). */
import { tolerateClosed } from './closed-stream.js';
import { main } from './main.js';

// What the launcher needs besides runProcess, from the same bundle: starting the parser's WebAssembly compile early,
// and the `import()` that loads custom rules (see custom-rules.ts).
export { loadParser } from '../sql/parser.js';
export { setModuleImporter } from '../engine/custom-rules.js';

/** The CLI on this process's arguments and streams; resolves to the exit code. Both launchers (bin/, the Action's) call it. */
export function runProcess(): Promise<number> {
  return main(process.argv.slice(2), {
    cwd: process.cwd(),
    env: process.env,
    // `| head -1` or `> /dev/full`: the run ends quietly with its own exit code, not with Node's EPIPE stack.
    stdout: tolerateClosed(process.stdout),
    stderr: tolerateClosed(process.stderr),
  });
}
