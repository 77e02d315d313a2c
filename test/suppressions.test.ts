/**
 * Inline suppression comments and config `ignores`: what each form covers (one statement, one line inside a
 * statement, the rest of a file), and that mistakes in them (an unknown rule, a suppression that no longer matches
 * anything) are reported instead of silently doing nothing. What the report holds is checked through the Node API
 * (the CLI's pipeline, in process); what the CLI prints and its exit codes through the built CLI.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { lint as lintApi } from '../src/index.js';
import { onlyRuleLevels } from './support/only-rules.js';
import { releaseCluster, sharedCluster } from './support/pg-cluster.js';
import { parseJsonReport, onlyRules, runCli, tempDir, writeTree, type CliOptions, type CliResult } from './support/run-cli.js';

const FK = 'foreign-key-without-index';
const key = (table: string, constraint: string) => `${FK}/public.${table}/${constraint}`;

const ORDERS_SCHEMA = [
  'CREATE TABLE customers (id bigint PRIMARY KEY);',
  'CREATE TABLE products (id bigint PRIMARY KEY);',
  `-- schema-lint-disable-next-line ${FK} -- lookups by customer are rare; reviewed 2026-01`,
  'CREATE TABLE orders (',
  '    id bigint PRIMARY KEY,',
  '    customer_id bigint REFERENCES customers (id)',
  ');',
  'CREATE TABLE order_lines (',
  '    id bigint PRIMARY KEY,',
  `    -- schema-lint-disable-next-line ${FK} -- lines are only appended`,
  '    order_id bigint REFERENCES orders (id),',
  '    product_id bigint REFERENCES products (id)',
  ');',
  '',
].join('\n');

/** The same schema without any suppression comment: what the suppressions are measured against. */
const withoutSuppressions = (sql: string) =>
  sql
    .split('\n')
    .map((line) => (line.includes('schema-lint-disable') ? '' : line))
    .join('\n');

let work: string;

/** A lint run with only foreign-key-without-index on, so the expected findings stay exact as rules are added. */
function lint(args: string[], options?: CliOptions): Promise<CliResult> {
  return runCli([...args, ...onlyRules([FK])], options);
}
let counter = 0;

function project(files: Record<string, string>): string {
  return writeTree(path.join(work, `p${++counter}`), files);
}

async function lintJson(dir: string, args: string[]): Promise<{ result: CliResult; keys: string[] }> {
  const result = await lint([...args, '--format', 'json'], { cwd: dir });
  return { result, keys: parseJsonReport(result).findings.map((f) => f.key).sort() };
}

/** The same run in process: `paths` relative to `dir`, the config searched upward from it, only the FK rule. */
async function lintReport(dir: string, paths: string[]): Promise<{ report: Awaited<ReturnType<typeof lintApi>>; keys: string[] }> {
  const report = await lintApi({ paths: paths.map((p) => path.join(dir, p)), cwd: dir, rules: onlyRuleLevels([FK]) });
  return { report, keys: report.findings.map((f) => f.key).sort() };
}

/** What exit code 0 means at the default `--fail-on error`: no finding at level error. */
function errorFindings(report: { findings: Array<{ key: string; severity: string }> }): string[] {
  return report.findings.filter((f) => f.severity === 'error').map((f) => f.key);
}

beforeAll(() => {
  work = tempDir('schema-lint-suppress-');
});

afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  await releaseCluster();
});

