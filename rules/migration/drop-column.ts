/** DROP COLUMN on an existing table: the application still running reads and writes it. */
import { quoteIdent } from '../../src/fix/sql.js';
import { alterCommandsOnExistingTable, rewriteFix, tableName, tableObject } from './common.js';
import { migrationRule, type MigrationFinding } from './types.js';

const LOCK = 'ACCESS EXCLUSIVE';

export const dropColumn = migrationRule({
  id: 'drop-column',
  name: 'DropColumn',
  defaultSeverity: 'warning',
  precision: 'high',
  tags: ['migration', 'compatibility'],
  lock: LOCK,
  docs: {
    summary: 'DROP COLUMN on an existing table breaks the application version still running, which reads and writes the column',
    description:
      `Dropping a column takes a short **${LOCK}** lock (no rewrite), but during a deploy the old application version ` +
      'keeps running: its `SELECT col`, `INSERT (…, col)` and ORM queries naming the column fail as soon as the ' +
      'migration commits. Stop using the column in a release first, then drop it in a later migration.',
    bad: [{ title: 'dropped with the code change', sql: 'ALTER TABLE users DROP COLUMN legacy_flag;' }],
    good: [{ title: 'a table created in the same migration', sql: 'CREATE TABLE drafts (id bigint, body text);\nALTER TABLE drafts DROP COLUMN body;' }],
    fix: 'Release the application without the column (ORMs: mark it ignored), then drop it in a later migration with lock_timeout set.',
  },
  checkStatement(statement, _before, ctx) {
    const target = alterCommandsOnExistingTable(statement, ctx, 'AT_DropColumn');
    if (!target) return [];
    const { table, commands } = target;
    const findings: MigrationFinding[] = [];
    for (const command of commands) {
      if (!table.columns.some((c) => c.name === command.name)) continue;
      findings.push({
        message: `DROP COLUMN ${table.schema}.${table.name}.${command.name} (${LOCK}, brief): the application version still running reads and writes it`,
        object: tableObject(table, { column: command.name }),
        origin: statement.origin,
        fix: rewriteFix(
          [`-- after a release that no longer uses the column:`, `SET lock_timeout = '2s';`, `ALTER TABLE ${tableName(table)} DROP COLUMN IF EXISTS ${quoteIdent(command.name ?? '')};`],
          ['Two steps: the application stops using the column, then a later migration drops it.'],
        ),
      });
    }
    return findings;
  },
});
