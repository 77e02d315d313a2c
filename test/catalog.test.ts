/**
 * Live mode against a real PostgreSQL server (test/support/pg-cluster.ts starts one): the model read from
 * pg_catalog, and the one-line errors for each way connecting can go wrong.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Expression, SchemaModel } from '../src/model/types.js';
import { CatalogError, connect } from '../src/sources/catalog/connect.js';
import { startHelper } from '../src/sources/catalog/helper-connection.js';
import { attemptCount, helperUsed, queryCount, readCatalog } from '../src/sources/catalog/read-catalog.js';
import { loadParser } from '../src/sql/parser.js';
import { parseExpressionText } from '../src/sql/expression.js';
import { omit } from './support/omit.js';
import { releaseCluster, sharedCluster, type Cluster } from './support/pg-cluster.js';

const SCHEMA = `
CREATE EXTENSION pg_trgm;
CREATE EXTENSION hstore;
CREATE SCHEMA app;
CREATE SCHEMA "Ünïcode Schéma";

CREATE DOMAIN app.payload AS jsonb NOT NULL CONSTRAINT payload_is_object CHECK (jsonb_typeof(VALUE) = 'object');
CREATE DOMAIN app.codes AS varchar(8)[];
CREATE TYPE app.status AS ENUM ('new', 'done');
CREATE TYPE app.pair AS (a int4, b text);
CREATE SEQUENCE app.counter;

CREATE TABLE app.regions (code text PRIMARY KEY) PARTITION BY LIST (code);
CREATE TABLE app.regions_eu PARTITION OF app.regions FOR VALUES IN ('eu');
CREATE TABLE app.regions_us PARTITION OF app.regions FOR VALUES IN ('us', 'ca');

CREATE TABLE app.customers (
  tenant_id int4 NOT NULL,
  id int8 GENERATED ALWAYS AS IDENTITY,
  email varchar(255) NOT NULL,
  balance numeric(10,2) DEFAULT 0,
  code char(3),
  tags text[],
  grid int4[][],
  attrs hstore,
  doc jsonb,
  status app.status NOT NULL DEFAULT 'new',
  region text REFERENCES app.regions,
  CONSTRAINT customers_pkey PRIMARY KEY (tenant_id, id)
) WITH (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.01);
ALTER TABLE app.customers ALTER COLUMN doc SET STORAGE EXTERNAL;
ALTER TABLE app.customers ALTER COLUMN email SET COMPRESSION pglz;
COMMENT ON TABLE app.customers IS 'people who pay';
COMMENT ON COLUMN app.customers.email IS 'login';
COMMENT ON CONSTRAINT customers_pkey ON app.customers IS 'tenant first';

CREATE TABLE app.events (
  id bigserial,
  tenant_id int4 NOT NULL,
  customer_id int8,
  created_at timestamptz NOT NULL DEFAULT now(),
  kind text NOT NULL,
  body app.payload,
  total int4 GENERATED ALWAYS AS (tenant_id * 2) STORED,
  PRIMARY KEY (id, created_at, kind),
  CONSTRAINT events_customer_fkey FOREIGN KEY (tenant_id, customer_id) REFERENCES app.customers (tenant_id, id)
    MATCH FULL ON DELETE CASCADE ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED
) PARTITION BY RANGE (created_at);
CREATE TABLE app.events_2024_01 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2024-02-01 00:00:00') PARTITION BY LIST (kind);
CREATE TABLE app.events_2024_01_click PARTITION OF app.events_2024_01 FOR VALUES IN ('click', 'view');
CREATE TABLE app.events_2024_01_other PARTITION OF app.events_2024_01 DEFAULT;
CREATE TABLE app.events_2024_02 PARTITION OF app.events FOR VALUES FROM ('2024-02-01 01:00:00+01') TO ('2024-03-01');
CREATE TABLE app.events_default PARTITION OF app.events DEFAULT;
ALTER TABLE app.events ADD CONSTRAINT events_kind_check CHECK (kind <> '') NOT VALID;

CREATE INDEX events_customer_idx ON ONLY app.events (tenant_id, customer_id);
CREATE INDEX events_2024_02_customer_idx ON app.events_2024_02 (tenant_id, customer_id);
ALTER INDEX app.events_customer_idx ATTACH PARTITION app.events_2024_02_customer_idx;
CREATE INDEX events_kind_lower_idx ON app.events (lower(kind) text_pattern_ops DESC NULLS LAST, created_at) INCLUDE (tenant_id) WHERE kind IS NOT NULL;
CREATE INDEX customers_doc_gin ON app.customers USING gin (doc jsonb_path_ops);
CREATE INDEX customers_email_trgm ON app.customers USING gin (email gin_trgm_ops);
COMMENT ON INDEX app.customers_doc_gin IS 'containment';

CREATE TABLE app.hashy (id int4, name text) PARTITION BY HASH (id, (id + 1), lower(name));
CREATE TABLE app.hashy_0 PARTITION OF app.hashy FOR VALUES WITH (modulus 2, remainder 0);
CREATE TABLE app.hashy_1 PARTITION OF app.hashy FOR VALUES WITH (modulus 2, remainder 1);

CREATE UNLOGGED TABLE app.base (id int4 CONSTRAINT base_id_positive CHECK (id > 0));
CREATE UNLOGGED TABLE app.child (note text) INHERITS (app.base);

CREATE TABLE app.bookings (room int4, during tstzrange, EXCLUDE USING gist (during WITH &&));
CREATE TABLE app.orders (id int4 PRIMARY KEY, customer_tenant int4, customer_id int8);
ALTER TABLE app.orders ADD CONSTRAINT orders_customer_fkey FOREIGN KEY (customer_tenant, customer_id)
  REFERENCES app.customers NOT VALID;

CREATE MATERIALIZED VIEW app.daily AS SELECT tenant_id, count(*) AS n FROM app.customers GROUP BY tenant_id WITH NO DATA;
CREATE UNIQUE INDEX daily_tenant_idx ON app.daily (tenant_id);
CREATE VIEW app.recent AS SELECT * FROM app.orders;

CREATE FUNCTION app.audit() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$;
CREATE FUNCTION app.add(a int4, b int4) RETURNS int4 LANGUAGE sql AS 'SELECT a + b';
CREATE FUNCTION app.add(a numeric[], VARIADIC b text[]) RETURNS SETOF app.payload LANGUAGE sql AS 'SELECT NULL::app.payload';
CREATE FUNCTION app.twice(x int4) RETURNS int4 LANGUAGE sql BEGIN ATOMIC SELECT x * 2; END;
CREATE FUNCTION app.recent_insert() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;

CREATE TRIGGER events_audit AFTER INSERT OR UPDATE OR DELETE ON app.events FOR EACH ROW EXECUTE FUNCTION app.audit('a', 'b c');
CREATE TRIGGER customers_truncate BEFORE TRUNCATE ON app.customers FOR EACH STATEMENT EXECUTE FUNCTION app.audit();
ALTER TABLE app.customers DISABLE TRIGGER customers_truncate;
CREATE TRIGGER recent_insert INSTEAD OF INSERT ON app.recent FOR EACH ROW EXECUTE FUNCTION app.recent_insert();

-- Attached after the fact: its constraints, index and trigger become clones of the parent's.
CREATE TABLE app.events_2024_03 (LIKE app.events INCLUDING DEFAULTS INCLUDING GENERATED, CONSTRAINT events_kind_check CHECK (kind <> ''));
ALTER TABLE app.events ATTACH PARTITION app.events_2024_03 FOR VALUES FROM ('2024-03-01') TO ('2024-04-01');

CREATE TABLE "Ünïcode Schéma"."Mixed Case" ("Id" int4 PRIMARY KEY, "select" text, "naïve col" text);
CREATE INDEX "Idx Ünï" ON "Ünïcode Schéma"."Mixed Case" ("naïve col") WHERE "select" IS NOT NULL;

CREATE TABLE app.dupes (v int4);
INSERT INTO app.dupes VALUES (1), (1);
`;

const DATA = `
INSERT INTO app.regions VALUES ('eu'), ('us');
INSERT INTO app.customers (tenant_id, email, region) SELECT 1, 'user' || g, 'eu' FROM generate_series(1, 300) g;
UPDATE app.customers SET email = email || '.x' WHERE id <= 10;
INSERT INTO app.events (tenant_id, customer_id, created_at, kind, body)
  SELECT 1, g % 300 + 1, '2024-01-01'::timestamptz + (g % 50) * interval '1 day', CASE WHEN g % 2 = 0 THEN 'click' ELSE 'buy' END, '{}'
  FROM generate_series(1, 1000) g;
DELETE FROM app.events WHERE customer_id = 1;
ANALYZE app.customers;
ANALYZE app.events;
`;

let cluster: Cluster;
let model: SchemaModel;
let alias: string;
let workDir: string;
const DB = 'catalog_model';

/** Expressions compared by text and referenced columns; the tree must be the parser's tree of that text. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [k, plain(v)]));
  if (!value || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  if ('text' in record && 'ast' in record && 'columns' in record) {
    const expression = record as unknown as Expression;
    expect(expression.ast).toEqual(parseExpressionText(expression.text)?.ast);
    expect(expression.ast).toBeTruthy();
    return { text: expression.text, columns: expression.columns };
  }
  return Object.fromEntries(Object.entries(record).filter(([k]) => k !== 'origin').map(([k, v]) => [k, plain(v)]));
}

const int4 = { schema: 'pg_catalog', name: 'int4', arrayDims: 0, modifiers: [] };
const int8 = { schema: 'pg_catalog', name: 'int8', arrayDims: 0, modifiers: [] };
const text = { schema: 'pg_catalog', name: 'text', arrayDims: 0, modifiers: [] };
const timestamptz = { schema: 'pg_catalog', name: 'timestamptz', arrayDims: 0, modifiers: [] };
const payload = { schema: 'app', name: 'payload', arrayDims: 0, modifiers: [] };

/** A table and all partitions below it (pg_partition_tree returns nothing for a table that is not partitioned). */
const TREE = '(SELECT relid FROM pg_partition_tree($1::regclass) UNION SELECT $1::regclass) tree';

