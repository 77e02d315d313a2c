/**
 * Starting and stopping a throwaway PostgreSQL server (initdb + pg_ctl on a free port). Plain JavaScript because
 * jest's globalSetup (global-setup.mjs) loads its modules outside jest's TypeScript pipeline; the test files use it
 * through pg-cluster.ts. Types: pg-server.d.mts.
 *
 * The binaries come from `SCHEMA_LINT_PG_BIN` (a folder holding initdb and pg_ctl), else the highest version under
 * `/usr/lib/postgresql/<version>/bin` (Debian's layout, outside PATH), else PATH. As root, the server runs as the
 * `postgres` OS user (`SCHEMA_LINT_PG_OS_USER` to change it): PostgreSQL refuses to run as root. Host connections
 * use scram-sha-256 with a random superuser password, so authentication failures are testable over TCP; the unix
 * socket (inside the cluster folder) trusts everyone: pg_ctl uses it, and so does the harness for its own connections
 * (pg-cluster.ts), never schema-lint under test.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

const HOST = '127.0.0.1';

/** The folder holding initdb and pg_ctl, or undefined when PATH has to provide them. */
export function findPgBin() {
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
export function pgBinary(bin, name) {
  return bin && existsSync(join(bin, name)) ? join(bin, name) : name;
}

async function freePort() {
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

/** PostgreSQL refuses to run as root; find the user it runs as instead. */
function serverOsUser() {
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

function runAs(user, command, args) {
  const [file, argv] = user ? ['runuser', ['-u', user.name, '--', command, ...args]] : [command, args];
  const result = spawnSync(file, argv, { encoding: 'utf8', cwd: tmpdir() });
  if (result.error) return { status: null, output: String(result.error.message) };
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

/**
 * Where the cluster folder goes: `SCHEMA_LINT_TEST_PG_DIR`, else memory (/dev/shm) when it has room, else /tmp. A
 * run writes about 1 GB of databases (every fixture and corpus entry, and their copies), and deleting them from a
 * disk mounted with `discard` took a minute here; in memory it takes a blink.
 */
function clusterParent(onDisk) {
  if (process.env.SCHEMA_LINT_TEST_PG_DIR) return process.env.SCHEMA_LINT_TEST_PG_DIR;
  if (onDisk) return '/tmp';
  try {
    const shm = statfsSync('/dev/shm');
    if (shm.bavail * shm.bsize > 4 * 1024 ** 3) return '/dev/shm';
  } catch {
    // no /dev/shm (not Linux): the disk then
  }
  return '/tmp';
}

/**
 * Starts a new server; `stop()` (also run when the process exits) stops it and removes its folder. `onDisk`: in
 * /tmp even when memory has room.
 */
export async function startServer(options = {}) {
  const bin = findPgBin();
  const osUser = serverOsUser();
  const dir = mkdtempSync(join(clusterParent(options.onDisk === true), 'schema-lint-pg-'));
  chmodSync(dir, 0o700);
  if (osUser) chownSync(dir, osUser.uid, osUser.gid);
  const dataDir = join(dir, 'data');
  const password = randomBytes(12).toString('hex');
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (osUser) chownSync(pwfile, osUser.uid, osUser.gid);

  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  const init = runAs(osUser, pgBinary(bin, 'initdb'), [
    '-D', dataDir, '-E', 'UTF8', '--locale=C.UTF-8', '-U', 'postgres', '--pwfile', pwfile,
    '--auth-local=trust', '--auth-host=scram-sha-256', '-N',
  ]);
  if (init.status !== 0) {
    removeDir();
    throw new Error(`initdb failed: ${init.output.trim()}`);
  }

  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', stop);
    runAs(osUser, pgBinary(bin, 'pg_ctl'), ['stop', '-D', dataDir, '-m', 'immediate', '-w']);
    removeDir();
  };

  // Another process may take the free port between probing and binding it: retry with a new one.
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const serverOptions = [
      `-p ${port}`, `-k ${dir}`, '-c listen_addresses=127.0.0.1', '-c fsync=off', '-c full_page_writes=off',
      '-c synchronous_commit=off',
    ].join(' ');
    const start = runAs(osUser, pgBinary(bin, 'pg_ctl'), ['start', '-D', dataDir, '-w', '-t', '60', '-l', join(dir, 'server.log'), '-o', serverOptions]);
    if (start.status === 0) {
      // A crashed or interrupted process must not leave a server running.
      process.on('exit', stop);
      return { host: HOST, port, superuser: 'postgres', password, bin, socketDir: dir, stop };
    }
    lastError = start.output.trim();
  }
  removeDir();
  throw new Error(`pg_ctl start failed: ${lastError}`);
}

/** Where globalSetup tells the test files about the run's server (workers inherit the environment). */
export const SHARED_SERVER_ENV = 'SCHEMA_LINT_TEST_PG_SHARED';
