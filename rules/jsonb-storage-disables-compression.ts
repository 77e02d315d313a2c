/**
 * jsonb-storage-disables-compression: `SET STORAGE EXTERNAL` (or PLAIN) on a jsonb column turns compression off.
 * EXTERNAL exists for fast substring access to uncompressed text and bytea; jsonb documents are always read whole,
 * so it only makes them larger on disk, in the buffer cache and on the wire to replicas.
 */
import { qualify } from '../src/model/model.js';
import type { Fix, Rule, RuleFinding } from '../src/engine/types.js';
import { qualifiedIdent, quoteIdent } from '../src/fix/sql.js';
import { jsonbColumns, type JsonbColumn } from './jsonb/columns.js';

export type JsonbStorageDisablesCompressionOptions = Record<string, never>;

const UNCOMPRESSED = new Set(['external', 'plain']);

function fixFor({ table, column }: JsonbColumn): Fix {
  return {
    sql: `ALTER TABLE ${qualifiedIdent(table.schema, table.name)} ALTER COLUMN ${quoteIdent(column.name)} SET STORAGE EXTENDED;`,
    safety: 'safe',
    concurrently: false,
    notes: [
      'Changes only the catalog (a brief ACCESS EXCLUSIVE lock, no rewrite): values written from now on are compressed; existing rows stay as they are until rewritten (VACUUM FULL, pg_repack, or an UPDATE).',
    ],
  };
}

function messageFor({ table, column }: JsonbColumn): string {
  // Only columns with an explicit SET STORAGE get here.
  const storage = (column.storage ?? '').toUpperCase();
  const sentences = [
    `Column ${qualify(table.schema, table.name)}.${column.name} (jsonb) has STORAGE ${storage}, which stores its documents uncompressed.`,
    storage === 'PLAIN'
      ? 'PLAIN also keeps them in the row: a row whose document does not fit in a page cannot be stored at all.'
      : 'EXTERNAL helps substring reads of text and bytea; jsonb is always read whole, so it only costs disk, cache and WAL.',
  ];
  if (column.compression) sentences.push(`Its COMPRESSION ${column.compression} setting has no effect while compression is off.`);
  return sentences.join(' ');
}

export const jsonbStorageDisablesCompression: Rule<JsonbStorageDisablesCompressionOptions> = {
  id: 'jsonb-storage-disables-compression',
  name: 'JsonbStorageDisablesCompression',
  defaultSeverity: 'warning',
  mode: 'both',
  fixSafety: ['safe'],
  precision: 'very-high',
  tags: ['performance', 'jsonb', 'storage'],
  docs: {
    summary: 'A jsonb column is set to STORAGE EXTERNAL or PLAIN, which turns compression off.',
    description:
      'jsonb\'s default storage, EXTENDED, compresses large documents (pglz, or lz4 with `COMPRESSION lz4`) before ' +
      'moving them out of line. `ALTER COLUMN … SET STORAGE EXTERNAL` keeps them out of line but uncompressed: it ' +
      'speeds up `substring()` on large text and bytea, and does nothing for jsonb, which is always decompressed and ' +
      'read whole. It only makes the table larger on disk, in shared buffers, in WAL and on replicas — the opposite ' +
      'of what the seed review\'s "consider JSONB compression for large specs" meant. PLAIN is worse: no compression ' +
      'and no out-of-line storage, so a large document cannot be stored. Domains over jsonb count.',
    bad: [
      {
        title: 'EXTERNAL storage on a large jsonb column (and a COMPRESSION setting that is then ignored)',
        sql:
          'CREATE TABLE tool_configurations (id uuid PRIMARY KEY, api_spec jsonb COMPRESSION lz4);\n' +
          'ALTER TABLE tool_configurations ALTER COLUMN api_spec SET STORAGE EXTERNAL;',
      },
    ],
    good: [
      {
        title: 'The default storage, with lz4 compression',
        sql: 'CREATE TABLE tool_configurations (id uuid PRIMARY KEY, api_spec jsonb COMPRESSION lz4);',
      },
    ],
    fix:
      '`ALTER TABLE … ALTER COLUMN … SET STORAGE EXTENDED` (`safe`: a catalog change with a brief lock; new values ' +
      'are compressed, existing ones when the rows are next rewritten).',
  },
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  defaultOptions: {},
  check(model) {
    const findings: RuleFinding[] = [];
    for (const jsonb of jsonbColumns(model)) {
      if (!jsonb.column.storage || !UNCOMPRESSED.has(jsonb.column.storage)) continue;
      findings.push({
        title: `${qualify(jsonb.table.schema, jsonb.table.name)}.${jsonb.column.name}: STORAGE ${jsonb.column.storage.toUpperCase()}, not compressed`,
        message: messageFor(jsonb),
        object: { kind: 'column', schema: jsonb.table.schema, name: jsonb.table.name, column: jsonb.column.name },
        origin: jsonb.column.origin,
        fix: fixFor(jsonb),
      });
    }
    return findings;
  },
};
