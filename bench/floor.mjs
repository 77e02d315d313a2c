#!/usr/bin/env node
/**
 * How close the small rows of issue 12's table can come to squawk in this stack: what a run costs once Node and
 * V8 have nothing left to warm up, beside what squawk's own parts cost.
 *
 * For each input (the one-statement file and the 15,346-line Rails structure.sql of compare.mjs):
 *   - `node -e 0`: Node's start, which every schema-lint run pays;
 *   - squawk as npm installs it (a Node launcher that spawns the binary: what compare.mjs measures) and its native
 *     binary alone;
 *   - schema-lint in one process: `lint()` then `renderJson()`, no parse cache, run 15 times; the first run is the
 *     cold one (code compiled and the parser's WebAssembly too), the median of the last 5 is the warm floor (V8's
 *     optimising compilers done). A fresh process per series, 3 series.
 *
 * Usage: node bench/floor.mjs [--runs 5]   (needs `npm run build`; squawk from `npm install --prefix bench/squawk`)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateRailsStructure } from './generate-rails-structure.mjs';
import { argValue, median } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const ITERATIONS = 15;
const WARM_TAIL = 5;

if (process.argv[2] === '--child') {
  // One series in this process: the cold run, then the warm ones.
  const { lint, renderJson } = await import(pathToFileURL(path.resolve(here, '..', 'dist', 'src', 'index.js')).href);
  const times = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const start = performance.now();
    const report = await lint({ paths: [process.argv[3]], config: false });
    if (renderJson(report).length === 0) throw new Error('empty report');
    times.push(performance.now() - start);
  }
  process.stdout.write(JSON.stringify(times));
  process.exit(0);
}

const runs = Number(argValue('--runs', '5'));
const workDir = path.join(tmpdir(), 'schema-lint-bench-compare');
mkdirSync(workDir, { recursive: true });
const inputs = [
  ['one statement', path.join(workDir, 'one.sql'), () => 'CREATE TABLE t (id bigint PRIMARY KEY);\n'],
  ['Rails-style structure.sql, 15,346 lines', path.join(workDir, 'rails-15315.sql'), () => generateRailsStructure(15315)],
];
for (const [, file, make] of inputs) if (!existsSync(file)) writeFileSync(file, make());

const squawkNpm = path.join(here, 'squawk', 'node_modules', '.bin', 'squawk');
const squawkNative = path.join(here, 'squawk', 'node_modules', '@squawk-cli', `${process.platform}-${process.arch}`, 'bin', 'squawk');

/** Median wall ms of `runs` fresh processes (after one warm-up), stdout discarded. */
function wall(command, args) {
  spawnSync(command, args, { stdio: 'ignore' });
  const all = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    spawnSync(command, args, { stdio: 'ignore' });
    all.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(all);
}

const fmt = (x) => `${x.toFixed(0)} ms`;
process.stdout.write(`node -e 0: ${fmt(wall(process.execPath, ['-e', '0']))}\n\n`);
process.stdout.write('| input | squawk (npm launcher) | squawk binary alone | schema-lint in process: first run | warm (median of last 5 of 15) |\n|---|---:|---:|---:|---:|\n');
for (const [name, file] of inputs) {
  const npm = existsSync(squawkNpm) ? fmt(wall(squawkNpm, ['--reporter', 'json', file])) : 'not installed';
  const native = existsSync(squawkNative) ? fmt(wall(squawkNative, ['--reporter', 'json', file])) : 'not installed';
  const series = [];
  for (let s = 0; s < 3; s++) {
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (child.status !== 0) throw new Error(`in-process series failed: ${child.stderr.slice(0, 400)}`);
    series.push(JSON.parse(child.stdout));
  }
  const first = median(series.map((t) => t[0]));
  const warm = median(series.flatMap((t) => t.slice(-WARM_TAIL)));
  process.stdout.write(`| ${name} | ${npm} | ${native} | ${fmt(first)} | ${fmt(warm)} |\n`);
}
