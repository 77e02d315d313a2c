/**
 * foreign-key-without-index: PostgreSQL indexes the referenced side of a foreign key (it must be unique) but not the
 * referencing side, so every DELETE or key UPDATE on the parent scans the child table, and joins along the key
 * cannot use an index.
 */
import { createIndexFix, REPAIR_NOTE, NameReservations, type IndexFix } from '../src/fix/create-index.js';
import { fixWithLazySql } from '../src/fix/lazy-sql.js';
import { columnList } from '../src/fix/sql.js';
import { descendantPartitions, indexesOf, logicalTables } from '../src/model/model.js';
import type { Expression, ForeignKeyConstraint, Index, SchemaModel, Table } from '../src/model/types.js';
import type { Rule, RuleFinding } from '../src/engine/types.js';
import type { PgNode } from '../src/sql/pg-node.js';

export interface ForeignKeyWithoutIndexOptions {
  /** `any`: the FK columns may lead the index in any order; `exact`: in the FK's order. */
  columnOrder: 'any' | 'exact';
}

/** A predicate PostgreSQL can still use for FK lookups: `col IS NOT NULL` over FK columns, ANDed. */
function predicateAllowsLookups(predicate: Expression | undefined, fkColumns: string[]): boolean {
  if (!predicate) return true;
  // Iterative: `a AND (b AND (c …))` nests one level per parenthesis, as deep as the predicate is long.
  const conjuncts: Array<PgNode | undefined> = [];
  for (const pending = [predicate.ast as PgNode | undefined]; pending.length > 0; ) {
    const node = pending.pop();
    if (node?.BoolExpr?.boolop === 'AND_EXPR') pending.push(...(node.BoolExpr.args ?? []).slice().reverse());
    else conjuncts.push(node);
  }
  return conjuncts.every((node) => {
    const test = node?.NullTest;
    if (!test || test.nulltesttype !== 'IS_NOT_NULL') return false;
    const fields = test.arg?.ColumnRef?.fields;
    const column = fields?.[fields.length - 1]?.String?.sval;
    return column !== undefined && fkColumns.includes(column);
  });
}

export function indexCoversForeignKey(index: Index, fkColumns: string[], columnOrder: 'any' | 'exact'): boolean {
  if (!index.valid) return false;
  const n = fkColumns.length;
  if (index.method !== 'btree' && !(index.method === 'hash' && n === 1)) return false;
  if (index.keys.length < n) return false;
  // The first n keys must be plain columns: the key's columns (in its order, or in any order and each once). A loop
  // rather than slices and a Set: this runs for every index of every table with a foreign key.
  for (let i = 0; i < n; i++) {
    const column = index.keys[i].column;
    if (column === undefined) return false;
    if (columnOrder === 'exact') {
      if (column !== fkColumns[i]) return false;
    } else {
      if (!fkColumns.includes(column)) return false;
      for (let j = 0; j < i; j++) if (index.keys[j].column === column) return false;
    }
  }
  return predicateAllowsLookups(index.predicate, fkColumns);
}

function describeColumns(columns: string[]): string {
  return `(${columns.join(', ')})`;
}

/**
 * `table` holds the foreign key; `logical` is the table findings are reported on: the same table, or the partitioned
 * parent of a partition that declares a foreign key of its own (pg_dump writes those for partitions made by hand).
 */
/** An index the fixes of this run build, by table: a shorter key it covers needs no index of its own. */
interface PlannedIndex {
  columns: string[];
  fk: string;
  fix: IndexFix;
}

/** The indexes this run's fixes build, by table (looked up per foreign key: a list of all of them was quadratic). */
type PlannedIndexes = Map<Table, PlannedIndex[]>;

function plannedCover(planned: PlannedIndexes, table: Table, columns: string[], order: ForeignKeyWithoutIndexOptions['columnOrder']): PlannedIndex | undefined {
  return planned.get(table)?.find((p) => {
    if (p.columns.length < columns.length) return false;
    const lead = p.columns.slice(0, columns.length);
    return order === 'exact' ? lead.every((c, i) => c === columns[i]) : lead.every((c) => columns.includes(c));
  });
}

