/**
 * Re-running a fix script after a failure repairs what the failure left. A `CREATE INDEX CONCURRENTLY` that gives up
 * (here: `lock_timeout` while it waits for a writer's open transaction) leaves an INVALID index under the fix's
 * name; `IF NOT EXISTS` alone would then skip it on every later run. The script's repair step drops exactly such an
 * index — and never a valid one — so the second run ends with a valid index. Real server, real psql.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { renderFixScript } from '../src/fix/script.js';
import { loadParser, parseStatements } from '../src/sql/parser.js';
import { readCatalog } from '../src/sources/catalog/read-catalog.js';
import { ddlModel, lintModel } from './support/lint.js';
import { releaseCluster, sharedCluster, type Cluster } from './support/pg-cluster.js';

const SCHEMA = `
CREATE TABLE customers (id bigint PRIMARY KEY);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id));
INSERT INTO customers VALUES (1);
INSERT INTO orders SELECT g, 1 FROM generate_series(1, 100) g;
CREATE TABLE events (id bigint, customer_id bigint REFERENCES customers (id), at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE events_2026_01 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');
CREATE TABLE events_2026_02 PARTITION OF events FOR VALUES FROM ('2026-02-01') TO ('2026-03-01');
`;

let cluster: Cluster;
let dir: string;
let counter = 0;

beforeAll(async () => {
  await loadParser();
  cluster = await sharedCluster();
  dir = mkdtempSync(path.join(tmpdir(), 'schema-lint-repair-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await releaseCluster();
});

async function fixScript(sql: string): Promise<string> {
  const { model } = await ddlModel(sql);
  const findings = lintModel(model, { rules: ['foreign-key-without-index'] });
  const written = renderFixScript(findings, { toolVersion: 'test', generatedAt: new Date(0) });
  // The failed build is what this file is about, not how long the script waits for it: 1 s instead of the
  // script's 5 s (the two failed builds were 10 s of this file's 12 s).
  const script = written.replace("SET lock_timeout = '5s';", "SET lock_timeout = '1s';");
  expect(script).not.toBe(written);
  const parsed = parseStatements(script);
  if (!parsed.ok) throw new Error(`fix script does not parse: ${parsed.error.message}`);
  const file = path.join(dir, `fix_${++counter}.sql`);
  writeFileSync(file, script);
  return file;
}

async function indexState(db: string, name: string): Promise<Array<{ name: string; valid: boolean }>> {
  return cluster.query<{ name: string; valid: boolean }>(
    db,
    `SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE $1 ORDER BY 1`,
    [`${name}%`],
  );
}

/** Holds a write on `table` open, so a concurrent index build on it waits and, under lock_timeout, fails. */
async function withOpenWriter<T>(db: string, table: string, work: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: cluster.superuserUrl(db) });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(`INSERT INTO ${table} (id, customer_id${table === 'events_2026_01' ? ', at' : ''}) VALUES (1000, 1${table === 'events_2026_01' ? ", '2026-01-05'" : ''})`);
    return await work();
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    await client.end();
  }
}

describe('a fix script run again after a failed concurrent build', () => {
  test('an INVALID index of the fix\'s name is dropped and rebuilt (plain table)', async () => {
    const db = 'repair_plain';
    await cluster.createDatabase(db);
    const schemaFile = path.join(dir, 'schema_plain.sql');
    writeFileSync(schemaFile, SCHEMA);
    await cluster.psqlFile(db, schemaFile);
    const script = await fixScript(SCHEMA);

    // First run: the build of orders' index waits for the open INSERT and gives up after lock_timeout.
    const failure = await withOpenWriter(db, 'orders', () => cluster.psqlFile(db, script).then(() => undefined, (error: unknown) => error as Error));
    expect(failure?.message).toMatch(/lock timeout/);
    expect(await indexState(db, 'orders_customer_id_fk_idx')).toEqual([{ name: 'orders_customer_id_fk_idx', valid: false }]);

    // Second run, writer gone: the invalid index is dropped and built again.
    await cluster.psqlFile(db, script);
    expect(await indexState(db, 'orders_customer_id_fk_idx')).toEqual([{ name: 'orders_customer_id_fk_idx', valid: true }]);
    expect(await indexState(db, 'events')).toEqual(
      expect.arrayContaining([{ name: 'events_customer_id_fk_idx', valid: true }, { name: 'events_2026_01_customer_id_fk_idx', valid: true }]),
    );

    // Third run: nothing to repair, the valid index is kept (same oid), and the live lint finds nothing left.
    const before = await cluster.query<{ oid: number }>(db, `SELECT 'orders_customer_id_fk_idx'::regclass::oid AS oid`);
    await cluster.psqlFile(db, script);
    const after = await cluster.query<{ oid: number }>(db, `SELECT 'orders_customer_id_fk_idx'::regclass::oid AS oid`);
    expect(after).toEqual(before);
    const live = await readCatalog({ url: cluster.superuserUrl(db) });
    expect(lintModel(live, { rules: ['foreign-key-without-index'], live: true })).toEqual([]);
  }, 120_000);

  test('a partition\'s invalid index is repaired and the parent index ends valid', async () => {
    const db = 'repair_partitioned';
    await cluster.createDatabase(db);
    const schemaFile = path.join(dir, 'schema_partitioned.sql');
    writeFileSync(schemaFile, SCHEMA);
    await cluster.psqlFile(db, schemaFile);
    const script = await fixScript(SCHEMA);

    const failure = await withOpenWriter(db, 'events_2026_01', () => cluster.psqlFile(db, script).then(() => undefined, (error: unknown) => error as Error));
    expect(failure?.message).toMatch(/lock timeout/);
    expect(await indexState(db, 'events_2026_01_customer_id_fk_idx')).toEqual([{ name: 'events_2026_01_customer_id_fk_idx', valid: false }]);
    expect(await indexState(db, 'events_customer_id_fk_idx')).toEqual([{ name: 'events_customer_id_fk_idx', valid: false }]);

    await cluster.psqlFile(db, script);
    expect(await indexState(db, 'events')).toEqual([
      { name: 'events_2026_01_customer_id_fk_idx', valid: true },
      { name: 'events_2026_02_customer_id_fk_idx', valid: true },
      { name: 'events_customer_id_fk_idx', valid: true },
    ]);
    await cluster.psqlFile(db, script);
    const live = await readCatalog({ url: cluster.superuserUrl(db) });
    expect(lintModel(live, { rules: ['foreign-key-without-index'], live: true })).toEqual([]);
  }, 120_000);

  test('a valid index of the same name is never dropped by the repair step', async () => {
    const db = 'repair_valid_kept';
    await cluster.createDatabase(db);
    const schemaFile = path.join(dir, 'schema_valid.sql');
    // The aside name exists and is valid: the model knows it, so the repair step picks another aside name.
    const sql = `${SCHEMA}\nCREATE INDEX orders_customer_id_fk_idx_invalid ON orders (id);\n`;
    writeFileSync(schemaFile, sql);
    await cluster.psqlFile(db, schemaFile);
    const script = await fixScript(sql);
    await cluster.psqlFile(db, script);
    await cluster.psqlFile(db, script);
    expect(await indexState(db, 'orders_customer_id_fk_idx')).toEqual([
      { name: 'orders_customer_id_fk_idx', valid: true },
      { name: 'orders_customer_id_fk_idx_invalid', valid: true },
    ]);
  }, 120_000);
});
