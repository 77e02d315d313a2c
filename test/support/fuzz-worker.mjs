// Runs the built CLI's main() in a worker thread, one job per message, so the fuzz test can run hundreds of
// mutants without a process start each and still bound every run: a mutant that hangs the CLI is a worker the
// test terminates, not a test run that never ends. Plain JavaScript: it loads dist/ as the launcher does.
import { parentPort } from 'node:worker_threads';
import { loadParser } from '../../dist/src/sql/parser.js';
import { main } from '../../dist/src/cli/main.js';

await loadParser();

parentPort.on('message', async (job) => {
  let stdout = '';
  let stderr = '';
  let code;
  let crash;
  try {
    code = await main(job.argv, {
      cwd: job.cwd,
      env: {},
      stdout: { write: (text) => void (stdout += text), isTTY: false },
      stderr: { write: (text) => void (stderr += text), isTTY: false },
    });
  } catch (error) {
    // main() must never throw: reported as a failure of the mutant, with the stack for the test's message.
    crash = String(error?.stack ?? error);
  }
  parentPort.postMessage({ id: job.id, code, stdout, stderr, crash });
});

parentPort.postMessage({ ready: true });
