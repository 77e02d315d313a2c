/**
 * jsonb-without-gin-index: containment (`@>`), key-existence (`?`, `?|`, `?&`) and jsonpath (`@?`, `@@`) operators on
 * jsonb are served only by GIN indexes; without one, each such query reads the whole table and decompresses every
 * document.
 */
import { createIndexFix, NameReservations, REPAIR_NOTE } from '../src/fix/create-index.js';
import { fixWithLazySql } from '../src/fix/lazy-sql.js';
import { quoteIdent } from '../src/fix/sql.js';
import { matchesAny } from '../src/engine/patterns.js';
import { descendantPartitions, indexesOf } from '../src/model/model.js';
import type { Index, SchemaModel } from '../src/model/types.js';
import type { Fix, Rule, RuleFinding } from '../src/engine/types.js';
import { columnDisplayName, columnSubject, jsonbColumns, type JsonbColumn } from './jsonb/columns.js';

export type JsonbOpclass = 'jsonb_path_ops' | 'jsonb_ops';

export interface JsonbWithoutGinIndexOptions {
  /** Operator class of the index the fix creates. */
  opclass: JsonbOpclass;
  /** Tables whose jsonb columns are known to be searched (object patterns): reported at the configured level. */
  tables: string[];
  /** Tables with at least this many rows (live stats or `--stats`) are reported at the configured level. */
  minRows: number;
}

/**
 * Whether a GIN index pays off depends on queries the tool cannot see: without evidence that the column is searched
 * at scale, the finding is a note (a suggestion), not a warning a team must clear on day one.
 */
function workloadEvidence(jsonb: JsonbColumn, options: JsonbWithoutGinIndexOptions): string | undefined {
  const { table } = jsonb;
  if (matchesAny(options.tables, table.schema, table.name)) return 'the table is listed in the option `tables`';
  const rows = table.stats?.estimatedRows;
  if (rows !== undefined && rows >= options.minRows) return `the table holds about ${rows.toLocaleString('en-US')} rows`;
  return undefined;
}

/** The index has the column as a key, or a key expression that reads it (`(payload -> 'type')`). */
function indexReadsColumn(index: Index, column: string): boolean {
  return index.keys.some((key) => key.column === column || (key.expression?.columns.includes(column) ?? false));
}

export function ginIndexCoversColumn(index: Index, column: string): boolean {
  return index.method === 'gin' && index.valid && indexReadsColumn(index, column);
}

/** An index on a partition the fix can attach instead of building a new one: the same definition as the fix's. */
function sameAsFixIndex(index: Index, column: string, opclass: JsonbOpclass): boolean {
  if (index.method !== 'gin' || index.predicate || index.include.length > 0 || index.keys.length !== 1) return false;
  const [key] = index.keys;
  const keyOpclass = key.opclass ?? 'jsonb_ops';
  return key.column === column && keyOpclass === opclass;
}

function qualifiedName(schema: string, name: string): string {
  return `${schema}.${name}`;
}

/** Why the indexes that do read the column do not count, so the reader does not go looking for them. */
function explainNearMisses(indexes: Index[], column: string): string[] {
  const sentences: string[] = [];
  const invalid = indexes.filter((index) => index.method === 'gin' && !index.valid && indexReadsColumn(index, column));
  if (invalid.length) {
    sentences.push(
      `GIN index ${invalid.map((index) => qualifiedName(index.schema, index.name)).join(', ')} on it is invalid ` +
        '(a failed concurrent build, or an ON ONLY index whose partitions are not all attached), so queries cannot use it.',
    );
  }
  const otherMethods = indexes.filter((index) => index.method !== 'gin' && indexReadsColumn(index, column));
  if (otherMethods.length) {
    sentences.push(
      `${otherMethods.map((index) => `${qualifiedName(index.schema, index.name)} (${index.method})`).join(', ')} ` +
        `${otherMethods.length === 1 ? 'serves' : 'serve'} only comparisons of the indexed value itself, not containment or key-existence queries.`,
    );
  }
  return sentences;
}

