/**
 * int4-primary-key: an `integer` (or `smallint`) primary key, usually `serial`, stops at 2,147,483,647. When the
 * sequence gets there every insert fails, and widening the column then means rewriting the table (and every
 * referencing column) under an exclusive lock, in an outage. Live mode shows how far the sequence has gone.
 */
import { baseTypeOf, logicalTables, qualify } from '../src/model/model.js';
import type { Column, SchemaModel, Table } from '../src/model/types.js';
import type { Fix, Rule, RuleFinding } from '../src/engine/types.js';
import { qualifiedIdent, quoteIdent, quoteLiteral } from '../src/fix/sql.js';
import type { PgNode, PgNodeOf } from '../src/sql/pg-node.js';

export interface Int4PrimaryKeyOptions {
  /** Live mode: a sequence at or past this share of its maximum raises the finding from note to the rule's level. */
  warnAtPercent: number;
}

const NARROW = new Set(['int2', 'int4']);

function nextvalCall(column: Column): PgNodeOf<'FuncCall'> | undefined {
  let node = column.default?.ast as PgNode | undefined;
  while (node?.TypeCast) node = node.TypeCast.arg;
  const call = node?.FuncCall;
  const parts = call?.funcname?.map((part) => part.String?.sval);
  return parts?.[parts.length - 1] === 'nextval' ? call : undefined;
}

function isNextvalDefault(column: Column): boolean {
  return nextvalCall(column) !== undefined;
}

/** The sequence text of `nextval('app."Orders_seq"'::regclass)`, as written (a regclass literal). */
function nextvalSequenceText(column: Column): string | undefined {
  let arg = nextvalCall(column)?.args?.[0];
  while (arg?.TypeCast) arg = arg.TypeCast.arg;
  const text = arg?.A_Const?.sval?.sval;
  return typeof text === 'string' ? text : undefined;
}

/**
 * The key's columns that can run out: the ones a sequence fills (serial, identity, a nextval default). A key the
 * application assigns (a shard number, an enum-like code) does not grow by itself.
 */
function narrowKeyColumns(model: SchemaModel, table: Table): Column[] {
  const pk = table.constraints.find((c) => c.kind === 'primary');
  if (!pk) return [];
  const result: Column[] = [];
  for (const name of pk.columns) {
    const column = table.columns.find((c) => c.name === name);
    if (!column) continue;
    const type = baseTypeOf(model, column.type);
    if (type.schema !== 'pg_catalog' || type.arrayDims !== 0 || !NARROW.has(type.name)) continue;
    if (column.identity || isNextvalDefault(column) || column.sequenceUsage) result.push(column);
  }
  return result;
}

/** Columns of other tables whose foreign keys point at this column: they must widen with it. */
function referencingColumns(model: SchemaModel, table: Table, column: string): Array<{ table: Table; column: string }> {
  const key = qualify(table.schema, table.name);
  const result: Array<{ table: Table; column: string }> = [];
  for (const other of model.tables.values()) {
    if (other.partitionOf) continue; // the parent's ALTER reaches its partitions
    for (const constraint of other.constraints) {
      if (constraint.kind !== 'foreign') continue;
      const target = constraint.foreignKey;
      if (target.table !== key || constraint.inheritedFrom) continue;
      const position = target.columns.indexOf(column);
      if (position < 0 || !constraint.columns[position]) continue;
      const referencing = other.columns.find((c) => c.name === constraint.columns[position]);
      if (referencing && NARROW.has(baseTypeOf(model, referencing.type).name)) result.push({ table: other, column: constraint.columns[position] });
    }
  }
  return result;
}

function widenFix(model: SchemaModel, table: Table, column: Column): Fix {
  const statements = [`ALTER TABLE ${qualifiedIdent(table.schema, table.name)} ALTER COLUMN ${quoteIdent(column.name)} TYPE bigint;`];
  const referencing = referencingColumns(model, table, column.name);
  for (const ref of referencing) {
    statements.push(`ALTER TABLE ${qualifiedIdent(ref.table.schema, ref.table.name)} ALTER COLUMN ${quoteIdent(ref.column)} TYPE bigint;`);
  }
  // The sequence has its own type (integer for serial and for an integer identity): widen it too, or it still stops
  // at 2^31 - 1. A nextval default names it (regclass prints it quoted); an identity's is found by the column.
  const sequenceText = nextvalSequenceText(column);
  const sequence = sequenceText
    ? `${quoteLiteral(sequenceText)}::regclass`
    : `pg_get_serial_sequence(${quoteLiteral(qualifiedIdent(table.schema, table.name))}, ${quoteLiteral(column.name)})`;
  statements.push(`DO $widen$ BEGIN EXECUTE format('ALTER SEQUENCE %s AS bigint', ${sequence}); END $widen$;`);
  return {
    sql: statements.join('\n'),
    safety: 'review',
    concurrently: false,
    notes: [
      'Each ALTER COLUMN … TYPE bigint rewrites the table and its indexes under an ACCESS EXCLUSIVE lock: on a big table, add a bigint column, backfill it in batches, and swap it in instead.',
      referencing.length
        ? `Widens the referencing columns too (${referencing.map((r) => `${qualify(r.table.schema, r.table.name)}.${r.column}`).join(', ')}), so the foreign keys keep matching types.`
        : 'No foreign key in the schema references the column.',
      'Views and functions that use the column may need to be re-created.',
    ],
  };
}

