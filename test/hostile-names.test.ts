/**
 * Names are attacker-controlled: anyone who can create a table, or write a migration in a pull request, chooses
 * them, and DBAs run the fix-up script as superuser. A schema whose names hold CR, LF, U+2028, psql's `\!`, a C-comment end,
 * `$$` and quotes is linted in both modes; the script is applied with `psql -v ON_ERROR_STOP=1 -f` to a real server,
 * and only the statements the script's comments describe may run: no shell command, no injected SQL.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { commentLines } from '../src/fix/script.js';
import { quoteIdent, quoteLiteral } from '../src/fix/sql.js';
import { lint } from '../src/index.js';
import { escapeControl } from '../src/shared/unsafe-text.js';
import { loadParser, parseStatements } from '../src/sql/parser.js';
import { releaseCluster, sharedCluster, type Cluster } from './support/pg-cluster.js';
import { runCli, tempDir } from './support/run-cli.js';

const CR = '\r';
const LS = '\u2028';

function qi(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Every terminator psql or PostgreSQL honours, and more, in every kind of name a fix mentions. */
function hostileSchema(marker: string): { sql: string; names: Record<string, string> } {
  const names = {
    schema: `s${CR}\\! touch ${marker}-schema #`,
    parent: `p*/$$'"${LS}x`,
    child: `c${CR}DROP TABLE public.victim; --`,
    fkColumn: `k\n\\! touch ${marker}-column #`,
    jsonColumn: `j${CR}\\! touch ${marker}-json #*/ $$ '`,
    fkName: `fk${CR}\\! touch ${marker}-constraint #`,
    index: `ix${CR}\\! touch ${marker}-index #`,
    events: `ev${CR}\\! touch ${marker}-partition #`,
    escape: 'esc\u001b[31mRED',
  };
  const s = qi(names.schema);
  const sql = [
    'CREATE TABLE public.victim (id int);',
    `CREATE SCHEMA ${s};`,
    `CREATE TABLE ${s}.${qi(names.parent)} (id bigint PRIMARY KEY);`,
    `CREATE TABLE ${s}.${qi(names.child)} (`,
    '  id bigint PRIMARY KEY,',
    `  ${qi(names.fkColumn)} bigint,`,
    `  ${qi(names.jsonColumn)} jsonb NOT NULL DEFAULT '{}',`,
    `  CONSTRAINT ${qi(names.fkName)} FOREIGN KEY (${qi(names.fkColumn)}) REFERENCES ${s}.${qi(names.parent)} (id)`,
    ');',
    `CREATE INDEX ${qi(names.index)} ON ${s}.${qi(names.child)} (id);`,
    `CREATE TABLE ${s}.${qi(names.events)} (id bigint, at timestamptz NOT NULL, doc jsonb DEFAULT '[]') PARTITION BY RANGE (at);`,
    `CREATE TABLE ${s}.${qi(`${names.events}_2026_01`)} PARTITION OF ${s}.${qi(names.events)} FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');`,
    `CREATE TABLE public.${qi(names.escape)} (id int PRIMARY KEY, payload jsonb);`,
    '',
  ].join('\n');
  return { sql, names };
}

/** Nothing but printable text and LF: no CR, no Unicode separators, no escape sequences. */
// eslint-disable-next-line no-control-regex -- control characters are what this pattern finds
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

describe('hostile names in SQL helpers', () => {
  beforeAll(loadParser);

  test('quoteIdent spells control characters and separators as U& escapes', () => {
    for (const name of [`a${CR}b`, 'a\nb', `a${LS}b`, 'a\u001bb', 'a\\b\r"c']) {
      const quoted = quoteIdent(name);
      expect(quoted).not.toMatch(RAW_CONTROL);
      expect(quoted.startsWith('U&"')).toBe(true);
    }
    expect(quoteIdent(`x${CR}\\! id`)).toBe('U&"x\\000d\\\\! id"');
    expect(quoteIdent('plain')).toBe('plain');
    expect(quoteIdent('Mixed"Case')).toBe('"Mixed""Case"');
    // The longest keyword (17 letters) is still found; longer plain names are never keywords.
    expect(quoteIdent('current_timestamp')).toBe('"current_timestamp"');
    expect(quoteIdent('current_timestamps')).toBe('current_timestamps');
  });

  test('quoteLiteral escapes backslashes and controls in an E string', () => {
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(quoteLiteral(`a\\b${CR}'`)).toBe("E'a\\\\b\\u000d'''");
  });

  test('every line of a comment stays a comment, whatever terminator the text holds', () => {
    const text = `one${CR}two\nthree${LS}four\u2029five\u0085six\u000bseven\u000ceight\u001b[0m`;
    const lines = commentLines(text).split('\n');
    expect(lines).toHaveLength(8);
    for (const line of lines) expect(line).toMatch(/^-- /);
    expect(commentLines(text)).not.toMatch(RAW_CONTROL);
  });

  test('escapeControl shows what a terminal would otherwise obey', () => {
    expect(escapeControl('esc\u001b[31mRED\r\n\u2028')).toBe('esc\\x1b[31mRED\\r\\n\\u2028');
  });
});

