/**
 * missing-audit-trigger: a table in audit scope whose row changes are not all recorded — no audit trigger, one that
 * misses INSERT, UPDATE or DELETE, or one that is disabled.
 */
import { matchesAny } from '../src/engine/patterns.js';
import { logicalTables, qualify } from '../src/model/model.js';
import type { SchemaModel, Table, Trigger, TriggerEvent } from '../src/model/types.js';
import type { Rule, RuleFinding } from '../src/engine/types.js';
import { auditFunctionCatalog, reusableFor, type AuditFunctionCatalog, type AuditTriggerFunction } from './missing-audit-trigger/audit-functions.js';
import { AUDITED_EVENTS, buildFix, TriggerNameReservations, type AuditFixPlan } from './missing-audit-trigger/fix.js';

export interface MissingAuditTriggerOptions {
  /** Tables that need auditing (object patterns). */
  tables: string[];
  /** Tables left out of `tables` (object patterns). */
  exclude: string[];
  /** Audit trigger functions (patterns; a pattern without a dot is tried on the name and on `schema.name`). */
  functions: string[];
  /** A function whose body inserts into a table matching these is an audit function too (same matching). */
  logTables: string[];
  /** Tables at or above either figure (live stats or `--stats`) are high-volume and left out. */
  highVolumeMinRows: number;
  highVolumeMinBytes: number;
}

const GIB = 1024 ** 3;

function isHighVolume(table: Table, options: MissingAuditTriggerOptions): boolean {
  const stats = table.stats;
  if (!stats) return false;
  return (stats.estimatedRows ?? 0) >= options.highVolumeMinRows || (stats.totalBytes ?? 0) >= options.highVolumeMinBytes;
}

function inScope(table: Table, options: MissingAuditTriggerOptions, catalog: AuditFunctionCatalog): boolean {
  if (table.persistence === 'temporary') return false;
  if (!matchesAny(options.tables, table.schema, table.name) || matchesAny(options.exclude, table.schema, table.name)) return false;
  return !isHighVolume(table, options) && !catalog.logTables.has(qualify(table.schema, table.name));
}

function covered(triggers: Trigger[]): Set<TriggerEvent> {
  return new Set(triggers.flatMap((trigger) => trigger.events));
}

function describeEvents(events: TriggerEvent[]): string {
  const names = events.map((event) => event.toUpperCase());
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * The audit function a table without any audit trigger should use, among those that can serve it: the one other
 * tables' audit triggers already call most (the schema's convention), then one matched by name over one recognised
 * by its body, then one in the table's own schema.
 */
function bestAuditFunction(table: Table, candidates: AuditTriggerFunction[], usage: Map<string, number>): AuditTriggerFunction | undefined {
  const rank = (c: AuditTriggerFunction): [number, number, number, string] => [
    -(usage.get(qualify(c.fn.schema, c.fn.name)) ?? 0),
    c.byName ? 0 : 1,
    c.fn.schema === table.schema ? 0 : 1,
    qualify(c.fn.schema, c.fn.name),
  ];
  const compare = (a: AuditTriggerFunction, b: AuditTriggerFunction): number => {
    const [ra, rb] = [rank(a), rank(b)];
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i] < rb[i] ? -1 : 1;
    return 0;
  };
  return candidates.filter((c) => reusableFor(c, table)).sort(compare)[0];
}

function rowAuditTriggers(table: Table, catalog: AuditFunctionCatalog): Trigger[] {
  return table.triggers.filter((t) => t.level === 'row' && t.timing !== 'instead of' && !t.constraintTrigger && catalog.isAuditFunction(t.function));
}

function auditFunctionUsage(model: SchemaModel, catalog: AuditFunctionCatalog): Map<string, number> {
  const usage = new Map<string, number>();
  for (const table of logicalTables(model)) {
    for (const trigger of rowAuditTriggers(table, catalog)) usage.set(trigger.function, (usage.get(trigger.function) ?? 0) + 1);
  }
  return usage;
}

function message(table: Table, auditTriggers: Trigger[], plan: AuditFixPlan, missing: TriggerEvent[]): string {
  const name = `${table.schema}.${table.name}`;
  const names = (triggers: Trigger[]): string => {
    const listed = triggers.slice(0, 5).map((t) => `${t.name} (${t.function})`);
    return triggers.length > 5 ? `${listed.join(', ')} and ${triggers.length - 5} more` : listed.join(', ');
  };
  if (auditTriggers.length === 0) {
    const others = table.triggers.filter((t) => !t.constraintTrigger);
    const note = others.length ? ` Its triggers ${names(others)} do not call an audit function.` : '';
    return `Table ${name} has no audit trigger: no row-level trigger that calls an audit function fires on INSERT, UPDATE or DELETE, so changes to its rows are not recorded.${note}`;
  }
  if (plan.enable.length) {
    const still = plan.missing.length ? ` Even enabled, no audit trigger fires on ${describeEvents(plan.missing)}.` : '';
    return `Table ${name} has its audit trigger${plan.enable.length > 1 ? 's' : ''} ${names(plan.enable)} disabled, so ${describeEvents(missing)} on it ${missing.length === 1 ? 'is' : 'are'} not recorded.${still}`;
  }
  const present = AUDITED_EVENTS.filter((event) => !missing.includes(event));
  return `Table ${name} is audited on ${describeEvents(present)} only: no enabled audit trigger fires on ${describeEvents(missing)}, so those changes are not recorded.`;
}

