/**
 * Turns the rows of the catalog queries into the SchemaModel. Pure: no I/O, so it is the same whatever the
 * connection, and every representation choice shared with DDL mode lives here.
 */
import { emptyModel, qualify } from '../../model/model.js';
import type {
  Column,
  Constraint,
  ConstraintKind,
  DatabaseOrigin,
  Domain,
  Index,
  IndexKey,
  PartitionKeyPart,
  PartitionStrategy,
  SchemaModel,
  Table,
  Trigger,
  TypeRef,
} from '../../model/types.js';
import { parseStatements } from '../../sql/parser.js';
import { parseBoundText, splitExpressionList } from '../../sql/partition-bound.js';
import { decodeTriggerType } from '../../model/trigger-type.js';
export { decodeTriggerType };
import type { CatalogRows, ColumnRow, ConstraintRow, FunctionRow, IndexRow, RelationRow, TriggerRow, TypeRow } from './rows.js';
import { applySequenceUsage } from './sequences.js';
import { expressionParser, type ExpressionParser } from './expression-parser.js';

const STRATEGIES: Record<string, PartitionStrategy> = { r: 'range', l: 'list', h: 'hash' };
const PERSISTENCE: Record<string, Table['persistence']> = { p: 'permanent', u: 'unlogged', t: 'temporary' };
const CONSTRAINT_KINDS: Record<string, ConstraintKind> = { p: 'primary', u: 'unique', f: 'foreign', c: 'check', x: 'exclusion' };
const STORAGE: Record<string, string> = { p: 'plain', e: 'external', m: 'main', x: 'extended' };
const COMPRESSION: Record<string, string> = { p: 'pglz', l: 'lz4' };
const OTHER_KINDS = { v: 'view', S: 'sequence', f: 'foreign table', c: 'composite type' } as const;

// pg_index.indoption bit (INDOPTION_DESC).
const INDEX_DESC = 1;
const VARHDRSZ = 4;

/**
 * Type modifiers for the types whose modifiers DDL mode can give the same numbers for: varchar(n)/char(n) → [n],
 * numeric(p,s) → [p, s] (always both: the catalog cannot tell `numeric(10)` from `numeric(10,0)`).
 */
export function modifiersOf(schema: string, name: string, typmod: number): number[] {
  if (schema !== 'pg_catalog' || typmod < VARHDRSZ) return [];
  if (name === 'varchar' || name === 'bpchar') return [typmod - VARHDRSZ];
  if (name === 'numeric') {
    const packed = typmod - VARHDRSZ;
    // The scale is an 11-bit signed field since PG 15 (negative scales); the sign trick is a no-op before.
    return [(packed >> 16) & 0xffff, ((packed & 0x7ff) ^ 1024) - 1024];
  }
  return [];
}

function typeRef(schema: string, name: string, isArray: boolean, dims: number, typmod: number): TypeRef {
  return { schema, name, arrayDims: isArray ? Math.max(dims, 1) : 0, modifiers: modifiersOf(schema, name, typmod) };
}

