#!/usr/bin/env node
/**
 * Same findings before and after a change to DDL parsing: lints every corpus entry (../shared/corpus, files in
 * `_load_order.txt` order, lemmy's `CREATE SCHEMA r;` pre-step as a one-line file), the seed review and the bench
 * inputs with a reference build and with this build — without the cache, with a cold cache and with a warm one — and
 * compares the whole JSON reports (findings, diagnostics with their locations, summary) and exit codes byte for byte.
 *
 * Usage: node bench/compare-corpus.mjs --before /tmp/before-snapshot [--extra file.sql,…]
 *   --before: a built copy of the tool to compare with (see README: "build into a folder of its own").
 * Exit 1 when any report differs (the first lines of a diff are printed).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { argValue } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const shared = process.env.SCHEMA_LINT_SHARED_DIR ?? path.resolve(root, '../shared');
const before = argValue('--before', undefined);
if (!before || !existsSync(path.join(before, 'bin', 'schema-lint.js'))) {
  process.stderr.write('usage: node bench/compare-corpus.mjs --before <built copy of the tool>\n');
  process.exit(2);
}
const work = mkdtempSync(path.join(tmpdir(), 'schema-lint-compare-corpus-'));

function corpusInputs() {
  const dir = path.join(shared, 'corpus');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => {
      const entryDir = path.join(dir, entry.name);
      const order = path.join(entryDir, '_load_order.txt');
      const files = existsSync(order)
        ? readFileSync(order, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => path.join(entryDir, l))
        : readdirSync(entryDir).filter((f) => f.endsWith('.sql')).sort().map((f) => path.join(entryDir, f));
      if (entry.name === 'lemmy') {
        const pre = path.join(work, 'lemmy-before-utils.sql');
        writeFileSync(pre, 'CREATE SCHEMA r;\n');
        const at = files.findIndex((f) => f.endsWith('replaceable_schema/utils.sql'));
        if (at >= 0) files.splice(at, 0, pre);
      }
      return { name: entry.name, files };
    });
}

const inputs = [
  ...corpusInputs(),
  { name: 'seed dba-review.sql', files: [path.join(shared, 'seed', 'dba-review.sql')] },
  ...(argValue('--extra', '') || '').split(',').filter(Boolean).map((file) => ({ name: path.basename(file), files: [file] })),
].filter((input) => input.files.every((file) => existsSync(file)));

function lint(tool, files, extra) {
  const run = spawnSync(process.execPath, [path.join(tool, 'bin', 'schema-lint.js'), 'lint', ...files, '--format', 'json', '--fail-on', 'never', '--now', '2026-12-01', ...extra], {
    cwd: work,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    env: { PATH: process.env.PATH, HOME: work },
  });
  return { code: run.status, stdout: run.stdout, verbose: (run.stderr.match(/^schema-lint: parsed .*$/m) ?? [''])[0] };
}

let failures = 0;
for (const input of inputs) {
  const cacheDir = path.join(work, 'cache');
  rmSync(cacheDir, { recursive: true, force: true });
  const reference = lint(before, input.files, []);
  const runs = {
    'no cache': lint(root, input.files, ['--no-cache']),
    'cold cache': lint(root, input.files, ['--cache-dir', cacheDir, '--verbose']),
    'warm cache': lint(root, input.files, ['--cache-dir', cacheDir, '--verbose']),
  };
  const findings = (() => {
    try {
      return JSON.parse(reference.stdout).findings.length;
    } catch {
      return '?';
    }
  })();
  const verdicts = Object.entries(runs).map(([label, run]) => {
    const same = run.code === reference.code && run.stdout === reference.stdout;
    if (!same) {
      failures++;
      const a = reference.stdout.split('\n');
      const b = run.stdout.split('\n');
      const at = a.findIndex((line, i) => line !== b[i]);
      process.stdout.write(`  ${input.name} ${label}: exit ${reference.code} → ${run.code}; first difference at report line ${at + 1}:\n    - ${a[at]}\n    + ${b[at]}\n`);
    }
    return `${label} ${same ? 'same' : 'DIFFERENT'}${run.verbose ? ` (${run.verbose.replace(/^schema-lint: /, '').replace(/ \(.*\)$/, '')})` : ''}`;
  });
  process.stdout.write(`${input.name}: ${input.files.length} files, exit ${reference.code}, ${findings} findings — ${verdicts.join('; ')}\n`);
}
rmSync(work, { recursive: true, force: true });
process.stdout.write(failures ? `${failures} reports differ\n` : `all ${inputs.length} inputs: identical reports\n`);
process.exit(failures ? 1 : 0);
