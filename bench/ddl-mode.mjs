#!/usr/bin/env node
/**
 * DDL-mode benchmark.
 *
 * 1. End to end: `node bin/schema-lint.js lint <files> --format json --fail-on never`, stdout to /dev/null, one fresh
 *    child process per run (what a CI job pays), on generated dumps of ~15,000 and ~100,000 lines and on the
 *    largest corpus entry (lemmy, 237 files in `_load_order.txt` order). Baselines isolate start-up: bare `node`,
 *    and the CLI on a one-statement file (module loading + WASM + config + yargs, no real work).
 * 2. In-process split, again one fresh child process per run so every phase is measured cold, as in the CLI:
 *    module imports (libpg-query instantiates its WASM at import) → parse (parseSqlFile per file) → model build
 *    (DdlModelBuilder.applyFile + resolveForeignKeys, i.e. the rest of buildModelFromSql) → each rule alone
 *    (runRules with that one rule) → JSON report. Then, warm: raw parseSync of each file and the JSON.parse share
 *    of it, and buildModelFromSql as a whole (checked to give the same model as the split).
 *
 * Usage: node bench/ddl-mode.mjs [--runs 5] [--sizes 15000,100000] [--no-corpus] [--no-cli] [--no-split]
 * Needs `npx tsc -p tsconfig.json` first (reads dist/).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateDdl } from './generate-ddl.mjs';
import { argValue, median, ms } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
// A built copy to measure instead of this tree's dist/ (a stable snapshot while others rebuild dist/): a folder with
// bin/, dist/, package.json and node_modules/. The corpus is still found next to this repository.
const target = path.resolve(process.env.SCHEMA_LINT_BENCH_ROOT ?? root);
const dist = path.join(target, 'dist');
const cli = path.join(target, 'bin', 'schema-lint.js');
// Every run parses (the parse cache would make all runs after the first warm ones; bench/cache.mjs measures it).
// SCHEMA_LINT_BENCH_CACHE=1 leaves the cache on, for builds older than the cache (which reject --no-cache).
const NO_CACHE = process.env.SCHEMA_LINT_BENCH_CACHE ? [] : ['--no-cache'];
const workDir = path.join(tmpdir(), 'schema-lint-bench');

// ---------- helpers ----------



function countLines(text) {
  let n = 0;
  for (let k = text.indexOf('\n'); k !== -1; k = text.indexOf('\n', k + 1)) n++;
  return n;
}

/** The lemmy corpus as the test suite loads it: files in `_load_order.txt` order, `CREATE SCHEMA r;` before utils.sql. */
function lemmyInput() {
  const dir = path.resolve(root, process.env.SCHEMA_LINT_SHARED_DIR ?? '../shared', 'corpus', 'lemmy');
  const order = path.join(dir, '_load_order.txt');
  if (!existsSync(order)) return undefined;
  const files = readFileSync(order, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => path.join(dir, l));
  // The CLI takes only files, so the pre-step becomes a one-line file in the same position.
  const before = path.join(workDir, 'lemmy-create-schema-r.sql');
  writeFileSync(before, 'CREATE SCHEMA r;\n');
  const utils = path.join(dir, 'crates/db_schema/replaceable_schema/utils.sql');
  const withBefore = files.flatMap((f) => (f === utils ? [before, f] : [f]));
  const lines = withBefore.reduce((n, f) => n + countLines(readFileSync(f, 'utf8')), 0);
  return { name: `lemmy corpus (${withBefore.length} files)`, files: withBefore, lines };
}

function generatedInput(lines) {
  const file = path.join(workDir, `generated-${lines}.sql`);
  const text = generateDdl(lines);
  writeFileSync(file, text);
  return { name: `generated ${countLines(text).toLocaleString('en-US')} lines`, files: [file], lines: countLines(text), bytes: Buffer.byteLength(text) };
}

/** Wall time of one child process; stdout goes to /dev/null like `> /dev/null` would. */
function timeChild(args, expectStatus = [0]) {
  const devNull = openSync('/dev/null', 'w');
  try {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { stdio: ['ignore', devNull, 'pipe'], cwd: workDir, maxBuffer: 64 << 20 }); // no schema-lint.config.json up from there: defaults only
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    if (!expectStatus.includes(result.status)) {
      throw new Error(`${args.join(' ')} exited ${result.status}: ${String(result.stderr).slice(0, 2000)}`);
    }
    return elapsed;
  } finally {
    closeSync(devNull);
  }
}

