/**
 * timestamp-without-time-zone: `timestamp` stores a wall-clock reading with no zone. Values written from sessions
 * in different time zones (or across a daylight-saving change) cannot be ordered or compared reliably; `timestamptz`
 * stores an instant.
 */
import { qualify } from '../src/model/model.js';
import type { Fix, Rule, RuleFinding } from '../src/engine/types.js';
import { qualifiedIdent, quoteIdent, quoteLiteral } from '../src/fix/sql.js';
import { columnsOfBuiltinType, inPartitionKey, type TypedColumn } from './column-type/columns.js';

export interface TimestampWithoutTimeZoneOptions {
  /** The zone the stored wall-clock values were written in, used by the conversion. */
  assumeTimeZone: string;
}

function convertFix({ table, column }: TypedColumn, zone: string): Fix {
  const col = quoteIdent(column.name);
  return {
    sql: `ALTER TABLE ${qualifiedIdent(table.schema, table.name)} ALTER COLUMN ${col} TYPE timestamptz USING ${col} AT TIME ZONE ${quoteLiteral(zone)};`,
    safety: 'review',
    concurrently: false,
    notes: [
      `Reads the stored values as ${zone} time (option assumeTimeZone): check what the application wrote before running it.`,
      'Rewrites the table under an ACCESS EXCLUSIVE lock (PostgreSQL 12+ skips the rewrite only when the session TimeZone is UTC and the USING clause is left out).',
      'Queries that compare the column with timestamp literals or extract dates from it may then depend on the session TimeZone.',
    ],
  };
}

export const timestampWithoutTimeZone: Rule<TimestampWithoutTimeZoneOptions> = {
  id: 'timestamp-without-time-zone',
  name: 'TimestampWithoutTimeZone',
  defaultSeverity: 'note',
  // A house style, not a defect: a schema that stores UTC in timestamp columns consistently is fine. On by choice.
  optIn: true,
  mode: 'both',
  fixSafety: ['review'],
  precision: 'high',
  tags: ['correctness', 'time'],
  docs: {
    summary: 'A column has type timestamp (without time zone).',
    description:
      '`timestamp` stores a wall-clock reading without a zone: `now()` written by a session in Europe/Berlin and one ' +
      'in UTC land an hour apart for the same instant, and a daylight-saving change makes an hour ambiguous. ' +
      '`timestamptz` stores the instant (as UTC) and converts on output; it takes the same 8 bytes. The PostgreSQL ' +
      "wiki's \"Don't Do This\" page says the same. The default level is `note`: a schema that keeps every session " +
      'in UTC is consistent, and some columns mean local time on purpose (an opening hour). Domains over timestamp ' +
      'count; arrays do not.',
    bad: [{ title: 'An event time without zone', sql: 'CREATE TABLE tool_executions (id bigint PRIMARY KEY, executed_at timestamp DEFAULT CURRENT_TIMESTAMP);' }],
    good: [{ title: 'timestamptz', sql: 'CREATE TABLE tool_executions (id bigint PRIMARY KEY, executed_at timestamptz DEFAULT now());' }],
    fix:
      "`ALTER TABLE … ALTER COLUMN … TYPE timestamptz USING <col> AT TIME ZONE '<assumeTimeZone>'` (default `UTC`). " +
      '`review`: the stored values are read as that zone, and the table is rewritten. No fix for a partition key ' +
      'column (its type cannot be altered) or a domain.',
  },
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { assumeTimeZone: { type: 'string', minLength: 1 } },
    required: ['assumeTimeZone'],
  },
  defaultOptions: { assumeTimeZone: 'UTC' },
  check(model, options) {
    return columnsOfBuiltinType(model, 'timestamp').map((typed): RuleFinding => {
      const { table, column, domain } = typed;
      const inKey = inPartitionKey(table, column.name);
      return {
        title: `${qualify(table.schema, table.name)}.${column.name}: ${domain ? `domain ${domain} over timestamp` : 'timestamp'} without time zone`,
        message:
          `Column ${qualify(table.schema, table.name)}.${column.name} is ${domain ? `domain ${domain} over timestamp` : 'timestamp'} without time zone: ` +
          `its values mean different instants for sessions in different time zones. Use timestamptz.${inKey ? ' It is in the partition key, whose type cannot be altered: it needs a new partitioned table.' : ''}`,
        object: { kind: 'column', schema: table.schema, name: table.name, column: column.name },
        origin: column.origin,
        fix: domain || inKey || column.generated ? undefined : convertFix(typed, options.assumeTimeZone),
      };
    });
  },
};
