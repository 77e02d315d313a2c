/**
 * The exit-code contract under real I/O failures (issue 8, items 3, 4 and 7), through the built CLI as a child
 * process: read-only and unreadable folders (as an unprivileged user — root ignores permission bits), a real full
 * file system (a small tmpfs in a private mount namespace), /dev/full, closed pipes, SIGINT/SIGTERM in the middle
 * of writing, symbolic links, NUL bytes, and strict argument values. Exit code 2 always means one line on stderr
 * and no file written or replaced.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn, spawnSync, type StdioOptions } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseNow } from '../src/cli/arguments.js';
import { parseReport } from './support/json-report.js';
import { cliPath, onlyRules, parseJsonReport, runCli, tempDir, writeTree, type CliResult } from './support/run-cli.js';

const FK = 'foreign-key-without-index';
const CUSTOMERS = 'CREATE TABLE customers (id bigint PRIMARY KEY);';
const ORDERS = 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id));';
const ONE_FINDING = `${CUSTOMERS}\n${ORDERS}\n`;

/** Root ignores permission bits: permission cases run as `nobody`. Unprivileged test runners run as themselves. */
const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

let work: string;

beforeAll(() => {
  work = tempDir('schema-lint-io-');
  chmodSync(work, 0o755); // `nobody` must reach the folders below
});

afterAll(() => {
  // Folders made unreadable by a test are made readable again so they can be removed.
  spawnSync('chmod', ['-R', 'u+rwx', work]);
  rmSync(work, { recursive: true, force: true });
});

