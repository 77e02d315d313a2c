/** SET NOT NULL on an existing column scans the table under ACCESS EXCLUSIVE unless a validated CHECK proves it. */
import { choosePostgresName, quoteIdent } from '../../src/fix/sql.js';
import type { Constraint, Table } from '../../src/model/types.js';
import { alterCommandsOnExistingTable, rewriteFix, sizeSignal, tableName, tableObject } from './common.js';
import { migrationRule, type MigrationFinding } from './types.js';
import type { PgNode } from '../../src/sql/pg-node.js';

const LOCK = 'ACCESS EXCLUSIVE';

/** `CHECK (col IS NOT NULL)`, validated and enforced: PostgreSQL 12+ then skips the scan. */
function provesNotNull(constraint: Constraint, column: string): boolean {
  if (constraint.kind !== 'check' || !constraint.validated || !constraint.enforced) return false;
  const test = (constraint.check?.ast as PgNode | undefined)?.NullTest;
  const fields = test?.arg?.ColumnRef?.fields;
  return test?.nulltesttype === 'IS_NOT_NULL' && fields?.length === 1 && fields[0].String?.sval === column;
}

export function hasNotNullProof(table: Table, column: string): boolean {
  return table.constraints.some((constraint) => provesNotNull(constraint, column));
}

export const setNotNullWithoutCheck = migrationRule({
  id: 'set-not-null-without-check',
  name: 'SetNotNullWithoutCheck',
  defaultSeverity: 'warning',
  precision: 'very-high',
  tags: ['migration', 'locking'],
  lock: LOCK,
  docs: {
    summary: 'ALTER COLUMN … SET NOT NULL on an existing table scans every row under an ACCESS EXCLUSIVE lock',
    description:
      `\`SET NOT NULL\` takes an **${LOCK}** lock (reads and writes wait) and reads the whole table to prove no row is ` +
      'NULL. Since PostgreSQL 12 the scan is skipped when a validated `CHECK (col IS NOT NULL)` already proves it — and ' +
      'that CHECK can be added `NOT VALID` and validated without blocking.',
    bad: [{ title: 'scan under the lock', sql: 'ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;' }],
    good: [
      {
        title: 'proved by a validated CHECK first',
        sql:
          'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null CHECK (customer_id IS NOT NULL) NOT VALID;\n' +
          'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_not_null;\n' +
          'ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;\n' +
          'ALTER TABLE orders DROP CONSTRAINT orders_customer_id_not_null;',
      },
    ],
    fix: 'Add `CHECK (col IS NOT NULL) NOT VALID`, `VALIDATE` it (SHARE UPDATE EXCLUSIVE), then `SET NOT NULL` (no scan), then drop the CHECK.',
  },
  checkStatement(statement, _before, ctx) {
    const target = alterCommandsOnExistingTable(statement, ctx, 'AT_SetNotNull');
    if (!target) return [];
    const { table, commands } = target;
    const findings: MigrationFinding[] = [];
    for (const command of commands) {
      const column = table.columns.find((c) => c.name === command.name);
      if (!column || column.notNull || hasNotNullProof(table, column.name)) continue;
      const name = choosePostgresName(table.name, column.name, 'not_null', (n) => ctx.nameTaken(table.schema, n));
      const t = tableName(table);
      const { escalate, size } = sizeSignal(table, ctx);
      findings.push({
        message: `SET NOT NULL on ${table.schema}.${table.name}.${column.name}${size} reads every row under an ${LOCK} lock (no validated CHECK (${column.name} IS NOT NULL) proves it)`,
        object: tableObject(table, { column: column.name }),
        origin: statement.origin,
        escalate,
        fix: rewriteFix(
          [
            `ALTER TABLE ${t} ADD CONSTRAINT ${quoteIdent(name)} CHECK (${quoteIdent(column.name)} IS NOT NULL) NOT VALID;`,
            `ALTER TABLE ${t} VALIDATE CONSTRAINT ${quoteIdent(name)};`,
            `ALTER TABLE ${t} ALTER COLUMN ${quoteIdent(column.name)} SET NOT NULL;`,
            `ALTER TABLE ${t} DROP CONSTRAINT ${quoteIdent(name)};`,
          ],
          ['Needs PostgreSQL 12 or later. Put the VALIDATE in its own transaction (a separate migration) so that its lock is the only one held.'],
        ),
      });
    }
    return findings;
  },
});
