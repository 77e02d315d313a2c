/** ADD FOREIGN KEY / ADD CHECK without NOT VALID on an existing table: the whole table is checked under the lock. */
import { choosePostgresName, joinNameParts, quoteIdent } from '../../src/fix/sql.js';
import { referencedColumns } from '../../src/sql/expression.js';
import { alterCommandsOnExistingTable, alterTableSql, rewriteFix, sizeSignal, strings, tableName, tableObject } from './common.js';
import { migrationRule, type MigrationFinding } from './types.js';

const FK_LOCK = 'SHARE ROW EXCLUSIVE';
const CHECK_LOCK = 'ACCESS EXCLUSIVE';

export const constraintWithoutNotValid = migrationRule({
  id: 'constraint-without-not-valid',
  name: 'ConstraintWithoutNotValid',
  defaultSeverity: 'warning',
  precision: 'very-high',
  tags: ['migration', 'locking'],
  lock: `${FK_LOCK} (foreign key, on both tables) / ${CHECK_LOCK} (check)`,
  docs: {
    summary: 'ADD FOREIGN KEY or ADD CHECK without NOT VALID scans the whole existing table while holding its lock',
    description:
      `Adding a foreign key takes **${FK_LOCK}** on the table and on the referenced table (writes to both wait), adding a ` +
      `CHECK takes **${CHECK_LOCK}** (reads wait too), and either holds it while every existing row is checked. With ` +
      '`NOT VALID` the constraint is added at once (new rows are checked from then on); `VALIDATE CONSTRAINT`, run ' +
      'afterwards in its own transaction, checks the old rows under SHARE UPDATE EXCLUSIVE, which lets reads and writes through.',
    bad: [{ title: 'validated while locked', sql: 'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);' }],
    good: [
      {
        title: 'NOT VALID, then VALIDATE',
        sql: 'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;',
      },
    ],
    fix: 'The constraint `NOT VALID`, then `VALIDATE CONSTRAINT` — best in a separate migration (a transaction that holds the first lock gains nothing from validating later in it).',
  },
  checkStatement(statement, _before, ctx) {
    const target = alterCommandsOnExistingTable(statement, ctx, 'AT_AddConstraint');
    if (!target) return [];
    const { table, commands } = target;
    const findings: MigrationFinding[] = [];
    for (const command of commands) {
      const constraint = command.def?.Constraint;
      const foreign = constraint?.contype === 'CONSTR_FOREIGN';
      const check = constraint?.contype === 'CONSTR_CHECK';
      if ((!foreign && !check) || constraint.skip_validation || constraint.is_enforced === false) continue;
      const columns = foreign ? strings(constraint.fk_attrs) : referencedColumns(constraint.raw_expr);
      const name: string =
        constraint.conname ??
        choosePostgresName(table.name, foreign ? joinNameParts(columns) : columns[0], foreign ? 'fkey' : 'check', (n) => ctx.nameTaken(table.schema, n));
      const rewritten = { ...command, def: { Constraint: { ...constraint, conname: name, skip_validation: true, initially_valid: false } } };
      const { escalate, size } = sizeSignal(table, ctx);
      const lock = foreign ? `${FK_LOCK} locks on ${table.schema}.${table.name} and the referenced table` : `an ${CHECK_LOCK} lock on ${table.schema}.${table.name}`;
      findings.push({
        message: `ADD ${foreign ? 'FOREIGN KEY' : 'CHECK'} ${quoteIdent(name)} without NOT VALID checks every existing row of ${table.schema}.${table.name}${size} while holding ${lock}`,
        object: tableObject(table, { kind: 'constraint', detail: name }),
        origin: ctx.origin(constraint.location),
        escalate,
        fix: rewriteFix(
          [alterTableSql(target.alter, rewritten), `ALTER TABLE ${tableName(table)} VALIDATE CONSTRAINT ${quoteIdent(name)};`],
          [
            'Run the VALIDATE in a separate migration (its own transaction): it takes SHARE UPDATE EXCLUSIVE and lets reads and writes through.',
            ...(foreign && table.kind === 'partitioned'
              ? ['PostgreSQL before 18 rejects NOT VALID foreign keys on a partitioned table: there, add and validate the key on each partition first.']
              : []),
          ],
        ),
      });
    }
    return findings;
  },
});
