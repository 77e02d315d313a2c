/**
 * Migration-safety rules: each `fixtures/migration-<rule-id>/` case is a folder of migrations (the last file is the
 * changed one) or a single file (a migration that creates its own table). Exactly the expected findings; every fix
 * parses; the unsafe statement replaced by its fix gives no finding and applies to a real server; and the rewrites
 * do not block a concurrent writer beyond lock_timeout, where the unsafe statements do.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import { emptyConfig } from '../src/engine/config.js';
import { checkMigrations } from '../src/engine/migration-safety.js';
import { enabledRules } from '../src/engine/run-rules.js';
import type { Finding } from '../src/engine/types.js';
import { loadParser, parseStatements } from '../src/sql/parser.js';
import { parseSqlFile } from '../src/sources/ddl/parse-file.js';
import { allRules } from '../rules/index.js';
import { migrationRules } from '../rules/migration/index.js';
import { loadFixtureCases, type FixtureCase } from './support/fixtures.js';
import { releaseCluster, sharedCluster, type Cluster } from './support/pg-cluster.js';

type SqlFile = { file: string; text: string };

function check(files: SqlFile[], ruleId: string, stats?: Record<string, { estimatedRows: number }>): Finding[] {
  const parsed = files.map((f) => parseSqlFile(f.file, f.text));
  const config = emptyConfig();
  const changed = files[files.length - 1].file;
  return checkMigrations({
    files: parsed,
    changed: (file) => file === changed,
    rules: enabledRules(allRules.filter((rule) => rule.id === ruleId), config, {}),
    config,
    stats: stats ? (name) => stats[name] : undefined,
  });
}

/** Top-level statements of a SQL text, each as its own string (so CONCURRENTLY runs outside a transaction). */
function statementsOf(sql: string): string[] {
  const parsed = parseStatements(sql);
  if (!parsed.ok) throw new Error(`does not parse: ${parsed.error.message}\n${sql}`);
  const bytes = Buffer.from(sql, 'utf8');
  return parsed.stmts.map((s) => bytes.subarray(s.stmt_location ?? 0, (s.stmt_location ?? 0) + (s.stmt_len || bytes.length)).toString('utf8').trim()).filter(Boolean);
}

/** The changed file with the statement a finding points at replaced by (or, for a file-level finding, preceded by) its fix. */
function applyFixToMigration(file: SqlFile, finding: Finding): SqlFile {
  const parsed = parseSqlFile(file.file, file.text);
  const line = finding.origin.kind === 'file' ? finding.origin.line : 0;
  const statement = parsed.statements.find((s) => {
    const from = parsed.source.positionOfByte(s.startByte).line;
    const to = parsed.source.positionOfByte(s.endByte).line;
    return from <= line && line <= to;
  })!;
  const bytes = Buffer.from(file.text, 'utf8');
  const before = bytes.subarray(0, statement.startByte).toString('utf8');
  const original = bytes.subarray(statement.startByte, statement.endByte).toString('utf8');
  const after = bytes.subarray(statement.endByte).toString('utf8');
  const replacement = finding.ruleId === 'missing-lock-timeout' ? `${finding.fix!.sql}\n${original}` : `\n${finding.fix!.sql.replace(/;\s*$/, '')}`;
  return { file: file.file, text: before + replacement + after };
}

/** The cases with findings, the plain `unsafe…` ones first. */
const withFindings = (ruleId: string): FixtureCase[] =>
  loadFixtureCases(`migration-${ruleId}`)
    .filter((fixture) => fixture.expected.length > 0)
    .sort((a, b) => Number(!a.name.startsWith('unsafe')) - Number(!b.name.startsWith('unsafe')) || a.name.localeCompare(b.name));

beforeAll(async () => {
  await loadParser();
});

for (const rule of migrationRules) {
  describe(`${rule.id} (migration fixtures)`, () => {
    const cases = loadFixtureCases(`migration-${rule.id}`);
    test('has an unsafe case, a safe rewrite and a same-migration case', () => {
      const names = cases.map((c) => c.name);
      expect(names).toEqual(expect.arrayContaining(['safe-rewrite', 'same-migration']));
      expect(cases.some((c) => c.expected.length > 0)).toBe(true);
    });
    for (const fixture of cases) {
      test(fixture.name, () => {
        const findings = check(fixture.files, rule.id);
        const actual = findings.map((f) => ({ key: f.key, file: f.origin.kind === 'file' ? f.origin.file : '', line: f.origin.kind === 'file' ? f.origin.line : 0 }));
        expect(actual.sort((a, b) => a.key.localeCompare(b.key))).toEqual([...fixture.expected].sort((a, b) => a.key.localeCompare(b.key)));
        for (const finding of findings) {
          expect(finding.fix).toBeDefined();
          expect(parseStatements(finding.fix!.sql).ok).toBe(true);
        }
      });
    }
    // Dropping a column and renaming a table are two-release changes: their fixes still drop (after the application
    // stopped using the column) and rename (with a view under the old name), so the rule still sees them.
    if (rule.id !== 'drop-column' && rule.id !== 'rename-table') {
      test.each(withFindings(rule.id).map((fixture) => [fixture.name, fixture] as const))('%s: the fix in place of the statement gives no finding', (_name, fixture) => {
        for (const finding of check(fixture.files, rule.id)) {
          const files = [...fixture.files];
          files[files.length - 1] = applyFixToMigration(files[files.length - 1], finding);
          expect(check(files, rule.id).map((f) => f.key)).not.toContain(finding.key);
        }
      });
    }
  });
}

