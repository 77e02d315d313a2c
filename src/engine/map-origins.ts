/**
 * `--source DIR` in live mode: a finding about a database object points at the DDL statement that defines that
 * object, so code scanning shows it on the migration line instead of a synthetic path.
 */
import { qualify } from '../model/model.js';
import type { Origin, SchemaModel } from '../model/types.js';
import type { Finding } from './types.js';

function sourceOrigin(model: SchemaModel, finding: Finding): Origin | undefined {
  const { object } = finding;
  const key = qualify(object.schema, object.name);
  const table = model.tables.get(key);
  if (!table) return model.materializedViews.get(key)?.origin;
  if (object.detail) {
    const constraint = table.constraints.find((c) => c.name === object.detail);
    if (constraint) return constraint.origin;
    const trigger = table.triggers.find((t) => t.name === object.detail);
    if (trigger) return trigger.origin;
    const index = model.indexes.get(qualify(object.schema, object.detail));
    if (index) return index.origin;
  }
  if (object.column) {
    const column = table.columns.find((c) => c.name === object.column);
    if (column) return column.origin;
  }
  return table.origin;
}

/** Findings with their origin moved to the defining DDL where the source model has the object. */
export function mapFindingsToSource(findings: Finding[], source: SchemaModel): Finding[] {
  return findings.map((finding) => {
    if (finding.origin.kind !== 'database') return finding;
    const origin = sourceOrigin(source, finding);
    return origin && origin.kind === 'file' ? { ...finding, origin } : finding;
  });
}
