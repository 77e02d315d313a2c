/** DDL mode's reading of SQL: positions, psql lines, recovery, naming, statement effects. */
import { describe, expect, test } from '@jest/globals';
import { ddlModel } from './support/lint.js';
import { blankPsqlLines, SourceText } from '../src/sources/ddl/text.js';
import { naturalCompare } from '../src/sources/ddl/migration-layout.js';
import { fixObjectName, makeObjectName, quoteIdent } from '../src/fix/sql.js';
import { loadParser } from '../src/sql/parser.js';

describe('positions', () => {
  test('UTF-8 byte offsets become 1-based lines and UTF-16 columns', () => {
    const source = new SourceText('-- é 🎉\nCREATE TABLE "ü" (x int);');
    const byteOfTable = Buffer.byteLength('-- é 🎉\nCREATE TABLE ');
    expect(source.positionOfByte(byteOfTable)).toEqual({ line: 2, column: 14 });
    const byteAfterEmoji = Buffer.byteLength('-- é 🎉');
    // é is one UTF-16 unit, the emoji two: column 8 is right after it.
    expect(source.positionOfByte(byteAfterEmoji)).toEqual({ line: 1, column: 8 });
  });

  test('a finding region covers the column or constraint, not the statement', async () => {
    const { model } = await ddlModel('CREATE TABLE a (id int PRIMARY KEY);\nCREATE TABLE b (\n  a_id int REFERENCES a (id),\n  note text\n);');
    const fk = model.tables.get('public.b')!.constraints.find((c) => c.kind === 'foreign')!;
    expect(fk.origin).toMatchObject({ line: 3, column: 12, endLine: 3, endColumn: 29 });
    expect(model.tables.get('public.b')!.columns[1].origin).toMatchObject({ line: 4, column: 3, endColumn: 7 });
  });
});

describe('psql and recovery', () => {
  test('meta-command lines and COPY data are blanked, keeping every byte offset', () => {
    const text = "\\restrict abc\nSET x = 1;\nCOPY t (a) FROM stdin;\n1\té\n\\.\nSELECT 1;\n";
    const blanked = blankPsqlLines(text).text;
    expect(Buffer.byteLength(blanked)).toBe(Buffer.byteLength(text));
    expect(blanked.split('\n')[0].trim()).toBe('');
    expect(blanked.split('\n')[3].trim()).toBe('');
    expect(blanked.split('\n')[5]).toBe('SELECT 1;');
  });

  test('a syntax error is located and the other statements still apply, with their real positions', async () => {
    const { model, diagnostics } = await ddlModel('CREATE TABLE a (id int);\nCREATE TABLE broken (id int,, x int);\nCREATE TABLE c (\n  id int\n);');
    expect(diagnostics.filter((d) => d.kind === 'syntax').map((d) => [d.line, d.column])).toEqual([[2, 29]]);
    expect([...model.tables.keys()]).toEqual(['public.a', 'public.c']);
    expect(model.tables.get('public.c')!.columns[0].origin).toMatchObject({ line: 4, column: 3 });
  });

  test('psql variables are reported as psql-only, not as syntax errors', async () => {
    const { diagnostics } = await ddlModel('ALTER DATABASE :DBNAME SET x = 1;\nCREATE TABLE t (id int);');
    expect(diagnostics.map((d) => d.kind)).toEqual(['psql']);
  });
});

describe('names PostgreSQL would choose', () => {
  test('unnamed constraints and indexes', async () => {
    const { model } = await ddlModel(
      'CREATE TABLE p (id int PRIMARY KEY, code text UNIQUE, n int CHECK (n > 0), CHECK (n < id));\n' +
        'CREATE TABLE c (id int, p_id int REFERENCES p, code text);\n' +
        'CREATE INDEX ON c (p_id) INCLUDE (code);\nCREATE INDEX ON c (lower(code), (id + 1));\nCREATE INDEX ON c ((p_id));',
    );
    expect(model.tables.get('public.p')!.constraints.map((c) => c.name).sort()).toEqual(['p_check', 'p_code_key', 'p_n_check', 'p_pkey']);
    expect(model.tables.get('public.c')!.constraints.map((c) => c.name)).toEqual(['c_p_id_fkey']);
    expect(model.tables.get('public.c')!.indexes).toEqual(['public.c_p_id_code_idx', 'public.c_lower_expr_idx', 'public.c_p_id_idx']);
    const fk = model.tables.get('public.c')!.constraints[0];
    if (fk.kind !== 'foreign') throw new Error(`expected a foreign key, got ${fk.kind}`);
    expect(fk.foreignKey.columns).toEqual(['id']);
  });

  test('makeObjectName shortens the longer part first, to 63 bytes', () => {
    const name = makeObjectName('a'.repeat(60), 'b'.repeat(20), 'fkey');
    expect(Buffer.byteLength(name)).toBe(63);
    expect(name).toBe(`${'a'.repeat(37)}_${'b'.repeat(20)}_fkey`);
  });

  test('fix names longer than 63 bytes get a hash suffix; taken names a number', () => {
    const long = fixObjectName(['t'.repeat(70), 'col'], 'fk_idx', () => false);
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^t+_[0-9a-f]{8}_fk_idx$/);
    expect(fixObjectName(['t', 'c'], 'fk_idx', (n) => n === 't_c_fk_idx')).toBe('t_c_fk_idx1');
  });

  test('identifiers are quoted exactly when PostgreSQL needs it', async () => {
    await loadParser();
    expect(['orders', 'Orders', 'order', 'user', 'a b', 'x"y', 'name'].map(quoteIdent)).toEqual([
      'orders', '"Orders"', '"order"', '"user"', '"a b"', '"x""y"', 'name',
    ]);
  });
});

