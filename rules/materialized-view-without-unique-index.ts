/**
 * materialized-view-without-unique-index: `REFRESH MATERIALIZED VIEW CONCURRENTLY` needs a unique index on the
 * view made of plain columns with no predicate. Without one, the concurrent refresh fails, and a plain REFRESH
 * locks every reader out for the whole rebuild.
 */
import { isSystemSchema, qualify } from '../src/model/model.js';
import type { Index, MaterializedView, SchemaModel } from '../src/model/types.js';
import type { Rule, RuleFinding } from '../src/engine/types.js';

export type MaterializedViewWithoutUniqueIndexOptions = Record<string, never>;

/** What REFRESH … CONCURRENTLY accepts: unique, valid, no predicate, every key a plain column. */
function supportsConcurrentRefresh(index: Index): boolean {
  return index.unique && index.valid && !index.predicate && index.keys.every((key) => key.column !== undefined);
}

const REFRESH_CONCURRENTLY = /refresh\s+materialized\s+view\s+concurrently\s+((?:"(?:[^"]|"")+"|[\w$]+)(?:\s*\.\s*(?:"(?:[^"]|"")+"|[\w$]+))?)/gi;

function identifierPart(part: string): string {
  const trimmed = part.trim();
  return trimmed.startsWith('"') ? trimmed.slice(1, -1).replace(/""/g, '"') : trimmed.toLowerCase();
}

/** Functions whose body refreshes a view concurrently, by the view's name (qualified when the body qualifies it). */
function concurrentRefreshers(model: SchemaModel): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const overloads of model.functions.values()) {
    for (const fn of overloads) {
      for (const match of fn.body.matchAll(REFRESH_CONCURRENTLY)) {
        const parts = match[1].split(/\s*\.\s*(?=(?:[^"]*"[^"]*")*[^"]*$)/).map(identifierPart);
        const name = parts.length === 2 ? qualify(parts[0], parts[1]) : parts[0];
        const list = result.get(name) ?? [];
        list.push(qualify(fn.schema, fn.name));
        result.set(name, list);
      }
    }
  }
  return result;
}

function messageFor(view: MaterializedView, indexes: Index[], refreshers: string[]): string {
  const name = qualify(view.schema, view.name);
  const near = indexes.filter((index) => index.unique && !supportsConcurrentRefresh(index));
  const sentences = [`Materialized view ${name} has no unique index that REFRESH MATERIALIZED VIEW CONCURRENTLY can use.`];
  if (near.length) sentences.push(`${near.map((index) => index.name).join(', ')} does not count: it has a predicate or an expression key, or is invalid.`);
  if (refreshers.length) {
    sentences.push(`${[...new Set(refreshers)].join(', ')} refreshes it CONCURRENTLY, which fails with "cannot refresh materialized view concurrently".`);
  } else {
    sentences.push('A plain REFRESH takes an ACCESS EXCLUSIVE lock: every query on the view waits for the whole rebuild.');
  }
  sentences.push('Add a unique index over the columns that identify a row of the view (its GROUP BY columns, for an aggregate).');
  return sentences.join(' ');
}

export const materializedViewWithoutUniqueIndex: Rule<MaterializedViewWithoutUniqueIndexOptions> = {
  id: 'materialized-view-without-unique-index',
  name: 'MaterializedViewWithoutUniqueIndex',
  defaultSeverity: 'error',
  mode: 'both',
  fixSafety: [],
  precision: 'high',
  tags: ['availability', 'materialized-view', 'index'],
  docs: {
    summary: 'A materialized view has no unique index, so it cannot be refreshed CONCURRENTLY.',
    description:
      '`REFRESH MATERIALIZED VIEW CONCURRENTLY` lets queries read the old contents while the view is rebuilt; it ' +
      'needs a unique index on the view whose keys are plain columns and which has no WHERE clause. Without one, the ' +
      'concurrent refresh fails, and a plain `REFRESH` holds an ACCESS EXCLUSIVE lock that blocks every reader for ' +
      'the whole rebuild. The level is `error` when a function in the schema refreshes the view CONCURRENTLY (it ' +
      'fails every time it runs) and `note` otherwise (the view may only be refreshed in a quiet hour).',
    bad: [
      {
        title: 'Refreshed concurrently, no unique index',
        sql:
          'CREATE TABLE executions (tool_id bigint, executed_at timestamptz, duration_ms int);\n' +
          'CREATE MATERIALIZED VIEW execution_stats AS\n' +
          "    SELECT tool_id, date_trunc('hour', executed_at) AS hour, avg(duration_ms) AS avg_ms FROM executions GROUP BY 1, 2;\n" +
          "CREATE FUNCTION refresh_stats() RETURNS void LANGUAGE sql AS 'REFRESH MATERIALIZED VIEW CONCURRENTLY execution_stats';",
      },
    ],
    good: [
      {
        title: 'A unique index over the GROUP BY columns (the seed review does this)',
        sql:
          'CREATE TABLE executions (tool_id bigint, executed_at timestamptz, duration_ms int);\n' +
          'CREATE MATERIALIZED VIEW execution_stats AS\n' +
          "    SELECT tool_id, date_trunc('hour', executed_at) AS hour, avg(duration_ms) AS avg_ms FROM executions GROUP BY 1, 2;\n" +
          'CREATE UNIQUE INDEX execution_stats_key ON execution_stats (tool_id, hour);',
      },
    ],
    fix: 'None: which columns identify a row of the view depends on its query (for an aggregate, its GROUP BY columns), and a unique index build fails if the view has duplicate rows.',
  },
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  defaultOptions: {},
  check(model) {
    const findings: RuleFinding[] = [];
    const refreshers = concurrentRefreshers(model);
    for (const view of model.materializedViews.values()) {
      if (isSystemSchema(view.schema)) continue;
      const indexes = view.indexes.map((key) => model.indexes.get(key)).filter((index): index is Index => index !== undefined);
      if (indexes.some(supportsConcurrentRefresh)) continue;
      const byName = [...(refreshers.get(qualify(view.schema, view.name)) ?? []), ...(refreshers.get(view.name) ?? [])];
      findings.push({
        title: `${qualify(view.schema, view.name)}: no unique index, cannot REFRESH CONCURRENTLY`,
        message: messageFor(view, indexes, byName),
        object: { kind: 'materialized view', schema: view.schema, name: view.name },
        origin: view.origin,
        severity: byName.length ? undefined : 'note',
      });
    }
    return findings;
  },
};
