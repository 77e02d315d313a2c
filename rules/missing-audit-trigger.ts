/**
 * missing-audit-trigger: a table in audit scope whose row changes are not all recorded — no audit trigger, one that
 * misses INSERT, UPDATE or DELETE, or one that is disabled.
 */
import picomatch from 'picomatch';
import { matchesAny } from '../src/engine/patterns.js';
import { logicalTables, qualify } from '../src/model/model.js';
import type { SchemaModel, Table, Trigger, TriggerEvent } from '../src/model/types.js';
import type { Rule, RuleFinding } from '../src/engine/types.js';
import { auditFunctionCatalog, reusableFor, type AuditFunctionCatalog, type AuditTriggerFunction } from './missing-audit-trigger/audit-functions.js';
import {
  AUDITED_EVENTS,
  buildFix,
  createTriggerSql,
  functionIdent,
  genericAuditNote,
  genericAuditPrerequisite,
  genericTriggerSql,
  TriggerNameReservations,
  type AuditFixPlan,
} from './missing-audit-trigger/fix.js';

export interface MissingAuditTriggerOptions {
  /**
   * Tables that must be audited (object patterns): policy mode, every one is checked. Empty (the default): a schema
   * that audits some of its tables is checked table by table; one that audits none gets one finding.
   */
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
  /** Words that, as a part of a column name (`passwordHash`, `refresh_token`), mark a secret never copied into a log. */
  secretWords: string[];
  /**
   * `key` alone names many things (`idempotency_key`, `Event.key`); it marks a secret after one of these words
   * (`api_key`, `private_key`, `signingKey`).
   */
  secretKeyQualifiers: string[];
  /** More columns never copied into a log the plan creates (patterns on the column name, e.g. `*_pin`). */
  redactColumns: string[];
}

/** `passwordHash`, `api_key` → password, hash / api, key. */
function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
}

/** Words that may follow a secret's name and still name the secret itself: `tokenValue`, `password_hash`. */
const SECRET_FORMS = new Set(['value', 'plain', 'plaintext', 'text', 'enc', 'encrypted', 'ciphertext', 'hash', 'hashed', 'digest', 'bcrypt']);
const HASH_WORDS = new Set(['hash', 'hashed', 'digest']);

/**
 * Columns that hold a secret, judged by the words of the name as a DBA reads them: the secret word must be what the
 * column is (`refresh_token`, `accessToken`, `password_hash`), not what it refers to (`token_id`,
 * `enableExpiringTokenAlerts`); a bare `hash` is a secret in a table about secrets (`UserPassword.hash`), not
 * elsewhere (`payload_hash`); `key` only after a qualifier (`api_key`, not `idempotency_key`).
 */
type SecretOptions = Pick<MissingAuditTriggerOptions, 'secretWords' | 'secretKeyQualifiers' | 'redactColumns'>;

interface SecretMatcher {
  words: Set<string>;
  qualifiers: Set<string>;
  extra?: (name: string) => boolean;
  /** nameWords by name: a schema repeats its column names (`id`, `created_at`) in table after table. */
  wordsOf: Map<string, string[]>;
}

/** Built once per options object (one rule run), not once per table. */
const secretMatchers = new WeakMap<SecretOptions, SecretMatcher>();

function secretMatcher(options: SecretOptions): SecretMatcher {
  let matcher = secretMatchers.get(options);
  if (!matcher) {
    matcher = {
      words: new Set(options.secretWords.map((word) => word.toLowerCase())),
      qualifiers: new Set(options.secretKeyQualifiers.map((word) => word.toLowerCase())),
      extra: options.redactColumns.length ? picomatch(options.redactColumns) : undefined,
      wordsOf: new Map(),
    };
    secretMatchers.set(options, matcher);
  }
  return matcher;
}

