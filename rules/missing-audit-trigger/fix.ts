/**
 * Fix SQL for missing-audit-trigger: enable a disabled audit trigger, add a companion trigger for missing events,
 * add a trigger on the schema's audit function, or (no audit function anywhere) a plan that creates one.
 */
import { fixObjectName, qualifiedIdent, quoteIdent, quoteLiteral } from '../../src/fix/sql.js';
import { descendantPartitions, qualify, relationNameTaken } from '../../src/model/model.js';
import type { SchemaModel, Table, Trigger, TriggerEvent } from '../../src/model/types.js';
import type { Fix, FixPrerequisite } from '../../src/engine/types.js';

export const AUDITED_EVENTS: TriggerEvent[] = ['insert', 'update', 'delete'];

export function eventList(events: TriggerEvent[]): string {
  return AUDITED_EVENTS.filter((event) => events.includes(event))
    .map((event) => event.toUpperCase())
    .join(' OR ');
}

/** Trigger names our fixes take during one run, per table. */
export class TriggerNameReservations {
  private readonly taken = new Set<string>();

  /** Trigger names are per table; a partitioned parent's trigger is cloned to each partition, so theirs count too. */
  choose(model: SchemaModel, table: Table): string {
    const tables = [table, ...(table.kind === 'partitioned' ? descendantPartitions(model, table) : [])];
    const tableKey = qualify(table.schema, table.name);
    const isTaken = (name: string): boolean =>
      this.taken.has(`${tableKey}\u0000${name}`) || tables.some((t) => t.triggers.some((trigger) => trigger.name === name));
    const name = fixObjectName([table.name], 'audit', isTaken);
    this.taken.add(`${tableKey}\u0000${name}`);
    return name;
  }
}

/** A function's qualified SQL name; the model key alone cannot tell a dotted schema name from the split point. */
export function functionIdent(model: SchemaModel, qualifiedName: string): string {
  const overloads = model.functions.get(qualifiedName);
  if (overloads?.length) return qualifiedIdent(overloads[0].schema, overloads[0].name);
  const dot = qualifiedName.indexOf('.');
  return qualifiedIdent(qualifiedName.slice(0, dot), qualifiedName.slice(dot + 1));
}

/** PostgreSQL 14 added `CREATE OR REPLACE TRIGGER`; a DDL model has no server version, and 13 is past its end of life. */
function supportsOrReplaceTrigger(model: SchemaModel): boolean {
  return model.source.kind === 'ddl' || model.source.serverVersion >= 140000;
}

/**
 * The name is free on the table (checked against the model), so replacing it can only replace what an earlier run of
 * the same script created: that keeps the script re-runnable after a timeout.
 */
export function createTriggerSql(model: SchemaModel, table: Table, name: string, events: TriggerEvent[], functionSql: string, args: string[]): string {
  const target = qualifiedIdent(table.schema, table.name);
  const body = `TRIGGER ${quoteIdent(name)} AFTER ${eventList(events)} ON ${target} FOR EACH ROW EXECUTE FUNCTION ${functionSql}(${args.map(quoteLiteral).join(', ')});`;
  if (supportsOrReplaceTrigger(model)) return `CREATE OR REPLACE ${body}`;
  return `DROP TRIGGER IF EXISTS ${quoteIdent(name)} ON ${target};\nCREATE ${body}`;
}

export function enableTriggerSql(table: Table, trigger: Trigger): string {
  return `ALTER TABLE ${qualifiedIdent(table.schema, table.name)} ENABLE TRIGGER ${quoteIdent(trigger.name)};`;
}

/** Helpers the known audit libraries ship for attaching their trigger, keyed by the trigger function's name. */
const LIBRARY_HELPERS: Partial<Record<string, { helper: string; library: string; extra: string }>> = {
  if_modified_func: { helper: 'audit_table', library: "2ndQuadrant's audit trigger", extra: 'and also adds its statement-level trigger for TRUNCATE' },
  insert_update_delete_trigger: { helper: 'enable_tracking', library: 'supa_audit', extra: 'and also adds its statement-level trigger for TRUNCATE' },
};

