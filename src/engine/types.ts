import type { JSONSchemaType } from 'ajv';
import type { Origin, SchemaModel } from '../model/types.js';

export type Severity = 'error' | 'warning' | 'note';
export const SEVERITY_RANK: Record<Severity, number> = { error: 3, warning: 2, note: 1 };

export interface FindingObject {
  /** `schema`: a finding about a whole schema (its `name` is empty), e.g. a schema that audits none of its tables. */
  kind: 'schema' | 'table' | 'column' | 'constraint' | 'index' | 'trigger' | 'materialized view';
  schema: string;
  /** The table (or view) the finding is about; empty for a schema finding. */
  name: string;
  column?: string;
  /** Constraint, index or trigger name when the finding is about one. */
  detail?: string;
}

/**
 * How far a fix can be trusted to run unread (Ruff's applicability is the model):
 * - `safe`: changes nothing a write sees (index builds, VALIDATE of a constraint, partitions ahead of the data);
 * - `behaviour`: can make a currently working write fail, or adds work to every write (a new CHECK, a new trigger);
 * - `review`: a plan to read and adapt.
 */
export type FixSafety = 'safe' | 'behaviour' | 'review';
export const FIX_SAFETY_RANK: Record<FixSafety, number> = { safe: 1, behaviour: 2, review: 3 };

/** Setup several fixes share (the generic audit log and its function): written once, before the first fix needing it. */
export interface FixPrerequisite {
  /** Identical ids are one prerequisite. */
  id: string;
  title: string;
  sql: string;
}

export interface Fix {
  /** SQL statements, each ending with `;`. */
  sql: string;
  /**
   * The fix-up script writes `safe` fixes as statements, `behaviour` fixes as statements only with
   * `--fix-level behaviour` (comments otherwise), and `review` fixes always as comments.
   */
  safety: FixSafety;
  /** What a DBA should know before running it. */
  notes: string[];
  /** True when `sql` holds `CONCURRENTLY`, which cannot run inside a transaction block. */
  concurrently: boolean;
  /** Shared setup that must run first (deduplicated across findings by id). */
  prerequisites?: FixPrerequisite[];
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
  /** One short line for the terminal (`message` is the full explanation). */
  title: string;
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
  /** One short line, e.g. `foreign key orders_customer_id_fkey (customer_id) has no index`; defaults to the rule's summary. */
  title?: string;
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
  /** The rule's documentation page (SARIF `helpUri`); built-in rules point at docs/rules/<id>.md. */
  url?: string;
}

/** Where a rule can find something: in DDL files and a live database, or only where live figures exist. */
export type RuleMode = 'both' | 'live';

export interface Rule<Options = Record<string, unknown>> {
  id: string;
  name: string;
  defaultSeverity: Severity;
  /**
   * A policy rather than a defect (e.g. "every timestamp column has a time zone"): off until the config or `--rule`
   * turns it on, then at `defaultSeverity`.
   */
  optIn?: boolean;
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
