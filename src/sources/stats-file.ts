/**
 * The volume-figures file (`--stats stats.json`): production sizes for DDL mode, so a pull-request check knows which
 * tables are big without database access. `schema-lint stats --db …` writes it from a live model.
 *
 * Format (version 1):
 *
 *   {
 *     "version": 1,
 *     "generatedAt": "2026-11-29T08:00:00.000Z",        // ISO 8601 instant
 *     "database": "db.example.com:5432/app",            // an alias, never credentials
 *     "statsWindowSeconds": 2592000,                    // optional: seconds since pg_stat_database.stats_reset
 *     "tables": {
 *       "<schema>.<table>": {                          // logical tables; partitions summed into their parent
 *         "estimatedRows": 12000000,                   // each figure optional; absent means unknown, not zero
 *         "totalBytes": 21474836480,
 *         "inserts": 400000000, "updates": 0, "deletes": 0
 *       }
 *     }
 *   }
 *
 * Table keys are `schema.table` exactly as the model qualifies names (unquoted, as PostgreSQL stores them).
 */
import type { Ajv, ErrorObject } from 'ajv';
import { describeAjvErrors, newAjv } from '../engine/config.js';
import { logicalTables, qualify } from '../model/model.js';
import type { SchemaModel, TableStats } from '../model/types.js';

export interface StatsFileTable {
  estimatedRows?: number;
  totalBytes?: number;
  inserts?: number;
  updates?: number;
  deletes?: number;
}

export interface StatsFile {
  version: 1;
  generatedAt: string;
  database: string;
  statsWindowSeconds?: number;
  tables: Record<string, StatsFileTable>;
}

export class StatsFileError extends Error {}

const figure = { type: 'number', minimum: 0 } as const;

export const statsFileSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'schema-lint volume figures',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'generatedAt', 'database', 'tables'],
  properties: {
    version: { const: 1 },
    generatedAt: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})$' },
    database: { type: 'string', minLength: 1, not: { pattern: '^[a-z][a-z0-9+.-]*://[^/@]*@' } },
    statsWindowSeconds: figure,
    tables: {
      type: 'object',
      propertyNames: { pattern: '^[^.]+\\..+$' },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: { estimatedRows: figure, totalBytes: figure, inserts: figure, updates: figure, deletes: figure },
      },
    },
  },
} as const;

let statsValidator: ReturnType<Ajv['compile']> | undefined;

/** Compiled on first use: most runs read no stats file. */
function validateStatsFile(): ReturnType<Ajv['compile']> {
  statsValidator ??= newAjv({ allErrors: true, strict: false }).compile(statsFileSchema);
  return statsValidator;
}

/** ajv's messages, reworded where they would not tell the user what to write. */
function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  const all = errors ?? [];
  // propertyNames reports twice (the name, then the object); the first names the bad key.
  const named = all.filter((e) => !(e.keyword === 'propertyNames'));
  const messages = describeAjvErrors(named, '').map((message) => {
    if (message.startsWith('database: must NOT be valid')) return 'database: must be an alias (host:port/dbname), not a URL with credentials';
    if (message.startsWith('generatedAt: must match pattern')) return 'generatedAt: must be an ISO 8601 date and time (2026-11-29T08:00:00Z)';
    if (message === 'version: must be equal to constant') return 'version: must be 1 (the only format this version reads)';
    return message.replace(/: is not a known setting$/, ': is not a known key');
  });
  for (const error of all) {
    if (error.keyword === 'pattern' && error.propertyName !== undefined) {
      const index = messages.findIndex((m) => m.startsWith('tables: must match pattern'));
      if (index >= 0) messages.splice(index, 1);
      messages.push(`tables.${error.propertyName}: is not a qualified table name (schema.table)`);
    }
  }
  return messages;
}

export function parseStatsFile(text: string, fileName: string): StatsFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new StatsFileError(`${fileName}: not valid JSON (${(error as Error).message})`);
  }
  const validate = validateStatsFile();
  if (!validate(raw)) throw new StatsFileError(`${fileName}: ${describeErrors(validate.errors).join('; ')}`);
  const file = raw as StatsFile;
  if (Number.isNaN(Date.parse(file.generatedAt))) throw new StatsFileError(`${fileName}: generatedAt: is not a valid date and time`);
  return file;
}

const FIGURES = ['estimatedRows', 'totalBytes', 'inserts', 'updates', 'deletes'] as const;

/** Sets `table.stats` on the model's tables from the file; returns how many matched and the keys that did not. */
export function applyStatsFile(model: SchemaModel, stats: StatsFile): { applied: number; unknownTables: string[] } {
  let applied = 0;
  const unknownTables: string[] = [];
  for (const [key, figures] of Object.entries(stats.tables)) {
    const table = model.tables.get(key);
    if (!table || table.partitionOf) {
      unknownTables.push(key);
      continue;
    }
    const result: TableStats = {};
    for (const name of FIGURES) if (figures[name] !== undefined) result[name] = figures[name];
    if (stats.statsWindowSeconds !== undefined) result.statsWindowSeconds = stats.statsWindowSeconds;
    table.stats = result;
    applied++;
  }
  return { applied, unknownTables };
}

/** The export direction: the figures of every logical table that has some, from a (live) model. */
export function statsFileFromModel(model: SchemaModel, meta: { generatedAt: Date; database: string }): StatsFile {
  const file: StatsFile = { version: 1, generatedAt: meta.generatedAt.toISOString(), database: meta.database, tables: {} };
  for (const table of logicalTables(model)) {
    if (!table.stats) continue;
    const figures: StatsFileTable = {};
    for (const name of FIGURES) if (table.stats[name] !== undefined) figures[name] = table.stats[name];
    if (table.stats.statsWindowSeconds !== undefined) file.statsWindowSeconds ??= table.stats.statsWindowSeconds;
    if (Object.keys(figures).length) file.tables[qualify(table.schema, table.name)] = figures;
  }
  return file;
}