function describeMissingIndex(model: SchemaModel, jsonb: JsonbColumn, indexes: Index[]): string {
  const { table, column } = jsonb;
  const sentences = [
    `${columnSubject(jsonb)} has no GIN index.`,
    'Containment (@>), key-existence (?, ?|, ?&) and jsonpath (@?, @@) queries on it read the whole table.',
    ...explainNearMisses(indexes, column.name),
  ];
  if (table.kind === 'partitioned') {
    const withOwn = descendantPartitions(model, table).filter((partition) =>
      indexesOf(model, partition).some((index) => !index.parent && ginIndexCoversColumn(index, column.name)),
    );
    if (withOwn.length) {
      sentences.push(
        `Partitions with their own GIN index on it: ${withOwn.map((p) => qualifiedName(p.schema, p.name)).join(', ')}; ` +
          'the parent has none, so other and future partitions have none.',
      );
    }
  }
  return sentences.join(' ');
}

function keySql(column: string, opclass: JsonbOpclass): string {
  // jsonb_ops is jsonb's default operator class; naming it would only make the definition differ from pg_dump's.
  return opclass === 'jsonb_ops' ? quoteIdent(column) : `${quoteIdent(column)} ${opclass}`;
}

function fixNotes(jsonb: JsonbColumn, opclass: JsonbOpclass): string[] {
  const notes =
    jsonb.table.kind === 'partitioned'
      ? ["Builds each partition's index concurrently, then attaches it; the parent index becomes valid when the last partition is attached."]
      : ['CREATE INDEX CONCURRENTLY does not block writes; it cannot run inside a transaction block.'];
  notes.push(
    opclass === 'jsonb_path_ops'
      ? 'jsonb_path_ops is smaller and faster for @>, @? and @@ but does not serve the key-existence operators ?, ?| and ?&; use the option opclass: "jsonb_ops" if queries need them.'
      : 'jsonb_ops serves every jsonb operator (@>, ?, ?|, ?&, @?, @@); jsonb_path_ops is smaller and faster when only @>, @? and @@ are used.',
  );
  notes.push(REPAIR_NOTE);
  return notes;
}

/**
 * Written as a plan to review when nothing shows the column is searched: a GIN index costs every write that touches
 * the column (hatchet's schema alone has 59 jsonb columns and no evidence for any of them), so building one is a
 * decision about queries the script cannot make. With evidence, or over a failed build, it is a safe statement.
 */
const NO_EVIDENCE_NOTE =
  'Nothing shows this column is searched: a GIN index slows every write to it. Build it when queries use @>, ?, @? or @@ on the column; until then it is a plan, not a statement.';

function ginFix(model: SchemaModel, jsonb: JsonbColumn, opclass: JsonbOpclass, names: NameReservations, safety: 'safe' | 'review'): Fix {
  const column = jsonb.column.name;
  const created = createIndexFix(
    model,
    jsonb.table,
    {
      nameParts: [column],
      suffix: 'gin_idx',
      keySql: keySql(column, opclass),
      method: 'gin',
      reusable: (index) => sameAsFixIndex(index, column, opclass),
    },
    names,
  );
  const notes = fixNotes(jsonb, opclass);
  return fixWithLazySql(created, { safety, concurrently: created.concurrently, notes: safety === 'review' ? [NO_EVIDENCE_NOTE, ...notes] : notes });
}

function checkColumn(model: SchemaModel, jsonb: JsonbColumn, options: JsonbWithoutGinIndexOptions, names: NameReservations): RuleFinding | undefined {
  const { table, column } = jsonb;
  const indexes = indexesOf(model, table);
  if (indexes.some((index) => ginIndexCoversColumn(index, column.name))) return undefined;
  const evidence = workloadEvidence(jsonb, options);
  const invalid = indexes.some((index) => index.method === 'gin' && !index.valid && indexReadsColumn(index, column.name));
  return {
    title: `${columnDisplayName(jsonb)}: no ${invalid ? 'valid ' : ''}GIN index`,
    message: `${describeMissingIndex(model, jsonb, indexes)}${evidence ? ` Reported at the configured level: ${evidence}.` : ''}`,
    // An invalid GIN index is a failed build, not a guess about queries: it stays at the configured level.
    severity: evidence || invalid ? undefined : 'note',
    object: { kind: 'column', schema: table.schema, name: table.name, column: column.name },
    origin: column.origin,
    fix: ginFix(model, jsonb, options.opclass, names, evidence || invalid ? 'safe' : 'review'),
  };
}

