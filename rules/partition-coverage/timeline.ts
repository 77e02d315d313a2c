/**
 * The data behind the markdown report's partition timeline: each time-range-partitioned table's partitions, its
 * gaps and the horizon the partition-coverage rule requires (now + monthsAhead). Pure: the reporter draws it.
 */
import { logicalTables, qualify } from '../../src/model/model.js';
import type { SchemaModel } from '../../src/model/types.js';
import { partitionsOf, timePartitioned } from '../partition-coverage.js';
import { coverageOf } from './coverage.js';
import { addMonths, startOfUtcDay } from './time.js';

export interface PartitionTimeline {
  /** `schema.table` */
  table: string;
  /** Partitions in key order; `from` may be -Infinity (MINVALUE), `to` Infinity (MAXVALUE). */
  partitions: Array<{ name: string; from: number; to: number }>;
  gaps: Array<{ from: number; to: number }>;
  /** Highest finite upper bound. */
  covered?: number;
  unbounded: boolean;
  /** The instant partitions must reach: now + monthsAhead. */
  required: number;
  /** The reference day (start of `now`, UTC). */
  now: number;
}

export function partitionTimelines(model: SchemaModel, now: Date, monthsAhead: number): PartitionTimeline[] {
  const result: PartitionTimeline[] = [];
  for (const table of logicalTables(model)) {
    const parent = timePartitioned(model, table);
    if (!parent) continue;
    const { ranges } = partitionsOf(model, parent);
    const coverage = coverageOf(ranges);
    result.push({
      table: qualify(table.schema, table.name),
      partitions: [...ranges].sort((a, b) => a.from - b.from).map(({ name, from, to }) => ({ name, from, to })),
      gaps: coverage.gaps,
      covered: coverage.horizon,
      unbounded: coverage.unbounded,
      required: addMonths(startOfUtcDay(now.getTime()), monthsAhead),
      now: startOfUtcDay(now.getTime()),
    });
  }
  return result.sort((a, b) => a.table.localeCompare(b.table));
}
