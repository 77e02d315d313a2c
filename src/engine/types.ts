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
  safety: 'safe' | 'behaviour' | 'review';
  /** What a DBA should know before running it. */
  notes: string[];
  /** True when `sql` holds `CONCURRENTLY`, which cannot run inside a transaction block. */
  concurrently: boolean;
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

/** Where a rule can find something: in DDL files and a live database, or only where live figures exist. */
export type RuleMode = 'both' | 'live';

export interface Rule<Options = Record<string, unknown>> {
  id: string;
  name: string;
  defaultSeverity: Severity;
  /** Default `both`. */
  mode?: RuleMode;
  /** Safety levels of the fixes the rule can emit; empty or absent: the rule has no fix. */
  fixSafety?: Array<Fix['safety']>;
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
