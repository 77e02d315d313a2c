/**
 * Why a table counts as high-volume, strongest signal first: measured figures (live stats or a stats file), the
 * config naming it, then (weakest) an append-only time-series shape.
 */
import { matchesAny } from '../../src/engine/patterns.js';
import { baseTypeOf } from '../../src/model/model.js';
import type { Column, SchemaModel, Table } from '../../src/model/types.js';
import type { PgNode } from '../../src/sql/pg-node.js';

export interface HighVolumeThresholds {
  minRows: number;
  minBytes: number;
  minInsertsPerDay: number;
  tables: string[];
  namePatterns: string[];
}

export type Signal =
  | { kind: 'stats'; reasons: string[] }
  | { kind: 'config'; pattern: string }
  | { kind: 'shape'; pattern: string; column: string };

const DAY_SECONDS = 86_400;
const TIME_TYPES = new Set(['timestamp', 'timestamptz']);


const NOW_FUNCTIONS = new Set(['now', 'clock_timestamp', 'statement_timestamp', 'transaction_timestamp']);
const NOW_VALUE_FUNCTIONS = new Set(['SVFOP_CURRENT_TIMESTAMP', 'SVFOP_CURRENT_TIMESTAMP_N', 'SVFOP_LOCALTIMESTAMP', 'SVFOP_LOCALTIMESTAMP_N']);

/** `'now'::text`: cast on to a timestamp at run time, it is the current time (an old idiom pg_dump keeps). */
function isNowText(node: PgNode): boolean {
  const cast = node.TypeCast;
  const type = cast?.typeName?.names?.map((n) => n.String?.sval).pop();
  return type === 'text' && cast?.arg?.A_Const?.sval?.sval === 'now';
}

/** `now()`, `CURRENT_TIMESTAMP`, … as a default, looking through casts (`now()::timestamp` as the catalog prints some). */
export function isNowDefault(ast: unknown): boolean {
  let node = ast as PgNode | undefined;
  while (node?.TypeCast) {
    if (isNowText(node)) return true;
    node = node.TypeCast.arg;
  }
  if (!node) return false;
  if (node.SQLValueFunction) return NOW_VALUE_FUNCTIONS.has(node.SQLValueFunction.op ?? '');
  const call = node.FuncCall;
  if (!call || call.args?.length) return false;
  const names = (call.funcname ?? []).map((n) => n.String?.sval);
  const name = names[names.length - 1];
  return name !== undefined && NOW_FUNCTIONS.has(name) && (names.length === 1 || names[0] === 'pg_catalog');
}

export function isTimestampColumn(model: SchemaModel, column: Column): boolean {
  const type = baseTypeOf(model, column.type);
  return type.schema === 'pg_catalog' && type.arrayDims === 0 && TIME_TYPES.has(type.name);
}

/** The candidate partition key: the timestamp column with a now() default, else the first timestamp column. */
export function candidateKey(model: SchemaModel, table: Table): { column: Column; nowDefault: boolean } | undefined {
  const timestamps = table.columns.filter((c) => isTimestampColumn(model, c) && !c.generated);
  const withNow = timestamps.find((c) => c.default && isNowDefault(c.default.ast));
  if (withNow) return { column: withNow, nowDefault: true };
  return timestamps[0] && { column: timestamps[0], nowDefault: false };
}

const number = (n: number): string => Math.round(n).toLocaleString('en-US');

function bytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit ? value.toFixed(1) : value} ${units[unit]}`;
}

/** Measured figures over the thresholds. The insert rate needs a known window of at least a day. */
function statsReasons(table: Table, t: HighVolumeThresholds): string[] {
  const stats = table.stats;
  if (!stats) return [];
  const reasons: string[] = [];
  if (stats.estimatedRows !== undefined && stats.estimatedRows >= t.minRows) {
    reasons.push(`about ${number(stats.estimatedRows)} rows (minRows ${number(t.minRows)})`);
  }
  if (stats.totalBytes !== undefined && stats.totalBytes >= t.minBytes) {
    reasons.push(`${bytes(stats.totalBytes)} on disk (minBytes ${bytes(t.minBytes)})`);
  }
  const window = stats.statsWindowSeconds;
  if (stats.inserts !== undefined && window !== undefined && window >= DAY_SECONDS) {
    const perDay = stats.inserts / (window / DAY_SECONDS);
    if (perDay >= t.minInsertsPerDay) {
      reasons.push(`about ${number(perDay)} inserts a day over ${number(window / DAY_SECONDS)} days (minInsertsPerDay ${number(t.minInsertsPerDay)})`);
    }
  }
  return reasons;
}

export function strongestSignal(model: SchemaModel, table: Table, t: HighVolumeThresholds): Signal | undefined {
  const reasons = statsReasons(table, t);
  if (reasons.length) return { kind: 'stats', reasons };
  const configured = t.tables.find((pattern) => matchesAny([pattern], table.schema, table.name));
  if (configured) return { kind: 'config', pattern: configured };
  const namePattern = t.namePatterns.find((pattern) => matchesAny([pattern], table.schema, table.name));
  if (!namePattern) return undefined;
  const key = candidateKey(model, table);
  if (!key?.nowDefault) return undefined;
  return { kind: 'shape', pattern: namePattern, column: key.column.name };
}
