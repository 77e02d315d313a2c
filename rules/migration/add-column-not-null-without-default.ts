/** ADD COLUMN … NOT NULL without a default on an existing table: it fails as soon as the table has a row. */
import { choosePostgresName, quoteIdent } from '../../src/fix/sql.js';
import { deparseNode } from '../../src/sql/expression.js';
import { alterCommandsOnExistingTable, rewriteFix, sizeSignal, strings, tableName, tableObject } from './common.js';
import type { PgNodeOf } from '../../src/sql/pg-node.js';
import { migrationRule, type MigrationFinding } from './types.js';

const LOCK = 'ACCESS EXCLUSIVE';

/** Constraint kinds in a column definition that fill the column for existing rows (so NOT NULL holds). */
const FILLS_EXISTING_ROWS = new Set(['CONSTR_DEFAULT', 'CONSTR_IDENTITY', 'CONSTR_GENERATED']);
/** Constraint kinds that make the column NOT NULL (a primary key does too). */
const REQUIRES_VALUE = new Set(['CONSTR_NOTNULL', 'CONSTR_PRIMARY']);

export const addColumnNotNullWithoutDefault = migrationRule({
  id: 'add-column-not-null-without-default',
  name: 'AddColumnNotNullWithoutDefault',
  defaultSeverity: 'warning',
  precision: 'high',
  tags: ['migration', 'correctness'],
  lock: LOCK,
  docs: {
    summary: 'ADD COLUMN … NOT NULL without a DEFAULT on an existing table fails as soon as the table has a row',
    description:
      'Existing rows get NULL in a new column without a default, so PostgreSQL rejects the whole `ALTER TABLE` ' +
      '(`column … contains null values`) on any table that has rows: the migration passes on an empty development ' +
      'database and fails in production. With a constant DEFAULT the column is added without a rewrite (PostgreSQL 11 ' +
      'or later); otherwise add it nullable, backfill, and prove NOT NULL with a validated CHECK.',
    bad: [{ title: 'required column on a table with rows', sql: 'CREATE TABLE orders (id bigint);\n-- a later migration:\nALTER TABLE orders ADD COLUMN currency text NOT NULL;' }],
    good: [
      { title: 'a constant default fills existing rows', sql: "ALTER TABLE orders ADD COLUMN currency text NOT NULL DEFAULT 'EUR';" },
      { title: 'a table created in the same migration', sql: 'CREATE TABLE drafts (id bigint);\nALTER TABLE drafts ADD COLUMN body text NOT NULL;' },
    ],
    fix: 'Give the column a constant DEFAULT, or add it nullable, backfill in batches, then `CHECK (col IS NOT NULL) NOT VALID`, `VALIDATE`, `SET NOT NULL`, drop the CHECK.',
  },
  checkStatement(statement, before, ctx) {
    const target = alterCommandsOnExistingTable(statement, ctx, 'AT_AddColumn');
    if (!target) return [];
    const { table, commands } = target;
    const findings: MigrationFinding[] = [];
    for (const command of commands) {
      const def = command.def?.ColumnDef;
      if (!def?.colname || !def.typeName) continue;
      const kinds = (def.constraints ?? []).map((c) => c.Constraint?.contype ?? '');
      if (!kinds.some((kind) => REQUIRES_VALUE.has(kind)) || kinds.some((kind) => FILLS_EXISTING_ROWS.has(kind))) continue;
      // A domain may carry its own DEFAULT, which fills existing rows: not judged.
      const typeNames = strings(def.typeName.names);
      const typeName = typeNames[typeNames.length - 1];
      if ([...before.domains.values()].some((domain) => domain.name === typeName)) continue;
      const column = def.colname;
      const typeSql = deparseTypeName(def.typeName);
      const name = choosePostgresName(table.name, column, 'not_null', (n) => ctx.nameTaken(table.schema, n));
      const t = tableName(table);
      const { escalate, size } = sizeSignal(table, ctx);
      findings.push({
        title: `${table.schema}.${table.name}.${column}: NOT NULL column added without a default`,
        message:
          `ADD COLUMN ${column} ${typeSql} NOT NULL on ${table.schema}.${table.name}${size} has no DEFAULT: existing rows would be NULL, ` +
          `so on a table with rows the statement fails, after queueing for its ${LOCK} lock (it passes only where the table is empty)`,
        object: tableObject(table, { column }),
        origin: statement.origin,
        escalate,
        fix: rewriteFix(
          [
            `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS ${quoteIdent(column)} ${typeSql};`,
            `-- backfill in batches: UPDATE ${t} SET ${quoteIdent(column)} = … WHERE ${quoteIdent(column)} IS NULL AND <key range>;`,
            `ALTER TABLE ${t} ADD CONSTRAINT ${quoteIdent(name)} CHECK (${quoteIdent(column)} IS NOT NULL) NOT VALID;`,
            `ALTER TABLE ${t} VALIDATE CONSTRAINT ${quoteIdent(name)};`,
            `ALTER TABLE ${t} ALTER COLUMN ${quoteIdent(column)} SET NOT NULL;`,
            `ALTER TABLE ${t} DROP CONSTRAINT ${quoteIdent(name)};`,
          ],
          [
            `With a constant default instead (no rewrite, PostgreSQL 11 or later): ALTER TABLE ${t} ADD COLUMN ${quoteIdent(column)} ${typeSql} NOT NULL DEFAULT <value>;`,
            'The backfill and the VALIDATE each belong in their own transaction (separate migrations), so no long lock is held.',
          ],
        ),
      });
    }
    return findings;
  },
});

/** `numeric(10, 2)`, `text[]`, `public.money_code`: the column's type as written, from its TypeName node. */
function deparseTypeName(typeName: PgNodeOf<'TypeName'>): string {
  const sql = deparseNode({ ColumnDef: { colname: 'x', typeName } });
  return sql.replace(/^\s*"?x"?\s+/, '');
}
