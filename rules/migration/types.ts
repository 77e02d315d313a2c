/**
 * Migration-safety rules: a different kind of rule from the model rules beside them. A model rule judges the schema
 * as it ends up; a migration rule judges one statement of a changed migration file, knowing the schema as it was
 * just before that statement — whether the table already existed (and so holds rows and traffic), which
 * constraints already hold, whether the file set `lock_timeout`, how big the table is. The engine step
 * (`src/engine/migration-safety.ts`) replays the migrations and calls `checkStatement` before applying each
 * statement of a changed file.
 */
import type { Index, SchemaModel, SourceOrigin, Table, TableStats } from '../../src/model/types.js';
import type { Rule, RuleFinding } from '../../src/engine/types.js';
import type { PgNodeOf, TaggedNode } from '../../src/sql/pg-node.js';

/**
 * One top-level statement of a changed migration file: `kind` is its tag (`AlterTableStmt`, `IndexStmt`, …) and
 * `node` the statement's own body (not wrapped in its kind), so testing `kind` narrows `node`.
 */
export type MigrationStatement = TaggedNode & {
  file: string;
  origin: SourceOrigin;
};

/** What a migration rule knows besides the statement and the model before it. */
export interface MigrationContext {
  /** The table a RangeVar names, resolved through the search path as it stands before the statement. */
  findTable(rangeVar: PgNodeOf<'RangeVar'>): Table | undefined;
  /** The index a RangeVar-shaped name (`{ schemaname?, relname }`) names, resolved through the search path. */
  findIndex(rangeVar: PgNodeOf<'RangeVar'>): Index | undefined;
  /** True when the table existed before this migration file started (it may hold rows and serve traffic). */
  existedBefore(table: Table): boolean;
  /** True when the file set a non-zero `lock_timeout` before this statement. */
  lockTimeoutSet: boolean;
  /** Volume figures of a table (live statistics or `--stats`), by qualified name. */
  statsOf(table: Table): TableStats | undefined;
  /** Origin of a node location inside the statement (falls back to the statement). */
  origin(location?: number): SourceOrigin;
  /** True when a relation or constraint name is taken in the schema (fix SQL picks free names). */
  nameTaken(schema: string, name: string): boolean;
}

export interface MigrationFinding extends RuleFinding {
  /** The table is big (statistics say so): the engine raises the severity one level. */
  escalate?: boolean;
}

export interface MigrationRule<Options = Record<string, unknown>> extends Rule<Options> {
  kind: 'migration';
  /** The lock the statement takes, as the docs and messages name it. */
  lock: string;
  /** Report only the first finding in each migration file (a file-level omission, e.g. no lock_timeout). */
  oncePerFile?: boolean;
  checkStatement(statement: MigrationStatement, before: SchemaModel, ctx: MigrationContext, options: Options): MigrationFinding[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function isMigrationRule(rule: Rule<any>): rule is MigrationRule<any> {
  return (rule as Partial<MigrationRule>).kind === 'migration';
}

/**
 * Declares a migration rule. It is registered with the model rules (so config, `--rule`, `rules`, `explain` and SARIF
 * metadata treat it like any rule), but a finished model holds no statements: its model check finds nothing.
 */
export function migrationRule(rule: Omit<MigrationRule<NoOptions>, 'kind' | 'check' | 'optionsSchema' | 'defaultOptions'>): MigrationRule<NoOptions> {
  // No migration rule takes options yet: each gets the schema that accepts only `{}`.
  return { ...rule, kind: 'migration', check: () => [], optionsSchema: { type: 'object', additionalProperties: false, properties: {} }, defaultOptions: {} };
}

type NoOptions = Record<string, never>;
