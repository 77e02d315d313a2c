/**
 * Partition-aware, lock-aware index creation. `CONCURRENTLY` is rejected on a partitioned parent, so there the fix
 * is PostgreSQL's documented recipe: an invalid index `ON ONLY` the parent, a concurrent build per partition, and
 * `ALTER INDEX … ATTACH PARTITION` for each; the parent index turns valid when the last partition is attached.
 */
import { indexesOf, qualify, relationNameTaken } from '../model/model.js';
import type { Index, SchemaModel, Table } from '../model/types.js';
import { fixObjectName, qualifiedIdent, quoteIdent } from './sql.js';

export interface IndexSpec {
  /** Column names the index name is made of. */
  nameParts: string[];
  /** Name suffix, e.g. `fk_idx`, `gin_idx`. */
  suffix: string;
  /** The key list as SQL, e.g. `"customer_id", "region"` or `payload jsonb_path_ops`. */
  keySql: string;
  method: 'btree' | 'gin' | 'brin';
  /** True when an existing index on a partition can be attached instead of building a new one. */
  reusable?: (index: Index) => boolean;
}

/** Names our fixes take during one run, so two fixes never pick the same free name. */
export class NameReservations {
  private readonly taken = new Set<string>();
  isTaken(model: SchemaModel, schema: string, name: string): boolean {
    return this.taken.has(qualify(schema, name)) || relationNameTaken(model, schema, name);
  }
  reserve(schema: string, name: string): void {
    this.taken.add(qualify(schema, name));
  }
}

export interface IndexFix {
  sql: string;
  concurrently: boolean;
  name: string;
}

function chooseName(model: SchemaModel, table: Table, spec: IndexSpec, reservations: NameReservations, preDrop: string[]): string {
  // An invalid index under our name is what a failed CREATE INDEX CONCURRENTLY leaves: drop it and build again.
  const naturalTaken = (name: string): boolean => {
    if (!reservations.isTaken(model, table.schema, name)) return false;
    const existing = model.indexes.get(qualify(table.schema, name));
    if (existing && !existing.valid && !existing.partitioned && existing.table === qualify(table.schema, table.name)) {
      preDrop.push(`DROP INDEX CONCURRENTLY IF EXISTS ${qualifiedIdent(table.schema, name)};`);
      return false;
    }
    return true;
  };
  const name = fixObjectName([table.name, ...spec.nameParts], spec.suffix, naturalTaken);
  reservations.reserve(table.schema, name);
  return name;
}

function using(spec: IndexSpec): string {
  return spec.method === 'btree' ? '' : ` USING ${spec.method}`;
}

export function createIndexFix(model: SchemaModel, table: Table, spec: IndexSpec, reservations: NameReservations): IndexFix {
  const statements: string[] = [];
  const name = chooseName(model, table, spec, reservations, statements);
  const target = qualifiedIdent(table.schema, table.name);
  if (table.kind !== 'partitioned') {
    statements.push(`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${quoteIdent(name)} ON ${target}${using(spec)} (${spec.keySql});`);
    return { sql: statements.join('\n'), concurrently: true, name };
  }
  statements.push(`CREATE INDEX IF NOT EXISTS ${quoteIdent(name)} ON ONLY ${target}${using(spec)} (${spec.keySql});`);
  let concurrently = false;
  for (const partitionKey of table.partitions) {
    const partition = model.tables.get(partitionKey);
    if (!partition) continue;
    const reusable = spec.reusable ? indexesOf(model, partition).find((index) => !index.parent && index.valid && spec.reusable!(index)) : undefined;
    let childName: string;
    if (reusable) {
      childName = reusable.name;
    } else {
      const child = createIndexFix(model, partition, spec, reservations);
      statements.push(child.sql);
      concurrently ||= child.concurrently;
      childName = child.name;
    }
    statements.push(`ALTER INDEX ${qualifiedIdent(table.schema, name)} ATTACH PARTITION ${qualifiedIdent(partition.schema, childName)};`);
  }
  return { sql: statements.join('\n'), concurrently, name };
}
