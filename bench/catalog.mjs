#!/usr/bin/env node
/**
 * Live-mode benchmark: starts its own throwaway PostgreSQL cluster (as test/support/pg-cluster.ts does: initdb into
 * a fresh /tmp folder, server run as the `postgres` OS user when we are root, fsync off, TCP on 127.0.0.1 with a
 * random scram password, unix socket in the folder), then measures `readCatalog` on
 *   (a) the largest corpus entries (lemmy, hatchet, postgrest), loaded as test/support/corpus.ts loads them;
 *   (b) a generated database of 10,000 tables (columns, PKs, FKs, indexes, jsonb, a few partitioned tables);
 * reporting wall time (median/min of N runs on an open connection, split into time in queries — the streamed ones
 * include building the model from their rows as they arrive — and the rest), CPU time of the server backend (from
 * /proc: the cluster runs on this machine) and of this process during the read (less noisy than wall time on a
 * shared machine), `queryCount` (round trips, exported by read-catalog.js), and the whole CLI
 * (`lint --db URL --format json > /dev/null`, fresh process per run). The cluster is stopped and its folder removed
 * at the end, also on errors and Ctrl-C.
 *
 * Usage: node bench/catalog.mjs [--runs 5] [--tables 5210,10000] [--baseline DIR] [--no-corpus] [--no-generated] [--no-cli]
 * (--baseline: another built copy, e.g. of the previous commit, measured on the same databases, the two builds taking turns run by run)
 * Env: SCHEMA_LINT_PG_BIN (folder with initdb/pg_ctl/psql; default: highest /usr/lib/postgresql/<v>/bin),
 *      SCHEMA_LINT_PG_OS_USER (default postgres). Needs dist/ (npx tsc -p tsconfig.json).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { argValue, median, ms } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
// A built copy to measure instead of this tree's dist/ (a stable snapshot while others rebuild dist/): a folder with
// bin/, dist/, package.json and node_modules/. The corpus is still found next to this repository.
const target = path.resolve(process.env.SCHEMA_LINT_BENCH_ROOT ?? root);
const HOST = '127.0.0.1';


// ---------- cluster ----------

function pgBin() {
  if (process.env.SCHEMA_LINT_PG_BIN) return process.env.SCHEMA_LINT_PG_BIN;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base).filter((v) => /^\d+$/.test(v) && existsSync(path.join(base, v, 'bin', 'initdb'))).sort((a, b) => b - a)
    : [];
  if (!versions.length) throw new Error('no PostgreSQL binaries: set SCHEMA_LINT_PG_BIN');
  return path.join(base, versions[0], 'bin');
}

function osUser() {
  if (process.getuid?.() !== 0) return undefined;
  const name = process.env.SCHEMA_LINT_PG_OS_USER ?? 'postgres';
  const id = (flag) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
  return { name, uid: id('-u'), gid: id('-g') };
}

function runAs(user, command, args) {
  const [file, argv] = user ? ['runuser', ['-u', user.name, '--', command, ...args]] : [command, args];
  const r = spawnSync(file, argv, { encoding: 'utf8', cwd: '/tmp' });
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error?.message ?? ''}` };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startCluster() {
  const bin = pgBin();
  const user = osUser();
  const dir = mkdtempSync('/tmp/schema-lint-bench-pg-');
  chmodSync(dir, 0o700);
  if (user) chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, 'data');
  const password = randomBytes(12).toString('hex');
  const pwfile = path.join(dir, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (user) chownSync(pwfile, user.uid, user.gid);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    runAs(user, path.join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-w']);
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', stop);
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));
  const init = runAs(user, path.join(bin, 'initdb'), [
    '-D', data, '-E', 'UTF8', '--locale=C.UTF-8', '-U', 'postgres', '--pwfile', pwfile,
    '--auth-local=trust', '--auth-host=scram-sha-256', '-N',
  ]);
  if (init.status !== 0) {
    stop();
    throw new Error(`initdb failed: ${init.output}`);
  }
  const port = await freePort();
  const options = [`-p ${port}`, `-k ${dir}`, `-c listen_addresses=${HOST}`, '-c fsync=off', '-c full_page_writes=off', '-c synchronous_commit=off'].join(' ');
  const start = runAs(user, path.join(bin, 'pg_ctl'), ['start', '-D', data, '-w', '-t', '60', '-l', path.join(dir, 'server.log'), '-o', options]);
  if (start.status !== 0) {
    stop();
    throw new Error(`pg_ctl start failed: ${start.output}`);
  }
  const url = (db) => `postgres://postgres:${password}@${HOST}:${port}/${encodeURIComponent(db)}`;
  return { bin, dir, url, stop };
}

async function sql(url, text) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

async function createDatabase(cluster, name) {
  await sql(cluster.url('postgres'), `CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
  return cluster.url(name);
}

function psql(cluster, url, args, cwd) {
  return spawnSync(path.join(cluster.bin, 'psql'), ['-X', '-q', ...args, '-d', url], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    env: { ...process.env, PGOPTIONS: '-c client_min_messages=error' },
  });
}

// ---------- inputs ----------

/** The corpus loads as test/support/corpus.ts: load order, cwd = file folder, lemmy's `CREATE SCHEMA r;`, postgrest's variables. */
function corpusEntry(name) {
  const dir = path.resolve(root, process.env.SCHEMA_LINT_SHARED_DIR ?? '../shared', 'corpus', name);
  const order = path.join(dir, '_load_order.txt');
  if (!existsSync(dir)) return undefined;
  const files = existsSync(order)
    ? readFileSync(order, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => path.join(dir, l))
    : readdirSync(dir).filter((f) => f.endsWith('.sql')).sort().map((f) => path.join(dir, f));
  const before = name === 'lemmy' ? { [path.join(dir, 'crates/db_schema/replaceable_schema/utils.sql')]: 'CREATE SCHEMA r;' } : {};
  return { name, files, before };
}

