/**
 * schema-lint's Node API. `lint()` runs the same pipeline as the CLI and returns the JSON report's shape; the
 * renderers turn it into text, JSON, SARIF, GitHub annotations or the fix-up script. Custom rules have the same
 * contract as the built-in ones (`Rule`), passed as `customRules` or named in the config's `plugins`.
 *
 *   import { lint, renderText } from 'schema-lint';
 *   const report = await lint({ paths: ['db/schema.sql'], now: new Date() });
 *   process.stdout.write(renderText(report));
 */
import { runPipeline, type LintOptions } from './engine/lint.js';
import type { EnabledRule } from './engine/run-rules.js';
import type { AnyRule, Finding } from './engine/types.js';
import { renderFixScript as renderScript, type FixLevel } from './fix/script.js';
import { renderGithubAnnotations } from './report/github.js';
import { renderJson as renderJsonReport } from './report/json.js';
import { cachedReader, findRepoRoot } from './report/repo-path.js';
import { renderSarif as renderSarifReport } from './report/sarif.js';
import type { Summary } from './report/summary.js';
import { colorFor, renderText as renderTextReport, type TextOptions } from './report/text.js';
import type { Diagnostic } from './shared/diagnostic.js';
import { toolVersion } from './cli/version.js';
import { allRules } from '../rules/index.js';

export type { LintOptions, SqlSource } from './engine/lint.js';
export type { Config, RuleSetting } from './engine/config.js';
export type {
  AnyRule,
  Finding,
  FindingObject,
  Fix,
  FixPrerequisite,
  FixSafety,
  Rule,
  RuleContext,
  RuleDocs,
  RuleExample,
  RuleFinding,
  Severity,
} from './engine/types.js';
export type * from './model/types.js';
export type { Diagnostic } from './shared/diagnostic.js';
export type { Summary } from './report/summary.js';
export type { FixLevel } from './fix/script.js';
/** Helpers rule authors need: the model's lookups, and SQL quoting for fixes. */
export { descendantPartitions, indexesOf, logicalTables, qualify } from './model/model.js';
export { qualifiedIdent, quoteIdent, quoteLiteral } from './fix/sql.js';
export { matchesAny } from './engine/patterns.js';
export { UsageError } from './shared/errors.js';
export { ConfigError } from './engine/config.js';
/** The built-in rules, in the order `schema-lint rules` lists them. */
export const rules: readonly AnyRule[] = allRules;

const RULES_THAT_RAN = Symbol('schema-lint rules that ran');

/** The JSON report (`--format json`): one flat findings array, diagnostics and a summary. */
export interface LintReport {
  version: 1;
  tool: { name: 'schema-lint'; version: string };
  findings: Finding[];
  diagnostics: Diagnostic[];
  summary: Summary;
}

/** Lints a schema (DDL files or text, or a live database) and returns the report. Bad input throws one-line errors. */
export async function lint(options: LintOptions): Promise<LintReport> {
  // A parse cache asked for through the API is keyed by this version too, as the CLI's is.
  const run = await runPipeline(options.cache ? { ...options, cache: { toolVersion: toolVersion(), ...options.cache } } : options);
  const report: LintReport = {
    version: 1,
    tool: { name: 'schema-lint', version: toolVersion() },
    findings: run.findings,
    diagnostics: run.diagnostics,
    summary: run.summary,
  };
  // The rules that ran travel with the report for SARIF's rule list, without showing in its JSON.
  Object.defineProperty(report, RULES_THAT_RAN, { value: run.rules, enumerable: false });
  return report;
}

function rulesOf(report: LintReport): AnyRule[] {
  const ran = (report as unknown as Record<symbol, EnabledRule[] | undefined>)[RULES_THAT_RAN];
  if (ran) return ran.map((r) => r.rule);
  const ids = new Set(report.findings.map((f) => f.ruleId));
  return allRules.filter((rule) => ids.has(rule.id));
}

export function renderText(report: LintReport, options: Partial<TextOptions> & { color?: boolean } = {}): string {
  const color = colorFor({ isTTY: options.color ?? false }, {});
  return renderTextReport(report.findings, report.summary, color, { showFixes: false, ...options });
}

export function renderJson(report: LintReport): string {
  return renderJsonReport({ toolVersion: report.tool.version, findings: report.findings, diagnostics: report.diagnostics, summary: report.summary });
}

export interface SarifOptions {
  /** Paths in the report are relative to this (default: the process's working folder). */
  cwd?: string;
  /** SARIF paths are relative to the repository root (default: the git root above `cwd`). */
  repoRoot?: string;
  /** `automationDetails.id`, to upload several runs side by side. */
  category?: string;
  /** Rules to describe (default: the rules that ran). */
  rules?: AnyRule[];
}

/** SARIF 2.1.0 for GitHub code scanning; `warnings` says what was adjusted (results capped, files outside the repo). */
export function renderSarif(report: LintReport, options: SarifOptions = {}): { text: string; warnings: string[] } {
  const cwd = options.cwd ?? process.cwd();
  return renderSarifReport({
    findings: report.findings,
    rules: options.rules ?? rulesOf(report),
    toolVersion: report.tool.version,
    repoRoot: options.repoRoot ?? findRepoRoot(cwd),
    cwd,
    readFile: cachedReader(),
    category: options.category,
  });
}

/** GitHub workflow commands (`::warning file=…::…`), one per finding. */
export function renderGithub(report: LintReport, options: { cwd?: string; repoRoot?: string } = {}): string {
  const cwd = options.cwd ?? process.cwd();
  return renderGithubAnnotations(report.findings, cwd, options.repoRoot ?? findRepoRoot(cwd));
}

/** The reviewed fix-up script for the report's findings. */
export function renderFixScript(report: LintReport, options: { fixLevel?: FixLevel; generatedAt?: Date } = {}): string {
  return renderScript(report.findings, {
    toolVersion: report.tool.version,
    generatedAt: options.generatedAt ?? new Date(),
    fixLevel: options.fixLevel,
    rules: rulesOf(report),
  });
}
