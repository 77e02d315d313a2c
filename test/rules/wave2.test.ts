/**
 * The wave 2 rules (RULES.md): every docs example (bad finds something, good finds nothing), the choices each rule
 * makes that fixtures alone do not pin down (which duplicate is kept and how it is dropped, which TG_OP tests guard
 * NEW, severity from evidence), and the volume-based rules fed with figures the way `--stats` gives them.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { allRules } from '../../rules/index.js';
import { duplicateIndex } from '../../rules/duplicate-index.js';
import { highChurnTableDefaultAutovacuum } from '../../rules/high-churn-table-default-autovacuum.js';
import { int4PrimaryKey } from '../../rules/int4-primary-key.js';
import { materializedViewWithoutUniqueIndex } from '../../rules/materialized-view-without-unique-index.js';
import { newReadsOnDelete } from '../../rules/trigger-function/new-reads.js';
import { emptyConfig, resolveRuleOptions } from '../../src/engine/config.js';
import { runRules } from '../../src/engine/run-rules.js';
import type { AnyRule, Finding } from '../../src/engine/types.js';
import type { SchemaModel, TableStats } from '../../src/model/types.js';
import { loadParser, parseStatements } from '../../src/sql/parser.js';
import { loadFixtureCases, repoRoot } from '../support/fixtures.js';
import { ddlModel } from '../support/lint.js';

const WAVE2 = [
  'duplicate-index',
  'redundant-index',
  'table-without-primary-key',
  'foreign-key-type-mismatch',
  'json-instead-of-jsonb',
  'timestamp-without-time-zone',
  'materialized-view-without-unique-index',
  'invalid-index',
  'not-valid-constraint',
  'int4-primary-key',
  'trigger-function-uses-new-on-delete',
  'time-series-without-brin-index',
  'jsonb-storage-disables-compression',
  'random-uuid-primary-key-on-high-volume',
  'high-churn-table-default-autovacuum',
];

const rules = WAVE2.map((id) => {
  const rule = allRules.find((r) => r.id === id);
  if (!rule) throw new Error(`rule ${id} is not registered`);
  return rule;
});

function lint(rule: AnyRule, model: SchemaModel, options?: Record<string, unknown>, live = false): Finding[] {
  const enabled = [{ rule, severity: rule.defaultSeverity, options: resolveRuleOptions(rule, options, 'test') }];
  return runRules(model, enabled, emptyConfig(), { now: new Date('2026-01-15T00:00:00Z'), live });
}

async function lintSql(rule: AnyRule, sql: string, options?: Record<string, unknown>): Promise<Finding[]> {
  const { model, diagnostics } = await ddlModel(sql);
  expect(diagnostics.filter((d) => d.kind === 'syntax')).toEqual([]);
  return lint(rule, model, options);
}

async function fixtureFindings(rule: AnyRule, name: string): Promise<Finding[]> {
  const fixture = loadFixtureCases(rule.id).find((c) => c.name === name);
  if (!fixture) throw new Error(`no fixture ${rule.id}/${name}`);
  const { model } = await ddlModel(fixture.files);
  return lint(rule, model, fixture.options);
}

function byKey(findings: Finding[], key: string): Finding {
  const found = findings.find((f) => f.key === key);
  if (!found) throw new Error(`no finding ${key}; have ${findings.map((f) => f.key).join(', ')}`);
  return found;
}

/** What `--stats` (or live statistics) would give the high-churn rule. */
const CHURNING: TableStats = { estimatedRows: 50_000_000, updates: 150_000_000, deletes: 0, statsWindowSeconds: 30 * 86_400 };

function withStats(model: SchemaModel, table: string, stats: TableStats): SchemaModel {
  model.tables.get(table)!.stats = stats;
  return model;
}

beforeAll(async () => {
  await loadParser();
});

describe('wave 2 rules: metadata', () => {
  test.each(rules.map((rule) => [rule.id, rule] as const))('%s has docs, a mode, fix levels and fixtures', (_id, rule) => {
    expect(rule.docs.bad.length).toBeGreaterThan(0);
    expect(rule.docs.good.length).toBeGreaterThan(0);
    expect(rule.mode).toBeDefined();
    expect(rule.fixSafety).toBeDefined();
    expect(loadFixtureCases(rule.id).length).toBeGreaterThan(0);
  });
});

