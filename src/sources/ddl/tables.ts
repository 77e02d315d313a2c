/** CREATE TABLE (columns, constraints, LIKE, INHERITS, partitioning) and ADD CONSTRAINT. */
import { copyOf, newTable, qualify } from '../../model/model.js';
import type { Column, Constraint, Table } from '../../model/types.js';
import { boundFromSpec } from '../../sql/partition-bound.js';
import { SERIAL_TYPES, type DdlModelBuilder } from './builder.js';
import { present, stringValue, type PgNode, type PgNodeOf } from '../../sql/pg-node.js';
import { clonePartitionedIndexes, defineIndex, indexKeyFromElem } from './indexes.js';
import { chooseConstraintName } from './naming.js';
import { createTableRejection, reportRejection } from './rejections.js';

const LIKE_DEFAULTS = 1 << 3;
const LIKE_CONSTRAINTS = 1 << 2;
const LIKE_INDEXES = 1 << 6;
const LIKE_STORAGE = 1 << 8;
const LIKE_COMMENTS = 1 << 0;
/** Marks an index whose constraint is being created, so that its partition clones are labelled `key`/`pkey`. */
const PENDING_CONSTRAINT = '\u0000pending';

type ConstraintNode = PgNodeOf<'Constraint'>;

const names = (list: PgNode[] | undefined): string[] => (list ?? []).map(stringValue);

export function applyCreateStmt(builder: DdlModelBuilder, stmt: PgNodeOf<'CreateStmt'>): void {
  const { model } = builder;
  const rangeVar = present(stmt.relation, 'CreateStmt.relation');
  const relname = present(rangeVar.relname, 'RangeVar.relname');
  // Temporary tables live in a session's pg_temp schema and are gone when it ends: not part of the schema.
  if (rangeVar.relpersistence === 't') return;
  const schema = builder.creationSchema(rangeVar.schemaname);
  const key = qualify(schema, relname);
  if (model.tables.has(key) || model.otherRelations.has(key) || model.materializedViews.has(key)) {
    if (!stmt.if_not_exists) builder.diagnose(`relation ${key} already exists; the first definition is kept`, rangeVar.location);
    return;
  }
  if (stmt.ofTypename) {
    // A typed table's columns come from its composite type, which the model does not keep.
    const typeName = (stmt.ofTypename.names ?? []).map(stringValue).join('.');
    builder.diagnose(`CREATE TABLE ${key} OF ${typeName}: typed tables are not modelled; the table is left out`, rangeVar.location, 'unsupported');
    return;
  }
  const rejection = createTableRejection(builder, stmt);
  if (rejection) return reportRejection(builder, `CREATE TABLE ${key}`, rejection);
  if (!model.schemas.has(schema) && !builder.reportedMissingSchemas.has(schema)) {
    builder.reportedMissingSchemas.add(schema);
    builder.diagnose(`schema ${schema} is not defined (yet); its tables are created anyway`, rangeVar.location);
  }
  const persistence = rangeVar.relpersistence === 'u' ? 'unlogged' : rangeVar.relpersistence === 't' ? 'temporary' : 'permanent';
  const table = newTable(schema, relname, builder.origin(rangeVar.location), {
    kind: stmt.partspec ? 'partitioned' : 'table',
    persistence,
    options: relOptions(stmt.options),
  });
  model.tables.set(key, table);

  const parents = (stmt.inhRelations ?? []).map((n) => present(n.RangeVar, 'inhRelations RangeVar'));
  const partitionParent = stmt.partbound ? builder.requireTable(parents[0], 'PARTITION OF') : undefined;
  if (partitionParent) {
    // A partition shares the parent's columns; identity belongs to the parent only (its sequence feeds inserts routed through it).
    table.columns.push(...partitionParent.columns.map((c) => copyOf(c, { identity: undefined })));
  } else {
    for (const parentRef of parents) {
      const parent = builder.requireTable(parentRef, 'INHERITS');
      if (!parent) continue;
      table.inherits.push(qualify(parent.schema, parent.name));
      for (const column of parent.columns) {
        if (!table.columns.some((c) => c.name === column.name)) table.columns.push(copyOf(column));
      }
      for (const check of parent.constraints.filter((c) => c.kind === 'check')) builder.pushConstraint(table, copyOf(check, { inheritedFrom: check.name }));
    }
  }

  const deferred: Array<{ node: ConstraintNode; column?: Column }> = [];
  for (const element of stmt.tableElts ?? []) {
    if (element.ColumnDef) {
      const def = element.ColumnDef;
      const existing = table.columns.find((c) => c.name === def.colname);
      // A partition may restate an inherited column only to add constraints or a default.
      const column = existing ?? builder.newColumn(def);
      if (!existing) table.columns.push(column);
      for (const c of def.constraints ?? []) deferred.push(...applyColumnConstraint(builder, column, present(c.Constraint, 'column Constraint'), deferred));
      applySerial(builder, table, column, def);
    } else if (element.Constraint) {
      deferred.push({ node: element.Constraint });
    } else if (element.TableLikeClause) {
      applyLike(builder, table, element.TableLikeClause);
    }
  }
  if (stmt.partspec) {
    const spec = stmt.partspec;
    table.partitionBy = {
      strategy: spec.strategy === 'PARTITION_STRATEGY_RANGE' ? 'range' : spec.strategy === 'PARTITION_STRATEGY_LIST' ? 'list' : 'hash',
      keys: (spec.partParams ?? []).map((p) => {
        const elem = present(p.PartitionElem, 'PartitionElem');
        return elem.name ? { column: elem.name } : { expression: builder.expression(elem.expr) };
      }),
    };
  }
  // PostgreSQL names CHECK constraints first, then creates the indexes of PK/UNIQUE/EXCLUDE, then adds foreign keys.
  const order = (node: ConstraintNode): number => (node.contype === 'CONSTR_CHECK' ? 0 : node.contype === 'CONSTR_PRIMARY' ? 1 : node.contype === 'CONSTR_FOREIGN' ? 3 : 2);
  const batchNames = new Set<string>();
  for (const item of withoutUniqueDuplicatingPrimaryKey(deferred).sort((a, b) => order(a.node) - order(b.node))) {
    addConstraint(builder, table, item.node, { only: false, creating: true, batchNames, column: item.column });
  }
  if (partitionParent && stmt.partbound) attachPartition(builder, partitionParent, table, stmt.partbound);
}

