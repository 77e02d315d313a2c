/**
 * Objects dropped while the catalog was being read. pg_get_expr, pg_get_indexdef and friends look objects up in
 * the catalog caches, which see the newest state rather than the query's snapshot: for an object dropped meanwhile
 * they raise an error (see isConcurrentCatalogChange) or return NULL. A NULL where the catalog row says there is
 * something to print is the second case; the read is then retried like the first.
 */
import type { CatalogRows } from './rows.js';

export class CatalogChanged extends Error {}

/** The first object whose printed form came back NULL, described for the error message; undefined when none. */
export function vanishedObject(rows: CatalogRows): string | undefined {
  for (const rel of rows.relations) {
    if (rel.is_partition && rel.bound === null) return `partition ${rel.schema}.${rel.name}`;
    if (rel.part_strategy && (rel.part_attnums ?? []).includes(0) && rel.part_exprs === null) return `table ${rel.schema}.${rel.name}`;
  }
  for (const con of rows.constraints) if (con.type === 'c' && con.check_expr === null) return `constraint ${con.name}`;
  for (const index of rows.indexes) {
    const printed = index.opclasses !== null || index.definition !== null;
    const expressionMissing = index.attnums.some((num, k) => k < index.key_count && num === 0 && (index.key_texts[k] ?? null) === null);
    if (!printed || expressionMissing) return `index ${index.schema}.${index.name}`;
  }
  for (const fn of rows.functions) if (fn.body === null) return `function ${fn.schema}.${fn.name}`;
  return undefined;
}
