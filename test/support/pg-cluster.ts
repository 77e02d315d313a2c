/**
 * PostgreSQL servers for live tests (started by pg-server.mjs).
 *
 * Design: one server for the whole jest run, started by jest's globalSetup (global-setup.mjs) in jest's own process
 * and stopped by its globalTeardown, so no worker owns it and a dying worker leaves nothing behind. Each test file
 * calls `sharedCluster()` and `releaseCluster()` in `afterAll`; every file creates its own databases (names unique
 * across files: creating one that exists fails) and its own roles, and its databases are dropped at the end. A file
 * run without the global setup (or when the setup could not start a server) starts a server of its own. A test that
 * freezes or breaks the server itself takes one of its own with `startCluster()`.
 *
 * Fixtures are loaded once per server: `templateDatabase()` loads a database the first time any file asks for it
 * (an advisory lock on the server orders the workers), and each test that needs that schema gets a copy with
 * `cloneDatabase()` (`CREATE DATABASE … TEMPLATE`), which costs what an empty database costs.
 *
 * The harness's own connections (making databases, loading fixtures, setup queries, psql) go through the server's Unix
 * socket, where the superuser is trusted: a password exchange costs ~8 ms of CPU on both ends (SCRAM's 4,096 rounds of
 * PBKDF2), and the harness made ~1,000 of them a run. What the tests hand to schema-lint (`superuserUrl`, `urlFor`)
 * stays TCP with a password, as users connect.
 *
 * `SCHEMA_LINT_TEST_PG_URL=postgres://user:password@host:port/db` makes every test use that existing server instead
 * (a superuser URL: tests create databases and roles; the wrong-password test needs password authentication on TCP).
 * Databases created there are dropped again by `stop()`, the shared templates by globalTeardown.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { findPgBin, pgBinary, SHARED_SERVER_ENV, startServer } from './pg-server.mjs';

export { findPgBin } from './pg-server.mjs';

export interface PsqlOptions {
  /** Connect as this role instead of the superuser. */
  user?: string;
  password?: string;
  /** psql variables (`-v name=value`). */
  variables?: Record<string, string>;
}

