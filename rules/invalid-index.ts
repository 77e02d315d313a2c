/**
 * invalid-index: an index PostgreSQL does not use. A failed `CREATE INDEX CONCURRENTLY` (a duplicate key, a
 * deadlock, a cancelled session) leaves one behind: invisible to queries, yet maintained on every write. An index
 * created `ON ONLY` a partitioned table stays invalid until every partition has an index attached.
 */
import { indexesOf, logicalTables, qualify } from '../src/model/model.js';
import type { Index, SchemaModel, Table } from '../src/model/types.js';
import type { Fix, Rule, RuleFinding } from '../src/engine/types.js';
import { qualifiedIdent } from '../src/fix/sql.js';
import { tablesWithReportingRoot } from './index-overlap/shape.js';

export type InvalidIndexOptions = Record<string, never>;

function reindexFix(index: Index): Fix {
  return {
    sql: `REINDEX INDEX CONCURRENTLY ${qualifiedIdent(index.schema, index.name)};`,
    safety: 'safe',
    concurrently: true,
    notes: [
      'Rebuilds the index without blocking writes (PostgreSQL 12+); it cannot run inside a transaction block.',
      'If the build failed on the data (a duplicate key for a unique index), the rebuild fails the same way: fix the data first, or DROP INDEX CONCURRENTLY it if it is not needed.',
    ],
  };
}

/** Partitions (direct) of the index's table that have no index attached to it. */
function partitionsMissing(model: SchemaModel, table: Table, index: Index): string[] {
  const key = qualify(index.schema, index.name);
  const missing: string[] = [];
  for (const partitionKey of table.partitions) {
    const partition = model.tables.get(partitionKey);
    if (!partition) continue;
    const attached = indexesOf(model, partition).find((child) => child.parent === key);
    if (!attached) missing.push(partitionKey);
    else if (!attached.valid && attached.partitioned) missing.push(...partitionsMissing(model, partition, attached));
  }
  return missing;
}

function checkIndex(model: SchemaModel, table: Table, root: Table, index: Index): RuleFinding | undefined {
  if (index.valid) return undefined;
  const where = table === root ? `table ${qualify(root.schema, root.name)}` : `partition ${qualify(table.schema, table.name)} of ${qualify(root.schema, root.name)}`;
  const object = { kind: 'index' as const, schema: root.schema, name: root.name, detail: index.schema === root.schema ? index.name : qualify(index.schema, index.name) };
  if (index.partitioned) {
    const missing = partitionsMissing(model, table, index);
    // An invalid partitioned index below another one is the parent's story: report the top one only.
    if (index.parent) return undefined;
    return {
      title: `${qualify(root.schema, root.name)}: partitioned index ${object.detail} is invalid`,
      message:
        `Partitioned index ${qualify(index.schema, index.name)} on ${where} is invalid: ` +
        `${missing.length ? `no index is attached for ${missing.join(', ')}` : 'a partition index attached to it is invalid'}. ` +
        'Queries on the partitioned table cannot use it, and new partitions do not get it until it is complete. ' +
        'Build the missing partition indexes (CONCURRENTLY) and ALTER INDEX … ATTACH PARTITION each.',
      object,
      origin: index.origin,
    };
  }
  return {
    title: `${qualify(root.schema, root.name)}: index ${object.detail} is invalid`,
    message:
      `Index ${qualify(index.schema, index.name)} on ${where} is invalid (what a failed CREATE INDEX CONCURRENTLY leaves): ` +
      `queries cannot use it, yet every write still maintains it${index.unique ? ', and as a unique index it still rejects duplicate keys' : ''}.`,
    object,
    origin: index.origin,
    fix: reindexFix(index),
  };
}

export const invalidIndex: Rule<InvalidIndexOptions> = {
  id: 'invalid-index',
  name: 'InvalidIndex',
  defaultSeverity: 'warning',
  mode: 'both',
  fixSafety: ['safe'],
  precision: 'very-high',
  tags: ['performance', 'index'],
  docs: {
    summary: 'An index is invalid: queries cannot use it.',
    description:
      'Live mode reads `pg_index.indisvalid` (and `indisready`): a `CREATE INDEX CONCURRENTLY` or `REINDEX ' +
      'CONCURRENTLY` that failed — a duplicate key, a deadlock, a cancelled session — leaves an invalid index that ' +
      'queries ignore but every INSERT and UPDATE still maintains (a unique one still rejects duplicates). DDL files ' +
      'cannot show a failed build, but both modes see the other kind: an index created `ON ONLY` a partitioned table ' +
      '(pg_dump writes this) that stays invalid because some partition has no index attached to it. Indexes on ' +
      'partitions are reported through the partitioned table.',
    bad: [
      {
        title: 'An ON ONLY index whose partition never got an index attached',
        sql:
          'CREATE TABLE readings (id bigint, taken date) PARTITION BY RANGE (taken);\n' +
          "CREATE TABLE readings_2026 PARTITION OF readings FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');\n" +
          'CREATE INDEX readings_taken_idx ON ONLY readings (taken);',
      },
    ],
    good: [
      {
        title: 'The partition index attached',
        sql:
          'CREATE TABLE readings (id bigint, taken date) PARTITION BY RANGE (taken);\n' +
          "CREATE TABLE readings_2026 PARTITION OF readings FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');\n" +
          'CREATE INDEX readings_taken_idx ON ONLY readings (taken);\n' +
          'CREATE INDEX readings_2026_taken_idx ON readings_2026 (taken);\n' +
          'ALTER INDEX readings_taken_idx ATTACH PARTITION readings_2026_taken_idx;',
      },
    ],
    fix:
      'An invalid index on a table: `REINDEX INDEX CONCURRENTLY …` (`safe`: it does not block writes, and if the data ' +
      'still breaks it, it fails and changes nothing). An incomplete partitioned index: no fix; the message names the ' +
      'partitions that need an index attached.',
  },
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  defaultOptions: {},
  check(model) {
    const findings: RuleFinding[] = [];
    for (const { table, root } of tablesWithReportingRoot(model, logicalTables(model))) {
      for (const index of indexesOf(model, table)) {
        const finding = checkIndex(model, table, root, index);
        if (finding) findings.push(finding);
      }
    }
    return findings;
  },
};