function loadCorpus(cluster, entry, url, database) {
  let errors = 0;
  const vars = entry.name === 'postgrest' ? ['-v', `DBNAME=${database}`, '-v', 'PGUSER=postgres'] : [];
  for (const file of entry.files) {
    const pre = entry.before[file] ? ['-c', entry.before[file]] : [];
    const r = psql(cluster, url, ['-v', 'ON_ERROR_STOP=0', ...vars, ...pre, '-f', path.basename(file)], path.dirname(file));
    errors += (r.stderr.match(/ERROR:|error:/g) ?? []).length;
  }
  return errors;
}

/**
 * 10,000 tables in one schema-spread SQL file: every table has a bigint PK, a few typed columns, a jsonb column;
 * every third references its predecessor (half of those FKs indexed), every other has a secondary index, some a
 * partial one; one table in 500 is range-partitioned with 4 partitions. Transactions of 500 tables keep the lock
 * table (max_locks_per_transaction) from overflowing while staying fast.
 */
function manyTablesSql(count) {
  const out = ['CREATE SCHEMA s0; CREATE SCHEMA s1; CREATE SCHEMA s2; CREATE SCHEMA s3;', 'BEGIN;'];
  for (let i = 0; i < count; i++) {
    if (i > 0 && i % 500 === 0) out.push('COMMIT;', 'BEGIN;');
    const schema = `s${i % 4}`;
    const table = `${schema}.t${i}`;
    if (i % 500 === 250) {
      out.push(`CREATE TABLE ${table} (id bigint NOT NULL, created_at timestamptz NOT NULL, kind text, payload jsonb, PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at);`);
      for (let q = 0; q < 4; q++) {
        out.push(`CREATE TABLE ${table}_q${q + 1} PARTITION OF ${table} FOR VALUES FROM ('2025-${String(q * 3 + 1).padStart(2, '0')}-01') TO ('${q === 3 ? '2026-01' : `2025-${String(q * 3 + 4).padStart(2, '0')}`}-01');`);
      }
      out.push(`CREATE INDEX t${i}_kind_idx ON ${table} (kind);`);
      continue;
    }
    const references = i % 3 === 1 && i % 500 !== 251 ? `, parent_id bigint REFERENCES s${(i - 1) % 4}.t${i - 1}(id)` : '';
    out.push(
      `CREATE TABLE ${table} (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name text NOT NULL, status smallint NOT NULL DEFAULT 0, ` +
        `amount numeric(12,2), payload jsonb, created_at timestamptz NOT NULL DEFAULT now(), deleted_at timestamptz${references});`,
    );
    if (references && i % 2 === 0) out.push(`CREATE INDEX t${i}_parent_idx ON ${table} (parent_id);`);
    if (i % 2 === 0) out.push(`CREATE INDEX t${i}_created_idx ON ${table} (created_at);`);
    if (i % 10 === 0) out.push(`CREATE INDEX t${i}_live_idx ON ${table} (name) WHERE deleted_at IS NULL;`);
  }
  out.push('COMMIT;');
  return out.join('\n') + '\n';
}

// ---------- measurement ----------

/**
 * Which catalog query a text is: the `/* schema-lint: <name> *\/` comment each query starts with, else (builds from
 * before the comments, measured with --baseline) a marker only that query holds.
 */
