/**
 * Live mode: reads the schema from pg_catalog in one READ ONLY transaction and builds the SchemaModel. On a big
 * catalog a second connection reads the indexes and constraints in the same snapshot meanwhile (helper-connection.ts).
 *
 * The transaction (REPEATABLE READ) gives all queries one snapshot, so a concurrent migration cannot show half its
 * work, and makes writing impossible. An object dropped meanwhile still shows in that snapshot, but the functions
 * that print expressions see the newest catalog and fail or return NULL for it: the whole read is then retried a
 * bounded number of times (vanished.ts). Timeouts keep a lint run from hanging behind a lock or a frozen server; TimeZone is UTC so partition bounds
 * print as the same instants DDL mode reads; search_path is pinned so deparsed expressions name objects the same
 * way whatever the role's own setting (objects outside pg_catalog and public come out schema-qualified).
 */
import pg from 'pg';
import { loadParser } from '../../sql/parser.js';
import type { SchemaModel } from '../../model/types.js';
import { CatalogModelBuilder } from './build-model.js';
import {
  CatalogError,
  connect,
  DEFAULT_QUERY_TIMEOUT_MS,
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
  indexesQuery,
  relationsQuery,
  SCHEMAS,
  SCOPED,
  SERVER_INFO,
  triggersQuery,
  TYPES,
  UNSCOPED,
} from './queries.js';
import type { CatalogRows, ColumnRow, ConstraintRow, FunctionRow, IndexRow, RelationRow, TriggerRow, TypeRow } from './rows.js';
import { startHelper, type HelperConnection } from './helper-connection.js';
import { CatalogChanged, vanishedConstraint, vanishedFunction, vanishedIndex, vanishedRelation } from './vanished.js';

export interface ReadCatalogOptions {
  /** Overrides the `host:port/dbname` alias that origins carry. */
  alias?: string;
  /**
   * Fail when the role lacks USAGE on a schema it would read (default true). pg_catalog itself is readable
   * without it, but such a role cannot run the fix-up script or a follow-up check on those objects, so a run
   * that quietly linted them would promise more than it can deliver.
   */
  requireSchemaUsage?: boolean;
  /**
   * The schemas to read (the config's `schemas.include` / `exclude`): objects of other schemas are not queried and
   * their USAGE is not required. Default: every user schema.
   */
  schemaInScope?: (schema: string) => boolean;
  /** Server-side statement_timeout (default: the query timeout of the connection settings, else 60 s). */
  statementTimeout?: string;
  lockTimeout?: string;
  /** Client-side limit per query in milliseconds (default: the connection settings', else 60 s). */
  queryTimeoutMs?: number;
  /** Attempts of the whole read when the catalog changes under it (default 5). */
  attempts?: number;
  /**
   * From how many tables on a second connection reads the indexes and constraints in the same snapshot
   * (helper-connection.ts; default HELPER_ABOVE_TABLES). Only when readCatalog opens the connection itself: a
   * caller's client has no settings to copy.
   */
  helperAboveTables?: number;
  /**
   * For tests: wait for the helper connection before reading the columns, so that it is ready when its work is
   * claimed (a small test catalog is read before a second connection has authenticated) and its rows arrive while
   * the columns do, as on a big catalog.
   */
  waitForHelper?: boolean;
}

/**
 * Below this the helper connection costs about what it saves: its connection start-up (a TCP and an authentication
 * round trip, TLS on most servers) against indexes and constraints queries that take ~0.1 s at 2,000 tables.
 */
export const HELPER_ABOVE_TABLES = 2_000;

/** True when the last `readCatalog` read the indexes and constraints on a helper connection, for tests. */
export let helperUsed = false;

export const MIN_SERVER_VERSION = 130000;

/** Round trips the last `readCatalog` made (transaction control included), for benchmarks. */
export let queryCount = 0;

/** Attempts of the last `readCatalog` (1 unless the catalog changed under it), for tests. */
export let attemptCount = 0;

