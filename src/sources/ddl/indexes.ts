/** CREATE INDEX, constraint-backing indexes, and partitioned-index bookkeeping (cloning, ATTACH, validity). */
import { copyOf, indexesOf, qualify } from '../../model/model.js';
import type { Index, IndexKey, Origin, Table } from '../../model/types.js';
import { referencedColumns } from '../../sql/expression.js';
import type { DdlModelBuilder } from './builder.js';
import { present, stringValue, type PgNodeOf } from '../../sql/pg-node.js';
import { reportRejection } from './rejections.js';
import { chooseIndexName, indexExpressionColumnName, type IndexLabel } from './naming.js';

type IndexElem = PgNodeOf<'IndexElem'>;
type RangeVar = PgNodeOf<'RangeVar'>;

export function indexKeyFromElem(builder: DdlModelBuilder, elem: IndexElem): IndexKey {
  const opclassList = elem.opclass;
  const opclass = opclassList?.length ? stringValue(opclassList[opclassList.length - 1]) : undefined;
  const descending = elem.ordering === 'SORTBY_DESC';
  // `((col))` is a plain column to PostgreSQL, not an expression.
  const bareColumn = elem.expr?.ColumnRef?.fields?.length === 1 ? elem.expr.ColumnRef.fields[0].String?.sval : undefined;
  if (elem.name || bareColumn) return { column: elem.name ?? bareColumn, opclass, descending };
  return { expression: builder.expression(elem.expr), opclass, descending };
}

function keyNameParts(keys: IndexKey[], include: string[], elems: IndexElem[]): string[] {
  const names = keys.map((key, i) => key.column ?? indexExpressionColumnName(elems[i]?.expr ?? {}));
  return [...names, ...include];
}

export interface NewIndex {
  name?: string;
  table: Table;
  method: string;
  unique: boolean;
  primary: boolean;
  keys: IndexKey[];
  /** Parser nodes of the keys, for naming expression columns. */
  keyElems: IndexElem[];
  include: string[];
  predicate?: Index['predicate'];
  label: IndexLabel;
  constraint?: string;
  /** `ON ONLY` / `ALTER TABLE ONLY`: do not recurse into partitions. */
  only: boolean;
  origin: Origin;
}

/** Creates an index as PostgreSQL's DefineIndex does, recursing into partitions unless `only`. */
export function defineIndex(builder: DdlModelBuilder, spec: NewIndex): Index {
  const { model } = builder;
  const table = spec.table;
  const name =
    spec.name ?? chooseIndexName(builder, table.schema, table.name, keyNameParts(spec.keys, spec.include, spec.keyElems), spec.label);
  const partitioned = table.kind === 'partitioned';
  const index: Index = {
    schema: table.schema,
    name,
    table: qualify(table.schema, table.name),
    method: spec.method,
    unique: spec.unique,
    primary: spec.primary,
    keys: spec.keys,
    include: spec.include,
    predicate: spec.predicate,
    // An ON ONLY index of a partitioned table with partitions is invalid until each partition's index is attached.
    valid: !(partitioned && spec.only && table.partitions.length > 0),
    partitioned,
    constraint: spec.constraint,
    origin: spec.origin,
  };
  model.indexes.set(qualify(index.schema, name), index);
  table.indexes.push(qualify(index.schema, name));
  if (partitioned && !spec.only) {
    for (const partitionKey of table.partitions) {
      const partition = model.tables.get(partitionKey);
      if (partition) cloneIndexOntoPartition(builder, index, partition, spec.keyElems);
    }
  }
  return index;
}

function sameIndexShape(a: Index, b: Index): boolean {
  if (a.method !== b.method || a.unique !== b.unique || a.keys.length !== b.keys.length) return false;
  if ((a.predicate?.text ?? '') !== (b.predicate?.text ?? '')) return false;
  if (a.include.join(',') !== b.include.join(',')) return false;
  return a.keys.every((key, i) => {
    const other = b.keys[i];
    if (key.column || other.column) return key.column === other.column;
    // A key is a column or an expression.
    return key.expression?.text === other.expression?.text;
  });
}

/**
 * What PostgreSQL does when a partition joins a table with partitioned indexes, or a partitioned index is created:
 * an equivalent unattached index on the partition is attached, else one is created (named after the partition).
 */
export function cloneIndexOntoPartition(builder: DdlModelBuilder, parent: Index, partition: Table, keyElems: IndexElem[] = []): void {
  const { model } = builder;
  const parentKey = qualify(parent.schema, parent.name);
  const existing = indexesOf(model, partition).find((candidate) => !candidate.parent && sameIndexShape(candidate, parent));
  if (existing) {
    existing.parent = parentKey;
    return;
  }
  const label: IndexLabel = parent.primary ? 'pkey' : parent.constraint ? 'key' : 'idx';
  const clone = defineIndex(builder, {
    table: partition,
    method: parent.method,
    unique: parent.unique,
    primary: parent.primary,
    keys: parent.keys,
    keyElems,
    include: parent.include,
    predicate: parent.predicate,
    label,
    constraint: parent.constraint,
    only: false,
    origin: parent.origin,
  });
  clone.parent = parentKey;
  if (parent.constraint) {
    const parentConstraint = model.tables.get(parent.table)?.constraints.find((c) => c.name === parent.constraint);
    if (parentConstraint) {
      clone.constraint = clone.name;
      builder.pushConstraint(partition, copyOf(parentConstraint, { name: clone.name, index: qualify(clone.schema, clone.name), inheritedFrom: parentConstraint.name }));
    }
  }
}

