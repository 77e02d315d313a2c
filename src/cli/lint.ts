/** `schema-lint lint`: read the schema, run the rules, write the report and the fix-up script, pick the exit code. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { applyBaseline, readBaseline, renderBaseline } from '../engine/baseline.js';
import { loadConfig, type Config } from '../engine/config.js';
import { enabledRules, runRules, type EnabledRule } from '../engine/run-rules.js';
import { applySuppressions } from '../engine/suppress.js';
import { SEVERITY_RANK, type Finding, type Severity } from '../engine/types.js';
import { renderFixScript } from '../fix/script.js';
import type { SchemaModel } from '../model/types.js';
import { renderJson } from '../report/json.js';
import { summarize, type Summary } from '../report/summary.js';
import { colorFor, renderText } from '../report/text.js';
import { writeFileAtomic } from '../report/write-file.js';
import { collectSqlFiles } from '../sources/ddl/collect-files.js';
import { loadDdl } from '../sources/ddl/load-ddl.js';
import { DEFAULT_SESSION, type SessionSettings } from '../sources/ddl/builder.js';
import type { Diagnostic } from '../sources/ddl/parse-file.js';
import { parseSuppressions } from '../sources/ddl/suppressions.js';
import { mapFindingsToSource } from '../engine/map-origins.js';
import { applyStatsFile, parseStatsFile } from '../sources/stats-file.js';
import { allRules } from '../../rules/index.js';
import { UsageError } from './errors.js';
import { toolVersion } from './version.js';

export type OutputFormat = 'text' | 'json' | 'sarif' | 'github';

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
  sarifCategory?: string;
  baseline?: string;
  writeBaseline?: string;
  reportUnusedSuppressions: boolean;
  /** Live mode: a database URL (`''`: only the PG* environment variables). */
  db?: string;
  /** Live mode: the name of an environment variable that holds the URL. */
  dbEnv?: string;
  /** Live mode: DDL files whose statements findings are mapped to. */
  source?: string[];
  /** DDL mode: volume figures exported by `schema-lint stats`. */
  stats?: string;
  /** DDL mode: how the files ran (config `session`; default shared). */
  session?: 'shared' | 'per-file';
  /** DDL mode: each session's starting search_path, comma-separated (config `searchPath`). */
  searchPath?: string;
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
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const date = new Date(dateOnly ? `${value}T00:00:00Z` : value);
  // Date rolls 2025-02-30 over to March 2: a day that does not exist is an error, not another day.
  if (Number.isNaN(date.getTime()) || (dateOnly && date.toISOString().slice(0, 10) !== value)) {
    throw new UsageError(`--now ${value}: not a date (use YYYY-MM-DD or an ISO 8601 timestamp)`);
  }
  return date;
}

function failed(findings: Finding[], failOn: Severity | 'never'): boolean {
  if (failOn === 'never') return false;
  return findings.some((finding) => SEVERITY_RANK[finding.severity] >= SEVERITY_RANK[failOn]);
}

function printDiagnostics(diagnostics: Diagnostic[], io: LintIo, verbose: boolean): void {
  for (const diagnostic of diagnostics) {
    // Syntax errors and suppression problems (a misspelt rule id silently suppresses nothing) always show.
    if (diagnostic.kind === 'syntax' || diagnostic.kind === 'suppression' || diagnostic.kind === 'rejected' || diagnostic.kind === 'session' || verbose) {
      io.stderr.write(`${diagnostic.file}:${diagnostic.line}:${diagnostic.column}: ${diagnostic.kind === 'syntax' ? 'syntax error' : diagnostic.kind}: ${diagnostic.message}\n`);
    }
  }
}

function readStatsText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`--stats ${file}: cannot read the file`);
  }
}

export function databaseUrl(args: Pick<LintArgs, 'db' | 'dbEnv'>, env: NodeJS.ProcessEnv): string | undefined {
  if (args.dbEnv !== undefined) {
    const value = env[args.dbEnv];
    if (!value) throw new UsageError(`--db-env ${args.dbEnv}: the environment variable is not set or empty`);
    return value;
  }
  return args.db === '' ? undefined : args.db;
}