describe('docs examples', () => {
  // The tables the examples name, created by an earlier migration (so they "existed before").
  const base: SqlFile = {
    file: 'base.sql',
    text: [
      'CREATE TABLE customers (id bigint PRIMARY KEY);',
      'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);',
      'CREATE TABLE users (id bigint, email varchar(255), name text, legacy_flag boolean);',
      'CREATE TABLE events (id integer PRIMARY KEY);',
    ].join('\n'),
  };
  for (const rule of migrationRules) {
    test(`${rule.id}: bad examples are reported, good ones are not`, () => {
      for (const example of rule.docs.bad) expect(check([base, { file: 'change.sql', text: example.sql }], rule.id)).not.toEqual([]);
      for (const example of rule.docs.good) expect(check([base, { file: 'change.sql', text: example.sql }], rule.id)).toEqual([]);
    });
  }
});

describe('messages and severity', () => {
  test('each finding names the lock its statement takes', () => {
    const locks = /ACCESS EXCLUSIVE|SHARE ROW EXCLUSIVE|SHARE lock|takes SHARE/;
    for (const rule of migrationRules) {
      for (const fixture of withFindings(rule.id)) {
        for (const finding of check(fixture.files, rule.id)) expect(finding.message).toMatch(locks);
      }
    }
  });
  test('a big table (statistics) raises warning to error; a small one does not', () => {
    const [fixture] = withFindings('index-without-concurrently');
    expect(check(fixture.files, 'index-without-concurrently', { 'public.orders': { estimatedRows: 20_000_000 } })[0]).toMatchObject({
      severity: 'error',
      message: expect.stringContaining('about 20,000,000 rows'),
    });
    expect(check(fixture.files, 'index-without-concurrently', { 'public.orders': { estimatedRows: 5_000 } })[0].severity).toBe('warning');
  });
  test('the partitioned parent gets the ON ONLY recipe', () => {
    const fixture = loadFixtureCases('migration-index-without-concurrently').find((c) => c.name === 'partitioned-parent')!;
    const sql = check(fixture.files, 'index-without-concurrently')[0].fix!.sql;
    expect(sql).toMatch(/ON ONLY measurements/);
    expect(sql.match(/CREATE INDEX CONCURRENTLY/g)).toHaveLength(2);
    expect(sql.match(/ATTACH PARTITION/g)).toHaveLength(2);
  });
});

