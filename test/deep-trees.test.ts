/**
 * Deep parse trees (issue 8, item 5): PostgreSQL loads a column default of 3,000 `1 + 1 + …` terms, and every walk
 * over such a tree must survive it — in DDL mode and in live mode. Deeper than the WebAssembly parser can go
 * (20,000 terms, which PostgreSQL itself takes only with a raised max_stack_depth) is a located error, never a crash.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deparseNode, parseExpressionText, referencedColumns } from '../src/sql/expression.js';
import { loadParser, parseStatements } from '../src/sql/parser.js';
import { walkTree } from '../src/sql/walk-tree.js';
import { releaseCluster, sharedCluster, type Cluster } from './support/pg-cluster.js';
import { deepSchema, sumOfOnes } from './support/deep-schema.js';
import { parseJsonReport, runCli } from './support/run-cli.js';

let workDir: string;

beforeAll(async () => {
  await loadParser();
  workDir = mkdtempSync(join(tmpdir(), 'deep-trees-'));
});

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

/** A tree without locations, to compare what two texts parse to. */
function shape(text: string): string {
  const parsed = parseExpressionText(text);
  if (!parsed?.ast) throw new Error(`does not parse: ${text.slice(0, 80)}`);
  walkTree(parsed.ast, (node) => {
    delete node.location;
  });
  // JSON.stringify recurses too: compare deep trees level by level through walkTree instead.
  const parts: string[] = [];
  walkTree(parsed.ast, (node) => {
    parts.push(Object.entries(node).map(([k, v]) => (v && typeof v === 'object' ? k : `${k}=${String(v)}`)).join(','));
  });
  return parts.join(';');
}

describe('tree walks do not recurse', () => {
  test('walkTree visits in the order a recursive walk does, and can skip children', () => {
    const tree = { A: { x: [{ B: 1 }, { C: { D: 2 } }], y: { E: 3 } } };
    const seen: string[] = [];
    walkTree(tree, (node) => {
      seen.push(Object.keys(node).join('+'));
      return !('C' in node);
    });
    expect(seen).toEqual(['A', 'x+y', 'B', 'C', 'E']);
  });

  test('referencedColumns on a tree 30,000 levels deep', () => {
    let node: Record<string, unknown> = { ColumnRef: { fields: [{ String: { sval: 'bottom' } }] } };
    for (let i = 0; i < 30_000; i++) {
      const right = i === 15_000 ? { ColumnRef: { fields: [{ String: { sval: 't' } }, { String: { sval: 'middle' } }] } } : { A_Const: { ival: { ival: 1 } } };
      node = { A_Expr: { kind: 'AEXPR_OP', name: [{ String: { sval: '+' } }], lexpr: node, rexpr: right } };
    }
    expect(referencedColumns(node)).toEqual(['bottom', 'middle']);
  });
});

describe('printing deep expressions', () => {
  test('a 3,000-term sum prints flat and parses back to the same tree', () => {
    const text = sumOfOnes(3000);
    const expression = parseExpressionText(text)!;
    expect(expression.ast).toBeDefined();
    expect(deparseNode(expression.ast)).toBe(text);
  });

  test('a long chain that mixes precedence levels keeps its meaning', () => {
    // (((a * 2 + b) * 3 - c) …): every change of level needs parentheses around what came before.
    let text = 'a';
    for (let i = 0; i < 2500; i++) text = i % 3 === 0 ? `${text} * ${i}` : i % 3 === 1 ? `${text} + b` : `${text} - c * 2`;
    const printed = deparseNode(parseExpressionText(text)!.ast);
    expect(printed).not.toBe('<expression>');
    expect(shape(printed)).toBe(shape(text));
  });

  test('columns of a 3,000-term concatenation', () => {
    const expression = parseExpressionText(Array.from({ length: 3000 }, (_, i) => `c${i % 7}`).join(' || '))!;
    expect(expression.columns).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6']);
  });
});

describe('deeper than the parser goes', () => {
  test('a 20,000-term statement is a parse failure that says why, and the parser keeps working', () => {
    const result = parseStatements(`SELECT ${sumOfOnes(20000)}`);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.message).toMatch(/^statement is nested too deeply to parse \(the parser ran out of stack\)/);
    const after = parseStatements('CREATE TABLE t (id int PRIMARY KEY)');
    expect(after.ok && after.stmts[0].stmt.CreateStmt).toBeTruthy();
  });
});

