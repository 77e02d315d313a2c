/**
 * redundant-index: a btree index whose keys are a leading part of another btree index's keys, with the same
 * predicate. The longer index answers every lookup and ordering the shorter one does.
 */
import { logicalTables, qualify } from '../src/model/model.js';
import type { Index, SchemaModel, Table } from '../src/model/types.js';
import type { Rule, RuleFinding } from '../src/engine/types.js';
import { dropIndexFix, indexDetail } from './index-overlap/drop-fix.js';
import { coveredColumns, indexesOf, keysArePrefix, predicateText, qualifiedIndexName, tablesWithReportingRoot } from './index-overlap/shape.js';

export type RedundantIndexOptions = Record<string, never>;

/**
 * The shorter index can go when it enforces nothing (not unique, backs no constraint), can be dropped alone (not
 * attached to a parent index), and the longer one returns every column it does (INCLUDE columns for index-only scans).
 */
function droppableShorter(index: Index): boolean {
  return index.valid && index.method === 'btree' && !index.unique && !index.constraint && !index.parent;
}

function coveringIndex(shorter: Index, candidates: Index[]): Index | undefined {
  const predicate = predicateText(shorter);
  return candidates.find((longer) => {
    if (longer === shorter || !longer.valid || longer.method !== 'btree' || predicateText(longer) !== predicate) return false;
    if (!keysArePrefix(shorter, longer)) return false;
    const covered = coveredColumns(longer);
    return shorter.include.every((column) => covered.has(column));
  });
}

function redundantOn(model: SchemaModel, table: Table, root: Table): RuleFinding[] {
  const indexes = indexesOf(model, table);
  const findings: RuleFinding[] = [];
  for (const shorter of indexes) {
    if (!droppableShorter(shorter)) continue;
    const longer = coveringIndex(shorter, indexes);
    if (!longer) continue;
    const where = table === root ? `table ${qualify(root.schema, root.name)}` : `partition ${qualify(table.schema, table.name)} of ${qualify(root.schema, root.name)}`;
    findings.push({
      title: `${qualify(root.schema, root.name)}: index ${indexDetail(shorter, root.schema)} is covered by ${indexDetail(longer, root.schema)}`,
      message:
        `Index ${qualifiedIndexName(shorter)} on ${where} is redundant: its keys lead ${qualifiedIndexName(longer)}, ` +
        'which has the same predicate and serves the same lookups and orderings. Every write maintains both.',
      object: { kind: 'index', schema: root.schema, name: root.name, detail: indexDetail(shorter, root.schema) },
      origin: shorter.origin,
      fix: dropIndexFix(model, shorter, longer),
    });
  }
  return findings;
}

export const redundantIndex: Rule<RedundantIndexOptions> = {
  id: 'redundant-index',
  name: 'RedundantIndex',
  defaultSeverity: 'note',
  mode: 'both',
  fixSafety: ['review'],
  precision: 'high',
  tags: ['performance', 'index'],
  docs: {
    summary: "A btree index's keys are the leading keys of another btree index with the same predicate.",
    description:
      'A btree index on `(a)` answers nothing that a valid btree index on `(a, b)` with the same predicate does not: ' +
      'lookups on `a`, ranges on `a` and `ORDER BY a` all use the longer index. The shorter index still costs a ' +
      'write on every INSERT and every UPDATE of `a`. Not reported: unique indexes and indexes that back a constraint ' +
      '(they enforce something), indexes attached to a partitioned parent index, indexes whose INCLUDE columns the ' +
      'longer index does not return, and exact duplicates (`duplicate-index`). Keys compare with their operator ' +
      'class and direction. The default level is `note`: the shorter index is smaller, and on a very hot lookup it ' +
      'can be kept on purpose.',
    bad: [
      {
        title: 'An index on customer_id beside one on (customer_id, created_at)',
        sql:
          'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, created_at timestamptz);\n' +
          'CREATE INDEX orders_customer_id_idx ON orders (customer_id);\n' +
          'CREATE INDEX orders_customer_id_created_at_idx ON orders (customer_id, created_at);',
      },
    ],
    good: [
      {
        title: 'Different predicates, a unique prefix, a different leading column',
        sql:
          'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, code text, status text);\n' +
          "CREATE INDEX orders_open_customer_idx ON orders (customer_id) WHERE status = 'open';\n" +
          'CREATE INDEX orders_customer_status_idx ON orders (customer_id, status);\n' +
          'CREATE UNIQUE INDEX orders_code_key ON orders (code);\n' +
          'CREATE INDEX orders_code_status_idx ON orders (code, status);',
      },
    ],
    fix:
      '`DROP INDEX CONCURRENTLY IF EXISTS <shorter index>` (a plain `DROP INDEX` for an index on a partitioned table). ' +
      '`review`: it removes an object someone made; confirm no hint or job names it and that the longer index is not ' +
      'about to be dropped itself.',
  },
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  defaultOptions: {},
  check(model) {
    const findings: RuleFinding[] = [];
    for (const { table, root } of tablesWithReportingRoot(model, logicalTables(model))) findings.push(...redundantOn(model, table, root));
    return findings;
  },
};
