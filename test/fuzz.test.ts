/**
 * Fuzzing the CLI with mutated real SQL from the shared corpus (issue 8): whatever the bytes, a run ends with exit
 * code 0, 1 or 2, prints no stack trace and no "internal error", keeps stderr to a few one-line messages, never
 * hangs, and writes no file (and leaves no temporary file) when it exits 2. Most mutants run in process (the built
 * CLI's main() in a worker thread, which the test can terminate if a run hangs); a few also run as a real child
 * process, which must agree.
 *
 * Seeded: the same mutants on every run. SCHEMA_LINT_FUZZ_SEED and SCHEMA_LINT_FUZZ_COUNT explore others; a failure
 * names its seed and index and keeps the mutant on disk.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { corpusEntries } from './support/corpus.js';
import { repoRoot } from './support/fixtures.js';
import { excerpt, int, mutate, pick, random } from './support/mutate-sql.js';
import { assertBuilt, runCli, tempDir } from './support/run-cli.js';

const SEED = Number(process.env.SCHEMA_LINT_FUZZ_SEED ?? 20261201);
const COUNT = Number(process.env.SCHEMA_LINT_FUZZ_COUNT ?? 300);
/** How many of the mutants also run as a child process. */
const CHILD_RUNS = 8;
/** A run that has not answered after this long is a hang (a bound, not a measurement: runs take milliseconds). */
const HANG_MS = 60_000;
const MAX_LINES = 150;

interface Outcome {
  code?: number;
  stdout: string;
  stderr: string;
  crash?: string;
}

interface Mutant {
  index: number;
  dir: string;
  argv: string[];
  steps: string[];
  origin: string;
}

const STACK = /\n\s+at .+[:(]\d+/;

/** The worker that runs main(); replaced when a run hangs. */
class CliWorker {
  private worker!: Worker;
  private ready!: Promise<void>;
  private pending?: { resolve: (outcome: Outcome) => void };

  constructor() {
    this.start();
  }

  private start(): void {
    this.worker = new Worker(path.join(repoRoot, 'test', 'support', 'fuzz-worker.mjs'));
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('error', reject);
      this.worker.once('message', () => resolve());
    });
    this.worker.on('message', (message: Outcome & { ready?: boolean }) => {
      if (message.ready) return;
      const pending = this.pending;
      this.pending = undefined;
      pending?.resolve(message);
    });
    // An error thrown outside main() (an unhandled rejection in the worker) ends the job as a crash.
    this.worker.on('error', (error) => {
      const pending = this.pending;
      this.pending = undefined;
      pending?.resolve({ stdout: '', stderr: '', crash: `worker error: ${error.stack ?? error}` });
    });
  }

  async run(argv: string[], cwd: string): Promise<Outcome> {
    await this.ready;
    let timer: NodeJS.Timeout | undefined;
    const answer = new Promise<Outcome>((resolve) => {
      this.pending = { resolve };
      this.worker.postMessage({ id: 1, argv, cwd });
    });
    const hang = new Promise<Outcome>((resolve) => {
      timer = setTimeout(() => resolve({ stdout: '', stderr: '', crash: `no answer after ${HANG_MS / 1000} s (hang)` }), HANG_MS);
    });
    const outcome = await Promise.race([answer, hang]);
    clearTimeout(timer);
    if (outcome.crash?.includes('(hang)')) {
      this.pending = undefined;
      await this.worker.terminate();
      this.start();
    }
    return outcome;
  }

  stop(): Promise<number> {
    return this.worker.terminate();
  }
}

function outputFiles(mutant: Mutant): string[] {
  return readdirSync(path.join(mutant.dir, 'out')).sort();
}

/** Everything wrong with one run; empty when the run kept the contract. */
function problems(mutant: Mutant, outcome: Outcome): string[] {
  const found: string[] = [];
  if (outcome.crash) return [`main() did not return: ${outcome.crash.split('\n').slice(0, 3).join(' | ')}`];
  if (![0, 1, 2].includes(outcome.code!)) found.push(`exit code ${outcome.code}`);
  if (STACK.test(outcome.stderr)) found.push('stack trace on stderr');
  if (/internal error/.test(outcome.stderr)) found.push('internal error on stderr');
  const lines = outcome.stderr.split('\n').filter((line) => line !== '');
  // Five located syntax errors, the count of the rest, the summary line, a warning or two (--verbose adds a line
  // per reference diagnostic: those are asked for).
  const syntaxLines = lines.filter((line) => / syntax error: /.test(line)).length;
  if (syntaxLines > 5) found.push(`${syntaxLines} syntax errors on stderr`);
  if (!mutant.argv.includes('--verbose') && lines.length > 10) found.push(`${lines.length} lines on stderr`);
  for (const line of lines) {
    if (!/^(schema-lint: |\/[^:]+:\d+:\d+: )/.test(line)) found.push(`stderr line that is neither a located diagnostic nor a schema-lint message: ${JSON.stringify(line.slice(0, 120))}`);
  }
  const files = outputFiles(mutant);
  if (outcome.code === 2 && files.length > 0) found.push(`exit 2 but wrote ${files.join(', ')}`);
  if (outcome.code !== 2 && files.join(',') !== 'b.json,fix.sql,report') found.push(`exit ${outcome.code} but out/ holds [${files.join(', ')}]`);
  if (outcome.code === 2 && lines.length === 0) found.push('exit 2 with nothing on stderr');
  return found;
}

