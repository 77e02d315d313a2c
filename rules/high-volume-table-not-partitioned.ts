/**
 * high-volume-table-not-partitioned: a big, growing table that is not partitioned cannot drop old data cheaply
 * (DELETE + VACUUM instead of DROP PARTITION), and its indexes and vacuum cost grow with all of history. Converting
 * later means copying everything, so the earlier it is planned the cheaper it is.
 */
import { formatType, indexesOf, logicalTables, qualify } from '../src/model/model.js';
import type { SchemaModel, Table } from '../src/model/types.js';
import type { Rule, RuleFinding } from '../src/engine/types.js';
import { conversionPlan } from './high-volume/conversion-plan.js';
import { choosePartitionKey, type PartitionKeyChoice } from './high-volume/partition-key.js';
import { strongestSignal, type HighVolumeThresholds, type Signal } from './high-volume/signals.js';

export interface HighVolumeTableNotPartitionedOptions extends HighVolumeThresholds {
  /** Months of partitions the conversion plan creates ahead of now. */
  monthsAhead: number;
}

function describeSignal(signal: Signal): string {
  switch (signal.kind) {
    case 'stats':
      return `it holds ${signal.reasons.join(', ')}`;
    case 'config':
      return `the configuration lists it as high-volume (\`${signal.pattern}\`)`;
    case 'shape':
      return `its shape says append-only time series: the name matches \`${signal.pattern}\` and ${signal.column} defaults to the current time`;
  }
}

function describeKey(key: PartitionKeyChoice | undefined): string {
  if (!key) {
    return (
      'It has no column existing rows carry that could be a partition key (a timestamp or date, an epoch-time integer, or a ' +
      'sequence-fed integer): add one and backfill it from the data before converting. A new column with DEFAULT now() ' +
      'would give every existing row the same value and put the whole history in one partition.'
    );
  }
  const type = formatType(key.column.type);
  const others = key.alternatives.length ? ` Other candidates: ${key.alternatives.join(', ')}.` : '';
  return `Candidate partition key: ${key.column.name} (${type}${key.nowDefault ? ', defaults to the current time' : ''}), because ${key.reason}.${others}`;
}

/** Unique keys (constraints and unique indexes on plain columns) that the partition key would widen. */
function widenedKeys(model: SchemaModel, table: Table, key: PartitionKeyChoice): Array<{ what: string; columns: string[] }> {
  const result = table.constraints
    .filter((c) => (c.kind === 'primary' || c.kind === 'unique') && !c.columns.includes(key.column.name))
    .map((c) => ({ what: c.kind === 'primary' ? 'PRIMARY KEY' : 'UNIQUE', columns: c.columns }));
  for (const index of indexesOf(model, table)) {
    const columns = index.keys.map((k) => k.column).filter((column): column is string => Boolean(column));
    if (!index.unique || index.constraint || index.predicate || columns.length < index.keys.length) continue;
    if (!columns.includes(key.column.name)) result.push({ what: `UNIQUE INDEX ${index.name}`, columns });
  }
  return result;
}

/** The plain-words notes for each widened key. */
function widenedUniqueKeys(model: SchemaModel, table: Table, key: PartitionKeyChoice): string[] {
  return widenedKeys(model, table, key).map(
    ({ what, columns }) =>
      `${what} (${columns.join(', ')}) becomes (${[...columns, key.column.name].join(', ')}): ` +
      `${columns.join(', ')} is then no longer unique on its own — two rows with the same ${columns.join(', ')} and different ${key.column.name} are accepted. ` +
      'If it must stay unique, enforce it another way (a separate table holding just that key with its own UNIQUE constraint, filled in the same transaction).',
  );
}

function widenedSentence(model: SchemaModel, table: Table, key: PartitionKeyChoice | undefined): string {
  const widened = key ? widenedKeys(model, table, key) : [];
  if (!widened.length) return '';
  const list = widened.map((w) => `(${w.columns.join(', ')})`).join(', ');
  return ` Partitioning by it changes what ${widened.length === 1 ? 'a unique key means' : 'unique keys mean'}: ${list} would no longer be unique on ${widened.length === 1 ? 'its' : 'their'} own (see the plan's notes).`;
}

