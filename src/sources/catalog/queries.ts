/**
 * The catalog queries of live mode: one per kind of object, whatever the number of tables, so a database with
 * 10,000 tables costs the same handful of round trips as one with ten. Columns that exist only in later
 * PostgreSQL versions are selected only when `server_version_num` says they exist (supported: 13 to 18).
 *
 * Every query skips system schemas (`pg_*`, `information_schema`) and objects that belong to an extension
 * (pg_depend deptype 'e'): an extension's tables and functions are the extension's business, and a DDL file only
 * says `CREATE EXTENSION`.
 *
 * A run limited to some schemas (config `schemas.include` / `exclude`) passes the names of the schemas in scope as
 * `$1`, and the queries read nothing else — except what in-scope objects are made of: a partition belongs where its
 * root table is (partitions may sit in another schema), and trigger functions are read wherever they live (an
 * in-scope table's trigger may call `audit.if_modified_func`, and the audit rule must see its body), and so are
 * types and domains with their CHECKs (an in-scope column may be of type `shared.payload`, a domain over jsonb). Reading
 * pg_catalog rows needs no USAGE on the schema, so a role without it on an excluded schema is never in the way.
 * Unscoped runs send the queries without the filter at all (the 10,000-table read stays what it was).
 *
 * Cost (issue 12: 10,000 tables in well under 1.5 s): what a row needs from other catalogs comes through joins on
 * pre-aggregated sets (comments, parents, index pages, key names, opclasses, sequences), not through a sub-select
 * per row, which the planner runs as one index probe — or, for catalogs it thinks tiny, one scan — per row. The
 * printing functions (`pg_get_expr`, `pg_get_indexdef`) are called only where an expression must be shown: each call
 * looks objects up in the catalog caches and deparses, ~50 µs apiece, which over 17,800 indexes was a second.
 * Each query starts with a `/* schema-lint: <name> *\/` comment, which pg_stat_activity shows a DBA and the benchmark
 * uses as its label.
 */

import { SEQUENCE_COLUMNS, SEQUENCE_JOIN } from './sequences.js';

/** Scope filters: empty when the run reads every schema, else a condition on `$1` (text[] of schema names). */
export interface Scope {
  /** A relation `c` in namespace `n` (a partition counts in its root table's schema). */
  relation(c: string, n: string): string;
  /** An object whose schema name is `expr`, or for which `always` holds. */
  schema(expr: string, always?: string): string;
}

export const UNSCOPED: Scope = { relation: () => '', schema: () => '' };

export const SCOPED: Scope = {
  relation: (c, n) =>
    ` AND (CASE WHEN ${c}.relispartition THEN (SELECT rn.nspname FROM pg_catalog.pg_class r JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace
                WHERE r.oid = pg_catalog.pg_partition_root(${c}.oid)) ELSE ${n}.nspname END) = ANY($1::text[])`,
  schema: (expr, always) => (always ? ` AND (${always} OR ${expr} = ANY($1::text[]))` : ` AND ${expr} = ANY($1::text[])`),
};

/** `server_version_num` thresholds of the catalog changes used here. */
export const PG14 = 140000;
export const PG18 = 180000;

const USER_SCHEMA = (ns: string) => `${ns}.nspname !~ '^pg_' AND ${ns}.nspname <> 'information_schema'`;

/**
 * Extension membership, looked up from the extension's side (refclassid = pg_extension leads
 * pg_depend_reference_index): a database has few extension members, while probing by objid alone made the planner
 * scan all of pg_depend (~100 ms per query at 10,000 tables).
 */
