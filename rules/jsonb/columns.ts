/**
 * What jsonb-without-gin-index and jsonb-without-validation share: which columns hold jsonb (directly or through a
 * domain), how to name them, and which JSON type a column's default implies.
 */
import { logicalTables, qualify } from '../../src/model/model.js';
import type { Column, Domain, Expression, SchemaModel, Table } from '../../src/model/types.js';
import type { PgNode } from '../../src/sql/pg-node.js';

export interface JsonbColumn {
  table: Table;
  column: Column;
  /** The domains between the column's declared type and jsonb, outermost first (empty for a plain jsonb column). */
  domains: Domain[];
}


/**
 * The chain of domains from a column's type down to its base type. Stops at arrays: a `jsonb[]` column, or an array
 * of a jsonb domain, holds arrays, which neither rule is about.
 */
function resolveDomains(model: SchemaModel, column: Column): { domains: Domain[]; isJsonb: boolean } {
  const domains: Domain[] = [];
  let type = column.type;
  // Domains cannot be circular in PostgreSQL; the bound only protects against a malformed model.
  for (let depth = 0; depth < 16 && type.arrayDims === 0; depth++) {
    const domain = model.domains.get(qualify(type.schema, type.name));
    if (!domain) break;
    domains.push(domain);
    type = domain.baseType;
  }
  return { domains, isJsonb: type.schema === 'pg_catalog' && type.name === 'jsonb' && type.arrayDims === 0 };
}

/** Every jsonb (or domain-over-jsonb) column of the logical tables; partitions share their parent's columns. */
export function jsonbColumns(model: SchemaModel): JsonbColumn[] {
  const result: JsonbColumn[] = [];
  for (const table of logicalTables(model)) {
    for (const column of table.columns) {
      const { domains, isJsonb } = resolveDomains(model, column);
      if (isJsonb) result.push({ table, column, domains });
    }
  }
  return result;
}

export function columnDisplayName({ table, column }: JsonbColumn): string {
  return `${table.schema}.${table.name}.${column.name}`;
}

/** `jsonb`, or `domain public.payload_doc over jsonb`. */
export function columnTypeLabel({ domains }: JsonbColumn): string {
  if (domains.length === 0) return 'jsonb';
  const domain = domains[0];
  return `domain ${domain.schema}.${domain.name} over jsonb`;
}

/** The finding's subject, as the message's first words: `Column public.events.payload (jsonb)`. */
export function columnSubject(jsonb: JsonbColumn): string {
  return `Column ${columnDisplayName(jsonb)} (${columnTypeLabel(jsonb)})`;
}

export type JsonKind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

const OBJECT_FUNCTIONS = new Set([
  'jsonb_build_object', 'json_build_object', 'jsonb_object', 'json_object', 'jsonb_object_agg', 'json_object_agg',
  'row_to_json',
]);
const ARRAY_FUNCTIONS = new Set(['jsonb_build_array', 'json_build_array', 'jsonb_agg', 'json_agg', 'array_to_json']);

/** Casts say nothing about the value: `'{}'` (DDL) and `'{}'::jsonb` (pg_get_expr) are the same default. */
function stripCasts(node: PgNode | undefined): PgNode | undefined {
  let current = node;
  while (current?.TypeCast) current = current.TypeCast.arg;
  return current;
}

function kindOfJsonText(text: string): JsonKind | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const kind = typeof value;
  return kind === 'object' || kind === 'string' || kind === 'number' || kind === 'boolean' ? kind : undefined;
}

/** The JSON type a default (or generation expression) always yields, when its shape shows it; undefined otherwise. */
export function jsonKindOfExpression(expression: Expression | undefined): JsonKind | undefined {
  const node = stripCasts(expression?.ast as PgNode | undefined);
  if (!node) return undefined;
  const literal = node.A_Const?.sval?.sval;
  if (typeof literal === 'string') return kindOfJsonText(literal);
  const call = node.FuncCall;
  if (call) {
    const parts = call.funcname ?? [];
    const name = parts[parts.length - 1]?.String?.sval;
    if (name && OBJECT_FUNCTIONS.has(name)) return 'object';
    if (name && ARRAY_FUNCTIONS.has(name)) return 'array';
  }
  return undefined;
}
