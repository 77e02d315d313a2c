/**
 * Baselines through the CLI: `--write-baseline` records today's findings as sorted, stable JSON (it is committed and
 * reviewed as a diff), and `--baseline` reports and fails only on findings that are new since, while saying how many
 * were held back and how many baseline entries are fixed now.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseJsonReport, onlyRules, runCli, tempDir, writeTree, type CliOptions, type CliResult } from './support/run-cli.js';

const FK = 'foreign-key-without-index';
const key = (table: string) => `${FK}/public.${table}/${table}_customer_id_fkey`;
const table = (name: string) => `CREATE TABLE ${name} (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id));`;

/** Tables created in an order unlike their names' order, so a sorted baseline is not sorted by accident. */
const LEGACY = ['CREATE TABLE customers (id bigint PRIMARY KEY);', table('zeta_orders'), table('alpha_invoices'), table('mid_payments'), ''].join('\n');

let work: string;

/** A lint run with only foreign-key-without-index on, so the expected findings stay exact as rules are added. */
function lint(args: string[], options?: CliOptions): Promise<CliResult> {
  return runCli([...args, ...onlyRules([FK])], options);
}
let counter = 0;

function project(files: Record<string, string>): string {
  return writeTree(path.join(work, `p${++counter}`), files);
}

beforeAll(() => {
  work = tempDir('schema-lint-baseline-');
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('--write-baseline', () => {
  test('writes the finding keys sorted, identically on every run', async () => {
    const dir = project({ 'migrations/1_legacy.sql': LEGACY });
    const first = await lint(['migrations', '--write-baseline', 'b1.json'], { cwd: dir });
    await lint(['migrations', '--write-baseline', 'b2.json'], { cwd: dir });
    expect(first.stderr).toBe('');
    const text = readFileSync(path.join(dir, 'b1.json'), 'utf8');
    expect(readFileSync(path.join(dir, 'b2.json'), 'utf8')).toBe(text);
    const baseline = JSON.parse(text) as { version: number; findings: Array<{ key: string; ruleId: string }> };
    expect(baseline.version).toBe(1);
    const keys = baseline.findings.map((f) => f.key);
    expect(keys).toEqual([key('alpha_invoices'), key('mid_payments'), key('zeta_orders')]);
    expect(baseline.findings.every((f) => f.ruleId === FK)).toBe(true);
    // One entry per line, so adding or fixing a finding is a one-line diff.
    expect(text.split('\n').filter((line) => line.includes('"key"'))).toHaveLength(3);
    // The report itself is still printed while the baseline is written.
    expect(first.stdout).toMatch(/zeta_orders_customer_id_fkey/);
  });

  test('writes an empty baseline when there is nothing to record', async () => {
    const dir = project({ 'a.sql': 'CREATE TABLE customers (id bigint PRIMARY KEY);\n' });
    const result = await lint(['a.sql', '--write-baseline', 'b.json'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(dir, 'b.json'), 'utf8'))).toEqual({ version: 1, findings: [] });
  });
});

describe('--baseline', () => {
  async function withBaseline(migrations: Record<string, string>) {
    const dir = project({ 'migrations/1_legacy.sql': LEGACY });
    const written = await lint(['migrations', '--write-baseline', 'baseline.json'], { cwd: dir });
    expect(written.stderr).toBe('');
    writeTree(path.join(dir, 'migrations'), migrations);
    return dir;
  }

  test('with nothing new: no finding, exit 0 even at --fail-on warning, all counted as baselined', async () => {
    const dir = await withBaseline({});
    const result = await lint(['migrations', '--baseline', 'baseline.json', '--fail-on', 'warning', '--format', 'json'], { cwd: dir });
    expect(result.code).toBe(0);
    const report = parseJsonReport(result);
    expect(report.findings).toEqual([]);
    expect(report.summary).toMatchObject({ findings: 0, baselined: 3, fixedSinceBaseline: 0 });
  });

  test('after a new FK and a fixed one: only the new finding, the exit code follows it, the summary counts both', async () => {
    const dir = await withBaseline({
      '2_new.sql': `${table('new_refunds')}\nCREATE INDEX mid_payments_customer_idx ON mid_payments (customer_id);\n`,
    });
    const args = ['migrations', '--baseline', 'baseline.json', '--fail-on', 'warning'];
    const json = await lint([...args, '--format', 'json'], { cwd: dir });
    expect(json.code).toBe(1);
    const report = parseJsonReport(json);
    expect(report.findings.map((f) => f.key)).toEqual([key('new_refunds')]);
    expect(report.summary).toMatchObject({ findings: 1, baselined: 2, fixedSinceBaseline: 1 });

    const text = await lint(args, { cwd: dir });
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/2 in the baseline/);
    expect(text.stdout).toMatch(/1 baseline entr(y|ies) now fixed/);
    expect(text.stdout).not.toMatch(/zeta_orders/);

    // At the default --fail-on error the new warning does not fail the run.
    expect((await lint(['migrations', '--baseline', 'baseline.json'], { cwd: dir })).code).toBe(0);
  });

  test('a fix script written with a baseline fixes only the new findings', async () => {
    const dir = await withBaseline({ '2_new.sql': `${table('new_refunds')}\n` });
    const result = await lint(['migrations', '--baseline', 'baseline.json', '--fix-sql', 'fix.sql'], { cwd: dir });
    expect(result.code).toBe(0);
    const script = readFileSync(path.join(dir, 'fix.sql'), 'utf8');
    expect(script).toMatch(/ON public\.new_refunds \(customer_id\)/);
    expect(script).not.toMatch(/zeta_orders|alpha_invoices|mid_payments/);
  });

  const broken: Array<[string, string | undefined]> = [
    ['not JSON', '{"version": 1, "findings": ['],
    ['JSON of another shape', '{"keys": ["a"]}'],
    ['a missing file', undefined],
  ];
  for (const [what, content] of broken) {
    test(`a baseline that is ${what}: exit 2, one line naming the file`, async () => {
      const dir = project({ 'a.sql': LEGACY });
      if (content !== undefined) writeFileSync(path.join(dir, 'bad.json'), content);
      const result = await lint(['a.sql', '--baseline', 'bad.json', '--output', 'report.txt'], { cwd: dir });
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining('bad.json')]);
      expect(result.stdout).toBe('');
    });
  }
});