describe('on a real server', () => {
  let cluster: Cluster;
  let counter = 0;
  beforeAll(async () => {
    cluster = await sharedCluster();
  }, 120_000);
  afterAll(async () => {
    await releaseCluster();
  });

  async function freshDb(): Promise<string> {
    const name = `migration_rules_${process.pid}_${counter++}`;
    await cluster.createDatabase(name);
    return name;
  }

  for (const rule of migrationRules) {
    test(`${rule.id}: the rewritten migrations apply`, async () => {
      for (const fixture of withFindings(rule.id)) {
        for (const finding of check(fixture.files, rule.id)) {
          const files = [...fixture.files];
          files[files.length - 1] = applyFixToMigration(files[files.length - 1], finding);
          const db = await freshDb();
          for (const file of files) for (const statement of statementsOf(file.text)) await cluster.query(db, statement);
        }
      }
    }, 60_000);
  }

  /**
   * A writer that gives up when it waits for a lock longer than `lock_timeout`: a bounded loop of inserts, each
   * failing with 55P03 if the migration's lock blocks it. Returns how many inserts went through.
   */
  async function writer(url: string, insert: string, times: number): Promise<{ done: number; error?: string }> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query("SET lock_timeout = '300ms'");
      for (let i = 0; i < times; i++) {
        try {
          await client.query(insert, [i]);
        } catch (error) {
          return { done: i, error: (error as { code?: string }).code };
        }
      }
      return { done: times };
    } finally {
      await client.end();
    }
  }

  /** Runs `steps` in one open transaction, lets the writer run while it is open, then commits. */
  async function whileHeld(url: string, steps: string[], during: () => Promise<void>): Promise<void> {
    const migration = new pg.Client({ connectionString: url });
    await migration.connect();
    try {
      await migration.query('BEGIN');
      for (const step of steps) await migration.query(step);
      await during();
      await migration.query('COMMIT');
    } finally {
      await migration.end();
    }
  }

  /** Whether the backend comes to wait for a lock within ~5 s (polled): the statement it runs is queued. */
  async function waitsForLock(db: string, pid: number): Promise<boolean> {
    for (let i = 0; i < 200; i++) {
      const state = (await cluster.query<{ wait_event_type: string | null }>(db, 'SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1', [pid])).at(0);
      if (state?.wait_event_type === 'Lock') return true;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return false;
  }

  const BASE = [
    'CREATE TABLE customers (id bigint PRIMARY KEY)',
    'INSERT INTO customers SELECT g FROM generate_series(1, 1000) g',
    'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, total numeric(10,2), status text)',
    'INSERT INTO orders SELECT g, 1 + g % 1000, g % 100, $$new$$ FROM generate_series(1, 20000) g',
  ];
  const INSERT = 'INSERT INTO orders (id, customer_id, total) VALUES (100000 + $1, 1, 1)';

  test('foreign key: the unsafe ADD blocks the writer; NOT VALID then VALIDATE does not', async () => {
    const db = await freshDb();
    for (const statement of BASE) await cluster.query(db, statement);
    const url = cluster.superuserUrl(db);
    const [fixture] = withFindings('constraint-without-not-valid').filter((c) => c.name === 'unsafe-foreign-key');
    const finding = check(fixture.files, 'constraint-without-not-valid')[0];
    const unsafe = statementsOf(fixture.files[1].text);
    const [addNotValid, validate] = statementsOf(finding.fix!.sql);

    let blocked: { done: number; error?: string } | undefined;
    await whileHeld(url, unsafe, async () => {
      blocked = await writer(url, INSERT, 5);
    });
    expect(blocked).toEqual({ done: 0, error: '55P03' });
    await cluster.query(db, 'ALTER TABLE orders DROP CONSTRAINT orders_customer_fk');

    await cluster.query(db, addNotValid);
    let free: { done: number; error?: string } | undefined;
    await whileHeld(url, [validate], async () => {
      free = await writer(url, INSERT.replace('100000', '200000'), 20);
    });
    expect(free).toEqual({ done: 20 });
    const [row] = await cluster.query<{ convalidated: boolean }>(db, "SELECT convalidated FROM pg_constraint WHERE conname = 'orders_customer_fk'");
    expect(row.convalidated).toBe(true);
  }, 60_000);

  test('SET NOT NULL: the unsafe form blocks the writer; the validated CHECK route does not', async () => {
    const db = await freshDb();
    for (const statement of BASE) await cluster.query(db, statement);
    const url = cluster.superuserUrl(db);
    const [fixture] = withFindings('set-not-null-without-check');
    const finding = check(fixture.files, 'set-not-null-without-check')[0];
    const [addCheck, validate, setNotNull, dropCheck] = statementsOf(finding.fix!.sql);

    let blocked: { done: number; error?: string } | undefined;
    await whileHeld(url, statementsOf(fixture.files[1].text), async () => {
      blocked = await writer(url, INSERT, 5);
    });
    expect(blocked).toEqual({ done: 0, error: '55P03' });
    await cluster.query(db, 'ALTER TABLE orders ALTER COLUMN customer_id DROP NOT NULL');

    await cluster.query(db, addCheck);
    let free: { done: number; error?: string } | undefined;
    await whileHeld(url, [validate], async () => {
      free = await writer(url, INSERT.replace('100000', '300000'), 20);
    });
    expect(free).toEqual({ done: 20 });
    await cluster.query(db, setNotNull);
    await cluster.query(db, dropCheck);
    const [row] = await cluster.query<{ attnotnull: boolean }>(db, "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'customer_id'");
    expect(row.attnotnull).toBe(true);
  }, 60_000);

  test('CREATE INDEX CONCURRENTLY waiting on an old transaction lets the writer through; the plain build does not', async () => {
    const db = await freshDb();
    for (const statement of BASE) await cluster.query(db, statement);
    const url = cluster.superuserUrl(db);
    const [fixture] = withFindings('index-without-concurrently');
    const finding = check(fixture.files, 'index-without-concurrently')[0];

    let blocked: { done: number; error?: string } | undefined;
    await whileHeld(url, statementsOf(fixture.files[1].text), async () => {
      blocked = await writer(url, INSERT, 5);
    });
    expect(blocked).toEqual({ done: 0, error: '55P03' });
    await cluster.query(db, 'DROP INDEX orders_customer_id_idx');

    // An open transaction that has read the table: the concurrent build must wait for it to end.
    const reader = new pg.Client({ connectionString: url });
    const builder = new pg.Client({ connectionString: url });
    await reader.connect();
    await builder.connect();
    try {
      await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await reader.query('SELECT count(*) FROM orders');
      const { rows } = await builder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const build = builder.query(statementsOf(finding.fix!.sql)[0]);
      // Wait (bounded) until the build is waiting for the reader: then it holds its SHARE UPDATE EXCLUSIVE lock.
      expect(await waitsForLock(db, rows[0].pid)).toBe(true);
      const free = await writer(url, INSERT.replace('100000', '400000'), 20);
      expect(free).toEqual({ done: 20 });
      await reader.query('COMMIT');
      await build;
    } finally {
      await reader.end();
      await builder.end();
    }
    const [index] = await cluster.query<{ indisvalid: boolean }>(db, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'orders_customer_id_idx'::regclass");
    expect(index.indisvalid).toBe(true);
  }, 60_000);

  test('DROP INDEX behind an old transaction queues the writer; DROP INDEX CONCURRENTLY lets it through', async () => {
    const db = await freshDb();
    for (const statement of [...BASE, 'CREATE INDEX orders_customer_idx ON orders (customer_id)']) await cluster.query(db, statement);
    const url = cluster.superuserUrl(db);
    const base = { file: '1_base.sql', text: 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);\nCREATE INDEX orders_customer_idx ON orders (customer_id);\n' };
    const [finding] = check([base, { file: '2_change.sql', text: 'DROP INDEX orders_customer_idx;\n' }], 'drop-index-without-concurrently');
    expect(finding.fix!.concurrently).toBe(true);

    /** Runs `sql` while a REPEATABLE READ transaction that has read the table is open; returns what the writer managed meanwhile. */
    async function behindReader(sql: string, offset: number): Promise<{ done: number; error?: string }> {
      const reader = new pg.Client({ connectionString: url });
      const dropper = new pg.Client({ connectionString: url });
      await reader.connect();
      await dropper.connect();
      try {
        await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
        await reader.query('SELECT count(*) FROM orders');
        const { rows } = await dropper.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        const drop = dropper.query(sql);
        expect(await waitsForLock(db, rows[0].pid)).toBe(true);
        const result = await writer(url, INSERT.replace('100000', String(offset)), 10);
        await reader.query('COMMIT');
        await drop;
        return result;
      } finally {
        await reader.end();
        await dropper.end();
      }
    }

    expect(await behindReader('DROP INDEX orders_customer_idx', 500000)).toEqual({ done: 0, error: '55P03' });
    await cluster.query(db, 'CREATE INDEX orders_customer_idx ON orders (customer_id)');
    expect(await behindReader(statementsOf(finding.fix!.sql)[0], 600000)).toEqual({ done: 10 });
    const [left] = await cluster.query<{ n: number }>(db, "SELECT count(*)::int AS n FROM pg_class WHERE relname = 'orders_customer_idx'");
    expect(left.n).toBe(0);
  }, 60_000);

  test('lock_timeout: a migration stuck behind a long transaction gives up, and the writer queued behind it goes on', async () => {
    const db = await freshDb();
    for (const statement of BASE) await cluster.query(db, statement);
    const url = cluster.superuserUrl(db);
    const [fixture] = withFindings('missing-lock-timeout');
    const finding = check(fixture.files, 'missing-lock-timeout')[0];
    const longReader = new pg.Client({ connectionString: url });
    const migration = new pg.Client({ connectionString: url });
    await longReader.connect();
    await migration.connect();
    try {
      await longReader.query('BEGIN');
      await longReader.query('SELECT count(*) FROM orders');
      await migration.query(finding.fix!.sql.replace("'2s'", "'100ms'"));
      // The migration waits for its ACCESS EXCLUSIVE lock at most lock_timeout, then fails (and can be retried).
      await expect(migration.query('ALTER TABLE orders ADD COLUMN note text')).rejects.toMatchObject({ code: '55P03' });
      // With it gone from the lock queue, the writer is not stuck behind it.
      expect(await writer(url, INSERT, 10)).toEqual({ done: 10 });
      // Without the timeout the migration waits in the queue, and the writer waits behind it.
      await migration.query('SET lock_timeout = 0');
      const { rows } = await migration.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const stuck = migration.query('ALTER TABLE orders ADD COLUMN note text');
      expect(await waitsForLock(db, rows[0].pid)).toBe(true);
      expect(await writer(url, INSERT.replace('100000', '500000'), 10)).toEqual({ done: 0, error: '55P03' });
      await longReader.query('COMMIT');
      await stuck;
    } finally {
      await longReader.end();
      await migration.end();
    }
  }, 60_000);
});
