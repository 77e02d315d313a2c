/** `schema-lint lint`: read the schema, run the rules, write the report and the fix-up script, pick the exit code. */
import { loadConfig } from '../engine/config.js';
import { enabledRules, runRules } from '../engine/run-rules.js';
import { SEVERITY_RANK, type Finding, type Severity } from '../engine/types.js';
import { renderFixScript } from '../fix/script.js';
import type { SchemaModel } from '../model/types.js';
import { renderJson } from '../report/json.js';
import { summarize } from '../report/summary.js';
import { colorFor, renderText } from '../report/text.js';
import { writeFileAtomic } from '../report/write-file.js';
import { collectSqlFiles } from '../sources/ddl/collect-files.js';
import { loadDdl } from '../sources/ddl/load-ddl.js';
import type { Diagnostic } from '../sources/ddl/parse-file.js';
import { allRules } from '../../rules/index.js';
import { UsageError } from './errors.js';
import { toolVersion } from './version.js';

export type OutputFormat = 'text' | 'json';

export interface LintArgs {
  paths: string[];
  format: OutputFormat;
  output?: string;
  fixSql?: string;
  config?: string;
  rule: string[];
  failOn: Severity | 'never';
  now?: string;
  verbose: boolean;
}

export interface LintIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: { write(text: string): void; isTTY?: boolean };
  stderr: { write(text: string): void; isTTY?: boolean };
}

export function parseRuleOverrides(values: string[]): Record<string, Severity | 'off'> {
  const known = new Set(allRules.map((rule) => rule.id));
  const overrides: Record<string, Severity | 'off'> = {};
  for (const value of values) {
    const match = /^([a-z0-9-]+)=(off|note|warning|error)$/.exec(value);
    if (!match) throw new UsageError(`--rule ${value}: expected <rule-id>=off|note|warning|error`);
    if (!known.has(match[1])) throw new UsageError(`--rule ${value}: unknown rule ${match[1]} (see 'schema-lint rules')`);
    overrides[match[1]] = match[2] as Severity | 'off';
  }
  return overrides;
}

export function parseNow(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(date.getTime())) throw new UsageError(`--now ${value}: not a date (use YYYY-MM-DD or an ISO 8601 timestamp)`);
  return date;
}

function failed(findings: Finding[], failOn: Severity | 'never'): boolean {
  if (failOn === 'never') return false;
  return findings.some((finding) => SEVERITY_RANK[finding.severity] >= SEVERITY_RANK[failOn]);
}

function printDiagnostics(diagnostics: Diagnostic[], io: LintIo, verbose: boolean): void {
  for (const diagnostic of diagnostics) {
    if (diagnostic.kind === 'syntax' || verbose) {
      io.stderr.write(`${diagnostic.file}:${diagnostic.line}:${diagnostic.column}: ${diagnostic.kind === 'syntax' ? 'syntax error' : diagnostic.kind}: ${diagnostic.message}\n`);
    }
  }
}

/** Returns the exit code. */
export async function runLint(args: LintArgs, io: LintIo): Promise<number> {
  const { config, file: configFile } = loadConfig(args.config, io.cwd, allRules);
  const overrides = parseRuleOverrides(args.rule);
  const rules = enabledRules(allRules, config, overrides, configFile);
  const failOn = args.failOn ?? config.failOn ?? 'error';
  const now = parseNow(args.now);
  if (args.paths.length === 0) throw new UsageError('no input: give .sql files, folders or globs (see --help)');

  const files = collectSqlFiles(args.paths);
  const loaded = await loadDdl(files);
  const model: SchemaModel = loaded.model;
  printDiagnostics(loaded.diagnostics, io, args.verbose);
  const syntaxErrors = loaded.diagnostics.filter((d) => d.kind === 'syntax').length;

  const findings = runRules(model, rules, config, { now, live: false });
  const summary = summarize(findings, { filesLinted: files.length, syntaxErrors });
  const version = toolVersion();

  const report =
    args.format === 'json'
      ? renderJson({ toolVersion: version, findings, diagnostics: loaded.diagnostics, summary })
      : renderText(findings, summary, colorFor(args.output ? {} : io.stdout, io.env), { showFixes: true });

  // A failed run writes no report file and no fix script: an upload step must never replace good results with a partial set.
  if (syntaxErrors > 0) {
    if (!args.output) io.stdout.write(report);
    io.stderr.write(`schema-lint: ${syntaxErrors} syntax error${syntaxErrors === 1 ? '' : 's'}; no report file or fix script written\n`);
    return 2;
  }
  if (args.output) writeFileAtomic(args.output, report);
  else io.stdout.write(report);
  if (args.fixSql) writeFileAtomic(args.fixSql, renderFixScript(findings, { toolVersion: version, generatedAt: now }));
  return failed(findings, failOn) ? 1 : 0;
}
