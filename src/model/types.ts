/**
 * The one schema model that both sources (DDL files and pg_catalog) produce.
 *
 * Names are stored as PostgreSQL stores them (unquoted identifiers already folded to lower case), and objects are
 * looked up by qualified name (`schema.name`) through maps, never by scanning lists.
 */

/** Where an object was defined: a place in a SQL file, or an object in a live database. */
export interface SourceOrigin {
  kind: 'file';
  /** Path as given on the command line (relative paths stay relative). */
  file: string;
  /** 1-based line and 1-based UTF-16 column of the first character. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface DatabaseOrigin {
  kind: 'database';
  /** `host:port/dbname`, never a user or a password. */
  database: string;
  /** The object, e.g. `table public.orders` or `constraint public.orders.orders_customer_id_fkey`. */
  object: string;
}

export type Origin = SourceOrigin | DatabaseOrigin;

/** An SQL expression: its text (as written in DDL, or as `pg_get_expr` prints it) and the parse tree. */
export interface Expression {
  text: string;
  /** libpg-query node of the expression (e.g. `{ A_Expr: … }`), used by rules that inspect structure. */
  ast: unknown;
  /** Column names the expression references (unqualified, deduplicated, in order of appearance). */
  columns: string[];
}

/** A type reference, resolved to PostgreSQL's internal name (`int4`, `timestamptz`, `jsonb`, `varchar`). */
export interface TypeRef {
  /** Schema of the type, `pg_catalog` for built-ins. */
  schema: string;
  name: string;
  /** Number of array dimensions (0 for a scalar). */
  arrayDims: number;
  /** Type modifiers as written (`255` for varchar(255)), for display only. */
  modifiers: number[];
}

export interface Column {
  name: string;
  type: TypeRef;
  notNull: boolean;
  default?: Expression;
  identity?: 'always' | 'by default';
  generated?: 'stored' | 'virtual';
  /** `SET STORAGE` when set explicitly (plain, external, extended, main). */
  storage?: string;
  compression?: string;
  comment?: string;
  /** Live mode only (DDL cannot know it): the sequence that fills the column and how far it has gone. */
  sequenceUsage?: SequenceUsage;
  origin: Origin;
}

export interface SequenceUsage {
  /** Qualified name of the sequence. */
  sequence: string;
  /**
   * Undefined when the sequence was never used, the role may not read it, or (live mode) the column is bigint: only
   * narrower keys can run out, and reading a value opens and locks the sequence.
   */
  lastValue?: number;
  maxValue: number;
  increment: number;
}

export type ConstraintKind = 'primary' | 'unique' | 'foreign' | 'check' | 'exclusion';

export interface ForeignKeyTarget {
  /** Qualified name of the referenced table (`schema.table`). */
  table: string;
  /** Referenced columns; empty when the DDL relies on the referenced table's primary key that is not known. */
  columns: string[];
  /** False when the referenced table is not in the model (DDL mode is lenient). */
  resolved: boolean;
  onDelete: string;
  onUpdate: string;
  match: string;
}

interface ConstraintBase {
  name: string;
  /** Constrained columns in declaration order (for CHECK: the columns its expression references). */
  columns: string[];
  /** False for `NOT VALID` constraints that were never validated. */
  validated: boolean;
  /** False for PostgreSQL 18 `NOT ENFORCED`. */
  enforced: boolean;
  deferrable: boolean;
  /** Index that backs a primary key, unique or exclusion constraint (qualified name); never set on other kinds. */
  index?: string;
  /** Set on constraints cloned from a partitioned parent (PostgreSQL's `conparentid`): they are not counted twice. */
  inheritedFrom?: string;
  comment?: string;
  origin: Origin;
}

/** Primary key, unique and exclusion constraints are backed by an index. */
export interface IndexConstraint extends ConstraintBase {
  kind: 'primary' | 'unique' | 'exclusion';
}

export interface ForeignKeyConstraint extends ConstraintBase {
  kind: 'foreign';
  foreignKey: ForeignKeyTarget;
}

export interface CheckConstraint extends ConstraintBase {
  kind: 'check';
  /** Absent only when live mode could not parse what pg_get_expr printed. */
  check?: Expression;
}

/** A constraint, discriminated by `kind`: narrowing on it gives a foreign key its target, a CHECK its expression. */
export type Constraint = IndexConstraint | ForeignKeyConstraint | CheckConstraint;

export interface IndexKey {
  /** The column, when the key is a plain column. */
  column?: string;
  /** The expression, when the key is an expression. */
  expression?: Expression;
  opclass?: string;
  descending: boolean;
}

export interface Index {
  schema: string;
  name: string;
  /** Qualified name of the indexed table (or materialized view). */
  table: string;
  method: string;
  unique: boolean;
  primary: boolean;
  keys: IndexKey[];
  include: string[];
  predicate?: Expression;
  /** PostgreSQL's `indisvalid`: an `ON ONLY` index on a partitioned table stays invalid until every partition has one attached. */
  valid: boolean;
  /** True for an index on a partitioned table (relkind `I`). */
  partitioned: boolean;
  /** Qualified name of the partitioned index this one is attached to. */
  parent?: string;
  /** Constraint this index backs (primary key, unique, exclusion), by name. */
  constraint?: string;
  comment?: string;
  origin: Origin;
}