/** In CREATE TABLE, PostgreSQL drops a UNIQUE constraint that repeats the primary key (same columns, same options). */
function withoutUniqueDuplicatingPrimaryKey<T extends { node: ConstraintNode }>(items: T[]): T[] {
  const signature = (node: ConstraintNode): string =>
    JSON.stringify([names(node.keys), names(node.including), Boolean(node.deferrable), Boolean(node.initdeferred), node.indexname ?? null]);
  const primary = items.find((item) => item.node.contype === 'CONSTR_PRIMARY');
  if (!primary) return items;
  const key = signature(primary.node);
  return items.filter((item) => item.node.contype !== 'CONSTR_UNIQUE' || signature(item.node) !== key);
}

function relOptions(options: PgNode[] | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const option of options ?? []) {
    const def = option.DefElem;
    if (!def) continue;
    const defname = def.defname ?? '';
    const name = def.defnamespace ? `${def.defnamespace}.${defname}` : defname;
    result[name] = defElemValue(def.arg);
  }
  return result;
}

export function defElemValue(arg: PgNode | undefined): string {
  if (!arg) return 'true';
  if (arg.Integer) return String(arg.Integer.ival ?? 0);
  if (arg.Float) return String(arg.Float.fval);
  if (arg.String) return String(arg.String.sval);
  if (arg.Boolean) return String(arg.Boolean.boolval ?? false);
  if (arg.TypeName) return (arg.TypeName.names ?? []).map(stringValue).join('.');
  return JSON.stringify(arg);
}

export { relOptions };