const DEFAULT_ATTEMPTS = 5;

/**
 * The extra time the client waits beyond the server's statement_timeout: a server that is alive cancels the query
 * itself and says so (SQLSTATE 57014); only one that says nothing at all meets the client-side limit.
 */
const CLIENT_GRACE_MS = 2_000;

export async function readCatalog(source: pg.Client | ConnectionSettings, opts: ReadCatalogOptions = {}): Promise<SchemaModel> {
  await loadParser();
  if (isClient(source)) return readWithRetries(source, describeTarget(source), opts);
  const { client, target } = await connect(source);
  const openHelper = async (signal: AbortSignal) => (await connect(source, signal)).client;
  try {
    return await readWithRetries(client, target, { queryTimeoutMs: source.queryTimeoutMs, ...opts }, openHelper);
  } finally {
    // With a query still outstanding (a frozen server), pg's end() destroys the socket instead of waiting.
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

/** A client-side timeout: the server never answered, so the connection is unusable (no ROLLBACK can get through). */
class NoAnswer extends Error {}

/**
 * The server would not export a snapshot for a helper connection (a PostgreSQL-compatible server without
 * pg_export_snapshot, EXECUTE revoked on it): the read is made again without a helper.
 */
class NoSnapshot extends Error {
  constructor(cause: unknown) {
    super('pg_export_snapshot failed', { cause });
  }
}

/**
 * Errors that mean an object was dropped (or replaced) while the catalog was being read: functions such as
 * pg_get_expr and pg_get_indexdef look objects up by OID in the catalog caches, which see the newest state, not the
 * query's snapshot. Reading again sees a consistent catalog.
 */
export function isConcurrentCatalogChange(error: unknown): boolean {
  if (error instanceof CatalogChanged) return true;
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  if (code === '40001' || code === '40P01') return true;
  if (code !== 'XX000' && code !== '42P01' && code !== '42704') return false;
  return /could not open relation with OID|cache lookup failed|relation with OID \d+ does not exist|could not find tuple|concurrently/i.test(message ?? '');
}

/** Opens one more connection like the first (absent when readCatalog was given a client). */
type OpenHelper = (signal: AbortSignal) => Promise<pg.Client>;

async function readWithRetries(client: pg.Client, target: ConnectionTarget, opts: ReadCatalogOptions, openHelper?: OpenHelper): Promise<SchemaModel> {
  const attempts = opts.attempts ?? DEFAULT_ATTEMPTS;
  let helper = openHelper;
  for (attemptCount = 1; ; attemptCount++) {
    try {
      return await readWith(client, target, opts, helper);
    } catch (error) {
      if (error instanceof NoAnswer) throw new CatalogError(error.message);
      if (error instanceof NoSnapshot && helper) {
        // Not an attempt the catalog's changes used up.
        helper = undefined;
        attemptCount--;
        continue;
      }
      if (isConcurrentCatalogChange(error) && attemptCount < attempts) {
        // Short, growing pauses: a migration that drops objects usually finishes within them.
        await new Promise((resolve) => setTimeout(resolve, 20 * attemptCount));
        continue;
      }
      if (isConcurrentCatalogChange(error)) {
        throw new CatalogError(
          `the catalog of ${target.alias} kept changing while it was read (objects dropped meanwhile, ${attempts} attempts): ` +
            (error instanceof Error ? error.message : String(error)).split('\n')[0],
        );
      }
      throw isDriverError(error) ? toCatalogError(error, target) : error;
    }
  }
}

async function readWith(client: pg.Client, target: ConnectionTarget, opts: ReadCatalogOptions, openHelper?: OpenHelper): Promise<SchemaModel> {
  queryCount = 0;
  helperUsed = false;
  const queryTimeoutMs = opts.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  const noAnswer = () =>
    new NoAnswer(
      `the server at ${target.host}:${target.port} stopped answering: no reply to a catalog query within ` +
        `${(queryTimeoutMs + CLIENT_GRACE_MS) / 1000} s (--query-timeout, or live.queryTimeoutSeconds in the config)`,
    );
  const run = async <T>(sql: string, values?: unknown[]): Promise<T[]> => {
    queryCount++;
    try {
      // pg's query_timeout fails the call client-side; the query stays outstanding, so the caller must not reuse
      // the connection (readCatalog's end() then destroys the socket).
      const result = await client.query({ text: sql, values, query_timeout: queryTimeoutMs + CLIENT_GRACE_MS } as pg.QueryConfig);
      return (Array.isArray(result) ? [] : result.rows) as T[];
    } catch (error) {
      if (error instanceof Error && /Query read timeout/.test(error.message)) throw noAnswer();
      throw error;
    }
  };
  /**
   * A big query whose rows go to `onRow` as they arrive, none kept (see CatalogModelBuilder). The outcome comes
   * through the query's callback, which pg calls for success and failure alike, also when the connection's own
   * `query_timeout` (a URL parameter, or a caller's client) wraps it; with a callback pg also keeps each row, so
   * the row handler empties that list (building is the rows' only use). The client-side limit is a timer of our
   * own, with run()'s meaning: the query stays outstanding and the connection is not reused.
   */
  const stream = (on: pg.Client, sql: string, values: unknown[] | undefined, onRow: (row: pg.QueryResultRow) => void): Promise<void> => {
    queryCount++;
    return new Promise((resolve, reject) => {
      // A row that cannot be used fails the query once it ends (throwing inside pg's event would break its parser).
      let failure: Error | undefined;
      const timer = setTimeout(() => reject(noAnswer()), queryTimeoutMs + CLIENT_GRACE_MS);
      const query = new pg.Query({ text: sql, values }, (error) => {
        clearTimeout(timer);
        if (error) reject(/Query read timeout/.test(error.message) ? noAnswer() : error);
        else if (failure) reject(failure);
        else resolve();
      });
      query.on('row', (row: pg.QueryResultRow, result) => {
        if (result) result.rows.length = 0;
        if (failure !== undefined) return;
        try {
          onRow(row);
        } catch (error) {
          failure = error instanceof Error ? error : new Error('a catalog row could not be used', { cause: error });
        }
      });
      on.query(query);
    });
  };
  const settings =
    `SET LOCAL statement_timeout = ${setting(opts.statementTimeout ?? `${queryTimeoutMs}ms`)}; ` +
    `SET LOCAL lock_timeout = ${setting(opts.lockTimeout ?? '5s')}; SET LOCAL TimeZone = 'UTC'; ` +
    // JIT compiles each big catalog query for ~150 ms of server time, more than the query itself then saves.
    `SET LOCAL search_path = pg_catalog, public; SET LOCAL jit = off; ` +
    // The first connection waits, idle in its transaction, while a helper connection finishes its part; the read's
    // own timeouts bound that wait, not a server's idle_in_transaction_session_timeout meant for forgotten sessions.
    `SET LOCAL idle_in_transaction_session_timeout = 0`;
  let helper: HelperConnection | undefined;
  try {
    await run(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; ${settings}`);
    const [info] = await run<{ version: number; role: string; stats_window: number | null }>(SERVER_INFO);
    if (info.version < MIN_SERVER_VERSION) {
      throw new CatalogError(`PostgreSQL ${formatVersion(info.version)} at ${target.alias} is not supported (13 or later)`);
    }
    const allSchemas = await run<{ name: string; usable: boolean }>(SCHEMAS);
    const inScope = opts.schemaInScope;
    const schemas = inScope ? allSchemas.filter((s) => inScope(s.name)) : allSchemas;
    const unusable = schemas.filter((s) => !s.usable).map((s) => s.name);
    if (unusable.length && opts.requireSchemaUsage !== false) {
      throw new CatalogError(
        `permission denied for schema ${unusable.join(', ')}: role ${info.role} has no USAGE on it at ${target.alias} ` +
          `(GRANT USAGE ON SCHEMA … TO ${info.role}, connect as another role, or exclude the schema in the config)`,
      );
    }
    const scoped = schemas.length < allSchemas.length;
    const scope = scoped ? SCOPED : UNSCOPED;
    const params = scoped ? [schemas.map((s) => s.name)] : undefined;
    const version = info.version;
    const extensions = await run<{ name: string; schema: string }>(EXTENSIONS);
    const builder = new CatalogModelBuilder({
      alias: opts.alias ?? target.alias,
      serverVersion: version,
      statsWindowSeconds: info.stats_window,
      schemas,
      extensions,
    });
    // An object dropped meanwhile (its printed form NULL) is not built; the read is retried after COMMIT.
    let vanished: string | undefined;
    const usable = (what: string | undefined): boolean => {
      vanished ??= what;
      return what === undefined;
    };
    const relations = await run<RelationRow>(relationsQuery(version, scope), params);
    relations.forEach((row) => usable(vanishedRelation(row)));
    builder.relations(relations);
    // Each row has the shape its query selects (rows.ts). Index rows need only the relations, so they can be built
    // while the columns arrive; constraint rows name their columns from the columns' rows and domains' CHECKs belong
    // to the types, so they are built after both.
    const readIndexes = (on: pg.Client) =>
      stream(on, indexesQuery(scope), params, (row) => {
        if (usable(vanishedIndex(row as IndexRow))) builder.index(row as IndexRow);
      });
    const readConstraints = (on: pg.Client, onRow: (row: ConstraintRow) => void) =>
      stream(on, constraintsQuery(version, scope), params, (row) => onRow(row as ConstraintRow));
    const buildConstraint = (row: ConstraintRow) => {
      if (usable(vanishedConstraint(row))) builder.constraint(row);
    };
    const tables = relations.reduce((n, rel) => (rel.kind === 'r' || rel.kind === 'p' ? n + 1 : n), 0);
    // On the helper, constraint rows wait in a list (~13,000 at 10,000 tables) until the columns are built.
    const waitingConstraints: ConstraintRow[] = [];
    if (openHelper && tables >= (opts.helperAboveTables ?? HELPER_ABOVE_TABLES)) {
      let snapshot: string;
      try {
        [{ snapshot }] = await run<{ snapshot: string }>('SELECT pg_catalog.pg_export_snapshot() AS snapshot');
      } catch (error) {
        // The failed call ended the transaction (PostgreSQL exports no snapshot from a subtransaction, so there is
        // no savepoint to return to): the read starts again, on one connection.
        if (error instanceof NoAnswer) throw error;
        throw new NoSnapshot(error);
      }
      helper = startHelper({
        open: openHelper,
        snapshot,
        settings,
        work: async (on) => {
          await readIndexes(on);
          await readConstraints(on, (row) => waitingConstraints.push(row));
        },
      });
    }
    // Tests wait here, so that the helper's rows arrive while the columns do, as on a big catalog.
    if (opts.waitForHelper) await helper?.setUp;
    await stream(client, columnsQuery(version, scope), params, (row) => builder.column(row as ColumnRow));
    builder.types(await run<TypeRow>(TYPES));
    const onHelper = helper?.claim();
    helperUsed = onHelper !== undefined;
    if (onHelper) {
      await onHelper;
      waitingConstraints.forEach(buildConstraint);
    } else {
      await readConstraints(client, buildConstraint);
      await readIndexes(client);
    }
    for (const row of await run<TriggerRow>(triggersQuery(scope), params)) builder.trigger(row);
    for (const row of await run<FunctionRow>(functionsQuery(version, scope), params)) {
      if (usable(vanishedFunction(row))) builder.function(row);
    }
    builder.partman(await readPartmanConfig(run, extensions));
    await run('COMMIT');
    if (vanished) throw new CatalogChanged(`${vanished} was dropped while the catalog was read`);
    return builder.model;
  } catch (error) {
    if (!(error instanceof NoAnswer)) await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await helper?.close();
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
