/**
 * The live-mode queries take shortcuts for speed (issue 12): opclasses decided from pg_opclass instead of parsing
 * pg_get_indexdef, expressions without column references (defaults, partition bounds) printed without opening their
 * table, sequence positions read for narrow columns only, one Expression parse per distinct text. Each
 * shortcut is checked here against what PostgreSQL's own printing functions say for every object of a database built
 * to hit the edges (binary-coercible and extension opclasses, domains, expression keys, generated columns whose trees
 * are identical but whose columns are not).
 */
import pg from 'pg';
import type { Index, SchemaModel } from '../src/model/types.js';
import { indexesQuery } from '../src/sources/catalog/queries.js';
import { readCatalog } from '../src/sources/catalog/read-catalog.js';
import type { IndexRow } from '../src/sources/catalog/rows.js';
import { vanishedIndex } from '../src/sources/catalog/vanished.js';
import { parseBoundText } from '../src/sql/partition-bound.js';
import { loadParser, parseStatements } from '../src/sql/parser.js';
import { releaseCluster, sharedCluster, type Cluster } from './support/pg-cluster.js';

const DB = 'catalog_queries';

const SCHEMA = `
CREATE EXTENSION pg_trgm;
CREATE EXTENSION btree_gist;
CREATE SCHEMA app;
CREATE DOMAIN app.doc AS jsonb;
CREATE DOMAIN app.code AS text;
CREATE TYPE app.mood AS ENUM ('ok', 'sad');

CREATE TABLE app.things (
  id int4 PRIMARY KEY,
  name text,
  label varchar(40),
  short char(3),
  tags text[],
  mood app.mood,
  doc jsonb,
  typed app.doc,
  code app.code,
  during tsrange,
  at timestamptz DEFAULT now(),
  room int4,
  EXCLUDE USING gist (room WITH =, during WITH &&)
);
CREATE INDEX things_name ON app.things (name);
CREATE INDEX things_name_pattern ON app.things (name text_pattern_ops);
CREATE INDEX things_label ON app.things (label);
CREATE INDEX things_label_pattern ON app.things (label varchar_pattern_ops);
-- bpchar_ops is a default opclass, but not varchar's (text_ops is, by the preferred-type rule): printed.
CREATE INDEX things_label_bpchar ON app.things (label bpchar_ops);
CREATE INDEX things_name_varchar ON app.things (name varchar_ops);
CREATE INDEX things_short ON app.things (short);
CREATE INDEX things_tags ON app.things USING gin (tags);
CREATE INDEX things_mood ON app.things (mood);
CREATE INDEX things_doc ON app.things USING gin (doc);
CREATE INDEX things_doc_path ON app.things USING gin (doc jsonb_path_ops);
CREATE INDEX things_typed ON app.things USING gin (typed);
CREATE INDEX things_typed_path ON app.things USING gin (typed jsonb_path_ops);
CREATE INDEX things_code ON app.things (code);
CREATE INDEX things_trgm ON app.things USING gin (name gin_trgm_ops);
CREATE INDEX things_lower ON app.things (lower(name));
CREATE INDEX things_lower_pattern ON app.things (lower(name) text_pattern_ops, id DESC NULLS LAST) INCLUDE (label);
CREATE INDEX things_hash ON app.things USING hash (name);
CREATE INDEX things_brin ON app.things USING brin (at);
CREATE INDEX things_spgist ON app.things USING spgist (name);
CREATE INDEX things_partial ON app.things (id, name) WHERE name IS NOT NULL;
CREATE MATERIALIZED VIEW app.thing_names AS SELECT id, name FROM app.things;
CREATE UNIQUE INDEX thing_names_id ON app.thing_names (id);
CREATE INDEX thing_names_name ON app.thing_names (name text_pattern_ops);

CREATE TABLE app.serials (id serial PRIMARY KEY, other bigserial, at timestamptz DEFAULT now());
`;

let cluster: Cluster;
let model: SchemaModel;

/** What the model's opclasses replace: pg_get_indexdef's text, parsed (the last name of each key's opclass). */
function opclassesFromDefinition(definition: string): Array<string | undefined> {
  const parsed = parseStatements(definition);
  if (!parsed.ok) throw new Error(`unparsable definition: ${definition}`);
  const stmt = parsed.stmts[0].stmt.IndexStmt as { indexParams: Array<{ IndexElem: { opclass?: Array<{ String: { sval: string } }> } }> };
  return stmt.indexParams.map((p) => p.IndexElem.opclass?.at(-1)?.String.sval);
}