/** The git repository root above `cwd` (SARIF paths are relative to it), else `cwd`. */
export function findRepoRoot(cwd: string): string {
  let dir = path.resolve(cwd);
  for (;;) {
    if (existsSync(path.join(dir, '.git'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(cwd);
    dir = parent;
  }
}

async function renderReport(
  args: LintArgs,
  io: LintIo,
  input: { findings: Finding[]; diagnostics: Diagnostic[]; summary: Summary; rules: EnabledRule[]; version: string },
): Promise<string> {
  switch (args.format) {
    case 'json':
      return renderJson({ toolVersion: input.version, findings: input.findings, diagnostics: input.diagnostics, summary: input.summary });
    case 'sarif': {
      const { renderSarif } = await import('../report/sarif.js');
      const output = renderSarif({
        findings: input.findings,
        rules: input.rules.map((r) => r.rule),
        toolVersion: input.version,
        repoRoot: findRepoRoot(io.cwd),
        cwd: io.cwd,
        readFile: cachedReader(),
        category: args.sarifCategory,
      });
      for (const warning of output.warnings) io.stderr.write(`schema-lint: warning: ${warning}\n`);
      return output.text;
    }
    case 'github':
      return (await import('../report/github.js')).renderGithubAnnotations(input.findings, io.cwd, findRepoRoot(io.cwd));
    default:
      return renderText(input.findings, input.summary, colorFor(args.output ? {} : io.stdout, io.env), { showFixes: true });
  }
}

function cachedReader(): (file: string) => string | undefined {
  const cache = new Map<string, string | undefined>();
  return (file) => {
    if (!cache.has(file)) {
      try {
        cache.set(file, readFileSync(file, 'utf8'));
      } catch {
        cache.set(file, undefined);
      }
    }
    return cache.get(file);
  };
}

/** `--session` / `--search-path` over the config's `session` / `searchPath`; a search path is folded like SET's. */
function sessionSettings(args: LintArgs, config: Config): SessionSettings {
  const written = args.searchPath !== undefined ? args.searchPath.split(',') : config.searchPath;
  const searchPath = (written ?? DEFAULT_SESSION.searchPath)
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => (part.startsWith('"') && part.endsWith('"') && part.length > 1 ? part.slice(1, -1).replace(/""/g, '"') : part.toLowerCase()));
  if (args.searchPath !== undefined && searchPath.length === 0) throw new UsageError('--search-path: give at least one schema, e.g. --search-path app,public');
  return { session: args.session ?? config.session ?? DEFAULT_SESSION.session, searchPath: searchPath.length ? searchPath : DEFAULT_SESSION.searchPath };
}

/** Returns the exit code. */
export async function runLint(args: LintArgs, io: LintIo): Promise<number> {
  const { config, file: configFile } = loadConfig(args.config, io.cwd, allRules);
  const overrides = parseRuleOverrides(args.rule);
  const rules = enabledRules(allRules, config, overrides, configFile);
  const failOn = args.failOn ?? config.failOn ?? 'error';
  const now = parseNow(args.now);
  const baselineKeys = args.baseline ? readBaseline(args.baseline) : undefined;
  const live = args.db !== undefined || args.dbEnv !== undefined;
  if (live && args.paths.length > 0) throw new UsageError('give either SQL paths or --db, not both (use --source DIR to map live findings to DDL)');
  if (!live && args.paths.length === 0) throw new UsageError('no input: give .sql files, folders or globs, or --db URL (see --help)');
  if (!live && args.source) throw new UsageError('--source goes with --db');
  if (live && args.stats) throw new UsageError('--stats is for DDL mode: live mode reads the statistics from the database');

  const files = live ? (args.source ? collectSqlFiles(args.source) : []) : collectSqlFiles(args.paths);
  const loaded = files.length ? await loadDdl(files, sessionSettings(args, config)) : undefined;
  // Live mode's modules (the pg driver among them) load only for live mode: DDL runs start faster.
  const model: SchemaModel = live
    ? await (await import('../sources/catalog/read-catalog.js')).readCatalog({ url: databaseUrl(args, io.env) })
    : loaded!.model;
  if (args.stats) {
    const { unknownTables } = applyStatsFile(model, parseStatsFile(readStatsText(args.stats), args.stats));
    if (unknownTables.length && args.verbose) io.stderr.write(`schema-lint: ${args.stats}: no table ${unknownTables.join(', ')} in the schema\n`);
  }
  const diagnostics = [...(loaded?.diagnostics ?? [])];
  const suppressions = (loaded?.files ?? []).flatMap(parseSuppressions);
  const knownRules = new Set(allRules.map((rule) => rule.id));
  for (const suppression of suppressions) {
    for (const rule of suppression.rules.filter((id) => !knownRules.has(id))) {
      diagnostics.push({ file: suppression.file, line: suppression.line, column: suppression.column, kind: 'suppression', message: `suppression names unknown rule ${rule}` });
    }
  }
  const syntaxErrors = diagnostics.filter((d) => d.kind === 'syntax').length;

  const raw = runRules(model, rules, config, { now, live });
  const all = live && loaded ? mapFindingsToSource(raw, loaded.model) : raw;
  const { kept, suppressed, unused } = applySuppressions(all, suppressions);
  if (args.reportUnusedSuppressions) {
    for (const suppression of unused) {
      diagnostics.push({
        file: suppression.file,
        line: suppression.line,
        column: suppression.column,
        kind: 'suppression',
        message: `unused suppression${suppression.rules.length ? ` for ${suppression.rules.join(', ')}` : ''}: it matches no finding`,
      });
    }
  }
  printDiagnostics(diagnostics, io, args.verbose || args.reportUnusedSuppressions);
  const baseline = baselineKeys ? applyBaseline(kept, baselineKeys) : undefined;
  const findings = baseline ? baseline.fresh : kept;
  const summary = summarize(findings, {
    filesLinted: live ? 0 : files.length,
    database: model.source.kind === 'database' ? model.source.database : undefined,
    syntaxErrors,
    suppressed,
    baselined: baseline?.baselined,
    fixedSinceBaseline: baseline?.fixed,
  });
  const version = toolVersion();
  const report = await renderReport(args, io, { findings, diagnostics, summary, rules, version });

  // A failed run writes no report file and no fix script: an upload step must never replace good results with a partial set.
  if (syntaxErrors > 0) {
    if (!args.output && args.format === 'text') io.stdout.write(report);
    io.stderr.write(`schema-lint: ${syntaxErrors} syntax error${syntaxErrors === 1 ? '' : 's'}; no report file or fix script written\n`);
    return 2;
  }
  if (args.output) writeFileAtomic(args.output, report);
  else io.stdout.write(report);
  if (args.fixSql) writeFileAtomic(args.fixSql, renderFixScript(findings, { toolVersion: version, generatedAt: now }));
  if (args.writeBaseline) writeFileAtomic(args.writeBaseline, renderBaseline(kept));
  if (args.reportUnusedSuppressions && unused.length > 0) return 1;
  return failed(findings, failOn) ? 1 : 0;
}