export function secretColumns(table: Table, options: SecretOptions): string[] {
  const { words, qualifiers, extra, wordsOf } = secretMatcher(options);
  const wordsOfName = (name: string): string[] => {
    let parts = wordsOf.get(name);
    if (!parts) wordsOf.set(name, (parts = nameWords(name)));
    return parts;
  };
  const tableAboutSecrets = wordsOfName(table.name).some((word) => words.has(word));
  const isSecret = (parts: string[]): boolean => {
    const last = parts.length - 1;
    for (let i = 0; i <= last; i++) {
      const namesTheColumn = i === last || (i === last - 1 && SECRET_FORMS.has(parts[last]));
      if (!namesTheColumn) continue;
      if (words.has(parts[i])) return true;
      if ((parts[i] === 'key' || parts[i] === 'keys') && i > 0 && qualifiers.has(parts[i - 1])) return true;
    }
    return HASH_WORDS.has(parts[last]) && (tableAboutSecrets || parts.some((word) => words.has(word)));
  };
  return table.columns.filter((column) => isSecret(wordsOfName(column.name)) || extra?.(column.name)).map((column) => column.name);
}

const GIB = 1024 ** 3;

function isHighVolume(table: Table, options: MissingAuditTriggerOptions): boolean {
  const stats = table.stats;
  if (!stats) return false;
  return (stats.estimatedRows ?? 0) >= options.highVolumeMinRows || (stats.totalBytes ?? 0) >= options.highVolumeMinBytes;
}

function inScope(table: Table, options: MissingAuditTriggerOptions, catalog: AuditFunctionCatalog): boolean {
  if (table.persistence === 'temporary') return false;
  if (options.tables.length && !matchesAny(options.tables, table.schema, table.name)) return false;
  if (matchesAny(options.exclude, table.schema, table.name)) return false;
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
  options: MissingAuditTriggerOptions,
): RuleFinding | undefined {
  const auditTriggers = rowAuditTriggers(table, catalog);
  const enabled = auditTriggers.filter((t) => t.enabled !== 'D');
  const enabledEvents = covered(enabled);
  const missing = AUDITED_EVENTS.filter((event) => !enabledEvents.has(event));
  if (missing.length === 0) return undefined;

  const enable = auditTriggers.filter((t) => t.enabled === 'D' && t.events.some((event) => missing.includes(event)));
  const afterEnabling = covered([...enabled, ...enable]);
  const template = enabled.at(0) ?? enable.at(0);
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
    secrets: secretColumns(table, options),
  };
  const name = qualify(table.schema, table.name);
  const title =
    auditTriggers.length === 0
      ? `${name}: no audit trigger`
      : plan.enable.length
        ? `${name}: audit trigger disabled`
        : `${name}: audit trigger misses ${describeEvents(missing)}`;
  return {
    title,
    message: message(table, auditTriggers, plan, missing),
    object: { kind: 'table', schema: table.schema, name: table.name },
    origin: template?.origin ?? table.origin,
    fix: buildFix(model, table, plan, names),
  };
}

/** Where a schema finding points: the table defined first (a real line in DDL mode). */
function firstDefined(tables: Table[]): Table {
  const rank = (t: Table): [string, number, number] =>
    t.origin.kind === 'file' ? [t.origin.file, t.origin.line, t.origin.column] : ['', 0, 0];
  return [...tables].sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    return ra[0] !== rb[0] ? (ra[0] < rb[0] ? -1 : 1) : ra[1] - rb[1] || ra[2] - rb[2] || (a.name < b.name ? -1 : 1);
  })[0];
}

/**
 * A schema that audits none of its tables is one finding, a note: auditing is a policy, and one line per table would
 * bury every other finding. Its plan covers every table in scope.
 */
