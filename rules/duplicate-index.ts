/**
 * duplicate-index: two valid indexes on one table with the same method, key list (columns or expressions, operator
 * classes, directions), INCLUDE columns and predicate. Every write maintains both, and the planner uses one.
 */
import { logicalTables, qualify } from '../src/model/model.js';
import type { Index, SchemaModel, Table } from '../src/model/types.js';
import type { Rule, RuleFinding } from '../src/engine/types.js';
import { dropIndexFix, indexDetail } from './index-overlap/drop-fix.js';
import { indexesOf, keyText, predicateText, qualifiedIndexName, tablesWithReportingRoot } from './index-overlap/shape.js';

export type DuplicateIndexOptions = Record<string, never>;

function signature(index: Index): string {
  return [index.method, index.keys.map(keyText).join(','), [...index.include].sort().join(','), predicateText(index)].join('\u0000');
}

/**
 * Which index of a group stays: the one that is hardest to drop or does the most. A primary key, then an index
 * backing a constraint, then one attached to a partitioned parent index (it cannot be dropped on its own), then a
 * unique index (it enforces something the others do not), then the oldest.
 */
function keepRank(index: Index): number {
  if (index.primary) return 0;
  if (index.constraint) return 1;
  if (index.parent) return 2;
  if (index.unique) return 3;
  return 4;
}

function describe(index: Index): string {
  const what = index.primary ? 'primary key' : index.constraint ? `constraint ${index.constraint}` : index.unique ? 'unique index' : 'index';
  const attached = index.parent ? `, attached to ${index.parent}` : '';
  return `${qualifiedIndexName(index)} (${what}${attached})`;
}

function messageFor(root: Table, table: Table, dropped: Index, keeper: Index): string {
  const where = table === root ? `table ${qualify(root.schema, root.name)}` : `partition ${qualify(table.schema, table.name)} of ${qualify(root.schema, root.name)}`;
  const sentences = [
    `Index ${describe(dropped)} on ${where} has the same definition as ${describe(keeper)}.`,
    'Every write maintains both; queries use one.',
  ];
  if (dropped.parent) {
    sentences.push(`It is attached to ${dropped.parent} and cannot be dropped on its own: drop the other index, or the parent index if the partitioned table does not need it.`);
  } else if (dropped.unique && !keeper.unique) {
    sentences.push('It is unique and the other is not: drop the other one instead if the uniqueness matters.');
  }
  return sentences.join(' ');
}

function duplicatesOn(model: SchemaModel, table: Table, root: Table): RuleFinding[] {
  const groups = new Map<string, Index[]>();
  for (const index of indexesOf(model, table)) {
    if (!index.valid) continue;
    const key = signature(index);
    const group = groups.get(key);
    if (group) group.push(index);
    else groups.set(key, [index]);
  }
  const findings: RuleFinding[] = [];
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    // A stable sort keeps creation order among equals, so the oldest stays.
    const ordered = [...group].sort((a, b) => keepRank(a) - keepRank(b));
    const keeper = ordered[0];
    for (const dropped of ordered.slice(1)) {
      // Two indexes a partitioned parent keeps in place: neither can go alone; the parent's own pair is reported.
      if (dropped.parent && keeper.parent) continue;
      findings.push({
        title: `${qualify(root.schema, root.name)}: index ${indexDetail(dropped, root.schema)} duplicates ${indexDetail(keeper, root.schema)}`,
        message: messageFor(root, table, dropped, keeper),
        object: { kind: 'index', schema: root.schema, name: root.name, detail: indexDetail(dropped, root.schema) },
        origin: dropped.origin,
        fix: dropIndexFix(model, dropped, keeper),
      });
    }
  }
  return findings;
}

export const duplicateIndex: Rule<DuplicateIndexOptions> = {
  id: 'duplicate-index',
  name: 'DuplicateIndex',
  defaultSeverity: 'warning',
  mode: 'both',
  fixSafety: ['review'],
  precision: 'very-high',
  tags: ['performance', 'index'],
  docs: {
    summary: 'Two indexes on a table have the same definition.',
    description:
      'Two valid indexes with the same method, the same keys (columns or expressions, operator classes, sort ' +
      'directions), the same INCLUDE columns and the same predicate are one index stored twice: every INSERT and ' +
      'UPDATE writes both, vacuum scans both, and the planner picks one. A common source is a UNIQUE constraint on ' +
      'the primary key column, or an index created by hand beside the one a constraint or a partitioned parent ' +
      'already made. Uniqueness does not count in the comparison: a plain index beside a unique one on the same ' +
      'keys is the duplicate. Indexes on partitions are reported through the partitioned table. Invalid indexes are ' +
      'left to `invalid-index`.',
    bad: [
      {
        title: 'A unique index on the primary key column (hatchet has 45 of these)',
        sql: 'CREATE TABLE "APIToken" (id uuid PRIMARY KEY, name text);\nCREATE UNIQUE INDEX "APIToken_id_key" ON "APIToken" (id);',
      },
      {
        title: 'An index created by hand beside the one the partitioned parent gives every partition',
        sql:
          'CREATE TABLE payment (id bigint, customer_id int, paid_at date) PARTITION BY RANGE (paid_at);\n' +
          "CREATE TABLE payment_2026_01 PARTITION OF payment FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');\n" +
          'CREATE INDEX ON payment (customer_id);\n' +
          'CREATE INDEX idx_fk_payment_2026_01_customer_id ON payment_2026_01 (customer_id);',
      },
    ],
    good: [
      {
        title: 'Different keys, or the same keys with different predicates',
        sql:
          'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, status text);\n' +
          'CREATE INDEX orders_customer_id_idx ON orders (customer_id);\n' +
          "CREATE INDEX orders_customer_id_open_idx ON orders (customer_id) WHERE status = 'open';",
      },
    ],
    fix:
      'Drops the duplicate, keeping (in this order) a primary key, an index that backs a constraint, one attached ' +
      'to a partitioned parent index, a unique index, else the oldest: `DROP INDEX CONCURRENTLY IF EXISTS …`, or ' +
      '`ALTER TABLE … DROP CONSTRAINT IF EXISTS …` when the duplicate backs a constraint (the notes name foreign keys ' +
      'that may depend on it). An index attached to a parent index is never dropped. The fix is `review`: dropping ' +
      'an index changes no data, but it removes an object someone made, which a hint, a monitoring job or a later ' +
      'migration may name; a DBA should confirm before it goes.',
  },
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  defaultOptions: {},
  check(model) {
    const findings: RuleFinding[] = [];
    for (const { table, root } of tablesWithReportingRoot(model, logicalTables(model))) findings.push(...duplicatesOn(model, table, root));
    return findings;
  },
};
