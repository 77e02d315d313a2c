/** What the migration rules share: the tables a statement touches, the size signal, fix SQL built from parse trees. */
import type { FindingObject, Fix } from '../../src/engine/types.js';
import { qualifiedIdent } from '../../src/fix/sql.js';
import type { Table, TableStats } from '../../src/model/types.js';
import { deparseNode } from '../../src/sql/expression.js';
import type { MigrationContext, MigrationStatement } from './types.js';
import { present, type PgNode, type PgNodeOf } from '../../src/sql/pg-node.js';

/** A table is big enough to raise a migration finding's severity: a lock on it queues real traffic for long. */
export const BIG_TABLE_ROWS = 1_000_000;
export const BIG_TABLE_BYTES = 1024 ** 3;

export function isBig(stats: TableStats | undefined): boolean {
  return (stats?.estimatedRows ?? 0) >= BIG_TABLE_ROWS || (stats?.totalBytes ?? 0) >= BIG_TABLE_BYTES;
}

/** ` (about 12,000,000 rows, 20.0 GiB)` when statistics know the table, else nothing. */
export function sizeText(stats: TableStats | undefined): string {
  const parts: string[] = [];
  if (stats?.estimatedRows !== undefined) parts.push(`about ${stats.estimatedRows.toLocaleString('en-US')} rows`);
  if (stats?.totalBytes !== undefined) parts.push(`${(stats.totalBytes / 1024 ** 3).toFixed(1)} GiB`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

export function tableObject(table: Table, extra: Partial<FindingObject> = {}): FindingObject {
  return { kind: extra.column ? 'column' : 'table', schema: table.schema, name: table.name, ...extra };
}

export const tableName = (table: Table): string => qualifiedIdent(table.schema, table.name);

/** The sub-commands of one kind (`AT_AddColumn`, …) of an `ALTER TABLE` on a table that existed before the migration. */
export function alterCommandsOnExistingTable(
  statement: MigrationStatement,
  ctx: MigrationContext,
  subtype: NonNullable<PgNodeOf<'AlterTableCmd'>['subtype']>,
): { table: Table; commands: Array<PgNodeOf<'AlterTableCmd'>>; alter: PgNodeOf<'AlterTableStmt'> } | undefined {
  if (statement.kind !== 'AlterTableStmt' || statement.node.objtype !== 'OBJECT_TABLE') return undefined;
  const table = ctx.findTable(present(statement.node.relation, 'AlterTableStmt.relation'));
  if (!table || !ctx.existedBefore(table)) return undefined;
  const commands = (statement.node.cmds ?? []).map((cmd) => present(cmd.AlterTableCmd, 'AlterTableCmd')).filter((command) => command.subtype === subtype);
  return { table, commands, alter: statement.node };
}

/** `ALTER TABLE <relation> <one command>`, deparsed from the tree (identifiers quoted by the deparser). */
export function alterTableSql(alter: PgNodeOf<'AlterTableStmt'>, command: PgNodeOf<'AlterTableCmd'>): string {
  const node = { AlterTableStmt: { ...alter, cmds: [{ AlterTableCmd: command }] } };
  return `${deparseNode(node)};`;
}

/** Migration fixes rewrite the migration: they go into the fix-up script as comments, for a person to apply. */
export function rewriteFix(sql: string[], notes: string[], concurrently = false): Fix {
  return { sql: sql.join('\n'), safety: 'review', notes, concurrently };
}

// A name list holds String nodes; an absent sval stays undefined, as the untyped code had it.
export const strings = (list: PgNode[] | undefined): string[] => (list ?? []).map((n) => n.String?.sval as string);

/** Severity raising and the size part of a message, from the table's statistics. */
export function sizeSignal(table: Table, ctx: MigrationContext): { escalate: boolean; size: string } {
  const stats = ctx.statsOf(table);
  return { escalate: isBig(stats), size: sizeText(stats) };
}
