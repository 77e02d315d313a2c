/**
 * partition-coverage: a row whose key no partition covers makes the INSERT fail (or, with a DEFAULT partition,
 * lands in it, where it blocks creating the right partition later). Time-partitioned tables need partitions created
 * ahead of the data and no holes between them.
 */
import { qualifiedIdent, quoteLiteral } from '../src/fix/sql.js';
import { baseTypeOf, logicalTables, qualify, relationNameTaken } from '../src/model/model.js';
import type { SchemaModel, Table } from '../src/model/types.js';
import type { Fix, Rule, RuleContext, RuleFinding } from '../src/engine/types.js';
import { coverageOf, inferInterval, missingRanges, type Coverage, type RangePiece } from './partition-coverage/coverage.js';
import { describeMakers, runtimeMakers } from './partition-coverage/runtime.js';
import { siblingExtras } from './partition-coverage/siblings.js';
import { defaultNamePattern, detectNamePattern, partitionName } from './partition-coverage/naming.js';
import {
  addMonths,
  boundInstant,
  displayInstant,
  inferLocalTime,
  IntervalGrid,
  startOfUtcDay,
  type PartitionInterval,
  type TimeKeyType,
} from './partition-coverage/time.js';

export interface PartitionCoverageOptions {
  /** Partitions must exist this many months past `now`. */
  monthsAhead: number;
  /** Partition size when the existing partitions do not show one. */
  interval: PartitionInterval;
}

const TIME_TYPES = new Set<string>(['date', 'timestamp', 'timestamptz']);

interface TimePartitioned {
  table: Table;
  column: string;
  type: TimeKeyType;
}

/** Tables partitioned by range on exactly one plain column of a date/time type (domains resolved). */
export function timePartitioned(model: SchemaModel, table: Table): TimePartitioned | undefined {
  const by = table.partitionBy;
  if (table.kind !== 'partitioned' || by?.strategy !== 'range' || by.keys.length !== 1 || !by.keys[0].column) return undefined;
  const column = table.columns.find((c) => c.name === by.keys[0].column);
  if (!column) return undefined;
  const type = baseTypeOf(model, column.type);
  if (type.schema !== 'pg_catalog' || type.arrayDims !== 0 || !TIME_TYPES.has(type.name)) return undefined;
  return { table, column: column.name, type: type.name as TimeKeyType };
}

interface Partitions {
  ranges: RangePiece[];
  /** The partitions behind `ranges`, same order. */
  tables: Table[];
  defaultPartition?: Table;
  /** Partitions whose bounds could not be read as instants. */
  unreadable: Table[];
}

/** The direct partitions: a sub-partitioned partition counts with its own bound, which holds its children. */
export function partitionsOf(model: SchemaModel, parent: TimePartitioned): Partitions {
  const result: Partitions = { ranges: [], tables: [], unreadable: [] };
  for (const key of parent.table.partitions) {
    const partition = model.tables.get(key);
    const bound = partition?.partitionOf?.bound;
    if (!partition || !bound) continue;
    if (bound.kind === 'default') {
      result.defaultPartition = partition;
      continue;
    }
    const from = bound.kind === 'range' && bound.from.length === 1 ? boundInstant(bound.from[0], parent.type) : undefined;
    const to = bound.kind === 'range' && bound.to.length === 1 ? boundInstant(bound.to[0], parent.type) : undefined;
    if (from === undefined || to === undefined) result.unreadable.push(partition);
    else {
      result.ranges.push({ name: partition.name, from, to, subPartitioned: partition.kind === 'partitioned' });
      result.tables.push(partition);
    }
  }
  return result;
}

function describeProblems(
  parent: TimePartitioned,
  partitions: Partitions,
  coverage: Coverage,
  required: number,
  options: PartitionCoverageOptions,
): string | undefined {
  const name = qualify(parent.table.schema, parent.table.name);
  const ahead = `${options.monthsAhead} month${options.monthsAhead === 1 ? '' : 's'} ahead`;
  const sentences: string[] = [];
  const short = !coverage.unbounded && (coverage.horizon === undefined || coverage.horizon < required);
  if (short && coverage.horizon === undefined) {
    sentences.push(`Partitioned table ${name} has no range partitions, short of ${displayInstant(required)} (${ahead}).`);
  } else if (short && coverage.horizon !== undefined) {
    sentences.push(`Partitioned table ${name} has partitions up to ${displayInstant(coverage.horizon)}, short of ${displayInstant(required)} (${ahead}).`);
  }
  if (coverage.gaps.length) {
    const list = coverage.gaps.map((gap) => `from ${displayInstant(gap.from)} to ${displayInstant(gap.to)}`).join(', ');
    sentences.push(
      `${sentences.length ? 'It also has' : `Partitioned table ${name} has`} ${coverage.gaps.length === 1 ? 'a gap' : `${coverage.gaps.length} gaps`} no partition covers: ${list}.`,
    );
  }
  if (!sentences.length) return undefined;
  sentences.push(
    partitions.defaultPartition
      ? `Rows in uncovered ranges go to the DEFAULT partition ${partitions.defaultPartition.name}, and a partition for a range cannot be created while the DEFAULT partition holds rows of it.`
      : `Inserting a row whose ${parent.column} no partition covers fails.`,
  );
  if (partitions.unreadable.length) {
    sentences.push(`Bounds not read (left out): ${partitions.unreadable.map((t) => t.name).join(', ')}.`);
  }
  return sentences.join(' ');
}