async function query<T>(sql: string): Promise<T[]> {
  return cluster.query<T>(DB, sql);
}

beforeAll(async () => {
  await loadParser();
  cluster = await sharedCluster();
  await cluster.createDatabase(DB);
  await cluster.query(DB, SCHEMA);
  // Generated columns whose stored trees are byte for byte the same (a Var of attribute 1 times 2, at the same
  // text offsets: one statement each, names of the same length) but that name different columns.
  for (const [table, column] of [['left_side', 'a'], ['right_side', 'x']]) {
    await cluster.query(DB, `CREATE TABLE app.${table.padEnd(10, '_')} (${column} int4, doubled int4 GENERATED ALWAYS AS (${column} * 2) STORED, flag bool DEFAULT false, n int4 DEFAULT 0)`);
  }
  model = await readCatalog({ url: cluster.superuserUrl(DB) });
});

afterAll(async () => {
  await releaseCluster();
});

describe('indexes without pg_get_indexdef', () => {
  test('every key opclass is the one pg_get_indexdef prints, and only that', async () => {
    const printed = await query<{ name: string; definition: string }>(
      `SELECT n.nspname || '.' || c.relname AS name, pg_get_indexdef(c.oid) AS definition
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('i', 'I') AND n.nspname = 'app'`,
    );
    expect(printed.length).toBe(26); // 23 on app.things, 2 on the materialized view, the serials' key
    for (const { name, definition } of printed) {
      const index = model.indexes.get(name) as Index;
      expect([name, index.keys.map((k) => k.opclass)]).toEqual([name, opclassesFromDefinition(definition).slice(0, index.keys.length)]);
    }
    // The cases that matter to the rules, spelled out.
    const opclass = (name: string) => model.indexes.get(`app.${name}`)!.keys.map((k) => k.opclass);
    expect(opclass('things_doc_path')).toEqual(['jsonb_path_ops']);
    expect(opclass('things_typed_path')).toEqual(['jsonb_path_ops']);
    expect(opclass('things_trgm')).toEqual(['gin_trgm_ops']);
    expect(opclass('things_lower_pattern')).toEqual(['text_pattern_ops', undefined]);
    expect(opclass('things_doc')).toEqual([undefined]);
    expect(opclass('things_label')).toEqual([undefined]);
    expect(opclass('things_label_bpchar')).toEqual(['bpchar_ops']);
    expect(opclass('things_name_varchar')).toEqual(['varchar_ops']);
  });

  test('key columns, expressions, INCLUDE columns and the implementing constraint come from the catalog columns', () => {
    const index = model.indexes.get('app.things_lower_pattern')!;
    expect(index.keys.map((k) => k.column ?? k.expression?.text)).toEqual(['lower(name)', 'id']);
    expect(index.keys.map((k) => k.descending)).toEqual([false, true]);
    expect(index.include).toEqual(['label']);
    expect(model.indexes.get('app.things_partial')!.predicate?.text).toBe('name IS NOT NULL');
    expect(model.indexes.get('app.things_pkey')!.constraint).toBe('things_pkey');
    const exclusion = [...model.indexes.values()].find((i) => i.table === 'app.things' && i.method === 'gist')!;
    expect(exclusion.constraint).toBe(exclusion.name);
    expect(exclusion.keys.map((k) => k.column)).toEqual(['room', 'during']);
    expect(model.materializedViews.get('app.thing_names')!.indexes.sort()).toEqual(['app.thing_names_id', 'app.thing_names_name']);
    expect(model.indexes.get('app.thing_names_name')!.keys[0]).toMatchObject({ column: 'name', opclass: 'text_pattern_ops' });
  });

  test('the full definition is printed only where the catalog cannot decide the opclasses', async () => {
    const client = new pg.Client({ connectionString: cluster.superuserUrl(DB) });
    await client.connect();
    try {
      const rows = (await client.query<IndexRow>(indexesQuery())).rows;
      const printed = rows.filter((r) => r.definition !== null).map((r) => r.name).sort();
      // A default opclass for a polymorphic or coercible input type (varchar under text_ops, array_ops, enum_ops,
      // range_ops for the exclusion's tsrange) or on an expression key: undecided. Columns of the opclass's own type
      // (char under bpchar_ops, a domain over text under text_ops) and non-default opclasses: decided.
      expect(printed).toEqual(['things_label', 'things_label_bpchar', 'things_lower', 'things_mood', 'things_room_during_excl', 'things_tags']);
      for (const row of rows) expect(row.opclasses === null).toBe(row.definition !== null);
      // Expression texts only at expression positions.
      const lower = rows.find((r) => r.name === 'things_lower_pattern')!;
      expect(lower.key_texts).toEqual(['lower(name)', null]);
      expect(rows.find((r) => r.name === 'things_name')!.key_texts).toEqual([]);
    } finally {
      await client.end();
    }
  });
});

