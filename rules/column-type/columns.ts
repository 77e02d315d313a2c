/** What the column-type rules share: the columns of logical tables whose type is (a domain over) a built-in type. */
import { baseTypeOf, logicalTables, qualify } from '../../src/model/model.js';
import type { Column, SchemaModel, Table, TypeRef } from '../../src/model/types.js';

export interface TypedColumn {
  table: Table;
  column: Column;
  /** Set when the column's declared type is a domain over the built-in type. */
  domain?: string;
}

/** Scalar columns only: an array of the type is another decision (and another conversion). */
export function columnsOfBuiltinType(model: SchemaModel, typeName: string): TypedColumn[] {
  const result: TypedColumn[] = [];
  for (const table of logicalTables(model)) {
    for (const column of table.columns) {
      const base: TypeRef = baseTypeOf(model, column.type);
      if (base.schema !== 'pg_catalog' || base.name !== typeName || base.arrayDims !== 0 || column.type.arrayDims !== 0) continue;
      const isDomain = column.type.schema !== 'pg_catalog' || column.type.name !== typeName;
      result.push({ table, column, domain: isDomain ? qualify(column.type.schema, column.type.name) : undefined });
    }
  }
  return result;
}

/** True when the column is (part of) the table's partition key: its type cannot be altered. */
export function inPartitionKey(table: Table, column: string): boolean {
  return table.partitionBy?.keys.some((key) => key.column === column || (key.expression?.columns.includes(column) ?? false)) ?? false;
}