/** serial columns: int with a nextval() default on a sequence named `<table>_<column>_seq`. */
function applySerial(builder: DdlModelBuilder, table: Table, column: Column, def: PgNodeOf<'ColumnDef'>): void {
  const typeNames = names(def.typeName?.names);
  if (typeNames.length !== 1 || !SERIAL_TYPES.has(typeNames[0])) return;
  column.notNull = true;
  const sequenceName = `${table.name}_${column.name}_seq`;
  const key = qualify(table.schema, sequenceName);
  column.default = builder.expression({
    FuncCall: { funcname: [{ String: { sval: 'nextval' } }], args: [{ TypeCast: { arg: { A_Const: { sval: { sval: key } } }, typeName: { names: [{ String: { sval: 'regclass' } }] } } }] },
  });
  builder.model.otherRelations.set(key, { schema: table.schema, name: sequenceName, kind: 'sequence', origin: column.origin });
}

/** `DEFAULT NULL` (possibly cast) is no default at all: PostgreSQL stores none. */
export function isNullConstant(node: PgNode | undefined): boolean {
  if (!node) return false;
  if (node.TypeCast) return isNullConstant(node.TypeCast.arg);
  return Boolean(node.A_Const?.isnull);
}

/** Column constraints that are column properties are applied at once; the others become table constraints later. */
function applyColumnConstraint(
  builder: DdlModelBuilder,
  column: Column,
  node: ConstraintNode,
  previous: Array<{ node: ConstraintNode; column?: Column }>,
): Array<{ node: ConstraintNode; column: Column }> {
  switch (node.contype) {
    // DEFERRABLE / INITIALLY DEFERRED written after a column constraint modify that constraint.
    case 'CONSTR_ATTR_DEFERRABLE':
    case 'CONSTR_ATTR_NOT_DEFERRABLE':
    case 'CONSTR_ATTR_DEFERRED':
    case 'CONSTR_ATTR_IMMEDIATE':
    case 'CONSTR_ATTR_ENFORCED':
    case 'CONSTR_ATTR_NOT_ENFORCED': {
      const last = previous.at(-1);
      if (last && last.column === column) {
        if (node.contype === 'CONSTR_ATTR_DEFERRABLE') last.node = { ...last.node, deferrable: true };
        if (node.contype === 'CONSTR_ATTR_NOT_DEFERRABLE') last.node = { ...last.node, deferrable: false };
        if (node.contype === 'CONSTR_ATTR_DEFERRED') last.node = { ...last.node, deferrable: true, initdeferred: true };
        if (node.contype === 'CONSTR_ATTR_NOT_ENFORCED') last.node = { ...last.node, is_enforced: false };
        if (node.contype === 'CONSTR_ATTR_ENFORCED') last.node = { ...last.node, is_enforced: true };
      }
      return [];
    }
    case 'CONSTR_NOTNULL':
      column.notNull = true;
      return [];
    case 'CONSTR_NULL':
      column.notNull = false;
      return [];
    case 'CONSTR_DEFAULT':
      column.default = isNullConstant(node.raw_expr) ? undefined : builder.expression(node.raw_expr);
      return [];
    case 'CONSTR_IDENTITY':
      column.identity = node.generated_when === 'a' ? 'always' : 'by default';
      column.notNull = true;
      return [];
    case 'CONSTR_GENERATED':
      column.generated = node.generated_kind === 'v' ? 'virtual' : 'stored';
      column.default = builder.expression(node.raw_expr);
      return [];
    case 'CONSTR_PRIMARY':
    case 'CONSTR_UNIQUE':
      return [{ node: { ...node, keys: [{ String: { sval: column.name } }] }, column }];
    case 'CONSTR_FOREIGN':
      return [{ node: { ...node, fk_attrs: [{ String: { sval: column.name } }] }, column }];
    case 'CONSTR_CHECK':
      return [{ node, column }];
    default:
      return [];
  }
}