function buildFix(
  model: SchemaModel,
  parent: TimePartitioned,
  partitions: Partitions,
  required: number,
  now: number,
  options: PartitionCoverageOptions,
): Fix | undefined {
  // New bounds are computed in the bounds' own local time (see inferLocalTime), then converted back.
  const local = inferLocalTime(partitions.ranges.flatMap((r) => [r.from, r.to]), parent.type);
  const wallRanges = partitions.ranges.map((r) => ({ ...r, from: local.toWall(r.from), to: local.toWall(r.to) }));
  const wallCoverage = coverageOf(wallRanges);
  if (partitions.unreadable.length) wallCoverage.gaps = [];
  const inferred = inferInterval(wallRanges);
  const interval = inferred?.interval ?? options.interval;
  const grid = inferred ? new IntervalGrid(interval, inferred.anchor) : IntervalGrid.calendar(interval);
  const ranges = missingRanges(wallCoverage, grid, local.toWall(now), local.toWall(required));
  if (!ranges.length) return undefined;
  const { table } = parent;
  const pattern =
    detectNamePattern(wallRanges.map((r) => ({ name: r.name, from: r.from })), interval) ?? defaultNamePattern(table.name, interval);
  const reserved = new Set<string>();
  const taken = (name: string): boolean => reserved.has(name) || relationNameTaken(model, table.schema, name);
  const statements: string[] = [];
  const notes: string[] = [];
  if (partitions.defaultPartition) {
    const where = qualifiedIdent(table.schema, partitions.defaultPartition.name);
    notes.push(
      `The DEFAULT partition ${where} must hold no rows in the new ranges: move them out first (creating a partition fails while it does), and each CREATE scans it under an ACCESS EXCLUSIVE lock.`,
    );
    statements.push(`-- Move rows of the new ranges out of the DEFAULT partition ${where} first: creating a partition fails while it holds any.`);
  }
  if (partitions.ranges.some((r) => r.subPartitioned)) {
    notes.push('Existing partitions are sub-partitioned; the new partitions are plain tables. Add a PARTITION BY clause (and sub-partitions) if they should match.');
  }
  if (!inferred) notes.push(`Partition size: ${interval} (option \`interval\`), since the existing partitions do not show a regular one.`);
  const extras = siblingExtras(model, table, partitions.tables);
  if (extras.summary) notes.push(extras.summary);
  for (const range of ranges) {
    const name = partitionName(table.name, pattern, range.from, taken);
    const from = local.fromWall(range.from);
    const to = local.fromWall(range.to);
    reserved.add(name);
    const inline = extras.inline(name);
    statements.push(
      `CREATE TABLE IF NOT EXISTS ${qualifiedIdent(table.schema, name)} PARTITION OF ${qualifiedIdent(table.schema, table.name)}` +
        `${inline.length ? ` (\n  ${inline.join(',\n  ')}\n)` : ''} ` +
        `FOR VALUES FROM (${quoteLiteral(local.literal(from, parent.type))}) TO (${quoteLiteral(local.literal(to, parent.type))});`,
      ...extras.after(name),
    );
  }
  notes.push('Schedule partition creation (pg_partman or a cron job) so the horizon keeps moving.');
  return { sql: statements.join('\n'), safety: 'safe', notes, concurrently: false, target: { table: qualify(table.schema, table.name), kind: 'partitions' } };
}

function checkTable(model: SchemaModel, parent: TimePartitioned, options: PartitionCoverageOptions, ctx: RuleContext): RuleFinding | undefined {
  const partitions = partitionsOf(model, parent);
  const coverage = coverageOf(partitions.ranges);
  // Gaps are only trusted when every bound was read: an unreadable partition may fill one.
  if (partitions.unreadable.length) coverage.gaps = [];
  const now = startOfUtcDay(ctx.now.getTime());
  const required = addMonths(now, options.monthsAhead);
  const message = describeProblems(parent, partitions, coverage, required, options);
  if (!message) return undefined;
  const { table } = parent;
  const makers = runtimeMakers(model, table);
  if (makers.length) {
    // Someone else makes the partitions: a note on whether they keep up, and nothing that could collide.
    return {
      title: `${qualify(table.schema, table.name)}: partitions made at run time (${makers.map((m) => (m.kind === 'pg_partman' ? 'pg_partman' : `${m.fn.schema}.${m.fn.name}()`)).join(', ')}); check they keep up`,
      message: `${message} ${describeMakers(table, makers, options.monthsAhead)}`,
      object: { kind: 'table', schema: table.schema, name: table.name },
      origin: table.origin,
      severity: 'note',
    };
  }
  const short = !coverage.unbounded && (coverage.horizon === undefined || coverage.horizon < required);
  const problems = [
    short ? (coverage.horizon === undefined ? 'no partitions' : `partitions end ${displayInstant(coverage.horizon)}`) : undefined,
    coverage.gaps.length ? `${coverage.gaps.length} gap${coverage.gaps.length === 1 ? '' : 's'}` : undefined,
  ].filter(Boolean);
  return {
    title: `${qualify(table.schema, table.name)}: ${problems.join(', ')}; needed to ${displayInstant(required)}`,
    message,
    object: { kind: 'table', schema: table.schema, name: table.name },
    origin: table.origin,
    fix: buildFix(model, parent, partitions, required, now, options),
  };
}

