/** RENAME of an existing table: the application version still running asks for the old name. */
import { qualifiedIdent, quoteIdent } from '../../src/fix/sql.js';
import { rewriteFix, tableName, tableObject } from './common.js';
import { present } from '../../src/sql/pg-node.js';
import { migrationRule } from './types.js';

const LOCK = 'ACCESS EXCLUSIVE';

export const renameTable = migrationRule({
  id: 'rename-table',
  name: 'RenameTable',
  defaultSeverity: 'warning',
  precision: 'high',
  tags: ['migration', 'compatibility'],
  lock: LOCK,
  docs: {
    summary: 'Renaming an existing table breaks the application version still running, which uses the old name',
    description:
      `The rename itself is a brief **${LOCK}** lock, but every query of the application version still running names ` +
      'the old table and fails from the moment the migration commits until the new version runs everywhere. Leave a ' +
      'view under the old name in the same transaction: a view over one table is updatable, so old reads and writes ' +
      'keep working; drop it once no release uses the old name.',
    bad: [{ title: 'renamed in place', sql: 'CREATE TABLE users (id bigint);\n-- a later migration:\nALTER TABLE users RENAME TO accounts;' }],
    good: [{ title: 'a table created in the same migration', sql: 'CREATE TABLE drafts (id bigint);\nALTER TABLE drafts RENAME TO notes;' }],
    fix: 'Rename and create a view with the old name in one transaction; drop the view in a later release.',
  },
  checkStatement(statement, _before, ctx) {
    if (statement.kind !== 'RenameStmt' || statement.node.renameType !== 'OBJECT_TABLE') return [];
    const table = ctx.findTable(present(statement.node.relation, 'RenameStmt.relation'));
    if (!table || !ctx.existedBefore(table)) return [];
    const newName = present(statement.node.newname, 'RenameStmt.newname');
    return [
      {
        title: `${table.schema}.${table.name}: renamed to ${newName}`,
        message: `RENAME of ${table.schema}.${table.name} to ${newName} (${LOCK}, brief): the application version still running uses the old name`,
        object: tableObject(table),
        origin: statement.origin,
        fix: rewriteFix(
          [
            `ALTER TABLE ${tableName(table)} RENAME TO ${quoteIdent(newName)};`,
            `CREATE VIEW ${tableName(table)} AS SELECT * FROM ${qualifiedIdent(table.schema, newName)};`,
            `-- once no release uses the old name, in a later migration: DROP VIEW ${tableName(table)};`,
          ],
          ['Both statements in the one transaction of the migration. The view keeps the old name working for reads and writes (a view over one table is updatable) while releases move to the new name.'],
        ),
      },
    ];
  },
});
