/**
 * json-instead-of-jsonb: `json` stores the text as given and parses it on every access; it has no equality
 * operator (no DISTINCT, GROUP BY or UNIQUE on it) and no GIN operator class.
 */
import { qualify } from '../src/model/model.js';
import type { Fix, Rule, RuleFinding } from '../src/engine/types.js';
import { qualifiedIdent, quoteIdent } from '../src/fix/sql.js';
import { columnsOfBuiltinType, inPartitionKey, type TypedColumn } from './column-type/columns.js';

export type JsonInsteadOfJsonbOptions = Record<string, never>;

function convertFix({ table, column }: TypedColumn): Fix {
  const col = quoteIdent(column.name);
  return {
    sql: `ALTER TABLE ${qualifiedIdent(table.schema, table.name)} ALTER COLUMN ${col} TYPE jsonb USING ${col}::jsonb;`,
    safety: 'review',
    concurrently: false,
    notes: [
      'Rewrites the table under an ACCESS EXCLUSIVE lock: on a big table add a jsonb column, backfill it in batches and swap.',
      'jsonb drops insignificant whitespace, reorders object keys and keeps only the last of duplicate keys: code that relies on the stored text changes behaviour.',
      'A column default, index, view or function that uses the column may need adapting (a default of json type needs a cast).',
    ],
  };
}

export const jsonInsteadOfJsonb: Rule<JsonInsteadOfJsonbOptions> = {
  id: 'json-instead-of-jsonb',
  name: 'JsonInsteadOfJsonb',
  defaultSeverity: 'note',
  mode: 'both',
  fixSafety: ['review'],
  precision: 'high',
  tags: ['performance', 'json'],
  docs: {
    summary: 'A column has type json rather than jsonb.',
    description:
      '`json` keeps the input text and re-parses it on every access to a key; it has no equality operator (so no ' +
      '`DISTINCT`, `GROUP BY`, `UNIQUE` or `=` on the column) and no GIN operator class, so containment queries ' +
      'cannot use an index. `jsonb` stores a parsed binary form and supports all of that. Keep `json` only when the ' +
      'exact text matters (key order, duplicate keys, whitespace), e.g. a signed payload. The default level is ' +
      '`note`: it is a design choice, sometimes made on purpose. Domains over json count; arrays of json do not.',
    bad: [{ title: 'A json payload column', sql: 'CREATE TABLE events (id bigint PRIMARY KEY, payload json NOT NULL);' }],
    good: [{ title: 'jsonb', sql: 'CREATE TABLE events (id bigint PRIMARY KEY, payload jsonb NOT NULL);' }],
    fix:
      '`ALTER TABLE … ALTER COLUMN … TYPE jsonb USING <col>::jsonb` (`review`: it rewrites the table, and jsonb ' +
      'normalises the text — key order, duplicate keys and whitespace are not kept).',
  },
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  defaultOptions: {},
  check(model) {
    return columnsOfBuiltinType(model, 'json').map((typed): RuleFinding => {
      const { table, column, domain } = typed;
      const keyNote = inPartitionKey(table, column.name) ? ' It is in the partition key, whose type cannot be altered.' : '';
      return {
        title: `${qualify(table.schema, table.name)}.${column.name}: ${domain ? `domain ${domain} over json` : 'json'}, not jsonb`,
        message:
          `Column ${qualify(table.schema, table.name)}.${column.name} is ${domain ? `domain ${domain} over json` : 'json'}: ` +
          `every key access re-parses the text, and it has no equality operator or GIN index support. Use jsonb unless the exact text must be kept.${keyNote}`,
        object: { kind: 'column', schema: table.schema, name: table.name, column: column.name },
        origin: column.origin,
        fix: domain || keyNote || column.generated ? undefined : convertFix(typed),
      };
    });
  },
};
