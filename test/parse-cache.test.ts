/**
 * The parse cache (src/sources/ddl/cache.ts): a re-run parses only changed files and reports exactly what a run
 * without the cache reports; a new tool version or a config that changes the parsed text is a miss; concurrent runs
 * sharing a cache folder are both right; a damaged entry or an unwritable folder costs a parse, never the run.
 * Parses are counted through `--verbose` (the CLI's own line), not by instrumenting the code.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultCacheDir, ParseCache } from '../src/sources/ddl/cache.js';
import { buildModelFromSql } from '../src/sources/ddl/load-ddl.js';
import { loadParser } from '../src/sql/parser.js';
import { onlyRules, parseJsonReport, runCli, tempDir, writeTree, type CliResult } from './support/run-cli.js';
import { repoRoot } from './support/fixtures.js';

beforeAll(loadParser);

const MIGRATIONS: Record<string, string> = {
  'db/1_customers.sql': 'CREATE TABLE customers (id bigint PRIMARY KEY, name text);\n',
  'db/2_orders.sql': 'CREATE TABLE orders (\n  id bigint PRIMARY KEY,\n  customer_id bigint REFERENCES customers (id)\n);\n',
  'db/3_seed.sql': "INSERT INTO customers VALUES (1, 'a'), (2, 'b');\nGRANT SELECT ON customers TO PUBLIC;\n",
  'db/4_items.sql': 'CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));\n',
  'db/5_notes.sql': 'CREATE TABLE notes (id bigint PRIMARY KEY, body text);\nCOMMENT ON TABLE notes IS \'free text\';\n',
};

const RULES = onlyRules(['foreign-key-without-index', 'table-without-primary-key']);

function lint(dir: string, extra: string[], paths = ['db']): Promise<CliResult> {
  return runCli(['lint', ...paths, '--format', 'json', '--fail-on', 'never', '--verbose', ...extra, ...RULES], { cwd: dir });
}

/** `parsed N files, M from the cache` from the --verbose line. */
function parseCounts(result: CliResult): { parsed: number; cached: number } {
  const match = /^schema-lint: parsed (\d+) files?, (\d+) from the cache/m.exec(result.stderr);
  if (!match) throw new Error(`no parse line on stderr (exit ${result.code}): ${result.stderr}`);
  return { parsed: Number(match[1]), cached: Number(match[2]) };
}

const keys = (result: CliResult) => parseJsonReport(result).findings.map((f) => `${f.key}@${f.origin.file}:${f.origin.line}:${f.origin.column}`);

