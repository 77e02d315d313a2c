#!/usr/bin/env node
/**
 * The parse cache and statement skipping (issue 12), whole CLI runs: a reference build ("before") beside this one
 * without the cache, with a cold cache (an empty folder each run: parse + write the entries) and with a warm one
 * (every file read from the cache), on the Rails-style structure.sql, the generated 10 MB dump and a migration folder
 * re-linted after a one-file change (lemmy's 236 files; one file touched between runs).
 *
 * Each run is a fresh process under `/usr/bin/time` (peak RSS, CPU user+sys), stdout to /dev/null, medians.
 * Usage: node bench/cache.mjs --before <built copy> [--after <built copy, default this checkout>] [--runs 5]
 *        [--rows rails,10mb,lemmy] [--configs before,off,cold,warm]
 * Inputs are those of compare.mjs ($TMPDIR/schema-lint-bench-compare; run it once to write them).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { argValue, median } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const before = argValue('--before', undefined);
const after = path.resolve(argValue('--after', path.resolve(here, '..')));
const runs = Number(argValue('--runs', '5'));
const rows = argValue('--rows', 'rails,10mb,lemmy').split(',');
const configs = argValue('--configs', 'before,off,cold,warm').split(',');
const inputDir = path.join(tmpdir(), 'schema-lint-bench-compare');
const work = mkdtempSync(path.join(tmpdir(), 'schema-lint-bench-cache-'));
const shared = process.env.SCHEMA_LINT_SHARED_DIR ?? path.resolve(here, '../../shared');

function lemmyFiles() {
  const dir = path.join(shared, 'corpus', 'lemmy');
  const files = readFileSync(path.join(dir, '_load_order.txt'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => path.join(dir, l));
  // A private copy: one file is changed between runs.
  const copy = path.join(work, 'lemmy');
  const copied = files.map((file, i) => {
    const target = path.join(copy, `${String(i).padStart(4, '0')}_${path.basename(file)}`);
    return { target, text: readFileSync(file, 'utf8') };
  });
  spawnSync('mkdir', ['-p', copy]);
  const pre = path.join(copy, '0000_pre.sql');
  writeFileSync(pre, 'CREATE SCHEMA r;\n');
  for (const { target, text } of copied) writeFileSync(target, text);
  const at = copied.findIndex((c) => c.target.endsWith('utils.sql'));
  const ordered = copied.map((c) => c.target);
  ordered.splice(at, 0, pre);
  return ordered;
}

const inputs = {
  rails: () => ({ name: 'Rails-style structure.sql (15,346 lines)', files: [path.join(inputDir, 'rails-15315.sql')] }),
  '10mb': () => ({ name: 'generated 10 MB dump', files: [path.join(inputDir, 'generated-10mb.sql')] }),
  lemmy: () => ({ name: 'lemmy migrations (237 files), one file changed before each run', files: lemmyFiles(), touch: true }),
};

function measure(tool, args) {
  const devNull = openSync('/dev/null', 'w');
  const timeFile = path.join(work, 'time.txt');
  try {
    const start = process.hrtime.bigint();
    const result = spawnSync('/usr/bin/time', ['-f', '%M %U %S', '-o', timeFile, process.execPath, path.join(tool, 'bin', 'schema-lint.js'), ...args], {
      stdio: ['ignore', devNull, 'pipe'],
      cwd: work,
      env: { PATH: process.env.PATH, HOME: work },
    });
    const wall = Number(process.hrtime.bigint() - start) / 1e6;
    const lines = readFileSync(timeFile, 'utf8').trim().split('\n');
    const [kib, user, sys] = lines[lines.length - 1].split(' ').map(Number);
    if (result.status !== 0) throw new Error(`exit ${result.status}: ${String(result.stderr).slice(0, 300)}`);
    return { wall, cpu: (user + sys) * 1000, rss: kib / 1024 };
  } finally {
    closeSync(devNull);
  }
}

const fmt = (x) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);
process.stdout.write(`load average at start: ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
process.stdout.write('| input | build | median wall (min) | median CPU user+sys | median peak RSS |\n|---|---|---:|---:|---:|\n');
for (const row of rows) {
  const input = inputs[row]();
  if (!input.files.every((f) => existsSync(f))) {
    process.stdout.write(`| ${input.name} | missing input (run bench/compare.mjs once) | | | |\n`);
    continue;
  }
  let touches = 0;
  const touch = () => {
    if (!input.touch) return;
    // A new statement at the end of one file in the middle of the folder: its text (and key) changes.
    const file = input.files[Math.floor(input.files.length / 2)];
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n-- touched ${++touches}\nCREATE TABLE bench_touch_${touches} (id bigint);\n`);
  };
  for (const config of configs) {
    if (config === 'before' && !before) continue;
    const tool = config === 'before' ? before : after;
    const common = ['lint', ...input.files, '--format', 'json', '--fail-on', 'never'];
    const cacheDir = path.join(work, `cache-${row}`);
    const argsFor = () => {
      if (config === 'before') return common;
      if (config === 'off') return [...common, '--no-cache'];
      if (config === 'cold') rmSync(cacheDir, { recursive: true, force: true });
      return [...common, '--cache-dir', cacheDir];
    };
    if (config === 'warm') {
      rmSync(cacheDir, { recursive: true, force: true });
      measure(tool, argsFor()); // fills the cache
    }
    const all = [];
    for (let i = 0; i < runs; i++) {
      touch();
      const args = argsFor();
      all.push(measure(tool, args));
    }
    const label = { before: 'before (reference build)', off: 'after, --no-cache', cold: 'after, cold cache', warm: input.touch ? 'after, warm cache (1 file changed)' : 'after, warm cache' }[config];
    process.stdout.write(
      `| ${input.name} | ${label} | ${fmt(median(all.map((r) => r.wall)))} (${fmt(Math.min(...all.map((r) => r.wall)))}) | ${fmt(median(all.map((r) => r.cpu)))} | ${median(all.map((r) => r.rss)).toFixed(0)} MiB |\n`,
    );
  }
}
process.stdout.write(`load average at end: ${loadavg().map((x) => x.toFixed(1)).join(' ')}; ${runs} runs each\n`);
rmSync(work, { recursive: true, force: true });
