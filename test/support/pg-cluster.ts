/**
 * A throwaway PostgreSQL server for live tests.
 *
 * Design: each test file that needs a server calls `sharedCluster()` (lazily starts one server for that file; jest
 * gives every test file its own module registry, so a module-level singleton is per file, not per worker) and
 * `releaseCluster()` in `afterAll`. initdb + start costs well under a second here, which is cheaper and far more
 * robust than sharing a server across jest workers (no cross-process ownership, nothing left behind when a worker
 * dies: a process `exit` hook stops the server). Each test creates its own database, so tests never share state.
 *
 * `SCHEMA_LINT_TEST_PG_URL=postgres://user:password@host:port/db` makes every test use that existing server instead
 * (a superuser URL: tests create databases and roles; the wrong-password test needs password authentication on TCP).
 * Databases created there are dropped again by `stop()`.
 *
 * Otherwise the server binaries come from `SCHEMA_LINT_PG_BIN` (a folder holding initdb and pg_ctl), else the highest
 * version under `/usr/lib/postgresql/<version>/bin` (Debian's layout, outside PATH), else PATH. As root, the server
 * runs as the `postgres` OS user (`SCHEMA_LINT_PG_OS_USER` to change it): PostgreSQL refuses to run as root.
 *
 * Host connections use scram-sha-256 with a random superuser password, so authentication failures are testable over
 * TCP; the unix socket (inside the cluster folder) trusts everyone and is only used by pg_ctl.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import pg from 'pg';

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
  query<T = Record<string, unknown>>(db: string, sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs `psql -X -v ON_ERROR_STOP=1 -f file`; rejects with psql's stderr on failure. */
  psqlFile(db: string, file: string, opts?: PsqlOptions): Promise<void>;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function buildUrl(host: string, port: number, user: string, password: string | undefined, db: string): string {
  const auth = password === undefined ? encodeURIComponent(user) : `${encodeURIComponent(user)}:${encodeURIComponent(password)}`;
  return `postgres://${auth}@${host}:${port}/${encodeURIComponent(db)}`;
}

/** The folder holding initdb and pg_ctl, or undefined when PATH has to provide them. */
export function findPgBin(): string | undefined {
  const fromEnv = process.env.SCHEMA_LINT_PG_BIN;
  if (fromEnv) {
    if (!existsSync(join(fromEnv, 'initdb'))) throw new Error(`SCHEMA_LINT_PG_BIN=${fromEnv} holds no initdb`);
    return fromEnv;
  }
  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot)
      .filter((v) => /^\d+(\.\d+)?$/.test(v) && existsSync(join(debianRoot, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length) return join(debianRoot, versions[0], 'bin');
  }
  const onPath = (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, 'initdb')));
  if (onPath) return undefined;
  throw new Error(
    'No PostgreSQL server binaries found (initdb, pg_ctl): set SCHEMA_LINT_PG_BIN to their folder, install the ' +
      "server (Debian: apt-get install postgresql), or set SCHEMA_LINT_TEST_PG_URL to an existing server's superuser URL",
  );
}

/** A server binary from `bin`; a client (psql) may live elsewhere — server-only packages ship none — so PATH then. */
function binary(bin: string | undefined, name: string): string {
  return bin && existsSync(join(bin, name)) ? join(bin, name) : name;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

/** PostgreSQL refuses to run as root; find the user it runs as instead. */
function serverOsUser(): OsUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const name = process.env.SCHEMA_LINT_PG_OS_USER ?? 'postgres';
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
    return { name, uid, gid };
  } catch {
    throw new Error(`running as root, and the OS user '${name}' to run PostgreSQL as does not exist (set SCHEMA_LINT_PG_OS_USER)`);
  }
}

