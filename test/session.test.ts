/**
 * How the files ran is explicit: `--session shared` (one session: a SET search_path carries into the next file) or
 * `--session per-file` (each file a new session starting with `--search-path`). Each setting is checked against a
 * real server that runs the files that way, and the `session` diagnostic says when only the setting explains where a
 * file's objects went.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadParser } from '../src/sql/parser.js';
import { readCatalog } from '../src/sources/catalog/read-catalog.js';
import { buildModelFromSql } from '../src/sources/ddl/load-ddl.js';
import { releaseCluster, sharedCluster, type Cluster } from './support/pg-cluster.js';
import { parseJsonReport, runCli } from './support/run-cli.js';

const FILES = [
  { file: '1_schema.sql', text: 'CREATE SCHEMA app;\nSET search_path = app, public;\nCREATE TABLE a (id int PRIMARY KEY);\n' },
  { file: '2_tables.sql', text: 'CREATE TABLE b (id int PRIMARY KEY);\nCREATE INDEX b_id_idx ON b (id);\n' },
  { file: '3_own.sql', text: 'SET search_path = app;\nCREATE TABLE c (id int PRIMARY KEY);\n' },
];

let cluster: Cluster;
let dir: string;
beforeAll(async () => {
  await loadParser();
  cluster = await sharedCluster();
  dir = mkdtempSync(path.join(tmpdir(), 'schema-lint-session-'));
  mkdirSync(path.join(dir, 'sql'));
  for (const { file, text } of FILES) writeFileSync(path.join(dir, 'sql', file), text);
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await releaseCluster();
});

const tables = (keys: Iterable<string>): string[] => [...keys].sort();

describe('--session and --search-path', () => {
  test('shared: the SET of one file holds in the next; the same tables as one psql session', async () => {
    const { model, diagnostics } = buildModelFromSql(FILES, { session: 'shared', searchPath: ['public'] });
    expect(tables(model.tables.keys())).toEqual(['app.a', 'app.b', 'app.c']);
    expect(diagnostics.filter((d) => d.kind === 'session').map((d) => `${d.file}:${d.line}`)).toEqual(['2_tables.sql:1']);
    expect(diagnostics.find((d) => d.kind === 'session')!.message).toContain('go to app only because an earlier file set search_path to app, public');

    const db = 'session_shared';
    const url = await cluster.createDatabase(db);
    const all = path.join(dir, 'all.sql');
    writeFileSync(all, FILES.map((f) => f.text).join(''));
    await cluster.psqlFile(db, all);
    expect(tables((await readCatalog({ url })).tables.keys())).toEqual(tables(model.tables.keys()));
  }, 60_000);

  test('per-file with a starting search path: the same tables as psql run once per file with PGOPTIONS', async () => {
    for (const searchPath of [['public'], ['app', 'public']]) {
      const { model, diagnostics } = buildModelFromSql(FILES, { session: 'per-file', searchPath });
      const db = `session_per_file_${searchPath.length}`;
      const url = await cluster.createDatabase(db);
      for (const { file } of FILES) {
        const result = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-f', path.join(dir, 'sql', file)], {
          encoding: 'utf8',
          env: { ...process.env, PGOPTIONS: `-c search_path=${searchPath.join(',')}` },
        });
        expect(result.status).toBe(0);
      }
      expect(tables((await readCatalog({ url })).tables.keys())).toEqual(tables(model.tables.keys()));
      if (searchPath.length === 1) {
        expect(tables(model.tables.keys())).toEqual(['app.a', 'app.c', 'public.b']);
        expect(diagnostics.filter((d) => d.kind === 'session').map((d) => d.message)).toEqual([
          'objects created here without a schema go to public (--session per-file: each file starts with search_path public); ' +
            'run in one session with the files before it, they would go to app (search_path app, public set by an earlier file)',
        ]);
      } else {
        // Every session starts where the first file's SET leads: nothing depends on the setting.
        expect(tables(model.tables.keys())).toEqual(['app.a', 'app.b', 'app.c']);
        expect(diagnostics.filter((d) => d.kind === 'session')).toEqual([]);
      }
    }
  }, 60_000);

  test('the CLI takes them as flags and from the config, prints the diagnostic by default, and refuses bad values', async () => {
    const flags = await runCli(['sql', '--session', 'per-file', '--format', 'json', '--fail-on', 'never'], { cwd: dir });
    expect(flags.code).toBe(0);
    expect(flags.stderr).toContain('2_tables.sql:1:1: session: objects created here without a schema go to public');
    expect(parseJsonReport(flags).findings.some((f) => f.object.schema === 'public' && f.object.name === 'b')).toBe(true);

    writeFileSync(path.join(dir, 'schema-lint.config.json'), JSON.stringify({ session: 'per-file', searchPath: ['app', 'public'] }));
    const config = await runCli(['sql', '--format', 'json', '--fail-on', 'never'], { cwd: dir });
    expect(config.stderr).not.toContain('session:');
    expect(parseJsonReport(config).findings.every((f) => f.object.schema === 'app')).toBe(true);
    const override = await runCli(['sql', '--search-path', 'public', '--format', 'json', '--fail-on', 'never'], { cwd: dir });
    expect(parseJsonReport(override).findings.some((f) => f.object.schema === 'public')).toBe(true);

    writeFileSync(path.join(dir, 'schema-lint.config.json'), JSON.stringify({ session: 'each' }));
    const bad = await runCli(['sql'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/session/);
    rmSync(path.join(dir, 'schema-lint.config.json'));
    const badFlag = await runCli(['sql', '--session', 'each'], { cwd: dir });
    expect(badFlag.code).toBe(2);
    expect(readFileSync(path.join(dir, 'sql', '1_schema.sql'), 'utf8')).toContain('CREATE SCHEMA app');
  }, 60_000);
});
