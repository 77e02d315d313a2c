/**
 * PostgreSQL's own checks, applied where a statement would fail. DDL mode is lenient about objects that are not
 * defined (yet) — a foreign key to a table in another folder, a statement out of order — but a statement that names
 * a column its table does not have fails in PostgreSQL as a whole: the CREATE TABLE creates nothing, the ALTER TABLE
 * changes nothing, the CREATE INDEX builds nothing. Modelling it anyway would lint a table that does not exist and
 * write a fix script that fails (`relation … does not exist`). So such a statement has no effect on the model, and a
 * diagnostic of kind `rejected` (shown by default) says what PostgreSQL would say, and where.
 */
import { qualify } from '../../model/model.js';
import type { DdlModelBuilder } from './builder.js';
import { present, type PgNode, type PgNodeOf } from '../../sql/pg-node.js';

export interface Rejection {
  /** PostgreSQL's message. */
  message: string;
  /** Byte offset of the offending clause. */
  at?: number;
}

const names = (list: PgNode[] | undefined): string[] => (list ?? []).map((n) => n.String?.sval).filter((name): name is string => Boolean(name));

/** Columns a CHECK expression references (ColumnRef nodes, last field). */
function expressionColumns(builder: DdlModelBuilder, node: PgNode | undefined): string[] {
  return node ? builder.expression(node).columns : [];
}

/** Checks one constraint node against the columns the table has; `self` names the table for self-references. */
function constraintRejection(builder: DdlModelBuilder, node: PgNodeOf<'Constraint'>, columns: Set<string>, self: string, column?: string): Rejection | undefined {
  const missing = (list: string[]): string | undefined => list.find((c) => !columns.has(c));
  switch (node.contype) {
    case 'CONSTR_PRIMARY':
    case 'CONSTR_UNIQUE': {
      const bad = missing([...names(node.keys), ...names(node.including)]);
      return bad ? { message: `column "${bad}" named in key does not exist`, at: node.location } : undefined;
    }
    case 'CONSTR_FOREIGN': {
      const own = column ? [column] : names(node.fk_attrs);
      const bad = missing(own);
      if (bad) return { message: `column "${bad}" referenced in foreign key constraint does not exist`, at: node.location };
      const target = builder.lookupRelation(present(node.pktable, 'Constraint.pktable'), (key) => builder.model.tables.has(key));
      const referenced = target.key === self ? columns : new Set(builder.model.tables.get(target.key)?.columns.map((c) => c.name) ?? []);
      // A table not defined (yet), or one whose columns are unknown (CREATE TABLE … AS), is not checked: lenient.
      if (target.key !== self && (!builder.model.tables.has(target.key) || referenced.size === 0)) return undefined;
      const badRef = names(node.pk_attrs).find((c) => !referenced.has(c));
      return badRef ? { message: `column "${badRef}" referenced in foreign key constraint does not exist`, at: node.location } : undefined;
    }
    case 'CONSTR_CHECK': {
      const bad = missing(expressionColumns(builder, node.raw_expr));
      return bad ? { message: `column "${bad}" does not exist`, at: node.location } : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * CREATE TABLE: every column a constraint or the partition key names must be among the table's columns (its own,
 * LIKE's, and its parents'). Unknown LIKE sources or parents leave the columns unknown: then nothing is checked.
 */
export function createTableRejection(builder: DdlModelBuilder, stmt: PgNodeOf<'CreateStmt'>): Rejection | undefined {
  const columns = new Set<string>();
  const elements = stmt.tableElts ?? [];
  for (const element of elements) {
    if (element.ColumnDef) columns.add(present(element.ColumnDef.colname, 'ColumnDef.colname'));
    if (element.TableLikeClause) {
      const source = builder.findTable(present(element.TableLikeClause.relation, 'TableLikeClause.relation'));
      if (!source || !source.columns.length) return undefined;
      for (const c of source.columns) columns.add(c.name);
    }
  }
  for (const parentRef of (stmt.inhRelations ?? []).map((n) => present(n.RangeVar, 'inhRelations RangeVar'))) {
    const parent = builder.findTable(parentRef);
    if (!parent || !parent.columns.length) return undefined;
    for (const c of parent.columns) columns.add(c.name);
  }
  const relation = present(stmt.relation, 'CreateStmt.relation');
  const self = qualify(builder.creationSchema(relation.schemaname), present(relation.relname, 'RangeVar.relname'));
  for (const element of elements) {
    if (element.Constraint) {
      const rejection = constraintRejection(builder, element.Constraint, columns, self);
      if (rejection) return rejection;
    }
    for (const item of element.ColumnDef?.constraints ?? []) {
      const rejection = constraintRejection(builder, present(item.Constraint, 'column Constraint'), columns, self, element.ColumnDef?.colname);
      if (rejection) return rejection;
    }
  }
  for (const param of stmt.partspec?.partParams ?? []) {
    const name = param.PartitionElem?.name;
    if (name && !columns.has(name)) return { message: `column "${name}" named in partition key does not exist`, at: param.PartitionElem?.location };
  }
  return undefined;
}

/** ALTER TABLE: constraints added by the statement name columns the table has or that the statement adds. */
export function alterTableRejection(
  builder: DdlModelBuilder,
  tableKey: string,
  columnNames: string[],
  commands: Array<PgNodeOf<'AlterTableCmd'>>,
): Rejection | undefined {
  if (!columnNames.length) return undefined;
  const columns = new Set(columnNames);
  for (const command of commands) {
    if (command.subtype === 'AT_AddColumn') columns.add(present(command.def?.ColumnDef?.colname, 'ADD COLUMN ColumnDef.colname'));
    if (command.subtype === 'AT_DropColumn' && command.name !== undefined) columns.delete(command.name);
  }
  for (const command of commands) {
    if (command.subtype !== 'AT_AddConstraint' || !command.def?.Constraint) continue;
    const rejection = constraintRejection(builder, command.def.Constraint, columns, tableKey);
    if (rejection) return rejection;
  }
  return undefined;
}

export function reportRejection(builder: DdlModelBuilder, what: string, rejection: Rejection): void {
  builder.diagnose(`PostgreSQL rejects this ${what}: ${rejection.message}; the statement has no effect`, rejection.at ?? builder.statement.startByte, 'rejected');
}
