/** RENAME COLUMN on an existing table: the application still running asks for the old name. */
import { quoteIdent } from '../../src/fix/sql.js';
import { deparseNode } from '../../src/sql/expression.js';
import { rewriteFix, tableName, tableObject } from './common.js';
import { migrationRule } from './types.js';
import { present } from '../../src/sql/pg-node.js';

const LOCK = 'ACCESS EXCLUSIVE';

export const renameColumn = migrationRule({
  id: 'rename-column',
  name: 'RenameColumn',
  defaultSeverity: 'warning',
  precision: 'high',
  tags: ['migration', 'compatibility'],
  lock: LOCK,
  docs: {
    summary: 'RENAME COLUMN on an existing table breaks the application version still running, which uses the old name',
    description:
      `Renaming takes a short **${LOCK}** lock, but the application version still running asks for the old name and ` +
      'fails from the moment the migration commits until the new version is everywhere.',
    bad: [{ title: 'renamed in place', sql: 'ALTER TABLE users RENAME COLUMN name TO full_name;' }],
    good: [{ title: 'expand, migrate, contract', sql: 'ALTER TABLE users ADD COLUMN full_name text;\n-- sync with a trigger, backfill, move readers, then drop "name" in a later release' }],
    fix: 'Expand and contract: add the new column, keep both in step (trigger) and backfill, release the application on the new name, drop the old column later.',
  },
  checkStatement(statement, _before, ctx) {
    if (statement.kind !== 'RenameStmt' || statement.node.renameType !== 'OBJECT_COLUMN' || statement.node.relationType !== 'OBJECT_TABLE') return [];
    const table = ctx.findTable(present(statement.node.relation, 'RenameStmt.relation'));
    const column = table?.columns.find((c) => c.name === statement.node.subname);
    if (!table || !column || !ctx.existedBefore(table)) return [];
    const t = tableName(table);
    const typeSql = column.type.schema === 'pg_catalog' ? column.type.name : `${quoteIdent(column.type.schema)}.${quoteIdent(column.type.name)}`;
    const modifiers = column.type.schema === 'pg_catalog' && column.type.modifiers.length ? `(${column.type.modifiers.join(', ')})` : '';
    const newName = present(statement.node.newname, 'RenameStmt.newname');
    return [
      {
        message: `RENAME COLUMN ${table.schema}.${table.name}.${column.name} to ${newName} (${LOCK}, brief): the application version still running uses the old name`,
        object: tableObject(table, { column: column.name }),
        origin: statement.origin,
        fix: rewriteFix(
          [
            `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS ${quoteIdent(newName)} ${typeSql}${modifiers}${'[]'.repeat(column.type.arrayDims)};`,
            `-- keep ${quoteIdent(newName)} and ${quoteIdent(column.name)} in step with a trigger, backfill in batches,`,
            `-- release the application on the new name, then in a later migration: ALTER TABLE ${t} DROP COLUMN ${quoteIdent(column.name)};`,
          ],
          [`A plan, not a drop-in statement (${deparseNode({ RenameStmt: statement.node }) || 'the rename'} is what it replaces).`],
        ),
      },
    ];
  },
});
