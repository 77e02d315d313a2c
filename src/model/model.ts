import type { Index, Origin, SchemaModel, Table, TypeRef } from './types.js';

export function emptyModel(source: SchemaModel['source']): SchemaModel {
  return {
    schemas: new Map(),
    tables: new Map(),
    indexes: new Map(),
    functions: new Map(),
    domains: new Map(),
    materializedViews: new Map(),
    extensions: new Map(),
    otherRelations: new Map(),
    source,
  };
}

/**
 * A copy of a model object with some fields changed (same keys, in the same order, as `{ ...value, ...changes }`).
 * Object.assign, not spread syntax: on Node 20's V8 a spread copy gets a hidden class of its own after the first few,
 * so each copy also cost a map and a descriptor array (~280 bytes) and made every property access on such objects
 * megamorphic. A 10 MB dump's partitions held 37,000 of them (the parents' columns, constraints and triggers).
 */
export function copyOf<T extends object>(value: T, changes?: Partial<T>): T {
  return Object.assign({}, value, changes);
}

export function qualify(schema: string, name: string): string {
  return `${schema}.${name}`;
}

/**
 * Splits a qualified name made by `qualify` at its first dot. A schema name that holds a dot cannot be told apart
 * here, so code that has the schema and name separately keeps them separately.
 */
export function splitQualified(qualified: string): { schema: string; name: string } {
  const dot = qualified.indexOf('.');
  return { schema: qualified.slice(0, dot), name: qualified.slice(dot + 1) };
}

export const SYSTEM_SCHEMAS = new Set(['pg_catalog', 'information_schema']);

export function isSystemSchema(schema: string): boolean {
  return SYSTEM_SCHEMAS.has(schema) || schema.startsWith('pg_toast') || schema.startsWith('pg_temp');
}

/** Logical tables: ordinary and partitioned tables that are not partitions, outside system schemas and extensions. */
export function logicalTables(model: SchemaModel): Table[] {
  const result: Table[] = [];
  for (const table of model.tables.values()) {
    if (table.partitionOf || table.fromExtension || isSystemSchema(table.schema)) continue;
    result.push(table);
  }
  return result;
}

export function indexesOf(model: SchemaModel, table: Table): Index[] {
  const result: Index[] = [];
  for (const name of table.indexes) {
    const index = model.indexes.get(name);
    if (index) result.push(index);
  }
  return result;
}

/** All partitions below a partitioned table, depth first (sub-partitions included). */
export function descendantPartitions(model: SchemaModel, table: Table): Table[] {
  const result: Table[] = [];
  // Iterative, and a partition seen twice (a cycle in a hand-built model) is not followed again.
  const seen = new Set<Table>([table]);
  const pending = [...table.partitions].reverse();
  for (let key = pending.pop(); key !== undefined; key = pending.pop()) {
    const child = model.tables.get(key);
    if (!child || seen.has(child)) continue;
    seen.add(child);
    result.push(child);
    for (let i = child.partitions.length - 1; i >= 0; i--) pending.push(child.partitions[i]);
  }
  return result;
}

/** True when a relation-like name (table, index, view, sequence, …) is taken in the schema. */
export function relationNameTaken(model: SchemaModel, schema: string, name: string): boolean {
  const key = qualify(schema, name);
  return model.tables.has(key) || model.indexes.has(key) || model.materializedViews.has(key) || model.otherRelations.has(key);
}

const constraintNameIndex = new WeakMap<SchemaModel, Map<string, Set<string>>>();

/**
 * True when a constraint of that name exists on any table or domain of the schema (PostgreSQL's
 * ChooseConstraintName checks the namespace). Indexed once per model: for models that are no longer changing
 * (rules); the DDL builder keeps its own registry while it changes the model.
 */
export function constraintNameTaken(model: SchemaModel, schema: string, name: string): boolean {
  let index = constraintNameIndex.get(model);
  if (!index) {
    const built = new Map<string, Set<string>>();
    index = built;
    const add = (s: string, n: string): void => {
      let names = built.get(s);
      if (!names) built.set(s, (names = new Set()));
      names.add(n);
    };
    for (const table of model.tables.values()) for (const c of table.constraints) add(table.schema, c.name);
    for (const domain of model.domains.values()) for (const c of domain.checks) add(domain.schema, c.name);
    constraintNameIndex.set(model, index);
  }
  return index.get(schema)?.has(name) ?? false;
}

/** The base type of a column type: a domain resolves to what it is over (recursively). */
export function baseTypeOf(model: SchemaModel, type: TypeRef): TypeRef {
  let current = type;
  for (let depth = 0; depth < 16; depth++) {
    const domain = model.domains.get(qualify(current.schema, current.name));
    if (!domain || current.arrayDims > 0) return current;
    current = domain.baseType;
  }
  return current;
}

export function formatType(type: TypeRef): string {
  const name = type.schema === 'pg_catalog' ? type.name : `${type.schema}.${type.name}`;
  const mods = type.modifiers.length ? `(${type.modifiers.join(',')})` : '';
  return name + mods + '[]'.repeat(type.arrayDims);
}

/** A table with nothing in it yet; sources fill in columns, constraints and the rest. */
export function newTable(schema: string, name: string, origin: Origin, shape: Partial<Pick<Table, 'kind' | 'persistence' | 'options'>> = {}): Table {
  return {
    schema,
    name,
    kind: shape.kind ?? 'table',
    persistence: shape.persistence ?? 'permanent',
    columns: [],
    constraints: [],
    indexes: [],
    triggers: [],
    partitions: [],
    inherits: [],
    options: shape.options ?? {},
    origin,
  };
}