function scratch(name: string, files: Record<string, string> = {}): string {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  return writeTree(dir, files);
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

function expectOneLineFailure(result: CliResult): string {
  expect(result.code).toBe(2);
  expect(lines(result.stderr)).toHaveLength(1);
  expect(result.stderr).not.toMatch(/\n\s+at .+[:(]\d+/);
  expect(result.stderr).not.toMatch(/internal error|\.tmp\b/);
  return result.stderr.trim();
}

function lint(args: string[], cwd: string): Promise<CliResult> {
  return runCli([...args, ...onlyRules([FK])], { cwd });
}

/** Runs the CLI with a chosen stdio (a closed pipe, /dev/full) or as another user; resolves with code and signal. */
function spawnCli(
  args: string[],
  options: { cwd: string; stdio?: StdioOptions; unprivileged?: boolean; onSpawn?: (child: ReturnType<typeof spawn>) => void },
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const argv = [cliPath, ...args, ...onlyRules([FK])];
  const [command, commandArgs] =
    options.unprivileged && isRoot
      ? ['setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, ...argv]]
      : [process.execPath, argv];
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, {
      cwd: options.cwd,
      env: { PATH: process.env.PATH, HOME: options.cwd, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME },
      stdio: options.stdio ?? ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stdout?.on('error', () => undefined);
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    options.onSpawn?.(child);
  });
}

/** A folder `nobody` owns (so chmod on it is the only thing that stops it writing). */
function ownedByNobody(dir: string): string {
  mkdirSync(dir, { recursive: true });
  if (isRoot) chownSync(dir, NOBODY, NOBODY);
  return dir;
}

function asCliResult(result: { code: number | null; stdout: string; stderr: string }): CliResult {
  return { code: result.code ?? -1, stdout: result.stdout, stderr: result.stderr };
}

describe('output files: all or nothing, one line on failure', () => {
  test('a report in a writable folder and a fix script in a read-only one: exit 2, the report is not replaced', async () => {
    const dir = scratch('read-only', { 'a.sql': ONE_FINDING });
    const rw = ownedByNobody(path.join(dir, 'rw'));
    const ro = ownedByNobody(path.join(dir, 'ro'));
    writeFileSync(path.join(rw, 'report.txt'), 'good results');
    chmodSync(path.join(rw, 'report.txt'), 0o666);
    chmodSync(ro, 0o555);
    const result = asCliResult(await spawnCli(['a.sql', '-o', 'rw/report.txt', '--fix-sql', 'ro/fix.sql'], { cwd: dir, unprivileged: true }));
    expect(expectOneLineFailure(result)).toBe('schema-lint: cannot write --fix-sql ro/fix.sql: permission denied (cannot write in ro); no output file written');
    expect(readFileSync(path.join(rw, 'report.txt'), 'utf8')).toBe('good results');
    expect(readdirSync(rw)).toEqual(['report.txt']);
    expect(readdirSync(ro)).toEqual([]);
  });

  test('-o naming a folder: exit 2, one line', async () => {
    const dir = scratch('output-folder', { 'a.sql': ONE_FINDING, 'out/keep': '' });
    expect(expectOneLineFailure(await lint(['a.sql', '-o', 'out'], dir))).toBe('schema-lint: cannot write --output out: is a folder; no output file written');
    expect(readdirSync(path.join(dir, 'out'))).toEqual(['keep']);
  });

  test('a missing folder: exit 2, one line, the folder is not created', async () => {
    const dir = scratch('missing-folder', { 'a.sql': ONE_FINDING });
    const result = await lint(['a.sql', '--fix-sql', 'fix.sql', '--write-baseline', 'no/such/b.json'], dir);
    expect(expectOneLineFailure(result)).toBe('schema-lint: cannot write --write-baseline no/such/b.json: folder no/such does not exist; no output file written');
    expect(readdirSync(dir)).toEqual(['a.sql']);
    // The report would have gone to stdout: a failed run prints none (a `> report.txt` is not half of a result).
    expect(result.stdout).toBe('');
  });

  test('-o /dev/full: exit 2, one line', async () => {
    const dir = scratch('dev-full-output', { 'a.sql': ONE_FINDING });
    expect(expectOneLineFailure(await lint(['a.sql', '-o', '/dev/full', '--fix-sql', 'fix.sql'], dir))).toBe(
      'schema-lint: cannot write --output /dev/full: no space left on device; no output file written',
    );
    expect(readdirSync(dir)).toEqual(['a.sql']);
  });

  test('a full file system: exit 2, one line, the old report stays, no temporary file', () => {
    // A 16 KiB tmpfs, private to this process tree (unshare: nothing is mounted for anyone else, nothing to unmount).
    const dir = scratch('disk-full', { 'a.sql': ONE_FINDING.repeat(1) + 'CREATE TABLE wide (id bigint PRIMARY KEY, note text);\n'.repeat(1) });
    mkdirSync(path.join(dir, 'small'));
    const script = [
      'set -e',
      'mount -t tmpfs -o size=16k tmpfs small',
      'head -c 12288 /dev/zero > small/filler',
      'echo "good results" > small/report.txt',
      'set +e',
      '"$NODE" "$CLI" a.sql --format json -o small/report.txt 2>stderr.txt',
      'echo "exit=$?"',
      'ls -A small',
      'cat small/report.txt',
    ].join('\n');
    // Enough report text not to fit in the 4 KiB left.
    writeFileSync(path.join(dir, 'a.sql'), Array.from({ length: 60 }, (_, i) => `CREATE TABLE p${i} (id bigint PRIMARY KEY);\nCREATE TABLE c${i} (id bigint PRIMARY KEY, p_id bigint REFERENCES p${i} (id));\n`).join(''));
    const result = spawnSync('unshare', [...(isRoot ? [] : ['--map-root-user']), '--mount', 'sh', '-c', script], {
      cwd: dir,
      env: { PATH: process.env.PATH, NODE: process.execPath, CLI: cliPath },
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('exit=2\nfiller\nreport.txt\ngood results\n');
    expect(expectOneLineFailure({ code: 2, stdout: '', stderr: readFileSync(path.join(dir, 'stderr.txt'), 'utf8') })).toBe(
      'schema-lint: cannot write --output small/report.txt: no space left on device; no output file written',
    );
  });

  test('-o pointing at a symbolic link writes the link target; the link stays', async () => {
    const dir = scratch('symlink-output', { 'a.sql': ONE_FINDING, 'artifacts/report.json': 'old' });
    symlinkSync('artifacts/report.json', path.join(dir, 'report.json'));
    const result = await lint(['a.sql', '--format', 'json', '-o', 'report.json'], dir);
    expect(result.code).toBe(0);
    expect(readFileSync(path.join(dir, 'report.json'), 'utf8')).toContain(`${FK}/public.orders`);
    expect(parseReport(readFileSync(path.join(dir, 'artifacts', 'report.json'), 'utf8')).findings).toHaveLength(1);
    expect(statSync(path.join(dir, 'report.json')).isFile()).toBe(true);
    expect(spawnSync('test', ['-L', path.join(dir, 'report.json')]).status).toBe(0);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    test(`${signal} while the outputs are written removes every temporary file and replaces nothing`, async () => {
      // The fix script goes to a named pipe nobody reads: the run blocks there after staging the report, with the
      // report's temporary file on disk — the signal arrives mid-write, deterministically.
      const dir = scratch(`signal-${signal}`, { 'a.sql': ONE_FINDING, 'report.txt': 'good results' });
      expect(spawnSync('mkfifo', [path.join(dir, 'fix.pipe')]).status).toBe(0);
      const result = await spawnCli(['a.sql', '-o', 'report.txt', '--fix-sql', 'fix.pipe'], {
        cwd: dir,
        onSpawn: (child) => {
          const poll = (): void => {
            if (readdirSync(dir).some((name) => name.endsWith('.tmp'))) child.kill(signal);
            else setTimeout(poll, 20);
          };
          poll();
        },
      });
      expect(result.signal).toBe(signal);
      expect(result.stderr).toBe('');
      expect(readdirSync(dir).sort()).toEqual(['a.sql', 'fix.pipe', 'report.txt']);
      expect(readFileSync(path.join(dir, 'report.txt'), 'utf8')).toBe('good results');
    });
  }
});

describe('a closed stdout ends the run quietly with its own exit code', () => {
  test('a pipe whose reader is gone (EPIPE)', async () => {
    const dir = scratch('epipe', { 'a.sql': ONE_FINDING });
    for (const [args, code] of [
      [['--fail-on', 'never'], 0],
      [['--fail-on', 'warning'], 1],
    ] as const) {
      const result = await spawnCli(['a.sql', ...args], { cwd: dir, onSpawn: (child) => child.stdout?.destroy() });
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code, stderr: '' });
    }
  });

  test('`| head -1` on a long report', () => {
    const dir = scratch('head', {
      'a.sql': Array.from({ length: 400 }, (_, i) => `CREATE TABLE p${i} (id bigint PRIMARY KEY);\nCREATE TABLE c${i} (id bigint PRIMARY KEY, p_id bigint REFERENCES p${i} (id));\n`).join(''),
    });
    const result = spawnSync('bash', ['-c', '"$NODE" "$CLI" a.sql --fail-on never | head -1; echo "exit=${PIPESTATUS[0]}" >&2'], {
      cwd: dir,
      env: { PATH: process.env.PATH, NODE: process.execPath, CLI: cliPath },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(result.stdout).toBe('a.sql\n');
    expect(result.stderr).toBe('exit=0\n');
  });

  test('> /dev/full', async () => {
    const dir = scratch('stdout-full', { 'a.sql': ONE_FINDING });
    const full = openSync('/dev/full', 'w');
    try {
      const never = await spawnCli(['a.sql', '--fail-on', 'never'], { cwd: dir, stdio: ['ignore', full, 'pipe'] });
      expect({ code: never.code, stderr: never.stderr }).toEqual({ code: 0, stderr: '' });
      const failing = await spawnCli(['a.sql', '--fail-on', 'warning'], { cwd: dir, stdio: ['ignore', full, 'pipe'] });
      expect({ code: failing.code, stderr: failing.stderr }).toEqual({ code: 1, stderr: '' });
    } finally {
      closeSync(full);
    }
  });
});

describe('every input byte is linted or reported', () => {
  test('a NUL byte: file:line:column, exit 2, and the text after it is still linted', async () => {
    const dir = scratch('nul', { 'a.sql': `${CUSTOMERS}\0\n${ORDERS}\n` });
    const result = await lint(['a.sql'], dir);
    expect(result.code).toBe(2);
    expect(lines(result.stderr)[0]).toBe(`a.sql:1:${CUSTOMERS.length + 1}: syntax error: NUL byte (0x00): PostgreSQL does not accept it in SQL text`);
    expect(result.stdout).toContain('orders_customer_id_fkey');
  });

  test('symbolic links to files and folders inside a linted folder are followed; loops end; a file is linted once', async () => {
    const dir = scratch('links', {
      'shared/customers.sql': `${CUSTOMERS}\n`,
      'elsewhere/orders.sql': `${ORDERS}\n`,
      'db/1_customers.sql': `${CUSTOMERS}\n`,
    });
    symlinkSync('../elsewhere', path.join(dir, 'db', '2_more'));
    symlinkSync('../shared/customers.sql', path.join(dir, 'db', '0_same.sql'));
    symlinkSync('../db', path.join(dir, 'db', '3_loop'));
    symlinkSync('.', path.join(dir, 'db', '4_self'));
    const result = await lint(['db', '--format', 'json'], dir);
    expect(result.stderr).toBe('');
    const report = parseJsonReport(result);
    expect(report.findings.map((f) => [f.key, f.origin.file])).toEqual([[`${FK}/public.orders/orders_customer_id_fkey`, 'db/2_more/orders.sql']]);
    // 0_same.sql and 1_customers.sql are different files with the same text (a duplicate table is a diagnostic,
    // not a crash); the loops add nothing.
    expect(report.summary.filesLinted).toBe(3);
  });

  test('a broken symbolic link: exit 2, one line naming it', async () => {
    const dir = scratch('broken-link', { 'db/a.sql': ONE_FINDING });
    symlinkSync('../nowhere.sql', path.join(dir, 'db', 'b.sql'));
    expect(expectOneLineFailure(await lint(['db'], dir))).toBe('schema-lint: db/b.sql: cannot follow the symbolic link (no such file or folder)');
  });

  test('an unreadable folder or file: exit 2, one line naming it', async () => {
    const dir = scratch('unreadable', { 'db/a.sql': ONE_FINDING, 'db/locked/b.sql': ONE_FINDING, 'files/c.sql': ONE_FINDING });
    chmodSync(path.join(dir, 'db', 'locked'), 0o000);
    chmodSync(path.join(dir, 'files', 'c.sql'), 0o000);
    const folder = asCliResult(await spawnCli(['db'], { cwd: dir, unprivileged: true }));
    expect(expectOneLineFailure(folder)).toBe('schema-lint: db/locked: cannot read the folder (permission denied)');
    const file = asCliResult(await spawnCli(['files'], { cwd: dir, unprivileged: true }));
    expect(expectOneLineFailure(file)).toBe('schema-lint: files/c.sql: cannot read (permission denied)');
    const glob = asCliResult(await spawnCli(['db/**/*.sql'], { cwd: dir, unprivileged: true }));
    expect(expectOneLineFailure(glob)).toBe('schema-lint: db/locked: cannot read the folder (permission denied)');
  });
});

describe('strict arguments: one line, exit 2', () => {
  let dir: string;
  beforeAll(() => {
    dir = scratch('arguments', { 'a.sql': ONE_FINDING });
  });

  const REFUSED = ['0', '-1', '2025-1-1', 'Mon, 01 Jun 2025 00:00:00 GMT', '2025-02-29', '2025-13-01', '2025-06-31', '2025-06-01T24:00', '2025-06-01T12:60', '2025-06-01 12:00', '20250601', '2025-06-01T12:00+24:00', ''];

  test('--now refuses anything but YYYY-MM-DD and ISO 8601 date-times', async () => {
    for (const value of REFUSED) expect(() => parseNow(value)).toThrow(`--now ${value}: not a date (use YYYY-MM-DD or an ISO 8601 date-time`);
    expect(expectOneLineFailure(await lint(['a.sql', '--now', '0'], dir))).toMatch(/^schema-lint: --now 0: not a date/);
    expect(expectOneLineFailure(await lint(['a.sql', '--now=-1'], dir))).toMatch(/^schema-lint: --now -1: not a date/);
  });

  test('--now accepts dates and date-times; a date-time without an offset is UTC', async () => {
    expect(parseNow('2024-02-29').toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(parseNow('2025-06-01T12:00').toISOString()).toBe('2025-06-01T12:00:00.000Z');
    expect(parseNow('2025-06-01T12:00:00.123+02:00').toISOString()).toBe('2025-06-01T10:00:00.123Z');
    expect(parseNow('2025-06-01T00:30:00-0130').toISOString()).toBe('2025-06-01T02:00:00.000Z');
    expect(parseNow('0099-12-31T23:00:00-02:00').toISOString()).toBe('0100-01-01T01:00:00.000Z');
    expect((await lint(['a.sql', '--now', '2025-06-01T12:00:00Z'], dir)).code).toBe(0);
  });

  test('--db with another scheme: one line that does not echo the URL', async () => {
    const message = expectOneLineFailure(await lint(['--db', 'mysql://root:hunter2@db/app'], dir));
    expect(message).toBe('schema-lint: --db: mysql: is not a PostgreSQL URL scheme; use postgres://user@host:port/database (or --db "" for the PG* environment variables)');
    expect(expectOneLineFailure(await lint(['--db', 'localhost'], dir))).toMatch(/^schema-lint: --db: not a URL;/);
    const fromEnv = await runCli(['--db-env', 'DB_URL', ...onlyRules([FK])], { cwd: dir, env: { DB_URL: 'http://secret@x/y' } });
    expect(expectOneLineFailure(fromEnv)).toMatch(/^schema-lint: --db-env DB_URL: http: is not a PostgreSQL URL scheme/);
    expect(fromEnv.stderr).not.toContain('secret');
  });

  test('--db and --db-env together', async () => {
    const result = await runCli(['--db', 'postgres://a@b/c', '--db-env', 'DB_URL', ...onlyRules([FK])], { cwd: dir, env: { DB_URL: 'postgres://x@y/z' } });
    expect(expectOneLineFailure(result)).toBe('schema-lint: give --db or --db-env, not both');
    const stats = await runCli(['stats', '--db', 'postgres://a@b/c', '--db-env', 'DB_URL'], { cwd: dir, env: { DB_URL: 'postgres://x@y/z' } });
    expect(expectOneLineFailure(stats)).toBe('schema-lint: give --db or --db-env, not both');
  });

  test('--fail-on with a bad value', async () => {
    expect(expectOneLineFailure(await lint(['a.sql', '--fail-on', 'bogus'], dir))).toBe('schema-lint: --fail-on bogus: expected error, warning, note or never');
  });

  test('an output option without a file name', async () => {
    expect(expectOneLineFailure(await lint(['a.sql', '--fix-sql', ''], dir))).toBe('schema-lint: --fix-sql: needs a file name');
    expect(expectOneLineFailure(await runCli(['a.sql', '-o'], { cwd: dir }))).toBe('schema-lint: --output: needs a file name');
  });
});

describe('syntax errors on stderr', () => {
  test('an unterminated comment is one line', async () => {
    const dir = scratch('unterminated', { 'a.sql': `${ONE_FINDING}/* a comment\nthat never\nends;\n` });
    const result = await lint(['a.sql'], dir);
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toEqual([
      'a.sql:3:1: syntax error: unterminated /* comment at or near "/* a comment…"',
      'schema-lint: 1 syntax error; no report file or fix script written',
    ]);
  });

  test('hundreds of syntax errors: five located lines, then a count', async () => {
    const dir = scratch('many-errors', { 'a.sql': `${ONE_FINDING}${'CREATE TABLE broken (id bigint,, x int);\n'.repeat(300)}` });
    const result = await lint(['a.sql', '-o', 'report.txt'], dir);
    expect(result.code).toBe(2);
    const stderr = lines(result.stderr);
    expect(stderr).toHaveLength(7);
    expect(stderr.slice(0, 5).every((line, i) => line.startsWith(`a.sql:${i + 3}:32: syntax error: `))).toBe(true);
    expect(stderr.slice(5)).toEqual(['schema-lint: … and 295 more syntax errors', 'schema-lint: 300 syntax errors; no report file or fix script written']);
    expect(existsSync(path.join(dir, 'report.txt'))).toBe(false);
  });
});