function checkTable(model: SchemaModel, table: Table, options: HighVolumeTableNotPartitionedOptions): RuleFinding | undefined {
  const signal = strongestSignal(model, table, options);
  if (!signal) return undefined;
  const name = qualify(table.schema, table.name);
  const key = choosePartitionKey(model, table);
  const message =
    `Table ${name} is not partitioned, and ${describeSignal(signal)}. ` +
    `Old rows can only go by DELETE and VACUUM, and indexes and vacuum work grow with all of its history. ${describeKey(key)}` +
    widenedSentence(model, table, key);
  const plan = key && conversionPlan({ model, table, key, monthsAhead: options.monthsAhead });
  const why = signal.kind === 'stats' ? signal.reasons.join(', ') : signal.kind === 'config' ? 'listed as high-volume' : 'append-only time-series shape';
  return {
    title: `${name}: not partitioned (${why})`,
    message,
    object: { kind: 'table', schema: table.schema, name: table.name },
    origin: table.origin,
    severity: signal.kind === 'shape' ? 'note' : undefined,
    fix: plan && { sql: plan.sql, safety: 'review', notes: [...widenedUniqueKeys(model, table, key), ...plan.notes], concurrently: false, target: { table: name, kind: 'plan' } },
  };
}

/**
 * The conversion plan keeps the old table as `<t>_unpartitioned` beside the new partitioned `<t>`, for rollback,
 * until the DBA drops it: that copy is the plan in progress, not a new gap.
 */
function isRollbackCopy(model: SchemaModel, table: Table): boolean {
  const match = /^(.+)_unpartitioned\d*$/.exec(table.name);
  return match !== null && model.tables.get(qualify(table.schema, match[1]))?.kind === 'partitioned';
}

export const highVolumeTableNotPartitioned: Rule<HighVolumeTableNotPartitionedOptions> = {
  id: 'high-volume-table-not-partitioned',
  name: 'HighVolumeTableNotPartitioned',
  defaultSeverity: 'warning',
  fixSafety: ['review'],
  precision: 'medium',
  tags: ['partitioning', 'performance', 'maintenance'],
  docs: {
    summary: 'A high-volume table is not partitioned.',
    description:
      'A table that grows without bound keeps every row in one heap and one set of indexes: retention means DELETE ' +
      'and VACUUM instead of dropping a partition, and index and vacuum cost grow with its whole history. A table ' +
      'counts as high-volume by the strongest of these signals: measured figures (live mode, or `--stats` in DDL ' +
      'mode) at or over `minRows`, `minBytes`, or `minInsertsPerDay` (only when the statistics window is known and at ' +
      'least a day; never-analyzed tables have no row estimate, which is not zero); the option `tables`; or, as a ' +
      '`note`, a name matching `namePatterns` together with a timestamp column that defaults to the current time.',
    bad: [
      {
        title: 'An append-only log table (name and shape; reported as a note)',
        sql: 'CREATE TABLE request_log (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, path text, created_at timestamptz NOT NULL DEFAULT now());',
      },
    ],
    good: [
      {
        title: 'The same table, partitioned by month',
        sql:
          'CREATE TABLE request_log (id bigint GENERATED ALWAYS AS IDENTITY, path text, created_at timestamptz NOT NULL DEFAULT now(),\n' +
          '  PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at);',
      },
      {
        title: 'A log-like name without a time default is not enough',
        sql: 'CREATE TABLE change_log (id bigint PRIMARY KEY, note text);',
      },
    ],
    fix:
      'A reviewed plan, written as comments: a new table `LIKE` the old one `PARTITION BY RANGE (<key>)` with the ' +
      'primary key (and unique keys) extended by the key, monthly partitions from the oldest row to `monthsAhead` ' +
      'ahead plus a DEFAULT partition, a batch copy committed per month, a swap of names in one transaction (identity ' +
      'sequences continued, serial sequences re-owned), and the foreign keys that referenced the table re-pointed ' +
      '(a foreign key to a partitioned table must reference a key that includes the partition key, so each referencing ' +
      'table gets a copy of it).',
  },
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      minRows: { type: 'number', minimum: 0 },
      minBytes: { type: 'number', minimum: 0 },
      minInsertsPerDay: { type: 'number', minimum: 0 },
      tables: { type: 'array', items: { type: 'string' } },
      namePatterns: { type: 'array', items: { type: 'string' } },
      monthsAhead: { type: 'integer', minimum: 0, maximum: 120 },
    },
    required: ['minRows', 'minBytes', 'minInsertsPerDay', 'tables', 'namePatterns', 'monthsAhead'],
  },
  defaultOptions: {
    minRows: 10_000_000,
    minBytes: 10 * 1024 ** 3,
    minInsertsPerDay: 1_000_000,
    tables: [],
    namePatterns: ['*_log', '*_logs', '*_events', '*_metrics', '*_executions', '*_history', '*_audit'],
    monthsAhead: 3,
  },
  check(model, options) {
    const findings: RuleFinding[] = [];
    for (const table of logicalTables(model)) {
      // Inheritance children are old-style partitions: their parent is where partitioning is decided.
      if (table.kind !== 'table' || table.persistence === 'temporary' || table.inherits.length) continue;
      if (isRollbackCopy(model, table)) continue;
      const finding = checkTable(model, table, options);
      if (finding) findings.push(finding);
    }
    return findings;
  },
};
