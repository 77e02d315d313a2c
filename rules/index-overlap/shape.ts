/**
 * What duplicate-index and redundant-index share: an index's comparable shape (keys, INCLUDE columns, predicate,
 * method) and which logical table a finding about it belongs to. Expressions are compared by their parse trees
 * without locations and casts, so `(status = 'x')` written in DDL and `((status)::text = 'x'::text)` printed by the
 * catalog compare equal.
 */
import { indexesOf, qualify } from '../../src/model/model.js';
import type { Expression, Index, IndexKey, SchemaModel, Table } from '../../src/model/types.js';

type Node = Record<string, unknown>;

function normalizeTree(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalizeTree);
  if (!node || typeof node !== 'object') return node;
  const record = node as Node;
  if (record.TypeCast) return normalizeTree((record.TypeCast as Node).arg);
  const result: Node = {};
  for (const key of Object.keys(record).sort()) {
    if (key === 'location' || key === 'stmt_location' || key === 'stmt_len') continue;
    result[key] = normalizeTree(record[key]);
  }
  return result;
}

const expressionKeys = new WeakMap<Expression, string>();

export function expressionKey(expression: Expression): string {
  let key = expressionKeys.get(expression);
  if (key === undefined) {
    key = expression.ast ? JSON.stringify(normalizeTree(expression.ast)) : expression.text.replace(/\s+/g, ' ').trim();
    expressionKeys.set(expression, key);
  }
  return key;
}

export function keyText(key: IndexKey): string {
  const what = key.column !== undefined ? `col:${key.column}` : `expr:${key.expression ? expressionKey(key.expression) : '?'}`;
  return `${what}|${key.opclass ?? ''}|${key.descending ? 'desc' : 'asc'}`;
}

/** The shape two indexes must share, apart from their key lists, to be compared at all. */
export function predicateText(index: Index): string {
  return index.predicate ? expressionKey(index.predicate) : '';
}

export function sameKeys(a: Index, b: Index): boolean {
  return a.keys.length === b.keys.length && a.keys.every((key, i) => keyText(key) === keyText(b.keys[i]));
}

export function sameIncludeSet(a: Index, b: Index): boolean {
  const left = [...a.include].sort();
  const right = [...b.include].sort();
  return left.length === right.length && left.every((column, i) => column === right[i]);
}

/** `a`'s key list is a proper prefix of `b`'s. */
export function keysArePrefix(a: Index, b: Index): boolean {
  return a.keys.length < b.keys.length && a.keys.every((key, i) => keyText(key) === keyText(b.keys[i]));
}

/** Columns `b` can return in an index-only scan: its keys and its INCLUDE columns. */
export function coveredColumns(index: Index): Set<string> {
  const columns = new Set<string>(index.include);
  for (const key of index.keys) if (key.column !== undefined) columns.add(key.column);
  return columns;
}

/** An index that can be dropped on its own: not attached to a partitioned parent index, not a partitioned index's child. */
export function attachedToParent(index: Index): boolean {
  return index.parent !== undefined;
}

export function qualifiedIndexName(index: Index): string {
  return qualify(index.schema, index.name);
}

/**
 * The tables whose indexes are compared, each with the logical table its findings are reported on: every logical
 * table, and every partition (reported through its root, as RULES.md asks), depth first.
 */
export function tablesWithReportingRoot(model: SchemaModel, logical: Table[]): Array<{ table: Table; root: Table }> {
  const result: Array<{ table: Table; root: Table }> = [];
  const visit = (table: Table, root: Table): void => {
    result.push({ table, root });
    for (const key of table.partitions) {
      const child = model.tables.get(key);
      if (child) visit(child, root);
    }
  };
  for (const table of logical) visit(table, table);
  return result;
}

export { indexesOf };
