/**
 * Which column a DBA would partition an existing table by. It must be one existing rows already carry — a new
 * `created_at DEFAULT now()` would give every existing row the same value and put the whole history in one
 * partition. In order of preference:
 * 1. a timestamp or date column that defaults to the current time (the row's own creation time);
 * 2. another timestamp or date column, NOT NULL first;
 * 3. an integer column holding epoch time (`origin_server_ts`, `received_ts`, `*_ms`, `*_epoch`, …): bigint as
 *    milliseconds, integer as seconds — synapse's `events` has no timestamp column at all, only these;
 * 4. an integer column fed by a sequence in insertion order (identity, `nextval()` default, or named like
 *    synapse's `stream_ordering`): partitions by value range instead of by time.
 * Within each class a NOT NULL column comes first: the key joins the primary key, so NULLs must be filled first.
 */
import { baseTypeOf } from '../../src/model/model.js';
import type { Column, SchemaModel, Table } from '../../src/model/types.js';
import { isNowDefault } from './signals.js';

export type PartitionKeyKind = 'timestamp' | 'epoch-ms' | 'epoch-s' | 'sequence';

export interface PartitionKeyChoice {
  column: Column;
  kind: PartitionKeyKind;
  /** The SQL type name (`timestamptz`, `date`, `int8`). */
  type: string;
  nowDefault: boolean;
  /** Why this column, in a sentence. */
  reason: string;
  /** Other columns that could serve, for the message. */
  alternatives: string[];
}

const TIME_TYPES = new Set(['timestamp', 'timestamptz', 'date']);
const INTEGER_TYPES = new Set(['int8', 'int4']);
const EPOCH_NAME = /(^|_)(ts|epoch|ms|millis|milliseconds|unix|time|timestamp)$|_ts_|_at_ms$|_time_ms$/i;
const SEQUENCE_NAME = /(^|_)(ordering|seq|sequence|serial)$/i;

function isSequenceFed(column: Column): boolean {
  if (column.identity) return true;
  const text = column.default?.text ?? '';
  return /\bnextval\s*\(/i.test(text);
}

export function choosePartitionKey(model: SchemaModel, table: Table): PartitionKeyChoice | undefined {
  const candidates: Array<{ column: Column; kind: PartitionKeyKind; type: string; rank: number; nowDefault: boolean; reason: string }> = [];
  for (const column of table.columns) {
    if (column.generated) continue;
    const type = baseTypeOf(model, column.type);
    if (type.schema !== 'pg_catalog' || type.arrayDims !== 0) continue;
    const nullRank = column.notNull ? 0 : 1;
    if (TIME_TYPES.has(type.name)) {
      const nowDefault = Boolean(column.default && isNowDefault(column.default.ast));
      candidates.push({
        column, kind: 'timestamp', type: type.name, nowDefault, rank: (nowDefault ? 0 : 10) + nullRank,
        reason: nowDefault ? 'it records when each row was inserted (its default is the current time)' : `it is a ${type.name} column every row carries`,
      });
    } else if (INTEGER_TYPES.has(type.name) && EPOCH_NAME.test(column.name)) {
      const kind = type.name === 'int8' ? 'epoch-ms' : 'epoch-s';
      candidates.push({
        column, kind, type: type.name, nowDefault: false, rank: 20 + nullRank,
        reason: `its name says epoch time (${kind === 'epoch-ms' ? 'milliseconds, a bigint' : 'seconds, an integer'}), so old data can go a time range at a time`,
      });
    } else if (INTEGER_TYPES.has(type.name) && (isSequenceFed(column) || SEQUENCE_NAME.test(column.name))) {
      candidates.push({
        column, kind: 'sequence', type: type.name, nowDefault: false, rank: 30 + nullRank + (isSequenceFed(column) ? 0 : 2),
        reason: 'it grows with every insert (fed by a sequence), so value ranges follow insertion order',
      });
    }
  }
  candidates.sort((a, b) => a.rank - b.rank);
  const best = candidates.at(0);
  const rest = candidates.slice(1);
  if (!best) return undefined;
  return {
    column: best.column,
    kind: best.kind,
    type: best.type,
    nowDefault: best.nowDefault,
    reason: best.reason,
    alternatives: rest.map((c) => `${c.column.name} (${c.kind === 'timestamp' ? c.type : c.kind})`),
  };
}