function applyLike(builder: DdlModelBuilder, table: Table, like: PgNodeOf<'TableLikeClause'>): void {
  const source = builder.requireTable(present(like.relation, 'TableLikeClause.relation'), 'LIKE');
  if (!source) return;
  const options = like.options ?? 0;
  for (const column of source.columns) {
    if (table.columns.some((c) => c.name === column.name)) continue;
    table.columns.push({
      ...column,
      default: options & LIKE_DEFAULTS ? column.default : undefined,
      storage: options & LIKE_STORAGE ? column.storage : undefined,
      comment: options & LIKE_COMMENTS ? column.comment : undefined,
      identity: undefined,
      generated: undefined,
    });
  }
  if (options & LIKE_CONSTRAINTS) {
    for (const check of source.constraints.filter((c) => c.kind === 'check')) builder.pushConstraint(table, copyOf(check, { origin: table.origin }));
  }
  if (options & LIKE_INDEXES) {
    for (const indexKey of source.indexes) {
      const index = builder.model.indexes.get(indexKey);
      if (!index || index.parent) continue;
      const created = defineIndex(builder, {
        table,
        method: index.method,
        unique: index.unique,
        primary: index.primary,
        keys: index.keys,
        keyElems: [],
        include: index.include,
        predicate: index.predicate,
        label: index.primary ? 'pkey' : index.constraint ? 'key' : 'idx',
        only: false,
        origin: table.origin,
      });
      const sourceConstraint = index.constraint ? source.constraints.find((c) => c.name === index.constraint) : undefined;
      if (sourceConstraint) {
        created.constraint = created.name;
        builder.pushConstraint(table, copyOf(sourceConstraint, { name: created.name, index: qualify(created.schema, created.name), origin: table.origin }));
      }
    }
  }
}

export interface AddConstraintOptions {
  /** `ALTER TABLE ONLY`: a PK/UNIQUE on a partitioned table gets an invalid index, not recursed into partitions. */
  only: boolean;
  /** In CREATE TABLE, NOT VALID is meaningless: the table is empty, PostgreSQL marks the constraint valid. */
  creating: boolean;
  batchNames: Set<string>;
  column?: Column;
}

export function addConstraint(builder: DdlModelBuilder, table: Table, node: ConstraintNode, options: AddConstraintOptions): void {
  const { model } = builder;
  const origin = builder.clauseOrigin(node.location);
  // The parser sets is_enforced only on CHECK and FOREIGN KEY (absent means NOT ENFORCED there); NOT ENFORCED
  // constraints are never validated.
  const enforced = node.contype === 'CONSTR_CHECK' || node.contype === 'CONSTR_FOREIGN' ? node.is_enforced === true : true;
  const validated = enforced && (options.creating ? true : !node.skip_validation);
  const base = { validated, enforced, deferrable: Boolean(node.deferrable), origin };
  switch (node.contype) {
    case 'CONSTR_CHECK': {
      const check = builder.expression(node.raw_expr);
      const columns = check.columns.filter((c) => table.columns.some((col) => col.name === c));
      const name =
        node.conname ?? chooseConstraintName(builder, table.schema, table.name, columns.length === 1 ? columns : [], 'check', options.batchNames);
      options.batchNames.add(name);
      const constraint: Constraint = { name, kind: 'check', columns, check, ...base };
      builder.pushConstraint(table, constraint);
      // CHECK constraints recurse to partitions (and inheritance children) as copies marked inherited.
      if (!options.creating) {
        for (const child of model.tables.values()) {
          const parentKey = qualify(table.schema, table.name);
          if (child.partitionOf?.parent === parentKey || child.inherits.includes(parentKey)) clonePartitionConstraint(builder, child, constraint);
        }
      }
      return;
    }
    case 'CONSTR_PRIMARY':
    case 'CONSTR_UNIQUE':
    case 'CONSTR_EXCLUSION': {
      addIndexConstraint(builder, table, node, options, base);
      return;
    }
    case 'CONSTR_FOREIGN': {
      const columns = names(node.fk_attrs);
      const target = builder.lookupRelation(present(node.pktable, 'Constraint.pktable'), (key) => model.tables.has(key));
      const name = node.conname ?? chooseConstraintName(builder, table.schema, table.name, columns, 'fkey', options.batchNames);
      options.batchNames.add(name);
      const constraint: Constraint = {
        name,
        kind: 'foreign',
        columns,
        foreignKey: {
          table: target.key,
          columns: names(node.pk_attrs),
          resolved: false,
          onDelete: node.fk_del_action ?? 'a',
          onUpdate: node.fk_upd_action ?? 'a',
          match: node.fk_matchtype ?? 's',
        },
        ...base,
      };
      builder.pushConstraint(table, constraint);
      builder.pendingForeignKeys.push({ table, constraint, origin });
      for (const partitionKey of table.partitions) {
        const partition = model.tables.get(partitionKey);
        if (partition) clonePartitionConstraint(builder, partition, constraint);
      }
      return;
    }
    default:
      return;
  }
}

