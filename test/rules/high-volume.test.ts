/**
 * high-volume-table-not-partitioned: fixtures, every signal (stats, stats file, config, shape), the conversion
 * plan (parses; un-commented from the fix-up script it converts a table with identity, serial and foreign keys on a
 * real server), docs.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { highVolumeTableNotPartitioned as rule } from '../../rules/high-volume-table-not-partitioned.js';
import { isNowDefault } from '../../rules/high-volume/signals.js';
import { emptyConfig, resolveRuleOptions } from '../../src/engine/config.js';
import { runRules } from '../../src/engine/run-rules.js';
import type { Finding } from '../../src/engine/types.js';
import { renderFixScript } from '../../src/fix/script.js';
import type { SchemaModel, TableStats } from '../../src/model/types.js';
import { readCatalog } from '../../src/sources/catalog/read-catalog.js';
import { applyStatsFile, parseStatsFile } from '../../src/sources/stats-file.js';
import { loadParser, parseStatements } from '../../src/sql/parser.js';
import { loadFixtureCases } from '../support/fixtures.js';
import { ddlModel } from '../support/lint.js';
import { releaseCluster, sharedCluster } from '../support/pg-cluster.js';

const ruleId = 'high-volume-table-not-partitioned';
const now = new Date('2026-01-15T00:00:00Z');

function lintModel(model: SchemaModel, options?: Record<string, unknown>, live = false): Finding[] {
  return runRules(model, [{ rule, severity: rule.defaultSeverity, options: resolveRuleOptions(rule, options, 'test') }], emptyConfig(), { now, live });
}

async function lint(sql: string | Array<{ file: string; text: string }>, options?: Record<string, unknown>): Promise<Finding[]> {
  return lintModel((await ddlModel(sql)).model, options);
}

beforeAll(async () => {
  await loadParser();
});

describe('high-volume-table-not-partitioned fixtures (DDL mode)', () => {
  for (const fixture of loadFixtureCases(ruleId)) {
    test(`${fixture.name}: fixes are plans to review, and parse`, async () => {
      expect(fixture.now).toBeInstanceOf(Date);
      const { model, diagnostics } = await ddlModel(fixture.files);
      expect(diagnostics.filter((d) => d.kind === 'syntax')).toEqual([]);
      // Exact findings are the rule harness's (test/rule-harness.test.ts); here: every fix is a plan that parses.
      const findings = lintModel(model, fixture.options);
      for (const finding of findings) {
        // No column existing rows carry to partition by (billing.refunds): no plan, and the message says why.
        if (!finding.fix) {
          expect(finding.message).toContain('no column existing rows carry that could be a partition key');
          continue;
        }
        expect(finding.fix.safety).toBe('review');
        expect(parseStatements(finding.fix.sql).ok).toBe(true);
      }
    });
  }
});

const LOG_TABLE = 'CREATE TABLE request_log (id bigint PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now());';
const PLAIN_TABLE = 'CREATE TABLE orders (id bigint PRIMARY KEY, placed_at timestamp NOT NULL, updated_at timestamptz, note text);';

async function withStats(sql: string, table: string, stats: TableStats): Promise<SchemaModel> {
  const { model } = await ddlModel(sql);
  model.tables.get(table)!.stats = stats;
  return model;
}

describe('signals', () => {
  test('name and shape: a note naming the key with the now() default', async () => {
    const [finding] = await lint(LOG_TABLE);
    expect(finding.severity).toBe('note');
    expect(finding.message).toMatch(/^Table public\.request_log is not partitioned, and its shape says append-only time series: the name matches `\*_log`/);
    expect(finding.message).toContain('Candidate partition key: created_at (timestamptz, defaults to the current time), because it records when each row was inserted');
  });

  test.each([
    ['now()', true],
    ['CURRENT_TIMESTAMP', true],
    ['current_timestamp(3)', true],
    ['LOCALTIMESTAMP', true],
    ['clock_timestamp()', true],
    ['statement_timestamp()', true],
    ['transaction_timestamp()', true],
    ['pg_catalog.now()', true],
    ["(now() AT TIME ZONE 'utc'::text)", false],
    ["('now'::text)::timestamp with time zone", true],
    ["'now'::timestamptz", false],
    ['now()::timestamptz', true],
    ['CURRENT_DATE', false],
    ["now() - interval '1 day'", false],
  ])('default %s counts as the current time: %s', async (expression, expected) => {
    const { model } = await ddlModel(`CREATE TABLE t (at timestamptz DEFAULT ${expression});`);
    expect(isNowDefault(model.tables.get('public.t')!.columns[0].default!.ast)).toBe(expected);
  });

  test('estimated rows at or over minRows: a warning, with the first timestamp column as key', async () => {
    const model = await withStats(PLAIN_TABLE, 'public.orders', { estimatedRows: 12_000_000 });
    const [finding] = lintModel(model);
    expect(finding.severity).toBe('warning');
    expect(finding.message).toContain('it holds about 12,000,000 rows (minRows 10,000,000)');
    expect(finding.message).toContain('Candidate partition key: placed_at (timestamp), because it is a timestamp column every row carries. Other candidates: updated_at (timestamptz).');
  });

  test('rows unknown (never analyzed) is not zero and not big; below the thresholds: nothing', async () => {
    expect(lintModel(await withStats(PLAIN_TABLE, 'public.orders', {}))).toEqual([]);
    expect(lintModel(await withStats(PLAIN_TABLE, 'public.orders', { estimatedRows: 9_999_999, totalBytes: 1024 }))).toEqual([]);
  });

  test('total size at or over minBytes', async () => {
    const [finding] = lintModel(await withStats(PLAIN_TABLE, 'public.orders', { totalBytes: 12 * 1024 ** 3 }));
    expect(finding.message).toContain('12.0 GiB on disk (minBytes 10.0 GiB)');
  });

  test('insert rate only with a known window of at least a day', async () => {
    const fast = { inserts: 3_000_000 };
    expect(lintModel(await withStats(PLAIN_TABLE, 'public.orders', fast))).toEqual([]);
    expect(lintModel(await withStats(PLAIN_TABLE, 'public.orders', { ...fast, statsWindowSeconds: 3600 }))).toEqual([]);
    const [finding] = lintModel(await withStats(PLAIN_TABLE, 'public.orders', { ...fast, statsWindowSeconds: 2 * 86_400 }));
    expect(finding.message).toContain('about 1,500,000 inserts a day over 2 days (minInsertsPerDay 1,000,000)');
    expect(lintModel(await withStats(PLAIN_TABLE, 'public.orders', { ...fast, statsWindowSeconds: 4 * 86_400 }))).toEqual([]);
  });

  test('stats outrank the name heuristic: the severity is the configured one', async () => {
    const model = await withStats(LOG_TABLE, 'public.request_log', { estimatedRows: 50_000_000 });
    const [finding] = lintModel(model);
    expect(finding.severity).toBe('warning');
    expect(finding.message).toContain('about 50,000,000 rows');
  });

  test('a stats file gives DDL mode the same figures', async () => {
    const { model } = await ddlModel(PLAIN_TABLE + LOG_TABLE);
    const file = parseStatsFile(
      JSON.stringify({
        version: 1,
        generatedAt: '2026-01-14T06:00:00Z',
        database: 'db.internal:5432/app',
        statsWindowSeconds: 10 * 86_400,
        tables: { 'public.orders': { estimatedRows: 1000, inserts: 20_000_000 }, 'public.gone': { estimatedRows: 1 } },
      }),
      'stats.json',
    );
    expect(applyStatsFile(model, file)).toEqual({ applied: 1, unknownTables: ['public.gone'] });
    const findings = lintModel(model);
    expect(findings.map((f) => [f.key, f.severity])).toEqual([
      ['high-volume-table-not-partitioned/public.orders', 'warning'],
      ['high-volume-table-not-partitioned/public.request_log', 'note'],
    ]);
    expect(findings[0].message).toContain('about 2,000,000 inserts a day over 10 days');
  });

  test('no column existing rows carry: says so, and never invents a DEFAULT now() key', async () => {
    const [finding] = await lint('CREATE TABLE t (id bigint PRIMARY KEY, v text);', { tables: ['t'] });
    expect(finding.message).toContain('no column existing rows carry that could be a partition key');
    expect(finding.message).toContain('A new column with DEFAULT now() would give every existing row the same value');
    expect(finding.fix).toBeUndefined();
  });

  test('synapse-style events: an epoch-ms bigint key, why, the alternatives, and which unique keys change meaning', async () => {
    const sql =
      'CREATE TABLE events (topological_ordering bigint NOT NULL, event_id text NOT NULL, room_id text NOT NULL, ' +
      'origin_server_ts bigint, received_ts bigint, stream_ordering bigint, depth bigint DEFAULT 0 NOT NULL, ' +
      'CONSTRAINT events_event_id_key UNIQUE (event_id));\n' +
      'CREATE UNIQUE INDEX events_stream_ordering ON events (stream_ordering);';
    const [finding] = await lint(sql, { tables: ['events'] });
    expect(finding.message).toContain('Candidate partition key: origin_server_ts (int8), because its name says epoch time (milliseconds, a bigint)');
    expect(finding.message).toContain('Other candidates: received_ts (epoch-ms)');
    expect(finding.message).toContain('stream_ordering (sequence)');
    expect(finding.message).toContain('(event_id), (stream_ordering) would no longer be unique on their own');
    expect(finding.fix!.notes[0]).toBe(
      'UNIQUE (event_id) becomes (event_id, origin_server_ts): event_id is then no longer unique on its own — two rows with the same event_id and different origin_server_ts are accepted. ' +
        'If it must stay unique, enforce it another way (a separate table holding just that key with its own UNIQUE constraint, filled in the same transaction).',
    );
    expect(finding.fix!.sql).not.toMatch(/DEFAULT now\(\)|ADD COLUMN/);
    expect(finding.fix!.sql).toContain('PARTITION BY RANGE (origin_server_ts)');
    expect(finding.fix!.sql).toContain("(extract(epoch FROM lo) * 1000)::bigint, (extract(epoch FROM lo + interval '1 month') * 1000)::bigint");
  });

  test('a sequence-fed key when the table has no time column: value ranges', async () => {
    const [finding] = await lint('CREATE TABLE ledger (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, amount numeric);', { tables: ['ledger'] });
    expect(finding.message).toContain('Candidate partition key: id (int8), because it grows with every insert (fed by a sequence)');
    expect(finding.message).not.toContain('no longer be unique');
    expect(finding.fix!.sql).toContain('generate_series(coalesce(min(id), 0) / 10000000 * 10000000');
    expect(parseStatements(finding.fix!.sql).ok).toBe(true);
  });

  test('options are validated', () => {
    expect(() => resolveRuleOptions(rule, { minRows: 'many' }, 'test')).toThrow(/minRows/);
    expect(() => resolveRuleOptions(rule, { tabels: [] }, 'test')).toThrow(/tabels/);
  });
});

describe('high-volume-table-not-partitioned docs', () => {
  for (const example of rule.docs.bad) {
    test(`bad: ${example.title}`, async () => {
      expect((await lint(example.sql)).length).toBeGreaterThan(0);
    });
  }
  for (const example of rule.docs.good) {
    test(`good: ${example.title}`, async () => {
      expect(await lint(example.sql)).toEqual([]);
    });
  }
});

const PLAN_SCHEMA = `
CREATE SCHEMA app;
CREATE TABLE app.tools (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE app.tool_executions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_no serial,
  tool_id bigint NOT NULL REFERENCES app.tools (id) ON DELETE CASCADE,
  executed_at timestamptz NOT NULL DEFAULT now(),
  status text DEFAULT 'pending' CHECK (status <> ''),
  status_length int GENERATED ALWAYS AS (length(status)) STORED,
  external_ref text UNIQUE
);
CREATE INDEX tool_executions_pending_idx ON app.tool_executions (status) WHERE status = 'pending';
CREATE TABLE app.execution_outputs (
  id bigint PRIMARY KEY,
  execution_id bigint NOT NULL REFERENCES app.tool_executions (id) ON DELETE CASCADE,
  body text
);
CREATE TABLE app.execution_refs (ref text REFERENCES app.tool_executions (external_ref));
`;

const PLAN_DATA = `
INSERT INTO app.tools (name) VALUES ('a'), ('b');
INSERT INTO app.tool_executions (tool_id, executed_at, status, external_ref)
  SELECT 1 + i % 2, now() - i * interval '9 days', 'done', 'r' || i FROM generate_series(0, 40) i;
INSERT INTO app.execution_outputs SELECT i, i, 'x' FROM generate_series(1, 30) i;
INSERT INTO app.execution_refs SELECT 'r' || i FROM generate_series(1, 5) i;
`;

/** The plan as a DBA would take it from the fix-up script: the `-- | ` lines, un-commented. */
function uncommentedPlan(finding: Finding): string {
  const script = renderFixScript([finding], { toolVersion: 'test', generatedAt: now });
  return script
    .split('\n')
    .filter((line) => line.startsWith('-- |'))
    .map((line) => line.replace(/^-- \| ?/, ''))
    .join('\n');
}

