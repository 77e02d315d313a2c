/**
 * What a new user meets on the command line, through the built CLI as a child process: help, rule listings, input
 * handling (folders in natural order, globs, syntax errors, psql meta-commands, non-ASCII text), report formats,
 * exit codes, config discovery and validation, and live-mode connection failures that must never leak a password.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { allRules } from '../rules/index.js';
import { releaseCluster, sharedCluster, type Cluster } from './support/pg-cluster.js';
import { onlyRules, parseJsonReport, runCli, tempDir, writeTree, type CliOptions, type CliResult } from './support/run-cli.js';
import { validateSarifSchema } from './support/sarif-validate.js';
import { repoRoot } from './support/fixtures.js';
import { parseReport } from './support/json-report.js';

const FK = 'foreign-key-without-index';

const CUSTOMERS = 'CREATE TABLE customers (id bigint PRIMARY KEY);';
const ORDERS = 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id));';
/** One FK without an index: one `foreign-key-without-index` finding (default level warning). */
const ONE_FINDING = `${CUSTOMERS}\n${ORDERS}\n`;
const NO_FINDING = `${CUSTOMERS}\n${ORDERS}\nCREATE INDEX orders_customer_idx ON orders (customer_id);\n`;

let work: string;

/** A lint run with only foreign-key-without-index on: these tests are about the CLI, told through one rule's findings. */
function lint(args: string[], options?: CliOptions): Promise<CliResult> {
  return runCli([...args, ...onlyRules([FK])], options);
}

/** A fresh folder for one test, under this file's workspace. */
function scratch(name: string, files: Record<string, string> = {}): string {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  return writeTree(dir, files);
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

/** A run that stopped: exit 2, exactly one line on stderr, nothing that looks like a stack trace. */
function expectOneLineFailure(result: CliResult): string {
  expect(result.code).toBe(2);
  expect(lines(result.stderr)).toHaveLength(1);
  expect(result.stderr).not.toMatch(/\n\s+at .+[:(]\d+/);
  expect(result.stderr).not.toMatch(/internal error/);
  return result.stderr.trim();
}

function keysOf(result: CliResult): string[] {
  return parseJsonReport(result).findings.map((f) => f.key);
}

beforeAll(() => {
  work = tempDir('schema-lint-cli-test-');
});

afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  await releaseCluster();
});