function usageText(column: Column): { text: string; percent?: number } {
  const usage = column.sequenceUsage;
  if (!usage) return { text: '' };
  if (usage.lastValue === undefined) return { text: ` Sequence ${usage.sequence} has not been used yet (or the role may not read it).` };
  const percent = usage.increment > 0 ? (usage.lastValue / usage.maxValue) * 100 : 0;
  const n = (value: number): string => Math.round(value).toLocaleString('en-US');
  return {
    text: ` Sequence ${usage.sequence} is at ${n(usage.lastValue)} of ${n(usage.maxValue)} (${percent.toFixed(percent < 1 ? 2 : 1)}%).`,
    percent,
  };
}

export const int4PrimaryKey: Rule<Int4PrimaryKeyOptions> = {
  id: 'int4-primary-key',
  name: 'Int4PrimaryKey',
  defaultSeverity: 'warning',
  mode: 'both',
  fixSafety: ['review'],
  precision: 'high',
  tags: ['correctness', 'capacity'],
  docs: {
    summary: 'A primary key is integer or smallint (serial): it can run out.',
    description:
      'An `integer` key stops at 2,147,483,647 and a `smallint` at 32,767; when its sequence gets there, every insert ' +
      'fails. Widening the column afterwards rewrites the table, its indexes and every referencing column under an ' +
      'exclusive lock, during the outage. `bigint` costs 4 bytes more per row and never runs out. Reported: key ' +
      'columns of type integer or smallint (through domains) that a sequence fills (serial, identity, a nextval ' +
      'default); a key the application assigns (a shard number, a code) does not grow by itself. DDL mode cannot see how far the sequence has gone, so there the finding is a `note`; live ' +
      'mode reads the sequence and raises it to the rule\'s level when it is at `warnAtPercent` (default 50%) of its ' +
      'maximum or more, and says how far it is.',
    bad: [{ title: 'A serial key', sql: 'CREATE TABLE orders (id serial PRIMARY KEY, placed_at timestamptz NOT NULL);' }],
    good: [{ title: 'A bigint identity key', sql: 'CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, placed_at timestamptz NOT NULL);' }],
    fix:
      'A `review` plan: `ALTER TABLE … ALTER COLUMN … TYPE bigint` for the key and for every column whose foreign key ' +
      'references it, and `ALTER SEQUENCE … AS bigint` for the sequence that fills it (found with ' +
      '`pg_get_serial_sequence`). Each ALTER rewrites its table under an ACCESS EXCLUSIVE lock; on a big table use a ' +
      'new column, a batched backfill and a swap.',
  },
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { warnAtPercent: { type: 'number', minimum: 0, maximum: 100 } },
    required: ['warnAtPercent'],
  },
  defaultOptions: { warnAtPercent: 50 },
  check(model, options) {
    const findings: RuleFinding[] = [];
    for (const table of logicalTables(model)) {
      if (table.persistence === 'temporary') continue;
      for (const column of narrowKeyColumns(model, table)) {
        const type = baseTypeOf(model, column.type).name === 'int2' ? 'smallint' : 'integer';
        const max = type === 'smallint' ? '32,767' : '2,147,483,647';
        const usage = usageText(column);
        findings.push({
          title: `${qualify(table.schema, table.name)}.${column.name}: ${type} primary key${usage.percent === undefined ? '' : ` at ${usage.percent.toFixed(usage.percent < 1 ? 2 : 1)}% of its range`}`,
          message: `Primary key column ${qualify(table.schema, table.name)}.${column.name} is ${type}: inserts fail once it reaches ${max}.${usage.text} Use bigint.`,
          object: { kind: 'column', schema: table.schema, name: table.name, column: column.name },
          origin: column.origin,
          severity: usage.percent !== undefined && usage.percent >= options.warnAtPercent ? undefined : 'note',
          fix: widenFix(model, table, column),
        });
      }
    }
    return findings;
  },
};