/** A note pointing at the library's own helper, when the schema has one next to the trigger function. */
export function libraryNote(model: SchemaModel, table: Table, functionName: string): string | undefined {
  const dot = functionName.indexOf('.');
  const schema = functionName.slice(0, dot);
  const known = LIBRARY_HELPERS[functionName.slice(dot + 1)];
  if (!known || !model.functions.has(qualify(schema, known.helper))) return undefined;
  const call = `SELECT ${qualifiedIdent(schema, known.helper)}(${quoteLiteral(qualifiedIdent(table.schema, table.name))});`;
  return `This schema uses ${known.library}: \`${call}\` is its documented way to attach it; it creates a trigger of its own name instead of the one above ${known.extra}.`;
}

/** Where the generic plan puts its objects: one `audit` schema for the whole database, shared by every finding. */
export interface GenericAuditNames {
  schema: string;
  table: string;
  fn: string;
}

/**
 * Names for the generic log table and function. They depend on the model only, so every finding of a run picks the
 * same ones and the plans can all be applied; a name already taken by something else is numbered.
 */
export function genericAuditNames(model: SchemaModel): GenericAuditNames {
  const schema = 'audit';
  const table = fixObjectName(['change'], 'log', (name) => relationNameTaken(model, schema, name));
  const fn = fixObjectName(['log'], 'change', (name) => model.functions.has(qualify(schema, name)));
  return { schema, table, fn };
}

/** The generic log table and trigger function; every statement is idempotent so several plans can run in a row. */
export function genericAuditSetupSql(names: GenericAuditNames): string {
  const schema = quoteIdent(names.schema);
  const table = qualifiedIdent(names.schema, names.table);
  const fn = qualifiedIdent(names.schema, names.fn);
  return [
    `CREATE SCHEMA IF NOT EXISTS ${schema};`,
    `CREATE TABLE IF NOT EXISTS ${table} (`,
    '  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,',
    '  changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),',
    '  table_schema text NOT NULL,',
    '  table_name text NOT NULL,',
    "  operation text NOT NULL CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE')),",
    '  changed_by text NOT NULL DEFAULT session_user,',
    '  transaction_id bigint NOT NULL DEFAULT txid_current(),',
    '  old_row jsonb,',
    '  new_row jsonb',
    ');',
    // SECURITY DEFINER lets writers log without INSERT rights on the log; the fixed search_path keeps callers from
    // substituting objects. NEW is NULL on DELETE, so the DELETE branch reads only OLD and returns it.
    // The trigger's arguments name columns left out of the log (secrets); TG_ARGV is NULL when there are none.
    `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $audit$`,
    'DECLARE',
    "  left_out text[] := COALESCE(TG_ARGV, '{}'::text[]);",
    'BEGIN',
    "  IF TG_OP = 'DELETE' THEN",
    `    INSERT INTO ${table} (table_schema, table_name, operation, old_row)`,
    '    VALUES (TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP, to_jsonb(OLD) - left_out);',
    '    RETURN OLD;',
    '  END IF;',
    `  INSERT INTO ${table} (table_schema, table_name, operation, old_row, new_row)`,
    "  VALUES (TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP, CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(OLD) - left_out END, to_jsonb(NEW) - left_out);",
    '  RETURN NEW;',
    'END;',
    '$audit$;',
  ].join('\n');
}

export interface AuditFixPlan {
  /** Disabled audit triggers to enable. */
  enable: Trigger[];
  /** Events no audit trigger covers even after enabling. */
  missing: TriggerEvent[];
  /** The function (qualified model name) and arguments a new trigger calls, when an audit function exists. */
  target?: { functionName: string; args: string[] };
  /** Audit functions the schema has that cannot serve this table (written for other tables). */
  unsuitable: string[];
  /** Columns whose names say they hold secrets: never copied into a log the plan creates. */
  secrets: string[];
}