function schemaFinding(
  model: SchemaModel,
  schema: string,
  tables: Table[],
  catalog: AuditFunctionCatalog,
  usage: Map<string, number>,
  names: TriggerNameReservations,
  options: MissingAuditTriggerOptions,
): RuleFinding {
  const sorted = [...tables].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const statements: string[] = [];
  const notes: string[] = [];
  const secretsByTable: string[] = [];
  let generic = false;
  const unsuitable = catalog.triggerFunctions.map((c) => qualify(c.fn.schema, c.fn.name));
  for (const table of sorted) {
    const fn = bestAuditFunction(table, catalog.triggerFunctions, usage);
    const secrets = secretColumns(table, options);
    const triggerName = names.choose(model, table);
    if (fn) {
      statements.push(createTriggerSql(model, table, triggerName, AUDITED_EVENTS, functionIdent(model, qualify(fn.fn.schema, fn.fn.name)), []));
    } else {
      generic = true;
      statements.push(genericTriggerSql(model, table, triggerName, AUDITED_EVENTS, secrets));
    }
    if (secrets.length) secretsByTable.push(`${qualify(table.schema, table.name)} (${secrets.join(', ')})`);
    if (secrets.length && fn) secretsByTable[secretsByTable.length - 1] += ` [${qualify(fn.fn.schema, fn.fn.name)}: check it leaves them out]`;
  }
  if (generic) notes.push(genericAuditNote(model, unsuitable));
  notes.push(
    `To audit only some tables, list them in the option \`tables\` (policy mode: each listed table is checked), or exclude the rest with \`exclude\`.`,
    'Each audited change also writes a row to the log: the log grows with the write volume of the tables.',
  );
  if (secretsByTable.length) {
    notes.push(`Columns whose names say they hold secrets are passed to the trigger and left out of the logged rows: ${secretsByTable.join('; ')}.`);
  }
  const listed = sorted.slice(0, 8).map((t) => t.name).join(', ');
  const more = sorted.length > 8 ? ` and ${sorted.length - 8} more` : '';
  const count = `${sorted.length} table${sorted.length === 1 ? '' : 's'}`;
  return {
    title: sorted.length === 1 ? `schema ${schema}: its only table, ${listed}, has no audit trigger` : `schema ${schema}: none of its ${count} has an audit trigger`,
    message:
      (sorted.length === 1 ? `Schema ${schema} audits none of its tables (it has one, ${listed}): ` : `Schema ${schema} audits none of its ${count} (${listed}${more}): `) +
      `no row-level trigger that calls an audit function fires on ${sorted.length === 1 ? 'its' : 'their'} INSERT, UPDATE or DELETE, so nobody can tell who changed or deleted a row. Auditing is a policy: ` +
      'if this schema needs it, the plan covers every table; to require it of chosen tables, list them in the option `tables`.',
    object: { kind: 'schema', schema, name: '' },
    origin: firstDefined(tables).origin,
    severity: 'note',
    fix: {
      sql: statements.join('\n'),
      safety: generic ? 'review' : 'behaviour',
      notes,
      concurrently: false,
      prerequisites: generic ? [genericAuditPrerequisite(model)] : undefined,
    },
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
  fixSafety: ['behaviour', 'review'],
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
      'Scope, as a DBA sets it. By default a schema that audits some of its tables (one has an audit trigger) is ' +
      'checked table by table: the tables it does not audit are findings. A schema that audits none of its tables ' +
      'gets one finding, a `note`, whose plan covers its tables: auditing is a policy, and one finding per table would ' +
      'bury everything else. Option `tables` (object patterns) switches to policy mode: every listed table must be ' +
      'audited and each one that is not is a finding at the configured level. Option `exclude` (default `*audit*.*`, ' +
      '`*.*audit*`, `*_log`, `*_logs`, `*_history`, which covers `audit.logged_actions` and `audit.record_version`) ' +
      'leaves tables out, and so does every table an audit function inserts into (auditing the audit log would recurse; ' +
      "an unqualified name in the body resolves against the function's schema, then `public`), and every high-volume " +
      'table (statistics at or above `highVolumeMinRows`, default 10,000,000 rows, or `highVolumeMinBytes`, default ' +
      '10 GiB), where a row-level audit trigger would double the write load. Temporary tables are never in scope.',
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
      'With an audit function in the schema the fix changes what every write does (`behaviour`: each change also ' +
      'writes a log row, under a brief SHARE ROW EXCLUSIVE lock to create the trigger): a disabled audit trigger is ' +
      'enabled (`ALTER TABLE … ENABLE TRIGGER …`); a trigger that misses events gets a companion trigger on the same ' +
      'function and arguments for only the missing events; a table with none gets `CREATE TRIGGER <table>_audit ' +
      'AFTER INSERT OR UPDATE OR DELETE ON <table> FOR EACH ROW EXECUTE FUNCTION <function>();`, using the audit ' +
      'function other tables already use, else one matched by name, preferably in the table\'s schema. Only a ' +
      'function written for any table qualifies: one that reads which table fired it (`TG_TABLE_NAME`, ' +
      '`TG_RELID`, …) and reads no `NEW.col`/`OLD.col` the table lacks. A trigger name already taken on the table ' +
      '(or on one of its partitions) gets a number; the statement is `CREATE OR REPLACE TRIGGER` (PostgreSQL 14+) on ' +
      'that free name, so the script can run twice (`DROP TRIGGER IF EXISTS` + `CREATE TRIGGER` for a live ' +
      'PostgreSQL 13). For 2ndQuadrant\'s `audit.if_modified_func` and supa_audit\'s ' +
      '`audit.insert_update_delete_trigger` the notes name the library\'s own helper (`audit.audit_table(…)`, ' +
      '`audit.enable_tracking(…)`).\n\n' +
      'Without a usable audit function the fix is a plan to review: the fix-up script creates, once for all plans, ' +
      'the schema `audit`, a log table `audit.change_log` (operation, who, when, transaction, old and new row as ' +
      'jsonb) and a SECURITY DEFINER function `audit.log_change()` that handles DELETE from `OLD` (where `NEW` is ' +
      'null); then each table gets its trigger. Columns whose names say they hold secrets (a word of the name in ' +
      'option `secretWords`: secret, password, passwd, pwd, token, salt, credential, … as what the column is, not what it refers to: `refresh_token`, not `token_id`; a `hash` of one of them, or in a table named for one; `key` after a word of ' +
      'option `secretKeyQualifiers`: `api_key`, `private_key`, `signingKey`, … but not `idempotency_key`; or a name ' +
      'matching a pattern in option `redactColumns`) are passed to the trigger as arguments, and the function leaves them out of ' +
      'the rows it logs, so a log never holds a password or token in clear.',
  },
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      tables: { type: 'array', items: { type: 'string' } },
      secretWords: { type: 'array', items: { type: 'string' } },
      secretKeyQualifiers: { type: 'array', items: { type: 'string' } },
      redactColumns: { type: 'array', items: { type: 'string' } },
      exclude: { type: 'array', items: { type: 'string' } },
      functions: { type: 'array', items: { type: 'string' } },
      logTables: { type: 'array', items: { type: 'string' } },
      highVolumeMinRows: { type: 'number', minimum: 0 },
      highVolumeMinBytes: { type: 'number', minimum: 0 },
    },
    required: ['tables', 'exclude', 'functions', 'logTables', 'highVolumeMinRows', 'highVolumeMinBytes', 'secretWords', 'secretKeyQualifiers', 'redactColumns'],
  },
  defaultOptions: {
    tables: [],
    secretWords: ['secret', 'secrets', 'password', 'passwords', 'passwd', 'pwd', 'token', 'tokens', 'salt', 'credential', 'credentials'],
    secretKeyQualifiers: ['api', 'private', 'secret', 'access', 'encryption', 'signing', 'client', 'session', 'master', 'auth', 'hmac', 'webhook', 'license', 'recovery'],
    redactColumns: [],
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
    const tables = logicalTables(model);
    const candidates = tables.filter((table) => inScope(table, options, catalog));
    if (options.tables.length) {
      // Policy mode: the listed tables must be audited, whatever the rest of their schema does.
      for (const table of candidates) {
        const finding = checkTable(model, table, catalog, usage, names, options);
        if (finding) findings.push(finding);
      }
      return findings;
    }
    const auditingSchemas = new Set(tables.filter((table) => rowAuditTriggers(table, catalog).length > 0).map((table) => table.schema));
    const unauditedBySchema = new Map<string, Table[]>();
    for (const table of candidates) {
      if (auditingSchemas.has(table.schema)) {
        const finding = checkTable(model, table, catalog, usage, names, options);
        if (finding) findings.push(finding);
      } else {
        const list = unauditedBySchema.get(table.schema) ?? [];
        list.push(table);
        unauditedBySchema.set(table.schema, list);
      }
    }
    for (const [schema, list] of unauditedBySchema) findings.push(schemaFinding(model, schema, list, catalog, usage, names, options));
    return findings;
  },
};