describe('defaults and expressions', () => {
  test('every default and generated expression reads as pg_get_expr prints it for its own column', async () => {
    const printed = await query<{ table: string; column: string; text: string }>(
      `SELECT n.nspname || '.' || c.relname AS table, a.attname AS column, pg_get_expr(d.adbin, d.adrelid, true) AS text
       FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
       JOIN pg_class c ON c.oid = d.adrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'app'`,
    );
    expect(printed.length).toBe(10);
    for (const { table, column, text } of printed) {
      const found = model.tables.get(table)!.columns.find((c) => c.name === column)!;
      expect([table, column, found.default?.text]).toEqual([table, column, text]);
    }
    // Identical trees, different columns: each side names its own.
    const trees = await query<{ tree: string }>(
      `SELECT d.adbin::text AS tree FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE a.attname = 'doubled'`,
    );
    expect(trees.length).toBe(2);
    expect(trees[0].tree).toBe(trees[1].tree);
    expect(model.tables.get('app.left_side_')!.columns[1].default).toMatchObject({ text: 'a * 2', columns: ['a'] });
    expect(model.tables.get('app.right_side')!.columns[1].default).toMatchObject({ text: 'x * 2', columns: ['x'] });
  });

  test('partition bounds, printed without opening the partition, read as pg_get_expr prints them for it', async () => {
    await cluster.query(
      DB,
      `CREATE TABLE app.ranged (id int8, at timestamptz, kind text) PARTITION BY RANGE (at);
       CREATE TABLE app.ranged_q1 PARTITION OF app.ranged FOR VALUES FROM ('2025-01-01') TO ('2025-04-01') PARTITION BY LIST (kind);
       CREATE TABLE app.ranged_q1_a PARTITION OF app.ranged_q1 FOR VALUES IN ('a', NULL);
       CREATE TABLE app.ranged_q1_rest PARTITION OF app.ranged_q1 DEFAULT;
       CREATE TABLE app.ranged_max PARTITION OF app.ranged FOR VALUES FROM ('2025-04-01') TO (MAXVALUE);
       CREATE TABLE app.hashed (id int8) PARTITION BY HASH (id);
       CREATE TABLE app.hashed_0 PARTITION OF app.hashed FOR VALUES WITH (MODULUS 2, REMAINDER 0);`,
    );
    try {
      const live = await readCatalog({ url: cluster.superuserUrl(DB) });
      const printed = await query<{ name: string; bound: string }>(
        `SELECT n.nspname || '.' || c.relname AS name, pg_get_expr(c.relpartbound, c.oid, true) AS bound
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relispartition AND c.relkind IN ('r', 'p') AND n.nspname = 'app'`,
      );
      expect(printed.length).toBe(5);
      for (const { name, bound } of printed) {
        expect(parseBoundText(bound)).toBeDefined();
        expect([name, live.tables.get(name)?.partitionOf?.bound]).toEqual([name, parseBoundText(bound)]);
      }
    } finally {
      await cluster.query(DB, 'DROP TABLE app.ranged, app.hashed');
    }
  });

  test('columns that share a default text still get an Expression and a columns list of their own', () => {
    const left = model.tables.get('app.left_side_')!.columns.find((c) => c.name === 'flag')!.default!;
    const right = model.tables.get('app.right_side')!.columns.find((c) => c.name === 'flag')!.default!;
    expect(left.text).toBe('false');
    expect(right).toEqual(left);
    expect(right).not.toBe(left);
    expect(right.columns).not.toBe(left.columns);
    const nows = [model.tables.get('app.things')!, model.tables.get('app.serials')!].map((t) => t.columns.find((c) => c.name === 'at')!.default!);
    expect(nows[0].text).toBe('now()');
    expect(nows[0].ast).toBeDefined();
    expect(nows[1]).toEqual(nows[0]);
  });

  test('sequence figures for serial columns, read per column', () => {
    const serials = model.tables.get('app.serials')!;
    expect(serials.columns.map((c) => c.sequenceUsage?.sequence)).toEqual(['app.serials_id_seq', 'app.serials_other_seq', undefined]);
    expect(serials.columns[0].sequenceUsage).toMatchObject({ maxValue: 2147483647, increment: 1, lastValue: undefined });
  });

  test('how far a sequence has gone: read for columns narrower than bigint, not for bigint ones', async () => {
    await cluster.query(DB, 'CREATE TABLE app.used (id serial PRIMARY KEY, big bigserial, small smallserial); INSERT INTO app.used DEFAULT VALUES; INSERT INTO app.used DEFAULT VALUES');
    try {
      const used = (await readCatalog({ url: cluster.superuserUrl(DB) })).tables.get('app.used')!;
      expect(used.columns.map((c) => [c.name, c.sequenceUsage])).toEqual([
        ['id', { sequence: 'app.used_id_seq', lastValue: 2, maxValue: 2147483647, increment: 1 }],
        // A bigint column cannot run out before its sequence does: its position is not read (no relation opened).
        ['big', { sequence: 'app.used_big_seq', lastValue: undefined, maxValue: Number('9223372036854775807'), increment: 1 }],
        ['small', { sequence: 'app.used_small_seq', lastValue: 2, maxValue: 32767, increment: 1 }],
      ]);
    } finally {
      await cluster.query(DB, 'DROP TABLE app.used');
    }
  });
});

