/** DROP, RENAME and SET SCHEMA: keep every reference in the model (indexes, partitions, foreign keys) consistent. */
import { qualify } from '../../model/model.js';
import type { Table } from '../../model/types.js';
import type { DdlModelBuilder } from './builder.js';
import { present, stringValue, type PgNode, type PgNodeOf } from '../../sql/pg-node.js';
import { renameIndexKey } from './tables.js';
import { rangeVarOf } from './range-var.js';

// A name list holds String nodes; an absent sval stays undefined, as the untyped code had it.
const strings = (list: PgNode[] | undefined): string[] => (list ?? []).map((n) => n.String?.sval as string);

function objectParts(object: PgNode): string[] {
  if (object.List) return strings(object.List.items);
  if (object.String) return [stringValue(object)];
  if (object.TypeName) return strings(object.TypeName.names);
  if (object.ObjectWithArgs) return strings(object.ObjectWithArgs.objname);
  return [];
}

export function dropIndex(builder: DdlModelBuilder, key: string): void {
  const { model } = builder;
  const index = model.indexes.get(key);
  if (!index) return;
  model.indexes.delete(key);
  const owner = model.tables.get(index.table) ?? model.materializedViews.get(index.table);
  if (owner) owner.indexes = owner.indexes.filter((k) => k !== key);
  // A partitioned index takes its attached partition indexes with it.
  for (const [childKey, child] of [...model.indexes]) if (child.parent === key) dropIndex(builder, childKey);
}

export function dropTable(builder: DdlModelBuilder, table: Table): void {
  const { model } = builder;
  const key = qualify(table.schema, table.name);
  for (const partitionKey of [...table.partitions]) {
    const partition = model.tables.get(partitionKey);
    if (partition) dropTable(builder, partition);
  }
  for (const indexKey of [...table.indexes]) dropIndex(builder, indexKey);
  model.tables.delete(key);
  builder.forgetConstraints(table);
  if (table.partitionOf) {
    const parent = model.tables.get(table.partitionOf.parent);
    if (parent) parent.partitions = parent.partitions.filter((k) => k !== key);
  }
  // As DROP … CASCADE does: foreign keys that point at the table go too.
  for (const other of model.tables.values()) {
    builder.removeConstraints(other, (c) => c.kind === 'foreign' && c.foreignKey.table === key);
  }
}

export function dropConstraint(builder: DdlModelBuilder, table: Table, name: string): void {
  const constraint = table.constraints.find((c) => c.name === name);
  builder.removeConstraints(table, (c) => c.name === name);
  if (constraint?.index) dropIndex(builder, constraint.index);
  for (const partitionKey of table.partitions) {
    const partition = builder.model.tables.get(partitionKey);
    if (!partition) continue;
    const clone = partition.constraints.find((c) => c.inheritedFrom === name);
    if (clone) dropConstraint(builder, partition, clone.name);
  }
}

/** Dropping a column drops the indexes and constraints that use it, as PostgreSQL does. */
export function dropColumn(builder: DdlModelBuilder, table: Table, name: string): void {
  table.columns = table.columns.filter((c) => c.name !== name);
  for (const constraint of [...table.constraints]) {
    if (constraint.columns.includes(name)) dropConstraint(builder, table, constraint.name);
  }
  for (const indexKey of [...table.indexes]) {
    const index = builder.model.indexes.get(indexKey);
    if (!index) continue;
    const uses = index.keys.some((k) => k.column === name || k.expression?.columns.includes(name)) || index.include.includes(name) || index.predicate?.columns.includes(name);
    if (uses) dropIndex(builder, indexKey);
  }
  for (const partitionKey of table.partitions) {
    const partition = builder.model.tables.get(partitionKey);
    if (partition) dropColumn(builder, partition, name);
  }
}

