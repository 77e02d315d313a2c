/**
 * partition-coverage on real servers: partitions made at run time (the real pg_partman extension with
 * `partman.create_parent`, and a hatchet-style function), new partitions that get what their siblings declare
 * (pagila's per-partition foreign keys and indexes), and bounds cut at local midnight. Each fix is applied with psql
 * (ON_ERROR_STOP), run a second time, and the table linted again in live mode.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Finding } from '../../src/engine/types.js';
import { renderFixScript } from '../../src/fix/script.js';
import type { SchemaModel } from '../../src/model/types.js';
import { loadParser, parseStatements } from '../../src/sql/parser.js';
import { readCatalog } from '../../src/sources/catalog/read-catalog.js';
import { ddlModel, lintModel } from '../support/lint.js';
import { releaseCluster, sharedCluster, type Cluster } from '../support/pg-cluster.js';

const RULE = 'partition-coverage';
let cluster: Cluster;
let dir: string;
let counter = 0;

beforeAll(async () => {
  await loadParser();
  cluster = await sharedCluster();
  dir = mkdtempSync(path.join(tmpdir(), 'schema-lint-partitions-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await releaseCluster();
});

async function load(db: string, sql: string): Promise<string> {
  const url = await cluster.createDatabase(db);
  const file = path.join(dir, `${db}.sql`);
  writeFileSync(file, sql);
  await cluster.psqlFile(db, file);
  return url;
}

function lint(model: SchemaModel, now: Date, live: boolean): Finding[] {
  return lintModel(model, { rules: [RULE], now, live });
}

async function applyScript(db: string, findings: Finding[]): Promise<string> {
  const script = renderFixScript(findings, { toolVersion: 'test', generatedAt: new Date(0) });
  const parsed = parseStatements(script);
  if (!parsed.ok) throw new Error(`fix script does not parse: ${parsed.error.message}\n${script}`);
  const file = path.join(dir, `fix_${++counter}.sql`);
  writeFileSync(file, script);
  await cluster.psqlFile(db, file);
  await cluster.psqlFile(db, file); // a second run changes nothing and does not fail
  return script;
}

function partmanInstalled(): boolean {
  const root = '/usr/share/postgresql';
  return existsSync(root) && readdirSync(root).some((v) => existsSync(path.join(root, v, 'extension', 'pg_partman.control')));
}

describe('partitions made at run time', () => {
  test('pg_partman (real extension, create_parent): a note naming pg_partman, no CREATE TABLE, in both modes', async () => {
    // .ci/run installs Debian's postgresql-15-partman; without it this test cannot prove anything.
    expect({ pg_partman: partmanInstalled() }).toEqual({ pg_partman: true });
    const sql =
      'CREATE SCHEMA partman;\nCREATE EXTENSION pg_partman SCHEMA partman;\n' +
      'CREATE TABLE public.events (id bigint, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at);\n' +
      "SELECT partman.create_parent('public.events', 'created_at', 'native', 'daily');\n";
    const url = await load('partman_events', sql);
    // pg_partman makes its partitions around the server's clock, so this test reads the same clock.
    const now = new Date();
    const live = await readCatalog({ url });
    expect(live.partman?.get('public.events')).toMatchObject({ parent: 'public.events', extensionSchema: 'partman', premake: 4 });
    expect(live.tables.get('public.events')!.partitions.length).toBeGreaterThan(4);
    const { model } = await ddlModel(sql);
    expect(model.partman?.get('public.events')).toMatchObject({ parent: 'public.events', extensionSchema: 'partman', interval: 'daily' });
    for (const findings of [lint(live, now, true), lint(model, now, false)]) {
      expect(findings.map((f) => [f.key, f.severity, f.fix])).toEqual([['partition-coverage/public.events', 'note', undefined]]);
      expect(findings[0].message).toContain('made at run time by pg_partman (partman.part_config');
      expect(findings[0].message).toContain("partman.show_partitions('public.events', 'DESC')");
    }
    // The check the note proposes runs as written.
    await cluster.query('partman_events', "SELECT * FROM partman.show_partitions('public.events', 'DESC') LIMIT 3");
  }, 120_000);

  test('an INSERT into part_config is recognised in DDL mode too', async () => {
    const { model } = await ddlModel(
      'CREATE TABLE app.metrics (taken_at date NOT NULL) PARTITION BY RANGE (taken_at);\n' +
        "INSERT INTO partman.part_config (parent_table, control, partition_interval, partition_type, premake) VALUES ('app.metrics', 'taken_at', '1 mon', 'native', 6);",
    );
    expect(model.partman?.get('app.metrics')).toMatchObject({ interval: '1 mon', premake: 6, extensionSchema: 'partman' });
    const [finding] = lint(model, new Date('2026-12-01T00:00:00Z'), false);
    expect([finding.severity, finding.fix]).toEqual(['note', undefined]);
  });

  test('a schema function that attaches daily partitions (hatchet): a note naming it, the same in both modes', async () => {
    const sql = `
CREATE TABLE v1_task (id bigint NOT NULL, inserted_at timestamptz NOT NULL) PARTITION BY RANGE (inserted_at);
CREATE TABLE v1_other (id bigint NOT NULL, seen_at date NOT NULL) PARTITION BY RANGE (seen_at);
CREATE OR REPLACE FUNCTION create_v1_range_partition(targetTableName text, targetDate date) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE newTableName varchar;
BEGIN
    SELECT lower(format('%s_%s', targetTableName, to_char(targetDate, 'YYYYMMDD'))) INTO newTableName;
    EXECUTE format('CREATE TABLE %s (LIKE %s INCLUDING INDEXES)', newTableName, targetTableName);
    EXECUTE format('ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM (''%s'') TO (''%s'')', targetTableName, newTableName,
        to_char(targetDate, 'YYYYMMDD'), to_char(targetDate + INTERVAL '1 day', 'YYYYMMDD'));
    RETURN 1;
END;
$$;
`;
    const url = await load('runtime_function', sql);
    const now = new Date('2026-12-01T00:00:00Z');
    const live = lint(await readCatalog({ url }), now, true);
    const ddl = lint((await ddlModel(sql)).model, now, false);
    for (const findings of [live, ddl]) {
      findings.sort((a, b) => a.key.localeCompare(b.key));
      expect(findings.map((f) => [f.key, f.severity, f.fix])).toEqual([
        ['partition-coverage/public.v1_other', 'note', undefined],
        ['partition-coverage/public.v1_task', 'note', undefined],
      ]);
      expect(findings[1].message).toMatch(/made at run time by the function public\.create_v1_range_partition\(text, (pg_catalog\.)?date\) \(daily partitions\), for the table it is given/);
    }
    // The newest-partitions query of the note runs, also after the function made a partition.
    await cluster.query('runtime_function', "SELECT create_v1_range_partition('v1_task', '2026-12-01')");
    const query = /SELECT c\.relname[^;]*;/.exec(ddl[1].message)![0];
    expect((await cluster.query('runtime_function', query)).map((r) => r.relname)).toEqual(['v1_task_20261201']);
  }, 120_000);

  test('a function that only queries partitions is no maker', async () => {
    const { model } = await ddlModel(
      'CREATE TABLE t (at date NOT NULL) PARTITION BY RANGE (at);\n' +
        "CREATE FUNCTION list_parts(name text) RETURNS SETOF text LANGUAGE plpgsql AS $$ BEGIN RETURN QUERY EXECUTE format('SELECT relname FROM pg_class WHERE relname LIKE %L', name); END $$;",
    );
    const [finding] = lint(model, new Date('2026-12-01T00:00:00Z'), false);
    expect(finding.severity).toBe('error');
    expect(finding.fix?.sql).toContain('CREATE TABLE IF NOT EXISTS');
  });
});

describe('new partitions are like their siblings', () => {
  const PAYMENT = `
CREATE TABLE customer (customer_id int PRIMARY KEY);
CREATE TABLE staff (staff_id int PRIMARY KEY);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TABLE payment (payment_id int NOT NULL, customer_id int NOT NULL, staff_id int NOT NULL, amount numeric NOT NULL,
  payment_date timestamptz NOT NULL, PRIMARY KEY (payment_date, payment_id)) PARTITION BY RANGE (payment_date);
CREATE TABLE payment_p2026_01 (payment_id int NOT NULL, customer_id int NOT NULL, staff_id int NOT NULL, amount numeric NOT NULL, payment_date timestamptz NOT NULL);
CREATE TABLE payment_p2026_02 (payment_id int NOT NULL, customer_id int NOT NULL, staff_id int NOT NULL, amount numeric NOT NULL, payment_date timestamptz NOT NULL);
CREATE TABLE payment_p2026_03 (payment_id int NOT NULL, customer_id int NOT NULL, staff_id int NOT NULL, amount numeric NOT NULL, payment_date timestamptz NOT NULL);
ALTER TABLE ONLY payment ATTACH PARTITION payment_p2026_01 FOR VALUES FROM ('2026-01-01 00:00:00+01') TO ('2026-02-01 00:00:00+01');
ALTER TABLE ONLY payment ATTACH PARTITION payment_p2026_02 FOR VALUES FROM ('2026-02-01 00:00:00+01') TO ('2026-03-01 00:00:00+01');
ALTER TABLE ONLY payment ATTACH PARTITION payment_p2026_03 FOR VALUES FROM ('2026-03-01 00:00:00+01') TO ('2026-04-01 00:00:00+01');
ALTER TABLE ONLY payment_p2026_01 ADD CONSTRAINT payment_p2026_01_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customer (customer_id);
ALTER TABLE ONLY payment_p2026_02 ADD CONSTRAINT payment_p2026_02_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customer (customer_id);
ALTER TABLE ONLY payment_p2026_03 ADD CONSTRAINT payment_p2026_03_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customer (customer_id);
ALTER TABLE ONLY payment_p2026_02 ADD CONSTRAINT payment_p2026_02_staff_id_fkey FOREIGN KEY (staff_id) REFERENCES staff (staff_id);
ALTER TABLE ONLY payment_p2026_03 ADD CONSTRAINT payment_p2026_03_staff_id_fkey FOREIGN KEY (staff_id) REFERENCES staff (staff_id);
ALTER TABLE payment_p2026_01 ADD CONSTRAINT payment_p2026_01_amount_check CHECK (amount >= 0);
ALTER TABLE payment_p2026_02 ADD CONSTRAINT payment_p2026_02_amount_check CHECK (amount >= 0);
ALTER TABLE payment_p2026_03 ADD CONSTRAINT payment_p2026_03_amount_check CHECK (amount >= 0);
CREATE INDEX idx_fk_payment_p2026_01_customer_id ON payment_p2026_01 (customer_id);
CREATE INDEX idx_fk_payment_p2026_02_customer_id ON payment_p2026_02 (customer_id);
CREATE INDEX idx_fk_payment_p2026_03_customer_id ON payment_p2026_03 (customer_id);
CREATE INDEX payment_p2026_03_amount_idx ON payment_p2026_03 (amount);
CREATE TRIGGER payment_p2026_01_touch BEFORE UPDATE ON payment_p2026_01 FOR EACH ROW EXECUTE FUNCTION touch();
CREATE TRIGGER payment_p2026_02_touch BEFORE UPDATE ON payment_p2026_02 FOR EACH ROW EXECUTE FUNCTION touch();
CREATE TRIGGER payment_p2026_03_touch BEFORE UPDATE ON payment_p2026_03 FOR EACH ROW EXECUTE FUNCTION touch();
`;

  test('foreign keys, CHECKs, indexes and triggers most siblings declare; local-midnight bounds, month names', async () => {
    const db = 'siblings_payment';
    const url = await load(db, PAYMENT);
    const now = new Date('2026-04-15T00:00:00Z');
    const findings = lint((await ddlModel(PAYMENT)).model, now, false);
    expect(findings.map((f) => f.key)).toEqual(['partition-coverage/public.payment']);
    const sql = findings[0].fix!.sql;
    // Cut at local midnight (+01): no sliver, no day-named partition, names like the siblings'.
    expect(sql.match(/CREATE TABLE IF NOT EXISTS public\.\w+/g)).toEqual(
      ['2026_04', '2026_05', '2026_06', '2026_07'].map((m) => `CREATE TABLE IF NOT EXISTS public.payment_p${m}`),
    );
    expect(sql).toContain("FOR VALUES FROM ('2026-04-01 00:00:00+01') TO ('2026-05-01 00:00:00+01')");
    // staff_id's FK: 2 of 3 siblings (most); amount index: 1 of 3 (not most).
    expect(sql).toContain('CONSTRAINT payment_p2026_05_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES public.customer (customer_id)');
    expect(sql).toContain('CONSTRAINT payment_p2026_05_staff_id_fkey FOREIGN KEY (staff_id) REFERENCES public.staff (staff_id)');
    expect(sql).toContain('CONSTRAINT payment_p2026_05_amount_check CHECK (amount >= 0)');
    expect(sql).toContain('CREATE INDEX IF NOT EXISTS idx_fk_payment_p2026_05_customer_id ON public.payment_p2026_05 (customer_id);');
    expect(sql).not.toContain('amount_idx');

    await applyScript(db, findings);
    const live = await readCatalog({ url });
    expect(lint(live, now, true)).toEqual([]);
    const partition = live.tables.get('public.payment_p2026_06')!;
    expect(partition.constraints.filter((c) => !c.inheritedFrom).map((c) => `${c.kind} ${c.name}`).sort()).toEqual([
      'check payment_p2026_06_amount_check',
      'foreign payment_p2026_06_customer_id_fkey',
      'foreign payment_p2026_06_staff_id_fkey',
    ]);
    expect(partition.indexes).toContain('public.idx_fk_payment_p2026_06_customer_id');
    expect(partition.triggers.filter((t) => !t.inherited).map((t) => `${t.name} ${t.timing} ${t.events.join(',')} ${t.function}`)).toEqual([
      'payment_p2026_06_touch before update public.touch',
    ]);
    // The new foreign key works: a payment for a customer that does not exist is refused.
    await expect(
      cluster.query(db, "INSERT INTO payment VALUES (1, 999, 1, 10, '2026-06-10 12:00+00')"),
    ).rejects.toThrow(/payment_p2026_06_customer_id_fkey/);
    // Bounds as the server stores them: whole local months, one after another.
    const bounds = await cluster.query<{ relname: string; bound: string }>(
      db,
      "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'payment'::regclass AND c.relname = 'payment_p2026_04'",
    );
    expect(bounds).toHaveLength(1);
  }, 120_000);

  test('live mode writes the same partitions (bounds read in UTC keep their local midnight)', async () => {
    const db = 'siblings_payment_live';
    const url = await load(db, PAYMENT);
    const now = new Date('2026-04-15T00:00:00Z');
    const findings = lint(await readCatalog({ url }), now, true);
    const ddl = lint((await ddlModel(PAYMENT)).model, now, false);
    // The same partitions and bounds (a CHECK's text is written as pg_get_constraintdef prints it, so not compared).
    const shape = (sql: string): string[] => sql.match(/CREATE TABLE IF NOT EXISTS \S+|FOR VALUES [^;]+|CONSTRAINT \S+|CREATE INDEX IF NOT EXISTS \S+|CREATE TRIGGER \S+/g) ?? [];
    expect(shape(findings[0].fix!.sql)).toEqual(shape(ddl[0].fix!.sql));
    expect(shape(findings[0].fix!.sql).length).toBeGreaterThan(20);
    await applyScript(db, findings);
    expect(lint(await readCatalog({ url }), now, true)).toEqual([]);
  }, 120_000);
});