describe('constraint key columns named from the columns rows', () => {
  test('every constraint lists the columns its conkey numbers, in key order, across dropped columns', async () => {
    await cluster.query(
      DB,
      `CREATE TABLE app.gappy (a int4, b int4, c int4 NOT NULL, d int4, e text);
       ALTER TABLE app.gappy DROP COLUMN b;
       ALTER TABLE app.gappy ADD PRIMARY KEY (c), ADD UNIQUE (e, a), ADD CONSTRAINT gappy_self FOREIGN KEY (d) REFERENCES app.gappy (c),
         ADD CONSTRAINT gappy_excl EXCLUDE USING btree (d WITH =), ADD CONSTRAINT gappy_check CHECK (d > a);`,
    );
    try {
      const live = await readCatalog({ url: cluster.superuserUrl(DB) });
      const expected = await query<{ table: string; name: string; columns: string[]; ref_columns: string[] }>(
        `SELECT n.nspname || '.' || c.relname AS table, con.conname AS name,
                ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
                      JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.ord) AS columns,
                ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
                      JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.ord) AS ref_columns
         FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'app' AND con.contype IN ('p', 'u', 'f', 'x')`,
      );
      expect(expected.filter((row) => row.table === 'app.gappy').length).toBe(4);
      for (const row of expected) {
        const found = live.tables.get(row.table)!.constraints.find((c) => c.name === row.name)!;
        const refColumns = found.kind === 'foreign' ? found.foreignKey.columns : [];
        expect([row.table, row.name, found.columns, refColumns]).toEqual([row.table, row.name, row.columns, row.ref_columns]);
      }
      const gappy = live.tables.get('app.gappy')!;
      expect(gappy.constraints.find((c) => c.name === 'gappy_e_a_key')?.columns).toEqual(['e', 'a']);
      // A CHECK names its columns as its expression does.
      expect(gappy.constraints.find((c) => c.name === 'gappy_check')?.columns).toEqual(['d', 'a']);
    } finally {
      await cluster.query(DB, 'DROP TABLE app.gappy');
    }
  });
});

describe('objects dropped while read', () => {
  const row = (changes: Partial<IndexRow>): IndexRow => ({
    oid: 1, schema: 's', name: 'i', relid: 2, method: 'btree', is_unique: false, is_primary: false, valid: true,
    partitioned: false, key_count: 2, attnums: [0, 3], attnames: [null, 'b'], key_texts: ['lower(a)', null],
    key_options: [0, 0], opclasses: [null, null], definition: null, predicate: null, parent_schema: null,
    parent_name: null, constraint_name: null, comment: null, ...changes,
  });

  test('an index counts as dropped when a text it needed came back NULL, not for the texts it never asked for', () => {
    expect(vanishedIndex(row({}))).toBeUndefined();
    expect(vanishedIndex(row({ key_texts: [null, null] }))).toBe('index s.i');
    expect(vanishedIndex(row({ opclasses: null }))).toBe('index s.i');
    expect(vanishedIndex(row({ opclasses: null, definition: 'CREATE INDEX i ON s.t (lower(a), b)' }))).toBeUndefined();
    expect(vanishedIndex(row({ attnums: [1, 3], attnames: ['a', 'b'], key_texts: [] }))).toBeUndefined();
  });
});