function checkTable(
  model: SchemaModel,
  table: Table,
  catalog: AuditFunctionCatalog,
  usage: Map<string, number>,
  names: TriggerNameReservations,
): RuleFinding | undefined {
  const auditTriggers = rowAuditTriggers(table, catalog);
  const enabled = auditTriggers.filter((t) => t.enabled !== 'D');
  const enabledEvents = covered(enabled);
  const missing = AUDITED_EVENTS.filter((event) => !enabledEvents.has(event));
  if (missing.length === 0) return undefined;

  const enable = auditTriggers.filter((t) => t.enabled === 'D' && t.events.some((event) => missing.includes(event)));
  const afterEnabling = covered([...enabled, ...enable]);
  const template = enabled[0] ?? enable[0];
  const fallback = template ? undefined : bestAuditFunction(table, catalog.triggerFunctions, usage);
  const plan: AuditFixPlan = {
    enable,
    missing: AUDITED_EVENTS.filter((event) => !afterEnabling.has(event)),
    target: template
      ? { functionName: template.function, args: template.arguments }
      : fallback
        ? { functionName: qualify(fallback.fn.schema, fallback.fn.name), args: [] }
        : undefined,
    unsuitable: template || fallback ? [] : catalog.triggerFunctions.map((c) => qualify(c.fn.schema, c.fn.name)),
  };
  return {
    message: message(table, auditTriggers, plan, missing),
    object: { kind: 'table', schema: table.schema, name: table.name },
    origin: template?.origin ?? table.origin,
    fix: buildFix(model, table, plan, names),
  };
}

/** The docs' examples share one audit log, audit function and audited table. */
const AUDIT_EXAMPLE_SETUP =
  'CREATE TABLE audit_log (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, table_name text, operation text, old_row jsonb, new_row jsonb);\n' +
  'CREATE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n' +
  '  INSERT INTO audit_log (table_name, operation, old_row, new_row) VALUES (TG_TABLE_NAME, TG_OP, to_jsonb(OLD), to_jsonb(NEW));\n' +
  '  RETURN NULL;\nEND;\n$$;\n' +
  'CREATE TABLE orders (id bigint PRIMARY KEY, total numeric NOT NULL);\n';

