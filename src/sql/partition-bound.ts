import type { BoundValue, PartitionBound } from '../model/types.js';
import { parseStatements } from './parser.js';

type Node = Record<string, any>;

function boundValue(node: Node): BoundValue {
  if (node.TypeCast) return boundValue(node.TypeCast.arg);
  const constant = node.A_Const;
  if (constant) {
    if (constant.isnull) return { kind: 'null' };
    if (constant.sval) return { kind: 'value', text: constant.sval.sval ?? '' };
    if (constant.ival) return { kind: 'value', text: String(constant.ival.ival ?? 0) };
    if (constant.fval) return { kind: 'value', text: String(constant.fval.fval) };
    if (constant.boolval) return { kind: 'value', text: String(constant.boolval.boolval ?? false) };
    // proto3 JSON drops zero values: `{ ival: {} }` is 0.
    return { kind: 'value', text: '0' };
  }
  const ref = node.ColumnRef?.fields?.[0]?.String?.sval;
  if (ref === 'minvalue') return { kind: 'minvalue' };
  if (ref === 'maxvalue') return { kind: 'maxvalue' };
  // An expression bound (e.g. `now()`), which PostgreSQL evaluates once: keep its shape as text.
  return { kind: 'value', text: JSON.stringify(node) };
}

/** Converts a libpg-query `PartitionBoundSpec` into the model's bound. */
export function partitionBoundFromNode(spec: Node): PartitionBound {
  if (spec.is_default) return { kind: 'default' };
  switch (spec.strategy) {
    case 'r':
      return { kind: 'range', from: (spec.lowerdatums ?? []).map(boundValue), to: (spec.upperdatums ?? []).map(boundValue) };
    case 'l':
      return { kind: 'list', values: (spec.listdatums ?? []).map(boundValue) };
    case 'h':
      return { kind: 'hash', modulus: spec.modulus ?? 0, remainder: spec.remainder ?? 0 };
    default:
      throw new Error(`unknown partition strategy ${String(spec.strategy)}`);
  }
}

/** Parses what `pg_get_expr(relpartbound, oid)` prints (`FOR VALUES FROM (…) TO (…)`, `DEFAULT`, …). */
export function parsePartitionBoundText(text: string): PartitionBound | undefined {
  const parsed = parseStatements(`CREATE TABLE x PARTITION OF y ${text}`);
  if (!parsed.ok) return undefined;
  const spec = (parsed.stmts[0]?.stmt.CreateStmt as Node | undefined)?.partbound;
  return spec ? partitionBoundFromNode(spec) : undefined;
}