/** The generic log table and function, shared by every plan that needs them: written once in the fix-up script. */
export function genericAuditPrerequisite(model: SchemaModel): FixPrerequisite {
  const generic = genericAuditNames(model);
  return {
    id: 'missing-audit-trigger/generic-audit-log',
    title: `The generic audit log: schema ${generic.schema}, table ${generic.schema}.${generic.table} and function ${generic.schema}.${generic.fn}(); every statement is idempotent.`,
    sql: genericAuditSetupSql(generic),
  };
}

export function genericAuditNote(model: SchemaModel, unsuitable: string[]): string {
  const generic = genericAuditNames(model);
  const intro = unsuitable.length
    ? `The schema's audit functions (${unsuitable.join(', ')}) are written for particular tables: they do not read which table fired them (TG_TABLE_NAME, TG_RELID), or they read columns this table lacks. This plan creates`
    : 'The schema has no audit function: this plan creates';
  return (
    `${intro} ${generic.schema}.${generic.table} (the old and new row as jsonb, the operation, who and when) ` +
    `and ${generic.schema}.${generic.fn}(), which records DELETE from OLD (NEW is NULL there). Adapt the columns to what you must retain, ` +
    'restrict access to the log, and plan its retention (partition it by changed_at when it grows large).'
  );
}

export function secretsNote(table: Table, secrets: string[], generic: boolean): string | undefined {
  if (!secrets.length) return undefined;
  const list = secrets.join(', ');
  return generic
    ? `Columns ${list} of ${table.schema}.${table.name} have names that say they hold secrets: the trigger passes them as arguments, and the log function leaves them out of the rows it records.`
    : `Columns ${list} of ${table.schema}.${table.name} have names that say they hold secrets: check that the audit function leaves them out of what it records.`;
}

/** A trigger on the generic log function, passing the secret columns to leave out. */
export function genericTriggerSql(model: SchemaModel, table: Table, name: string, events: TriggerEvent[], secrets: string[]): string {
  const generic = genericAuditNames(model);
  return createTriggerSql(model, table, name, events, qualifiedIdent(generic.schema, generic.fn), secrets);
}

export function buildFix(model: SchemaModel, table: Table, plan: AuditFixPlan, names: TriggerNameReservations): Fix {
  const statements = plan.enable.map((trigger) => enableTriggerSql(table, trigger));
  const notes: string[] = [];
  if (plan.enable.length) {
    notes.push('A disabled trigger may have been disabled on purpose (a bulk load, a migration): check before enabling it. Changes made while it was disabled are not in the log.');
  }
  if (table.kind === 'partitioned') notes.push('A trigger on a partitioned table is cloned to every partition, present and future; ENABLE TRIGGER on the parent reaches the partitions too.');
  // Every audit trigger adds a log write to each change of the table: that changes what every write does.
  if (plan.missing.length === 0) return { sql: statements.join('\n'), safety: 'behaviour', notes, concurrently: false };

  const triggerName = names.choose(model, table);
  if (plan.target) {
    statements.push(createTriggerSql(model, table, triggerName, plan.missing, functionIdent(model, plan.target.functionName), plan.target.args));
    const library = libraryNote(model, table, plan.target.functionName);
    if (library && plan.missing.length === AUDITED_EVENTS.length) notes.push(library);
    notes.push('Each audited change also writes a row to the log: the log grows with the write volume of the table.');
    const secrets = secretsNote(table, plan.secrets, false);
    if (secrets) notes.push(secrets);
    return { sql: statements.join('\n'), safety: 'behaviour', notes, concurrently: false };
  }

  statements.push(genericTriggerSql(model, table, triggerName, plan.missing, plan.secrets));
  notes.push(genericAuditNote(model, plan.unsuitable));
  const secrets = secretsNote(table, plan.secrets, true);
  if (secrets) notes.push(secrets);
  return { sql: statements.join('\n'), safety: 'review', notes, concurrently: false, prerequisites: [genericAuditPrerequisite(model)] };
}