describe('inline suppressions', () => {
  test('before a statement it covers the whole statement; before a column line, that line only', async () => {
    const dir = project({ 'schema.sql': ORDERS_SCHEMA, 'plain.sql': withoutSuppressions(ORDERS_SCHEMA) });
    const plain = await lintReport(dir, ['plain.sql']);
    expect(plain.keys).toEqual([key('order_lines', 'order_lines_order_id_fkey'), key('order_lines', 'order_lines_product_id_fkey'), key('orders', 'orders_customer_id_fkey')]);

    const { report, keys } = await lintReport(dir, ['schema.sql']);
    expect(errorFindings(report)).toEqual([]);
    expect(keys).toEqual([key('order_lines', 'order_lines_product_id_fkey')]);
    expect(report.summary.suppressed).toBe(2);
  });

  test('the text summary says how many findings were suppressed', async () => {
    const dir = project({ 'schema.sql': ORDERS_SCHEMA });
    const result = await lint(['schema.sql'], { cwd: dir });
    expect(result.stdout).toMatch(/2 suppressed/);
  });

  test('without a rule list it covers every rule', async () => {
    const sql = ORDERS_SCHEMA.replace(`-- schema-lint-disable-next-line ${FK} -- lookups`, '-- schema-lint-disable-next-line -- lookups');
    const dir = project({ 'schema.sql': sql });
    const { keys } = await lintReport(dir, ['schema.sql']);
    expect(keys).toEqual([key('order_lines', 'order_lines_product_id_fkey')]);
  });

  test('schema-lint-disable covers the rest of its file, and only its file', async () => {
    const table = (name: string) => `CREATE TABLE ${name} (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id));`;
    const dir = project({
      '1_a.sql': ['CREATE TABLE customers (id bigint PRIMARY KEY);', table('before_it'), `-- schema-lint-disable ${FK} -- legacy tables`, table('after_it'), '', table('further_down'), ''].join('\n'),
      '2_b.sql': `${table('next_file')}\n`,
    });
    const { report, keys } = await lintReport(dir, ['.']);
    expect(keys).toEqual([key('before_it', 'before_it_customer_id_fkey'), key('next_file', 'next_file_customer_id_fkey')]);
    expect(report.summary.suppressed).toBe(2);
  });

  test('a suppression naming an unknown rule is reported, and suppresses nothing', async () => {
    const typo = 'foreign-key-without-indx';
    const sql = ORDERS_SCHEMA.replace(`-- schema-lint-disable-next-line ${FK} -- lookups`, `-- schema-lint-disable-next-line ${typo} -- lookups`);
    const dir = project({ 'schema.sql': sql });
    const { result, keys } = await lintJson(dir, ['schema.sql']);
    expect(keys).toContain(key('orders', 'orders_customer_id_fkey'));
    expect(parseJsonReport(result).diagnostics).toEqual([
      expect.objectContaining({ file: 'schema.sql', line: 3, column: 1, kind: 'suppression', message: expect.stringContaining(typo) }),
    ]);
  });

  test('an unknown rule in a suppression is shown in the default text output too', async () => {
    // Otherwise a typo silently leaves the finding in place and the author never learns why.
    const typo = 'foreign-key-without-indx';
    const sql = ORDERS_SCHEMA.replace(`-- schema-lint-disable-next-line ${FK} -- lookups`, `-- schema-lint-disable-next-line ${typo} -- lookups`);
    const dir = project({ 'schema.sql': sql });
    const result = await lint(['schema.sql'], { cwd: dir });
    expect(result.stderr).toMatch(new RegExp(`schema\\.sql:3:1: .*${typo}`));
  });

  test('--report-unused-suppressions reports one that matches nothing and exits 1', async () => {
    const sql = [
      ORDERS_SCHEMA,
      `-- schema-lint-disable-next-line ${FK} -- indexed below anyway`,
      'CREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));',
      'CREATE INDEX refunds_order_idx ON refunds (order_id);',
      '',
    ].join('\n');
    const dir = project({ 'schema.sql': sql });
    const unusedLine = sql.split('\n').findIndex((line) => line.includes('indexed below anyway')) + 1;

    const quiet = await lint(['schema.sql'], { cwd: dir });
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');

    const result = await lint(['schema.sql', '--report-unused-suppressions'], { cwd: dir });
    expect(result.code).toBe(1);
    const reported = result.stderr.split('\n').filter(Boolean);
    expect(reported).toEqual([expect.stringMatching(new RegExp(`^schema\\.sql:${unusedLine}:1: .*unused suppression`))]);
  });

  test('in live mode, suppressions in --source files apply to the findings mapped to them', async () => {
    const cluster = await sharedCluster();
    const url = await cluster.createDatabase('suppress_live');
    await cluster.query('suppress_live', withoutSuppressions(ORDERS_SCHEMA));
    const dir = project({ 'schema/orders.sql': ORDERS_SCHEMA });
    const { result, keys } = await lintJson(dir, ['--db', url, '--source', 'schema']);
    expect(result.code).toBe(0);
    expect(keys).toEqual([key('order_lines', 'order_lines_product_id_fkey')]);
  });
});

describe('config ignores', () => {
  const SCHEMA = withoutSuppressions(ORDERS_SCHEMA);
  const all = [key('order_lines', 'order_lines_order_id_fkey'), key('order_lines', 'order_lines_product_id_fkey'), key('orders', 'orders_customer_id_fkey')];

  const cases: Array<[string, Array<{ rule: string; objects: string[]; reason?: string }>, string[]]> = [
    ['an exact qualified table', [{ rule: FK, objects: ['public.orders'], reason: 'small table' }], all.filter((k) => !k.includes('/public.orders/'))],
    ['an unqualified name matches any schema', [{ rule: FK, objects: ['order_lines'] }], [key('orders', 'orders_customer_id_fkey')]],
    ['a wildcard pattern', [{ rule: FK, objects: ['public.order*'] }], []],
    ['every rule with "*"', [{ rule: '*', objects: ['*.orders'] }], all.filter((k) => !k.includes('/public.orders/'))],
    ['a pattern that matches nothing', [{ rule: FK, objects: ['audit.*'] }], all],
  ];
  for (const [what, ignores, expected] of cases) {
    test(`by rule and object pattern: ${what}`, async () => {
      const dir = project({ 'schema.sql': SCHEMA, 'schema-lint.config.json': JSON.stringify({ ignores }) });
      const { report, keys } = await lintReport(dir, ['schema.sql']);
      expect(errorFindings(report)).toEqual([]);
      expect(keys).toEqual(expected);
    });
  }
});
