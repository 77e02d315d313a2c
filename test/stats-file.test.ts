/** The volume-figures file: validation with clear errors, applying it to a model, exporting it, round trips. */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { Ajv } from 'ajv';
import { applyStatsFile, parseStatsFile, statsFileFromModel, statsFileSchema, StatsFileError, type StatsFile } from '../src/sources/stats-file.js';
import { loadParser } from '../src/sql/parser.js';
import { ddlModel } from './support/lint.js';
import { omit } from './support/omit.js';

const SCHEMA_SQL = `
CREATE SCHEMA "Big Data";
CREATE TABLE public.orders (id bigint PRIMARY KEY, placed_at timestamptz);
CREATE TABLE "Big Data"."Events" (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE "Big Data"."Events_2026" PARTITION OF "Big Data"."Events" FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE public.quiet (id int);
`;

const sample: StatsFile = {
  version: 1,
  generatedAt: '2026-11-29T08:00:00.000Z',
  database: 'db.internal:5432/app',
  statsWindowSeconds: 2_592_000,
  tables: {
    'public.orders': { estimatedRows: 12_000_000, totalBytes: 3_000_000_000, inserts: 90_000_000, updates: 5, deletes: 0 },
    'Big Data.Events': { estimatedRows: 40_000 },
  },
};

beforeAll(async () => {
  await loadParser();
});

function parseError(value: unknown): string {
  try {
    parseStatsFile(typeof value === 'string' ? value : JSON.stringify(value), 'prod-stats.json');
  } catch (error) {
    expect(error).toBeInstanceOf(StatsFileError);
    return (error as Error).message;
  }
  throw new Error('expected a StatsFileError');
}

describe('parseStatsFile', () => {
  test('reads a valid file as it is', () => {
    expect(parseStatsFile(JSON.stringify(sample), 'stats.json')).toEqual(sample);
  });

  test('the schema is a valid JSON Schema that accepts the sample', () => {
    const validate = new Ajv({ strict: false }).compile(statsFileSchema);
    expect(validate(sample)).toBe(true);
  });

  test('each error names the file and the bad key', () => {
    expect(parseError('{ nope')).toMatch(/^prod-stats\.json: not valid JSON/);
    expect(parseError({ ...sample, version: 2 })).toBe('prod-stats.json: version: must be 1 (the only format this version reads)');
    expect(parseError({ ...sample, generatedAt: 'yesterday' })).toContain('generatedAt: must be an ISO 8601 date and time');
    expect(parseError({ ...sample, database: 'postgres://admin:secret@db/app' })).toContain('database: must be an alias (host:port/dbname), not a URL with credentials');
    expect(parseError({ ...sample, statsWindowSeconds: -1 })).toContain('statsWindowSeconds: must be >= 0');
    expect(parseError({ ...sample, tables: { 'public.orders': { estimatedRows: '12' } } })).toContain('tables.public.orders.estimatedRows: must be number');
    expect(parseError({ ...sample, tables: { 'public.orders': { rows: 1 } } })).toContain('tables.public.orders.rows: is not a known key');
    expect(parseError({ ...sample, tables: { orders: {} } })).toContain('tables.orders: is not a qualified table name (schema.table)');
    expect(parseError({ ...sample, extra: true })).toContain('extra: is not a known key');
    const noTables = omit(sample, 'tables');
    expect(parseError(noTables)).toContain("must have required property 'tables'");
  });
});

describe('applyStatsFile and statsFileFromModel', () => {
  test('sets stats on logical tables, with the window copied into each; reports unknown tables', async () => {
    const { model } = await ddlModel(SCHEMA_SQL);
    const result = applyStatsFile(model, { ...sample, tables: { ...sample.tables, 'public.missing': { estimatedRows: 1 }, 'Big Data.Events_2026': { estimatedRows: 1 } } });
    expect(result).toEqual({ applied: 2, unknownTables: ['public.missing', 'Big Data.Events_2026'] });
    expect(model.tables.get('public.orders')!.stats).toEqual({ ...sample.tables['public.orders'], statsWindowSeconds: 2_592_000 });
    expect(model.tables.get('Big Data.Events')!.stats).toEqual({ estimatedRows: 40_000, statsWindowSeconds: 2_592_000 });
    expect(model.tables.get('public.quiet')!.stats).toBeUndefined();
  });

  test('absent figures stay absent (unknown is not zero), and no window means none', async () => {
    const { model } = await ddlModel(SCHEMA_SQL);
    const noWindow = omit(sample, 'statsWindowSeconds');
    applyStatsFile(model, { ...noWindow, tables: { 'public.orders': { totalBytes: 10 } } });
    expect(model.tables.get('public.orders')!.stats).toEqual({ totalBytes: 10 });
  });

  test('round trip: model → file → JSON → parse → model gives the same figures', async () => {
    const { model } = await ddlModel(SCHEMA_SQL);
    applyStatsFile(model, sample);
    const exported = statsFileFromModel(model, { generatedAt: new Date(sample.generatedAt), database: sample.database });
    expect(exported).toEqual(sample);
    const reparsed = parseStatsFile(JSON.stringify(exported, null, 2), 'stats.json');
    const { model: fresh } = await ddlModel(SCHEMA_SQL);
    applyStatsFile(fresh, reparsed);
    for (const key of ['public.orders', 'Big Data.Events', 'public.quiet']) {
      expect(fresh.tables.get(key)!.stats).toEqual(model.tables.get(key)!.stats);
    }
  });

  test('export leaves out partitions and tables without figures', async () => {
    const { model } = await ddlModel(SCHEMA_SQL);
    model.tables.get('Big Data.Events_2026')!.stats = { estimatedRows: 5 };
    model.tables.get('public.quiet')!.stats = {};
    const exported = statsFileFromModel(model, { generatedAt: new Date(0), database: 'x:1/y' });
    expect(exported).toEqual({ version: 1, generatedAt: '1970-01-01T00:00:00.000Z', database: 'x:1/y', tables: {} });
  });
});
