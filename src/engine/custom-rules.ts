/**
 * Rules of the user's own: passed to the API (`customRules`) or named in the config (`plugins`: module paths, relative
 * to the config file). A custom rule has the same contract as ours (src/engine/types.ts) and is validated before it
 * runs, so a broken rule is one clear line, not a crash in the middle of a run.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, newAjv } from './config.js';
import type { AnyRule } from './types.js';

const RULE_ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*(\/[a-z][a-z0-9]*(-[a-z0-9]+)*)?$/;
const SEVERITIES = new Set(['error', 'warning', 'note']);
const PRECISIONS = new Set(['very-high', 'high', 'medium', 'low']);

/** What is wrong with a rule object, or an empty list. */
export function ruleProblems(rule: unknown): string[] {
  const problems: string[] = [];
  const r = rule as Partial<AnyRule> | undefined;
  if (!r || typeof r !== 'object') return ['is not an object'];
  if (typeof r.id !== 'string' || !RULE_ID.test(r.id)) problems.push('id must be kebab-case, optionally prefixed: "my-rule" or "acme/my-rule"');
  if (typeof r.name !== 'string' || !r.name) problems.push('name must be a non-empty string');
  if (!SEVERITIES.has(r.defaultSeverity as string)) problems.push('defaultSeverity must be error, warning or note');
  if (!PRECISIONS.has(r.precision as string)) problems.push('precision must be very-high, high, medium or low');
  if (!Array.isArray(r.tags)) problems.push('tags must be an array of strings');
  if (typeof r.check !== 'function') problems.push('check must be a function (model, options, ctx) => findings');
  const docs = r.docs;
  if (!docs || typeof docs.summary !== 'string' || typeof docs.description !== 'string' || !Array.isArray(docs.bad) || !Array.isArray(docs.good) || typeof docs.fix !== 'string') {
    problems.push('docs must have summary, description, bad, good and fix');
  }
  if (!r.optionsSchema || typeof r.optionsSchema !== 'object') problems.push('optionsSchema must be a JSON Schema object');
  else {
    try {
      const validate = newAjv({ allErrors: true, useDefaults: true, strict: false }).compile(r.optionsSchema);
      if (!validate(structuredClone(r.defaultOptions ?? {}))) problems.push('defaultOptions do not match optionsSchema');
    } catch (error) {
      problems.push(`optionsSchema does not compile: ${(error as Error).message}`);
    }
  }
  return problems;
}

/** Our rules plus the custom ones, after checking each and that no id is taken twice. */
export function withCustomRules(builtIn: AnyRule[], custom: unknown[], where: string): AnyRule[] {
  const rules = [...builtIn];
  const ids = new Set(builtIn.map((rule) => rule.id));
  for (const candidate of custom) {
    const problems = ruleProblems(candidate);
    const id = (candidate as { id?: unknown } | undefined)?.id;
    const label = typeof id === 'string' ? `rule ${id}` : 'a rule';
    if (problems.length) throw new ConfigError(`${where}: ${label}: ${problems.join('; ')}`);
    const rule = candidate as AnyRule;
    if (ids.has(rule.id)) throw new ConfigError(`${where}: rule ${rule.id}: the id is taken (by a built-in rule or another custom rule)`);
    ids.add(rule.id);
    rules.push(rule);
  }
  return rules;
}

type ModuleImporter = (url: string) => Promise<Record<string, unknown>>;

/**
 * How plugin modules are imported. The CLI's bundle runs as a script compiled with V8's code cache
 * (bin/schema-lint.js), and a script has no module loader for `import()` without an experimental flag: the launcher,
 * an ES module itself, hands over its own `import()`.
 */
let importModule: ModuleImporter = (url) => import(url) as Promise<Record<string, unknown>>;

export function setModuleImporter(importer: ModuleImporter): void {
  importModule = importer;
}

/** Imports each plugin module: its `rules` export (an array), else its default export (a rule or an array). */
export async function loadPlugins(plugins: string[], configFile: string | undefined, cwd: string): Promise<unknown[]> {
  const base = configFile ? path.dirname(path.resolve(cwd, configFile)) : cwd;
  const rules: unknown[] = [];
  for (const plugin of plugins) {
    const where = `${configFile ?? 'config'}: plugins: ${plugin}`;
    let module: Record<string, unknown>;
    try {
      module = await importModule(pathToFileURL(path.resolve(base, plugin)).href);
    } catch (error) {
      throw new ConfigError(`${where}: cannot load (${(error as Error).message.split('\n')[0]})`);
    }
    const exported = module.rules ?? module.default;
    if (exported === undefined) throw new ConfigError(`${where}: exports no rules (export const rules = [...] or a default export)`);
    rules.push(...(Array.isArray(exported) ? (exported as unknown[]) : [exported]));
  }
  return rules;
}