export const jsonbWithoutGinIndex: Rule<JsonbWithoutGinIndexOptions> = {
  id: 'jsonb-without-gin-index',
  name: 'JsonbWithoutGinIndex',
  defaultSeverity: 'warning',
  fixSafety: ['safe', 'review'],
  precision: 'medium',
  tags: ['performance', 'jsonb', 'index'],
  docs: {
    summary: 'A jsonb column has no GIN index.',
    description:
      'Containment (`@>`), key-existence (`?`, `?|`, `?&`) and jsonpath (`@?`, `@@`) operators on jsonb can use only ' +
      'a GIN index; without one, every such query reads and decompresses every document in the table. A column is ' +
      'covered by a valid GIN index whose key is the column (any operator class) or an expression that reads it, ' +
      "such as `((payload -> 'type'))`. A btree index on `(payload ->> 'k')` serves equality on that one key only, " +
      'so it does not count. Columns of a domain over jsonb count as jsonb. On a partitioned table the parent must ' +
      'have the index, so that every partition, present and future, has one. Columns that are only ever read whole ' +
      'need no index: suppress the finding for those.\n\n' +
      'Whether the index pays off depends on the queries, which a schema does not show. So the finding is a `note` ' +
      'unless there is evidence the column is searched at scale: the table is listed in option `tables`, or holds at ' +
      'least `minRows` rows (default 100,000) by live statistics or `--stats`. Then it is reported at the configured ' +
      'level (default `warning`). An invalid GIN index on the column (a failed build) is always reported at that level.',
    bad: [
      {
        title: 'No index on events.payload',
        sql: "CREATE TABLE events (id bigint PRIMARY KEY, payload jsonb NOT NULL DEFAULT '{}');",
      },
      {
        title: 'A btree on one extracted key does not serve containment queries',
        sql:
          "CREATE TABLE events (id bigint PRIMARY KEY, payload jsonb NOT NULL DEFAULT '{}');\n" +
          "CREATE INDEX events_payload_kind_idx ON events ((payload ->> 'kind'));",
      },
    ],
    good: [
      {
        title: 'A GIN index on the column',
        sql:
          "CREATE TABLE events (id bigint PRIMARY KEY, payload jsonb NOT NULL DEFAULT '{}');\n" +
          'CREATE INDEX events_payload_gin_idx ON events USING gin (payload jsonb_path_ops);',
      },
      {
        title: 'A GIN index on an expression over the column',
        sql:
          "CREATE TABLE events (id bigint PRIMARY KEY, payload jsonb NOT NULL DEFAULT '{}');\n" +
          "CREATE INDEX events_payload_tags_idx ON events USING gin ((payload -> 'tags'));",
      },
    ],
    fix:
      '`CREATE INDEX CONCURRENTLY IF NOT EXISTS <table>_<column>_gin_idx ON <table> USING gin (<column> jsonb_path_ops)`, ' +
      'which does not block writes (option `opclass: "jsonb_ops"` for an index that also serves `?`, `?|` and `?&`). ' +
      'On a partitioned table: `CREATE INDEX … ON ONLY <parent>`, a concurrent build on each partition, and ' +
      '`ALTER INDEX … ATTACH PARTITION` for each. A taken name gets a number. The fix-up script must run outside a ' +
      'transaction block. The build is a `safe` statement when the finding is reported at the configured level ' +
      '(evidence of a searched table, or an invalid GIN index); for a `note` it is a plan to review, written as a ' +
      'comment, since a GIN index nobody queries only slows every write.',
  },
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      opclass: { type: 'string', enum: ['jsonb_path_ops', 'jsonb_ops'] },
      tables: { type: 'array', items: { type: 'string' } },
      minRows: { type: 'number', minimum: 0 },
    },
    required: ['opclass', 'tables', 'minRows'],
  },
  defaultOptions: { opclass: 'jsonb_path_ops', tables: [], minRows: 100_000 },
  check(model, options) {
    const names = new NameReservations();
    const findings: RuleFinding[] = [];
    for (const jsonb of jsonbColumns(model)) {
      const finding = checkColumn(model, jsonb, options, names);
      if (finding) findings.push(finding);
    }
    return findings;
  },
};