function repeat(runs, fn) {
  fn(); // warm-up: page cache, not counted
  const times = [];
  for (let i = 0; i < runs; i++) times.push(fn());
  return { median: median(times), min: Math.min(...times), max: Math.max(...times), runs: times };
}

// ---------- split worker (runs in its own process) ----------

async function splitWorker(files) {
  const t = {};
  let mark = performance.now();
  const lap = (name) => {
    const now = performance.now();
    t[name] = now - mark;
    mark = now;
  };
  const imp = (rel) => import(pathToFileURL(path.join(dist, rel)).href);
  const { loadParser } = await imp('src/sql/parser.js');
  const { parseSqlFile } = await imp('src/sources/ddl/parse-file.js');
  const { DdlModelBuilder } = await imp('src/sources/ddl/builder.js');
  const { applyStatement } = await imp('src/sources/ddl/statements.js');
  const { resolveForeignKeys } = await imp('src/sources/ddl/tables.js');
  const { buildModelFromSql } = await imp('src/sources/ddl/load-ddl.js');
  const { runRules, enabledRules } = await imp('src/engine/run-rules.js');
  const { emptyConfig } = await imp('src/engine/config.js');
  const { renderJson } = await imp('src/report/json.js');
  const { summarize } = await imp('src/report/summary.js');
  const { allRules } = await imp('rules/index.js');
  lap('imports');
  await loadParser();
  lap('wasmReady');

  const sources = files.map((file) => ({ file, text: readFileSync(file, 'utf8') }));
  lap('read');
  const parsed = sources.map((s) => parseSqlFile(s.file, s.text));
  lap('parse');
  const builder = new DdlModelBuilder(sources.map((s) => s.file));
  for (const p of parsed) builder.applyFile(p, applyStatement);
  resolveForeignKeys(builder);
  lap('build');

  const config = emptyConfig();
  const ctx = { now: new Date('2025-06-01T00:00:00Z'), live: false };
  const perRule = {};
  const findings = [];
  for (const enabled of enabledRules(allRules, config, {})) {
    const start = performance.now();
    findings.push(...runRules(builder.model, [enabled], config, ctx));
    perRule[enabled.rule.id] = performance.now() - start;
  }
  lap('rules');
  const diagnostics = [...parsed.flatMap((p) => p.diagnostics), ...builder.diagnostics];
  const report = renderJson({ toolVersion: 'bench', findings, diagnostics, summary: summarize(findings, { filesLinted: files.length, syntaxErrors: 0, suppressed: 0 }) });
  lap('report');

  // Warm measurements, after the cold phases above.
  const { parseSync } = await import('libpg-query');
  let rawParse = 0;
  let jsonParse = 0;
  for (const { text } of sources) {
    if (text.length === 0) continue;
    let start = performance.now();
    const tree = parseSync(text);
    rawParse += performance.now() - start;
    const json = JSON.stringify(tree);
    start = performance.now();
    JSON.parse(json);
    jsonParse += performance.now() - start;
  }
  let start = performance.now();
  const whole = buildModelFromSql(sources);
  const buildModelWarm = performance.now() - start;
  if (whole.model.tables.size !== builder.model.tables.size || whole.model.indexes.size !== builder.model.indexes.size) {
    throw new Error('split build and buildModelFromSql disagree: the split no longer mirrors load-ddl.ts');
  }
  const statements = parsed.reduce((n, p) => n + p.statements.length, 0);
  process.stdout.write(
    JSON.stringify({
      ...t,
      perRule,
      warm: { parseSyncTotal: rawParse, jsonParseShare: jsonParse, buildModelFromSql: buildModelWarm },
      counts: {
        statements,
        tables: builder.model.tables.size,
        indexes: builder.model.indexes.size,
        findings: findings.length,
        reportBytes: report.length,
      },
    }),
  );
}