describe('DDL mode', () => {
  const expectedKeys = [
    'foreign-key-without-index/deep.child/child_parent_id_fkey',
    'jsonb-without-gin-index/deep.child.payload',
    // The schema audits none of its tables: one finding for the schema.
    'missing-audit-trigger/deep',
    'table-without-primary-key/deep.measurements',
  ];

  test('3,000 terms in every kind of expression: linted like any schema', async () => {
    const file = join(workDir, 'deep-3000.sql');
    writeFileSync(file, deepSchema(3000));
    const fix = join(workDir, 'fix-3000.sql');
    const result = await runCli([file, '--format', 'json', '--fix-sql', fix, '--fail-on', 'never']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = parseJsonReport(result);
    expect(report.diagnostics).toEqual([]);
    expect(report.findings.map((f) => f.key).sort()).toEqual(expectedKeys);
  });

  test('20,000 terms: one located line per statement the parser cannot take, exit 2, no stack trace', async () => {
    const file = join(workDir, 'deep-20000.sql');
    writeFileSync(file, deepSchema(20000));
    const result = await runCli([file, '--format', 'json', '-o', join(workDir, 'report-20000.json')]);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    const tooDeep = 'syntax error: statement is nested too deeply to parse (the parser ran out of stack); PostgreSQL itself loads it only with a raised max_stack_depth';
    // The domain, the table with the deep default/CHECKs and the 20,000-term view; the 6,666-way UNION parses.
    expect(lines).toEqual([
      `${file}:2:1: ${tooDeep}`,
      `${file}:4:1: ${tooDeep}`,
      `${file}:18:1: ${tooDeep}`,
      'schema-lint: 3 syntax errors; no report file or fix script written',
    ]);
    expect(result.stderr).not.toMatch(/internal error|RangeError|\n\s+at /);
  });
});

describe('live mode', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await sharedCluster();
  });

  afterAll(async () => {
    await releaseCluster();
  });

  test('3,000 terms: the same findings as DDL mode', async () => {
    const db = 'deep_3000';
    await cluster.createDatabase(db);
    const file = join(workDir, 'load-3000.sql');
    writeFileSync(file, deepSchema(3000));
    await cluster.psqlFile(db, file);
    const result = await runCli(['--db', cluster.superuserUrl(db), '--format', 'json', '--fail-on', 'never']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(parseJsonReport(result).findings.map((f) => f.key).sort()).toEqual([
      'foreign-key-without-index/deep.child/child_parent_id_fkey',
      'jsonb-without-gin-index/deep.child.payload',
      'missing-audit-trigger/deep',
      'table-without-primary-key/deep.measurements',
    ]);
  });

  // 12,000 terms: deeper than the WebAssembly parser goes (about 9,000), within what PostgreSQL 15 loads with
  // max_stack_depth at 7 MB under an 8 MB stack limit (20,000 fails there: "stack depth limit exceeded").
  test('12,000 terms (loaded with a raised max_stack_depth): one clear line when the server cannot print it, linted when it can', async () => {
    const db = 'deep_12000';
    await cluster.createDatabase(db);
    const file = join(workDir, 'load-12000.sql');
    writeFileSync(file, `SET max_stack_depth = '7MB';\n${deepSchema(12000)}`);
    await cluster.psqlFile(db, file);

    const refused = await runCli(['--db', cluster.superuserUrl(db), '--format', 'json']);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^schema-lint: reading the catalog of [^\n]+ failed: an expression there is nested too deeply for the server to print \(stack depth limit exceeded\); a superuser can raise max_stack_depth for this role \(ALTER ROLE \S+ SET max_stack_depth = '6MB'\)\n$/);

    await cluster.query('postgres', `ALTER DATABASE ${db} SET max_stack_depth = '7MB'`);
    const result = await runCli(['--db', cluster.superuserUrl(db), '--format', 'json', '--fail-on', 'never']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // Expressions too deep for the parser keep their text (no tree): the findings do not depend on them.
    expect(parseJsonReport(result).findings.map((f) => f.key).sort()).toEqual([
      'foreign-key-without-index/deep.child/child_parent_id_fkey',
      'jsonb-without-gin-index/deep.child.payload',
      'missing-audit-trigger/deep',
      'table-without-primary-key/deep.measurements',
    ]);
  });
});
