/**
 * high-churn-table-default-autovacuum: a big table with heavy UPDATE/DELETE traffic left on the default
 * autovacuum scale factors. By default autovacuum waits until 20% of the rows are dead (10% changed for ANALYZE):
 * on a 50-million-row table that is 10 million dead rows of bloat before each vacuum, and plans built on
 * statistics that lag by millions of changes.
 */
import { logicalTables, qualify } from '../src/model/model.js';
import type { SchemaModel, Table } from '../src/model/types.js';
import type { Fix, Rule, RuleFinding } from '../src/engine/types.js';
import { qualifiedIdent } from '../src/fix/sql.js';

export interface HighChurnTableDefaultAutovacuumOptions {
  /** Tables smaller than this (estimated rows) vacuum often enough with the defaults. */
  minRows: number;
  /** Updated plus deleted rows a day, over the statistics window, from which a table counts as high-churn. */
  minChangesPerDay: number;
  /** The settings the fix writes. */
  vacuumScaleFactor: number;
  analyzeScaleFactor: number;
}

const DAY_SECONDS = 86_400;
const VACUUM_SETTINGS = ['autovacuum_vacuum_scale_factor', 'autovacuum_vacuum_threshold'];

const n = (value: number): string => Math.round(value).toLocaleString('en-US');

/** Leaf tables the settings go on: partitioned tables do not take autovacuum storage parameters, their partitions do. */
function leaves(model: SchemaModel, table: Table): Table[] {
  if (table.kind !== 'partitioned') return [table];
  return table.partitions.flatMap((key) => {
    const child = model.tables.get(key);
    return child ? leaves(model, child) : [];
  });
}

function tuned(table: Table): boolean {
  return VACUUM_SETTINGS.some((setting) => setting in table.options);
}

function churnPerDay(table: Table): number | undefined {
  const stats = table.stats;
  const window = stats?.statsWindowSeconds;
  if (!stats || window === undefined || window < DAY_SECONDS) return undefined;
  if (stats.updates === undefined && stats.deletes === undefined) return undefined;
  return ((stats.updates ?? 0) + (stats.deletes ?? 0)) / (window / DAY_SECONDS);
}

function settingsFix(targets: Table[], options: HighChurnTableDefaultAutovacuumOptions): Fix {
  return {
    sql: targets
      .map(
        (t) =>
          `ALTER TABLE ${qualifiedIdent(t.schema, t.name)} SET (autovacuum_vacuum_scale_factor = ${options.vacuumScaleFactor}, autovacuum_analyze_scale_factor = ${options.analyzeScaleFactor});`,
      )
      .join('\n'),
    safety: 'safe',
    concurrently: false,
    notes: [
      'Changes only the table\'s storage parameters (a brief SHARE UPDATE EXCLUSIVE lock); autovacuum then runs more often, in smaller passes.',
      'On a partitioned table the settings go on each partition (PostgreSQL does not accept them on the parent); give new partitions the same settings.',
    ],
  };
}

export const highChurnTableDefaultAutovacuum: Rule<HighChurnTableDefaultAutovacuumOptions> = {
  id: 'high-churn-table-default-autovacuum',
  name: 'HighChurnTableDefaultAutovacuum',
  defaultSeverity: 'warning',
  mode: 'live',
  fixSafety: ['safe'],
  precision: 'medium',
  tags: ['performance', 'vacuum'],
  docs: {
    summary: 'A big table with heavy update/delete traffic uses the default autovacuum scale factors.',
    description:
      'Autovacuum vacuums a table once its dead rows pass 50 + 20% of its rows (`autovacuum_vacuum_scale_factor` ' +
      '0.2) and analyzes it after 10% of its rows changed. On a big table with many UPDATEs and DELETEs that means ' +
      'millions of dead rows between passes — bloat, slower scans, and long vacuums when they do run — and planner ' +
      'statistics that lag behind. The seed review sets per-table scale factors for its high-churn tables; this rule ' +
      'finds the ones that need it. It needs figures DDL cannot show: live statistics (`pg_stat_*` counters over a ' +
      'known statistics window of at least a day), or the same figures in DDL mode through `--stats`. A table with ' +
      '`autovacuum_vacuum_scale_factor` or `autovacuum_vacuum_threshold` set (on every partition, for a partitioned ' +
      'table) is tuned already.',
    bad: [
      {
        title: '50 million rows, 5 million updates a day, default settings (figures from live statistics)',
        sql: 'CREATE TABLE tool_executions (id bigint PRIMARY KEY, status text, executed_at timestamptz);',
      },
    ],
    good: [
      {
        title: 'Per-table scale factors',
        sql:
          'CREATE TABLE tool_executions (id bigint PRIMARY KEY, status text, executed_at timestamptz)\n' +
          '    WITH (autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02);',
      },
    ],
    fix:
      '`ALTER TABLE … SET (autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02)` (the seed ' +
      "review's figures; options `vacuumScaleFactor`, `analyzeScaleFactor`), on each partition of a partitioned " +
      'table. `safe`: storage parameters only, nothing a write sees.',
  },
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      minRows: { type: 'number', minimum: 0 },
      minChangesPerDay: { type: 'number', minimum: 0 },
      vacuumScaleFactor: { type: 'number', minimum: 0, maximum: 100 },
      analyzeScaleFactor: { type: 'number', minimum: 0, maximum: 100 },
    },
    required: ['minRows', 'minChangesPerDay', 'vacuumScaleFactor', 'analyzeScaleFactor'],
  },
  defaultOptions: { minRows: 1_000_000, minChangesPerDay: 100_000, vacuumScaleFactor: 0.05, analyzeScaleFactor: 0.02 },
  check(model, options) {
    const findings: RuleFinding[] = [];
    for (const table of logicalTables(model)) {
      const rows = table.stats?.estimatedRows;
      const perDay = churnPerDay(table);
      if (rows === undefined || rows < options.minRows || perDay === undefined || perDay < options.minChangesPerDay) continue;
      const untuned = leaves(model, table).filter((leaf) => !tuned(leaf));
      if (!untuned.length) continue;
      const deadBeforeVacuum = 50 + 0.2 * rows;
      findings.push({
        title: `${qualify(table.schema, table.name)}: ${n(perDay)} updates/deletes a day on default autovacuum settings`,
        message:
          `Table ${qualify(table.schema, table.name)} has about ${n(rows)} rows and ${n(perDay)} updated or deleted a day, on the default autovacuum scale factors: ` +
          `about ${n(deadBeforeVacuum)} dead rows pile up before each vacuum${table.kind === 'partitioned' ? ` (partitions without settings: ${untuned.map((t) => qualify(t.schema, t.name)).join(', ')})` : ''}.`,
        object: { kind: 'table', schema: table.schema, name: table.name },
        origin: table.origin,
        fix: settingsFix(untuned, options),
      });
    }
    return findings;
  },
};