function runSplit(files, runs) {
  const results = [];
  for (let i = 0; i < runs; i++) {
    const listFile = path.join(workDir, 'split-files.json');
    writeFileSync(listFile, JSON.stringify(files));
    const result = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--split-worker', listFile], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    if (result.status !== 0) throw new Error(`split worker failed: ${result.stderr}`);
    results.push(JSON.parse(result.stdout));
  }
  const phase = (get) => median(results.map(get));
  const rules = Object.keys(results[0].perRule);
  return {
    imports: phase((r) => r.imports + r.wasmReady),
    read: phase((r) => r.read),
    parse: phase((r) => r.parse),
    build: phase((r) => r.build),
    rules: phase((r) => r.rules),
    perRule: Object.fromEntries(rules.map((id) => [id, phase((r) => r.perRule[id])])),
    report: phase((r) => r.report),
    warm: {
      parseSyncTotal: phase((r) => r.warm.parseSyncTotal),
      jsonParseShare: phase((r) => r.warm.jsonParseShare),
      buildModelFromSql: phase((r) => r.warm.buildModelFromSql),
    },
    counts: results[0].counts,
  };
}

// ---------- main ----------

async function main() {
  if (process.argv[2] === '--split-worker') {
    await splitWorker(JSON.parse(readFileSync(process.argv[3], 'utf8')));
    return;
  }
  if (!existsSync(path.join(dist, 'src', 'cli', 'main.js'))) throw new Error('dist/ missing: run npx tsc -p tsconfig.json first');
  mkdirSync(workDir, { recursive: true });
  const runs = Number(argValue('--runs', '5'));
  const sizes = argValue('--sizes', '15000,100000').split(',').filter(Boolean).map(Number);
  const inputs = sizes.map(generatedInput);
  if (!process.argv.includes('--no-corpus')) {
    const lemmy = lemmyInput();
    if (lemmy) inputs.push(lemmy);
    else console.log('(lemmy corpus not found: skipped)');
  }

  console.log(`node ${process.version}, ${runs} runs each (+1 warm-up), medians in ms\n`);

  if (!process.argv.includes('--no-cli')) {
    const tiny = path.join(workDir, 'tiny.sql');
    writeFileSync(tiny, 'CREATE TABLE t (id int PRIMARY KEY);\n');
    const rows = [
      ['node -e 0 (bare Node start-up)', repeat(runs, () => timeChild(['-e', '0'])), '-'],
      ['CLI on a 1-line file (start-up + module load + WASM)', repeat(runs, () => timeChild([cli, 'lint', tiny, '--format', 'json', '--fail-on', 'never', ...NO_CACHE])), 1],
    ];
    for (const input of inputs) {
      const time = repeat(runs, () => timeChild([cli, 'lint', ...input.files, '--format', 'json', '--fail-on', 'never', ...NO_CACHE]));
      rows.push([input.name, time, input.lines]);
    }
    console.log('## End to end (CLI, --format json > /dev/null)\n');
    console.log('| input | lines | median ms | min ms | max ms |\n|---|---:|---:|---:|---:|');
    for (const [name, t, lines] of rows) console.log(`| ${name} | ${lines.toLocaleString?.('en-US') ?? lines} | ${ms(t.median)} | ${ms(t.min)} | ${ms(t.max)} |`);
    console.log();
  }

  if (!process.argv.includes('--no-split')) {
    console.log('## In-process split (fresh process per run, cold phases; medians)\n');
    const splits = inputs.map((input) => [input, runSplit(input.files, runs)]);
    const ruleIds = Object.keys(splits[0][1].perRule);
    const header = ['phase', ...splits.map(([input]) => input.name)];
    const line = (label, get) => `| ${label} | ${splits.map(([, s]) => ms(get(s))).join(' | ')} |`;
    console.log(`| ${header.join(' | ')} |\n|---|${splits.map(() => '---:').join('|')}|`);
    console.log(line('module imports + WASM instantiate', (s) => s.imports));
    console.log(line('read files', (s) => s.read));
    console.log(line('parse (parseSqlFile)', (s) => s.parse));
    console.log(line('model build (applyStatement + resolveForeignKeys)', (s) => s.build));
    console.log(line('rules (all)', (s) => s.rules));
    for (const id of ruleIds) console.log(line(`&nbsp;&nbsp;${id}`, (s) => s.perRule[id]));
    console.log(line('JSON report', (s) => s.report));
    console.log(line('warm: raw parseSync of the files', (s) => s.warm.parseSyncTotal));
    console.log(line('warm: of which JSON.parse (approx.)', (s) => s.warm.jsonParseShare));
    console.log(line('warm: buildModelFromSql (parse + build)', (s) => s.warm.buildModelFromSql));
    console.log(`| statements / tables / indexes / findings | ${splits.map(([, s]) => `${s.counts.statements} / ${s.counts.tables} / ${s.counts.indexes} / ${s.counts.findings}`).join(' | ')} |`);
  }
}

await main();