describe('hostile names through the CLI and a real server', () => {
  let cluster: Cluster;
  let dir: string;
  let marker: string;
  let schemaFile: string;
  let counter = 0;

  beforeAll(async () => {
    await loadParser();
    cluster = await sharedCluster();
    dir = tempDir('schema-lint-hostile-');
    marker = path.join(dir, 'pwned');
    const hostile = hostileSchema(marker);
    schemaFile = path.join(dir, 'hostile.sql');
    writeFileSync(schemaFile, hostile.sql);
    // Every table counts as searched, so the GIN builds (a hostile column name in an index statement) are statements
    // in the script, not plans written as comments.
    writeFileSync(path.join(dir, 'schema-lint.config.json'), JSON.stringify({ rules: { 'jsonb-without-gin-index': { options: { tables: ['*.*'] } } } }));
  });

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await releaseCluster();
  });

  /** A new database holding the hostile schema (loaded with psql once, then copied). */
  async function freshLoad(): Promise<{ db: string; url: string }> {
    const db = `hostile_${++counter}`;
    const { name: template } = await cluster.templateDatabase(`hostile-names:${readFileSync(schemaFile, 'utf8')}`, (loading) => cluster.psqlFile(loading, schemaFile));
    const url = await cluster.cloneDatabase(db, template);
    return { db, url };
  }

  function expectNothingInjected(): void {
    for (const suffix of ['schema', 'column', 'json', 'constraint', 'index', 'partition']) expect(existsSync(`${marker}-${suffix}`)).toBe(false);
  }

  /** Applies the script and proves it ran exactly its own statements, and that they fixed what they claim. */
  async function applyAndCheck(fixPath: string, db: string, url: string): Promise<void> {
    const script = readFileSync(fixPath, 'utf8');
    expect(script).not.toMatch(RAW_CONTROL);
    // psql meta-commands are not SQL: a script that parses whole holds none outside quotes and comments.
    const parsed = parseStatements(script);
    expect(parsed.ok).toBe(true);
    const statements = parsed.ok ? parsed.stmts.length : 0;

    await cluster.psqlFile(db, fixPath);
    expectNothingInjected();
    const victim = await cluster.query<{ n: number }>(db, "SELECT count(*)::int AS n FROM pg_class WHERE relname = 'victim'");
    expect(victim[0].n).toBe(1);

    // The server saw exactly the parsed statements: count them back from what they created.
    const created = await cluster.query<{ indexes: number; checks: number; partitions: number }>(
      db,
      `SELECT (SELECT count(*)::int FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE '%fk_idx%' OR c.relname LIKE '%gin_idx%') AS indexes,
              (SELECT count(*)::int FROM pg_constraint WHERE contype = 'c' AND conname LIKE '%check%') AS checks,
              (SELECT count(*)::int FROM pg_inherits) AS partitions`,
    );
    expect(created[0].indexes).toBeGreaterThanOrEqual(3);
    expect(created[0].checks).toBeGreaterThanOrEqual(2);
    expect(created[0].partitions).toBeGreaterThan(1);
    expect(statements).toBeGreaterThan(5);

    // The re-lint runs in process (the Node API); the CLI's own runs are the ones that wrote the scripts.
    const after = await lint({ db: url, now: new Date('2026-01-15T00:00:00Z'), rules: { 'missing-audit-trigger': 'off' }, config: false });
    const left = after.findings.filter((f) => f.fix && f.fix.safety !== 'review');
    expect(left.map((f) => f.key)).toEqual([]);
  }

  test('DDL mode: the fix script runs only its own statements', async () => {
    const fixPath = path.join(dir, 'fix-ddl.sql');
    const result = await runCli([schemaFile, '--now', '2026-01-15', '--fix-sql', fixPath, '--fix-level', 'behaviour', '--fail-on', 'never'], { cwd: dir });
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    const { db, url } = await freshLoad();
    await applyAndCheck(fixPath, db, url);
  });

  test('live mode: the fix script runs only its own statements', async () => {
    const source = await freshLoad();
    const fixPath = path.join(dir, 'fix-live.sql');
    const result = await runCli(['--db', source.url, '--now', '2026-01-15', '--fix-sql', fixPath, '--fix-level', 'behaviour', '--fail-on', 'never'], { cwd: dir });
    expect(result.code).toBe(0);
    const target = await freshLoad();
    await applyAndCheck(fixPath, target.db, target.url);
  });

  test('the terminal report shows control characters escaped, in both modes', async () => {
    const ddl = await runCli([schemaFile, '--now', '2026-01-15', '--fail-on', 'never', '--verbose', '--show-fixes'], { cwd: dir });
    const { url } = await freshLoad();
    const live = await runCli(['--db', url, '--now', '2026-01-15', '--fail-on', 'never', '--verbose', '--show-fixes'], { cwd: dir });
    for (const run of [ddl, live]) {
      expect(run.code).toBe(0);
      expect(run.stdout).not.toMatch(RAW_CONTROL);
      expect(run.stderr).not.toMatch(RAW_CONTROL);
      expect(run.stdout).toContain('esc\\x1b[31mRED');
      expect(run.stdout).toContain('c\\rDROP TABLE public.victim; --');
    }
  });
});

describe('psql meta-command lines are recognised only in plain code', () => {
  test('a line inside a quoted name, a string, a dollar-quoted body or a comment is SQL text', async () => {
    const { blankPsqlLines } = await import('../src/sources/ddl/text.js');
    const text = [
      '\\set ON_ERROR_STOP on', // 1: meta-command
      'CREATE TABLE "a', // 2
      '\\! not a command" (id int);', // 3: inside a quoted name
      "SELECT 'x", // 4
      "\\! in a string';", // 5
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$', // 6
      '\\! in a body', // 7
      '$body$;', // 8
      '/* a comment', // 9
      '\\! in a comment */', // 10
      "COPY t (a) FROM stdin;", // 11
      "it's data", // 12: an apostrophe in COPY data opens no string
      '\\.', // 13
      '\\connect other', // 14: meta-command again
    ].join('\n');
    expect(blankPsqlLines(text).blankedLines).toEqual([1, 14]);
  });
});
