/** Runs the enabled rules over a model: config, severities, schema filters, ignores, keys, de-duplication, order. */
import { isSystemSchema } from '../model/model.js';
import type { SchemaModel } from '../model/types.js';
import { resolveRuleOptions, type Config, type RuleSetting } from './config.js';
import { findingKey, objectDisplayName } from './finding-key.js';
import { matchesAny, matchesObjectPattern } from './patterns.js';
import { SEVERITY_RANK, type AnyRule, type Finding, type FindingObject, type RuleContext, type Severity } from './types.js';

export interface EnabledRule {
  rule: AnyRule;
  severity: Severity;
  options: Record<string, unknown>;
}

function settingSeverity(setting: RuleSetting | undefined): Severity | 'off' | undefined {
  if (setting === undefined) return undefined;
  return typeof setting === 'string' ? setting : setting.severity;
}

/** A config names only some rules (its `rules` is a record of the ones it sets). */
function settingOf(config: Config, ruleId: string): RuleSetting | undefined {
  return Object.hasOwn(config.rules, ruleId) ? config.rules[ruleId] : undefined;
}

/** Which rules run, at what severity and with which options: config first, `--rule id=level` overrides. */
export function enabledRules(rules: AnyRule[], config: Config, overrides: Record<string, Severity | 'off'>, configFile = 'config'): EnabledRule[] {
  const result: EnabledRule[] = [];
  for (const rule of rules) {
    const setting = settingOf(config, rule.id);
    // Giving an opt-in rule options (without a level) turns it on too.
    const byDefault = rule.optIn && setting === undefined ? 'off' : rule.defaultSeverity;
    const override = Object.hasOwn(overrides, rule.id) ? overrides[rule.id] : undefined;
    const severity = override ?? settingSeverity(setting) ?? byDefault;
    if (severity === 'off') continue;
    const given = typeof setting === 'object' ? setting.options : undefined;
    result.push({ rule, severity, options: resolveRuleOptions(rule, given, configFile) });
  }
  return result;
}

/** Whether the config's `schemas.include` / `exclude` lets a schema be linted (live mode reads only these). */
export function inScope(config: Config, schema: string): boolean {
  if (isSystemSchema(schema)) return false;
  if (config.schemas.include.length && !config.schemas.include.some((p) => matchesObjectPattern(p, '', schema))) return false;
  return !config.schemas.exclude.some((p) => matchesObjectPattern(p, '', schema));
}

function ignored(config: Config, finding: Finding): boolean {
  return config.ignores.some(
    (ignore) =>
      (ignore.rule === '*' || ignore.rule === finding.ruleId) &&
      // A schema finding is ignored by a pattern that covers the whole schema (`legacy.*`).
      (matchesAny(ignore.objects, finding.object.schema, finding.object.kind === 'schema' ? '*' : finding.object.name) ||
        (finding.object.column !== undefined && matchesAny(ignore.objects, finding.object.schema, `${finding.object.name}.${finding.object.column}`))),
  );
}

/**
 * Findings in file order (database origins after every file), then by rule and key. Compares field by field
 * without building sort keys: a big schema's sort makes ~20 comparisons per finding.
 */
export function compareFindings(a: Finding, b: Finding): number {
  const oa = a.origin;
  const ob = b.origin;
  const fa = oa.kind === 'file' ? oa.file : `\uffff${oa.database}`;
  const fb = ob.kind === 'file' ? ob.file : `\uffff${ob.database}`;
  if (fa !== fb) return fa < fb ? -1 : 1;
  const la = oa.kind === 'file' ? oa.line : 0;
  const lb = ob.kind === 'file' ? ob.line : 0;
  if (la !== lb) return la - lb;
  const ca = oa.kind === 'file' ? oa.column : 0;
  const cb = ob.kind === 'file' ? ob.column : 0;
  if (ca !== cb) return ca - cb;
  if (a.ruleId !== b.ruleId) return a.ruleId < b.ruleId ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * A finding line must say which object it is about: a rule without its own titles gets `<object>: <summary>`
 * (`public.orders (orders_id_key): two indexes on a table have the same definition`).
 */
export function defaultTitle(summary: string, object: FindingObject): string {
  const what = `${objectDisplayName(object)}${object.detail ? ` (${object.detail})` : ''}`;
  const text = summary.trim().replace(/\.$/, '');
  return `${what}: ${text.charAt(0).toLowerCase()}${text.slice(1)}`;
}

export function runRules(model: SchemaModel, rules: EnabledRule[], config: Config, ctx: RuleContext): Finding[] {
  const byKey = new Map<string, Finding>();
  for (const { rule, severity, options } of rules) {
    for (const raw of rule.check(model, options, ctx)) {
      if (!inScope(config, raw.object.schema)) continue;
      const finding: Finding = {
        ruleId: rule.id,
        // A rule may report a weak signal below the configured level, never above it.
        severity: raw.severity && SEVERITY_RANK[raw.severity] < SEVERITY_RANK[severity] ? raw.severity : severity,
        title: raw.title ?? defaultTitle(rule.docs.summary, raw.object),
        message: raw.message,
        object: raw.object,
        origin: raw.origin,
        key: findingKey(rule.id, raw.object),
        fix: raw.fix,
      };
      if (ignored(config, finding) || byKey.has(finding.key)) continue;
      byKey.set(finding.key, finding);
    }
  }
  return [...byKey.values()].sort(compareFindings);
}