export const partitionCoverage: Rule<PartitionCoverageOptions> = {
  id: 'partition-coverage',
  name: 'PartitionCoverage',
  defaultSeverity: 'error',
  fixSafety: ['safe'],
  precision: 'very-high',
  tags: ['partitioning', 'availability'],
  docs: {
    summary: 'A time-partitioned table has no partition for upcoming dates, or gaps between its partitions.',
    description:
      'A table partitioned `BY RANGE` on a `date`, `timestamp` or `timestamptz` column accepts a row only when some ' +
      'partition covers its key: otherwise the INSERT fails (`no partition of relation … found for row`), or the row ' +
      'goes to the DEFAULT partition, which then blocks creating the right partition. The highest upper bound of the ' +
      'partitions (DEFAULT and MAXVALUE aside) must reach `now` plus `monthsAhead` months, and no range between the ' +
      'first and the last partition may be left uncovered. A `timestamptz` bound written without a zone is read as UTC. ' +
      'Sub-partitions count with their parent partition\'s bound.',
    bad: [
      {
        title: 'Monthly partitions that stop before the horizon',
        sql:
          '-- now: 2026-01-15\nCREATE TABLE events (id bigint, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at);\n' +
          "CREATE TABLE events_2026_01 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');",
      },
      {
        title: 'A partitioned table with no partitions',
        sql: 'CREATE TABLE metrics (id bigint, taken_at timestamp NOT NULL) PARTITION BY RANGE (taken_at);',
      },
    ],
    good: [
      {
        title: 'Partitions through three months ahead',
        sql:
          '-- now: 2026-01-15\nCREATE TABLE events (id bigint, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at);\n' +
          "CREATE TABLE events_2026_01 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');\n" +
          "CREATE TABLE events_2026_02 PARTITION OF events FOR VALUES FROM ('2026-02-01') TO ('2026-03-01');\n" +
          "CREATE TABLE events_2026_03 PARTITION OF events FOR VALUES FROM ('2026-03-01') TO ('2026-04-01');\n" +
          "CREATE TABLE events_2026_04 PARTITION OF events FOR VALUES FROM ('2026-04-01') TO ('2026-05-01');",
      },
      {
        title: 'A last partition up to MAXVALUE',
        sql:
          'CREATE TABLE events (id bigint, created_at date NOT NULL) PARTITION BY RANGE (created_at);\n' +
          "CREATE TABLE events_old PARTITION OF events FOR VALUES FROM (MINVALUE) TO ('2026-01-01');\n" +
          "CREATE TABLE events_new PARTITION OF events FOR VALUES FROM ('2026-01-01') TO (MAXVALUE);",
      },
    ],
    fix:
      'One `CREATE TABLE IF NOT EXISTS … PARTITION OF … FOR VALUES FROM (…) TO (…)` per missing interval: each gap ' +
      '(cut on the existing partitions\' grid, exact at its edges), then from the horizon through the interval that ' +
      'holds `now + monthsAhead`. The interval (day, week, month, quarter, year) is the most common span of the ' +
      'existing partitions, else option `interval`; with no partitions the first one holds `now`. Names follow the ' +
      'existing partitions\' pattern (`payment_p2022_01`, `events_y2026m01`, …), else `<parent>_<yyyy_mm>`. With a ' +
      'DEFAULT partition, rows of the new ranges must be moved out of it first. Bounds cut at local midnight ' +
      '(`\'2025-01-01 00:00+01\'`) keep their offset (daylight saving time included). New partitions get what most ' +
      'existing partitions declare and the parent does not give them: foreign keys and CHECKs (inline), indexes ' +
      '(plus an index for a copied foreign key none covers) and triggers. When partitions are made at run time — a ' +
      'pg_partman `part_config` row, or a function of the schema that attaches range partitions — the finding is a ' +
      'note that names the maker and how to check it runs, with no CREATE TABLE that could collide.',
  },
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      monthsAhead: { type: 'integer', minimum: 0, maximum: 120 },
      interval: { type: 'string', enum: ['day', 'week', 'month', 'quarter', 'year'] },
    },
    required: ['monthsAhead', 'interval'],
  },
  defaultOptions: { monthsAhead: 3, interval: 'month' },
  check(model, options, ctx) {
    const findings: RuleFinding[] = [];
    for (const table of logicalTables(model)) {
      const parent = timePartitioned(model, table);
      if (!parent) continue;
      const finding = checkTable(model, parent, options, ctx);
      if (finding) findings.push(finding);
    }
    return findings;
  },
};
