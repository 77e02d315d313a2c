/**
 * Live mode's sequence figures, read with the columns (one query for all, so the query count stays constant): for
 * each column a sequence fills (serial's owned sequence, deptype 'a', or an identity's, deptype 'i'), how far the
 * sequence has gone and where it stops. DDL cannot know this, so it is kept apart from the model facts both sources
 * must agree on, like table statistics.
 *
 * `pg_sequence_last_value` needs SELECT or USAGE on the sequence; without it the value stays unknown rather than
 * failing the run. It is read only for columns narrower than bigint (or of another type): a bigint column cannot run
 * out before its sequence does, so how far that sequence has gone is nothing a rule reads (int4-primary-key looks at
 * smallint and integer keys). Each read opens the sequence (a relcache entry built and a lock held until the read
 * ends, ~30 µs in a fresh backend): with an identity key on every table, reading them all was a third of the
 * columns query at 10,000 tables, and one lock per sequence in one transaction can exhaust the lock table.
 */
import type { Column } from '../../model/types.js';

/**
 * Select-list entries; `a` is the column's pg_attribute row, `seq_used` the join below. The sequence's position is
 * read here, per output row, so only sequences of columns actually read are opened (not those of other schemas).
 */
export const SEQUENCE_COLUMNS = `seq_used.schema AS seq_schema, seq_used.name AS seq_name,
       CASE WHEN seq_used.oid IS NOT NULL AND a.atttypid <> 'pg_catalog.int8'::pg_catalog.regtype
                 AND has_sequence_privilege(seq_used.oid, 'SELECT,USAGE')
            THEN pg_catalog.pg_sequence_last_value(seq_used.oid)::text END AS seq_last_value,
       seq_used.max_value AS seq_max_value, seq_used.increment AS seq_increment`;

/**
 * The sequence that fills each column, for all columns at once (one hash join) rather than a lateral probe of
 * pg_depend per column (73,000 probes at 10,000 tables). A column that owns several sequences (ALTER SEQUENCE …
 * OWNED BY twice) gets the oldest.
 */
export const SEQUENCE_JOIN = `
LEFT JOIN (
  SELECT DISTINCT ON (d.refobjid, d.refobjsubid) d.refobjid AS relid, d.refobjsubid AS attnum,
         s.oid, sn.nspname AS schema, s.relname AS name, seq.seqmax::text AS max_value, seq.seqincrement::text AS increment
  FROM pg_catalog.pg_depend d
  JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S'
  JOIN pg_catalog.pg_namespace sn ON sn.oid = s.relnamespace
  JOIN pg_catalog.pg_sequence seq ON seq.seqrelid = s.oid
  WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
    AND d.deptype IN ('a', 'i')
  ORDER BY d.refobjid, d.refobjsubid, s.oid) seq_used ON seq_used.relid = a.attrelid AND seq_used.attnum = a.attnum`;

export interface SequenceColumnsRow {
  seq_schema?: string | null;
  seq_name?: string | null;
  seq_last_value?: string | null;
  seq_max_value?: string | null;
  seq_increment?: string | null;
}

/** int8 values arrive as text; past 2^53 a Number loses precision, which a percentage does not notice. */
export function applySequenceUsage(column: Column, row: SequenceColumnsRow): void {
  if (!row.seq_schema || !row.seq_name || !row.seq_max_value) return;
  column.sequenceUsage = {
    sequence: `${row.seq_schema}.${row.seq_name}`,
    lastValue: row.seq_last_value == null ? undefined : Number(row.seq_last_value),
    maxValue: Number(row.seq_max_value),
    increment: Number(row.seq_increment ?? 1),
  };
}
