/**
 * Live mode: reads the schema from pg_catalog in one READ ONLY transaction and builds the SchemaModel.
 *
 * The transaction gives all queries one snapshot (a concurrent migration cannot show half its work) and makes
 * writing impossible. Timeouts keep a lint run from hanging behind a lock; TimeZone is UTC so partition bounds
 * print as the same instants DDL mode reads; search_path is pinned so deparsed expressions name objects the same
 * way whatever the role's own setting (objects outside pg_catalog and public come out schema-qualified).
 */
import type pg from 'pg';
import { loadParser } from '../../sql/parser.js';
import type { SchemaModel } from '../../model/types.js';
import { buildModel, type CatalogRows } from './build-model.js';
import {
  CatalogError,
  connect,
  describeTarget,
  isDriverError,
  toCatalogError,
  type ConnectionSettings,
  type ConnectionTarget,
} from './connect.js';
import {
  columnsQuery,
  constraintsQuery,
  EXTENSIONS,
  functionsQuery,
  INDEXES,
  relationsQuery,
  SCHEMAS,
  SERVER_INFO,
  TRIGGERS,
  TYPES,
} from './queries.js';

export interface ReadCatalogOptions {
  /** Overrides the `host:port/dbname` alias that origins carry. */
  alias?: string;
  /**
   * Fail when the role lacks USAGE on a schema it would read (default true). pg_catalog itself is readable
   * without it, but such a role cannot run the fix-up script or a follow-up check on those objects, so a run
   * that quietly linted them would promise more than it can deliver.
   */
  requireSchemaUsage?: boolean;
  statementTimeout?: string;
  lockTimeout?: string;
}

export const MIN_SERVER_VERSION = 130000;

/** Round trips the last `readCatalog` made (transaction control included), for benchmarks. */
export let queryCount = 0;

export async function readCatalog(source: pg.Client | ConnectionSettings, opts: ReadCatalogOptions = {}): Promise<SchemaModel> {
  await loadParser();
  if (isClient(source)) return readWith(source, describeTarget(source), opts);
  const { client, target } = await connect(source);
  try {
    return await readWith(client, target, opts);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function isClient(source: pg.Client | ConnectionSettings): source is pg.Client {
  return typeof (source as pg.Client).query === 'function';
}

/** Settings values are fixed strings from options, checked so they can be inlined (SET takes no parameters). */
function setting(value: string): string {
  if (!/^\d+\s*(ms|s|min)?$/.test(value)) throw new CatalogError(`invalid timeout setting: ${value}`);
  return `'${value}'`;
}

async function readWith(client: pg.Client, target: ConnectionTarget, opts: ReadCatalogOptions): Promise<SchemaModel> {
  queryCount = 0;
  const run = async <T>(sql: string): Promise<T[]> => {
    queryCount++;
    const result = await client.query(sql);
    return (Array.isArray(result) ? [] : result.rows) as T[];
  };
  try {
    await run(
      `BEGIN READ ONLY; SET LOCAL statement_timeout = ${setting(opts.statementTimeout ?? '30s')}; ` +
        `SET LOCAL lock_timeout = ${setting(opts.lockTimeout ?? '5s')}; SET LOCAL TimeZone = 'UTC'; ` +
        `SET LOCAL search_path = pg_catalog, public`,
    );
    const [info] = await run<{ version: number; role: string; stats_window: number | null }>(SERVER_INFO);
    if (info.version < MIN_SERVER_VERSION) {
      throw new CatalogError(`PostgreSQL ${formatVersion(info.version)} at ${target.alias} is not supported (13 or later)`);
    }
    const schemas = await run<{ name: string; usable: boolean }>(SCHEMAS);
    const unusable = schemas.filter((s) => !s.usable).map((s) => s.name);
    if (unusable.length && opts.requireSchemaUsage !== false) {
      throw new CatalogError(
        `permission denied for schema ${unusable.join(', ')}: role ${info.role} has no USAGE on it at ${target.alias} ` +
          `(GRANT USAGE ON SCHEMA … TO ${info.role}, or connect as another role)`,
      );
    }
    const version = info.version;
    const extensions = await run<{ name: string; schema: string }>(EXTENSIONS);
    const rows: CatalogRows = {
      alias: opts.alias ?? target.alias,
      serverVersion: version,
      statsWindowSeconds: info.stats_window,
      schemas,
      extensions,
      relations: await run(relationsQuery(version)),
      columns: await run(columnsQuery(version)),
      constraints: await run(constraintsQuery(version)),
      indexes: await run(INDEXES),
      triggers: await run(TRIGGERS),
      functions: await run(functionsQuery(version)),
      types: await run(TYPES),
      partman: await readPartmanConfig(run, extensions),
    };
    await run('COMMIT');
    return buildModel(rows);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw isDriverError(error) ? toCatalogError(error, target) : error;
  }
}

/**
 * pg_partman's part_config, only when the extension is installed (one more query then): the tables whose
 * partitions its maintenance makes at run time. The schema name comes from pg_extension and is quoted.
 */
async function readPartmanConfig(
  run: <T>(sql: string) => Promise<T[]>,
  extensions: Array<{ name: string; schema: string }>,
): Promise<CatalogRows['partman']> {
  const partman = extensions.find((e) => e.name === 'pg_partman');
  if (!partman) return undefined;
  const schema = `"${partman.schema.replace(/"/g, '""')}"`;
  return run(`SELECT parent_table::text AS parent_table, partition_interval::text AS partition_interval, premake::int AS premake FROM ${schema}.part_config ORDER BY 1`);
}

function formatVersion(num: number): string {
  return num >= 100000 ? `${Math.floor(num / 10000)}.${num % 10000}` : `${Math.floor(num / 10000)}.${Math.floor(num / 100) % 100}`;
}
