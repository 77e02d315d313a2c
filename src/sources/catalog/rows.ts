/** Row shapes of the catalog queries (queries.ts), as `pg` returns them: oids as numbers, int8 as strings. */
import type { SequenceColumnsRow } from './sequences.js';

export interface CatalogRows {
  alias: string;
  serverVersion: number;
  statsWindowSeconds: number | null;
  schemas: Array<{ name: string }>;
  extensions: Array<{ name: string; schema: string }>;
  relations: RelationRow[];
  columns: ColumnRow[];
  constraints: ConstraintRow[];
  indexes: IndexRow[];
  triggers: TriggerRow[];
  functions: FunctionRow[];
  types: TypeRow[];
  /** pg_partman's part_config rows, when the extension is installed. */
  partman?: Array<{ parent_table: string; partition_interval: string | null; premake: number | null }>;
}

export interface RelationRow {
  oid: number;
  schema: string;
  name: string;
  kind: string;
  persistence: string;
  is_partition: boolean;
  part_strategy: string | null;
  part_attnums: number[] | null;
  part_columns: string[];
  part_exprs: string | null;
  bound: string | null;
  parents: number[];
  options: string[] | null;
  comment: string | null;
  reltuples: number;
  total_bytes: string | null;
  inserts: string | null;
  updates: string | null;
  deletes: string | null;
}

export interface ColumnRow extends SequenceColumnsRow {
  relid: number;
  num: number;
  name: string;
  type_schema: string;
  type_name: string;
  is_array: boolean;
  dims: number;
  typmod: number;
  not_null: boolean;
  default_expr: string | null;
  identity: string;
  generated: string;
  storage: string | null;
  compression: string | null;
  comment: string | null;
}

export interface ConstraintRow {
  name: string;
  type: string;
  relid: number;
  typid: number;
  /** conkey: the key's column numbers, named from the columns query's rows (empty for a domain's CHECK). */
  attnums: number[];
  ref_schema: string | null;
  ref_table: string | null;
  ref_columns: string[];
  on_update: string;
  on_delete: string;
  match: string;
  check_expr: string | null;
  validated: boolean;
  enforced: boolean;
  deferrable: boolean;
  index_schema: string | null;
  index_name: string | null;
  parent_name: string | null;
  parent_same_table: boolean | null;
  is_local: boolean;
  inherit_count: number;
  comment: string | null;
}

export interface IndexRow {
  oid: number;
  schema: string;
  name: string;
  relid: number;
  method: string;
  is_unique: boolean;
  is_primary: boolean;
  valid: boolean;
  partitioned: boolean;
  key_count: number;
  attnums: number[];
  attnames: Array<string | null>;
  /** Per key position: an expression's text, NULL for a column (empty when the index has no expressions). */
  key_texts: Array<string | null>;
  key_options: number[];
  /** Per key position: the opclass name where pg_get_indexdef would print one; NULL when undecided from the catalog. */
  opclasses: Array<string | null> | null;
  /** pg_get_indexdef, printed only when `opclasses` is NULL. */
  definition: string | null;
  predicate: string | null;
  parent_schema: string | null;
  parent_name: string | null;
  constraint_name: string | null;
  comment: string | null;
}

export interface TriggerRow {
  relid: number;
  name: string;
  type: number;
  enabled: string;
  function_schema: string;
  function_name: string;
  arg_count: number;
  args: Buffer | null;
  inherited: boolean;
}

export interface FunctionRow {
  schema: string;
  name: string;
  argument_types: string[];
  return_type: string;
  returns_set: boolean;
  language: string;
  body: string | null;
}

export interface TypeRow {
  oid: number;
  schema: string;
  name: string;
  type: string;
  not_null: boolean;
  base_schema: string | null;
  base_name: string | null;
  base_is_array: boolean;
  base_dims: number;
  base_typmod: number;
}