export type TriggerEvent = 'insert' | 'update' | 'delete' | 'truncate';

export interface Trigger {
  name: string;
  table: string;
  timing: 'before' | 'after' | 'instead of';
  events: TriggerEvent[];
  level: 'row' | 'statement';
  /** PostgreSQL's `tgenabled`: O (origin, the default), D (disabled), R (replica), A (always). */
  enabled: 'O' | 'D' | 'R' | 'A';
  /** Qualified name of the function it executes. */
  function: string;
  arguments: string[];
  /** True when this trigger is a clone of a trigger on the partitioned parent (`tgparentid <> 0`). */
  inherited: boolean;
  /** `tgisinternal`, e.g. constraint triggers created for foreign keys. Sources do not add these. */
  constraintTrigger: boolean;
  origin: Origin;
}

export interface FunctionDef {
  schema: string;
  name: string;
  /** Argument types, as text, for telling overloads apart. */
  argumentTypes: string[];
  returnType: string;
  language: string;
  body: string;
  fromExtension?: string;
  origin: Origin;
}

export type PartitionStrategy = 'range' | 'list' | 'hash';

export interface PartitionKeyPart {
  column?: string;
  expression?: Expression;
}

/** A partition bound. Values are kept as PostgreSQL prints them (strings for literals, `MINVALUE`/`MAXVALUE`). */
export type PartitionBound =
  | { kind: 'default' }
  | { kind: 'range'; from: BoundValue[]; to: BoundValue[] }
  | { kind: 'list'; values: BoundValue[] }
  | { kind: 'hash'; modulus: number; remainder: number };

export type BoundValue = { kind: 'value'; text: string } | { kind: 'minvalue' } | { kind: 'maxvalue' } | { kind: 'null' };

export interface TableStats {
  /** Estimated live rows (`reltuples`, summed over partitions); undefined when never analyzed. */
  estimatedRows?: number;
  totalBytes?: number;
  inserts?: number;
  updates?: number;
  deletes?: number;
  /** Seconds since `pg_stat_database.stats_reset`; undefined when unknown. */
  statsWindowSeconds?: number;
}

export interface Table {
  schema: string;
  name: string;
  /** `table` for an ordinary table, `partitioned` for a partitioned parent. */
  kind: 'table' | 'partitioned';
  persistence: 'permanent' | 'unlogged' | 'temporary';
  columns: Column[];
  constraints: Constraint[];
  /** Qualified names of indexes on this table, in creation order. */
  indexes: string[];
  triggers: Trigger[];
  partitionBy?: { strategy: PartitionStrategy; keys: PartitionKeyPart[] };
  /** Set when this table is a partition. */
  partitionOf?: { parent: string; bound: PartitionBound };
  /** Qualified names of the partitions, in attach order. */
  partitions: string[];
  inherits: string[];
  /** Storage parameters (`WITH (…)` / `SET (…)`), e.g. autovacuum settings. */
  options: Record<string, string>;
  comment?: string;
  stats?: TableStats;
  fromExtension?: string;
  origin: Origin;
}

export interface Domain {
  schema: string;
  name: string;
  baseType: TypeRef;
  notNull: boolean;
  checks: Constraint[];
  origin: Origin;
}

export interface MaterializedView {
  schema: string;
  name: string;
  /** Qualified names of its indexes. */
  indexes: string[];
  origin: Origin;
}

export interface Extension {
  name: string;
  schema: string;
  origin: Origin;
}

/** Non-table relations that still take a name in a schema (views, sequences, types, …). */
export interface OtherRelation {
  schema: string;
  name: string;
  kind: 'view' | 'sequence' | 'type' | 'foreign table' | 'composite type';
  origin: Origin;
}

/** A parent table pg_partman maintains (a `part_config` row): its partitions are made at run time. */
export interface PartmanConfig {
  /** Qualified parent table (`schema.table`), as part_config names it. */
  parent: string;
  /** The extension's schema, where `run_maintenance()` and `show_partitions()` live. */
  extensionSchema: string;
  /** `partition_interval` as written or stored (`1 day`, `daily`, `1 mon`), when known. */
  interval?: string;
  /** Partitions made ahead of now (part_config.premake; 4 when not given). */
  premake?: number;
  origin: Origin;
}

export interface SchemaModel {
  schemas: Map<string, { name: string; origin: Origin }>;
  tables: Map<string, Table>;
  indexes: Map<string, Index>;
  /** Keyed by `schema.name`; overloads share one key. */
  functions: Map<string, FunctionDef[]>;
  domains: Map<string, Domain>;
  materializedViews: Map<string, MaterializedView>;
  extensions: Map<string, Extension>;
  otherRelations: Map<string, OtherRelation>;
  /** pg_partman's part_config, keyed by parent table; absent or empty when pg_partman manages nothing. */
  partman?: Map<string, PartmanConfig>;
  /** Where the model came from: files, or a database alias. */
  source: { kind: 'ddl'; files: string[] } | { kind: 'database'; database: string; serverVersion: number };
}
