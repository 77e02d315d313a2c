/**
 * Gives the model's lists the room they use, once a source has built them. Builders grow lists by `push`, and V8
 * gives an array that grows from empty room for 17 elements (152 bytes) while a table has two or three
 * constraints, an index one or two keys, a trigger one or two events: on a generated 10 MB dump (19,543 tables) the
 * model held 99 MB, 8.5 MB of it unused array room; fitted, 90.5 MB, for ~10 ms of copying. A copy made by `slice`
 * has exactly its length's room.
 *
 * DDL mode fits its model (a 50 MB dump's is ~450 MB); live mode does not: its models are a fifth of that at 10,000
 * tables, where the copying cost ~60 ms of a cold run's CPU.
 *
 * Only lists the model's own objects hold are fitted; expressions are shared between objects (shared-values.ts) and
 * keep theirs. Each list is replaced by an equal one, so nothing that compares values sees a difference.
 */
import type { Constraint, PartitionBound, SchemaModel } from './types.js';

/** An equal array without spare room (an empty one is left as it is: it has none). */
function fitted<T>(list: T[]): T[] {
  return list.length === 0 ? list : list.slice();
}

function fitBound(bound: PartitionBound): void {
  if (bound.kind === 'range') {
    bound.from = fitted(bound.from);
    bound.to = fitted(bound.to);
  } else if (bound.kind === 'list') {
    bound.values = fitted(bound.values);
  }
}

function fitConstraints(constraints: Constraint[]): Constraint[] {
  for (const constraint of constraints) {
    constraint.columns = fitted(constraint.columns);
    if (constraint.kind === 'foreign') constraint.foreignKey.columns = fitted(constraint.foreignKey.columns);
  }
  return fitted(constraints);
}

export function fitArrays(model: SchemaModel): void {
  for (const table of model.tables.values()) {
    table.columns = fitted(table.columns);
    table.constraints = fitConstraints(table.constraints);
    table.indexes = fitted(table.indexes);
    table.partitions = fitted(table.partitions);
    table.inherits = fitted(table.inherits);
    for (const trigger of table.triggers) {
      trigger.events = fitted(trigger.events);
      trigger.arguments = fitted(trigger.arguments);
    }
    table.triggers = fitted(table.triggers);
    if (table.partitionBy) table.partitionBy.keys = fitted(table.partitionBy.keys);
    if (table.partitionOf) fitBound(table.partitionOf.bound);
  }
  for (const index of model.indexes.values()) {
    index.keys = fitted(index.keys);
    index.include = fitted(index.include);
  }
  for (const view of model.materializedViews.values()) view.indexes = fitted(view.indexes);
  for (const domain of model.domains.values()) domain.checks = fitConstraints(domain.checks);
}