export function applyDrop(builder: DdlModelBuilder, stmt: PgNodeOf<'DropStmt'>): void {
  const { model } = builder;
  for (const object of stmt.objects ?? []) {
    const parts = objectParts(object);
    if (parts.length === 0) continue;
    switch (stmt.removeType) {
      case 'OBJECT_TABLE':
      case 'OBJECT_FOREIGN_TABLE': {
        const table = builder.findTable(rangeVarOf(parts));
        if (table) dropTable(builder, table);
        else if (!stmt.missing_ok) builder.diagnose(`DROP TABLE: table ${parts.join('.')} does not exist`);
        break;
      }
      case 'OBJECT_INDEX': {
        const index = builder.findIndex(rangeVarOf(parts));
        if (index) dropIndex(builder, qualify(index.schema, index.name));
        else if (!stmt.missing_ok) builder.diagnose(`DROP INDEX: index ${parts.join('.')} does not exist`);
        break;
      }
      case 'OBJECT_TRIGGER': {
        const triggerName = parts[parts.length - 1];
        const table = builder.findTable(rangeVarOf(parts.slice(0, -1)));
        if (table?.triggers.some((t) => t.name === triggerName)) {
          const drop = (t: Table): void => {
            t.triggers = t.triggers.filter((trigger) => trigger.name !== triggerName);
            for (const key of t.partitions) {
              const partition = model.tables.get(key);
              if (partition) drop(partition);
            }
          };
          drop(table);
        } else if (!stmt.missing_ok) builder.diagnose(`DROP TRIGGER: trigger ${triggerName} does not exist`);
        break;
      }
      case 'OBJECT_FUNCTION':
      case 'OBJECT_PROCEDURE': {
        const key = builder.qualifyList(
          parts.map((sval) => ({ String: { sval } })),
          (k) => model.functions.has(k),
        ).key;
        const argTypes = object.ObjectWithArgs?.objargs;
        if (argTypes && !object.ObjectWithArgs?.args_unspecified) {
          // objargs are `{ TypeName: … }` nodes, spelled as CREATE FUNCTION's argument types are (statements.ts).
          const wanted = argTypes.map((t) => strings(t.TypeName?.names).join('.')).join(',');
          const remaining = (model.functions.get(key) ?? []).filter((f) => f.argumentTypes.join(',') !== wanted);
          if (remaining.length) model.functions.set(key, remaining);
          else model.functions.delete(key);
        } else model.functions.delete(key);
        // Triggers depend on their function: PostgreSQL drops them with it (CASCADE) or refuses the DROP.
        if (!model.functions.has(key)) {
          for (const table of model.tables.values()) table.triggers = table.triggers.filter((t) => t.function !== key);
        }
        break;
      }
      case 'OBJECT_MATVIEW': {
        const key = builder.qualifyList(parts.map((sval) => ({ String: { sval } })), (k) => model.materializedViews.has(k)).key;
        const view = model.materializedViews.get(key);
        if (view) for (const indexKey of view.indexes) model.indexes.delete(indexKey);
        model.materializedViews.delete(key);
        break;
      }
      case 'OBJECT_VIEW':
      case 'OBJECT_SEQUENCE':
      case 'OBJECT_TYPE': {
        const key = builder.qualifyList(parts.map((sval) => ({ String: { sval } })), (k) => model.otherRelations.has(k)).key;
        model.otherRelations.delete(key);
        break;
      }
      case 'OBJECT_DOMAIN': {
        const key = builder.qualifyList(parts.map((sval) => ({ String: { sval } })), (k) => model.domains.has(k)).key;
        model.domains.delete(key);
        break;
      }
      case 'OBJECT_SCHEMA':
        dropSchema(builder, parts[0]);
        break;
      case 'OBJECT_EXTENSION':
        model.extensions.delete(parts[0]);
        break;
      default:
        break;
    }
  }
}

function dropSchema(builder: DdlModelBuilder, schema: string): void {
  const { model } = builder;
  model.schemas.delete(schema);
  for (const table of [...model.tables.values()]) if (table.schema === schema && model.tables.has(qualify(schema, table.name))) dropTable(builder, table);
  for (const map of [model.indexes, model.functions, model.domains, model.materializedViews, model.otherRelations] as Array<Map<string, unknown>>) {
    for (const key of [...map.keys()]) if (key.startsWith(`${schema}.`)) map.delete(key);
  }
}