function checkForeignKey(
  model: SchemaModel,
  table: Table,
  fk: ForeignKeyConstraint,
  options: ForeignKeyWithoutIndexOptions,
  names: NameReservations,
  planned: PlannedIndexes,
  logical: Table = table,
): RuleFinding | undefined {
  const covers = (index: Index): boolean => indexCoversForeignKey(index, fk.columns, options.columnOrder);
  if (indexesOf(model, table).some(covers)) return undefined;
  const tableName = logical === table ? `${table.schema}.${table.name}` : `partition ${table.schema}.${table.name} of ${logical.schema}.${logical.name}`;
  const target = fk.foreignKey.table;
  let message =
    `Foreign key ${fk.name} ${describeColumns(fk.columns)} on ${tableName} has no index that starts with its columns. ` +
    `Each DELETE or key UPDATE on ${target} scans ${logical === table ? tableName : `${table.schema}.${table.name}`} to check it, and joins along the key cannot use an index.`;
  if (table.kind === 'partitioned') {
    const covered = descendantPartitions(model, table).filter((partition) => indexesOf(model, partition).some(covers));
    if (covered.length) {
      message += ` Partitions with their own covering index: ${covered.map((p) => `${p.schema}.${p.name}`).join(', ')}; the parent has none, so new partitions will not get one.`;
    }
  }
  // Two keys on one table, (b1) and (b1, b2): the index for the longer one serves both, so it is built once and the
  // shorter key's fix is the same statement (a second index would be redundant at once).
  const sharedWith = plannedCover(planned, table, fk.columns, options.columnOrder);
  const fix = sharedWith?.fix ?? createIndexFix(
    model,
    table,
    {
      nameParts: fk.columns,
      suffix: 'fk_idx',
      keySql: columnList(fk.columns),
      method: 'btree',
      reusable: (index) =>
        index.method === 'btree' && !index.predicate && index.include.length === 0 && index.keys.length === fk.columns.length &&
        index.keys.every((key, i) => key.column === fk.columns[i] && !key.descending && !key.opclass),
    },
    names,
  );
  if (!sharedWith) {
    const onTable = planned.get(table);
    const entry = { columns: fk.columns, fk: fk.name, fix };
    if (onTable) onTable.push(entry);
    else planned.set(table, [entry]);
  }
  return {
    title: `${logical === table ? `${table.schema}.${table.name}` : `${logical.schema}.${logical.name} (partition ${table.name})`}: foreign key ${fk.name} ${describeColumns(fk.columns)} has no index`,
    message,
    object: { kind: 'constraint', schema: logical.schema, name: logical.name, detail: fk.name },
    origin: fk.origin,
    fix: fixWithLazySql(fix, {
      safety: 'safe',
      concurrently: fix.concurrently,
      target: { table: `${logical.schema}.${logical.name}`, kind: 'index' },
      notes: [
        table.kind === 'partitioned'
          ? 'Builds each partition\'s index concurrently, then attaches it; the parent index becomes valid when the last partition is attached.'
          : 'CREATE INDEX CONCURRENTLY does not block writes; it cannot run inside a transaction block.',
        REPAIR_NOTE,
        ...(sharedWith ? [`The index built for ${sharedWith.fk} starts with this key's columns too: the same statement serves both.`] : []),
      ],
    }),
  };
}

export const foreignKeyWithoutIndex: Rule<ForeignKeyWithoutIndexOptions> = {
  id: 'foreign-key-without-index',
  name: 'ForeignKeyWithoutIndex',
  defaultSeverity: 'warning',
  fixSafety: ['safe'],
  precision: 'very-high',
  tags: ['performance', 'locking', 'foreign-key', 'index'],
  docs: {
    summary: 'A foreign key has no index on its referencing columns.',
    description:
      'PostgreSQL requires a unique index on the referenced columns, but creates none on the referencing side. ' +
      'Without one, every DELETE or key UPDATE on the referenced table scans the referencing table (holding locks ' +
      'while it does), and joins along the key fall back to sequential scans. An index covers the key when it is a ' +
      'valid btree (or a hash index, for a one-column key) whose first key columns are exactly the foreign key\'s ' +
      'columns, with no expression among them, and no predicate other than `col IS NOT NULL` on those columns. ' +
      'On a partitioned table the parent must have the index, so that every partition, present and future, has one.',
    bad: [
      {
        title: 'No index on orders.customer_id',
        sql: 'CREATE TABLE customers (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id));',
      },
      {
        title: 'The key column is second in the index',
        sql:
          'CREATE TABLE customers (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY, placed_at date, customer_id bigint REFERENCES customers (id));\n' +
          'CREATE INDEX ON orders (placed_at, customer_id);',
      },
    ],
    good: [
      {
        title: 'An index that starts with the key',
        sql:
          'CREATE TABLE customers (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id));\n' +
          'CREATE INDEX orders_customer_id_idx ON orders (customer_id) WHERE customer_id IS NOT NULL;',
      },
    ],
    fix:
      '`CREATE INDEX CONCURRENTLY IF NOT EXISTS <table>_<columns>_fk_idx ON <table> (<columns>)`, which does not block ' +
      'writes. On a partitioned table: `CREATE INDEX … ON ONLY <parent>`, a concurrent build on each partition, and ' +
      '`ALTER INDEX … ATTACH PARTITION` for each. Names longer than 63 bytes are cut and given a short hash; a taken ' +
      'name gets a number. The fix-up script must run outside a transaction block.',
  },
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { columnOrder: { type: 'string', enum: ['any', 'exact'] } },
    required: ['columnOrder'],
  },
  defaultOptions: { columnOrder: 'any' },
  check(model, options) {
    const names = new NameReservations();
    const findings: RuleFinding[] = [];
    const planned: PlannedIndexes = new Map();
    // Longer keys first, so a key that leads another's planned index shares it.
    const foreignKeys = (t: Table): ForeignKeyConstraint[] =>
      t.constraints
        .filter((c): c is ForeignKeyConstraint => c.kind === 'foreign' && !c.inheritedFrom && c.columns.length > 0)
        .sort((a, b) => b.columns.length - a.columns.length);
    for (const table of logicalTables(model)) {
      for (const constraint of foreignKeys(table)) {
        const finding = checkForeignKey(model, table, constraint, options, names, planned);
        if (finding) findings.push(finding);
      }
      // A foreign key declared on a partition alone (not cloned from the parent) is reported through the parent.
      for (const partition of table.kind === 'partitioned' ? descendantPartitions(model, table) : []) {
        for (const constraint of foreignKeys(partition)) {
          const finding = checkForeignKey(model, partition, constraint, options, names, planned, table);
          if (finding) findings.push(finding);
        }
      }
    }
    return findings;
  },
};