const MARKERS = [
  ['relations', /relpartbound/], ['columns', /pg_attrdef/], ['indexes', /pg_get_indexdef/], ['constraints', /FROM pg_catalog\.pg_constraint con\b/],
  ['triggers', /pg_trigger/], ['functions', /FROM pg_catalog\.pg_proc p\b/], ['types', /FROM pg_catalog\.pg_type t\b/],
  ['schemas', /has_schema_privilege/], ['extensions', /FROM pg_catalog\.pg_extension e\b/], ['server info', /server_version_num/],
];
function queryLabel(text) {
  const named = text.match(/\/\* schema-lint: ([\w ]+) \*\//)?.[1];
  if (named) return named;
  return MARKERS.find(([, re]) => re.test(text))?.[0] ?? text.trim().split(/\s+/).slice(0, 2).join(' ').slice(0, 24);
}

/** One readCatalog on a fresh connection (a fresh backend, as the CLI has): times, CPU and per-query times. */
async function readOnce(url, catalog) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const backend = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  let waiting = 0;
  const perQuery = new Map();
  const query = client.query.bind(client);
  client.query = (...args) => {
    const start = performance.now();
    const done = () => {
      const elapsed = performance.now() - start;
      waiting += elapsed;
      const label = queryLabel(String(typeof args[0] === 'string' ? args[0] : args[0]?.text ?? ''));
      perQuery.set(label, (perQuery.get(label) ?? 0) + elapsed);
    };
    // A streamed query (a pg.Query whose rows are handled as they arrive) ends with its 'end' event, and its
    // time includes building the model from its rows.
    if (typeof args[0]?.submit === 'function') {
      args[0].once('end', done);
      args[0].once('error', done);
      return query(...args);
    }
    return query(...args).finally(done);
  };
  const serverStart = backendCpuMs(backend);
  const clientStart = process.cpuUsage();
  const start = performance.now();
  const model = await catalog.readCatalog(client);
  const total = performance.now() - start;
  const clientCpu = process.cpuUsage(clientStart);
  const serverCpu = backendCpuMs(backend) - serverStart;
  await client.end();
  return {
    total, waiting, serverCpu, clientCpu: (clientCpu.user + clientCpu.system) / 1000, perQuery,
    queryCount: catalog.queryCount(), tables: model.tables.size,
  };
}

/** Medians over readOnce samples; per query, slowest first. */
function summarizeReads(samples) {
  const perQuery = new Map();
  for (const sample of samples) for (const [label, elapsed] of sample.perQuery) perQuery.set(label, [...(perQuery.get(label) ?? []), elapsed]);
  return {
    total: median(samples.map((s) => s.total)),
    min: Math.min(...samples.map((s) => s.total)),
    queries: median(samples.map((s) => s.waiting)),
    build: median(samples.map((s) => s.total - s.waiting)),
    serverCpu: median(samples.map((s) => s.serverCpu)),
    clientCpu: median(samples.map((s) => s.clientCpu)),
    queryCount: samples.at(-1).queryCount,
    tables: samples.at(-1).tables,
    perQuery: [...perQuery].map(([label, list]) => [label, median(list)]).sort((a, b) => b[1] - a[1]),
  };
}

