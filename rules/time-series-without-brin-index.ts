/**
 * time-series-without-brin-index: a high-volume, append-only table whose time column leads no index. Range
 * queries on recent data ("the last 7 days") then read the whole table; a BRIN index over a column that grows with
 * insertion order answers them from a few pages of summaries and costs almost nothing to keep.
 */
import { indexesOf, logicalTables, qualify } from '../src/model/model.js';
import type { Column, SchemaModel, Table } from '../src/model/types.js';
import type { Rule, RuleFinding } from '../src/engine/types.js';
import { createIndexFix, NameReservations, REPAIR_NOTE } from '../src/fix/create-index.js';
import { fixWithLazySql } from '../src/fix/lazy-sql.js';
import { quoteIdent } from '../src/fix/sql.js';
import { candidateKey, strongestSignal, type HighVolumeThresholds } from './high-volume/signals.js';
import { DEFAULT_HIGH_VOLUME_THRESHOLDS, describeHighVolumeSignal, HIGH_VOLUME_OPTION_NAMES, HIGH_VOLUME_OPTION_PROPERTIES } from './high-volume/thresholds.js';

export type TimeSeriesWithoutBrinIndexOptions = HighVolumeThresholds;

/** A valid index of any method whose first key is the column serves range queries on it. */
function leadsSomeIndex(model: SchemaModel, table: Table, column: Column): boolean {
  return indexesOf(model, table).some((index) => index.valid && index.keys[0]?.column === column.name);
}

export const timeSeriesWithoutBrinIndex: Rule<TimeSeriesWithoutBrinIndexOptions> = {
  id: 'time-series-without-brin-index',
  name: 'TimeSeriesWithoutBrinIndex',
  defaultSeverity: 'warning',
  mode: 'both',
  fixSafety: ['safe'],
  precision: 'medium',
  tags: ['performance', 'index', 'time-series'],
  docs: {
    summary: 'A high-volume time-series table has no index on its time column.',
    description:
      'Queries on a time series almost always filter on a time range ("the last 7 days"). Without an index led by ' +
      'the time column, each one reads the whole table (or every partition in range). On an append-only table the ' +
      'time column follows the physical order of the rows, which is what BRIN needs: an index of a few pages per ' +
      'gigabyte that skips every block range outside the query\'s range, and costs almost nothing on insert — the ' +
      'seed review recommends it. High-volume comes from the same signals as `high-volume-table-not-partitioned` ' +
      '(live statistics, `--stats`, the `tables` option, or, as a `note`, an append-only name with a `now()` ' +
      'timestamp); the time column is the timestamp with a `now()` default, else the first timestamp column. Any ' +
      'valid index (btree or BRIN) led by the column counts.',
    bad: [
      {
        title: 'An execution log with no index on executed_at',
        sql: 'CREATE TABLE tool_executions (id bigint PRIMARY KEY, executed_at timestamptz NOT NULL DEFAULT now(), status text);',
      },
    ],
    good: [
      {
        title: 'A BRIN index on the time column',
        sql:
          'CREATE TABLE tool_executions (id bigint PRIMARY KEY, executed_at timestamptz NOT NULL DEFAULT now(), status text);\n' +
          'CREATE INDEX tool_executions_executed_at_brin_idx ON tool_executions USING brin (executed_at);',
      },
    ],
    fix:
      '`CREATE INDEX CONCURRENTLY IF NOT EXISTS <table>_<column>_brin_idx ON <table> USING brin (<column>)` (`safe`: ' +
      'it does not block writes); on a partitioned table `ON ONLY` the parent, a concurrent build per partition and ' +
      '`ATTACH PARTITION`. BRIN suits rows inserted in time order and rarely updated; if rows arrive out of order or ' +
      'are updated often, build a btree instead.',
  },
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { ...HIGH_VOLUME_OPTION_PROPERTIES },
    required: HIGH_VOLUME_OPTION_NAMES,
  },
  defaultOptions: { ...DEFAULT_HIGH_VOLUME_THRESHOLDS },
  check(model, options) {
    const findings: RuleFinding[] = [];
    const names = new NameReservations();
    for (const table of logicalTables(model)) {
      if (table.persistence === 'temporary') continue;
      const signal = strongestSignal(model, table, options);
      if (!signal) continue;
      const key = candidateKey(model, table);
      if (!key || leadsSomeIndex(model, table, key.column)) continue;
      const created = createIndexFix(model, table, { nameParts: [key.column.name], suffix: 'brin_idx', keySql: quoteIdent(key.column.name), method: 'brin' }, names);
      findings.push({
        title: `${qualify(table.schema, table.name)}.${key.column.name}: no index on the time column of a high-volume table`,
        message:
          `Table ${qualify(table.schema, table.name)} is high-volume (${describeHighVolumeSignal(signal)}), and no index is led by its time column ${key.column.name}: ` +
          'every time-range query reads the whole table. A BRIN index on it is tiny and nearly free to maintain on append-only data.',
        object: { kind: 'column', schema: table.schema, name: table.name, column: key.column.name },
        origin: key.column.origin,
        severity: signal.kind === 'shape' ? 'note' : undefined,
        fix: fixWithLazySql(created, {
          safety: 'safe',
          concurrently: created.concurrently,
          notes: ['BRIN fits rows inserted in time order and rarely updated; for out-of-order or often-updated rows, build a btree on the column instead.', REPAIR_NOTE],
        }),
      });
    }
    return findings;
  },
};
