/**
 * A model as comparable facts, one string per fact, for the DDL-vs-catalog agreement tests. What differs by nature
 * (origins, statistics, expression spelling) is left out or normalised; everything the rules read is kept.
 */
import type { BoundValue, Expression, Index, PartitionBound, SchemaModel, Table } from '../../src/model/types.js';
import { formatType } from '../../src/model/model.js';

type Node = Record<string, unknown>;

/** The expression tree without locations and casts, so `'{}'` (DDL) and `'{}'::jsonb` (catalog) compare equal. */
export function normalizeAst(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalizeAst);
  if (!node || typeof node !== 'object') return node;
  const record = node as Node;
  if (record.TypeCast) return normalizeAst((record.TypeCast as { arg?: unknown }).arg);
  const result: Node = {};
  for (const [key, value] of Object.entries(record)) {
    if (key === 'location' || key === 'stmt_location' || key === 'stmt_len') continue;
    result[key] = normalizeAst(value);
  }
  return result;
}

function expressionFact(expression: Expression | undefined): string {
  return expression ? `cols(${expression.columns.join(',')})` : '-';
}

function boundText(value: BoundValue, temporal: boolean): string {
  if (value.kind !== 'value') return value.kind;
  if (!temporal) return value.text;
  // DDL keeps the literal as written ('2026-01-01'), the catalog prints it in UTC ('2026-01-01 00:00:00+00').
  const text = /[+-]\d\d(:\d\d)?$|Z$/.test(value.text) ? value.text.replace(' ', 'T') : `${value.text.replace(' ', 'T')}Z`;
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value.text) ? `${value.text}T00:00:00Z` : text.replace(/([+-]\d\d)$/, '$1:00'));
  return Number.isNaN(date.getTime()) ? value.text : date.toISOString();
}

function boundFact(bound: PartitionBound, temporal: boolean): string {
  switch (bound.kind) {
    case 'default':
      return 'DEFAULT';
    case 'range':
      return `FROM(${bound.from.map((v) => boundText(v, temporal)).join(',')}) TO(${bound.to.map((v) => boundText(v, temporal)).join(',')})`;
    case 'list':
      return `IN(${bound.values.map((v) => boundText(v, false)).sort().join(',')})`;
    case 'hash':
      return `HASH(${bound.modulus},${bound.remainder})`;
  }
}

function isTemporalKey(model: SchemaModel, table: Table): boolean {
  const parent = table.partitionOf ? model.tables.get(table.partitionOf.parent) : undefined;
  const column = parent?.partitionBy?.keys[0]?.column;
  const type = parent?.columns.find((c) => c.name === column)?.type.name;
  return type === 'date' || type === 'timestamp' || type === 'timestamptz';
}

function indexFact(index: Index): string {
  const keys = index.keys.map((k) => (k.column ?? `expr:${k.expression?.columns.join('+')}`) + (k.descending ? ' desc' : '')).join(',');
  return [
    `index ${index.schema}.${index.name} on ${index.table}`,
    index.method,
    index.unique ? 'unique' : '',
    index.primary ? 'primary' : '',
    `(${keys})`,
    index.include.length ? `include(${index.include.join(',')})` : '',
    index.predicate ? `where ${expressionFact(index.predicate)}` : '',
    index.valid ? 'valid' : 'INVALID',
    index.partitioned ? 'partitioned' : '',
    index.parent ? `parent=${index.parent}` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

/** One sorted list of facts per model. */
export function modelFacts(model: SchemaModel): string[] {
  const facts: string[] = [];
  for (const table of model.tables.values()) {
    const name = `${table.schema}.${table.name}`;
    facts.push(`table ${name} ${table.kind} ${table.persistence}${table.partitionOf ? ` partition-of ${table.partitionOf.parent} ${boundFact(table.partitionOf.bound, isTemporalKey(model, table))}` : ''}`);
    if (table.partitionBy) {
      facts.push(`table ${name} partition-by ${table.partitionBy.strategy} (${table.partitionBy.keys.map((k) => k.column ?? `expr:${k.expression?.columns.join('+')}`).join(',')})`);
    }
    for (const column of table.columns) {
      facts.push(
        `column ${name}.${column.name} ${formatType(column.type)}${column.notNull ? ' not null' : ''}` +
          (column.default ? ` default ${expressionFact(column.default)}` : '') +
          // PostgreSQL 17 made partitions share the parent's identity column; 13–16 leave it on the parent only.
          (column.identity && !table.partitionOf ? ` identity ${column.identity}` : '') +
          `${column.generated ? ` generated ${column.generated}` : ''}${column.storage ? ` storage ${column.storage}` : ''}`,
      );
    }
    for (const c of table.constraints) {
      const fk = c.kind === 'foreign' ? ` references ${c.foreignKey.table}(${c.foreignKey.columns.join(',')}) del=${c.foreignKey.onDelete} upd=${c.foreignKey.onUpdate} match=${c.foreignKey.match}` : '';
      facts.push(
        `constraint ${name}.${c.name} ${c.kind} (${[...c.columns].sort().join(',')})${fk}${c.validated ? '' : ' NOT VALID'}${c.enforced ? '' : ' NOT ENFORCED'}` +
          `${c.deferrable ? ' deferrable' : ''}${c.inheritedFrom ? ` inherited-from ${c.inheritedFrom}` : ''}${c.index ? ` index ${c.index}` : ''}`,
      );
    }
    for (const t of table.triggers) {
      facts.push(`trigger ${name}.${t.name} ${t.timing} ${[...t.events].sort().join('|')} ${t.level} ${t.enabled} ${t.function}(${t.arguments.join(',')})${t.inherited ? ' inherited' : ''}`);
    }
  }
  for (const index of model.indexes.values()) facts.push(indexFact(index));
  for (const view of model.materializedViews.values()) facts.push(`matview ${view.schema}.${view.name}`);
  for (const [key, domain] of model.domains) facts.push(`domain ${key} ${formatType(domain.baseType)} checks=${domain.checks.length}`);
  for (const [key, overloads] of model.functions) facts.push(`function ${key} x${overloads.length}`);
  return facts.sort();
}

/** Facts in one list and not the other. */
export function diffFacts(ddl: string[], live: string[]): { onlyDdl: string[]; onlyLive: string[] } {
  const liveSet = new Set(live);
  const ddlSet = new Set(ddl);
  return { onlyDdl: ddl.filter((f) => !liveSet.has(f)), onlyLive: live.filter((f) => !ddlSet.has(f)) };
}