/** pg_stat counters reach the shared stats asynchronously after the writing session ends. */
async function waitForCounters(db: string, table: string, inserts: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const [row] = await cluster.query<{ n: string }>(
      db,
      `SELECT coalesce(sum(pg_stat_get_tuples_inserted(relid)), 0) AS n FROM ${TREE}`,
      [table],
    );
    if (Number(row.n) >= inserts) return;
    if (Date.now() > deadline) throw new Error(`stats for ${table} never reached ${inserts} inserts (have ${row.n})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  await loadParser();
  cluster = await sharedCluster();
  workDir = mkdtempSync(join(tmpdir(), 'catalog-test-'));
  await cluster.createDatabase(DB);
  const schemaFile = join(workDir, 'schema.sql');
  writeFileSync(schemaFile, SCHEMA);
  await cluster.psqlFile(DB, schemaFile);
  // A failed concurrent build of a unique index leaves the index behind, invalid.
  await expect(cluster.query(DB, 'CREATE UNIQUE INDEX CONCURRENTLY dupes_v_key ON app.dupes (v)')).rejects.toThrow(/could not create unique index/);
  await cluster.query(DB, DATA);
  await waitForCounters(DB, 'app.events', 1000);
  await waitForCounters(DB, 'app.customers', 300);
  alias = `${cluster.host}:${cluster.port}/${DB}`;
  model = await readCatalog({ url: cluster.superuserUrl(DB) });
});

afterAll(async () => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  await releaseCluster();
});

describe('readCatalog: objects', () => {
  test('source, schemas and extensions; extension objects stay out', () => {
    expect(model.source).toEqual({ kind: 'database', database: alias, serverVersion: expect.any(Number) as unknown });
    expect((model.source as { serverVersion: number }).serverVersion).toBeGreaterThanOrEqual(130000);
    expect([...model.schemas.keys()].sort()).toEqual(['app', 'public', 'Ünïcode Schéma']);
    expect(plain(model.extensions)).toEqual({
      hstore: { name: 'hstore', schema: 'public' },
      pg_trgm: { name: 'pg_trgm', schema: 'public' },
    });
    // hstore and pg_trgm install dozens of functions, types and operators classes in public: none is the schema's own.
    expect([...model.functions.keys()].sort()).toEqual(['app.add', 'app.audit', 'app.recent_insert', 'app.twice']);
    expect([...model.otherRelations.keys()].filter((k) => k.startsWith('public.'))).toEqual([]);
    expect([...model.domains.keys()].sort()).toEqual(['app.codes', 'app.payload']);
  });

  test('every table and partition, nothing else', () => {
    expect([...model.tables.keys()].sort()).toEqual([
      'app.base', 'app.bookings', 'app.child', 'app.customers', 'app.dupes', 'app.events', 'app.events_2024_01',
      'app.events_2024_01_click', 'app.events_2024_01_other', 'app.events_2024_02', 'app.events_2024_03',
      'app.events_default', 'app.hashy', 'app.hashy_0', 'app.hashy_1', 'app.orders', 'app.regions', 'app.regions_eu',
      'app.regions_us', 'Ünïcode Schéma.Mixed Case',
    ]);
  });

  test('an ordinary table with every kind of column detail', () => {
    const { stats, ...customers } = model.tables.get('app.customers')!;
    expect(stats?.estimatedRows).toBe(300);
    expect(plain(customers)).toEqual({
      schema: 'app',
      name: 'customers',
      kind: 'table',
      persistence: 'permanent',
      columns: [
        { name: 'tenant_id', type: int4, notNull: true },
        {
          name: 'id', type: int8, notNull: true, identity: 'always',
          // Live mode only: the identity's sequence; how far it has gone (300 rows inserted) is read for narrower
          // columns only, since a bigint column cannot run out before its sequence (sequences.ts).
          sequenceUsage: { sequence: 'app.customers_id_seq', maxValue: Number('9223372036854775807'), increment: 1 },
        },
        { name: 'email', type: { ...text, name: 'varchar', modifiers: [255] }, notNull: true, compression: 'pglz', comment: 'login' },
        { name: 'balance', type: { ...text, name: 'numeric', modifiers: [10, 2] }, notNull: false, default: { text: '0', columns: [] } },
        { name: 'code', type: { ...text, name: 'bpchar', modifiers: [3] }, notNull: false },
        { name: 'tags', type: { ...text, arrayDims: 1 }, notNull: false },
        { name: 'grid', type: { ...int4, arrayDims: 2 }, notNull: false },
        { name: 'attrs', type: { schema: 'public', name: 'hstore', arrayDims: 0, modifiers: [] }, notNull: false },
        { name: 'doc', type: { ...text, name: 'jsonb' }, notNull: false, storage: 'external' },
        {
          name: 'status',
          type: { schema: 'app', name: 'status', arrayDims: 0, modifiers: [] },
          notNull: true,
          default: { text: "'new'::app.status", columns: [] },
        },
        { name: 'region', type: text, notNull: false },
      ],
      constraints: [
        {
          name: 'customers_pkey', kind: 'primary', columns: ['tenant_id', 'id'], validated: true, enforced: true,
          deferrable: false, index: 'app.customers_pkey', comment: 'tenant first',
        },
        // One FK although app.regions is partitioned: the per-partition clones PostgreSQL adds are not listed.
        {
          name: 'customers_region_fkey', kind: 'foreign', columns: ['region'], validated: true, enforced: true,
          deferrable: false,
          foreignKey: { table: 'app.regions', columns: ['code'], resolved: true, onDelete: 'a', onUpdate: 'a', match: 's' },
        },
      ],
      indexes: ['app.customers_pkey', 'app.customers_doc_gin', 'app.customers_email_trgm'],
      triggers: [
        {
          name: 'customers_truncate', table: 'app.customers', timing: 'before', events: ['truncate'], level: 'statement',
          enabled: 'D', function: 'app.audit', arguments: [], inherited: false, constraintTrigger: false,
        },
      ],
      partitions: [],
      inherits: [],
      options: { fillfactor: '70', autovacuum_vacuum_scale_factor: '0.01' },
      comment: 'people who pay',
    });
  });

  test('origins name the database alias and the object, never a user', () => {
    const customers = model.tables.get('app.customers')!;
    const origin = (object: string) => ({ kind: 'database', database: alias, object });
    expect(customers.origin).toEqual(origin('table app.customers'));
    expect(customers.columns[2].origin).toEqual(origin('column app.customers.email'));
    expect(customers.constraints[1].origin).toEqual(origin('constraint app.customers.customers_region_fkey'));
    expect(customers.triggers[0].origin).toEqual(origin('trigger app.customers.customers_truncate'));
    expect(model.indexes.get('app.customers_doc_gin')!.origin).toEqual(origin('index app.customers_doc_gin'));
    expect(model.functions.get('app.add')![1].origin).toEqual(origin('function app.add(numeric[], text[])'));
    expect(model.domains.get('app.payload')!.origin).toEqual(origin('domain app.payload'));
    expect(model.schemas.get('Ünïcode Schéma')!.origin).toEqual(origin('schema Ünïcode Schéma'));
    expect(model.tables.get('Ünïcode Schéma.Mixed Case')!.origin).toEqual(origin('table Ünïcode Schéma.Mixed Case'));
    const serialized = JSON.stringify(plain(model)) + JSON.stringify([...model.tables.values()].map((t) => t.origin));
    if (cluster.superuserPassword) expect(serialized).not.toContain(cluster.superuserPassword);
    expect(serialized).not.toContain('postgres@');
  });

  test('partitioned parent: range key, partitions by name, NOT VALID check, partitioned indexes, row trigger', () => {
    const events = omit(model.tables.get('app.events')!, 'stats');
    expect(plain(events)).toMatchObject({
      kind: 'partitioned',
      partitionBy: { strategy: 'range', keys: [{ column: 'created_at' }] },
      partitions: ['app.events_2024_01', 'app.events_2024_02', 'app.events_2024_03', 'app.events_default'],
      indexes: ['app.events_pkey', 'app.events_customer_idx', 'app.events_kind_lower_idx'],
      triggers: [
        {
          name: 'events_audit', table: 'app.events', timing: 'after', events: ['insert', 'update', 'delete'], level: 'row',
          enabled: 'O', function: 'app.audit', arguments: ['a', 'b c'], inherited: false, constraintTrigger: false,
        },
      ],
    });
    expect(events.partitionOf).toBeUndefined();
    expect(plain(events.columns.map((c) => [c.name, c.type, c.default, c.generated]))).toEqual([
      ['id', int8, { text: "nextval('app.events_id_seq'::regclass)", columns: [] }, undefined],
      ['tenant_id', int4, undefined, undefined],
      ['customer_id', int8, undefined, undefined],
      ['created_at', timestamptz, { text: 'now()', columns: [] }, undefined],
      ['kind', text, undefined, undefined],
      ['body', payload, undefined, undefined],
      ['total', int4, { text: 'tenant_id * 2', columns: ['tenant_id'] }, 'stored'],
    ]);
    expect(plain(events.constraints)).toEqual([
      {
        name: 'events_customer_fkey', kind: 'foreign', columns: ['tenant_id', 'customer_id'], validated: true,
        enforced: true, deferrable: true,
        foreignKey: { table: 'app.customers', columns: ['tenant_id', 'id'], resolved: true, onDelete: 'c', onUpdate: 'n', match: 'f' },
      },
      {
        name: 'events_kind_check', kind: 'check', columns: ['kind'], validated: false, enforced: true, deferrable: false,
        check: { text: "kind <> ''::text", columns: ['kind'] },
      },
      {
        name: 'events_pkey', kind: 'primary', columns: ['id', 'created_at', 'kind'], validated: true, enforced: true,
        deferrable: false, index: 'app.events_pkey',
      },
    ]);
  });

  test('sub-partitions and DEFAULT partitions; bounds printed in UTC', () => {
    const sub = model.tables.get('app.events_2024_01')!;
    expect(sub.kind).toBe('partitioned');
    expect(plain(sub.partitionBy)).toEqual({ strategy: 'list', keys: [{ column: 'kind' }] });
    expect(sub.partitions).toEqual(['app.events_2024_01_click', 'app.events_2024_01_other']);
    expect(sub.partitionOf).toEqual({
      parent: 'app.events',
      bound: {
        kind: 'range',
        from: [{ kind: 'value', text: '2024-01-01 00:00:00+00' }],
        to: [{ kind: 'value', text: '2024-02-01 00:00:00+00' }],
      },
    });
    // Written as 01:00 at +01: the catalog keeps the instant, and UTC prints it as midnight.
    expect(model.tables.get('app.events_2024_02')!.partitionOf!.bound).toEqual({
      kind: 'range',
      from: [{ kind: 'value', text: '2024-02-01 00:00:00+00' }],
      to: [{ kind: 'value', text: '2024-03-01 00:00:00+00' }],
    });
    expect(model.tables.get('app.events_2024_01_click')!.partitionOf).toEqual({
      parent: 'app.events_2024_01',
      bound: { kind: 'list', values: [{ kind: 'value', text: 'click' }, { kind: 'value', text: 'view' }] },
    });
    expect(model.tables.get('app.events_2024_01_other')!.partitionOf).toEqual({ parent: 'app.events_2024_01', bound: { kind: 'default' } });
    expect(model.tables.get('app.events_default')!.partitionOf).toEqual({ parent: 'app.events', bound: { kind: 'default' } });
    expect(model.tables.get('app.events_default')!.partitionBy).toBeUndefined();
  });

  test('clones on partitions are flagged: constraints inheritedFrom, triggers inherited', () => {
    const click = model.tables.get('app.events_2024_01_click')!;
    expect(click.constraints.map((c) => [c.name, c.kind, c.inheritedFrom, c.validated])).toEqual([
      ['events_2024_01_click_pkey', 'primary', 'events_2024_01_pkey', true],
      ['events_customer_fkey', 'foreign', 'events_customer_fkey', true],
      ['events_kind_check', 'check', 'events_kind_check', false],
    ]);
    expect(click.triggers.map((t) => [t.name, t.inherited, t.arguments])).toEqual([['events_audit', true, ['a', 'b c']]]);
    const attached = model.tables.get('app.events_2024_03')!;
    expect(attached.partitionOf?.bound).toEqual({
      kind: 'range',
      from: [{ kind: 'value', text: '2024-03-01 00:00:00+00' }],
      to: [{ kind: 'value', text: '2024-04-01 00:00:00+00' }],
    });
    // Declared on the table before ATTACH, so already validated, and merged into the parent's.
    expect(attached.constraints.map((c) => [c.name, c.inheritedFrom, c.validated])).toEqual([
      ['events_2024_03_pkey', 'events_pkey', true],
      ['events_customer_fkey', 'events_customer_fkey', true],
      ['events_kind_check', 'events_kind_check', true],
    ]);
    expect(attached.triggers.map((t) => [t.name, t.inherited])).toEqual([['events_audit', true]]);
  });

  test('hash partitioning with expression keys', () => {
    const hashy = model.tables.get('app.hashy')!;
    expect(plain(hashy.partitionBy)).toEqual({
      strategy: 'hash',
      keys: [{ column: 'id' }, { expression: { text: 'id + 1', columns: ['id'] } }, { expression: { text: 'lower(name)', columns: ['name'] } }],
    });
    expect(hashy.partitions).toEqual(['app.hashy_0', 'app.hashy_1']);
    expect(model.tables.get('app.hashy_1')!.partitionOf).toEqual({ parent: 'app.hashy', bound: { kind: 'hash', modulus: 2, remainder: 1 } });
    expect(model.tables.get('app.hashy_0')!.partitionOf!.bound).toEqual({ kind: 'hash', modulus: 2, remainder: 0 });
  });

  test('indexes: ON ONLY + ATTACH, invalid builds, expressions, opclasses, INCLUDE, predicates', () => {
    const index = (name: string) => plain(model.indexes.get(name));
    expect(index('app.events_customer_idx')).toEqual({
      schema: 'app', name: 'events_customer_idx', table: 'app.events', method: 'btree', unique: false, primary: false,
      keys: [{ column: 'tenant_id', descending: false }, { column: 'customer_id', descending: false }],
      include: [],
      // ON ONLY, and only one of four partitions attached: PostgreSQL keeps it invalid.
      valid: false,
      partitioned: true,
    });
    expect(index('app.events_2024_02_customer_idx')).toMatchObject({ valid: true, partitioned: false, parent: 'app.events_customer_idx' });
    expect(index('app.events_kind_lower_idx')).toEqual({
      schema: 'app', name: 'events_kind_lower_idx', table: 'app.events', method: 'btree', unique: false, primary: false,
      keys: [
        { expression: { text: 'lower(kind)', columns: ['kind'] }, opclass: 'text_pattern_ops', descending: true },
        { column: 'created_at', descending: false },
      ],
      include: ['tenant_id'],
      predicate: { text: 'kind IS NOT NULL', columns: ['kind'] },
      valid: true,
      partitioned: true,
    });
    expect(index('app.events_2024_01_click_lower_created_at_tenant_id_idx')).toMatchObject({
      partitioned: false,
      parent: 'app.events_2024_01_lower_created_at_tenant_id_idx',
    });
    expect(index('app.dupes_v_key')).toMatchObject({ unique: true, valid: false, keys: [{ column: 'v', descending: false }] });
    expect(index('app.customers_pkey')).toEqual({
      schema: 'app', name: 'customers_pkey', table: 'app.customers', method: 'btree', unique: true, primary: true,
      keys: [{ column: 'tenant_id', descending: false }, { column: 'id', descending: false }],
      include: [], valid: true, partitioned: false, constraint: 'customers_pkey',
    });
    expect(index('app.customers_doc_gin')).toMatchObject({
      method: 'gin', keys: [{ column: 'doc', opclass: 'jsonb_path_ops', descending: false }], comment: 'containment',
    });
    expect(index('app.customers_email_trgm')).toMatchObject({ method: 'gin', keys: [{ column: 'email', opclass: 'gin_trgm_ops', descending: false }] });
    expect(index('app.events_2024_02_pkey')).toMatchObject({ parent: 'app.events_pkey', constraint: 'events_2024_02_pkey' });
    expect(index('app.bookings_during_excl')).toMatchObject({ method: 'gist', constraint: 'bookings_during_excl' });
    expect(model.tables.get('app.bookings')!.constraints.map((c) => [c.kind, c.index])).toEqual([['exclusion', 'app.bookings_during_excl']]);
    expect(index('Ünïcode Schéma.Idx Ünï')).toEqual({
      schema: 'Ünïcode Schéma', name: 'Idx Ünï', table: 'Ünïcode Schéma.Mixed Case', method: 'btree', unique: false,
      primary: false, keys: [{ column: 'naïve col', descending: false }], include: [],
      predicate: { text: '"select" IS NOT NULL', columns: ['select'] }, valid: true, partitioned: false,
    });
  });

  test('quoted identifiers are stored as PostgreSQL stores them', () => {
    const mixed = model.tables.get('Ünïcode Schéma.Mixed Case')!;
    expect(mixed.columns.map((c) => c.name)).toEqual(['Id', 'select', 'naïve col']);
    expect(mixed.constraints.map((c) => [c.name, c.columns, c.index])).toEqual([['Mixed Case_pkey', ['Id'], 'Ünïcode Schéma.Mixed Case_pkey']]);
    expect(mixed.indexes).toEqual(['Ünïcode Schéma.Mixed Case_pkey', 'Ünïcode Schéma.Idx Ünï']);
  });

  test('domains, inheritance, NOT VALID foreign keys, unlogged tables', () => {
    expect(plain(model.domains)).toEqual({
      'app.codes': { schema: 'app', name: 'codes', baseType: { ...text, name: 'varchar', arrayDims: 1, modifiers: [8] }, notNull: false, checks: [] },
      'app.payload': {
        schema: 'app', name: 'payload', baseType: { ...text, name: 'jsonb' }, notNull: true,
        checks: [
          {
            name: 'payload_is_object', kind: 'check', columns: ['value'], validated: true, enforced: true, deferrable: false,
            check: { text: "jsonb_typeof(VALUE) = 'object'::text", columns: ['value'] },
          },
        ],
      },
    });
    const child = model.tables.get('app.child')!;
    expect(child.inherits).toEqual(['app.base']);
    expect(child.persistence).toBe('unlogged');
    expect(child.constraints.map((c) => [c.name, c.inheritedFrom])).toEqual([['base_id_positive', 'base_id_positive']]);
    expect(model.tables.get('app.base')!.constraints.map((c) => [c.name, c.inheritedFrom])).toEqual([['base_id_positive', undefined]]);
    const orders = model.tables.get('app.orders')!;
    expect(plain(orders.constraints.find((c) => c.kind === 'foreign'))).toEqual({
      name: 'orders_customer_fkey', kind: 'foreign', columns: ['customer_tenant', 'customer_id'], validated: false,
      enforced: true, deferrable: false,
      foreignKey: { table: 'app.customers', columns: ['tenant_id', 'id'], resolved: true, onDelete: 'a', onUpdate: 'a', match: 's' },
    });
  });

  test('functions, views, sequences, types and materialized views', () => {
    expect(plain(model.functions.get('app.add'))).toEqual([
      { schema: 'app', name: 'add', argumentTypes: ['int4', 'int4'], returnType: 'int4', language: 'sql', body: 'SELECT a + b' },
      {
        schema: 'app', name: 'add', argumentTypes: ['numeric[]', 'text[]'], returnType: 'setof app.payload', language: 'sql',
        body: 'SELECT NULL::app.payload',
      },
    ]);
    expect(plain(model.functions.get('app.audit'))).toEqual([
      { schema: 'app', name: 'audit', argumentTypes: [], returnType: 'trigger', language: 'plpgsql', body: 'BEGIN RETURN NULL; END' },
    ]);
    expect(model.functions.get('app.twice')![0].body).toMatch(/^BEGIN ATOMIC\s+SELECT \(x \* 2\);\s+END$/);
    expect(Object.fromEntries([...model.otherRelations].map(([k, v]) => [k, v.kind]))).toEqual({
      'app.counter': 'sequence',
      'app.customers_id_seq': 'sequence',
      'app.events_id_seq': 'sequence',
      'app.pair': 'composite type',
      'app.recent': 'view',
      'app.status': 'type',
    });
    expect(plain(model.materializedViews)).toEqual({ 'app.daily': { schema: 'app', name: 'daily', indexes: ['app.daily_tenant_idx'] } });
    expect(plain(model.indexes.get('app.daily_tenant_idx'))).toMatchObject({ table: 'app.daily', unique: true });
    // The view's INSTEAD OF trigger has no table to belong to.
    const allTriggers = [...model.tables.values()].flatMap((t) => t.triggers.map((tr) => tr.name));
    expect(allTriggers).not.toContain('recent_insert');
  });
});

describe('readCatalog: statistics', () => {
  async function totalBytes(table: string): Promise<number> {
    const [row] = await cluster.query<{ n: string }>(
      DB,
      // The reader estimates from relpages (heap, TOAST, indexes) as of the last ANALYZE: the same sum here.
      `SELECT sum((c.relpages + COALESCE(t.relpages, 0)
                   + COALESCE((SELECT sum(ic.relpages) FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid WHERE x.indrelid = c.oid), 0))
                  * current_setting('block_size')::int8) AS n
       FROM ${TREE} JOIN pg_class c ON c.oid = tree.relid LEFT JOIN pg_class t ON t.oid = c.reltoastrelid`,
      [table],
    );
    return Number(row.n);
  }

  test('row estimates, sizes and write counters summed over partitions', async () => {
    const events = model.tables.get('app.events')!;
    expect(events.stats).toEqual({ estimatedRows: 997, totalBytes: await totalBytes('app.events'), inserts: 1000, updates: 0, deletes: 3 });
    expect(events.stats!.totalBytes).toBeGreaterThan(0);
    // 1000 rows, 20 per day over 50 days from Jan 1st: 31 days (620 rows) land in January, where even days are
    // clicks (16 days, 320 rows); the 3 deleted rows (g = 300, 600, 900) were January clicks.
    expect(model.tables.get('app.events_2024_01_click')!.stats!.estimatedRows).toBe(317);
    expect(model.tables.get('app.events_2024_01_other')!.stats!.estimatedRows).toBe(300);
    expect(model.tables.get('app.events_2024_01')!.stats!.estimatedRows).toBe(617);
    expect(model.tables.get('app.events_2024_02')!.stats!.estimatedRows).toBe(380);
    const customers = model.tables.get('app.customers')!;
    expect(customers.stats).toMatchObject({ estimatedRows: 300, inserts: 300, updates: 10, deletes: 0 });
  });

  test('never analyzed: no row estimate; no stats reset: no window', () => {
    expect(model.tables.get('app.hashy')!.stats!.estimatedRows).toBeUndefined();
    expect(model.tables.get('app.dupes')!.stats!.estimatedRows).toBeUndefined();
    expect(model.tables.get('app.customers')!.stats!.statsWindowSeconds).toBeUndefined();
  });

  test('the stats window is the time since pg_stat_database.stats_reset', async () => {
    const db = 'catalog_stats_window';
    const url = await cluster.createDatabase(db);
    await cluster.query(db, 'CREATE TABLE t (id int4); SELECT pg_stat_reset()');
    const withWindow = await readCatalog({ url });
    const window = withWindow.tables.get('public.t')!.stats!.statsWindowSeconds;
    expect(window).toBeGreaterThanOrEqual(0);
    expect(window).toBeLessThan(600);
  });
});

describe('readCatalog: queries and connections', () => {
  test('a constant number of queries, whatever the number of tables', async () => {
    const db = 'catalog_query_count';
    const url = await cluster.createDatabase(db);
    await readCatalog({ url });
    const empty = queryCount;
    await cluster.query(db, Array.from({ length: 40 }, (_, i) => `CREATE TABLE t${i} (id int4 PRIMARY KEY, v text CHECK (v <> ''));`).join('\n'));
    const many = await readCatalog({ url });
    expect(many.tables.size).toBe(40);
    expect(queryCount).toBe(empty);
    expect(queryCount).toBeLessThanOrEqual(12);
  });

  test('reads through a caller-owned client and leaves it open, outside any transaction', async () => {
    const client = new pg.Client({ connectionString: cluster.superuserUrl(DB) });
    await client.connect();
    try {
      const again = await readCatalog(client);
      expect(again.tables.size).toBe(model.tables.size);
      const [row] = (await client.query<{ ro: string; fresh: boolean }>('SELECT current_setting(\'transaction_read_only\') AS ro, now() = statement_timestamp() AS fresh')).rows;
      expect(row).toEqual({ ro: 'off', fresh: true });
    } finally {
      await client.end();
    }
  });

  test('connection settings from PG* environment variables', async () => {
    const settings: Record<string, string> = {
      PGHOST: cluster.host,
      PGPORT: String(cluster.port),
      PGUSER: cluster.superuser,
      PGPASSWORD: cluster.superuserPassword,
      PGDATABASE: DB,
      PGSSLMODE: 'disable',
    };
    const saved = Object.fromEntries(Object.keys(settings).map((k) => [k, process.env[k]]));
    try {
      Object.assign(process.env, settings);
      const fromEnv = await readCatalog({});
      expect(fromEnv.source).toMatchObject({ kind: 'database', database: alias });
      expect(fromEnv.tables.size).toBe(model.tables.size);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) Reflect.deleteProperty(process.env, k);
        else process.env[k] = v;
      }
    }
  });
});

describe('readCatalog: a helper connection reads the indexes of a big catalog in the same snapshot', () => {
  test('the model is the one a single connection reads', async () => {
    const url = cluster.superuserUrl(DB);
    const single = await readCatalog({ url }, { helperAboveTables: Infinity });
    expect(helperUsed).toBe(false);
    const helped = await readCatalog({ url }, { helperAboveTables: 0, waitForHelper: true });
    expect(helperUsed).toBe(true);
    expect(helped.indexes.size).toBeGreaterThan(10);
    expect(helped).toEqual(single);
    // The same maps in the same order: reports list objects in model order.
    expect([...helped.indexes.keys()]).toEqual([...single.indexes.keys()]);
    for (const [key, table] of single.tables) expect(helped.tables.get(key)!.indexes).toEqual(table.indexes);

    // A run limited to some schemas sends their names as a parameter, to the helper's queries too.
    const inApp = { schemaInScope: (schema: string) => schema === 'app' };
    const scopedSingle = await readCatalog({ url }, { ...inApp, helperAboveTables: Infinity });
    const scopedHelped = await readCatalog({ url }, { ...inApp, helperAboveTables: 0, waitForHelper: true });
    expect(helperUsed).toBe(true);
    expect(scopedHelped.tables.size).toBeLessThan(single.tables.size);
    expect([...scopedHelped.indexes.keys()].every((key) => key.startsWith('app.'))).toBe(true);
    expect(scopedHelped).toEqual(scopedSingle);
  });

  /** A connected client on `url`, as a helper opens one. */
  async function connected(url: string): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return client;
  }

  /** A helper on `url` whose work lists the indexes named `t_…` it sees; `opened` counts its connections. */
  function listingHelper(url: string, snapshot: string, seen: string[], opened = { count: 0 }) {
    return startHelper({
      open: () => {
        opened.count++;
        return connected(url);
      },
      snapshot,
      settings: "SET LOCAL TimeZone = 'UTC'",
      work: async (client) => {
        const { rows } = await client.query<{ name: string }>("SELECT relname AS name FROM pg_class WHERE relkind = 'i' AND relname LIKE 't\\_%' ORDER BY 1");
        seen.push(...rows.map((r) => r.name));
      },
    });
  }

  test('the helper sees the first transaction\'s snapshot, not a change committed after it', async () => {
    const db = 'catalog_helper_snapshot';
    const url = await cluster.createDatabase(db);
    await cluster.query(db, 'CREATE TABLE t (id int4, v int4); CREATE INDEX t_id_idx ON t (id)');
    const first = new pg.Client({ connectionString: url });
    await first.connect();
    try {
      await first.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const [{ snapshot }] = (await first.query<{ snapshot: string }>('SELECT pg_export_snapshot() AS snapshot')).rows;
      await cluster.query(db, 'CREATE INDEX t_v_idx ON t (v)');
      const seen: string[] = [];
      const helper = listingHelper(url, snapshot, seen);
      expect(await helper.setUp).toBe(true);
      await helper.claim();
      await helper.close();
      expect(seen).toEqual(['t_id_idx']);

      // Claimed while it is still connecting, a helper gives the work back and never starts it.
      const late: string[] = [];
      const slow = listingHelper(url, snapshot, late);
      expect(slow.claim()).toBeUndefined();
      expect(await slow.setUp).toBe(false);
      await slow.close();
      expect(late).toEqual([]);
    } finally {
      await first.end();
    }
    const now = await readCatalog({ url }, { helperAboveTables: 0, waitForHelper: true });
    expect(helperUsed).toBe(true);
    expect([...now.indexes.keys()].sort()).toEqual(['public.t_id_idx', 'public.t_v_idx']);
  });

  test('a snapshot the helper cannot import leaves the work to the first connection', async () => {
    const seen: string[] = [];
    // Well-formed, but no transaction exported it.
    const helper = listingHelper(cluster.superuserUrl(DB), '00000003-0000001B-1', seen);
    expect(await helper.setUp).toBe(false);
    expect(helper.claim()).toBeUndefined();
    await helper.close();
    // Not even sent: SET TRANSACTION SNAPSHOT takes no parameter, so only the form pg_export_snapshot returns is.
    const opened = { count: 0 };
    const injected = listingHelper(cluster.superuserUrl(DB), "1'; DROP TABLE t; --", seen, opened);
    expect(await injected.setUp).toBe(false);
    await injected.close();
    expect(opened.count).toBe(0);
    expect(seen).toEqual([]);
  });

  test('closing a helper whose server stopped answering takes a moment, not forever', async () => {
    // Signals reach only a server on this machine.
    if (cluster.external) return;
    const url = cluster.superuserUrl(DB);
    const first = new pg.Client({ connectionString: url });
    await first.connect();
    let pid: number | undefined;
    try {
      await first.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const [{ snapshot }] = (await first.query<{ snapshot: string }>('SELECT pg_export_snapshot() AS snapshot')).rows;
      const helper = startHelper({
        open: () => connected(url),
        snapshot,
        settings: "SET LOCAL TimeZone = 'UTC'",
        work: async (client) => {
          pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
        },
      });
      expect(await helper.setUp).toBe(true);
      await helper.claim();
      // The helper is idle: pg's end() would say goodbye and wait for a server that never closes the socket.
      process.kill(pid!, 'SIGSTOP');
      const started = Date.now();
      await helper.close();
      expect(Date.now() - started).toBeLessThan(4_000);
    } finally {
      if (pid !== undefined) process.kill(pid, 'SIGCONT');
      await first.end();
    }
  });

  test('a helper given up while it is still connecting drops the attempt at once', async () => {
    // A server that accepts the connection and never answers: the helper's connect would wait its whole timeout.
    const dropped: Array<Promise<void>> = [];
    const silent = createServer((socket) => {
      // Read what the client sends, or its goodbye is never seen.
      socket.resume();
      dropped.push(new Promise((resolve) => socket.on('close', () => resolve())));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const opened: Array<Promise<unknown>> = [];
    try {
      const helper = startHelper({
        open: (signal) => {
          const attempt = connect({ url: `postgres://nobody@127.0.0.1:${port}/${DB}?sslmode=disable`, connectTimeoutMs: 60_000 }, signal);
          opened.push(attempt.catch((error: unknown) => error));
          return attempt.then((r) => r.client);
        },
        snapshot: '00000003-0000001B-1',
        settings: '',
        work: () => Promise.resolve(),
      });
      // Connected at the TCP level, waiting for the server's answer.
      while (dropped.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      const started = Date.now();
      expect(helper.claim()).toBeUndefined();
      await helper.close();
      expect(await helper.setUp).toBe(false);
      await dropped[0];
      expect(Date.now() - started).toBeLessThan(5_000);
      const error = (await opened[0]) as Error;
      expect(error).toBeInstanceOf(CatalogError);
      expect(error.message).toBe('connection attempt abandoned');
      // An attempt abandoned before it starts never opens a socket.
      const controller = new AbortController();
      controller.abort();
      await expect(connect({ url: `postgres://nobody@127.0.0.1:${port}/${DB}` }, controller.signal)).rejects.toThrow('connection attempt abandoned');
      expect(dropped).toHaveLength(1);
    } finally {
      silent.close();
    }
  });

  test('a server that will not export a snapshot is read on one connection', async () => {
    const db = 'catalog_no_export';
    await cluster.createDatabase(db);
    const secret = 'no-export-pw';
    await cluster.query('postgres', `DROP ROLE IF EXISTS catalog_no_export; CREATE ROLE catalog_no_export LOGIN PASSWORD '${secret}'`);
    try {
      // pg_proc is per database: this revokes it here only.
      await cluster.query(db, 'REVOKE EXECUTE ON FUNCTION pg_catalog.pg_export_snapshot() FROM PUBLIC; CREATE TABLE p (id int4 PRIMARY KEY); CREATE TABLE t (p_id int4 REFERENCES p)');
      const url = cluster.urlFor('catalog_no_export', secret, db);
      const read = await readCatalog({ url }, { helperAboveTables: 0, waitForHelper: true });
      expect(helperUsed).toBe(false);
      expect(attemptCount).toBe(1);
      const single = await readCatalog({ url: cluster.superuserUrl(db) }, { helperAboveTables: Infinity });
      expect(read).toEqual(single);
      expect(read.tables.get('public.t')!.constraints.map((c) => c.kind)).toEqual(['foreign']);
    } finally {
      await cluster.query('postgres', 'DROP ROLE IF EXISTS catalog_no_export').catch(() => undefined);
    }
  });

  test('a role allowed one connection gets the same model on it', async () => {
    const secret = 'one-connection-pw';
    await cluster.query('postgres', `DROP ROLE IF EXISTS catalog_one_conn; CREATE ROLE catalog_one_conn LOGIN PASSWORD '${secret}' CONNECTION LIMIT 1`);
    try {
      const url = cluster.urlFor('catalog_one_conn', secret, DB);
      const helped = await readCatalog({ url }, { helperAboveTables: 0, waitForHelper: true, requireSchemaUsage: false });
      expect(helperUsed).toBe(false);
      const single = await readCatalog({ url: cluster.superuserUrl(DB) }, { helperAboveTables: Infinity });
      expect(helped).toEqual(single);
    } finally {
      await cluster.query('postgres', 'DROP ROLE IF EXISTS catalog_one_conn');
    }
  });
});