export interface Cluster {
  port: number;
  host: string;
  /** True when the server came from `SCHEMA_LINT_TEST_PG_URL` rather than being started here. */
  external: boolean;
  superuser: string;
  superuserPassword: string;
  superuserUrl(db?: string): string;
  /** A URL for another role (password may be omitted). */
  urlFor(user: string, password: string | undefined, db: string): string;
  /** Creates (after dropping, on an external server) a database of exactly that name; returns its superuser URL. */
  createDatabase(name: string): Promise<string>;
  /**
   * The database `load` fills, made once per server for this `key` (include the content in it) and never connected
   * to again: copy it with `cloneDatabase`. `result` is what the first `load` returned (kept as the database's comment,
   * so workers that did not load it get it too). A failed load leaves nothing behind and throws its error.
   */
  templateDatabase<T>(key: string, load: (db: string) => Promise<T>): Promise<{ name: string; result: T }>;
  /** Creates `name` as a copy of a template database; returns its superuser URL. */
  cloneDatabase(name: string, template: string): Promise<string>;
  query<T = Record<string, unknown>>(db: string, sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs `psql -X -v ON_ERROR_STOP=1 -f file`; rejects with psql's stderr on failure. */
  psqlFile(db: string, file: string, opts?: PsqlOptions): Promise<void>;
  stop(): Promise<void>;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function buildUrl(host: string, port: number, user: string, password: string | undefined, db: string): string {
  const auth = password === undefined ? encodeURIComponent(user) : `${encodeURIComponent(user)}:${encodeURIComponent(password)}`;
  return `postgres://${auth}@${host}:${port}/${encodeURIComponent(db)}`;
}

/** A connection string (schema-lint's way in) or the harness's own socket settings. */
type ConnectTo = string | pg.ClientConfig;

async function withClient<T>(to: ConnectTo, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(typeof to === 'string' ? { connectionString: to } : to);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Template databases made by this process, by name: concurrent tests of one file wait for the same load. */
const templates = new Map<string, Promise<{ name: string; result: unknown }>>();

function makeCluster(params: {
  host: string;
  port: number;
  superuser: string;
  password: string;
  adminDb: string;
  external: boolean;
  /** Another process owns the server (the jest run's global one): databases are this file's, never dropped first. */
  sharedServer?: boolean;
  bin: string | undefined;
  /** The server's socket folder, when it runs on this machine (not for an external server). */
  socketDir?: string;
  shutdown: () => void;
}): Cluster {
  const { host, port, superuser, password, adminDb, external, bin, socketDir } = params;
  const dropsOnStop = external || params.sharedServer === true;
  const created = new Set<string>();
  const url = (db?: string) => buildUrl(host, port, superuser, password, db ?? adminDb);
  /** The harness's own connection to `db`: the trusted socket when there is one. */
  const own = (db?: string): ConnectTo => (socketDir ? { host: socketDir, port, user: superuser, database: db ?? adminDb } : url(db));
  let fileCopy: boolean | undefined;
  /**
   * CREATE DATABASE for the harness. On a server started here (fsync off) from PostgreSQL 15 on, `STRATEGY FILE_COPY`:
   * the default WAL_LOG copies the template through the write-ahead log, 20 ms a database here against 10 ms, and the
   * two checkpoints FILE_COPY asks for cost nothing without fsync. Not on an external server, where they would load a
   * shared server's disks. Before 15 there is only the file copy, without the keyword.
   */
  const createDatabaseSql = async (client: pg.Client, name: string, template: string): Promise<string> => {
    fileCopy ??= !external && Number((await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0].v) >= 150000;
    return `CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}${fileCopy ? ' STRATEGY FILE_COPY' : ''}`;
  };
  /** The same for psql, as a conninfo string. */
  const ownConninfo = (db: string): string => {
    if (!socketDir) return url(db);
    const value = (v: string | number) => `'${String(v).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    return `host=${value(socketDir)} port=${port} user=${value(superuser)} dbname=${value(db)}`;
  };

  async function makeTemplate(name: string, load: (db: string) => Promise<unknown>): Promise<{ name: string; result: unknown }> {
    return withClient(own(), async (client) => {
      // Workers ask for the same template at the same time: one loads, the others wait here and then find it.
      await client.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
      try {
        const found = await client.query<{ result: string | null }>(
          "SELECT shobj_description(oid, 'pg_database') AS result FROM pg_database WHERE datname = $1",
          [name],
        );
        if (found.rows.length) return { name, result: JSON.parse(found.rows[0].result ?? 'null') as unknown };
        // Loaded under another name and renamed when complete: a half-loaded template never has the final name.
        const loading = `${name}_loading`;
        await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(loading)} WITH (FORCE)`);
        await client.query(await createDatabaseSql(client, loading, 'template1'));
        let result: unknown;
        try {
          result = await load(loading);
        } catch (error) {
          await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(loading)} WITH (FORCE)`).catch(() => undefined);
          throw error;
        }
        await client.query(`ALTER DATABASE ${quoteIdent(loading)} RENAME TO ${quoteIdent(name)}`);
        const comment = JSON.stringify(result ?? null).replace(/'/g, "''");
        await client.query(`COMMENT ON DATABASE ${quoteIdent(name)} IS '${comment}'`);
        return { name, result };
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [name]).catch(() => undefined);
      }
    });
  }

  return {
    port,
    host,
    external,
    superuser,
    superuserPassword: password,
    superuserUrl: url,
    urlFor: (user, pw, db) => buildUrl(host, port, user, pw, db),
    async createDatabase(name) {
      await withClient(own(), async (client) => {
        if (external) await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
        await client.query(await createDatabaseSql(client, name, 'template1'));
      });
      created.add(name);
      return url(name);
    },
    async templateDatabase<T>(key: string, load: (db: string) => Promise<T>) {
      const name = `schema_lint_tpl_${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
      let pending = templates.get(name);
      if (!pending) {
        pending = makeTemplate(name, load);
        templates.set(name, pending);
      }
      return pending as Promise<{ name: string; result: T }>;
    },
    async cloneDatabase(name, template) {
      await withClient(own(), async (client) => {
        if (external) await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
        await client.query(await createDatabaseSql(client, name, template));
      });
      created.add(name);
      return url(name);
    },
    async query<T>(db: string, sql: string, values?: unknown[]) {
      return withClient(own(db), async (client) => {
        // A string of several statements gives one result per statement (typed as one): the last one's rows answer.
        const result = (await client.query(sql, values)) as pg.QueryResult | pg.QueryResult[];
        const last = Array.isArray(result) ? result.at(-1) : result;
        return (last?.rows ?? []) as T[];
      });
    },
    psqlFile(db, file, opts = {}) {
      // Asynchronous: a worker running several cases side by side (fix-roundtrip) keeps linting while psql applies a
      // script; spawnSync held the worker's whole event loop, 14 s of fix-roundtrip and agreement together.
      const target = opts.user ? buildUrl(host, port, opts.user, opts.password, db) : ownConninfo(db);
      const vars = Object.entries(opts.variables ?? {}).flatMap(([k, v]) => ['-v', `${k}=${v}`]);
      return new Promise<void>((resolve, reject) => {
        execFile(
          pgBinary(bin, 'psql'),
          ['-X', '-q', '-v', 'ON_ERROR_STOP=1', ...vars, '-f', file, '-d', target],
          { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
          (error, _stdout, stderr) => {
            if (!error) resolve();
            else if (typeof error.code === 'number') reject(new Error(`psql -f ${file} failed: ${stderr.trim()}`));
            else reject(new Error(`psql could not run: ${error.message}`));
          },
        );
      });
    },
    async stop() {
      if (dropsOnStop) {
        await withClient(own(), async (client) => {
          for (const name of created) await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
        });
        created.clear();
        return;
      }
      params.shutdown();
    },
  };
}

function externalCluster(raw: string): Cluster {
  const parsed = new URL(raw);
  const bin = (() => {
    try {
      return findPgBin();
    } catch {
      return undefined; // psql from PATH, if any: only psqlFile needs it
    }
  })();
  return makeCluster({
    host: parsed.hostname,
    port: Number(parsed.port || 5432),
    superuser: decodeURIComponent(parsed.username || 'postgres'),
    password: decodeURIComponent(parsed.password),
    adminDb: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'postgres',
    external: true,
    bin,
    shutdown: () => {},
  });
}

async function startOwnCluster(options: { onDisk?: boolean } = {}): Promise<Cluster> {
  const server = await startServer(options);
  return makeCluster({ ...server, adminDb: 'postgres', external: false, shutdown: server.stop });
}

/** Starts a new server (or wraps `SCHEMA_LINT_TEST_PG_URL`). The caller must `stop()` it. */
export async function startCluster(options: { onDisk?: boolean } = {}): Promise<Cluster> {
  const external = process.env.SCHEMA_LINT_TEST_PG_URL;
  return external ? externalCluster(external) : startOwnCluster(options);
}

/** The run's server as global-setup.mjs publishes it (pg-server.mjs). */
interface SharedServer {
  host: string;
  port: number;
  superuser: string;
  password: string;
  bin?: string;
  socketDir?: string;
}

function sharedServerCluster(raw: string): Cluster {
  const server = JSON.parse(raw) as SharedServer;
  return makeCluster({ ...server, bin: server.bin, adminDb: 'postgres', external: false, sharedServer: true, shutdown: () => undefined });
}

let shared: Promise<Cluster> | undefined;

/** The server of this test file: the run's shared one, else one started on first use. Pair with `afterAll(releaseCluster)`. */
export function sharedCluster(): Promise<Cluster> {
  const server = process.env[SHARED_SERVER_ENV];
  shared ??= server && !process.env.SCHEMA_LINT_TEST_PG_URL ? Promise.resolve(sharedServerCluster(server)) : startCluster();
  return shared;
}

export async function releaseCluster(): Promise<void> {
  const current = shared;
  shared = undefined;
  // A cluster that failed to start has nothing to stop; its error was already reported where it was awaited.
  if (current) await current.then((cluster) => cluster.stop(), () => undefined);
}
