/**
 * DDL mode applies PostgreSQL's own checks where a statement fails: the statement has no effect on the model, and a
 * `rejected` diagnostic (shown without --verbose) says what PostgreSQL says, and where. The same SQL loaded into a real
 * server (errors not stopping psql) gives the same tables, columns and indexes. The lenient contract for objects that
 * are not defined (yet) still holds.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readCatalog } from '../src/sources/catalog/read-catalog.js';
import { ddlModel, lintModel } from './support/lint.js';
import { releaseCluster, sharedCluster, type Cluster } from './support/pg-cluster.js';
import { runCli } from './support/run-cli.js';

const REJECTED = `CREATE TABLE p (id int PRIMARY KEY);
CREATE TABLE c (id int PRIMARY KEY, p_id int, FOREIGN KEY (parent_id) REFERENCES p (id));
CREATE TABLE d (id int PRIMARY KEY, p_id int REFERENCES p (pid));
CREATE TABLE e (id int, CHECK (idd > 0));
CREATE TABLE f (id int, at date) PARTITION BY RANGE (taken_at);
CREATE INDEX p_nope_idx ON p (nope);
CREATE INDEX p_incl_idx ON p (id) INCLUDE (nope);
ALTER TABLE p ADD COLUMN x int, ADD CONSTRAINT p_y_key UNIQUE (y);
ALTER TABLE p ADD COLUMN z int, ADD CONSTRAINT p_z_key UNIQUE (z);
`;

let cluster: Cluster;
let dir: string;
beforeAll(async () => {
  cluster = await sharedCluster();
  dir = mkdtempSync(path.join(tmpdir(), 'schema-lint-rejections-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await releaseCluster();
});

describe('statements PostgreSQL rejects', () => {
  test('have no effect on the model, and each gets a located diagnostic with PostgreSQL\'s reason', async () => {
    const { model, diagnostics } = await ddlModel([{ file: 'x.sql', text: REJECTED }]);
    expect([...model.tables.keys()].sort()).toEqual(['public.p']);
    expect(model.tables.get('public.p')!.columns.map((c) => c.name)).toEqual(['id', 'z']);
    expect([...model.indexes.keys()].sort()).toEqual(['public.p_pkey', 'public.p_z_key']);
    expect(diagnostics.filter((d) => d.kind === 'rejected').map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual([
      '2:47 PostgreSQL rejects this CREATE TABLE public.c: column "parent_id" referenced in foreign key constraint does not exist; the statement has no effect',
      '3:46 PostgreSQL rejects this CREATE TABLE public.d: column "pid" referenced in foreign key constraint does not exist; the statement has no effect',
      '4:25 PostgreSQL rejects this CREATE TABLE public.e: column "idd" does not exist; the statement has no effect',
      '5:54 PostgreSQL rejects this CREATE TABLE public.f: column "taken_at" named in partition key does not exist; the statement has no effect',
      '6:1 PostgreSQL rejects this CREATE INDEX on public.p: column "nope" does not exist; the statement has no effect',
      '7:1 PostgreSQL rejects this CREATE INDEX on public.p: column "nope" does not exist; the statement has no effect',
      '8:37 PostgreSQL rejects this ALTER TABLE public.p: column "y" named in key does not exist; the statement has no effect',
    ]);
    // No finding on a table that does not exist, so no fix that would fail with "relation … does not exist".
    // (The schema-level audit note names the schema, not a table.)
    expect(lintModel(model).filter((f) => f.object.name !== 'p' && f.object.kind !== 'schema')).toEqual([]);
  });

  test('a real server loading the same SQL ends with the same tables, columns and indexes', async () => {
    const db = 'rejections';
    const url = await cluster.createDatabase(db);
    const file = path.join(dir, 'rejected.sql');
    writeFileSync(file, REJECTED);
    const result = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=0', '-d', url, '-f', file], { encoding: 'utf8' });
    expect((result.stderr.match(/ERROR:/g) ?? []).length).toBe(7);
    const live = await readCatalog({ url });
    const { model } = await ddlModel([{ file: 'x.sql', text: REJECTED }]);
    expect([...live.tables.keys()].sort()).toEqual([...model.tables.keys()].sort());
    expect(live.tables.get('public.p')!.columns.map((c) => c.name)).toEqual(model.tables.get('public.p')!.columns.map((c) => c.name));
    expect([...live.indexes.keys()].sort()).toEqual([...model.indexes.keys()].sort());
  }, 60_000);

  test('the CLI prints the diagnostic without --verbose', async () => {
    const file = path.join(dir, 'cli.sql');
    writeFileSync(file, REJECTED);
    const result = await runCli([file, '--fail-on', 'never']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`${file}:2:47: rejected: PostgreSQL rejects this CREATE TABLE public.c: column "parent_id" referenced in foreign key constraint does not exist`);
  });

  test('lenient where the object is not defined (yet): FKs to other folders, out-of-order statements', async () => {
    const { model, diagnostics } = await ddlModel([
      {
        file: 'x.sql',
        text:
          'CREATE INDEX orders_customer_idx ON orders (customer_id);\n' +
          'CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES billing.customers (id));\n' +
          'ALTER TABLE orders ADD COLUMN note text, ADD CONSTRAINT orders_note_key UNIQUE (note);\n',
      },
    ]);
    expect(diagnostics.filter((d) => d.kind === 'rejected')).toEqual([]);
    expect(model.indexes.has('public.orders_customer_idx')).toBe(true);
    expect(model.indexes.has('public.orders_note_key')).toBe(true);
    expect(model.tables.get('public.orders')!.constraints.find((c) => c.kind === 'foreign')!.foreignKey).toMatchObject({ table: 'billing.customers', resolved: false });
  });

  test('an index on a table that never appears is rejected once the input is read', async () => {
    const { diagnostics } = await ddlModel([{ file: 'x.sql', text: 'CREATE INDEX ghost_idx ON ghost (id);' }]);
    expect(diagnostics.filter((d) => d.kind === 'rejected').map((d) => d.message)).toEqual([
      'PostgreSQL rejects this CREATE INDEX: relation "ghost" does not exist; the statement has no effect',
    ]);
  });
});
