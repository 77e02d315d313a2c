/**
 * Partition bounds and expression lists as the real parser sees them. `boundFromSpec` turns a
 * `PartitionBoundSpec` node (from `CREATE TABLE … PARTITION OF … FOR VALUES …` or `ATTACH PARTITION`) into the
 * model's bound; DDL mode can use it on its own parse tree so both modes describe bounds the same way.
 */
import type { BoundValue, PartitionBound } from '../model/types.js';
import { parseStatements } from './parser.js';

interface BoundSpecNode {
  strategy?: string;
  is_default?: boolean;
  modulus?: number;
  remainder?: number;
  listdatums?: unknown[];
  lowerdatums?: unknown[];
  upperdatums?: unknown[];
}

/**
 * One bound datum. pg_get_expr prints plain literals, but a DDL author may write `'2024-01-01'::date`, so casts
 * are looked through; the value keeps PostgreSQL's literal text (no quotes).
 */
export function boundValueFromNode(node: unknown): BoundValue | undefined {
  let record = (node ?? {}) as Record<string, unknown>;
  while (record.TypeCast) record = ((record.TypeCast as { arg?: unknown }).arg ?? {}) as Record<string, unknown>;
  const ref = record.ColumnRef as { fields?: Array<{ String?: { sval: string } }> } | undefined;
  if (ref?.fields?.length === 1) {
    const word = ref.fields[0].String?.sval;
    if (word === 'minvalue') return { kind: 'minvalue' };
    if (word === 'maxvalue') return { kind: 'maxvalue' };
    return undefined;
  }
  const constant = record.A_Const as Record<string, unknown> | undefined;
  if (!constant) return undefined;
  if (constant.isnull) return { kind: 'null' };
  if (constant.sval) return { kind: 'value', text: (constant.sval as { sval?: string }).sval ?? '' };
  if (constant.ival) return { kind: 'value', text: String((constant.ival as { ival?: number }).ival ?? 0) };
  if (constant.fval) return { kind: 'value', text: (constant.fval as { fval: string }).fval };
  if (constant.boolval) return { kind: 'value', text: String((constant.boolval as { boolval?: boolean }).boolval ?? false) };
  if (constant.bsval) return { kind: 'value', text: (constant.bsval as { bsval: string }).bsval };
  // The protobuf JSON leaves out zero values: `A_Const {}` with a location is the integer 0.
  return { kind: 'value', text: '0' };
}

function values(nodes: unknown[] | undefined): BoundValue[] | undefined {
  const result: BoundValue[] = [];
  for (const node of nodes ?? []) {
    const value = boundValueFromNode(node);
    if (!value) return undefined;
    result.push(value);
  }
  return result;
}

export function boundFromSpec(spec: unknown): PartitionBound | undefined {
  const node = (spec ?? {}) as BoundSpecNode;
  if (node.is_default) return { kind: 'default' };
  switch (node.strategy) {
    case 'h':
      return { kind: 'hash', modulus: node.modulus ?? 0, remainder: node.remainder ?? 0 };
    case 'l': {
      const list = values(node.listdatums);
      return list && { kind: 'list', values: list };
    }
    case 'r': {
      const from = values(node.lowerdatums);
      const to = values(node.upperdatums);
      return from && to && { kind: 'range', from, to };
    }
  }
  return undefined;
}

/** Parses what `pg_get_expr(relpartbound, oid)` prints (`FOR VALUES …` or `DEFAULT`). */
export function parseBoundText(text: string): PartitionBound | undefined {
  const parsed = parseStatements(`CREATE TABLE x PARTITION OF y ${text}`);
  if (!parsed.ok || parsed.stmts.length !== 1) return undefined;
  const create = parsed.stmts[0].stmt.CreateStmt as { partbound?: unknown } | undefined;
  return boundFromSpec(create?.partbound);
}

/**
 * Splits a comma-separated expression list (`pg_get_expr` of a list, e.g. `partexprs`) into the text of each item,
 * using the parser so commas inside calls and literals are not split points. Parser locations are UTF-8 byte
 * offsets, hence the Buffer.
 */
export function splitExpressionList(text: string): string[] | undefined {
  const sql = `SELECT ${text}`;
  const parsed = parseStatements(sql);
  if (!parsed.ok || parsed.stmts.length !== 1) return undefined;
  const targets = (parsed.stmts[0].stmt.SelectStmt as { targetList?: Array<{ ResTarget: { location?: number } }> } | undefined)
    ?.targetList;
  if (!targets) return undefined;
  const bytes = Buffer.from(sql, 'utf8');
  const starts = targets.map((t) => t.ResTarget.location ?? 0);
  return starts.map((start, i) => {
    const end = i + 1 < starts.length ? starts[i + 1] : bytes.length;
    return bytes.subarray(start, end).toString('utf8').replace(/\s*,\s*$/, '').trim();
  });
}
