/**
 * Partition-aware, lock-aware index creation. `CONCURRENTLY` is rejected on a partitioned parent, so there the fix
 * is PostgreSQL's documented recipe: an invalid index `ON ONLY` the parent, a concurrent build per partition, and
 * `ALTER INDEX … ATTACH PARTITION` for each; the parent index turns valid when the last partition is attached.
 */
import { indexesOf, qualify, relationNameTaken } from '../model/model.js';
import type { Index, SchemaModel, Table } from '../model/types.js';
import { fixObjectName, qualifiedIdent, quoteIdent, quoteLiteral } from './sql.js';

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

/**
 * An index fix: its names are chosen (and reserved) when the rule runs, in rule order; its SQL is written from them
 * each time `sql` is read. A big schema has tens of thousands of these fixes (~1.5 KB of SQL each, mostly the repair
 * block) and a report reads each once, so the text is not kept for the whole run.
 */
export interface IndexFix {
  readonly sql: string;
  concurrently: boolean;
  name: string;
}

/** What an index fix builds, decided when the rule runs. */
interface IndexPlan {
  schema: string;
  table: string;
  name: string;
  /** ` USING gin`, or empty for btree. */
  using: string;
  keySql: string;
  /** A plain table: the name a failed build's leftover is renamed to before the concurrent build. */
  aside?: string;
  /** A partitioned table: per partition, the index to build (undefined: an existing one is attached) and its name. */
  partitions?: Array<{ schema: string; build?: IndexPlan; attach: string }>;
}

class PlannedIndexFix implements IndexFix {
  constructor(
    readonly plan: IndexPlan,
    readonly concurrently: boolean,
  ) {}
  get name(): string {
    return this.plan.name;
  }
  get sql(): string {
    return indexPlanSql(this.plan);
  }
}

/** Said once in the fix-up script (as a note, not a comment in each fix's SQL). */
export const REPAIR_NOTE =
  'Before each concurrent build, a DO block renames aside an INVALID index of the same name (left by a failed build, e.g. a lock_timeout) and DROP INDEX CONCURRENTLY removes it, so running the script again rebuilds it instead of skipping it; a valid index is never touched.';

function chooseName(model: SchemaModel, table: Table, spec: IndexSpec, reservations: NameReservations): string {
  // An invalid index under our name is what a failed CREATE INDEX CONCURRENTLY leaves: the repair step before the
  // build drops it, so the name is ours again.
  const naturalTaken = (name: string): boolean => {
    if (!reservations.isTaken(model, table.schema, name)) return false;
    const existing = model.indexes.get(qualify(table.schema, name));
    return !(existing && !existing.valid && !existing.partitioned && existing.table === qualify(table.schema, table.name));
  };
  const name = fixObjectName([table.name, ...spec.nameParts], spec.suffix, naturalTaken);
  reservations.reserve(table.schema, name);
  return name;
}

/** A dollar-quote tag that does not occur in the body, so no name inside it can end the quote. */
function dollarQuote(body: string): string {
  let tag = 'repair';
  for (let n = 1; body.includes(`$${tag}$`); n++) tag = `repair${n}`;
  return `$${tag}$${body}$${tag}$`;
}

/**
 * Statements that remove what a failed `CREATE INDEX CONCURRENTLY` of this name left behind: an INVALID index,
 * which `IF NOT EXISTS` would otherwise skip forever. `DROP INDEX CONCURRENTLY` cannot run inside a function or DO
 * block, and a plain DROP would take an ACCESS EXCLUSIVE lock on the table; so a DO block renames the index aside
 * only when `pg_index.indisvalid` is false (a rename takes SHARE UPDATE EXCLUSIVE, like the build itself), and a
 * `DROP INDEX CONCURRENTLY IF EXISTS` of the aside name follows: it finds nothing unless the index was invalid.
 * The aside name is free in the model, so no valid index can be dropped by it. Plain SQL, so the script keeps
 * working with `psql -v ON_ERROR_STOP=1` and with any other client.
 */
