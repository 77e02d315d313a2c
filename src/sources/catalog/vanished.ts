/**
 * Objects dropped while the catalog was being read. pg_get_expr, pg_get_indexdef and friends look objects up in
 * the catalog caches, which see the newest state rather than the query's snapshot: for an object dropped meanwhile
 * they raise an error (see isConcurrentCatalogChange) or return NULL. A NULL where the catalog row says there is
 * something to print is the second case; the read is then retried like the first. The checks are per row, so the
 * read can apply them as rows arrive.
 */
import type { ConstraintRow, FunctionRow, IndexRow, RelationRow } from './rows.js';

export class CatalogChanged extends Error {}

/** Each check: the object described for the error message when its printed form came back NULL, else undefined. */
export function vanishedRelation(rel: RelationRow): string | undefined {
  if (rel.is_partition && rel.bound === null) return `partition ${rel.schema}.${rel.name}`;
  if (rel.part_strategy && (rel.part_attnums ?? []).includes(0) && rel.part_exprs === null) return `table ${rel.schema}.${rel.name}`;
  return undefined;
}

export function vanishedConstraint(con: ConstraintRow): string | undefined {
  return con.type === 'c' && con.check_expr === null ? `constraint ${con.name}` : undefined;
}

export function vanishedIndex(index: IndexRow): string | undefined {
  const printed = index.opclasses !== null || index.definition !== null;
  const expressionMissing = index.attnums.some((num, k) => k < index.key_count && num === 0 && (index.key_texts[k] ?? null) === null);
  return !printed || expressionMissing ? `index ${index.schema}.${index.name}` : undefined;
}

export function vanishedFunction(fn: FunctionRow): string | undefined {
  return fn.body === null ? `function ${fn.schema}.${fn.name}` : undefined;
}
