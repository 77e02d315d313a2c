/** ALTER COLUMN … TYPE that rewrites the table (and rebuilds its indexes) under ACCESS EXCLUSIVE. */
import { quoteIdent } from '../../src/fix/sql.js';
import type { Column, TypeRef } from '../../src/model/types.js';
import { deparseNode } from '../../src/sql/expression.js';
import { alterCommandsOnExistingTable, rewriteFix, sizeSignal, tableName, tableObject } from './common.js';
import { migrationRule, type MigrationFinding } from './types.js';
import { stringValue, type PgNodeOf } from '../../src/sql/pg-node.js';

const LOCK = 'ACCESS EXCLUSIVE';

const ALIASES: Record<string, string> = { 'character varying': 'varchar', character: 'bpchar', char: 'bpchar', decimal: 'numeric', 'bit varying': 'varbit' };

/** The new type as `name` + modifiers, enough to compare with the model's column type. */
function writtenType(typeName: PgNodeOf<'TypeName'>): { name: string; modifiers: number[]; arrayDims: number } {
  const names = (typeName.names ?? []).map(stringValue);
  const last = names[names.length - 1];
  const modifiers = (typeName.typmods ?? []).map((mod) => mod.A_Const?.ival?.ival ?? 0);
  return { name: ALIASES[last] ?? last, modifiers, arrayDims: typeName.arrayBounds?.length ?? 0 };
}

/**
 * Changes PostgreSQL makes without touching the rows (binary-coercible, no narrower constraint): longer or
 * unlimited varchar, varchar to text, wider numeric precision at the same scale, cidr to inet, longer bit varying.
 */
export function changeWithoutRewrite(old: TypeRef, next: { name: string; modifiers: number[]; arrayDims: number }): boolean {
  if (old.arrayDims !== next.arrayDims) return false;
  const from = old.name;
  const to = next.name;
  const oldLength = old.modifiers.at(0);
  const newLength = next.modifiers.at(0);
  if ((from === 'varchar' || from === 'text') && to === 'text') return true;
  if (from === 'varchar' && to === 'varchar') return newLength === undefined || (oldLength !== undefined && newLength >= oldLength);
  if (from === 'text' && to === 'varchar') return newLength === undefined;
  if (from === 'varbit' && to === 'varbit') return newLength === undefined || (oldLength !== undefined && newLength >= oldLength);
  if (from === 'cidr' && to === 'inet') return true;
  if (from === 'numeric' && to === 'numeric') {
    if (next.modifiers.length === 0) return true;
    if (old.modifiers.length === 0) return false;
    return next.modifiers[0] >= old.modifiers[0] && (next.modifiers[1] ?? 0) === (old.modifiers[1] ?? 0);
  }
  return from === to && old.modifiers.join(',') === next.modifiers.join(',');
}

function planSql(table: string, column: Column, typeSql: string, using: string | undefined): string[] {
  const c = quoteIdent(column.name);
  const next = quoteIdent(`${column.name}_new`);
  return [
    `ALTER TABLE ${table} ADD COLUMN ${next} ${typeSql};`,
    `-- keep ${next} in step with ${c} for new writes (a trigger), then backfill in batches, one short transaction each:`,
    `--   UPDATE ${table} SET ${next} = ${using ?? `${c}::${typeSql}`} WHERE <primary key range> AND ${next} IS NULL;`,
    `-- then switch in one short transaction (with lock_timeout set):`,
    `--   ALTER TABLE ${table} RENAME COLUMN ${c} TO ${quoteIdent(`${column.name}_old`)};`,
    `--   ALTER TABLE ${table} RENAME COLUMN ${next} TO ${c};`,
  ];
}

export const columnTypeChangeRewrites = migrationRule({
  id: 'column-type-change-rewrites',
  name: 'ColumnTypeChangeRewrites',
  defaultSeverity: 'warning',
  precision: 'high',
  tags: ['migration', 'locking', 'rewrite'],
  lock: LOCK,
  docs: {
    summary: 'ALTER COLUMN … TYPE that rewrites an existing table and rebuilds its indexes under an ACCESS EXCLUSIVE lock',
    description:
      `Changing a column's type takes an **${LOCK}** lock (reads and writes wait) and, unless the change is binary ` +
      'compatible, rewrites every row and rebuilds every index of the table. Changes that do not rewrite: a longer or ' +
      'unlimited `varchar`, `varchar` → `text`, wider `numeric` precision at the same scale, `cidr` → `inet`, a longer ' +
      '`bit varying`. Anything else, or any `USING` clause, rewrites.',
    bad: [{ title: 'int to bigint', sql: 'ALTER TABLE events ALTER COLUMN id TYPE bigint;' }],
    good: [{ title: 'widening a varchar', sql: 'ALTER TABLE users ALTER COLUMN email TYPE varchar(320);' }],
    fix: 'A new column of the new type, kept in step by a trigger and backfilled in batches, then swapped by rename in one short transaction. To narrow a varchar, add `CHECK (length(col) <= n) NOT VALID` and validate it instead.',
  },
  checkStatement(statement, _before, ctx) {
    const target = alterCommandsOnExistingTable(statement, ctx, 'AT_AlterColumnType');
    if (!target) return [];
    const { table, commands } = target;
    const findings: MigrationFinding[] = [];
    for (const command of commands) {
      const column = table.columns.find((c) => c.name === command.name);
      const def = command.def?.ColumnDef;
      if (!column || !def?.typeName) continue;
      const using = def.raw_default ? deparseNode(def.raw_default) : undefined;
      if (!using && changeWithoutRewrite(column.type, writtenType(def.typeName))) continue;
      const typeSql = deparseNode({ TypeName: def.typeName });
      const { escalate, size } = sizeSignal(table, ctx);
      findings.push({
        message: `changing ${table.schema}.${table.name}.${column.name} to ${typeSql} rewrites the table${size} and rebuilds its indexes under an ${LOCK} lock`,
        object: tableObject(table, { column: column.name }),
        origin: statement.origin,
        escalate,
        fix: rewriteFix(planSql(tableName(table), column, typeSql, using), ['A plan: adapt the backfill to the primary key, and move readers to the new column before dropping the old one.']),
      });
    }
    return findings;
  },
});
