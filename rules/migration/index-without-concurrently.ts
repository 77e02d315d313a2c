/** CREATE INDEX without CONCURRENTLY on a table that existed before the migration: writes wait for the whole build. */
import { fixObjectName, joinNameParts, choosePostgresName, qualifiedIdent, quoteIdent } from '../../src/fix/sql.js';
import { deparseNode } from '../../src/sql/expression.js';
import type { SchemaModel, Table } from '../../src/model/types.js';
import { rewriteFix, sizeSignal, tableObject } from './common.js';
import { migrationRule, type MigrationContext } from './types.js';
import { present, type PgNodeOf } from '../../src/sql/pg-node.js';

const LOCK = 'SHARE';

export const TRANSACTION_NOTE =
  'CONCURRENTLY cannot run inside a transaction block: diesel needs `run_in_transaction = false` in the migration\'s ' +
  'metadata.toml, dbmate `-- migrate:up transaction:false`, Flyway `executeInTransaction=false` in the script\'s .conf, ' +
  'golang-migrate one statement per file (or no BEGIN/COMMIT around it).';

type IndexStmt = PgNodeOf<'IndexStmt'>;

function indexSql(node: IndexStmt, changes: IndexStmt): string {
  return `${deparseNode({ IndexStmt: { ...node, ...changes } })};`;
}

function keyNames(node: IndexStmt): string[] {
  return (node.indexParams ?? []).map((param) => param.IndexElem?.name ?? 'expr');
}

/** PostgreSQL's recipe for a partitioned parent: an index ON ONLY the parent, built per partition, then attached. */
function partitionedRecipe(node: IndexStmt, table: Table, model: SchemaModel, ctx: MigrationContext): string[] {
  const taken = new Set<string>();
  const isTaken = (schema: string) => (name: string) => taken.has(`${schema}.${name}`) || ctx.nameTaken(schema, name);
  const parentName = node.idxname ?? choosePostgresName(table.name, joinNameParts(keyNames(node)), 'idx', isTaken(table.schema));
  taken.add(`${table.schema}.${parentName}`);
  // The parse tree says ON ONLY by leaving `inh` out (the deparser reads it that way too).
  const onlyRelation = { ...node.relation };
  delete onlyRelation.inh;
  const sql = [indexSql(node, { idxname: parentName, relation: onlyRelation, concurrent: false, if_not_exists: true })];
  for (const key of table.partitions) {
    const partition = model.tables.get(key);
    if (!partition) continue;
    const name = fixObjectName([partition.name, ...keyNames(node)], 'idx', isTaken(partition.schema));
    taken.add(`${partition.schema}.${name}`);
    sql.push(indexSql(node, { idxname: name, relation: { schemaname: partition.schema, relname: partition.name, inh: true, relpersistence: 'p' }, concurrent: true, if_not_exists: true }));
    sql.push(`ALTER INDEX ${qualifiedIdent(table.schema, parentName)} ATTACH PARTITION ${qualifiedIdent(partition.schema, name)};`);
  }
  return sql;
}

export const indexWithoutConcurrently = migrationRule({
  id: 'index-without-concurrently',
  name: 'IndexWithoutConcurrently',
  defaultSeverity: 'warning',
  precision: 'very-high',
  tags: ['migration', 'locking'],
  lock: LOCK,
  docs: {
    summary: 'CREATE INDEX without CONCURRENTLY on a table that already exists blocks every write until the index is built',
    description:
      `A plain \`CREATE INDEX\` takes a **${LOCK}** lock on the table: reads go on, but every INSERT, UPDATE and DELETE ` +
      'waits until the whole table has been read and sorted — minutes on a big table. `CREATE INDEX CONCURRENTLY` takes ' +
      'SHARE UPDATE EXCLUSIVE instead, which lets writes through, at the price of two table scans. A table created in the ' +
      'same migration is empty and unseen by the application, so it is not reported. On a partitioned parent ' +
      'CONCURRENTLY is rejected; the recipe is an index `ON ONLY` the parent, a concurrent build per partition, and ' +
      '`ALTER INDEX … ATTACH PARTITION`.',
    bad: [{ title: 'index on an existing table', sql: 'CREATE INDEX orders_customer_id_idx ON orders (customer_id);' }],
    good: [
      { title: 'built concurrently', sql: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx ON orders (customer_id);' },
      { title: 'table created by the same migration', sql: 'CREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint);\nCREATE INDEX ON refunds (order_id);' },
    ],
    fix: `\`CREATE INDEX CONCURRENTLY IF NOT EXISTS\` (re-runnable: a failed concurrent build leaves an invalid index to drop). ${TRANSACTION_NOTE}`,
  },
  checkStatement(statement, before, ctx) {
    if (statement.kind !== 'IndexStmt' || statement.node.concurrent) return [];
    const node = statement.node;
    const relation = present(node.relation, 'IndexStmt.relation');
    const table = ctx.findTable(relation);
    if (!table || !ctx.existedBefore(table)) return [];
    // `ON ONLY` a partitioned parent builds nothing: it is the first step of the safe recipe.
    if (table.kind === 'partitioned' && !relation.inh) return [];
    const { escalate, size } = sizeSignal(table, ctx);
    const partitioned = table.kind === 'partitioned';
    const sql = partitioned ? partitionedRecipe(node, table, before, ctx) : [indexSql(node, { concurrent: true, if_not_exists: Boolean(node.idxname) })];
    const name = node.idxname ?? `(${keyNames(node).join(', ')})`;
    return [
      {
        message:
          `CREATE INDEX ${node.idxname ? `${quoteIdent(node.idxname)} ` : ''}on ${table.schema}.${table.name}${size} without CONCURRENTLY takes a ${LOCK} lock: ` +
          'inserts, updates and deletes wait until the whole index is built',
        object: tableObject(table, { kind: 'index', detail: name }),
        origin: statement.origin,
        escalate,
        fix: rewriteFix(sql, [partitioned ? 'CONCURRENTLY is rejected on a partitioned table: index ON ONLY the parent, build each partition\'s index concurrently, attach it.' : 'Replace the statement with the concurrent build.', TRANSACTION_NOTE], true),
      },
    ];
  },
});