/** CPU time (user + system) of a server backend so far, from /proc (clock ticks of 10 ms). */
function backendCpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The whole CLI once, a fresh process under /usr/bin/time: wall ms, CPU ms (user + sys), peak RSS MiB. */
function cliOnce(cli, url) {
  const rssFile = path.join(tmpdir(), `schema-lint-bench-rss-${process.pid}.txt`);
  const devNull = openSync('/dev/null', 'w');
  const start = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M %U %S', '-o', rssFile, process.execPath, cli, 'lint', '--db', url, '--format', 'json', '--fail-on', 'never'], {
    stdio: ['ignore', devNull, 'pipe'],
    encoding: 'utf8',
    cwd: tmpdir(),
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  closeSync(devNull);
  if (r.status !== 0) throw new Error(`CLI exited ${r.status}: ${r.stderr}`);
  const [kib, user, sys] = readFileSync(rssFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  rmSync(rssFile, { force: true });
  return { wall, cpu: (user + sys) * 1000, rss: kib / 1024 };
}

function summarizeCli(samples) {
  return {
    median: median(samples.map((s) => s.wall)),
    min: Math.min(...samples.map((s) => s.wall)),
    cpu: median(samples.map((s) => s.cpu)),
    rss: median(samples.map((s) => s.rss)),
  };
}

/** A built copy to measure: its readCatalog (through the live `queryCount` binding) and its CLI. */
async function loadTarget(dir, name) {
  const distCatalog = path.join(dir, 'dist', 'src', 'sources', 'catalog', 'read-catalog.js');
  if (!existsSync(distCatalog)) throw new Error(`${dir}: dist/ missing: run npm run build there first`);
  const mod = await import(pathToFileURL(distCatalog).href);
  return { name, cli: path.join(dir, 'bin', 'schema-lint.js'), readCatalog: mod.readCatalog, queryCount: () => mod.queryCount };
}

const loadLine = () => `load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`;

async function main() {
  // --baseline DIR: a second built copy (e.g. the commit before a change) measured on the same databases, its runs
  // taking turns with this tree's, so both see the same load.
  const targets = [await loadTarget(target, 'this build')];
  const baseline = argValue('--baseline', undefined);
  if (baseline) targets.push(await loadTarget(path.resolve(baseline), 'baseline'));
  const runs = Number(argValue('--runs', '5'));
  const tableCounts = String(argValue('--tables', '10000')).split(',').map(Number);
  const withCli = !process.argv.includes('--no-cli');

  const cluster = await startCluster();
  const version = (await sql(cluster.url('postgres'), 'SHOW server_version')).rows[0].server_version;
  console.log(`PostgreSQL ${version}, node ${process.version}, ${runs} runs each (+1 warm-up), medians in ms; ${loadLine()}\n`);
  const rows = [];
  // Builds take turns run by run (this build, the baseline, this build, …), so a change in the machine's load
  // mid-way hits both alike; run 0 of each warms the server's caches and our JIT and is not counted.
  const measure = async (name, url) => {
    const samples = targets.map(() => ({ reads: [], clis: [] }));
    for (let i = 0; i <= runs; i++) {
      for (const [k, t] of targets.entries()) {
        const read = await readOnce(url, t);
        const cli = withCli ? cliOnce(t.cli, url) : undefined;
        if (i === 0) continue;
        samples[k].reads.push(read);
        if (cli) samples[k].clis.push(cli);
      }
    }
    for (const [k, t] of targets.entries()) {
      rows.push({
        name: targets.length > 1 ? `${name}, ${t.name}` : name,
        read: summarizeReads(samples[k].reads),
        e2e: withCli ? summarizeCli(samples[k].clis) : undefined,
      });
    }
    console.error(`measured ${name}; ${loadLine()}`);
  };
  try {
    if (!process.argv.includes('--no-corpus')) {
      for (const name of ['lemmy', 'hatchet', 'postgrest']) {
        const entry = corpusEntry(name);
        if (!entry) {
          console.log(`(corpus ${name} not found: skipped)`);
          continue;
        }
        const database = `bench_${name}`;
        const url = await createDatabase(cluster, database);
        const loadStart = performance.now();
        const errors = loadCorpus(cluster, entry, url, database);
        const loadMs = performance.now() - loadStart;
        await measure(`${name} corpus (load: ${(loadMs / 1000).toFixed(1)} s, ${errors} psql errors)`, url);
      }
    }
    if (!process.argv.includes('--no-generated')) {
      for (const tableCount of tableCounts) {
        const url = await createDatabase(cluster, `bench_tables_${tableCount}`);
        const file = path.join(cluster.dir, `tables-${tableCount}.sql`);
        writeFileSync(file, manyTablesSql(tableCount));
        const loadStart = performance.now();
        const r = psql(cluster, url, ['-v', 'ON_ERROR_STOP=1', '-f', file], cluster.dir);
        if (r.status !== 0) throw new Error(`loading ${tableCount} tables failed: ${r.stderr}`);
        const loadMs = performance.now() - loadStart;
        await measure(`generated ${tableCount.toLocaleString('en-US')} tables (load: ${(loadMs / 1000).toFixed(1)} s)`, url);
      }
    }
  } finally {
    cluster.stop();
  }

  console.log(`(${loadLine()} at the end)\n`);
  console.log('| database | tables in model | queryCount | readCatalog median | min | of which in queries | rest | server CPU | client CPU | CLI median | CLI min | CLI CPU | CLI peak RSS MiB |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const { name, read, e2e } of rows) {
    console.log(
      `| ${name} | ${read.tables} | ${read.queryCount} | ${ms(read.total)} | ${ms(read.min)} | ${ms(read.queries)} | ${ms(read.build)} | ${ms(read.serverCpu)} | ${ms(read.clientCpu)} | ` +
        `${e2e ? ms(e2e.median) : '-'} | ${e2e ? ms(e2e.min) : '-'} | ${e2e ? ms(e2e.cpu) : '-'} | ${e2e ? e2e.rss.toFixed(0) : '-'} |`,
    );
  }
  console.log('\nPer query (median ms per readCatalog, slowest first):\n');
  for (const { name, read } of rows) console.log(`- ${name}: ${read.perQuery.map(([label, t]) => `${label} ${ms(t)}`).join(', ')}`);
}

await main();