const NOT_FROM_EXTENSION = (catalog: string, oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend ext WHERE ext.refclassid = 'pg_catalog.pg_extension'::regclass AND ext.classid = '${catalog}'::regclass AND ext.objid = ${oid} AND ext.deptype = 'e')`;

/** The user's relations of the given kinds (alias `c`, namespace alias `n`). */
const USER_RELATION = (kinds: string) =>
  `c.relkind IN (${kinds}) AND ${USER_SCHEMA('n')} AND ${NOT_FROM_EXTENSION('pg_catalog.pg_class', 'c.oid')}`;

/**
 * A type as the model names it: element type and a flag for arrays (an array type is the `typarray` of its
 * element, which tells real arrays from int2vector-like types), schema and internal name.
 */
const TYPE_PARTS = (typeOid: string, prefix: string) => `
  LEFT JOIN pg_catalog.pg_type ${prefix}_t ON ${prefix}_t.oid = ${typeOid}
  LEFT JOIN pg_catalog.pg_type ${prefix}_el ON ${prefix}_el.oid = ${prefix}_t.typelem AND ${prefix}_el.typarray = ${prefix}_t.oid
  LEFT JOIN pg_catalog.pg_type ${prefix}_e ON ${prefix}_e.oid = coalesce(${prefix}_el.oid, ${prefix}_t.oid)
  LEFT JOIN pg_catalog.pg_namespace ${prefix}_n ON ${prefix}_n.oid = ${prefix}_e.typnamespace`;

/** Type text for function signatures: `int4`, `text[]`, `app.payload` (schema left out for pg_catalog). */
const TYPE_TEXT = (prefix: string) =>
  `CASE WHEN ${prefix}_n.nspname = 'pg_catalog' THEN '' ELSE ${prefix}_n.nspname || '.' END || ${prefix}_e.typname ||
   CASE WHEN ${prefix}_el.oid IS NOT NULL THEN '[]' ELSE '' END`;

/** A comment joined by pg_description's key (objoid, classoid, objsubid): one hash join, not a probe per row. */
const DESCRIPTION_JOIN = (alias: string, catalog: string, oid: string, sub = '0') =>
  `LEFT JOIN pg_catalog.pg_description ${alias} ON ${alias}.objoid = ${oid} AND ${alias}.classoid = '${catalog}'::regclass AND ${alias}.objsubid = ${sub}`;

/**
 * Column names of an int2[] of attnums per object, for all objects at once, in key order; `oid` identifies the
 * object, `relid` the relation whose attributes are named. Each name is one probe of pg_attribute's (attrelid, attnum)
 * index: `OFFSET 0` keeps the lookup a parameterised subquery, because the planner, guessing ten keys per array,
 * would rather hash all of pg_attribute (350,000 rows at 10,000 tables) than probe it 40,000 times.
 */
const KEY_NAMES = (from: string, oid: string, relid: string, attnums: string) => `(
  SELECT ${oid} AS oid, array_agg(a.attname ORDER BY k.ord) AS names
  FROM ${from} CROSS JOIN LATERAL unnest(${attnums}) WITH ORDINALITY k(num, ord)
  JOIN LATERAL (SELECT a.attname::text FROM pg_catalog.pg_attribute a WHERE a.attrelid = ${relid} AND a.attnum = k.num OFFSET 0) a ON true
  GROUP BY ${oid})`;

/** A label for pg_stat_activity and the benchmark. */
const label = (name: string) => `/* schema-lint: ${name} */`;

/** Version-independent: it tells which versioned queries to send. */
export const SERVER_INFO = `${label('server info')}
SELECT current_setting('server_version_num')::int AS version,
       current_user AS role,
       (SELECT extract(epoch FROM now() - sd.stats_reset)::float8 FROM pg_catalog.pg_stat_database sd
         WHERE sd.datname = current_database()) AS stats_window`;

export const SCHEMAS = `${label('schemas')}
SELECT n.nspname AS name, has_schema_privilege(n.oid, 'USAGE') AS usable
FROM pg_catalog.pg_namespace n
WHERE ${USER_SCHEMA('n')} AND ${NOT_FROM_EXTENSION('pg_catalog.pg_namespace', 'n.oid')}
ORDER BY n.nspname`;

/** plpgsql is installed by initdb in every database and never declared in a schema's DDL. */
export const EXTENSIONS = `${label('extensions')}
SELECT e.extname AS name, n.nspname AS schema
FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname <> 'plpgsql'
ORDER BY e.extname`;

/**
 * Tables, partitioned tables, views, materialized views, sequences, foreign tables and composite types, with
 * partitioning, inheritance and the figures stats need (per relation; partitions are summed by the reader).
 */
export function relationsQuery(version: number, scope: Scope = UNSCOPED): string {
  // Before 14, a never-analyzed table had reltuples 0 (indistinguishable from empty); 14 made it -1.
  const reltuples = version >= PG14 ? 'c.reltuples::float8' : "CASE WHEN c.reltuples = 0 AND c.relpages = 0 THEN -1 ELSE c.reltuples::float8 END";
  return `${label('relations')}
SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relkind AS kind, c.relpersistence AS persistence,
       c.relispartition AS is_partition,
       pt.partstrat AS part_strategy,
       pt.partattrs::int2[] AS part_attnums,
       coalesce(part_keys.names, '{}') AS part_columns,
       CASE WHEN pt.partexprs IS NOT NULL THEN pg_get_expr(pt.partexprs, c.oid, true) END AS part_exprs,
       -- A bound holds constants only: printed without opening the partition (see PRINTED).
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, 0, true) END AS bound,
       coalesce(inh.parents, '{}') AS parents,
       c.reloptions AS options,
       d.description AS comment,
       ${reltuples} AS reltuples,
       -- Pages as of the last VACUUM/ANALYZE (heap + TOAST + indexes), not pg_total_relation_size: that opens every
       -- relation, which takes a lock per table (and can queue behind a migration) and dominated the read time on a
       -- 10,000-table database. An estimate is what the volume thresholds need.
       CASE WHEN c.relkind IN ('r', 'p', 'm') THEN
         (c.relpages::int8 + coalesce(toast.relpages, 0) + coalesce(index_pages.pages, 0)) * current_setting('block_size')::int8
       END AS total_bytes,
       CASE WHEN c.relkind IN ('r', 'm') THEN pg_stat_get_tuples_inserted(c.oid) END AS inserts,
       CASE WHEN c.relkind IN ('r', 'm') THEN pg_stat_get_tuples_updated(c.oid) END AS updates,
       CASE WHEN c.relkind IN ('r', 'm') THEN pg_stat_get_tuples_deleted(c.oid) END AS deletes
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_partitioned_table pt ON pt.partrelid = c.oid
LEFT JOIN ${KEY_NAMES('pg_catalog.pg_partitioned_table p', 'p.partrelid', 'p.partrelid', 'p.partattrs::int2[]')} part_keys ON part_keys.oid = c.oid
LEFT JOIN (SELECT i.inhrelid, array_agg(i.inhparent ORDER BY i.inhseqno) AS parents
           FROM pg_catalog.pg_inherits i GROUP BY i.inhrelid) inh ON inh.inhrelid = c.oid
${DESCRIPTION_JOIN('d', 'pg_catalog.pg_class', 'c.oid')}
LEFT JOIN pg_catalog.pg_class toast ON toast.oid = c.reltoastrelid AND c.reltoastrelid <> 0
LEFT JOIN (SELECT x.indrelid, sum(ic.relpages)::int8 AS pages
           FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class ic ON ic.oid = x.indexrelid
           GROUP BY x.indrelid) index_pages ON index_pages.indrelid = c.oid
