/**
 * table-without-primary-key: a logical table with no primary key. Rows cannot be addressed reliably, logical
 * replication cannot replicate its UPDATEs and DELETEs (without REPLICA IDENTITY FULL), and most tools that edit or
 * sync rows need one.
 */
import { indexesOf, logicalTables, qualify } from '../src/model/model.js';
import type { Index, SchemaModel, Table } from '../src/model/types.js';
import type { Fix, Rule, RuleFinding } from '../src/engine/types.js';
import { matchesAny } from '../src/engine/patterns.js';
import { choosePostgresName, qualifiedIdent, quoteIdent } from '../src/fix/sql.js';
import { constraintNameTaken, relationNameTaken } from '../src/model/model.js';

export interface TableWithoutPrimaryKeyOptions {
  /** Tables that need no key (patterns): scratch, staging or log tables only ever appended to and scanned. */
  exclude: string[];
}

/**
 * A unique index PostgreSQL accepts for `ADD PRIMARY KEY USING INDEX`: btree, valid, no predicate, no expression,
 * default sort order, not already backing a constraint — over NOT NULL columns, so the command needs no table scan.
 */
function promotableIndex(model: SchemaModel, table: Table): Index | undefined {
  if (table.kind === 'partitioned') return undefined; // USING INDEX is refused on partitioned tables
  const notNull = new Set(table.columns.filter((c) => c.notNull).map((c) => c.name));
  const candidates = indexesOf(model, table).filter(
    (index) =>
      index.unique &&
      index.method === 'btree' &&
      index.valid &&
      !index.predicate &&
      !index.constraint &&
      !index.parent &&
      index.include.length === 0 &&
      index.keys.every((key) => key.column !== undefined && notNull.has(key.column) && !key.descending && !key.opclass),
  );
  // The narrowest key makes the cheapest primary key (and the smallest foreign keys that will point at it).
  return candidates.sort((a, b) => a.keys.length - b.keys.length)[0];
}

/** A UNIQUE constraint over NOT NULL columns: the key is already there under another name. */
function uniqueConstraintCandidate(table: Table): string | undefined {
  const notNull = new Set(table.columns.filter((c) => c.notNull).map((c) => c.name));
  return table.constraints.find((c) => c.kind === 'unique' && c.columns.every((col) => notNull.has(col)))?.name;
}

function promoteFix(model: SchemaModel, table: Table, index: Index): Fix {
  const name = choosePostgresName(table.name, undefined, 'pkey', (candidate) =>
    constraintNameTaken(model, table.schema, candidate) || (candidate !== index.name && relationNameTaken(model, table.schema, candidate)),
  );
  return {
    sql: `ALTER TABLE ${qualifiedIdent(table.schema, table.name)} ADD CONSTRAINT ${quoteIdent(name)} PRIMARY KEY USING INDEX ${quoteIdent(index.name)};`,
    safety: 'review',
    concurrently: false,
    notes: [
      `Promotes the unique index ${qualify(index.schema, index.name)} over NOT NULL columns to the primary key; PostgreSQL renames the index to ${name}. ` +
        'It takes a short ACCESS EXCLUSIVE lock and scans nothing.',
      'A primary key becomes the default replica identity for logical replication, and ORMs may start using it.',
    ],
  };
}

function messageFor(table: Table, index: Index | undefined, uniqueConstraint: string | undefined): string {
  const subject = `${table.kind === 'partitioned' ? 'Partitioned table' : 'Table'} ${qualify(table.schema, table.name)} has no primary key.`;
  const why = 'Rows cannot be addressed reliably, and logical replication cannot publish its UPDATEs and DELETEs without one.';
  if (index) return `${subject} ${why} Unique index ${index.name} over NOT NULL columns could become it.`;
  if (uniqueConstraint) return `${subject} ${why} UNIQUE constraint ${uniqueConstraint} over NOT NULL columns identifies rows already; make those columns the primary key.`;
  return `${subject} ${why} Add one (an identity column if no natural key exists).`;
}

export const tableWithoutPrimaryKey: Rule<TableWithoutPrimaryKeyOptions> = {
  id: 'table-without-primary-key',
  name: 'TableWithoutPrimaryKey',
  defaultSeverity: 'warning',
  mode: 'both',
  fixSafety: ['review'],
  precision: 'very-high',
  tags: ['correctness', 'replication'],
  docs: {
    summary: 'A table has no primary key.',
    description:
      'Without a primary key, duplicate rows can creep in unseen, a row cannot be addressed for a fix-up or a sync, ' +
      'and logical replication (publications, most CDC tools) refuses UPDATE and DELETE on the table unless it is set ' +
      'to `REPLICA IDENTITY FULL`, which logs whole rows. A partitioned table needs the key on the parent. Temporary ' +
      'tables are not reported. Tables a team keeps keyless on purpose (a staging copy) go in the `exclude` option.',
    bad: [
      {
        title: 'A table with a unique index but no primary key',
        sql: 'CREATE TABLE event_json (event_id text NOT NULL, json text NOT NULL);\nCREATE UNIQUE INDEX event_json_event_id_key ON event_json (event_id);',
      },
    ],
    good: [
      {
        title: 'An identity primary key',
        sql: 'CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload text NOT NULL);',
      },
    ],
    fix:
      'When a unique btree index over NOT NULL plain columns exists (no predicate, default order), the fix promotes it: ' +
      '`ALTER TABLE … ADD CONSTRAINT <table>_pkey PRIMARY KEY USING INDEX <index>` (`review`: a short ACCESS EXCLUSIVE ' +
      'lock, and the key becomes the replica identity). Otherwise there is no fix: only the team knows which columns ' +
      'identify a row.',
  },
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { exclude: { type: 'array', items: { type: 'string' } } },
    required: ['exclude'],
  },
  defaultOptions: { exclude: [] },
  check(model, options) {
    const findings: RuleFinding[] = [];
    for (const table of logicalTables(model)) {
      if (table.persistence === 'temporary') continue;
      if (table.constraints.some((c) => c.kind === 'primary')) continue;
      if (matchesAny(options.exclude, table.schema, table.name)) continue;
      const index = promotableIndex(model, table);
      findings.push({
        title: `${qualify(table.schema, table.name)}: no primary key${index ? ` (unique index ${index.name} could be one)` : ''}`,
        message: messageFor(table, index, index ? undefined : uniqueConstraintCandidate(table)),
        object: { kind: 'table', schema: table.schema, name: table.name },
        origin: table.origin,
        fix: index ? promoteFix(model, table, index) : undefined,
      });
    }
    return findings;
  },
};
