/** A folder of a migration framework is read in the framework's load order, without its down/revert scripts. */
import { describe, expect, test } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { collectSqlFiles } from '../src/sources/ddl/collect-files.js';
import { compareFlywayVersions, detectLayout, runnableMigrationText } from '../src/sources/ddl/migration-layout.js';
import { loadDdl } from '../src/sources/ddl/load-ddl.js';
import { sharedDir } from './support/corpus.js';
import { parseReport } from './support/json-report.js';
import { assertBuilt, runCli } from './support/run-cli.js';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'schema-lint-layout-'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

const rel = (dir: string, files: string[]): string[] => files.map((file) => path.relative(dir, file).replace(/\\/g, '/'));

describe('diesel (lemmy)', () => {
  const lemmy = path.join(sharedDir(), 'corpus', 'lemmy', 'migrations');
  const present = existsSync(lemmy);
  if (!present) test.todo(`corpus absent (${lemmy}): lemmy layout not checked`);
  (present ? test : test.skip)('applies every up.sql in version order and no down.sql', async () => {
    const folders = readdirSync(lemmy, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    const files = collectSqlFiles([lemmy]);
    expect(detectLayout(lemmy, collectSqlFiles([lemmy], { layout: 'plain' }))).toBe('diesel');
    expect(files.every((file) => path.basename(file) === 'up.sql')).toBe(true);
    expect(files).toHaveLength(folders.filter((folder) => existsSync(path.join(lemmy, folder, 'up.sql'))).length);
    expect(files.map((file) => path.basename(path.dirname(file)))).toEqual([...folders].sort());
    // The plain reading applies each down.sql right after its up.sql.
    expect(collectSqlFiles([lemmy], { layout: 'plain' }).length).toBe(files.length * 2);
    const { model } = await loadDdl(files);
    expect(model.tables.has('public.person')).toBe(true);
    expect(model.tables.has('public.post')).toBe(true);
  });
});

describe('golang-migrate', () => {
  test('N_name.up.sql in version order, down scripts left out', async () => {
    const dir = tree({
      '10_add_index.up.sql': 'CREATE INDEX items_name ON items (name);',
      '10_add_index.down.sql': 'DROP INDEX items_name;',
      '2_add_name.up.sql': 'ALTER TABLE items ADD COLUMN name text;',
      '2_add_name.down.sql': 'ALTER TABLE items DROP COLUMN name;',
      '1_create.up.sql': 'CREATE TABLE items (id bigint PRIMARY KEY);',
      '1_create.down.sql': 'DROP TABLE items;',
    });
    const files = collectSqlFiles([dir]);
    expect(rel(dir, files)).toEqual(['1_create.up.sql', '2_add_name.up.sql', '10_add_index.up.sql']);
    const { model } = await loadDdl(files);
    expect(model.tables.get('public.items')?.columns.map((c) => c.name)).toEqual(['id', 'name']);
    expect(model.indexes.has('public.items_name')).toBe(true);
  });
});

describe('dbmate', () => {
  const migration = (up: string, down: string): string => `-- migrate:up\n${up}\n\n-- migrate:down\n${down}\n`;
  test('only the -- migrate:up section runs; lines keep their numbers', async () => {
    const dir = tree({
      'db/migrations/20240102000000_add_email.sql': migration('ALTER TABLE users ADD COLUMN email text;', 'ALTER TABLE users DROP COLUMN email;'),
      'db/migrations/20240101000000_create_users.sql': migration('CREATE TABLE users (id bigint PRIMARY KEY);', 'DROP TABLE users;'),
    });
    const folder = path.join(dir, 'db/migrations');
    const files = collectSqlFiles([folder]);
    expect(detectLayout(folder, files)).toBe('dbmate');
    expect(rel(folder, files)).toEqual(['20240101000000_create_users.sql', '20240102000000_add_email.sql']);
    const { model } = await loadDdl(files);
    const users = model.tables.get('public.users');
    expect(users?.columns.map((c) => c.name)).toEqual(['id', 'email']);
    expect(users?.columns[1].origin).toMatchObject({ line: 2 });
    // `plain` reads the file whole: the down section drops the table again.
    const plain = await loadDdl(files, undefined, 'plain');
    expect(plain.model.tables.has('public.users')).toBe(false);
  });
  test('a down section written first is blanked too', () => {
    const text = '-- migrate:down\nDROP TABLE t;\n-- migrate:up\nCREATE TABLE t (id int);\n';
    const runnable = runnableMigrationText(text);
    expect(runnable).not.toContain('DROP');
    expect(runnable.split('\n')).toHaveLength(text.split('\n').length);
  });
});

describe('Flyway', () => {
  test('versions ordered numerically across folders, undo scripts left out, repeatables last', async () => {
    const dir = tree({
      'sql/2024/V1_10__add_index.sql': 'CREATE INDEX accounts_email ON accounts (email);',
      'sql/2023/V1_9__add_email.sql': 'ALTER TABLE accounts ADD COLUMN email text;',
      'sql/2023/V1__create.sql': 'CREATE TABLE accounts (id bigint PRIMARY KEY);',
      'sql/2023/U1_9__undo_email.sql': 'ALTER TABLE accounts DROP COLUMN email;',
      'sql/R__views.sql': 'CREATE OR REPLACE VIEW account_emails AS SELECT email FROM accounts;',
      'sql/2023/V1.2__add_name.sql': 'ALTER TABLE accounts ADD COLUMN name text;',
    });
    const folder = path.join(dir, 'sql');
    const files = collectSqlFiles([folder]);
    expect(detectLayout(folder, files)).toBe('flyway');
    expect(rel(folder, files)).toEqual(['2023/V1__create.sql', '2023/V1.2__add_name.sql', '2023/V1_9__add_email.sql', '2024/V1_10__add_index.sql', 'R__views.sql']);
    const { model, diagnostics } = await loadDdl(files);
    expect(diagnostics.filter((d) => d.kind === 'reference')).toEqual([]);
    expect(model.tables.get('public.accounts')?.columns.map((c) => c.name)).toEqual(['id', 'name', 'email']);
  });
  test('version comparison', () => {
    expect(compareFlywayVersions('1_10', '1_9')).toBe(1);
    expect(compareFlywayVersions('1', '1.1')).toBe(-1);
    expect(compareFlywayVersions('1.0', '1')).toBe(0);
    expect(compareFlywayVersions('20240101120000', '3')).toBe(1);
  });
});

describe('sqitch', () => {
  test('plan order, revert/ and verify/ never applied, reworked change read from its tagged file', async () => {
    const dir = tree({
      'sqitch.plan': [
        '%syntax-version=1.0.0',
        '%project=shop',
        '',
        'zebra 2024-01-01T00:00:00Z Dev <dev@example.com> # created first despite its name',
        'accounts [zebra] 2024-01-02T00:00:00Z Dev <dev@example.com>',
        '@v1.0 2024-01-03T00:00:00Z Dev <dev@example.com>',
        'accounts [accounts@v1.0] 2024-01-04T00:00:00Z Dev <dev@example.com> # reworked',
      ].join('\n'),
      'deploy/zebra.sql': 'CREATE TABLE zebra (id bigint PRIMARY KEY);',
      'deploy/accounts@v1.0.sql': 'CREATE TABLE accounts (id bigint PRIMARY KEY, zebra_id bigint REFERENCES zebra);',
      'deploy/accounts.sql': 'ALTER TABLE accounts ADD COLUMN IF NOT EXISTS email text;',
      'revert/zebra.sql': 'DROP TABLE zebra;',
      'revert/accounts.sql': 'DROP TABLE accounts;',
      'verify/accounts.sql': 'SELECT id FROM accounts WHERE false;',
    });
    const files = collectSqlFiles([dir]);
    expect(rel(dir, files)).toEqual(['deploy/zebra.sql', 'deploy/accounts@v1.0.sql', 'deploy/accounts.sql']);
    const { model } = await loadDdl(files);
    expect(model.tables.get('public.accounts')?.columns.map((c) => c.name)).toEqual(['id', 'zebra_id', 'email']);
  });
});

describe('override', () => {
  test('layout "plain" reads every .sql file in natural order', () => {
    const dir = tree({ '1_a.up.sql': 'SELECT 1;', '1_a.down.sql': 'SELECT 2;' });
    expect(rel(dir, collectSqlFiles([dir], { layout: 'plain' }))).toEqual(['1_a.down.sql', '1_a.up.sql']);
    expect(rel(dir, collectSqlFiles([dir], { layout: 'auto' }))).toEqual(['1_a.up.sql']);
  });
});

describe('config: migrations.layout', () => {
  test('the CLI reads the folder by the configured layout; a layout it does not know is one clear line, exit 2', async () => {
    assertBuilt();
    const dir = tree({
      'migrations/1_create.up.sql': 'CREATE TABLE items (id bigint PRIMARY KEY);',
      'migrations/1_create.down.sql': 'DROP TABLE items;',
    });
    const lint = async (config: unknown) => {
      writeFileSync(path.join(dir, 'schema-lint.config.json'), JSON.stringify(config));
      return runCli(['migrations', '--format', 'json', '--fail-on', 'never'], { cwd: dir });
    };
    const auto = await lint({});
    expect(parseReport(auto.stdout).summary.filesLinted).toBe(1);
    const plain = await lint({ migrations: { layout: 'plain' } });
    expect(parseReport(plain.stdout).summary.filesLinted).toBe(2);
    const bad = await lint({ migrations: { layout: 'rails' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^schema-lint: .*schema-lint\.config\.json: migrations\.layout: must be one of "auto", "plain", "diesel", "golang-migrate", "dbmate", "flyway", "sqitch"\n$/);
  }, 60_000);
});
