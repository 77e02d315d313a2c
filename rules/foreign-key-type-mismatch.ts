/**
 * foreign-key-type-mismatch: a foreign key column whose type is not the referenced column's type. PostgreSQL
 * accepts it when the types are comparable (int4 → int8, varchar → text), but the referencing column then caps
 * what the key can hold (an int4 column pointing at an int8 key overflows at 2^31), and joins compare through a cast.
 */
import { baseTypeOf, formatType, logicalTables, qualify } from '../src/model/model.js';
import type { Column, ForeignKeyConstraint, SchemaModel, Table, TypeRef } from '../src/model/types.js';
import type { Fix, Rule, RuleFinding } from '../src/engine/types.js';
import { qualifiedIdent, quoteIdent } from '../src/fix/sql.js';

export type ForeignKeyTypeMismatchOptions = Record<string, never>;

interface Mismatch {
  column: Column;
  referenced: Column;
  type: TypeRef;
  referencedType: TypeRef;
}

function sameType(a: TypeRef, b: TypeRef): boolean {
  if (a.schema !== b.schema || a.name !== b.name || a.arrayDims !== b.arrayDims) return false;
  // varchar(50) against varchar(255): the narrower side rejects keys the other accepts. Unset modifiers match anything.
  if (a.modifiers.length === 0 || b.modifiers.length === 0) return true;
  return a.modifiers.join(',') === b.modifiers.join(',');
}

function referencedColumns(model: SchemaModel, constraint: ForeignKeyConstraint): { table: Table; columns: string[] } | undefined {
  const target = constraint.foreignKey;
  if (!target.resolved) return undefined;
  const table = model.tables.get(target.table);
  if (!table) return undefined;
  if (target.columns.length) return { table, columns: target.columns };
  const pk = table.constraints.find((c) => c.kind === 'primary');
  return pk ? { table, columns: pk.columns } : undefined;
}

function mismatches(model: SchemaModel, table: Table, constraint: ForeignKeyConstraint): Mismatch[] {
  const target = referencedColumns(model, constraint);
  if (!target || target.columns.length !== constraint.columns.length) return [];
  const result: Mismatch[] = [];
  constraint.columns.forEach((name, i) => {
    const column = table.columns.find((c) => c.name === name);
    const referenced = target.table.columns.find((c) => c.name === target.columns[i]);
    if (!column || !referenced) return;
    // Domains compare by what they are over: a domain over int8 pointing at int8 stores the same values.
    const type = baseTypeOf(model, column.type);
    const referencedType = baseTypeOf(model, referenced.type);
    if (!sameType(type, referencedType)) result.push({ column, referenced, type, referencedType });
  });
  return result;
}

function typeSql(type: TypeRef): string {
  const name = type.schema === 'pg_catalog' ? quoteIdent(type.name) : qualifiedIdent(type.schema, type.name);
  const mods = type.modifiers.length ? `(${type.modifiers.join(',')})` : '';
  return name + mods + '[]'.repeat(type.arrayDims);
}

function alterFix(table: Table, found: Mismatch[]): Fix {
  const alters = found.map((m) => `ALTER COLUMN ${quoteIdent(m.column.name)} TYPE ${typeSql(m.referencedType)}`);
  return {
    sql: `ALTER TABLE ${qualifiedIdent(table.schema, table.name)} ${alters.join(', ')};`,
    safety: 'review',
    concurrently: false,
    notes: [
      'ALTER COLUMN … TYPE rewrites the table and its indexes under an ACCESS EXCLUSIVE lock (except varchar widening): plan it for a maintenance window, or add a new column, backfill it in batches and swap.',
      'Views, functions and application code that use the column may need the new type too.',
    ],
  };
}

export const foreignKeyTypeMismatch: Rule<ForeignKeyTypeMismatchOptions> = {
  id: 'foreign-key-type-mismatch',
  name: 'ForeignKeyTypeMismatch',
  defaultSeverity: 'warning',
  mode: 'both',
  fixSafety: ['review'],
  precision: 'very-high',
  tags: ['correctness', 'foreign-key'],
  docs: {
    summary: 'A foreign key column has a different type than the column it references.',
    description:
      'PostgreSQL accepts a foreign key between comparable types, so the mismatch goes unnoticed until it bites: an ' +
      '`integer` column that references a `bigint` key fails once the key passes 2,147,483,647; a `varchar(50)` ' +
      'pointing at a `varchar(255)` key rejects longer keys; and every join compares through a cast. Types compare ' +
      'after resolving domains, with their array dimensions and their modifiers (when both sides have them). ' +
      'Foreign keys to tables outside the schema read are not checked.',
    bad: [
      {
        title: 'An int4 column referencing a bigint key',
        sql: 'CREATE TABLE accounts (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY, account_id integer REFERENCES accounts (id));',
      },
    ],
    good: [
      {
        title: 'Both sides bigint',
        sql: 'CREATE TABLE accounts (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY, account_id bigint REFERENCES accounts (id));',
      },
    ],
    fix:
      '`ALTER TABLE … ALTER COLUMN <fk column> TYPE <referenced type>` (`review`: it rewrites the table under an ' +
      'ACCESS EXCLUSIVE lock; on a big table add a new column, backfill and swap instead).',
  },
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  defaultOptions: {},
  check(model) {
    const findings: RuleFinding[] = [];
    for (const table of logicalTables(model)) {
      for (const constraint of table.constraints) {
        if (constraint.kind !== 'foreign' || constraint.inheritedFrom) continue;
        const found = mismatches(model, table, constraint);
        if (!found.length) continue;
        const target = constraint.foreignKey;
        const pairs = found.map((m) => `${m.column.name} is ${formatType(m.type)}, ${target.table}.${m.referenced.name} is ${formatType(m.referencedType)}`);
        findings.push({
          title: `${qualify(table.schema, table.name)}: foreign key ${constraint.name} joins ${found.map((m) => `${formatType(m.type)} to ${formatType(m.referencedType)}`).join(', ')}`,
          message: `Foreign key ${constraint.name} on ${qualify(table.schema, table.name)} joins columns of different types: ${pairs.join('; ')}.`,
          object: { kind: 'constraint', schema: table.schema, name: table.name, detail: constraint.name },
          origin: constraint.origin,
          fix: alterFix(table, found),
        });
      }
    }
    return findings;
  },
};