describe('help, version, rules, explain', () => {
  test('--help prints usage and exits 0', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/schema-lint/);
    expect(result.stdout).toMatch(/--fix-sql/);
    expect(result.stdout).toMatch(/Exit codes/);
  });

  test('--version prints the package version and exits 0', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(pkg.version);
  });

  test('rules lists every registered rule with its default level', async () => {
    const result = await runCli(['rules']);
    expect(result.code).toBe(0);
    for (const rule of allRules) {
      const level = rule.optIn ? `\\(${rule.defaultSeverity}\\)` : rule.defaultSeverity;
      expect(result.stdout).toMatch(new RegExp(`^${rule.id}\\s+(both|live)\\s+${level}\\s+\\S`, 'm'));
    }
    // A header, a line per rule, and the legend for opt-in rules.
    expect(lines(result.stdout)).toHaveLength(allRules.length + (allRules.some((rule) => rule.optIn) ? 2 : 1));
  });

  test('rules --format json lists every registered rule', async () => {
    const result = await runCli(['rules', '--format', 'json']);
    expect(result.code).toBe(0);
    const listed = JSON.parse(result.stdout) as Array<{ id: string; defaultSeverity: string; summary: string }>;
    expect(listed.map((r) => r.id)).toEqual(allRules.map((r) => r.id));
    for (const entry of listed) expect(entry.summary.length).toBeGreaterThan(0);
  });

  test('rules shows every rule with its mode, default level and fix levels', async () => {
    const text = await runCli(['rules']);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')[0]).toMatch(/^rule +mode +default +fix +summary$/);
    expect(text.stdout).toMatch(/^high-churn-table-default-autovacuum +live +warning +safe +/m);
    expect(text.stdout).toMatch(/^trigger-function-uses-new-on-delete +both +warning +- +/m);
    expect(text.stdout).toMatch(/^duplicate-index +both +warning +review +/m);
    const json = JSON.parse((await runCli(['rules', '--format', 'json'])).stdout) as Array<{ id: string; mode: string; fix: string[] }>;
    for (const entry of json) {
      const rule = allRules.find((r) => r.id === entry.id)!;
      expect(entry.mode).toBe(rule.mode ?? 'both');
      expect(entry.fix).toEqual(rule.fixSafety ?? []);
    }
  });

  test('explain shows the rule, its examples and its fix', async () => {
    const result = await runCli(['explain', FK]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^${FK} \\(default: warning\\)`));
    expect(result.stdout).toMatch(/^Bad: /m);
    expect(result.stdout).toMatch(/^Good: /m);
    expect(result.stdout).toMatch(/^Fix: /m);
  });

  test('explain of an unknown rule: exit 2, one line', async () => {
    const message = expectOneLineFailure(await runCli(['explain', 'nope']));
    expect(message).toMatch(/nope/);
  });

  test('an unknown option: exit 2, one line, no stack trace', async () => {
    const message = expectOneLineFailure(await runCli(['--frobnicate', 'x.sql']));
    expect(message).toMatch(/frobnicate/);
  });
});

describe('inputs', () => {
  test('a missing file: exit 2, the message names the path', async () => {
    const dir = scratch('missing');
    const message = expectOneLineFailure(await lint(['does/not/exist.sql'], { cwd: dir }));
    expect(message).toContain('does/not/exist.sql');
  });

  test('a folder is applied in natural order (2_x before 10_x)', async () => {
    // 10_x drops the index that 2_x creates: in natural order the FK ends up unindexed; in text order (10_x first)
    // the DROP would come before the index exists, and the FK would stay covered.
    const dir = scratch('natural', {
      'migrations/2_x.sql': NO_FINDING,
      'migrations/10_x.sql': 'DROP INDEX orders_customer_idx;\n',
    });
    const inOrder = await lint(['migrations', '--format', 'json'], { cwd: dir });
    expect(keysOf(inOrder)).toEqual([`${FK}/public.orders/orders_customer_id_fkey`]);
    expect(parseJsonReport(inOrder).summary.filesLinted).toBe(2);
    const reversed = await lint(['migrations/10_x.sql', 'migrations/2_x.sql', '--format', 'json'], { cwd: dir });
    expect(keysOf(reversed)).toEqual([]);
  });

  test('a glob expands to its matches in natural order', async () => {
    const dir = scratch('glob', {
      'db/2_x.sql': ONE_FINDING,
      'db/10_x.sql': 'CREATE INDEX orders_customer_idx ON orders (customer_id);\n',
      'db/notes.txt': 'not sql',
      'other/3_y.sql': 'CREATE TABLE payments (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));\n',
    });
    const result = await lint(['db/*.sql', '--format', 'json'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(keysOf(result)).toEqual([]);
    expect(parseJsonReport(result).summary.filesLinted).toBe(2);
    const nothing = await lint(['db/*.nothing'], { cwd: dir });
    expect(expectOneLineFailure(nothing)).toContain('db/*.nothing');
  });

  const SYNTAX_FILE = [
    CUSTOMERS,
    ORDERS,
    'CREATE TABLE broken (id bigint,, x int);',
    'CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));',
    '',
  ].join('\n');

  test('a syntax error in the middle: file:line:column on stderr, the rest still linted, exit 2, no files written', async () => {
    const dir = scratch('syntax', { 'schema.sql': SYNTAX_FILE });
    const result = await lint(['schema.sql', '--fix-sql', 'fix.sql'], { cwd: dir });
    expect(result.code).toBe(2);
    const column = 'CREATE TABLE broken (id bigint,'.length + 1;
    expect(result.stderr).toMatch(new RegExp(`^schema\\.sql:3:${column}: syntax error: .+`, 'm'));
    expect(result.stdout).toContain('orders_customer_id_fkey');
    expect(result.stdout).toContain('items_order_id_fkey');
    expect(existsSync(path.join(dir, 'fix.sql'))).toBe(false);

    const withOutput = await lint(['schema.sql', '--format', 'json', '--output', 'report.json', '--fix-sql', 'fix.sql'], { cwd: dir });
    expect(withOutput.code).toBe(2);
    expect(readdirSync(dir).sort()).toEqual(['schema.sql']);
  });

  test('findings after a syntax error keep their real positions', async () => {
    const dir = scratch('syntax-positions', { 'schema.sql': SYNTAX_FILE });
    const result = await lint(['schema.sql'], { cwd: dir });
    const text = SYNTAX_FILE.split('\n');
    const at = (line: number) => `${line}:${text[line - 1].indexOf('REFERENCES') + 1}`;
    // The same statements without the broken one, as the reference for where each finding belongs.
    expect(result.stdout).toMatch(new RegExp(`^\\s+${at(2)}\\s+warning\\s+public\\.orders: foreign key orders_customer_id_fkey`, 'm'));
    expect(result.stdout).toMatch(new RegExp(`^\\s+${at(4)}\\s+warning\\s+public\\.items: foreign key items_order_id_fkey`, 'm'));
  });

  test('non-ASCII comments before a statement: columns count UTF-16 code units', async () => {
    const line3 = '/* é 🎉 déjà */ CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id));';
    const sql = `-- Ça coûte 🎉🎉 cher\n${CUSTOMERS}\n${line3}\n`;
    const dir = scratch('utf16', { 'u.sql': sql });
    const report = parseJsonReport(await lint(['u.sql', '--format', 'json'], { cwd: dir }));
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0].origin).toMatchObject({ file: 'u.sql', line: 3, column: line3.indexOf('REFERENCES') + 1 });
  });

  test('psql meta-commands (\\restrict, \\set, \\connect) are skipped and line numbers stay right', async () => {
    const sql = [
      '\\restrict abc123',
      '\\set ON_ERROR_STOP on',
      "SET client_encoding = 'UTF8';",
      '\\connect mydb',
      CUSTOMERS,
      '',
      'CREATE TABLE orders (',
      '    id bigint PRIMARY KEY,',
      '    customer_id bigint REFERENCES customers (id)',
      ');',
      '\\unrestrict abc123',
      '',
    ].join('\n');
    const dir = scratch('psql-meta', { 'dump.sql': sql });
    const result = await lint(['dump.sql', '--format', 'json'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/syntax error/);
    const report = parseJsonReport(result);
    expect(report.findings.map((f) => [f.key, f.origin.line, f.origin.column])).toEqual([
      [`${FK}/public.orders/orders_customer_id_fkey`, 9, '    customer_id bigint '.length + 1],
    ]);
  });
});

describe('reports and exit codes', () => {
  test('--format json has the documented shape', async () => {
    const dir = scratch('json-shape', { 'a.sql': ONE_FINDING });
    const result = await lint(['a.sql', '--format', 'json'], { cwd: dir });
    expect(result.code).toBe(0);
    const report = parseJsonReport(result);
    expect(Object.keys(report).sort()).toEqual(['diagnostics', 'findings', 'summary', 'tool', 'version']);
    expect(report.version).toBe(1);
    expect(report.tool.name).toBe('schema-lint');
    expect(report.diagnostics).toEqual([]);
    expect(report.summary).toMatchObject({ findings: 1, bySeverity: { error: 0, warning: 1, note: 0 }, byRule: { [FK]: 1 }, withFix: 1, filesLinted: 1, syntaxErrors: 0 });
    const [finding] = report.findings;
    expect(finding).toMatchObject({ ruleId: FK, severity: 'warning', key: `${FK}/public.orders/orders_customer_id_fkey`, origin: { kind: 'file', file: 'a.sql', line: 2 } });
    expect(finding.fix?.sql).toMatch(/CREATE INDEX CONCURRENTLY IF NOT EXISTS/);
  });

  test('--output writes the report file atomically and nothing to stdout', async () => {
    const dir = scratch('output', { 'a.sql': ONE_FINDING });
    mkdirSync(path.join(dir, 'out'));
    const result = await lint(['a.sql', '--format', 'json', '--output', 'out/report.json'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(parseReport(readFileSync(path.join(dir, 'out', 'report.json'), 'utf8')).findings).toHaveLength(1);
    // No temporary file is left beside it.
    expect(readdirSync(path.join(dir, 'out'))).toEqual(['report.json']);
  });

  test('--fail-on decides the exit code', async () => {
    const dir = scratch('fail-on', { 'a.sql': ONE_FINDING });
    expect((await lint(['a.sql'], { cwd: dir })).code).toBe(0);
    expect((await lint(['a.sql', '--fail-on', 'warning'], { cwd: dir })).code).toBe(1);
    expect((await lint(['a.sql', '--fail-on', 'note'], { cwd: dir })).code).toBe(1);
    expect((await lint(['a.sql', '--fail-on', 'never', '--rule', `${FK}=error`], { cwd: dir })).code).toBe(0);
    expect((await lint(['a.sql', '--rule', `${FK}=error`], { cwd: dir })).code).toBe(1);
  });

  test('--rule <id>=off removes its findings', async () => {
    const dir = scratch('rule-off', { 'a.sql': ONE_FINDING });
    const result = await lint(['a.sql', '--format', 'json', '--fail-on', 'warning', '--rule', `${FK}=off`], { cwd: dir });
    expect(result.code).toBe(0);
    expect(keysOf(result).filter((key) => key.startsWith(`${FK}/`))).toEqual([]);
  });

  test('--rule with a bad value: exit 2, one line', async () => {
    const dir = scratch('rule-bad', { 'a.sql': ONE_FINDING });
    expect(expectOneLineFailure(await lint(['a.sql', '--rule', 'bad'], { cwd: dir }))).toMatch(/--rule bad/);
    expect(expectOneLineFailure(await lint(['a.sql', '--rule', 'no-such-rule=off'], { cwd: dir }))).toMatch(/no-such-rule/);
  });

  test('no colour escapes when NO_COLOR is set or stdout is not a terminal', async () => {
    const dir = scratch('no-color', { 'a.sql': ONE_FINDING });
    for (const env of [{ NO_COLOR: '1' }, { FORCE_COLOR: '1' }, {}]) {
      const result = await lint(['a.sql'], { cwd: dir, env });
      expect(result.stdout).toMatch(/orders_customer_id_fkey/);
      // eslint-disable-next-line no-control-regex -- ESC is the colour sequence this test looks for
      expect(result.stdout + result.stderr).not.toMatch(/\u001b\[/);
    }
  });

  test('--format github prints workflow annotations', async () => {
    const dir = scratch('github', { 'a.sql': ONE_FINDING });
    const result = await lint(['a.sql', '--format', 'github'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(lines(result.stdout)).toEqual([expect.stringMatching(new RegExp(`^::warning file=a\\.sql,line=2,col=\\d+,.*title=${FK}::Foreign key orders_customer_id_fkey`))]);
  });

  test('--format sarif validates, with findings and without', async () => {
    const dir = scratch('sarif-ddl', { 'a.sql': ONE_FINDING, 'clean.sql': NO_FINDING });
    for (const [file, count] of [['a.sql', 1], ['clean.sql', 0]] as const) {
      const output = path.join(dir, `${file}.sarif`);
      const result = await lint([file, '--format', 'sarif', '--output', output], { cwd: dir });
      expect(result.code).toBe(0);
      const sarif = JSON.parse(readFileSync(output, 'utf8')) as { runs: Array<{ results: unknown[] }> };
      expect(validateSarifSchema(sarif)).toEqual([]);
      expect(sarif.runs[0].results).toHaveLength(count);
    }
  });

  test('SARIF of the seed review, every rule on, passes the schema checks (sarif.test.ts puts the same log through sarif-multitool)', async () => {
    const dir = scratch('sarif-seed', {});
    const output = path.join(dir, 'seed.sarif');
    // --fail-on warning: the seed's partition findings are notes (its own function makes the partitions).
    const optIn = allRules.filter((rule) => rule.optIn).flatMap((rule) => ['--rule', `${rule.id}=${rule.defaultSeverity}`]);
    const result = await runCli([path.join(repoRoot, 'fixtures/seed/dba-review.sql'), '--format', 'sarif', '--output', output, '--now', '2026-11-29', '--fail-on', 'warning', ...optIn], {
      cwd: repoRoot,
    });
    expect(result.code).toBe(1);
    const sarif = JSON.parse(readFileSync(output, 'utf8')) as { runs: Array<{ results: Array<{ ruleId: string }>; tool: { driver: { rules: unknown[] } } }> };
    expect(new Set(sarif.runs[0].results.map((r) => r.ruleId)).size).toBeGreaterThanOrEqual(4);
    expect(sarif.runs[0].tool.driver.rules).toHaveLength(allRules.length);
    expect(validateSarifSchema(sarif)).toEqual([]);
  });
});

describe('config file', () => {
  test('is found upward from the working folder', async () => {
    const dir = scratch('config-upward', {
      'schema-lint.config.json': JSON.stringify({ rules: { [FK]: 'error' } }),
      'sub/deeper/a.sql': ONE_FINDING,
    });
    const result = await lint(['a.sql', '--format', 'json'], { cwd: path.join(dir, 'sub', 'deeper') });
    expect(result.code).toBe(1);
    expect(parseJsonReport(result).findings.map((f) => f.severity)).toEqual(['error']);
  });

  const badConfigs: Array<[string, unknown, RegExp]> = [
    ['an unknown key', { rulez: {} }, /rulez/],
    ['a bad severity', { rules: { [FK]: 'loud' } }, new RegExp(`rules\\.${FK}`)],
    ['an unknown rule', { rules: { 'no-such-rule': 'off' } }, /rules\.no-such-rule/],
    ['a bad rule option', { rules: { [FK]: { options: { columnOrder: 'sideways' } } } }, new RegExp(`rules\\.${FK}\\.options\\.columnOrder`)],
    ['an unknown rule option', { rules: { [FK]: { options: { colourOrder: 'any' } } } }, /colourOrder/],
    ['an ignore of an unknown rule', { ignores: [{ rule: 'nope', objects: ['*'] }] }, /ignores\.0\.rule/],
  ];
  for (const [what, config, names] of badConfigs) {
    test(`with ${what}: exit 2, the message names the bad key`, async () => {
      const dir = scratch(`config-bad-${what.replace(/\W+/g, '-')}`, { 'schema-lint.config.json': JSON.stringify(config), 'a.sql': ONE_FINDING });
      expect(expectOneLineFailure(await lint(['a.sql'], { cwd: dir }))).toMatch(names);
    });
  }

  test('that is not JSON: exit 2, the message names the file', async () => {
    const dir = scratch('config-not-json', { 'my.json': '{ "rules": ', 'a.sql': ONE_FINDING });
    expect(expectOneLineFailure(await lint(['a.sql', '--config', 'my.json'], { cwd: dir }))).toMatch(/my\.json/);
  });
});

describe('live mode', () => {
  let cluster: Cluster;
  let url: string;
  const DB = 'cli_live';
  const ROLE_PASSWORD = 'Corr3ct-h0rse-sTaple';

  beforeAll(async () => {
    cluster = await sharedCluster();
    url = await cluster.createDatabase(DB);
    await cluster.query(DB, ONE_FINDING);
    await cluster.query(DB, `DROP ROLE IF EXISTS lint_reader; CREATE ROLE lint_reader LOGIN PASSWORD '${ROLE_PASSWORD}'`);
  });

  afterAll(async () => {
    // Unset when beforeAll failed before assigning it.
    await (cluster as Cluster | undefined)?.query('postgres', 'DROP ROLE IF EXISTS lint_reader').catch(() => undefined);
  });

  function expectNoSecret(result: CliResult, ...secrets: string[]): void {
    for (const secret of secrets) {
      expect(result.stdout).not.toContain(secret);
      expect(result.stderr).not.toContain(secret);
      expect(result.stderr).not.toContain(encodeURIComponent(secret));
    }
  }

  test('reads the schema and reports the finding', async () => {
    const result = await lint(['--db', url, '--format', 'json'], { cwd: scratch('live-ok') });
    expect(result.code).toBe(0);
    expect(keysOf(result)).toEqual([`${FK}/public.orders/orders_customer_id_fkey`]);
    expectNoSecret(result, cluster.superuserPassword);
  });

  test('a role with the right password can lint', async () => {
    const result = await lint(['--db', cluster.urlFor('lint_reader', ROLE_PASSWORD, DB), '--format', 'json'], { cwd: scratch('live-role') });
    expect(result.code).toBe(0);
    expect(keysOf(result)).toEqual([`${FK}/public.orders/orders_customer_id_fkey`]);
  });

  test('a wrong password: exit 2, one line, no password shown', async () => {
    const wrong = 'Wr0ng-secret-Value';
    const result = await lint(['--db', cluster.urlFor('lint_reader', wrong, DB)], { cwd: scratch('live-wrong-pw') });
    expect(expectOneLineFailure(result)).toMatch(/password authentication failed/);
    expectNoSecret(result, wrong, ROLE_PASSWORD);
  });

  test('a closed port: exit 2, one line, no password shown', async () => {
    const port = await closedPort();
    const result = await lint(['--db', `postgres://lint_reader:${ROLE_PASSWORD}@127.0.0.1:${port}/${DB}`], { cwd: scratch('live-closed') });
    expect(expectOneLineFailure(result)).toMatch(new RegExp(`${port}`));
    expectNoSecret(result, ROLE_PASSWORD);
  });

  test('an unknown database: exit 2, one line, no password shown', async () => {
    const result = await lint(['--db', cluster.superuserUrl('no_such_database')], { cwd: scratch('live-nodb') });
    expect(expectOneLineFailure(result)).toMatch(/no_such_database/);
    expectNoSecret(result, cluster.superuserPassword);
  });

  test('--db-env reads the URL from the environment, and fails in one line when it is unset', async () => {
    const dir = scratch('live-db-env');
    const ok = await lint(['--db-env', 'SCHEMA_LINT_TEST_URL', '--format', 'json'], { cwd: dir, env: { SCHEMA_LINT_TEST_URL: url } });
    expect(keysOf(ok)).toEqual([`${FK}/public.orders/orders_customer_id_fkey`]);
    const unset = await lint(['--db-env', 'SCHEMA_LINT_TEST_URL'], { cwd: dir });
    expect(expectOneLineFailure(unset)).toMatch(/SCHEMA_LINT_TEST_URL/);
  });

  test('--format sarif validates in live mode, with and without --source', async () => {
    const dir = scratch('live-sarif', { 'schema/orders.sql': ONE_FINDING });
    for (const extra of [[], ['--source', 'schema']]) {
      const output = path.join(dir, `live${extra.length}.sarif`);
      const result = await lint(['--db', url, '--format', 'sarif', '--output', output, ...extra], { cwd: dir });
      expect(result.code).toBe(0);
      const text = readFileSync(output, 'utf8');
      expect(text).not.toContain(cluster.superuserPassword);
      const sarif = JSON.parse(text) as { runs: Array<{ results: Array<{ locations: Array<{ physicalLocation?: { artifactLocation?: { uri?: string } } }> }> }> };
      expect(validateSarifSchema(sarif)).toEqual([]);
      expect(sarif.runs[0].results).toHaveLength(1);
      if (extra.length) expect(sarif.runs[0].results[0].locations[0].physicalLocation?.artifactLocation?.uri).toBe('schema/orders.sql');
      expectNoSecret(result, cluster.superuserPassword);
    }
  });
});

/** A local port nothing listens on (bound, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