describe('wave 2 rules: docs examples', () => {
  for (const rule of rules) {
    // The high-churn rule needs figures DDL cannot show; its examples get them as --stats would.
    const stats = rule === highChurnTableDefaultAutovacuum;
    for (const example of rule.docs.bad) {
      test(`${rule.id} bad: ${example.title}`, async () => {
        const { model } = await ddlModel(example.sql);
        if (stats) withStats(model, 'public.tool_executions', CHURNING);
        expect(lint(rule, model).length).toBeGreaterThan(0);
      });
    }
    for (const example of rule.docs.good) {
      test(`${rule.id} good: ${example.title}`, async () => {
        const { model } = await ddlModel(example.sql);
        if (stats) withStats(model, 'public.tool_executions', CHURNING);
        expect(lint(rule, model)).toEqual([]);
      });
    }
  }
});

describe('duplicate-index: which index stays and how the other goes', () => {
  test('a hand-made index beside the attached one: the hand-made one is dropped concurrently, reported via the parent', async () => {
    const findings = await fixtureFindings(duplicateIndex, 'partitions');
    const partition = byKey(findings, 'duplicate-index/public.payment/idx_fk_payment_2026_01_customer_id');
    expect(partition.object).toMatchObject({ kind: 'index', schema: 'public', name: 'payment' });
    expect(partition.message).toContain('partition public.payment_2026_01 of public.payment');
    expect(partition.message).toContain('public.payment_2026_01_customer_id_idx (index, attached to public.payment_customer_id_idx)');
    expect(partition.fix).toMatchObject({ sql: 'DROP INDEX CONCURRENTLY IF EXISTS public.idx_fk_payment_2026_01_customer_id;', safety: 'review', concurrently: true });
    // The parent's own pair: a partitioned index cannot be dropped concurrently.
    expect(byKey(findings, 'duplicate-index/public.payment/payment_amount_idx1').fix?.sql).toBe('DROP INDEX IF EXISTS public.payment_amount_idx1;');
    // Never an attached index.
    expect(findings.filter((f) => /_idx$/.test(f.object.detail ?? '') && f.object.detail!.startsWith('payment_2026'))).toEqual([]);
  });

  test('the primary key stays; a duplicate that backs a constraint is dropped with its constraint, and the notes say so', async () => {
    const findings = await fixtureFindings(duplicateIndex, 'same-definition');
    const unique = byKey(findings, 'duplicate-index/public.api_tokens/api_tokens_id_key');
    expect(unique.fix?.sql).toBe('ALTER TABLE public.api_tokens DROP CONSTRAINT IF EXISTS api_tokens_id_key;');
    expect(unique.fix?.notes.join(' ')).toContain('backs constraint api_tokens_id_key');
    // A unique index stays before a plain one with the same keys; among equals the oldest stays.
    expect(byKey(findings, 'duplicate-index/public.orders/orders_customer_again_idx').message).toContain('public.orders_customer_unique_idx (unique index)');
    expect(byKey(findings, 'duplicate-index/public.orders/orders_lower_code_idx').message).toContain('public.orders_lower_code_idx_1');
  });

  test('a constraint-backed duplicate referenced by a foreign key: the notes name it', async () => {
    const findings = await lintSql(
      duplicateIndex,
      'CREATE TABLE a (id int PRIMARY KEY); ALTER TABLE a ADD CONSTRAINT a_id_key UNIQUE (id);\nCREATE TABLE b (a_id int REFERENCES a (id));',
    );
    expect(findings.map((f) => f.key)).toEqual(['duplicate-index/public.a/a_id_key']);
    expect(findings[0].fix?.notes.join(' ')).toContain('public.b.b_a_id_fkey');
  });

  test('every fix parses', async () => {
    for (const name of ['partitions', 'same-definition']) {
      for (const finding of await fixtureFindings(duplicateIndex, name)) {
        expect(parseStatements(finding.fix!.sql).ok).toBe(true);
      }
    }
  });
});

describe('trigger-function-uses-new-on-delete: reading PL/pgSQL', () => {
  test('the seed review audit function: the INSERT reads NEW; RETURN NEW is listed for BEFORE triggers only', () => {
    const seed = readFileSync(path.join(repoRoot, 'fixtures/trigger-function-uses-new-on-delete/seed-audit.sql'), 'utf8');
    const body = /AS \$\$([\s\S]*?)\$\$/.exec(seed)![1];
    const reads = newReadsOnDelete(body)!;
    expect(reads.map((r) => [r.line, r.isReturn])).toEqual([
      [3, false],
      [12, true],
    ]);
  });

  test.each([
    ["IF TG_OP = 'UPDATE' OR TG_OP = 'INSERT' THEN x := NEW.id; END IF;", 0],
    ["IF TG_OP = 'INSERT' THEN x := 1; ELSE x := NEW.id; END IF;", 1],
    ["IF TG_OP NOT IN ('DELETE') THEN x := NEW.id; END IF;", 0],
    ["IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'no deletes'; END IF; x := NEW.id;", 0],
    ["IF TG_OP = 'DELETE' THEN x := 1; END IF; x := NEW.id;", 1],
    ["x := COALESCE(NEW.id, OLD.id);", 1],
    ["x := CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END;", 0],
    ["PERFORM pg_notify('t', 'new row');", 0],
    ['x := t.new + 1;', 0],
  ])('%s → %d read(s)', (statements, count) => {
    const reads = newReadsOnDelete(`DECLARE x bigint; t record; BEGIN ${statements} RETURN NULL; END`);
    expect(reads?.length).toBe(count);
  });

  test('a body that is not PL/pgSQL gives no finding rather than an error', () => {
    expect(newReadsOnDelete('this is not plpgsql')).toBeUndefined();
  });
});

