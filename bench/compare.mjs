#!/usr/bin/env node
/**
 * The DDL rows of issue 12's table, schema-lint beside squawk (npm `squawk-cli` 2.66.0, `--reporter json` as we write `--format json`; installed by
 * `npm install --prefix bench/squawk`, a bench-only folder: never a dependency of schema-lint).
 *
 * Inputs (written to $TMPDIR/schema-lint-bench-compare, deterministic):
 *   - rails: bench/generate-rails-structure.mjs, 15,315 lines (a pg_dump-of-Rails `structure.sql`)
 *   - 10 MB and 50 MB: bench/generate-ddl.mjs grown until the file reaches that size
 *   - one statement (start-up only)
 * Each tool runs as a fresh process per run, stdout to /dev/null, under `/usr/bin/time -f '%M %U %S'` for the peak
 * RSS (max resident set of the child, as the kernel reports it) and CPU time (user + sys: on a shared, overloaded
 * machine it moves much less than wall time); wall time around `spawnSync`.
 * A run that is killed or aborts is reported with its exit status instead of a time.
 *
 * Usage: node bench/compare.mjs [--runs 5] [--big-runs 3] [--rows rails,10mb,50mb,one] [--no-squawk]
 * Needs `npm run build` first; SCHEMA_LINT_BENCH_ROOT points at another built copy (see README).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDdl } from './generate-ddl.mjs';
import { generateRailsStructure } from './generate-rails-structure.mjs';
import { argValue, median } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const target = path.resolve(process.env.SCHEMA_LINT_BENCH_ROOT ?? path.resolve(here, '..'));
const cli = path.join(target, 'bin', 'schema-lint.js');
const squawk = path.join(here, 'squawk', 'node_modules', '.bin', 'squawk');
const workDir = path.join(tmpdir(), 'schema-lint-bench-compare');
mkdirSync(workDir, { recursive: true });

const runs = Number(argValue('--runs', '5'));
const bigRuns = Number(argValue('--big-runs', '3'));
const rows = argValue('--rows', 'one,rails,10mb,50mb').split(',');
const withSquawk = !process.argv.includes('--no-squawk');
if (withSquawk && !existsSync(squawk)) {
  process.stderr.write(`squawk not found at ${squawk}: run  npm install --prefix bench/squawk\n`);
  process.exit(2);
}

function lines(text) {
  let n = 0;
  for (let k = text.indexOf('\n'); k !== -1; k = text.indexOf('\n', k + 1)) n++;
  return n;
}

/** Writes the input once per size (generation is deterministic, so an existing file is the same file). */
function input(name, make) {
  const file = path.join(workDir, `${name}.sql`);
  if (!existsSync(file)) writeFileSync(file, make());
  const text = readFileSync(file, 'utf8');
  return { file, lines: lines(text), bytes: statSync(file).size, tables: (text.match(/^CREATE TABLE /gm) ?? []).length };
}

/** generate-ddl.mjs output of at least `bytes` (it grows by lines; ~43 bytes a line). */
function bySize(bytes) {
  let n = Math.ceil(bytes / 43);
  for (;;) {
    const text = generateDdl(n);
    if (Buffer.byteLength(text) >= bytes) return text;
    n = Math.ceil(n * 1.05);
  }
}

const inputs = {
  one: () => ({ name: 'one statement (start-up)', ...input('one', () => 'CREATE TABLE t (id bigint PRIMARY KEY);\n') }),
  rails: () => ({ name: 'Rails-style structure.sql', ...input('rails-15315', () => generateRailsStructure(15315)) }),
  '10mb': () => ({ name: 'generated 10 MB dump', ...input('generated-10mb', () => bySize(10 * 1024 * 1024)) }),
  '50mb': () => ({ name: 'generated 50 MB dump', ...input('generated-50mb', () => bySize(50 * 1024 * 1024)) }),
};

/** One child under /usr/bin/time: wall ms, peak RSS MiB, exit status. */
function measure(command, args) {
  const devNull = openSync('/dev/null', 'w');
  const rssFile = path.join(workDir, 'rss.txt');
  try {
    const start = process.hrtime.bigint();
    const result = spawnSync('/usr/bin/time', ['-f', '%M %U %S', '-o', rssFile, command, ...args], {
      stdio: ['ignore', devNull, 'pipe'],
      cwd: workDir,
      maxBuffer: 256 << 20,
    });
    const wall = Number(process.hrtime.bigint() - start) / 1e6;
    const rssText = readFileSync(rssFile, 'utf8').trim().split('\n');
    const [kib, user, sys] = rssText[rssText.length - 1].split(' ').map(Number);
    return { wall, rss: kib / 1024, cpu: (user + sys) * 1000, status: result.status, stderr: String(result.stderr).slice(0, 400) };
  } finally {
    closeSync(devNull);
  }
}

function series(command, args, n, okStatus, warmUp = true) {
  if (warmUp) measure(command, args); // warm-up (page cache, the WASM code cache), not counted
  const all = [];
  for (let i = 0; i < n; i++) all.push(measure(command, args));
  const failed = all.find((r) => !okStatus.includes(r.status));
  return {
    wall: median(all.map((r) => r.wall)),
    minWall: Math.min(...all.map((r) => r.wall)),
    rss: median(all.map((r) => r.rss)),
    cpu: median(all.map((r) => r.cpu)),
    failed: failed && `exit ${failed.status}: ${failed.stderr.split('\n').slice(-3).join(' ')}`,
  };
}

const fmtMs = (x) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);
const fmtMiB = (x) => (x >= 1024 ? `${(x / 1024).toFixed(2)} GiB` : `${x.toFixed(0)} MiB`);
const cell = (r) => (r.failed ? `FAILED (${r.failed})` : `${fmtMs(r.wall)} (min ${fmtMs(r.minWall)}; CPU ${fmtMs(r.cpu)}), ${fmtMiB(r.rss)}`);

const bare = series(process.execPath, ['-e', '0'], runs, [0]);
process.stdout.write(`node -e 0: ${cell(bare)}\n\n`);
process.stdout.write('| work | lines | MB | tables | schema-lint: median wall (min; CPU user+sys), peak RSS | squawk 2.66.0 |\n|---|---:|---:|---:|---|---|\n');
for (const row of rows) {
  const inp = inputs[row]();
  const n = inp.bytes > 5e6 ? bigRuns : runs;
  const big = inp.bytes > 5e6; // writing the file warmed the page cache; a warm-up run would cost minutes
  // --no-cache: the parse cache would turn every run after the warm-up into a warm-cache run (bench/cache.mjs measures
  // the cache); SCHEMA_LINT_BENCH_CACHE=1 leaves it on, for builds older than the cache.
  const cacheArgs = process.env.SCHEMA_LINT_BENCH_CACHE ? [] : ['--no-cache'];
  const ours = series(process.execPath, [cli, 'lint', inp.file, '--format', 'json', '--fail-on', 'never', ...cacheArgs], n, [0], !big);
  const theirs = withSquawk ? series(squawk, ['--reporter', 'json', inp.file], n, [0, 1], !big) : undefined;
  process.stdout.write(
    `| ${inp.name} | ${inp.lines.toLocaleString('en-US')} | ${(inp.bytes / 1048576).toFixed(1)} | ${inp.tables.toLocaleString('en-US')} | ${cell(ours)} | ${theirs ? cell(theirs) : '–'} |\n`,
  );
}
process.stdout.write(`\n${runs} runs per row (${bigRuns} for inputs over 5 MB) after one warm-up (none for those); load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
