/** A dotted name (`schema.table` or `table`) as the parser's RangeVar shape, for the builder's lookups. */
import type { PgNodeOf } from '../../sql/pg-node.js';

export function rangeVarOf(parts: string[]): PgNodeOf<'RangeVar'> {
  return parts.length > 1 ? { schemaname: parts[parts.length - 2], relname: parts[parts.length - 1] } : { relname: parts[0] };
}