describe('materialized-view-without-unique-index: severity from evidence', () => {
  test('refreshed CONCURRENTLY by a function: error; otherwise a note', async () => {
    const findings = await fixtureFindings(materializedViewWithoutUniqueIndex, 'views');
    expect(findings.map((f) => [f.key, f.severity]).sort()).toEqual([
      ['materialized-view-without-unique-index/mcp.tool_execution_stats', 'error'],
      ['materialized-view-without-unique-index/public.daily_totals', 'note'],
    ]);
    expect(byKey(findings, 'materialized-view-without-unique-index/mcp.tool_execution_stats').message).toContain('mcp.refresh_tool_stats refreshes it CONCURRENTLY');
  });
});

describe('int4-primary-key: severity from sequence usage', () => {
  test('DDL mode: a note; a sequence past warnAtPercent: the rule level, with the figures', async () => {
    const { model } = await ddlModel('CREATE TABLE orders (id serial PRIMARY KEY);');
    expect(lint(int4PrimaryKey, model).map((f) => f.severity)).toEqual(['note']);
    const column = model.tables.get('public.orders')!.columns[0];
    column.sequenceUsage = { sequence: 'public.orders_id_seq', lastValue: 1_610_612_736, maxValue: 2_147_483_647, increment: 1 };
    const [finding] = lint(int4PrimaryKey, model, undefined, true);
    expect(finding.severity).toBe('warning');
    expect(finding.message).toContain('public.orders_id_seq is at 1,610,612,736 of 2,147,483,647 (75.0%)');
    expect(lint(int4PrimaryKey, model, { warnAtPercent: 80 }, true)[0].severity).toBe('note');
  });
});

describe('high-churn-table-default-autovacuum: figures from statistics', () => {
  const sql =
    'CREATE TABLE jobs (id bigint PRIMARY KEY, state text);\n' +
    'CREATE TABLE tuned_jobs (id bigint PRIMARY KEY) WITH (autovacuum_vacuum_scale_factor = 0.01);\n' +
    'CREATE TABLE runs (id bigint NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);\n' +
    "CREATE TABLE runs_2026_01 PARTITION OF runs FOR VALUES FROM ('2026-01-01') TO ('2026-02-01') WITH (autovacuum_vacuum_threshold = 1000);\n" +
    "CREATE TABLE runs_2026_02 PARTITION OF runs FOR VALUES FROM ('2026-02-01') TO ('2026-03-01');";

  test('heavy churn on a big untuned table; tuned tables and partitions are left alone; the fix goes on partitions', async () => {
    const { model } = await ddlModel(sql);
    for (const table of ['public.jobs', 'public.tuned_jobs', 'public.runs']) withStats(model, table, CHURNING);
    const findings = lint(highChurnTableDefaultAutovacuum, model);
    expect(findings.map((f) => f.key).sort()).toEqual(['high-churn-table-default-autovacuum/public.jobs', 'high-churn-table-default-autovacuum/public.runs']);
    expect(byKey(findings, 'high-churn-table-default-autovacuum/public.jobs').message).toContain('5,000,000 updated or deleted a day');
    expect(byKey(findings, 'high-churn-table-default-autovacuum/public.runs').fix?.sql).toBe(
      'ALTER TABLE public.runs_2026_02 SET (autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02);',
    );
  });

  test('no finding without a statistics window of at least a day, or below the thresholds', async () => {
    const { model } = await ddlModel(sql);
    withStats(model, 'public.jobs', { ...CHURNING, statsWindowSeconds: 3600 });
    expect(lint(highChurnTableDefaultAutovacuum, model)).toEqual([]);
    withStats(model, 'public.jobs', CHURNING);
    expect(lint(highChurnTableDefaultAutovacuum, model, { minChangesPerDay: 10_000_000 })).toEqual([]);
    expect(lint(highChurnTableDefaultAutovacuum, model, { minRows: 100_000_000 })).toEqual([]);
  });
});