describe('statements', () => {
  test('folders apply in natural order', () => {
    expect(['10_b.sql', '2_a.sql', '1_c.sql'].sort(naturalCompare)).toEqual(['1_c.sql', '2_a.sql', '10_b.sql']);
  });

  test('IF NOT EXISTS keeps the first definition; search_path decides the schema', async () => {
    const { model } = await ddlModel(
      "CREATE SCHEMA app;\nSET search_path = app, public;\nCREATE TABLE t (a int);\nCREATE TABLE IF NOT EXISTS t (b int);\nSELECT pg_catalog.set_config('search_path', '', false);\nCREATE TABLE public.u (id int);",
    );
    expect(model.tables.get('app.t')!.columns.map((c) => c.name)).toEqual(['a']);
    expect(model.tables.has('public.u')).toBe(true);
  });

  test('renames and drops keep references consistent', async () => {
    const { model } = await ddlModel(
      'CREATE TABLE p (id int PRIMARY KEY);\nCREATE TABLE c (id int, p_id int REFERENCES p);\nCREATE INDEX c_p ON c (p_id);\n' +
        'ALTER TABLE p RENAME TO parent;\nALTER TABLE c RENAME COLUMN p_id TO parent_id;\nALTER INDEX c_p RENAME TO c_parent;\nALTER TABLE c DROP COLUMN id;',
    );
    const fk = model.tables.get('public.c')!.constraints[0];
    if (fk.kind !== 'foreign') throw new Error(`expected a foreign key, got ${fk.kind}`);
    expect(fk.foreignKey.table).toBe('public.parent');
    expect(fk.columns).toEqual(['parent_id']);
    expect(model.indexes.get('public.c_parent')!.keys[0].column).toBe('parent_id');
  });

  test('an ON ONLY index stays invalid until every partition has one attached', async () => {
    const sql =
      "CREATE TABLE m (d date) PARTITION BY RANGE (d);\nCREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');\n" +
      "CREATE TABLE m2 PARTITION OF m FOR VALUES FROM ('2026-02-01') TO ('2026-03-01');\nCREATE INDEX m_d ON ONLY m (d);\nCREATE INDEX m1_d ON m1 (d);\nALTER INDEX m_d ATTACH PARTITION m1_d;\n";
    const half = await ddlModel(sql);
    expect(half.model.indexes.get('public.m_d')!.valid).toBe(false);
    const full = await ddlModel(`${sql}CREATE INDEX m2_d ON m2 (d);\nALTER INDEX m_d ATTACH PARTITION m2_d;`);
    expect(full.model.indexes.get('public.m_d')!.valid).toBe(true);
  });

  test('DDL inside a DO block (the idempotent-migration idiom) applies; conditional branches do not', async () => {
    const { model } = await ddlModel(
      'CREATE TABLE t (a int, b int);\nDO $$\nBEGIN\n  ALTER TABLE t ADD CONSTRAINT t_a_check CHECK (a > 0);\nEXCEPTION WHEN duplicate_object THEN NULL;\nEND $$;\n' +
        'DO $$ BEGIN IF false THEN ALTER TABLE t ADD CONSTRAINT t_b_check CHECK (b > 0); END IF; END $$;',
    );
    expect(model.tables.get('public.t')!.constraints.map((c) => c.name)).toEqual(['t_a_check']);
    expect(model.tables.get('public.t')!.constraints[0].origin).toMatchObject({ line: 4 });
  });

  test('DROP FUNCTION takes its triggers along', async () => {
    const { model } = await ddlModel(
      'CREATE TABLE t (a int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n' +
        'CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\nDROP FUNCTION f() CASCADE;',
    );
    expect(model.tables.get('public.t')!.triggers).toEqual([]);
  });

  test('DROP FUNCTION with argument types drops that overload only, and the trigger on another one stays', async () => {
    const { model } = await ddlModel(
      'CREATE TABLE t (a int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n' +
        'CREATE FUNCTION f(integer) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n' +
        'CREATE FUNCTION f(text, int) RETURNS int LANGUAGE sql AS $$ SELECT 2 $$;\n' +
        'CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\n' +
        'DROP FUNCTION f(int);\nDROP FUNCTION public.f(text, integer);',
    );
    expect(model.functions.get('public.f')!.map((fn) => fn.argumentTypes)).toEqual([[]]);
    expect(model.tables.get('public.t')!.triggers.map((trigger) => trigger.name)).toEqual(['tr']);
  });

  test('a typed table (CREATE TABLE … OF type) is left out with an unsupported note, not an internal error', async () => {
    const { model, diagnostics } = await ddlModel(
      'CREATE TYPE person AS (name text, age int);\nCREATE TABLE people OF person (PRIMARY KEY (name), age WITH OPTIONS DEFAULT 0);\nCREATE TABLE other (id int PRIMARY KEY);',
    );
    expect([...model.tables.keys()]).toEqual(['public.other']);
    expect(diagnostics.map((d) => [d.kind, d.line, d.column, d.message])).toEqual([
      ['unsupported', 2, 14, 'CREATE TABLE public.people OF person: typed tables are not modelled; the table is left out'],
    ]);
  });
});
