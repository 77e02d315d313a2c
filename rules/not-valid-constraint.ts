/**
 * not-valid-constraint: a CHECK or FOREIGN KEY added `NOT VALID` and never validated. New rows are checked, old
 * rows never were: the planner cannot use the constraint (constraint exclusion, join removal), and the data may
 * break it.
 */
import { logicalTables, qualify } from '../src/model/model.js';
import { tablesWithReportingRoot } from './index-overlap/shape.js';
import type { Constraint, Table } from '../src/model/types.js';
import type { Fix, Rule, RuleFinding } from '../src/engine/types.js';
import { qualifiedIdent, quoteIdent } from '../src/fix/sql.js';

export type NotValidConstraintOptions = Record<string, never>;

function validateFix(table: Table, constraint: Constraint): Fix {
  const lock =
    constraint.kind === 'foreign'
      ? `a SHARE UPDATE EXCLUSIVE lock on ${qualify(table.schema, table.name)} and ROW SHARE on ${constraint.foreignKey.table}`
      : 'a SHARE UPDATE EXCLUSIVE lock';
  return {
    sql: `ALTER TABLE ${qualifiedIdent(table.schema, table.name)} VALIDATE CONSTRAINT ${quoteIdent(constraint.name)};`,
    safety: 'safe',
    concurrently: false,
    notes: [
      `Scans the table under ${lock}: reads and writes go on. It fails, changing nothing, if an existing row breaks the constraint; find those rows first.`,
    ],
  };
}

export const notValidConstraint: Rule<NotValidConstraintOptions> = {
  id: 'not-valid-constraint',
  name: 'NotValidConstraint',
  defaultSeverity: 'warning',
  mode: 'both',
  fixSafety: ['safe'],
  precision: 'very-high',
  tags: ['correctness', 'constraint'],
  docs: {
    summary: 'A CHECK or foreign key constraint was added NOT VALID and never validated.',
    description:
      '`ADD CONSTRAINT … NOT VALID` is the right first step on a big table: it checks new rows at once without a ' +
      'long lock. The second step, `VALIDATE CONSTRAINT`, is easy to forget; until it runs, existing rows may break ' +
      'the constraint, and the planner ignores it (no constraint exclusion, no join removal for the foreign key). ' +
      'DDL mode sees the state after every file is applied, so a migration that validates in a later file is fine; ' +
      'live mode reads `pg_constraint.convalidated`. Constraints cloned onto partitions are reported once, on the ' +
      'parent.',
    bad: [
      {
        title: 'Added NOT VALID, never validated',
        sql:
          'CREATE TABLE orders (id bigint PRIMARY KEY, amount numeric);\n' +
          'ALTER TABLE orders ADD CONSTRAINT orders_amount_check CHECK (amount >= 0) NOT VALID;',
      },
    ],
    good: [
      {
        title: 'Added NOT VALID, then validated',
        sql:
          'CREATE TABLE orders (id bigint PRIMARY KEY, amount numeric);\n' +
          'ALTER TABLE orders ADD CONSTRAINT orders_amount_check CHECK (amount >= 0) NOT VALID;\n' +
          'ALTER TABLE orders VALIDATE CONSTRAINT orders_amount_check;',
      },
    ],
    fix:
      '`ALTER TABLE … VALIDATE CONSTRAINT …` (`safe`: it scans under SHARE UPDATE EXCLUSIVE, so reads and writes go ' +
      'on, and it changes nothing when a row breaks the constraint — it fails instead).',
  },
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  defaultOptions: {},
  check(model) {
    const findings: RuleFinding[] = [];
    // A constraint added to one partition alone is reported through the partitioned table.
    for (const { table, root } of tablesWithReportingRoot(model, logicalTables(model))) {
      for (const constraint of table.constraints) {
        if (constraint.validated || constraint.inheritedFrom || !constraint.enforced) continue;
        if (constraint.kind !== 'check' && constraint.kind !== 'foreign') continue;
        const what = constraint.kind === 'check' ? 'CHECK constraint' : `Foreign key (to ${constraint.foreignKey.table})`;
        findings.push({
          title: `${qualify(root.schema, root.name)}: ${constraint.kind === 'check' ? 'CHECK' : 'foreign key'} ${constraint.name}${table === root ? '' : ` on partition ${table.name}`} is NOT VALID`,
          message:
            `${what} ${constraint.name} on ${table === root ? '' : 'partition '}${qualify(table.schema, table.name)}${table === root ? '' : ` of ${qualify(root.schema, root.name)}`} is NOT VALID: new rows are checked, existing rows never were, ` +
            'and the planner cannot rely on it. Validate it.',
          object: { kind: 'constraint', schema: root.schema, name: root.name, detail: constraint.name },
          origin: constraint.origin,
          fix: validateFix(table, constraint),
        });
      }
    }
    return findings;
  },
};