describe('readCatalog: errors are one line, name the setting, and never show the password', () => {
  const secret = 'Sekr3t-pw-do-not-print';

  async function failure(promise: Promise<unknown>): Promise<CatalogError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CatalogError);
    const message = (error as CatalogError).message;
    expect(message).not.toContain('\n');
    expect(message).not.toContain(secret);
    if (cluster.superuserPassword) expect(message).not.toContain(cluster.superuserPassword);
    return error as CatalogError;
  }

  beforeAll(async () => {
    await cluster.query('postgres', `DROP ROLE IF EXISTS catalog_reader; CREATE ROLE catalog_reader LOGIN PASSWORD '${secret}'`);
  });

  afterAll(async () => {
    await cluster.query('postgres', 'DROP ROLE IF EXISTS catalog_reader').catch(() => undefined);
  });

  test('wrong password', async () => {
    const error = await failure(readCatalog({ url: cluster.urlFor('catalog_reader', `${secret}-wrong`, DB) }));
    expect(error.message).toBe(`password authentication failed for user catalog_reader at ${cluster.host}:${cluster.port}`);
  });

  test('closed port', async () => {
    const port = await new Promise<number>((resolve) => {
      const server: Server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const { port: p } = server.address() as { port: number };
        server.close(() => resolve(p));
      });
    });
    const error = await failure(readCatalog({ url: `postgres://catalog_reader:${secret}@127.0.0.1:${port}/${DB}` }));
    expect(error.message).toBe(`could not connect to 127.0.0.1:${port}: connection refused`);
  });

  test('a server that never answers', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const error = await failure(readCatalog({ url: `postgres://catalog_reader:${secret}@127.0.0.1:${port}/${DB}`, connectTimeoutMs: 300 }));
      expect(error.message).toBe(`could not connect to 127.0.0.1:${port}: timed out`);
    } finally {
      silent.close();
    }
  });

  test('unknown database', async () => {
    const error = await failure(readCatalog({ url: cluster.urlFor('catalog_reader', secret, 'no_such_db') }));
    expect(error.message).toBe(`database no_such_db does not exist at ${cluster.host}:${cluster.port}`);
  });

  test('a schema the role may not use', async () => {
    const db = 'catalog_no_usage';
    await cluster.createDatabase(db);
    await cluster.query(db, 'CREATE SCHEMA secret; CREATE TABLE secret.vault (id int4); CREATE TABLE public.open (id int4)');
    const url = cluster.urlFor('catalog_reader', secret, db);
    const error = await failure(readCatalog({ url }));
    expect(error.message).toMatch(/^permission denied for schema secret: role catalog_reader has no USAGE on it at 127\.0\.0\.1:\d+\/catalog_no_usage/);
    // pg_catalog itself is readable without USAGE: a caller that accepts that gets the whole model.
    const lenient = await readCatalog({ url }, { requireSchemaUsage: false });
    expect([...lenient.tables.keys()].sort()).toEqual(['public.open', 'secret.vault']);
  });
});