const entries = corpusEntries();

describe('fuzz: mutated corpus SQL keeps the exit-code contract', () => {
  if (entries.length === 0) {
    test.skip('corpus not found (../shared/corpus or SCHEMA_LINT_SHARED_DIR): fuzzing with mutated real SQL not run', () => undefined);
    return;
  }

  let work: string;
  let worker: CliWorker;
  const mutants: Mutant[] = [];

  beforeAll(() => {
    assertBuilt();
    work = tempDir('schema-lint-fuzz-');
    worker = new CliWorker();
    const sources = entries.flatMap((entry) => entry.files.filter((file) => file.endsWith('.sql')));
    const rand = random(SEED);
    for (let index = 0; index < COUNT; index++) {
      const origin = pick(rand, sources);
      const { bytes, steps } = mutate(rand, excerpt(rand, readFileSync(origin), MAX_LINES));
      const dir = path.join(work, `m${index}`);
      mkdirSync(path.join(dir, 'out'), { recursive: true });
      const files = [path.join(dir, 'mutant.sql')];
      writeFileSync(files[0], bytes);
      // Sometimes a second, unmutated file after it: errors in one file must not lose the other.
      if (rand() < 0.2) {
        files.push(path.join(dir, 'next.sql'));
        writeFileSync(files[1], excerpt(rand, readFileSync(pick(rand, sources)), 40));
      }
      const format = pick(rand, ['text', 'json', 'sarif', 'github'] as const);
      const argv = [...files, '--format', format, '-o', path.join(dir, 'out', 'report'), '--fix-sql', path.join(dir, 'out', 'fix.sql')];
      argv.push('--write-baseline', path.join(dir, 'out', 'b.json'), '--now', '2026-01-15', '--fail-on', pick(rand, ['error', 'warning', 'never']));
      if (int(rand, 0, 3) === 0) argv.push('--verbose');
      mutants.push({ index, dir, argv, steps, origin: path.relative(path.dirname(entries[0].dir), origin) });
    }
  });

  afterAll(async () => {
    // Unset when beforeAll failed before assigning it.
    await (worker as CliWorker | undefined)?.stop();
    if (work && !process.exitCode) rmSync(work, { recursive: true, force: true });
  });

  test(`${COUNT} mutants (seed ${SEED}) in process`, async () => {
    const failures: string[] = [];
    const codes = [0, 0, 0];
    for (const mutant of mutants) {
      const outcome = await worker.run(mutant.argv, mutant.dir);
      if (outcome.code !== undefined && outcome.code >= 0 && outcome.code <= 2) codes[outcome.code]++;
      const found = problems(mutant, outcome);
      if (found.length > 0) {
        failures.push(`mutant ${mutant.index} (seed ${SEED}) of ${mutant.origin} [${mutant.steps.join('; ')}], kept in ${mutant.dir}: ${found.join('; ')}`);
      }
    }
    if (failures.length > 0) process.exitCode = 1; // keep the mutants for a look
    expect(failures).toEqual([]);
    // The mutants must exercise both sides of the contract, or the test proves little.
    expect(codes[2]).toBeGreaterThan(COUNT / 20);
    expect(codes[0] + codes[1]).toBeGreaterThan(COUNT / 20);
  }, 600_000);

  test(`${CHILD_RUNS} of them as a child process agree with the in-process run`, async () => {
    const rand = random(SEED + 1);
    for (let i = 0; i < CHILD_RUNS; i++) {
      const mutant = mutants[int(rand, 0, mutants.length - 1)];
      rmSync(path.join(mutant.dir, 'out'), { recursive: true, force: true });
      mkdirSync(path.join(mutant.dir, 'out'));
      const inProcess = await worker.run(mutant.argv, mutant.dir);
      rmSync(path.join(mutant.dir, 'out'), { recursive: true, force: true });
      mkdirSync(path.join(mutant.dir, 'out'));
      // Without HOME and XDG_CACHE_HOME, as the in-process run (env {}): no parse cache, the same --verbose line.
      const child = await runCli(mutant.argv, { cwd: mutant.dir, timeoutMs: HANG_MS, env: { HOME: undefined, XDG_CACHE_HOME: undefined } });
      expect({ mutant: mutant.index, problems: problems(mutant, child) }).toEqual({ mutant: mutant.index, problems: [] });
      expect({ mutant: mutant.index, code: child.code, stderr: child.stderr }).toEqual({ mutant: mutant.index, code: inProcess.code, stderr: inProcess.stderr });
    }
  }, 600_000);
});
