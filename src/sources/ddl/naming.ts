/**
 * The names PostgreSQL gives unnamed constraints and indexes (ChooseIndexName, ChooseConstraintName and friends in
 * src/backend/commands/indexcmds.c and catalog/pg_constraint.c), so that DDL mode and live mode key findings alike.
 */
import { relationNameTaken } from '../../model/model.js';
import type { DdlModelBuilder } from './builder.js';
import { choosePostgresName, joinNameParts } from '../../shared/pg-names.js';

import { stringValue, type PgNode } from '../../sql/pg-node.js';

/** FigureColname for an index expression: a column or function name, a cast's type name, else `expr`. */
export function indexExpressionColumnName(expr: PgNode): string {
  const figure = (node: PgNode): [string, number] => {
    if (node.ColumnRef) {
      const fields = node.ColumnRef.fields ?? [];
      const last = fields[fields.length - 1] as PgNode | undefined;
      return last?.String ? [stringValue(last), 2] : ['expr', 0];
    }
    if (node.FuncCall) {
      const names = node.FuncCall.funcname ?? [];
      return [stringValue(names[names.length - 1]), 2];
    }
    if (node.TypeCast) {
      const [name, strength] = figure(node.TypeCast.arg ?? {});
      if (strength > 1) return [name, strength];
      const typeNames = node.TypeCast.typeName?.names ?? [];
      return [stringValue(typeNames[typeNames.length - 1]), 1];
    }
    if (node.CoalesceExpr) return ['coalesce', 2];
    if (node.CaseExpr) return ['case', 1];
    if (node.SQLValueFunction) return [(node.SQLValueFunction.op ?? 'expr').replace(/^SVFOP_/, '').toLowerCase(), 2];
    return ['expr', 0];
  };
  return figure(expr)[0];
}

/** ChooseIndexColumnNames: duplicates within one index get a number appended. */
export function uniqueColumnNames(names: string[]): string[] {
  const result: string[] = [];
  for (const original of names) {
    let candidate = original;
    for (let i = 1; result.includes(candidate); i++) candidate = `${original}${i}`;
    result.push(candidate);
  }
  return result;
}

export type IndexLabel = 'pkey' | 'key' | 'excl' | 'idx';

/** ChooseIndexName: `<table>_pkey`, or `<table>_<columns>_<key|excl|idx>`, numbered when the name is taken. */
export function chooseIndexName(
  builder: DdlModelBuilder,
  schema: string,
  table: string,
  columnNames: string[],
  label: IndexLabel,
  alsoTaken: Set<string> = new Set(),
): string {
  const isConstraint = label !== 'idx';
  const taken = (name: string): boolean =>
    alsoTaken.has(name) || relationNameTaken(builder.model, schema, name) || (isConstraint && builder.constraintNameTaken(schema, name));
  const addition = label === 'pkey' ? undefined : joinNameParts(uniqueColumnNames(columnNames));
  return choosePostgresName(table, addition, label, taken);
}

/** ChooseConstraintName for CHECK (`<table>[_<col>]_check`) and FOREIGN KEY (`<table>_<cols>_fkey`) constraints. */
export function chooseConstraintName(
  builder: DdlModelBuilder,
  schema: string,
  table: string,
  columnNames: string[],
  label: 'check' | 'fkey',
  alsoTaken: Set<string>,
): string {
  const addition = columnNames.length ? joinNameParts(columnNames) : undefined;
  return choosePostgresName(table, addition, label, (name) => alsoTaken.has(name) || builder.constraintNameTaken(schema, name));
}