describe('conversion plan on a real server', () => {
  let workDir: string | undefined;
  afterAll(async () => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
    await releaseCluster();
  });

  test.each([
    [
      'an epoch-ms key (synapse events)',
      'CREATE TABLE events (event_id text NOT NULL UNIQUE, origin_server_ts bigint NOT NULL, stream_ordering bigint);\n' +
        "INSERT INTO events SELECT 'e' || i, (extract(epoch FROM now() - i * interval '11 days') * 1000)::bigint, i FROM generate_series(0, 60) i;",
      'origin_server_ts',
    ],
    [
      'a sequence-fed key',
      'CREATE TABLE ledger (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, amount numeric);\n' +
        'INSERT INTO ledger (amount) SELECT i FROM generate_series(1, 50) i;',
      'id',
    ],
  ])('un-commented, the plan for %s converts the table and keeps every row', async (_title, sql, keyColumn) => {
    const table = sql.includes('ledger') ? 'ledger' : 'events';
    const [finding] = await lint(sql, { tables: [table] });
    expect(finding.message).toContain(`Candidate partition key: ${keyColumn} `);
    const plan = uncommentedPlan(finding);
    const cluster = await sharedCluster();
    workDir ??= mkdtempSync(join(tmpdir(), 'high-volume-plan-'));
    const db = `high_volume_plan_${table}`;
    await cluster.createDatabase(db);
    writeFileSync(join(workDir, `${table}.sql`), sql);
    writeFileSync(join(workDir, `${table}-plan.sql`), plan);
    await cluster.psqlFile(db, join(workDir, `${table}.sql`));
    await cluster.psqlFile(db, join(workDir, `${table}-plan.sql`));
    const rows = await cluster.query<{ relkind: string; n: string; old: string; parts: string; in_default: string }>(
      db,
      `SELECT (SELECT relkind FROM pg_class WHERE oid = 'public.${table}'::regclass) AS relkind, (SELECT count(*) FROM public.${table}) AS n,
         (SELECT count(*) FROM public.${table}_unpartitioned) AS old, (SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.${table}'::regclass) AS parts,
         (SELECT count(*) FROM public.${table}_default) AS in_default`,
    );
    expect(rows[0]).toMatchObject({ relkind: 'p', n: rows[0].old, in_default: '0' });
    expect(Number(rows[0].n)).toBeGreaterThanOrEqual(50);
    expect(Number(rows[0].parts)).toBeGreaterThan(1);
  }, 60_000);

  test('un-commented, it converts the table, keeps the data and identity, and re-points the foreign keys', async () => {
    const [finding] = await lint(PLAN_SCHEMA, { tables: ['app.tool_executions'] });
    expect(finding.key).toBe('high-volume-table-not-partitioned/app.tool_executions');
    const plan = uncommentedPlan(finding);
    expect(plan).toContain('coalesce(min(executed_at)::timestamp, localtimestamp)');
    expect(parseStatements(plan).ok).toBe(true);

    const cluster = await sharedCluster();
    workDir = mkdtempSync(join(tmpdir(), 'high-volume-plan-'));
    const db = 'high_volume_plan';
    await cluster.createDatabase(db);
    writeFileSync(join(workDir, 'schema.sql'), PLAN_SCHEMA + PLAN_DATA);
    writeFileSync(join(workDir, 'plan.sql'), plan);
    await cluster.psqlFile(db, join(workDir, 'schema.sql'));
    await cluster.psqlFile(db, join(workDir, 'plan.sql'));

    const [kind] = await cluster.query<{ relkind: string }>(db, "SELECT relkind FROM pg_class WHERE oid = 'app.tool_executions'::regclass");
    expect(kind.relkind).toBe('p');
    const [counts] = await cluster.query<{ n: string; old: string }>(
      db,
      'SELECT (SELECT count(*) FROM app.tool_executions) AS n, (SELECT count(*) FROM app.tool_executions_unpartitioned) AS old',
    );
    expect(counts).toEqual({ n: '41', old: '41' });
    const fks = await cluster.query<{ conname: string; target: string }>(
      db,
      "SELECT conname, confrelid::regclass::text AS target FROM pg_constraint WHERE contype = 'f' AND conparentid = 0 AND conrelid::regclass::text IN ('app.execution_outputs', 'app.execution_refs') ORDER BY 1",
    );
    expect(fks).toEqual([
      { conname: 'execution_outputs_execution_id_fkey', target: 'app.tool_executions' },
      { conname: 'execution_refs_ref_fkey', target: 'app.tool_executions' },
    ]);
    // Identity and serial continue after the copied rows, and survive dropping the old table.
    await cluster.query(db, 'DROP TABLE app.tool_executions_unpartitioned');
    const [row] = await cluster.query<{ id: string; run_no: number }>(db, "INSERT INTO app.tool_executions (tool_id, status) VALUES (1, 'new') RETURNING id, run_no");
    expect(row).toEqual({ id: '42', run_no: 42 });
    await expect(cluster.query(db, 'INSERT INTO app.execution_outputs VALUES (999, 12345, null, now())')).rejects.toThrow(/foreign key/);

    // Re-linted live, the converted table is no longer a finding.
    const model = await readCatalog({ url: cluster.superuserUrl(db) });
    expect(lintModel(model, { tables: ['app.tool_executions'] }, true).map((f) => f.key)).toEqual([]);
  });
});
