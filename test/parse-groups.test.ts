/**
 * Big files are parsed in groups of statements (memory stays flat): a file cut into many small groups must give the
 * very same statements, positions, diagnostics and model as one parser call over the whole file.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseSqlFile, type ParsedFile } from '../src/sources/ddl/parse-file.js';
import { buildModelFromSql } from '../src/sources/ddl/load-ddl.js';
import { loadParser } from '../src/sql/parser.js';

import { repoRoot } from './support/fixtures.js';

// Every fixture of the repository in one text (~735 statements, 107 KB: functions, dollar quotes, partitions, DO
// blocks, COPY data, psql lines), so the test needs nothing outside the repository.
const fixturesDir = path.join(repoRoot, 'fixtures');
const allFixtures = readdirSync(fixturesDir, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.sql'))
  .sort()
  .map((file) => readFileSync(path.join(fixturesDir, file), 'utf8'))
  .join('\n');

beforeAll(loadParser);

const spans = (f: ParsedFile) => f.statements.map((s) => [s.kind, s.startByte, s.endByte]);

describe('statement groups', () => {
  test('the fixtures cut into ~200-character groups gives the statements and trees of one call', () => {
    const whole = parseSqlFile('p.sql', allFixtures);
    const grouped: ParsedFile['statements'] = [];
    const result = parseSqlFile('p.sql', allFixtures, (group) => grouped.push(...group.statements), 200);
    expect(whole.statements.length).toBeGreaterThan(200);
    expect(spans(result)).toEqual(spans(whole));
    // The trees handed over carry file offsets (shifted from their group's), as one call gives them.
    expect(grouped.map((s) => s.node)).toEqual(whole.statements.map((s) => s.node));
    // Only spans are kept once a group has been handed over.
    expect(result.statements.every((s) => Object.keys(s.node).length === 0)).toBe(true);
    expect(result.diagnostics).toEqual(whole.diagnostics);
  });

  test('a group end inside a BEGIN ATOMIC body is merged with the next group, not reported as a syntax error', () => {
    const sql = [
      'CREATE TABLE a (id int PRIMARY KEY);',
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql',
      'BEGIN ATOMIC',
      '  SELECT 1;',
      '  SELECT 2;',
      'END;',
      'CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);',
    ].join('\n');
    const grouped = parseSqlFile('f.sql', sql, undefined, 10);
    expect(grouped.diagnostics).toEqual([]);
    expect(spans(grouped)).toEqual(spans(parseSqlFile('f.sql', sql)));
  });

  test('a syntax error in a middle group is located in the file, and the groups around it still apply', () => {
    const sql = 'CREATE TABLE a (id int);\nCREATE TABLE b (id int);\nCREATE TABLE broken (id int,, x int);\nCREATE TABLE c (\n  id int\n);\n';
    const grouped = parseSqlFile('f.sql', sql, undefined, 20);
    const whole = parseSqlFile('f.sql', sql);
    expect(grouped.diagnostics).toEqual(whole.diagnostics);
    expect(grouped.diagnostics.map((d) => [d.kind, d.line, d.column])).toEqual([['syntax', 3, 29]]);
    expect(spans(grouped)).toEqual(spans(whole));
  });

  test('the model built group by group is the model of the whole file', () => {
    const whole = buildModelFromSql([{ file: 'p.sql', text: allFixtures }]);
    const grouped = buildModelFromSql([{ file: 'p.sql', text: allFixtures }], undefined, 300);
    expect(grouped.model.tables.size).toBeGreaterThan(20);
    expect(grouped.model).toEqual(whole.model);
    expect(grouped.diagnostics).toEqual(whole.diagnostics);
  });
});