export const missingAuditTrigger: Rule<MissingAuditTriggerOptions> = {
  id: 'missing-audit-trigger',
  name: 'MissingAuditTrigger',
  defaultSeverity: 'warning',
  fixSafety: ['safe', 'review'],
  precision: 'medium',
  tags: ['security', 'compliance', 'audit', 'trigger'],
  docs: {
    summary: 'A table has no enabled audit trigger covering INSERT, UPDATE and DELETE.',
    description:
      'Without an audit trail, nobody can tell who changed or deleted a row, or what it held before. A table is ' +
      'audited when its enabled row-level triggers that call an audit function together fire on INSERT, UPDATE and ' +
      'DELETE; a trigger on a partitioned table covers its partitions. A disabled audit trigger (`ALTER TABLE … ' +
      'DISABLE TRIGGER`) records nothing, and a trigger that misses DELETE loses exactly the rows you will want ' +
      'back.\n\n' +
      'An audit function is one whose name matches option `functions` (default `*audit*`, `*.if_modified_func`, ' +
      '`*history*`, `*change*log*`), or one whose PL/pgSQL or SQL body inserts into a table matching option ' +
      '`logTables` (default `*audit*`, `*_log`). For these two options a pattern without a dot is tried on the plain ' +
      'name and also on `schema.name`, so `*audit*` recognises supa_audit\'s `audit.insert_update_delete_trigger` ' +
      'and 2ndQuadrant\'s `audit.if_modified_func` by their `audit` schema.\n\n' +
      'Tables in scope: option `tables` (default every table) minus option `exclude` (default `*audit*.*`, ' +
      '`*.*audit*`, `*_log`, `*_logs`, `*_history`, which covers `audit.logged_actions` and `audit.record_version`), ' +
      'minus every table an audit function inserts into (auditing the audit log would recurse; an unqualified name ' +
      'in the body resolves against the function\'s schema, then `public`), minus high-volume tables (statistics at ' +
      'or above `highVolumeMinRows`, default 10,000,000 rows, or `highVolumeMinBytes`, default 10 GiB), where a ' +
      'row-level audit trigger would double the write load. Temporary tables are never in scope.',
    bad: [
      {
        title: 'An audit function exists, but orders has no trigger calling it',
        sql:
          'CREATE TABLE audit_log (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, table_name text, operation text, old_row jsonb, new_row jsonb);\n' +
          'CREATE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n' +
          '  INSERT INTO audit_log (table_name, operation, old_row, new_row) VALUES (TG_TABLE_NAME, TG_OP, to_jsonb(OLD), to_jsonb(NEW));\n' +
          '  RETURN NULL;\nEND;\n$$;\n' +
          'CREATE TABLE orders (id bigint PRIMARY KEY, total numeric NOT NULL);',
      },
      {
        title: 'The audit trigger misses DELETE',
        sql:
          AUDIT_EXAMPLE_SETUP +
          'CREATE TRIGGER orders_audit AFTER INSERT OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION audit_row();',
      },
    ],
    good: [
      {
        title: 'One trigger on every change; the log table itself is not audited',
        sql:
          AUDIT_EXAMPLE_SETUP +
          'CREATE TRIGGER orders_audit AFTER INSERT OR UPDATE OR DELETE ON orders FOR EACH ROW EXECUTE FUNCTION audit_row();',
      },
    ],
    fix:
      'With an audit function in the schema the fix is executable (`safe`): a disabled audit trigger is enabled ' +
      '(`ALTER TABLE … ENABLE TRIGGER …`); a trigger that misses events gets a companion trigger on the same ' +
      'function and arguments for only the missing events; a table with none gets `CREATE TRIGGER <table>_audit ' +
      'AFTER INSERT OR UPDATE OR DELETE ON <table> FOR EACH ROW EXECUTE FUNCTION <function>();`, using the audit ' +
      'function other tables already use, else one matched by name, preferably in the table\'s schema. Only a ' +
      'function written for any table qualifies: one that reads which table fired it (`TG_TABLE_NAME`, ' +
      '`TG_RELID`, …) and reads no `NEW.col`/`OLD.col` the table lacks; reusing a function written for one table ' +
      'would log the wrong thing or make every write fail. A trigger name already taken on the table (or on one ' +
      'of its partitions) gets a number; the statement is `CREATE OR REPLACE TRIGGER` (PostgreSQL 14+) on that ' +
      'free name, so the script can run twice (`DROP TRIGGER IF EXISTS` + `CREATE TRIGGER` for a live ' +
      'PostgreSQL 13). For 2ndQuadrant\'s ' +
      '`audit.if_modified_func` and supa_audit\'s `audit.insert_update_delete_trigger` the notes name the library\'s ' +
      'own helper (`audit.audit_table(…)`, `audit.enable_tracking(…)`).\n\n' +
      'Without a usable audit function the fix is a plan to review: it creates the schema `audit`, a log table ' +
      '`audit.change_log` (operation, who, when, transaction, old and new row as jsonb) and a SECURITY DEFINER ' +
      'function `audit.log_change()` that handles DELETE from `OLD` (where `NEW` is null), then the trigger. Every ' +
      'statement of that setup is idempotent (`IF NOT EXISTS`, `CREATE OR REPLACE`), so the plans of several tables ' +
      'can all be applied.',
  },
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      tables: { type: 'array', items: { type: 'string' } },
      exclude: { type: 'array', items: { type: 'string' } },
      functions: { type: 'array', items: { type: 'string' } },
      logTables: { type: 'array', items: { type: 'string' } },
      highVolumeMinRows: { type: 'number', minimum: 0 },
      highVolumeMinBytes: { type: 'number', minimum: 0 },
    },
    required: ['tables', 'exclude', 'functions', 'logTables', 'highVolumeMinRows', 'highVolumeMinBytes'],
  },
  defaultOptions: {
    tables: ['*'],
    exclude: ['*audit*.*', '*.*audit*', '*_log', '*_logs', '*_history'],
    functions: ['*audit*', '*.if_modified_func', '*history*', '*change*log*'],
    logTables: ['*audit*', '*_log'],
    highVolumeMinRows: 10_000_000,
    highVolumeMinBytes: 10 * GIB,
  },
  check(model, options) {
    const catalog = auditFunctionCatalog(model, options.functions, options.logTables);
    const usage = auditFunctionUsage(model, catalog);
    const names = new TriggerNameReservations();
    const findings: RuleFinding[] = [];
    for (const table of logicalTables(model)) {
      if (!inScope(table, options, catalog)) continue;
      const finding = checkTable(model, table, catalog, usage, names);
      if (finding) findings.push(finding);
    }
    return findings;
  },
};