function options(raw: string[] | null): Record<string, string> {
  const result: Record<string, string> = {};
  for (const item of raw ?? []) {
    const eq = item.indexOf('=');
    if (eq < 0) result[item] = '';
    else result[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return result;
}

function toNumber(value: string | number | null | undefined): number | undefined {
  return value === null || value === undefined ? undefined : Number(value);
}

/** Trigger arguments are stored NUL-terminated, one after another, in a bytea. */
export function triggerArguments(args: Buffer | null, count: number): string[] {
  if (!args || count === 0) return [];
  const result: string[] = [];
  let start = 0;
  for (let i = 0; i < args.length && result.length < count; i++) {
    if (args[i] !== 0) continue;
    result.push(args.subarray(start, i).toString('utf8'));
    start = i + 1;
  }
  return result;
}

/** Opclass names per key position, as pg_get_indexdef prints them: only where they differ from the type's default. */
function opclassesOf(definition: string): Array<string | undefined> {
  const parsed = parseStatements(definition);
  if (!parsed.ok || parsed.stmts.length !== 1) return [];
  const stmt = parsed.stmts[0].stmt.IndexStmt as { indexParams?: Array<{ IndexElem: { opclass?: Array<{ String?: { sval: string } }> } }> } | undefined;
  return (stmt?.indexParams ?? []).map((param) => {
    const names = param.IndexElem.opclass;
    return names?.length ? names[names.length - 1].String?.sval : undefined;
  });
}

/** What the catalog read knows before the per-object queries: the model's frame. */
export type CatalogHeader = Pick<CatalogRows, 'alias' | 'serverVersion' | 'statsWindowSeconds' | 'schemas' | 'extensions'>;

/**
 * Builds the model one catalog query at a time, and within the big ones row by row as the rows arrive, so that
 * building overlaps the server's work on the rest of the rows and a row's object is garbage as soon as it is
 * used (keeping 125,000 row objects until the last query ended made the read's garbage collection cost as much
 * as its building, at 10,000 tables). Call order: relations (all at once: partitions and parents refer to each
 * other in any order), then columns, types (before constraints: domains own CHECKs), constraints, indexes,
 * triggers, functions, pg_partman's config in any order.
 */
export class CatalogModelBuilder {
  readonly model: SchemaModel;
  private readonly alias: string;
  private readonly statsWindowSeconds: number | null;
  private readonly expression: ExpressionParser = expressionParser();
  private readonly relationsByOid = new Map<number, RelationRow>();
  private readonly tablesByOid = new Map<number, Table>();
  private readonly domainsByOid = new Map<number, Domain>();
  /** Per table, the attnum of each entry of its `columns` (dropped columns leave gaps in the numbering). */
  private readonly columnNumbers = new Map<number, number[]>();

  constructor(header: CatalogHeader) {
    this.alias = header.alias;
    this.statsWindowSeconds = header.statsWindowSeconds;
    this.model = emptyModel({ kind: 'database', database: header.alias, serverVersion: header.serverVersion });
    for (const { name } of header.schemas) this.model.schemas.set(name, { name, origin: this.origin(`schema ${name}`) });
    for (const ext of header.extensions) this.model.extensions.set(ext.name, { ...ext, origin: this.origin(`extension ${ext.name}`) });
  }

  private readonly origin = (object: string): DatabaseOrigin => ({ kind: 'database', database: this.alias, object });

  partman(rows: CatalogRows['partman']): void {
    const partmanSchema = this.model.extensions.get('pg_partman')?.schema;
    if (!partmanSchema || !rows?.length) return;
    this.model.partman = new Map(
      rows.map((row) => [
        row.parent_table,
        {
          parent: row.parent_table,
          extensionSchema: partmanSchema,
          interval: row.partition_interval ?? undefined,
          premake: row.premake ?? undefined,
          origin: this.origin(`${partmanSchema}.part_config ${row.parent_table}`),
        },
      ]),
    );
  }

  relations(rows: RelationRow[]): void {
    const { model, relationsByOid, tablesByOid } = this;
    const qualifiedByOid = new Map<number, string>();
    const children = new Map<number, RelationRow[]>();

    for (const rel of rows) {
      relationsByOid.set(rel.oid, rel);
      const key = qualify(rel.schema, rel.name);
      qualifiedByOid.set(rel.oid, key);
      if (rel.is_partition) {
        const siblings = children.get(rel.parents[0]) ?? [];
        siblings.push(rel);
        children.set(rel.parents[0], siblings);
      }
      if (rel.kind === 'm') {
        model.materializedViews.set(key, { schema: rel.schema, name: rel.name, indexes: [], origin: this.origin(`materialized view ${key}`) });
      } else if (rel.kind in OTHER_KINDS) {
        const kind = OTHER_KINDS[rel.kind as keyof typeof OTHER_KINDS];
        model.otherRelations.set(key, { schema: rel.schema, name: rel.name, kind, origin: this.origin(`${kind} ${key}`) });
      }
    }

    for (const rel of rows) {
      if (rel.kind !== 'r' && rel.kind !== 'p') continue;
      const key = qualifiedByOid.get(rel.oid) ?? qualify(rel.schema, rel.name);
      const table: Table = {
        schema: rel.schema,
        name: rel.name,
        kind: rel.kind === 'p' ? 'partitioned' : 'table',
        persistence: PERSISTENCE[rel.persistence] ?? 'permanent',
        columns: [],
        constraints: [],
        indexes: [],
        triggers: [],
        partitions: (children.get(rel.oid) ?? []).map((child) => qualify(child.schema, child.name)).sort(),
        inherits: rel.is_partition ? [] : rel.parents.map((oid) => qualifiedByOid.get(oid)).filter((n): n is string => !!n),
        options: options(rel.options),
        origin: this.origin(`table ${key}`),
      };
      if (rel.part_strategy) table.partitionBy = { strategy: STRATEGIES[rel.part_strategy], keys: partitionKeys(rel, this.expression) };
      if (rel.is_partition && rel.bound) {
        const bound = parseBoundText(rel.bound);
        const parent = qualifiedByOid.get(rel.parents[0]);
        if (bound && parent) table.partitionOf = { parent, bound };
      }
      if (rel.comment !== null) table.comment = rel.comment;
      table.stats = stats(rel, children, this.statsWindowSeconds);
      model.tables.set(key, table);
      tablesByOid.set(rel.oid, table);
    }
  }

  column(row: ColumnRow): void {
    const table = this.tablesByOid.get(row.relid);
    if (!table) return;
    table.columns.push(column(row, this.origin(`column ${qualify(table.schema, table.name)}.${row.name}`), this.expression));
    const numbers = this.columnNumbers.get(row.relid);
    if (numbers) numbers.push(row.num);
    else this.columnNumbers.set(row.relid, [row.num]);
  }

  /** A table's column names for key column numbers, in key order (after all its columns were added). */
  private columnNames(relid: number, attnums: number[]): string[] {
    const table = this.tablesByOid.get(relid);
    const numbers = this.columnNumbers.get(relid);
    if (!table || !numbers || attnums.length === 0) return [];
    const names: string[] = [];
    for (const attnum of attnums) {
      const position = numbers.indexOf(attnum);
      // Only a system column (tableoid in a CHECK) has no entry; a CHECK's columns come from its expression anyway.
      if (position >= 0) names.push(table.columns[position].name);
    }
    return names;
  }

  types(rows: TypeRow[]): void {
    addTypes(this.model, rows, this.domainsByOid, this.origin);
  }

  constraint(row: ConstraintRow): void {
    addConstraint(this.model, row, this.columnNames(row.relid, row.attnums), this.tablesByOid, this.domainsByOid, this.origin, this.expression);
  }

  index(row: IndexRow): void {
    addIndex(this.model, row, this.relationsByOid, this.origin, this.expression);
  }

  trigger(row: TriggerRow): void {
    const table = this.tablesByOid.get(row.relid);
    if (!table) return;
    const tableKey = qualify(table.schema, table.name);
    table.triggers.push({
      name: row.name,
      table: tableKey,
      ...decodeTriggerType(row.type),
      enabled: row.enabled as Trigger['enabled'],
      function: qualify(row.function_schema, row.function_name),
      arguments: triggerArguments(row.args, row.arg_count),
      inherited: row.inherited,
      constraintTrigger: false,
      origin: this.origin(`trigger ${tableKey}.${row.name}`),
    });
  }

  function(row: FunctionRow): void {
    const key = qualify(row.schema, row.name);
    const list = this.model.functions.get(key) ?? [];
    list.push({
      schema: row.schema,
      name: row.name,
      argumentTypes: row.argument_types,
      returnType: (row.returns_set ? 'setof ' : '') + row.return_type,
      language: row.language,
      body: row.body ?? '',
      origin: this.origin(`function ${key}(${row.argument_types.join(', ')})`),
    });
    this.model.functions.set(key, list);
  }
}

function partitionKeys(rel: RelationRow, expression: ExpressionParser): PartitionKeyPart[] {
  const exprs = rel.part_exprs ? (splitExpressionList(rel.part_exprs) ?? [rel.part_exprs]) : [];
  let nextColumn = 0;
  let nextExpr = 0;
  return (rel.part_attnums ?? []).map((attnum) =>
    attnum !== 0 ? { column: rel.part_columns[nextColumn++] } : { expression: expression(exprs[nextExpr++] ?? '') },
  );
}

/**
 * Figures for a table and everything below it. Partitioned parents hold no rows of their own (and their
 * reltuples, when set by a manual ANALYZE, already counts the partitions), so only leaves are summed.
 */
function stats(rel: RelationRow, children: Map<number, RelationRow[]>, window: number | null): Table['stats'] {
  let rows: number | undefined;
  let bytes: number | undefined;
  let inserts: number | undefined;
  let updates: number | undefined;
  let deletes: number | undefined;
  const add = (sum: number | undefined, value: number | undefined) => (value === undefined ? sum : (sum ?? 0) + value);
  // Iterative over the partition tree (no depth limit in PostgreSQL); sums do not depend on the order.
  for (const pending = [rel]; ; ) {
    const node = pending.pop();
    if (!node) break;
    bytes = add(bytes, toNumber(node.total_bytes));
    if (node.kind !== 'p') {
      if (node.reltuples >= 0) rows = add(rows, node.reltuples);
      inserts = add(inserts, toNumber(node.inserts));
      updates = add(updates, toNumber(node.updates));
      deletes = add(deletes, toNumber(node.deletes));
    }
    pending.push(...(children.get(node.oid) ?? []));
  }
  const result: NonNullable<Table['stats']> = {};
  if (rows !== undefined) result.estimatedRows = rows;
  if (bytes !== undefined) result.totalBytes = bytes;
  if (inserts !== undefined) result.inserts = inserts;
  if (updates !== undefined) result.updates = updates;
  if (deletes !== undefined) result.deletes = deletes;
  if (window !== null) result.statsWindowSeconds = window;
  return result;
}

function column(row: ColumnRow, origin: DatabaseOrigin, expression: ExpressionParser): Column {
  const result: Column = {
    name: row.name,
    type: typeRef(row.type_schema, row.type_name, row.is_array, row.dims, row.typmod),
    notNull: row.not_null,
    origin,
  };
  // A generated column's expression lives where defaults live (pg_attrdef); the model keeps it in `default` too.
  if (row.default_expr !== null) result.default = expression(row.default_expr);
  if (row.identity === 'a') result.identity = 'always';
  if (row.identity === 'd') result.identity = 'by default';
  if (row.generated === 's') result.generated = 'stored';
  if (row.generated === 'v') result.generated = 'virtual';
  if (row.storage) result.storage = STORAGE[row.storage] ?? row.storage;
  if (row.compression) result.compression = COMPRESSION[row.compression] ?? row.compression;
  if (row.comment !== null) result.comment = row.comment;
  applySequenceUsage(result, row);
  return result;
}

function addTypes(model: SchemaModel, rows: TypeRow[], domainsByOid: Map<number, Domain>, origin: (object: string) => DatabaseOrigin): void {
  for (const row of rows) {
    const key = qualify(row.schema, row.name);
    if (row.type !== 'd') {
      model.otherRelations.set(key, { schema: row.schema, name: row.name, kind: 'type', origin: origin(`type ${key}`) });
      continue;
    }
    const domain: Domain = {
      schema: row.schema,
      name: row.name,
      baseType: typeRef(row.base_schema ?? '', row.base_name ?? '', row.base_is_array, row.base_dims, row.base_typmod),
      notNull: row.not_null,
      checks: [],
      origin: origin(`domain ${key}`),
    };
    model.domains.set(key, domain);
    domainsByOid.set(row.oid, domain);
  }
}

function addConstraint(
  model: SchemaModel,
  row: ConstraintRow,
  columns: string[],
  tablesByOid: Map<number, Table>,
  domainsByOid: Map<number, Domain>,
  origin: (object: string) => DatabaseOrigin,
  expression: ExpressionParser,
): void {
  // A foreign key that references a partitioned table gets one clone per referenced partition on the same
  // referencing table: PostgreSQL's implementation, not a constraint anyone declared.
  if (row.parent_same_table) return;
  const owner = tablesByOid.get(row.relid) ?? domainsByOid.get(row.typid);
  if (!owner) return;
  const kind = CONSTRAINT_KINDS[row.type];
  const check = row.check_expr !== null ? expression(row.check_expr) : undefined;
  const base = {
    name: row.name,
    // The catalog's conkey of a CHECK is sorted by attnum; the model lists columns as the expression names them.
    columns: kind === 'check' && check?.ast ? check.columns : columns,
    validated: row.validated,
    enforced: row.enforced,
    deferrable: row.deferrable,
    origin: origin(`constraint ${qualify(owner.schema, owner.name)}.${row.name}`),
  };
  let constraint: Constraint;
  if (kind === 'foreign') {
    // confrelid is set on every foreign key, so the referenced table is always found.
    if (row.ref_schema === null || row.ref_table === null) return;
    const target = qualify(row.ref_schema, row.ref_table);
    constraint = {
      ...base,
      kind,
      foreignKey: {
        table: target,
        columns: row.ref_columns,
        resolved: model.tables.has(target),
        onDelete: row.on_delete,
        onUpdate: row.on_update,
        match: row.match,
      },
    };
  } else if (kind === 'check') {
    constraint = check ? { ...base, kind, check } : { ...base, kind };
  } else {
    constraint = { ...base, kind };
  }
  if (row.index_schema !== null && row.index_name !== null) constraint.index = qualify(row.index_schema, row.index_name);
  // Partition clones point at their parent through conparentid; inherited CHECKs only count inheritance and keep the parent's name.
  if (row.parent_name !== null) constraint.inheritedFrom = row.parent_name;
  else if (kind === 'check' && !row.is_local && row.inherit_count > 0) constraint.inheritedFrom = row.name;
  if (row.comment !== null) constraint.comment = row.comment;
  if ('checks' in owner) owner.checks.push(constraint);
  else owner.constraints.push(constraint);
}

function addIndex(
  model: SchemaModel,
  row: IndexRow,
  relations: Map<number, RelationRow>,
  origin: (object: string) => DatabaseOrigin,
  expression: ExpressionParser,
): void {
  const rel = relations.get(row.relid);
  if (!rel) return;
  const tableKey = qualify(rel.schema, rel.name);
  const key = qualify(row.schema, row.name);
  const opclasses = row.opclasses ?? opclassesOf(row.definition ?? '');
  const keys: IndexKey[] = [];
  for (let k = 0; k < row.key_count; k++) {
    const part: IndexKey = { descending: ((row.key_options[k] ?? 0) & INDEX_DESC) !== 0 };
    if (row.attnums[k] !== 0) part.column = row.attnames[k] ?? undefined;
    else part.expression = expression(row.key_texts[k] ?? '');
    const opclass = opclasses[k];
    if (opclass) part.opclass = opclass;
    keys.push(part);
  }
  const index: Index = {
    schema: row.schema,
    name: row.name,
    table: tableKey,
    method: row.method,
    unique: row.is_unique,
    primary: row.is_primary,
    keys,
    include: row.attnames.slice(row.key_count).filter((n): n is string => n !== null),
    valid: row.valid,
    partitioned: row.partitioned,
    origin: origin(`index ${key}`),
  };
  if (row.predicate !== null) index.predicate = expression(row.predicate);
  if (row.parent_schema !== null && row.parent_name !== null) index.parent = qualify(row.parent_schema, row.parent_name);
  if (row.constraint_name !== null) index.constraint = row.constraint_name;
  if (row.comment !== null) index.comment = row.comment;
  model.indexes.set(key, index);
  const owner = model.tables.get(tableKey) ?? model.materializedViews.get(tableKey);
  owner?.indexes.push(key);
}
