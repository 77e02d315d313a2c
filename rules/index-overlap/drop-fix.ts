/**
 * The fix both index rules share: drop the index that adds nothing. Written as `review`: it removes a user's
 * object, and a query plan, a hint or an ORM may name it.
 */
import { qualify } from '../../src/model/model.js';
import type { Index, SchemaModel } from '../../src/model/types.js';
import type { Fix } from '../../src/engine/types.js';
import { qualifiedIdent, quoteIdent } from '../../src/fix/sql.js';

/** Foreign keys whose referenced columns are exactly the constraint's columns: PostgreSQL may depend on its index. */
function referencingForeignKeys(model: SchemaModel, index: Index): string[] {
  const result: string[] = [];
  const columns = index.keys.map((key) => key.column ?? '');
  for (const table of model.tables.values()) {
    for (const constraint of table.constraints) {
      if (constraint.kind !== 'foreign') continue;
      const target = constraint.foreignKey;
      if (target.table !== index.table || constraint.inheritedFrom) continue;
      if (target.columns.length === columns.length && target.columns.every((c) => columns.includes(c))) {
        result.push(`${qualify(table.schema, table.name)}.${constraint.name}`);
      }
    }
  }
  return result;
}

/** Undefined when the index cannot be dropped on its own (it is attached to a partitioned parent index). */
export function dropIndexFix(model: SchemaModel, index: Index, keeper: Index): Fix | undefined {
  if (index.parent) return undefined;
  const notes: string[] = [
    `Keeps ${qualify(keeper.schema, keeper.name)}. Check first that no query hint, monitoring job or migration names the dropped index.`,
  ];
  if (index.constraint) {
    const table = model.tables.get(index.table);
    const fks = referencingForeignKeys(model, index);
    notes.push(
      `${qualify(index.schema, index.name)} backs constraint ${index.constraint}: the fix drops the constraint, which drops the index. ` +
        'Nothing is lost while the kept index enforces the same uniqueness.',
    );
    if (fks.length) {
      notes.push(
        `Foreign keys that reference these columns (${fks.join(', ')}) may depend on this index; PostgreSQL then refuses the drop. ` +
          'Re-create those foreign keys (NOT VALID, then VALIDATE) after dropping, or keep this constraint and drop the other index.',
      );
    }
    const [schema, name] = table ? [table.schema, table.name] : [index.schema, index.table];
    return {
      sql: `ALTER TABLE ${qualifiedIdent(schema, name)} DROP CONSTRAINT IF EXISTS ${quoteIdent(index.constraint)};`,
      safety: 'review',
      notes,
      concurrently: false,
    };
  }
  if (index.partitioned) {
    notes.push('An index on a partitioned table cannot be dropped CONCURRENTLY: DROP INDEX takes an ACCESS EXCLUSIVE lock on the table and its partitions for the drop.');
    return { sql: `DROP INDEX IF EXISTS ${qualifiedIdent(index.schema, index.name)};`, safety: 'review', notes, concurrently: false };
  }
  notes.push('DROP INDEX CONCURRENTLY does not block reads or writes; it cannot run inside a transaction block.');
  return { sql: `DROP INDEX CONCURRENTLY IF EXISTS ${qualifiedIdent(index.schema, index.name)};`, safety: 'review', notes, concurrently: true };
}

/** The index's name as a finding detail: qualified only when it lives in another schema than the reported table. */
export function indexDetail(index: Index, reportedSchema: string): string {
  return index.schema === reportedSchema ? index.name : qualify(index.schema, index.name);
}