/** Moves a table to a new qualified name and rewrites every reference to it. */
export function renameTable(builder: DdlModelBuilder, table: Table, schema: string, name: string): void {
  const { model } = builder;
  const oldKey = qualify(table.schema, table.name);
  const newKey = qualify(schema, name);
  if (model.tables.has(newKey)) {
    builder.diagnose(`relation ${newKey} already exists; rename skipped`);
    return;
  }
  model.tables.delete(oldKey);
  builder.forgetConstraints(table);
  table.schema = schema;
  table.name = name;
  builder.rememberConstraints(table);
  model.tables.set(newKey, table);
  for (const other of model.tables.values()) {
    if (other.partitionOf?.parent === oldKey) other.partitionOf.parent = newKey;
    other.partitions = other.partitions.map((k) => (k === oldKey ? newKey : k));
    for (const constraint of other.constraints) if (constraint.kind === 'foreign' && constraint.foreignKey.table === oldKey) constraint.foreignKey.table = newKey;
  }
  for (const trigger of table.triggers) trigger.table = newKey;
  for (const indexKey of table.indexes) {
    const index = model.indexes.get(indexKey);
    if (index) index.table = newKey;
  }
  // Indexes stay in the table's schema: SET SCHEMA moves them along.
  if (oldKey.split('.')[0] !== schema) {
    for (const indexKey of [...table.indexes]) {
      const index = model.indexes.get(indexKey);
      // A table's index list names indexes of the model only.
      if (!index) continue;
      model.indexes.delete(indexKey);
      index.schema = schema;
      model.indexes.set(qualify(schema, index.name), index);
    }
    table.indexes = table.indexes.map((k) => qualify(schema, k.slice(k.indexOf('.') + 1)));
  }
}

