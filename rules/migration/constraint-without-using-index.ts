/** ADD PRIMARY KEY / UNIQUE builds its index while holding ACCESS EXCLUSIVE: build it concurrently first. */
import { choosePostgresName, joinNameParts, quoteIdent } from '../../src/fix/sql.js';
import { deparseNode } from '../../src/sql/expression.js';
import { alterCommandsOnExistingTable, alterTableSql, rewriteFix, sizeSignal, strings, tableObject } from './common.js';
import { TRANSACTION_NOTE } from './index-without-concurrently.js';
import { migrationRule, type MigrationFinding } from './types.js';
import type { PgNode } from '../../src/sql/pg-node.js';

const LOCK = 'ACCESS EXCLUSIVE';

const elem = (name: string): PgNode => ({ IndexElem: { name, ordering: 'SORTBY_DEFAULT', nulls_ordering: 'SORTBY_NULLS_DEFAULT' } });

export const constraintWithoutUsingIndex = migrationRule({
  id: 'constraint-without-using-index',
  name: 'ConstraintWithoutUsingIndex',
  defaultSeverity: 'warning',
  precision: 'very-high',
  tags: ['migration', 'locking'],
  lock: LOCK,
  docs: {
    summary: 'ADD PRIMARY KEY or ADD UNIQUE on an existing table builds the index while holding an ACCESS EXCLUSIVE lock',
    description:
      `\`ALTER TABLE … ADD PRIMARY KEY\` / \`ADD UNIQUE\` takes an **${LOCK}** lock (reads and writes wait) and builds ` +
      'the unique index under it. Build the index with `CREATE UNIQUE INDEX CONCURRENTLY` first; `ADD CONSTRAINT … ' +
      'USING INDEX` then only attaches it. (A partitioned table cannot take `USING INDEX`; it is not reported.)',
    bad: [{ title: 'index built under the lock', sql: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);' }],
    good: [
      {
        title: 'built concurrently, then attached',
        sql: 'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_email_key ON users (email);\nALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;',
      },
    ],
    fix: `\`CREATE UNIQUE INDEX CONCURRENTLY\`, then \`ADD CONSTRAINT … PRIMARY KEY | UNIQUE USING INDEX\`. A primary key's columns must already be NOT NULL, or the attach scans the table to set it (see set-not-null-without-check). ${TRANSACTION_NOTE}`,
  },
  checkStatement(statement, _before, ctx) {
    const target = alterCommandsOnExistingTable(statement, ctx, 'AT_AddConstraint');
    if (!target || target.table.kind === 'partitioned') return [];
    const { table, commands } = target;
    const findings: MigrationFinding[] = [];
    for (const command of commands) {
      const constraint = command.def?.Constraint;
      const primary = constraint?.contype === 'CONSTR_PRIMARY';
      if (!constraint || (!primary && constraint.contype !== 'CONSTR_UNIQUE') || constraint.indexname) continue;
      const keys = strings(constraint.keys);
      const taken = (n: string): boolean => ctx.nameTaken(table.schema, n);
      const name: string = constraint.conname ?? (primary ? choosePostgresName(table.name, undefined, 'pkey', taken) : choosePostgresName(table.name, joinNameParts(keys), 'key', taken));
      const index = {
        IndexStmt: {
          idxname: name,
          relation: target.alter.relation,
          accessMethod: 'btree',
          indexParams: keys.map(elem),
          indexIncludingParams: strings(constraint.including).map(elem),
          unique: true,
          nulls_not_distinct: constraint.nulls_not_distinct,
          concurrent: true,
          if_not_exists: true,
        },
      };
      const attach = { ...command, def: { Constraint: { contype: constraint.contype, conname: name, indexname: name, deferrable: constraint.deferrable, initdeferred: constraint.initdeferred } } };
      const nullable = primary ? keys.filter((key) => !table.columns.find((c) => c.name === key)?.notNull) : [];
      const { escalate, size } = sizeSignal(table, ctx);
      findings.push({
        message: `ADD ${primary ? 'PRIMARY KEY' : 'UNIQUE'} ${quoteIdent(name)} builds its index on ${table.schema}.${table.name}${size} under an ${LOCK} lock (no USING INDEX)`,
        object: tableObject(table, { kind: 'constraint', detail: name }),
        origin: ctx.origin(constraint.location),
        escalate,
        fix: rewriteFix(
          [`${deparseNode(index)};`, alterTableSql(target.alter, attach)],
          [
            ...(nullable.length ? [`${nullable.join(', ')} ${nullable.length === 1 ? 'is' : 'are'} not NOT NULL yet: prove it with a validated CHECK first, or the attach scans the table.`] : []),
            TRANSACTION_NOTE,
          ],
          true,
        ),
      });
    }
    return findings;
  },
});
