/**
 * Fixes whose SQL is written when it is read. A big schema has tens of thousands of index fixes (~1 KB of SQL each,
 * mostly the repair block) and a run reads each one once or twice (the report, the fix-up script), so holding every
 * text from the rules to the end of the run cost more memory than anything else in the findings.
 *
 * The fix keeps `sql` as its first own, enumerable property — an accessor — so JSON, spread copies and equality
 * see the same object as before. The accessor is one shared function that reads the writer from a non-enumerable
 * symbol property: a getter made per object (an object literal's `get sql()`) turns every fix into a dictionary-mode
 * object, ~400 bytes more each than the text it saves.
 */
import type { Fix } from '../engine/types.js';

/** Anything that writes SQL when `sql` is read (an index fix, create-index.ts). */
export interface SqlWriter {
  readonly sql: string;
}

const WRITER = Symbol('sql writer');

function readSql(this: { [WRITER]: SqlWriter }): string {
  return this[WRITER].sql;
}

const SQL_ACCESSOR: PropertyDescriptor = { get: readSql, enumerable: true, configurable: true };

/** A fix whose `sql` is `writer.sql`, read afresh each time; `rest` gives the other fields, in order. */
export function fixWithLazySql(writer: SqlWriter, rest: Omit<Fix, 'sql'>): Fix {
  const fix = {};
  Object.defineProperty(fix, 'sql', SQL_ACCESSOR);
  Object.defineProperty(fix, WRITER, { value: writer });
  return Object.assign(fix, rest) as Fix;
}
