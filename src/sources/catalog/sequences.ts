/**
 * Live mode's sequence figures: for each column filled by a sequence (serial's owned sequence, deptype 'a', or an
 * identity's, deptype 'i'), how far the sequence has gone and where it stops. DDL cannot know this, so it is kept
 * apart from the model facts both sources must agree on, like table statistics.
 *
 * `pg_sequence_last_value` needs SELECT or USAGE on the sequence; without it the value stays unknown rather than
 * failing the run.
 */
import { qualify } from '../../model/model.js';
import type { SchemaModel } from '../../model/types.js';

export const SEQUENCE_USAGE = `
SELECT tn.nspname AS table_schema, t.relname AS table_name, a.attname AS column_name,
       sn.nspname AS sequence_schema, s.relname AS sequence_name,
       CASE WHEN has_sequence_privilege(s.oid, 'SELECT,USAGE') THEN pg_catalog.pg_sequence_last_value(s.oid)::text END AS last_value,
       seq.seqmax::text AS max_value, seq.seqincrement::text AS increment
FROM pg_catalog.pg_depend d
JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S'
JOIN pg_catalog.pg_namespace sn ON sn.oid = s.relnamespace
JOIN pg_catalog.pg_sequence seq ON seq.seqrelid = s.oid
JOIN pg_catalog.pg_class t ON t.oid = d.refobjid AND t.relkind IN ('r', 'p')
JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
  AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
  AND tn.nspname !~ '^pg_' AND tn.nspname <> 'information_schema'`;

export interface SequenceUsageRow {
  table_schema: string;
  table_name: string;
  column_name: string;
  sequence_schema: string;
  sequence_name: string;
  last_value: string | null;
  max_value: string;
  increment: string;
}

/** int8 values arrive as text; past 2^53 a Number loses precision, which a percentage does not notice. */
export function applySequenceUsage(model: SchemaModel, rows: SequenceUsageRow[]): SchemaModel {
  for (const row of rows) {
    const column = model.tables.get(qualify(row.table_schema, row.table_name))?.columns.find((c) => c.name === row.column_name);
    if (!column) continue;
    column.sequenceUsage = {
      sequence: qualify(row.sequence_schema, row.sequence_name),
      lastValue: row.last_value === null ? undefined : Number(row.last_value),
      maxValue: Number(row.max_value),
      increment: Number(row.increment),
    };
  }
  return model;
}
