/** Defects found in review, each pinned by the behaviour a user would otherwise have hit. */
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ddlModel, lintModel } from './support/lint.js';
import { renderFixScript } from '../src/fix/script.js';
import { parseSuppressions } from '../src/sources/ddl/suppressions.js';
import { readSqlFile } from '../src/sources/ddl/load-ddl.js';
import { parseNow } from '../src/cli/lint.js';
import { parseStatements } from '../src/sql/parser.js';

describe('the fix-up script', () => {
  test('an object name with a newline stays inside comments', async () => {
    const { model } = await ddlModel('CREATE TABLE p (id int PRIMARY KEY);\nCREATE TABLE "c\nDROP TABLE p; --" (id int PRIMARY KEY, p_id int REFERENCES p);');
    const findings = lintModel(model, { rules: ['foreign-key-without-index'] });
    expect(findings).toHaveLength(1);
    const script = renderFixScript(findings, { toolVersion: 'test', generatedAt: new Date(0) });
    const parsed = parseStatements(script);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      const kinds = parsed.stmts.map((s) => Object.keys(s.stmt)[0]);
      // The only DROP is the repair step's DROP INDEX of the aside name (test/fix-repair.test.ts), never a table.
      const drops = parsed.stmts.map((s) => s.stmt.DropStmt).filter((d) => d !== undefined);
      expect(drops.map((d) => d.removeType)).toEqual(['OBJECT_INDEX']);
      expect(kinds).toEqual(['VariableSetStmt', 'VariableSetStmt', 'DoStmt', 'DropStmt', 'IndexStmt']);
    }
  });
});

describe('suppressions', () => {
  test('CRLF line endings: disable-next-line skips a following comment line as with LF', async () => {
    const lines = [
      'CREATE TABLE p (id int PRIMARY KEY);',
      '-- schema-lint-disable-next-line foreign-key-without-index',
      '-- reason: reviewed by the DBA',
      'CREATE TABLE c (id int PRIMARY KEY, p_id int REFERENCES p);',
    ];
    for (const eol of ['\n', '\r\n']) {
      const { files } = await ddlModel([{ file: 'x.sql', text: lines.join(eol) }]);
      expect(parseSuppressions(files[0]).map((s) => [s.fromLine, s.toLine])).toEqual([[4, 4]]);
    }
  });
});

describe('DDL reading', () => {
  test('new objects go to the first search_path schema that exists', async () => {
    const { model } = await ddlModel('SET search_path = app, public;\nCREATE TABLE t1 (id int);\nCREATE SCHEMA app;\nCREATE TABLE t1 (id int);');
    expect([...model.tables.keys()].sort()).toEqual(['app.t1', 'public.t1']);
  });

  test('a CHECK added to a partitioned table reaches sub-partitions too', async () => {
    const { model } = await ddlModel(
      'CREATE TABLE ev (id int, d date, k int) PARTITION BY RANGE (d);\n' +
        "CREATE TABLE ev_2026 PARTITION OF ev FOR VALUES FROM ('2026-01-01') TO ('2027-01-01') PARTITION BY LIST (k);\n" +
        'CREATE TABLE ev_2026_a PARTITION OF ev_2026 FOR VALUES IN (1);\nALTER TABLE ev ADD CHECK (id > 0);',
    );
    expect(model.tables.get('public.ev_2026_a')!.constraints.map((c) => [c.name, c.inheritedFrom])).toEqual([['ev_id_check', 'ev_id_check']]);
  });

  test('a byte-order mark does not shift line 1 columns', async () => {
    const plain = await ddlModel('CREATE TABLE t (id int);');
    const bom = await ddlModel('\uFEFFCREATE TABLE t (id int);');
    expect(bom.model.tables.get('public.t')!.origin).toEqual(plain.model.tables.get('public.t')!.origin);
  });

  test('bytes that are not UTF-8 stop the run with their place', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'utf8-'));
    const file = path.join(dir, 'latin1.sql');
    writeFileSync(file, Buffer.concat([Buffer.from('CREATE TABLE p (id int);\nCREATE TABLE caf'), Buffer.from([0xe9]), Buffer.from(' (id int);\n')]));
    expect(() => readSqlFile(file)).toThrow(`${file}:2:17: not valid UTF-8`);
  });
});

describe('--now', () => {
  test('a day that does not exist is refused, not rolled over', () => {
    expect(() => parseNow('2025-02-30')).toThrow('--now 2025-02-30: not a date');
    expect(parseNow('2024-02-29').toISOString()).toBe('2024-02-29T00:00:00.000Z');
  });
});

describe('renames', () => {
  test('ALTER TABLE … RENAME renames an index too', async () => {
    const { model, diagnostics } = await ddlModel('CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);\nALTER TABLE t_a RENAME TO t_a_idx;');
    expect(model.tables.get('public.t')!.indexes).toEqual(['public.t_a_idx']);
    expect(diagnostics).toEqual([]);
  });
});