function addIndexConstraint(
  builder: DdlModelBuilder,
  table: Table,
  node: ConstraintNode,
  options: AddConstraintOptions,
  base: Pick<Constraint, 'validated' | 'enforced' | 'deferrable' | 'origin'>,
): void {
  const kind = node.contype === 'CONSTR_PRIMARY' ? 'primary' : node.contype === 'CONSTR_UNIQUE' ? 'unique' : 'exclusion';
  if (kind === 'primary' && table.constraints.some((c) => c.kind === 'primary')) {
    builder.diagnose(`multiple primary keys for table ${table.schema}.${table.name} are not allowed; constraint skipped`, node.location);
    return;
  }
  if (node.indexname) {
    // ADD CONSTRAINT … USING INDEX: the index is renamed to the constraint's name.
    const index = builder.findIndex({ relname: node.indexname, schemaname: table.schema });
    if (!index) {
      builder.diagnose(`index ${node.indexname} is not defined; constraint skipped`, node.location);
      return;
    }
    const name = node.conname ?? index.name;
    renameIndexKey(builder, index, name);
    index.constraint = name;
    index.primary = kind === 'primary';
    index.unique = true;
    builder.pushConstraint(table, { name, kind, columns: index.keys.map((k) => k.column ?? ''), index: qualify(index.schema, name), ...base });
    return;
  }
  let elems: Array<PgNodeOf<'IndexElem'>>;
  if (kind === 'exclusion') {
    elems = (node.exclusions ?? []).map((pair) => present(pair.List?.items?.[0]?.IndexElem, 'exclusion IndexElem'));
  } else {
    elems = names(node.keys).map((column) => ({ name: column }));
  }
  const keys = elems.map((elem) => indexKeyFromElem(builder, elem));
  const columns = keys.map((k) => k.column ?? '');
  if (kind === 'primary') {
    for (const columnName of columns) {
      const column = table.columns.find((c) => c.name === columnName);
      if (column) column.notNull = true;
    }
  }
  const index = defineIndex(builder, {
    name: node.conname,
    table,
    method: kind === 'exclusion' ? (node.access_method ?? 'gist') : 'btree',
    unique: kind !== 'exclusion',
    primary: kind === 'primary',
    keys,
    keyElems: elems,
    include: names(node.including),
    predicate: node.where_clause ? builder.expression(node.where_clause) : undefined,
    label: kind === 'primary' ? 'pkey' : kind === 'unique' ? 'key' : 'excl',
    constraint: PENDING_CONSTRAINT,
    only: options.only,
    origin: base.origin,
  });
  index.constraint = index.name;
  const constraint: Constraint = { name: index.name, kind, columns, index: qualify(index.schema, index.name), ...base };
  builder.pushConstraint(table, constraint);
  adoptConstraintClones(builder, qualify(index.schema, index.name), constraint);
}

/** Partition indexes cloned while the constraint's index was being created back clones of the constraint. */
function adoptConstraintClones(builder: DdlModelBuilder, parentIndexKey: string, constraint: Constraint): void {
  const parent = builder.model.indexes.get(parentIndexKey);
  if (!parent?.partitioned) return;
  // Only the partitions' own indexes can be its clones: scanning every index of the model here was quadratic.
  for (const partitionKey of builder.model.tables.get(parent.table)?.partitions ?? []) {
    for (const childKey of builder.model.tables.get(partitionKey)?.indexes ?? []) {
      const child = builder.model.indexes.get(childKey);
      if (!child || child.parent !== parentIndexKey || child.constraint !== PENDING_CONSTRAINT) continue;
      child.constraint = child.name;
      const clone: Constraint = copyOf(constraint, { name: child.name, index: childKey, inheritedFrom: constraint.name });
      const partition = builder.model.tables.get(child.table);
      if (partition) builder.pushConstraint(partition, clone);
      adoptConstraintClones(builder, childKey, clone);
    }
  }
}