WHERE ${USER_RELATION(`'r', 'p', 'v', 'm', 'S', 'f', 'c'`)}${scope.relation('c', 'n')}
ORDER BY n.nspname, c.relname`;
}

/**
 * An expression stored as a node tree, printed. `pg_get_expr(tree, relid)` opens the relation to name its columns
 * (ruleutils' deparse context: a relcache entry built and an AccessShareLock taken per table, ~11 µs apiece in a
 * fresh backend), which only a tree with a column reference (a Var) needs; any other tree prints the same without
 * one (relid 0), at a tenth of the cost: 20,000 defaults in 20 ms instead of 220 ms. In the stored text, Var nodes
 * and only they start with `{VAR ` (a constant's value is printed as bytes, never as text).
 */
const PRINTED = (tree: string, relid: string) =>
  `CASE WHEN strpos(${tree}::text, '{VAR ') = 0 THEN pg_get_expr(${tree}, 0, true) ELSE pg_get_expr(${tree}, ${relid}, true) END`;

export function columnsQuery(version: number, scope: Scope = UNSCOPED): string {
  const compression = version >= PG14 ? 'nullif(a.attcompression, \'\')' : 'NULL::"char"';
  return `${label('columns')}
SELECT a.attrelid AS relid, a.attnum AS num, a.attname AS name,
       col_n.nspname AS type_schema, col_e.typname AS type_name, col_el.oid IS NOT NULL AS is_array, a.attndims AS dims,
       a.atttypmod AS typmod,
       a.attnotnull AS not_null,
       CASE WHEN ad.adbin IS NOT NULL THEN ${PRINTED('ad.adbin', 'ad.adrelid')} END AS default_expr,
       a.attidentity AS identity, a.attgenerated AS generated,
       CASE WHEN a.attstorage <> col_t.typstorage THEN a.attstorage END AS storage,
       ${compression} AS compression,
       d.description AS comment,
       ${SEQUENCE_COLUMNS}
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
${TYPE_PARTS('a.atttypid', 'col')}
LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
${DESCRIPTION_JOIN('d', 'pg_catalog.pg_class', 'a.attrelid', 'a.attnum')}${SEQUENCE_JOIN}
WHERE a.attnum > 0 AND NOT a.attisdropped AND ${USER_RELATION(`'r', 'p'`)}${scope.relation('c', 'n')}
ORDER BY a.attrelid, a.attnum`;
}

/** Table and domain constraints. NOT NULL (PG 18 stores them as contype 'n') and constraint triggers ('t') are not constraints of the model. */
export function constraintsQuery(version: number, scope: Scope = UNSCOPED): string {
  const enforced = version >= PG18 ? 'con.conenforced' : 'true';
  return `${label('constraints')}
SELECT con.conname AS name, con.contype AS type, con.conrelid AS relid, con.contypid AS typid,
       -- Key columns by number: the model names them from the columns query's rows (the same tables), which saves
       -- a pg_attribute probe per key (~100 ms of server time for 13,000 constraints).
       coalesce(con.conkey, '{}') AS attnums,
       fn.nspname AS ref_schema, fc.relname AS ref_table,
       -- Named here: the referenced table may be one the columns query does not read (an extension's, or out of scope).
       coalesce(ref_keys.names, '{}') AS ref_columns,
       con.confupdtype AS on_update, con.confdeltype AS on_delete, con.confmatchtype AS match,
       CASE WHEN con.contype = 'c' THEN pg_get_expr(con.conbin, con.conrelid, true) END AS check_expr,
       con.convalidated AS validated, ${enforced} AS enforced, con.condeferrable AS deferrable,
       CASE WHEN con.contype IN ('p', 'u', 'x') THEN ixn.nspname END AS index_schema,
       CASE WHEN con.contype IN ('p', 'u', 'x') THEN ix.relname END AS index_name,
       parent.conname AS parent_name, parent.conrelid = con.conrelid AS parent_same_table,
       con.conislocal AS is_local, con.coninhcount AS inherit_count,
       d.description AS comment
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_namespace n ON n.oid = con.connamespace
LEFT JOIN ${KEY_NAMES("pg_catalog.pg_constraint r_con", 'r_con.oid', 'r_con.confrelid', 'r_con.confkey')} ref_keys
       ON ref_keys.oid = con.oid AND con.contype = 'f'
LEFT JOIN pg_catalog.pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
LEFT JOIN pg_catalog.pg_class ix ON ix.oid = con.conindid
LEFT JOIN pg_catalog.pg_namespace ixn ON ixn.oid = ix.relnamespace
LEFT JOIN pg_catalog.pg_constraint parent ON parent.oid = con.conparentid
LEFT JOIN pg_catalog.pg_class owner ON owner.oid = con.conrelid
${DESCRIPTION_JOIN('d', 'pg_catalog.pg_constraint', 'con.oid')}
WHERE con.contype IN ('p', 'u', 'f', 'c', 'x') AND ${USER_SCHEMA('n')}
  AND ${NOT_FROM_EXTENSION('pg_catalog.pg_class', 'con.conrelid')}
  AND ${NOT_FROM_EXTENSION('pg_catalog.pg_type', 'con.contypid')}${scope.schema(
    // Domain constraints go with the domains, which are read from every schema (see typesQuery).
    `(CASE WHEN con.conrelid = 0 THEN NULL WHEN owner.relispartition THEN (SELECT rn.nspname FROM pg_catalog.pg_class r JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace
        WHERE r.oid = pg_catalog.pg_partition_root(owner.oid)) ELSE n.nspname END)`,
    'con.conrelid = 0',
  )}
ORDER BY con.conrelid, con.contypid, con.conname`;
}

/**
 * Per index and key position: the column's name (NULL for an expression), and the opclass as pg_get_indexdef would
 * print it — only where it is not the default for the key's type (ruleutils.c's get_opclass_name). That is decided
 * from the catalog where it is certain: an opclass not marked default is always printed; a default one whose input
 * type is the column's type (a domain's base type) is not. Anything else (a default opclass reached through binary
 * coercion — varchar under text_ops, arrays under array_ops, enums — or on an expression key) is `undecided`, and
 * only then is the full definition printed and parsed.
 */
const INDEX_KEYS = `(
  SELECT x.indexrelid,
         array_agg(key.attname ORDER BY k.ord) AS attnames,
         array_agg(CASE WHEN NOT oc.opcdefault THEN oc.opcname::text END ORDER BY k.ord) AS opclasses,
         coalesce(bool_or(oc.opcdefault AND NOT coalesce(oc.opcintype = key.type, false)), false) AS undecided
  FROM pg_catalog.pg_index x
  CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY k(num, ord)
  -- A probe per key, not a hash of all pg_attribute (see KEY_NAMES). A domain's opclass is its base type's.
  LEFT JOIN LATERAL (
    SELECT a.attname::text, CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END AS type
    FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
    WHERE a.attrelid = x.indrelid AND a.attnum = k.num AND k.num <> 0 OFFSET 0) key ON true
  LEFT JOIN pg_catalog.pg_opclass oc ON oc.oid = x.indclass[k.ord - 1] AND k.ord <= x.indnkeyatts
  -- Not the 10,000 indexes of TOAST tables.
  WHERE x.indrelid IN (SELECT r.oid FROM pg_catalog.pg_class r WHERE r.relkind IN ('r', 'p', 'm'))
  GROUP BY x.indexrelid)`;

/**
 * Indexes of tables and materialized views. Key columns, INCLUDE columns, opclasses and options come from the
 * catalog columns (INDEX_KEYS); an expression key's text from the per-column form of pg_get_indexdef, called for
 * expression positions only; the whole definition only when the opclasses are undecided.
 */
export const indexesQuery = (scope: Scope = UNSCOPED) => `${label('indexes')}
SELECT i.indexrelid AS oid, n.nspname AS schema, ic.relname AS name, i.indrelid AS relid,
       am.amname AS method, i.indisunique AS is_unique, i.indisprimary AS is_primary,
       i.indisvalid AND i.indisready AS valid, ic.relkind = 'I' AS partitioned,
       i.indnkeyatts AS key_count,
       i.indkey::int2[] AS attnums,
       coalesce(keys.attnames, '{}') AS attnames,
       CASE WHEN i.indexprs IS NOT NULL THEN
         ARRAY(SELECT CASE WHEN i.indkey[k - 1] = 0 THEN pg_get_indexdef(i.indexrelid, k, true) END
               FROM generate_series(1, i.indnkeyatts) k ORDER BY k)
       ELSE '{}' END AS key_texts,
       i.indoption::int2[] AS key_options,
       CASE WHEN keys.undecided THEN NULL ELSE coalesce(keys.opclasses, '{}') END AS opclasses,
       CASE WHEN keys.undecided THEN pg_get_indexdef(i.indexrelid) END AS definition,
       CASE WHEN i.indpred IS NOT NULL THEN pg_get_expr(i.indpred, i.indrelid, true) END AS predicate,
       pn.nspname AS parent_schema, pi.relname AS parent_name,
       con.conname AS constraint_name,
       d.description AS comment
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_am am ON am.oid = ic.relam
LEFT JOIN ${INDEX_KEYS} keys ON keys.indexrelid = i.indexrelid
LEFT JOIN pg_catalog.pg_inherits inh ON inh.inhrelid = i.indexrelid
LEFT JOIN pg_catalog.pg_class pi ON pi.oid = inh.inhparent
LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = pi.relnamespace
-- The constraint an index implements: at most one PRIMARY KEY, UNIQUE or EXCLUDE per index.
LEFT JOIN pg_catalog.pg_constraint con
       ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
${DESCRIPTION_JOIN('d', 'pg_catalog.pg_class', 'i.indexrelid')}
WHERE ${USER_RELATION(`'r', 'p', 'm'`)}${scope.relation('c', 'n')}
ORDER BY i.indrelid, i.indexrelid`;

export const INDEXES = indexesQuery();

/** User triggers; internal ones (foreign key enforcement) are PostgreSQL's machinery, not the schema's. */
export const triggersQuery = (scope: Scope = UNSCOPED) => `${label('triggers')}
SELECT t.tgrelid AS relid, t.tgname AS name, t.tgtype AS type, t.tgenabled AS enabled,
       fn.nspname AS function_schema, p.proname AS function_name,
       t.tgnargs AS arg_count, t.tgargs AS args, t.tgparentid <> 0 AS inherited
FROM pg_catalog.pg_trigger t
JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid
JOIN pg_catalog.pg_namespace fn ON fn.oid = p.pronamespace
-- PostgreSQL 13 marks the clones of a partitioned table's row triggers internal; later versions do not.
WHERE (NOT t.tgisinternal OR (t.tgparentid <> 0 AND t.tgconstraint = 0)) AND ${USER_RELATION(`'r', 'p'`)}${scope.relation('c', 'n')}
ORDER BY t.tgrelid, t.tgname`;

export const TRIGGERS = triggersQuery();

export function functionsQuery(version: number, scope: Scope = UNSCOPED): string {
  // SQL-standard bodies (BEGIN ATOMIC, PG 14+) leave prosrc empty.
  const body = version >= PG14 ? 'CASE WHEN p.prosqlbody IS NOT NULL THEN pg_get_function_sqlbody(p.oid) ELSE p.prosrc END' : 'p.prosrc';
  return `${label('functions')}
SELECT n.nspname AS schema, p.proname AS name,
       ARRAY(SELECT ${TYPE_TEXT('arg')}
             FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY a(typ, ord)
             ${TYPE_PARTS('a.typ', 'arg')}
             ORDER BY a.ord) AS argument_types,
       (SELECT ${TYPE_TEXT('ret')} FROM (SELECT 1) one ${TYPE_PARTS('p.prorettype', 'ret')}) AS return_type,
       p.proretset AS returns_set,
       l.lanname AS language,
       ${body} AS body
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
JOIN pg_catalog.pg_language l ON l.oid = p.prolang
WHERE p.prokind IN ('f', 'p') AND ${USER_SCHEMA('n')} AND ${NOT_FROM_EXTENSION('pg_catalog.pg_proc', 'p.oid')}
  -- Functions PostgreSQL made itself (a range type's constructors) are internal dependents, not schema code.
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'i')
  ${scope === UNSCOPED ? '' : `AND (p.prorettype = 'pg_catalog.trigger'::pg_catalog.regtype OR n.nspname = ANY($1::text[]))`}
ORDER BY n.nspname, p.proname, p.oid`;
}

/**
 * Domains, and the stand-alone types that take a name (enums, ranges, base types). Array and multirange types
 * are created implicitly with their element or range type, and composite types come with pg_class.
 */
/** Read from every schema whatever the scope: an in-scope column may use a type of any schema. */
export const TYPES = `${label('types')}
SELECT t.oid, n.nspname AS schema, t.typname AS name, t.typtype AS type, t.typnotnull AS not_null,
       base_n.nspname AS base_schema, base_e.typname AS base_name, base_el.oid IS NOT NULL AS base_is_array,
       t.typndims AS base_dims, t.typtypmod AS base_typmod
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
${TYPE_PARTS('t.typbasetype', 'base')}
WHERE t.typtype IN ('d', 'e', 'r', 'b') AND ${USER_SCHEMA('n')}
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type elem WHERE elem.typarray = t.oid)
  AND ${NOT_FROM_EXTENSION('pg_catalog.pg_type', 't.oid')}
ORDER BY n.nspname, t.typname`;
