/**
 * random-uuid-primary-key-on-high-volume: a primary key filled by `gen_random_uuid()` / `uuid_generate_v4()` on a
 * high-volume table. Random keys land anywhere in the key's btree, so every insert touches a random leaf page:
 * the working set is the whole index, pages split half-empty, and each first touch after a checkpoint writes a
 * full page image to WAL.
 */
import { logicalTables, qualify } from '../src/model/model.js';
import type { Column, Table } from '../src/model/types.js';
import type { Rule, RuleFinding } from '../src/engine/types.js';
import { strongestSignal, type HighVolumeThresholds } from './high-volume/signals.js';
import { DEFAULT_HIGH_VOLUME_THRESHOLDS, describeHighVolumeSignal, HIGH_VOLUME_OPTION_NAMES, HIGH_VOLUME_OPTION_PROPERTIES } from './high-volume/thresholds.js';
import type { PgNode } from '../src/sql/pg-node.js';

export interface RandomUuidPrimaryKeyOnHighVolumeOptions extends HighVolumeThresholds {
  /** Functions that generate random (version 4) UUIDs. */
  randomFunctions: string[];
}

/** The function a default calls, looking through casts: `gen_random_uuid()`, `extensions.uuid_generate_v4()`. */
function calledFunction(ast: unknown): string | undefined {
  let node = ast as PgNode | undefined;
  while (node?.TypeCast) node = node.TypeCast.arg;
  const call = node?.FuncCall;
  if (!call || call.args?.length) return undefined;
  const parts = (call.funcname ?? []).map((part) => part.String?.sval);
  return parts[parts.length - 1];
}

function randomUuidKeyColumn(table: Table, functions: Set<string>): { column: Column; fn: string } | undefined {
  const pk = table.constraints.find((c) => c.kind === 'primary');
  if (!pk) return undefined;
  for (const name of pk.columns) {
    const column = table.columns.find((c) => c.name === name);
    const fn = column?.default ? calledFunction(column.default.ast) : undefined;
    if (column && fn && functions.has(fn)) return { column, fn };
  }
  return undefined;
}

export const randomUuidPrimaryKeyOnHighVolume: Rule<RandomUuidPrimaryKeyOnHighVolumeOptions> = {
  id: 'random-uuid-primary-key-on-high-volume',
  name: 'RandomUuidPrimaryKeyOnHighVolume',
  defaultSeverity: 'warning',
  mode: 'both',
  fixSafety: [],
  precision: 'medium',
  tags: ['performance', 'index', 'uuid'],
  docs: {
    summary: 'A high-volume table\'s primary key is a random UUID (gen_random_uuid(), uuid_generate_v4()).',
    description:
      'Version 4 UUIDs are random, so consecutive inserts land on random leaf pages of the primary key\'s btree: the ' +
      'whole index must stay in memory to insert at speed, pages split and stay half empty, and after each ' +
      'checkpoint the first write to every page logs a full page image, which multiplies WAL. On a small table none ' +
      'of this shows; on a high-volume one it dominates insert cost. Time-ordered keys — UUIDv7 (`uuidv7()` in ' +
      'PostgreSQL 18, or an extension or the application before that) or a `bigint` identity — insert at the right ' +
      'edge of the index. High-volume comes from the same signals as `high-volume-table-not-partitioned`; with only ' +
      'the weakest (an append-only name) the finding is a `note`.',
    bad: [
      {
        title: 'The seed review\'s tool_executions',
        sql:
          'CREATE TABLE tool_executions (id uuid DEFAULT gen_random_uuid(), executed_at timestamptz DEFAULT now(),\n' +
          '    PRIMARY KEY (id, executed_at));',
      },
    ],
    good: [
      {
        title: 'A time-ordered key',
        sql: 'CREATE TABLE tool_executions (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, executed_at timestamptz DEFAULT now());',
      },
    ],
    fix:
      'None in the script: changing the default to a time-ordered generator (`ALTER TABLE … ALTER COLUMN id SET ' +
      'DEFAULT uuidv7()` on PostgreSQL 18, or an extension\'s function before that) is a one-line change that only ' +
      'affects new rows, but which generator exists depends on the server and its extensions.',
  },
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { ...HIGH_VOLUME_OPTION_PROPERTIES, randomFunctions: { type: 'array', items: { type: 'string' } } },
    required: [...HIGH_VOLUME_OPTION_NAMES, 'randomFunctions'],
  },
  defaultOptions: { ...DEFAULT_HIGH_VOLUME_THRESHOLDS, randomFunctions: ['gen_random_uuid', 'uuid_generate_v4'] },
  check(model, options) {
    const findings: RuleFinding[] = [];
    const functions = new Set(options.randomFunctions);
    for (const table of logicalTables(model)) {
      if (table.persistence === 'temporary') continue;
      const key = randomUuidKeyColumn(table, functions);
      if (!key) continue;
      const signal = strongestSignal(model, table, options);
      if (!signal) continue;
      findings.push({
        title: `${qualify(table.schema, table.name)}.${key.column.name}: random UUID primary key on a high-volume table`,
        message:
          `Table ${qualify(table.schema, table.name)} is high-volume (${describeHighVolumeSignal(signal)}), and its primary key column ${key.column.name} ` +
          `defaults to ${key.fn}(), a random UUID: every insert writes to a random page of the key's index. ` +
          'Use a time-ordered key (UUIDv7, or a bigint identity).',
        object: { kind: 'column', schema: table.schema, name: table.name, column: key.column.name },
        origin: key.column.origin,
        severity: signal.kind === 'shape' ? 'note' : undefined,
      });
    }
    return findings;
  },
};
