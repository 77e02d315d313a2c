/**
 * The migration-safety step: replays every migration file in order and, for the statements of the changed files,
 * asks the migration rules about each statement before applying it — so a rule sees the schema as it was just
 * before the statement (did the table exist before this migration? is there a validated CHECK already? did the
 * file set lock_timeout?). Files that did not change are applied without checks: they only build the "before".
 */
import { relationNameTaken } from '../model/model.js';
import type { Table, TableStats } from '../model/types.js';
import { DdlModelBuilder } from '../sources/ddl/builder.js';
import { tagged, type PgNodeOf } from '../sql/pg-node.js';
import type { ParsedFile } from '../sources/ddl/parse-file.js';
import { applyStatement } from '../sources/ddl/statements.js';
import { isMigrationRule, type MigrationContext, type MigrationRule } from '../../rules/migration/types.js';
import type { Config } from './config.js';
import { findingKey } from './finding-key.js';
import { compareFindings, defaultTitle, type EnabledRule } from './run-rules.js';
import { isSystemSchema } from '../model/model.js';
import { matchesAny, matchesObjectPattern } from './patterns.js';
import type { Finding, Severity } from './types.js';

export interface MigrationCheckInput {
  /** Every migration file, parsed, in apply order. */
  files: ParsedFile[];
  /** Which files (as named in `ParsedFile.file`) are checked statement by statement. */
  changed: (file: string) => boolean;
  rules: EnabledRule[];
  config: Config;
  /** Volume figures by qualified table name (live statistics or `--stats`). */
  stats?: (qualifiedName: string) => TableStats | undefined;
}

const RAISED: Record<Severity, Severity> = { note: 'warning', warning: 'error', error: 'error' };

function lockTimeoutValue(node: PgNodeOf<'VariableSetStmt'>): string | undefined {
  if (node.name !== 'lock_timeout') return undefined;
  if (node.kind === 'VAR_RESET' || node.kind === 'VAR_SET_DEFAULT') return '0';
  if (node.kind !== 'VAR_SET_VALUE') return undefined;
  const arg = node.args?.[0]?.A_Const;
  return String(arg?.sval?.sval ?? arg?.ival?.ival ?? 0);
}

/** `SELECT set_config('lock_timeout', '2s', …)`, as some frameworks write it. */
function setConfigLockTimeout(node: PgNodeOf<'SelectStmt'>): string | undefined {
  for (const target of node.targetList ?? []) {
    const call = target.ResTarget?.val?.FuncCall;
    const name = call?.funcname?.map((n) => n.String?.sval).pop();
    const args = call?.args ?? [];
    if (name === 'set_config' && args[0]?.A_Const?.sval?.sval === 'lock_timeout') return args[1]?.A_Const?.sval?.sval ?? '';
  }
  return undefined;
}

/** A zero timeout (`0`, `'0'`, `'0s'`) means "wait forever", which is what the rule is about. */
const isNonZeroTimeout = (value: string): boolean => !/^\s*0+\s*[a-z]*\s*$/i.test(value);

function inScope(config: Config, schema: string): boolean {
  if (isSystemSchema(schema)) return false;
  if (config.schemas.include.length && !config.schemas.include.some((p) => matchesObjectPattern(p, '', schema))) return false;
  return !config.schemas.exclude.some((p) => matchesObjectPattern(p, '', schema));
}

export function checkMigrations(input: MigrationCheckInput): Finding[] {
  const rules = input.rules.filter((enabled) => isMigrationRule(enabled.rule)) as Array<EnabledRule & { rule: MigrationRule }>;
  const builder = new DdlModelBuilder(input.files.map((file) => file.file));
  const findings = new Map<string, Finding>();
  if (rules.length === 0) return [];
  for (const file of input.files) {
    if (!input.changed(file.file)) {
      builder.applyFile(file, applyStatement);
      continue;
    }
    const tablesAtStart = new Set<Table>(builder.model.tables.values());
    let lockTimeoutSet = false;
    const reportedInFile = new Set<string>();
    builder.file = file;
    for (const statement of file.statements) {
      builder.statement = statement;
      const entry = tagged(statement.node);
      if (!entry) {
        applyStatement(builder, statement);
        continue;
      }
      const ctx: MigrationContext = {
        findTable: (rangeVar) => builder.findTable(rangeVar),
        findIndex: (rangeVar) => builder.findIndex(rangeVar),
        existedBefore: (table) => tablesAtStart.has(table),
        lockTimeoutSet,
        statsOf: (table) => table.stats ?? input.stats?.(`${table.schema}.${table.name}`),
        origin: (location) => (location === undefined || location < 0 ? builder.statementOrigin() : builder.clauseOrigin(location)),
        nameTaken: (schema, name) => relationNameTaken(builder.model, schema, name) || builder.constraintNameTaken(schema, name),
      };
      const migrationStatement = { ...entry, file: file.file, origin: builder.statementOrigin() };
      for (const { rule, severity, options } of rules) {
        if (rule.oncePerFile && reportedInFile.has(rule.id)) continue;
        for (const raw of rule.checkStatement(migrationStatement, builder.model, ctx, options)) {
          if (!inScope(input.config, raw.object.schema)) continue;
          const finding: Finding = {
            ruleId: rule.id,
            severity: raw.escalate ? RAISED[severity] : severity,
            title: (raw as { title?: string }).title ?? defaultTitle(rule.docs.summary, raw.object),
            message: raw.message,
            object: raw.object,
            origin: raw.origin,
            key: findingKey(rule.id, raw.object),
            fix: raw.fix,
          };
          const ignored = input.config.ignores.some(
            (ignore) => (ignore.rule === '*' || ignore.rule === finding.ruleId) && matchesAny(ignore.objects, finding.object.schema, finding.object.name),
          );
          if (ignored || findings.has(finding.key)) continue;
          findings.set(finding.key, finding);
          reportedInFile.add(rule.id);
        }
      }
      const timeout =
        entry.kind === 'VariableSetStmt' ? lockTimeoutValue(entry.node) : entry.kind === 'SelectStmt' ? setConfigLockTimeout(entry.node) : undefined;
      if (timeout !== undefined) lockTimeoutSet = isNonZeroTimeout(timeout);
      applyStatement(builder, statement);
    }
  }
  return [...findings.values()].sort(compareFindings);
}