export function applyRename(builder: DdlModelBuilder, stmt: PgNodeOf<'RenameStmt'>): void {
  const { model } = builder;
  // Every rename has a new name; the old one (subname) is there for columns, constraints, triggers and schemas.
  const newname = stmt.newname ?? '';
  const subname = stmt.subname ?? '';
  // Renames of relations, columns, constraints and triggers name their relation.
  const relation = (): PgNodeOf<'RangeVar'> => present(stmt.relation, 'RenameStmt.relation');
  switch (stmt.renameType) {
    case 'OBJECT_TABLE':
    case 'OBJECT_FOREIGN_TABLE': {
      const table = builder.findTable(relation());
      if (table) renameTable(builder, table, table.schema, newname);
      // ALTER TABLE … RENAME also renames an index (or view, sequence); PostgreSQL accepts any relation there.
      else if (builder.findIndex(relation())) applyRename(builder, { ...stmt, renameType: 'OBJECT_INDEX' });
      else if (!stmt.missing_ok) builder.requireTable(relation(), 'ALTER TABLE RENAME');
      return;
    }
    case 'OBJECT_INDEX': {
      const index = builder.findIndex(relation());
      if (!index) {
        if (!stmt.missing_ok) builder.diagnose(`ALTER INDEX RENAME: index ${relation().relname ?? ''} does not exist`);
        return;
      }
      const oldName = index.name;
      renameIndexKey(builder, index, newname);
      // An index that backs a constraint renames the constraint too.
      const table = model.tables.get(index.table);
      const constraint = table?.constraints.find((c) => c.name === oldName && c.index === qualify(index.schema, newname));
      if (table && constraint && index.constraint === oldName) {
        builder.renameConstraint(table, constraint, newname);
        index.constraint = newname;
      }
      return;
    }
    case 'OBJECT_COLUMN': {
      const table = builder.findTable(relation());
      if (!table) return void builder.requireTable(relation(), 'RENAME COLUMN');
      renameColumn(builder, table, subname, newname);
      return;
    }
    case 'OBJECT_TABCONSTRAINT': {
      const table = builder.findTable(relation());
      const constraint = table?.constraints.find((c) => c.name === subname);
      if (!table || !constraint) return builder.diagnose(`RENAME CONSTRAINT: constraint ${subname} does not exist`);
      builder.renameConstraint(table, constraint, newname);
      if (constraint.index) {
        const index = model.indexes.get(constraint.index);
        if (index) {
          renameIndexKey(builder, index, newname);
          index.constraint = newname;
          constraint.index = qualify(index.schema, newname);
        }
      }
      return;
    }
    case 'OBJECT_TRIGGER': {
      const table = builder.findTable(relation());
      const trigger = table?.triggers.find((t) => t.name === subname);
      if (trigger) trigger.name = newname;
      else builder.diagnose(`RENAME TRIGGER: trigger ${subname} does not exist`);
      return;
    }
    case 'OBJECT_FUNCTION':
    case 'OBJECT_PROCEDURE': {
      const parts = strings(stmt.object?.ObjectWithArgs?.objname);
      const from = builder.qualifyList(parts.map((sval) => ({ String: { sval } })), (k) => model.functions.has(k));
      const overloads = model.functions.get(from.key);
      if (!overloads) return builder.diagnose(`ALTER FUNCTION RENAME: function ${parts.join('.')} does not exist`);
      const to = qualify(from.schema, newname);
      model.functions.delete(from.key);
      model.functions.set(to, [...(model.functions.get(to) ?? []), ...overloads.map((f) => ({ ...f, name: newname }))]);
      // Triggers reference their function by identity, so they follow the rename.
      for (const table of model.tables.values()) for (const t of table.triggers) if (t.function === from.key) t.function = to;
      return;
    }
    case 'OBJECT_SCHEMA': {
      const schema = model.schemas.get(subname);
      if (!schema) return;
      model.schemas.delete(subname);
      model.schemas.set(newname, { ...schema, name: newname });
      for (const table of [...model.tables.values()]) if (table.schema === subname) renameTable(builder, table, newname, table.name);
      return;
    }
    default:
      return;
  }
}

function renameColumn(builder: DdlModelBuilder, table: Table, from: string, to: string): void {
  const target = table.columns.find((c) => c.name === from);
  if (!target) return builder.diagnose(`RENAME COLUMN: column ${from} does not exist in ${table.schema}.${table.name}`);
  const tableKey = qualify(table.schema, table.name);
  const rename = (t: Table): void => {
    const c = t.columns.find((x) => x.name === from);
    if (c) c.name = to;
    for (const constraint of t.constraints) constraint.columns = constraint.columns.map((n) => (n === from ? to : n));
    for (const indexKey of t.indexes) {
      const index = builder.model.indexes.get(indexKey);
      if (!index) continue;
      for (const key of index.keys) if (key.column === from) key.column = to;
      index.include = index.include.map((n) => (n === from ? to : n));
    }
    for (const key of t.partitions) {
      const partition = builder.model.tables.get(key);
      if (partition) rename(partition);
    }
  };
  rename(table);
  for (const part of table.partitionBy?.keys ?? []) if (part.column === from) part.column = to;
  for (const other of builder.model.tables.values()) {
    for (const constraint of other.constraints) {
      if (constraint.kind === 'foreign' && constraint.foreignKey.table === tableKey) constraint.foreignKey.columns = constraint.foreignKey.columns.map((n) => (n === from ? to : n));
    }
  }
}

export function applySetSchema(builder: DdlModelBuilder, stmt: PgNodeOf<'AlterObjectSchemaStmt'>): void {
  if (stmt.objectType !== 'OBJECT_TABLE' || !stmt.relation) return;
  const table = builder.findTable(stmt.relation);
  if (table) renameTable(builder, table, present(stmt.newschema, 'AlterObjectSchemaStmt.newschema'), table.name);
  else if (!stmt.missing_ok) builder.requireTable(stmt.relation, 'ALTER TABLE SET SCHEMA');
}
