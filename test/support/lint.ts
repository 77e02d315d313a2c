/** Test helpers: lint SQL text in DDL mode with chosen rules, as the CLI does but without files. */
import { enabledRules, runRules } from '../../src/engine/run-rules.js';
import { emptyConfig, type Config } from '../../src/engine/config.js';
import type { Finding } from '../../src/engine/types.js';
import type { SchemaModel } from '../../src/model/types.js';
import { loadParser } from '../../src/sql/parser.js';
import { buildModelFromSql, type DdlLoadResult } from '../../src/sources/ddl/load-ddl.js';
import { allRules } from '../../rules/index.js';

export async function ddlModel(sql: string | Array<{ file: string; text: string }>): Promise<DdlLoadResult> {
  await loadParser();
  return buildModelFromSql(typeof sql === 'string' ? [{ file: 'test.sql', text: sql }] : sql);
}

export interface LintOptions {
  /** Only these rules run (default: all). */
  rules?: string[];
  ruleOptions?: Record<string, Record<string, unknown>>;
  now?: Date;
  live?: boolean;
  config?: Partial<Config>;
}

export function lintModel(model: SchemaModel, options: LintOptions = {}): Finding[] {
  const config: Config = { ...emptyConfig(), ...options.config };
  config.rules = { ...config.rules };
  for (const rule of allRules) {
    if (options.rules && !options.rules.includes(rule.id)) config.rules[rule.id] = 'off';
    else if (options.ruleOptions?.[rule.id]) config.rules[rule.id] = { options: options.ruleOptions[rule.id] };
    // A rule asked for by name runs, opt-in or not.
    // Record<string, …> reads as always present; a rule the config does not name is missing.
    else if (options.rules && (config.rules[rule.id] as Config['rules'][string] | undefined) === undefined) {
      config.rules[rule.id] = rule.defaultSeverity;
    }
  }
  const enabled = enabledRules(allRules, config, {});
  return runRules(model, enabled, config, { now: options.now ?? new Date('2026-01-15T00:00:00Z'), live: options.live ?? false });
}

export async function lintSql(sql: string, options: LintOptions = {}): Promise<Finding[]> {
  const { model } = await ddlModel(sql);
  return lintModel(model, options);
}