/** After an ATTACH, a partitioned index becomes valid once every partition has a valid index attached to it. */
export function revalidatePartitionedIndex(builder: DdlModelBuilder, index: Index): void {
  const { model } = builder;
  if (index.valid) return;
  const table = model.tables.get(index.table);
  if (!table) return;
  const indexKey = qualify(index.schema, index.name);
  const allAttached = table.partitions.every((partitionKey) => {
    const partition = model.tables.get(partitionKey);
    return partition !== undefined && indexesOf(model, partition).some((child) => child.parent === indexKey && child.valid);
  });
  if (!allAttached) return;
  index.valid = true;
  if (index.parent) {
    const grandParent = model.indexes.get(index.parent);
    if (grandParent) revalidatePartitionedIndex(builder, grandParent);
  }
}

/** CREATE INDEX. */
export function applyIndexStmt(builder: DdlModelBuilder, stmt: PgNodeOf<'IndexStmt'>): void {
  const { model } = builder;
  const rangeVar = present(stmt.relation, 'IndexStmt.relation');
  const tableKey = builder.lookupRelation(rangeVar, (key) => model.tables.has(key) || model.materializedViews.has(key));
  const name = stmt.idxname;
  if (name && model.indexes.has(qualify(tableKey.schema, name))) {
    if (!stmt.if_not_exists) builder.diagnose(`index ${name} already exists; statement skipped`);
    return;
  }
  const elems = (stmt.indexParams ?? []).map((p) => present(p.IndexElem, 'IndexElem'));
  const keys = elems.map((elem) => indexKeyFromElem(builder, elem));
  // An expression in INCLUDE parses (PostgreSQL refuses it later) and has no name: it stays undefined here, as the
  // untyped code had it, and the missing-column rejection below reports it.
  const include = (stmt.indexIncludingParams ?? []).map((p) => p.IndexElem?.name as string);
  const predicate = stmt.whereClause ? builder.expression(stmt.whereClause) : undefined;
  const matview = model.materializedViews.get(tableKey.key);
  if (matview) {
    const indexName = name ?? chooseIndexName(builder, tableKey.schema, tableKey.name, keyNameParts(keys, include, elems), 'idx');
    const index: Index = {
      schema: tableKey.schema,
      name: indexName,
      table: tableKey.key,
      method: stmt.accessMethod ?? 'btree',
      unique: Boolean(stmt.unique),
      primary: false,
      keys,
      include,
      predicate,
      valid: true,
      partitioned: false,
      origin: builder.statementOrigin(),
    };
    model.indexes.set(qualify(index.schema, indexName), index);
    matview.indexes.push(qualify(index.schema, indexName));
    return;
  }
  const table = builder.requireTable(rangeVar, 'CREATE INDEX', true);
  if (!table) return;
  // A table from CREATE TABLE … AS has no known columns: nothing to check against. PostgreSQL builds nothing when
  // a key or INCLUDE column does not exist (src/sources/ddl/rejections.ts).
  if (table.columns.length) {
    const known = (column: string): boolean => table.columns.some((col) => col.name === column);
    const missing = [
      ...keys.flatMap((key) => (key.column ? [key.column] : referencedColumns(key.expression?.ast))),
      ...include,
    ].find((column) => !known(column));
    if (missing) return reportRejection(builder, `CREATE INDEX on ${table.schema}.${table.name}`, { message: `column "${missing}" does not exist` });
  }
  defineIndex(builder, {
    name,
    table,
    method: stmt.accessMethod ?? 'btree',
    unique: Boolean(stmt.unique),
    primary: false,
    keys,
    keyElems: elems,
    include,
    predicate,
    label: 'idx',
    only: rangeVar.inh === false || rangeVar.inh === undefined,
    origin: builder.statementOrigin(),
  });
}

/** ALTER INDEX parent ATTACH PARTITION child. */
export function attachIndexPartition(builder: DdlModelBuilder, parentRangeVar: RangeVar, childRangeVar: RangeVar): void {
  const parent = builder.findIndex(parentRangeVar);
  const child = builder.findIndex(childRangeVar);
  if (!parent || !child) {
    builder.diagnose(`ALTER INDEX ATTACH PARTITION: index ${(parent ? childRangeVar : parentRangeVar).relname ?? ''} is not defined (yet); statement skipped`);
    return;
  }
  child.parent = qualify(parent.schema, parent.name);
  // The constraint on the partition that the child index backs now counts as a clone of the parent's constraint.
  const childTable = builder.model.tables.get(child.table);
  const parentTable = builder.model.tables.get(parent.table);
  const childConstraint = childTable?.constraints.find((c) => c.index === qualify(child.schema, child.name));
  if (childConstraint && parent.constraint && parentTable) childConstraint.inheritedFrom = parent.constraint;
  revalidatePartitionedIndex(builder, parent);
}

/** A partition that joins `parent` gets (or has attached) an index for each of the parent's indexes. */
export function clonePartitionedIndexes(builder: DdlModelBuilder, parent: Table, partition: Table): void {
  for (const index of indexesOf(builder.model, parent)) {
    if (index.partitioned) cloneIndexOntoPartition(builder, index, partition);
  }
}
