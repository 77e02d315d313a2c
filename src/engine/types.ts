import type { JSONSchemaType } from 'ajv';
import type { Origin, SchemaModel } from '../model/types.js';

export type Severity = 'error' | 'warning' | 'note';
export const SEVERITY_RANK: Record<Severity, number> = { error: 3, warning: 2, note: 1 };

export interface FindingObject {
  kind: 'table' | 'column' | 'constraint' | 'index' | 'trigger' | 'materialized view';
  schema: string;
  /** The table (or view) the finding is about. */
  name: string;
  column?: string;
  /** Constraint, index or trigger name when the finding is about one. */
  detail?: string;
}

export interface Fix {
  /** SQL statements, each ending with `;`. */
  sql: string;
  /** `safe` fixes are executable in the fix-up script; `review` fixes are written as comments, a plan to adapt. */
  safety: 'safe' | 'review';
  /** What a DBA should know before running it. */
  notes: string[];
  /** True when `sql` holds `CONCURRENTLY`, which cannot run inside a transaction block. */
  concurrently: boolean;
  /**
   * What the fix changes, for planning the script as a whole: the logical table (`schema.table`) and the kind of
   * change. `index`: builds an index on the table (partition-aware); `partitions`: creates partitions of it, which
   * inherit the parent's partitioned indexes only if those exist first; `plan`: a reviewed plan.
   */
  target?: { table: string; kind: 'index' | 'partitions' | 'plan' };
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  object: FindingObject;
  origin: Origin;
  /** `ruleId/schema.object[/detail]`: stable across runs and line moves. */
  key: string;
  fix?: Fix;
}

/** What the rules get besides the model: everything that would otherwise be I/O. */
export interface RuleContext {
  /** The reference instant (`--now` or the clock). */
  now: Date;
  /** True for a model read from a live database. */
  live: boolean;
}

/** What a rule returns before the engine fills in severity and key. */
export interface RuleFinding {
  message: string;
  object: FindingObject;
  origin: Origin;
  /** Overrides the configured severity downwards (e.g. a weak signal reported as `note`). */
  severity?: Severity;
  fix?: Fix;
}

export interface RuleExample {
  title: string;
  sql: string;
}

export interface RuleDocs {
  summary: string;
  /** Markdown: why it matters. */
  description: string;
  bad: RuleExample[];
  good: RuleExample[];
  /** Markdown notes on the fix. */
  fix: string;
}

export interface Rule<Options = Record<string, unknown>> {
  id: string;
  name: string;
  defaultSeverity: Severity;
  /** SARIF `precision` */
  precision: 'very-high' | 'high' | 'medium' | 'low';
  tags: string[];
  docs: RuleDocs;
  /** JSON Schema of the options object (validated with ajv); defaults are filled in. */
  optionsSchema: JSONSchemaType<Options> | Record<string, unknown>;
  defaultOptions: Options;
  check(model: SchemaModel, options: Options, ctx: RuleContext): RuleFinding[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRule = Rule<any>;