function runAs(user: OsUser | undefined, command: string, args: string[]): { status: number | null; output: string } {
  const [file, argv] = user ? ['runuser', ['-u', user.name, '--', command, ...args]] : [command, args];
  const result = spawnSync(file, argv, { encoding: 'utf8', cwd: tmpdir() });
  if (result.error) return { status: null, output: String(result.error.message) };
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function makeCluster(params: {
  host: string;
  port: number;
  superuser: string;
  password: string;
  adminDb: string;
  external: boolean;
  bin: string | undefined;
  shutdown: () => void;
}): Cluster {
  const { host, port, superuser, password, adminDb, external, bin } = params;
  const created = new Set<string>();
  const url = (db?: string) => buildUrl(host, port, superuser, password, db ?? adminDb);
  return {
    port,
    host,
    external,
    superuser,
    superuserPassword: password,
    superuserUrl: url,
    urlFor: (user, pw, db) => buildUrl(host, port, user, pw, db),
    async createDatabase(name) {
      await withClient(url(), async (client) => {
        if (external) await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
        await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
      });
      created.add(name);
      return url(name);
    },
    async query<T>(db: string, sql: string, values?: unknown[]) {
      return withClient(url(db), async (client) => {
        const result = await client.query(sql, values);
        const last = Array.isArray(result) ? result[result.length - 1] : result;
        return (last?.rows ?? []) as T[];
      });
    },
    async psqlFile(db, file, opts = {}) {
      const target = opts.user ? buildUrl(host, port, opts.user, opts.password, db) : url(db);
      const vars = Object.entries(opts.variables ?? {}).flatMap(([k, v]) => ['-v', `${k}=${v}`]);
      const result = spawnSync(binary(bin, 'psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', ...vars, '-f', file, '-d', target], {
        encoding: 'utf8',
      });
      if (result.error) throw new Error(`psql could not run: ${result.error.message}`);
      if (result.status !== 0) throw new Error(`psql -f ${file} failed: ${result.stderr.trim()}`);
    },
    async stop() {
      if (external) {
        await withClient(url(), async (client) => {
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

async function startOwnCluster(): Promise<Cluster> {
  const bin = findPgBin();
  const osUser = serverOsUser();
  const dir = mkdtempSync(join('/tmp', 'schema-lint-pg-'));
  chmodSync(dir, 0o700);
  if (osUser) chownSync(dir, osUser.uid, osUser.gid);
  const dataDir = join(dir, 'data');
  const password = randomBytes(12).toString('hex');
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (osUser) chownSync(pwfile, osUser.uid, osUser.gid);

  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  const init = runAs(osUser, binary(bin, 'initdb'), [
    '-D', dataDir, '-E', 'UTF8', '--locale=C.UTF-8', '-U', 'postgres', '--pwfile', pwfile,
    '--auth-local=trust', '--auth-host=scram-sha-256', '-N',
  ]);
  if (init.status !== 0) {
    removeDir();
    throw new Error(`initdb failed: ${init.output.trim()}`);
  }

  let stopped = false;
  const shutdown = () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', shutdown);
    runAs(osUser, binary(bin, 'pg_ctl'), ['stop', '-D', dataDir, '-m', 'immediate', '-w']);
    removeDir();
  };

  // Another worker may take the free port between probing and binding it: retry with a new one.
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const serverOptions = [
      `-p ${port}`, `-k ${dir}`, '-c listen_addresses=127.0.0.1', '-c fsync=off', '-c full_page_writes=off',
      '-c synchronous_commit=off',
    ].join(' ');
    const start = runAs(osUser, binary(bin, 'pg_ctl'), ['start', '-D', dataDir, '-w', '-t', '60', '-l', join(dir, 'server.log'), '-o', serverOptions]);
    if (start.status === 0) {
      // A crashed or interrupted jest worker must not leave a server running.
      process.on('exit', shutdown);
      return makeCluster({ host: HOST, port, superuser: 'postgres', password, adminDb: 'postgres', external: false, bin, shutdown });
    }
    lastError = start.output.trim();
  }
  removeDir();
  throw new Error(`pg_ctl start failed: ${lastError}`);
}

/** Starts a new server (or wraps `SCHEMA_LINT_TEST_PG_URL`). The caller must `stop()` it. */
export async function startCluster(): Promise<Cluster> {
  const external = process.env.SCHEMA_LINT_TEST_PG_URL;
  return external ? externalCluster(external) : startOwnCluster();
}

let shared: Promise<Cluster> | undefined;

/** The server of this test file, started on first use. Pair with `afterAll(releaseCluster)`. */
export function sharedCluster(): Promise<Cluster> {
  shared ??= startCluster();
  return shared;
}

export async function releaseCluster(): Promise<void> {
  const current = shared;
  shared = undefined;
  // A cluster that failed to start has nothing to stop; its error was already reported where it was awaited.
  if (current) await current.then((cluster) => cluster.stop(), () => undefined);
}