/** The parse cache's entries (the launcher's code cache, in `code/`, is not one: see the code cache tests below). */
function cacheEntries(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ndjson'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** The launcher's V8 code cache files (bin/code-cache.js). */
function codeCacheFiles(dir: string): string[] {
  const code = path.join(dir, 'code');
  return existsSync(code) ? readdirSync(code).map((name) => path.join(code, name)) : [];
}

describe('parse cache', () => {
  test('a re-run after one changed file parses exactly that file, and reports what a run without the cache reports', async () => {
    const dir = writeTree(tempDir(), MIGRATIONS);
    const cache = path.join(dir, 'cache');
    const cold = await lint(dir, ['--cache-dir', cache]);
    expect(parseCounts(cold)).toEqual({ parsed: 5, cached: 0 });
    expect(cacheEntries(cache).filter((f) => f.endsWith('.ndjson'))).toHaveLength(5);
    // No temporary files are left behind.
    expect(cacheEntries(cache).filter((f) => !f.endsWith('.ndjson'))).toEqual([]);

    const warm = await lint(dir, ['--cache-dir', cache]);
    expect(parseCounts(warm)).toEqual({ parsed: 0, cached: 5 });
    expect(warm.stdout).toBe(cold.stdout);

    // One file changes: orders loses its primary key and gains a line (every later line moves).
    writeFileSync(path.join(dir, 'db/2_orders.sql'), '-- orders\nCREATE TABLE orders (\n  id bigint UNIQUE,\n  customer_id bigint REFERENCES customers (id)\n);\n');
    const changed = await lint(dir, ['--cache-dir', cache]);
    expect(parseCounts(changed)).toEqual({ parsed: 1, cached: 4 });
    const uncached = await lint(dir, ['--no-cache']);
    expect(uncached.stderr).toMatch(/^schema-lint: parsed 5 files \(no cache\)$/m);
    expect(changed.stdout).toBe(uncached.stdout);
    expect(keys(changed)).toContain('table-without-primary-key/public.orders@db/2_orders.sql:2:14');
    expect(keys(changed)).not.toEqual(keys(cold));
    rmSync(dir, { recursive: true, force: true });
  });

  test('an entry written by another tool version is not read', () => {
    const dir = tempDir();
    const sources = [{ file: 'a.sql', text: 'CREATE TABLE a (id int);\nCREATE INDEX a_id ON a (id);\n' }];
    const v1 = new ParseCache({ dir, toolVersion: '1.0.0' });
    expect(buildModelFromSql(sources, undefined, { cache: v1 }).parse).toEqual({ parsed: 1, cached: 0 });
    const again = buildModelFromSql(sources, undefined, { cache: new ParseCache({ dir, toolVersion: '1.0.0' }) });
    expect(again.parse).toEqual({ parsed: 0, cached: 1 });
    const v2 = buildModelFromSql(sources, undefined, { cache: new ParseCache({ dir, toolVersion: '1.0.1' }) });
    expect(v2.parse).toEqual({ parsed: 1, cached: 0 });
    // Both versions' entries now exist side by side; the model is the same whichever way it was built.
    expect(buildModelFromSql(sources, undefined, { cache: new ParseCache({ dir, toolVersion: '1.0.1' }) }).parse).toEqual({ parsed: 0, cached: 1 });
    expect(again.model).toEqual(buildModelFromSql(sources).model);
    expect(v2.model).toEqual(again.model);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a config that changes what is parsed is a miss; one that only changes the model reuses the parse and still applies', async () => {
    // dbmate: only the `migrate:up` section runs. Read as plain SQL, the down section drops the table again.
    const dir = writeTree(tempDir(), {
      'db/20240101_a.sql': '-- migrate:up\nCREATE TABLE app.a (id bigint);\n-- migrate:down\nDROP TABLE app.a;\n',
      'db/20240102_b.sql': '-- migrate:up\nCREATE TABLE b (id bigint);\n-- migrate:down\nDROP TABLE b;\n',
      'db/0_schema.sql': 'CREATE SCHEMA app;\n',
    });
    const cache = path.join(dir, 'cache');
    const config = (value: object) => { writeFileSync(path.join(dir, 'schema-lint.config.json'), JSON.stringify({ cache: { dir: 'cache' }, ...value })); };
    config({ migrations: { layout: 'plain' } });
    const plain = await lint(dir, []);
    expect(parseCounts(plain)).toEqual({ parsed: 3, cached: 0 });
    expect(plain.stderr).toContain(`(${cache})`);
    expect(keys(plain)).toEqual([]);

    config({ migrations: { layout: 'dbmate' } });
    const dbmate = await lint(dir, []);
    // The two migrations' runnable text changed (down sections blanked): parsed again. The schema file did not.
    expect(parseCounts(dbmate)).toEqual({ parsed: 2, cached: 1 });
    expect(keys(dbmate).sort()).toEqual(['table-without-primary-key/app.a@db/20240101_a.sql:2:14', 'table-without-primary-key/public.b@db/20240102_b.sql:2:14']);

    // The session setting changes where unqualified objects go, not what is parsed: cached, and applied.
    config({ migrations: { layout: 'dbmate' }, searchPath: ['app', 'public'] });
    const session = await lint(dir, []);
    expect(parseCounts(session)).toEqual({ parsed: 0, cached: 3 });
    expect(keys(session).sort()).toEqual(['table-without-primary-key/app.a@db/20240101_a.sql:2:14', 'table-without-primary-key/app.b@db/20240102_b.sql:2:14']);
    expect(session.stdout).toBe((await lint(dir, ['--no-cache'])).stdout);

    // `cache.enabled: false` in the config is --no-cache.
    config({ migrations: { layout: 'dbmate' }, cache: { enabled: false } });
    expect((await lint(dir, [])).stderr).toMatch(/^schema-lint: parsed 3 files \(no cache\)$/m);
    rmSync(dir, { recursive: true, force: true });
  });

  test('concurrent runs sharing one empty cache folder both give the right findings', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 40; i++) {
      files[`db/${i}_t.sql`] = `CREATE TABLE t${i} (id bigint${i % 3 ? ' PRIMARY KEY' : ''}, parent bigint REFERENCES t${Math.max(i - 1, 0)} (id));\n`.repeat(1);
    }
    files['db/0_t.sql'] = 'CREATE TABLE t0 (id bigint PRIMARY KEY, parent bigint);\n';
    const dir = writeTree(tempDir(), files);
    const cache = path.join(dir, 'cache');
    const expected = await lint(dir, ['--no-cache']);
    expect(parseJsonReport(expected).findings.length).toBeGreaterThan(20);
    const runs = await Promise.all([1, 2, 3, 4].map(() => lint(dir, ['--cache-dir', cache])));
    for (const run of runs) {
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(expected.stdout);
      const counts = parseCounts(run);
      expect(counts.parsed + counts.cached).toBe(40);
    }
    // Whoever wrote each entry, the next run reads them all and agrees.
    const after = await lint(dir, ['--cache-dir', cache]);
    expect(parseCounts(after)).toEqual({ parsed: 0, cached: 40 });
    expect(after.stdout).toBe(expected.stdout);
    rmSync(dir, { recursive: true, force: true });
  });

  test('damaged entries are parsed again and rewritten; an unwritable cache folder costs nothing but the cache', async () => {
    const dir = writeTree(tempDir(), MIGRATIONS);
    const cache = path.join(dir, 'cache');
    const expected = await lint(dir, ['--cache-dir', cache]);
    const entries = cacheEntries(cache);
    // One cut short, one with a changed byte in a tree, one emptied, one not JSON; the fifth left alone.
    writeFileSync(entries[0], readFileSync(entries[0]).subarray(0, 40));
    const flipped = readFileSync(entries[1], 'utf8').replace(/"location":(\d)/, (_m, d: string) => `"location":${(Number(d) + 1) % 10}`);
    writeFileSync(entries[1], flipped);
    writeFileSync(entries[2], '');
    writeFileSync(entries[3], '\u0000\u0001 not json\n{]\n');
    const damaged = await lint(dir, ['--cache-dir', cache]);
    expect(damaged.code).toBe(0);
    expect(parseCounts(damaged)).toEqual({ parsed: 4, cached: 1 });
    expect(damaged.stdout).toBe(expected.stdout);
    expect(parseCounts(await lint(dir, ['--cache-dir', cache]))).toEqual({ parsed: 0, cached: 5 });

    // The cache folder's place is taken by a file: the run lints as without a cache.
    const blocked = path.join(dir, 'blocked');
    writeFileSync(blocked, 'not a folder');
    const noFolder = await lint(dir, ['--cache-dir', blocked]);
    expect(noFolder.code).toBe(0);
    expect(noFolder.stdout).toBe(expected.stdout);
    expect(parseCounts(noFolder)).toEqual({ parsed: 5, cached: 0 });
    // A read-only folder (root ignores permissions, so only checked as another user).
    if (process.getuid?.() !== 0) {
      const readOnly = path.join(dir, 'ro');
      writeTree(readOnly, { keep: '' });
      chmodSync(readOnly, 0o500);
      const run = await lint(dir, ['--cache-dir', readOnly]);
      expect(run.stdout).toBe(expected.stdout);
      chmodSync(readOnly, 0o700);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test('syntax errors replayed from the cache are located and fail the run as on the first run', async () => {
    const dir = writeTree(tempDir(), {
      'db/1_ok.sql': 'CREATE TABLE ok (id bigint PRIMARY KEY);\n',
      'db/2_bad.sql': "CREATE TABLE \"Straße\" (\n  id bigint,,\n  note text\n);\nINSERT INTO ok VALUES (1),, (2);\n",
    });
    const cache = path.join(dir, 'cache');
    const first = await lint(dir, ['--cache-dir', cache]);
    const second = await lint(dir, ['--cache-dir', cache]);
    expect(first.code).toBe(2);
    expect(second.code).toBe(2);
    expect(parseCounts(second)).toEqual({ parsed: 0, cached: 2 });
    const located = (result: CliResult) => result.stderr.split('\n').filter((line) => line.startsWith('db/'));
    expect(located(first)).toEqual(['db/2_bad.sql:2:13: syntax error: syntax error at or near ","', 'db/2_bad.sql:5:27: syntax error: syntax error at or near ","']);
    expect(located(second)).toEqual(located(first));
    rmSync(dir, { recursive: true, force: true });
  });

  test('the default folder follows XDG_CACHE_HOME, else HOME; --no-cache writes nothing', async () => {
    const dir = writeTree(tempDir(), { 'a.sql': 'CREATE TABLE a (id bigint PRIMARY KEY);\n' });
    const xdg = path.join(dir, 'xdg');
    const home = path.join(dir, 'home');
    const viaXdg = await runCli(['a.sql', '--verbose'], { cwd: dir, env: { XDG_CACHE_HOME: xdg, HOME: home } });
    expect(viaXdg.stderr).toContain(`from the cache (${path.join(xdg, 'schema-lint')})`);
    expect(cacheEntries(path.join(xdg, 'schema-lint'))).toHaveLength(1);
    const viaHome = await runCli(['a.sql', '--verbose'], { cwd: dir, env: { XDG_CACHE_HOME: undefined, HOME: home } });
    expect(viaHome.stderr).toContain(`from the cache (${path.join(home, '.cache', 'schema-lint')})`);
    expect(cacheEntries(path.join(home, '.cache', 'schema-lint'))).toHaveLength(1);
    rmSync(home, { recursive: true, force: true });
    await runCli(['a.sql', '--no-cache'], { cwd: dir, env: { XDG_CACHE_HOME: undefined, HOME: home } });
    expect(existsSync(home)).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('the start-up code cache (bin/code-cache.js)', () => {
  test("its folder is code/ in the parse cache's, found the same way (the launcher cannot load the run's code for it)", async () => {
    type CodeCacheFolder = (args: string[], env: NodeJS.ProcessEnv, cwd: string) => string | undefined;
    const { codeCacheFolder } = (await import(pathToFileURL(path.join(repoRoot, 'bin', 'code-cache.js')).href)) as { codeCacheFolder: CodeCacheFolder };
    const envs: NodeJS.ProcessEnv[] = [{ XDG_CACHE_HOME: '/x', HOME: '/h' }, { XDG_CACHE_HOME: 'relative', HOME: '/h' }, { HOME: '/h' }, {}];
    for (const env of envs) {
      const parseCache = defaultCacheDir(env);
      expect(codeCacheFolder(['a.sql'], env, '/w')).toBe(parseCache === undefined ? undefined : path.join(parseCache, 'code'));
    }
    expect(codeCacheFolder(['a.sql', '--cache-dir', 'c'], { HOME: '/h' }, '/w')).toBe('/w/c/code');
    expect(codeCacheFolder(['a.sql', '--no-cache'], { HOME: '/h' }, '/w')).toBeUndefined();
  });

  test('written by the first run, read by the next; a damaged one is compiled over and rewritten; --no-cache skips it', async () => {
    const dir = writeTree(tempDir(), MIGRATIONS);
    const cache = path.join(dir, 'cache');
    const first = await lint(dir, ['--cache-dir', cache]);
    const [file, ...others] = codeCacheFiles(cache);
    expect(others).toEqual([]);
    // Keyed by the content hash the bundle's first line carries (scripts/bundle.mjs), not by size or time.
    const build = /^\/\/ schema-lint build ([0-9a-f]{32})\n/.exec(readFileSync(path.join(repoRoot, 'dist', 'bundle', 'schema-lint.cjs'), 'utf8'))?.[1];
    expect(build).toBeDefined();
    expect(path.basename(file)).toBe(`${process.version}-${build}.liftoff-only.v8`);
    const written = readFileSync(file);
    expect(written.length).toBeGreaterThan(10_000);

    // Read, not rewritten: V8 accepted it (a rejected cache is replaced after the run, by a rename: a new inode,
    // which a rewrite with the same bytes would not hide).
    const inode = statSync(file).ino;
    const second = await lint(dir, ['--cache-dir', cache]);
    expect(second.stdout).toBe(first.stdout);
    expect(statSync(file).ino).toBe(inode);
    expect(readFileSync(file).equals(written)).toBe(true);

    writeFileSync(file, 'not a code cache');
    const damaged = await lint(dir, ['--cache-dir', cache]);
    expect(damaged.code).toBe(first.code);
    expect(damaged.stderr).toBe(second.stderr);
    expect(damaged.stdout).toBe(first.stdout);
    expect(readFileSync(file, 'utf8')).not.toBe('not a code cache');

    const none = path.join(dir, 'none');
    await lint(dir, ['--cache-dir', none, '--no-cache']);
    expect(existsSync(none)).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });
});
