/** A lock-taking statement with no lock_timeout set earlier in the migration: waiting for its lock stalls everyone. */
import { rewriteFix, strings, tableObject } from './common.js';
import { migrationRule, type MigrationContext, type MigrationStatement } from './types.js';
import type { PgNodeOf } from '../../src/sql/pg-node.js';
import type { Table } from '../../src/model/types.js';

const STATEMENT_NAMES: Record<string, string> = {
  AlterTableStmt: 'ALTER TABLE',
  IndexStmt: 'CREATE INDEX',
  CreateTrigStmt: 'CREATE TRIGGER',
  RenameStmt: 'ALTER TABLE … RENAME',
  TruncateStmt: 'TRUNCATE',
  DropStmt: 'DROP TABLE',
};

/** The existing table a statement locks, when it locks one in a way that conflicts with reads or writes. */
function lockedTable(statement: MigrationStatement, ctx: MigrationContext): { table: Table; lock: string } | undefined {
  const existing = (rangeVar: PgNodeOf<'RangeVar'> | undefined): Table | undefined => {
    const table = rangeVar ? ctx.findTable(rangeVar) : undefined;
    return table && ctx.existedBefore(table) ? table : undefined;
  };
  let table: Table | undefined;
  let lock = 'ACCESS EXCLUSIVE';
  switch (statement.kind) {
    case 'AlterTableStmt':
      if (statement.node.objtype === 'OBJECT_TABLE') table = existing(statement.node.relation);
      break;
    case 'IndexStmt':
      if (!statement.node.concurrent) [table, lock] = [existing(statement.node.relation), 'SHARE'];
      break;
    case 'CreateTrigStmt':
      [table, lock] = [existing(statement.node.relation), 'SHARE ROW EXCLUSIVE'];
      break;
    case 'RenameStmt':
      if (statement.node.relationType === 'OBJECT_TABLE' || statement.node.renameType === 'OBJECT_TABLE') table = existing(statement.node.relation);
      break;
    case 'TruncateStmt':
      table = existing(statement.node.relations?.[0]?.RangeVar);
      break;
    case 'DropStmt':
      if (statement.node.removeType === 'OBJECT_TABLE') {
        const parts = strings(statement.node.objects?.[0]?.List?.items);
        table = existing(parts.length > 1 ? { schemaname: parts[0], relname: parts[1] } : { relname: parts[0] });
      }
      break;
  }
  return table ? { table, lock } : undefined;
}

export const missingLockTimeout = migrationRule({
  id: 'missing-lock-timeout',
  name: 'MissingLockTimeout',
  defaultSeverity: 'warning',
  precision: 'high',
  tags: ['migration', 'locking'],
  lock: 'the statement\'s own (ACCESS EXCLUSIVE for most ALTER TABLE forms, SHARE for CREATE INDEX)',
  oncePerFile: true,
  docs: {
    summary: 'a statement that locks an existing table, in a migration that never set lock_timeout',
    description:
      'A DDL statement waits for its lock behind any long transaction on the table — and while it waits, every later ' +
      'query on the table queues behind it, even ones its lock would not conflict with. `lock_timeout` bounds the wait: ' +
      'the migration fails fast (and can be retried) instead of stalling the application. Reported once per migration file.',
    bad: [{ title: 'no timeout', sql: 'ALTER TABLE orders ADD COLUMN note text;' }],
    good: [{ title: 'timeout first', sql: "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN note text;" }],
    fix: "`SET lock_timeout = '2s';` (or `SET LOCAL` inside the migration's transaction) before the first statement that takes a lock, and retry on failure.",
  },
  checkStatement(statement, _before, ctx) {
    if (ctx.lockTimeoutSet) return [];
    const locked = lockedTable(statement, ctx);
    if (!locked) return [];
    return [
      {
        message: `${STATEMENT_NAMES[statement.kind]} takes ${locked.lock} on ${locked.table.schema}.${locked.table.name} and no lock_timeout is set earlier in ${statement.file}: while it waits for the lock, every query on the table queues behind it`,
        object: tableObject(locked.table, { detail: statement.file }),
        origin: statement.origin,
        fix: rewriteFix([`SET lock_timeout = '2s';`], ['Put it at the top of the migration (SET LOCAL inside a transaction); retry the migration when it times out.']),
      },
    ];
  },
});