export function renameIndexKey(builder: DdlModelBuilder, index: { schema: string; name: string; table: string }, newName: string): void {
  const { model } = builder;
  const oldKey = qualify(index.schema, index.name);
  const newKey = qualify(index.schema, newName);
  if (oldKey === newKey) return;
  const entry = model.indexes.get(oldKey);
  if (!entry) return;
  model.indexes.delete(oldKey);
  entry.name = newName;
  model.indexes.set(newKey, entry);
  const owner = model.tables.get(entry.table) ?? model.materializedViews.get(entry.table);
  if (owner) owner.indexes = owner.indexes.map((k) => (k === oldKey ? newKey : k));
  if (entry.partitioned) for (const other of model.indexes.values()) if (other.parent === oldKey) other.parent = newKey;
  const table = model.tables.get(entry.table);
  for (const constraint of table?.constraints ?? []) if (constraint.index === oldKey) constraint.index = newKey;
}

/** Copies a constraint onto a partition and, for a sub-partitioned partition, on down to the leaves. */
function clonePartitionConstraint(builder: DdlModelBuilder, partition: Table, constraint: Constraint): void {
  if (partition.constraints.some((c) => c.name === constraint.name)) return;
  builder.pushConstraint(partition, copyOf(constraint, { inheritedFrom: constraint.name }));
  for (const key of partition.partitions) {
    const child = builder.model.tables.get(key);
    if (child) clonePartitionConstraint(builder, child, constraint);
  }
}

/** CREATE TABLE … PARTITION OF and ALTER TABLE … ATTACH PARTITION. */
export function attachPartition(builder: DdlModelBuilder, parent: Table, partition: Table, boundNode: PgNodeOf<'PartitionBoundSpec'>): void {
  const parentKey = qualify(parent.schema, parent.name);
  const partitionKey = qualify(partition.schema, partition.name);
  if (parent.kind !== 'partitioned') {
    builder.diagnose(`table ${parentKey} is not partitioned; cannot attach ${partitionKey}`);
    return;
  }
  const bound = boundFromSpec(boundNode);
  if (!bound) {
    builder.diagnose(`partition bound of ${partitionKey} is an expression DDL mode cannot evaluate; partition not attached`, boundNode.location, 'unsupported');
    return;
  }
  partition.partitionOf = { parent: parentKey, bound };
  if (!parent.partitions.includes(partitionKey)) parent.partitions.push(partitionKey);
  for (const constraint of parent.constraints) {
    if (constraint.kind === 'foreign' || constraint.kind === 'check') clonePartitionConstraint(builder, partition, constraint);
  }
  clonePartitionedIndexes(builder, parent, partition);
  for (const trigger of parent.triggers) {
    if (trigger.level === 'row' && !partition.triggers.some((t) => t.name === trigger.name)) {
      partition.triggers.push(copyOf(trigger, { table: partitionKey, inherited: true }));
    }
  }
}

/** Foreign keys are resolved once all files are applied: a referenced table may come later in the input. */
export function resolveForeignKeys(builder: DdlModelBuilder): void {
  const { model } = builder;
  for (const { constraint, origin } of builder.pendingForeignKeys) {
    const fk = constraint.foreignKey;
    const target = model.tables.get(fk.table);
    fk.resolved = Boolean(target);
    if (target && fk.columns.length === 0) {
      fk.columns = target.constraints.find((c) => c.kind === 'primary')?.columns ?? [];
    }
    if (!target) {
      builder.diagnostics.push({
        file: origin.file,
        line: origin.line,
        column: origin.column,
        kind: 'reference',
        message: `foreign key ${constraint.name} references ${fk.table}, which is not defined`,
      });
    }
  }
}
