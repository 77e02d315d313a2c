/**
 * The DDL model holds equal values once (src/model/shared-values.ts) and findings hold their repeated texts once
 * (src/engine/share-strings.ts). Sharing must never change what the model says or what a rule reports.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import type { Finding } from '../src/engine/types.js';
import { shareRepeatedTexts } from '../src/engine/share-strings.js';
import { SharedValues } from '../src/model/shared-values.js';
import { expressionFromNode } from '../src/sql/expression.js';
import { loadParser, parseStatements } from '../src/sql/parser.js';
import { ddlModel, lintSql } from './support/lint.js';

beforeAll(loadParser);

/** The parse tree of `SELECT <text>`'s single target, as the DDL builder sees expressions. */
function tree(text: string): unknown {
  const parsed = parseStatements(`SELECT ${text}`);
  if (!parsed.ok) throw new Error(`cannot parse ${text}`);
  return (parsed.stmts[0].stmt.SelectStmt as { targetList: Array<{ ResTarget: { val: unknown } }> }).targetList[0].ResTarget.val;
}

describe('shared model values', () => {
  test('equal trees at different positions are one expression; different trees, or different given texts, are not', () => {
    const pool = new SharedValues();
    const first = pool.expression(tree('now()'), () => expressionFromNode(tree('now()')));
    const moved = tree('   now()');
    expect(JSON.stringify(moved)).not.toBe(JSON.stringify(tree('now()'))); // the positions differ
    expect(pool.expression(moved, () => expressionFromNode(moved))).toBe(first);
    const other = tree('clock_timestamp()');
    expect(pool.expression(other, () => expressionFromNode(other))).not.toBe(first);
    const spelled = pool.expression(tree('now()'), () => expressionFromNode(tree('now()'), 'NOW()'), 'NOW()');
    expect(spelled).not.toBe(first);
    expect(spelled.text).toBe('NOW()');
    expect(first.text).toBe('now()');
  });

  test('positions are ignored wherever they sit in a node (first, middle, last, alone, in lists), and only they', () => {
    const pool = new SharedValues();
    const make = (ast: unknown) => () => ({ ast, text: JSON.stringify(ast), columns: [] });
    const at = (n: number) => ({
      A_Expr: { location: n, kind: 'AEXPR_OP', lexpr: { ColumnRef: { fields: [{ String: { sval: 'a' } }], location: n + 1 } }, rexpr: { A_Const: { location: n + 2 } }, name: [{ String: { sval: '=' } }], stmt_location: 3 },
    });
    const base = at(0);
    const shared = pool.expression(base, make(base));
    for (const n of [-1, 7, 1234]) expect(pool.expression(at(n), make(at(n)))).toBe(shared);
    // A node without a position (the parser leaves out a zero) is the same node as one with a position.
    const bare = { A_Expr: { kind: 'AEXPR_OP', lexpr: { ColumnRef: { fields: [{ String: { sval: 'a' } }] } }, rexpr: { A_Const: {} }, name: [{ String: { sval: '=' } }], stmt_location: 3 } };
    expect(pool.expression(bare, make(bare))).toBe(shared);
    // Other members, also those whose names end in "location", and strings that spell a position, still count.
    const otherStmt = { ...base, A_Expr: { ...base.A_Expr, stmt_location: 4 } };
    expect(pool.expression(otherStmt, make(otherStmt))).not.toBe(shared);
    const spelled = { A_Const: { sval: { sval: '"location":1' } } };
    const spelledOther = { A_Const: { sval: { sval: '"location":2' } } };
    expect(pool.expression(spelledOther, make(spelledOther))).not.toBe(pool.expression(spelled, make(spelled)));
  });

  test('equal types are one object', () => {
    const pool = new SharedValues();
    const a = pool.type({ schema: 'pg_catalog', name: 'varchar', arrayDims: 0, modifiers: [255] });
    expect(pool.type({ schema: 'pg_catalog', name: 'varchar', arrayDims: 0, modifiers: [255] })).toBe(a);
    expect(pool.type({ schema: 'pg_catalog', name: 'varchar', arrayDims: 0, modifiers: [80] })).not.toBe(a);
    expect(pool.type({ schema: 'pg_catalog', name: 'varchar', arrayDims: 1, modifiers: [255] })).not.toBe(a);
  });

  test('a tree too deep for JSON.stringify keeps its own expression instead of failing', () => {
    let deep: unknown = { ColumnRef: { fields: [{ String: { sval: 'x' } }] } };
    for (let i = 0; i < 100_000; i++) deep = { A_Expr: { kind: 'AEXPR_OP', lexpr: deep, rexpr: { A_Const: { ival: { ival: i } } } } };
    const pool = new SharedValues();
    const made = { ast: deep, text: 'deep', columns: ['x'] };
    expect(pool.expression(deep, () => made)).toBe(made);
  });

  test('in a DDL model, equal defaults and types are shared, and renaming a column changes only its own table', async () => {
    const { model } = await ddlModel(`
      CREATE TABLE a (id bigint PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), data jsonb DEFAULT '{}');
      CREATE TABLE b (id bigint PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), data jsonb DEFAULT '[]');
      ALTER TABLE b RENAME COLUMN at TO created_at;
    `);
    const a = model.tables.get('public.a')!;
    const b = model.tables.get('public.b')!;
    expect(a.columns[1].default).toBe(b.columns[1].default);
    expect(a.columns[1].type).toBe(b.columns[1].type);
    expect(a.columns[2].default).not.toBe(b.columns[2].default);
    expect(a.columns[2].default!.text).toBe("'{}'");
    expect(b.columns[2].default!.text).toBe("'[]'");
    expect(a.columns.map((c) => c.name)).toEqual(['id', 'at', 'data']);
    expect(b.columns.map((c) => c.name)).toEqual(['id', 'created_at', 'data']);
  });
});

describe('shared finding texts', () => {
  test('notes and prerequisites keep their values; frozen ones are left alone', async () => {
    const findings = await lintSql(`
      CREATE TABLE c (id bigint PRIMARY KEY);
      CREATE TABLE o1 (id bigint PRIMARY KEY, c_id bigint REFERENCES c (id));
      CREATE TABLE o2 (id bigint PRIMARY KEY, c_id bigint REFERENCES c (id));
    `);
    const before = JSON.stringify(findings);
    const frozen: Finding = { ...findings[0], fix: Object.freeze({ ...findings[0].fix!, notes: Object.freeze(['a note']) as string[] }) };
    shareRepeatedTexts([...findings, frozen]);
    expect(JSON.stringify(findings)).toBe(before);
    expect(frozen.fix!.notes).toEqual(['a note']);
    expect(findings.filter((f) => f.fix && f.fix.notes.length > 0).length).toBeGreaterThanOrEqual(2);
  });
});