export function repairInvalidIndexSql(model: SchemaModel, schema: string, name: string, reservations: NameReservations): string {
  return repairSql(schema, name, reserveRepairName(model, schema, name, reservations));
}

/** The aside name of repairInvalidIndexSql, reserved. */
function reserveRepairName(model: SchemaModel, schema: string, name: string, reservations: NameReservations): string {
  // A leftover of an earlier repair (renamed, then its DROP failed) is invalid too: its name is reused, so it goes.
  const aside = fixObjectName([name], 'invalid', (candidate) => {
    const existing = model.indexes.get(qualify(schema, candidate));
    return reservations.isTaken(model, schema, candidate) && !(existing && !existing.valid && !existing.partitioned);
  });
  reservations.reserve(schema, aside);
  return aside;
}

function repairSql(schema: string, name: string, aside: string): string {
  const target = qualifiedIdent(schema, name);
  // The index is looked up by its names as text literals, not through to_regclass(): a name that needs U&"…"
  // quoting is not something regclass input can parse, and the repair must work for every name.
  const body =
    ' BEGIN IF EXISTS (SELECT FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid' +
    ' JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace' +
    ` WHERE n.nspname = ${quoteLiteral(schema)} AND c.relname = ${quoteLiteral(name)} AND NOT i.indisvalid) THEN ` +
    `EXECUTE ${quoteLiteral(`ALTER INDEX ${target} RENAME TO ${quoteIdent(aside)}`)}; END IF; END `;
  return [
    `DO ${dollarQuote(body)};`,
    `DROP INDEX CONCURRENTLY IF EXISTS ${qualifiedIdent(schema, aside)};`,
  ].join('\n');
}

function indexPlanSql(plan: IndexPlan): string {
  const target = qualifiedIdent(plan.schema, plan.table);
  if (plan.aside !== undefined) {
    return [
      repairSql(plan.schema, plan.name, plan.aside),
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS ${quoteIdent(plan.name)} ON ${target}${plan.using} (${plan.keySql});`,
    ].join('\n');
  }
  const statements = [`CREATE INDEX IF NOT EXISTS ${quoteIdent(plan.name)} ON ONLY ${target}${plan.using} (${plan.keySql});`];
  for (const partition of plan.partitions ?? []) {
    if (partition.build) statements.push(indexPlanSql(partition.build));
    statements.push(`ALTER INDEX ${qualifiedIdent(plan.schema, plan.name)} ATTACH PARTITION ${qualifiedIdent(partition.schema, partition.attach)};`);
  }
  return statements.join('\n');
}

function using(spec: IndexSpec): string {
  return spec.method === 'btree' ? '' : ` USING ${spec.method}`;
}

export function createIndexFix(model: SchemaModel, table: Table, spec: IndexSpec, reservations: NameReservations): IndexFix & { plan: IndexPlan } {
  const name = chooseName(model, table, spec, reservations);
  const plan: IndexPlan = { schema: table.schema, table: table.name, name, using: using(spec), keySql: spec.keySql };
  if (table.kind !== 'partitioned') {
    plan.aside = reserveRepairName(model, table.schema, name, reservations);
    return new PlannedIndexFix(plan, true);
  }
  const partitions: NonNullable<IndexPlan['partitions']> = (plan.partitions = []);
  let concurrently = false;
  for (const partitionKey of table.partitions) {
    const partition = model.tables.get(partitionKey);
    if (!partition) continue;
    const canReuse = spec.reusable;
    const reusable = canReuse ? indexesOf(model, partition).find((index) => !index.parent && index.valid && canReuse(index)) : undefined;
    if (reusable) {
      partitions.push({ schema: partition.schema, attach: reusable.name });
    } else {
      const child = createIndexFix(model, partition, spec, reservations);
      concurrently ||= child.concurrently;
      partitions.push({ schema: partition.schema, build: child.plan, attach: child.name });
    }
  }
  return new PlannedIndexFix(plan, concurrently);
}
