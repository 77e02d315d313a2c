/** DROP INDEX without CONCURRENTLY on an existing table: it waits for, then blocks, every query on the table. */
import { qualifiedIdent } from '../../src/fix/sql.js';
import type { Index } from '../../src/model/types.js';
import { rewriteFix, sizeSignal, strings, tableObject } from './common.js';
import { migrationRule, type MigrationFinding } from './types.js';

const LOCK = 'ACCESS EXCLUSIVE';

export const dropIndexWithoutConcurrently = migrationRule({
  id: 'drop-index-without-concurrently',
  name: 'DropIndexWithoutConcurrently',
  defaultSeverity: 'warning',
  precision: 'high',
  tags: ['migration', 'locking'],
  lock: LOCK,
  docs: {
    summary: 'DROP INDEX without CONCURRENTLY on an existing table blocks reads and writes of the table',
    description:
      `A plain DROP INDEX takes an **${LOCK}** lock on the index's table: it waits behind every running query on the ` +
      'table, and every query that arrives meanwhile (reads included) waits behind it. `DROP INDEX CONCURRENTLY` waits ' +
      'for those queries without blocking new ones. It drops one index per statement, runs outside a transaction block, ' +
      'and PostgreSQL does not support it on a partitioned table\'s index or with CASCADE: those cases are not reported.',
    bad: [{ title: 'a plain drop on an existing table', sql: 'CREATE TABLE orders (id bigint, customer_id bigint);\nCREATE INDEX orders_customer_idx ON orders (customer_id);\n-- a later migration:\nDROP INDEX orders_customer_idx;' }],
    good: [{ title: 'dropped concurrently', sql: 'DROP INDEX CONCURRENTLY IF EXISTS orders_customer_idx;' }],
    fix: 'One `DROP INDEX CONCURRENTLY IF EXISTS` per index, outside a transaction (most migration tools need the migration marked non-transactional).',
  },
  checkStatement(statement, before, ctx) {
    if (statement.kind !== 'DropStmt') return [];
    const node = statement.node;
    if (node.removeType !== 'OBJECT_INDEX' || node.concurrent || node.behavior === 'DROP_CASCADE') return [];
    const findings: MigrationFinding[] = [];
    for (const object of node.objects ?? []) {
      const names = strings(object.List?.items);
      const relname = names[names.length - 1];
      if (!relname) continue;
      const index: Index | undefined = ctx.findIndex(names.length > 1 ? { schemaname: names[names.length - 2], relname } : { relname });
      // An index that backs a constraint cannot be dropped at all (PostgreSQL refuses); a partitioned one has no concurrent form.
      if (!index || index.constraint || index.partitioned) continue;
      const table = before.tables.get(index.table);
      if (!table || !ctx.existedBefore(table)) continue;
      const { escalate, size } = sizeSignal(table, ctx);
      findings.push({
        title: `${table.schema}.${table.name}: DROP INDEX ${index.name} without CONCURRENTLY`,
        message:
          `DROP INDEX ${index.schema}.${index.name} on ${table.schema}.${table.name}${size} takes ${LOCK} on the table: it waits behind ` +
          'running queries and blocks every read and write that arrives meanwhile',
        object: tableObject(table, { kind: 'index', detail: index.name }),
        origin: statement.origin,
        escalate,
        fix: rewriteFix(
          [`DROP INDEX CONCURRENTLY IF EXISTS ${qualifiedIdent(index.schema, index.name)};`],
          ['CONCURRENTLY cannot run inside a transaction block: run it on its own (mark the migration non-transactional).'],
          true,
        ),
      });
    }
    return findings;
  },
});
