/** `schema-lint lint`: read the schema, run the rules, write the report and the fix-up script, pick the exit code. */
import { renderBaseline } from '../engine/baseline.js';
import type { EnabledRule } from '../engine/run-rules.js';
import type { SchemaModel } from '../model/types.js';
import { SEVERITY_RANK, type Finding, type Severity } from '../engine/types.js';
import { fixScript, type FixLevel } from '../fix/script.js';
import { batched, type RenderedText } from '../report/chunks.js';
import { jsonReport } from '../report/json.js';
import type { Summary } from '../report/summary.js';
import { colorFor, textReport } from '../report/text.js';
import { writeOutputs, type PlannedOutput } from '../report/output-files.js';
import type { Diagnostic } from '../shared/diagnostic.js';
import { runPipeline } from '../engine/lint.js';
import { cachedReader, findRepoRoot } from '../report/repo-path.js';
import { checkFileOption, databaseUrl, parseNow } from './arguments.js';
import { printDiagnostics } from './diagnostic-lines.js';
import { UsageError } from './errors.js';
import { toolVersion } from './version.js';
import { defaultCacheDir } from '../sources/ddl/cache.js';

export type OutputFormat = 'text' | 'json' | 'sarif' | 'github' | 'markdown';

export interface LintArgs {
  paths: string[];
  format: OutputFormat;
  output?: string;
  fixSql?: string;
  /** More reports of the same run, `FORMAT=FILE` each (one lint, several outputs: annotations, SARIF, markdown). */
  reports?: string[];
  /** Which fixes the script writes as statements (default `safe`). */
  fixLevel?: FixLevel;
  /** Text report: print each fix under its finding. */
  showFixes?: boolean;
  config?: string;
  rule: string[];
  /** Unset: the config's `failOn`, else `error`. */
  failOn?: Severity | 'never';
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
  /** Live mode: seconds to wait for the connection, and for each catalog query. */
  connectTimeout?: number;
  queryTimeout?: number;
  /** Pull-request mode: report what changed since this git ref (src/engine/changed-since.ts). */
  changedSince?: string;
  /** DDL mode: how the files ran (config `session`; default shared). */
  session?: 'shared' | 'per-file';
  /** DDL mode: each session's starting search_path, comma-separated (config `searchPath`). */
  searchPath?: string;
  /** DDL mode: `false` (`--no-cache`) parses every file; `cacheDir` is the parse cache folder (config `cache`). */
  cache?: boolean;
  cacheDir?: string;
}

export interface LintIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: { write(text: string): void; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): void; isTTY?: boolean };
}

/** `--rule id=level` values; the engine checks the ids against the rules that exist (custom ones included). */
export function parseRuleOverrides(values: string[]): Record<string, Severity | 'off'> {
  const overrides: Record<string, Severity | 'off'> = {};
  for (const value of values) {
    const match = /^([a-z0-9/-]+)=(off|note|warning|error)$/.exec(value);
    if (!match) throw new UsageError(`--rule ${value}: expected <rule-id>=off|note|warning|error`);
    overrides[match[1]] = match[2] as Severity | 'off';
  }
  return overrides;
}

export { databaseUrl, parseNow } from './arguments.js';

function failed(findings: Finding[], failOn: Severity | 'never'): boolean {
  if (failOn === 'never') return false;
  return findings.some((finding) => SEVERITY_RANK[finding.severity] >= SEVERITY_RANK[failOn]);
}


async function renderReport(
  args: LintArgs,
  io: LintIo,
  input: { findings: Finding[]; diagnostics: Diagnostic[]; summary: Summary; rules: EnabledRule[]; version: string; model: SchemaModel; now: Date },
): Promise<RenderedText> {
  // JSON, text and the fix script are rendered piece by piece as they are written (report/chunks.ts).
  switch (args.format) {
    case 'markdown':
      return (await import('./markdown-report.js')).markdownReport({ ...input, changedSince: args.changedSince });
    case 'json':
      return jsonReport({ toolVersion: input.version, findings: input.findings, diagnostics: input.diagnostics, summary: input.summary });
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
      return textReport(input.findings, input.summary, colorFor(args.output ? {} : io.stdout, io.env), {
        showFixes: args.showFixes ?? false,
        verbose: args.verbose,
        fixScriptGiven: args.fixSql !== undefined,
        // Fit lines to the terminal only when the report goes to one.
        width: !args.output && io.stdout.isTTY ? io.stdout.columns : undefined,
      });
  }
}


const FORMATS: OutputFormat[] = ['text', 'json', 'sarif', 'github', 'markdown'];

/** `--report sarif=out.sarif` → the format and the file. */
export function parseReportOptions(values: string[] | undefined): Array<{ format: OutputFormat; file: string }> {
  return (values ?? []).map((value) => {
    const match = /^([a-z]+)=(.+)$/.exec(value);
    if (!match || !FORMATS.includes(match[1] as OutputFormat)) {
      throw new UsageError(`--report ${value}: expected FORMAT=FILE with FORMAT one of ${FORMATS.join(', ')}`);
    }
    checkFileOption(match[2], '--report');
    return { format: match[1] as OutputFormat, file: match[2] };
  });
}

/** The report to stdout in batches: a big report never becomes one string (the exit code is decided before). */
function writeStdout(io: LintIo, report: RenderedText): void {
  for (const piece of batched(report)) io.stdout.write(piece);
}

/** `--verbose`: how many files were parsed and how many came from the parse cache (what the cache saved). */
function parseLine(parse: { parsed: number; cached: number; cacheDir?: string }): string {
  const files = (n: number): string => `${n} file${n === 1 ? '' : 's'}`;
  return parse.cacheDir ? `parsed ${files(parse.parsed)}, ${parse.cached} from the cache (${parse.cacheDir})` : `parsed ${files(parse.parsed)} (no cache)`;
}

/** Returns the exit code. */
export async function runLint(args: LintArgs, io: LintIo): Promise<number> {
  const extraReports = parseReportOptions(args.reports);
  for (const [value, option] of [[args.output, '--output'], [args.fixSql, '--fix-sql'], [args.writeBaseline, '--write-baseline'], [args.baseline, '--baseline'], [args.config, '--config'], [args.stats, '--stats'], [args.cacheDir, '--cache-dir']] as const) {
    checkFileOption(value, option);
  }
  const live = args.db !== undefined || args.dbEnv !== undefined;
  const run = await runPipeline({
    paths: args.paths,
    db: live ? (databaseUrl(args, io.env) ?? '') : undefined,
    source: args.source,
    cwd: io.cwd,
    config: args.config,
    rules: parseRuleOverrides(args.rule),
    now: parseNow(args.now),
    stats: args.stats,
    baseline: args.baseline,
    reportUnusedSuppressions: args.reportUnusedSuppressions,
    connectTimeoutSeconds: args.connectTimeout,
    queryTimeoutSeconds: args.queryTimeout,
    changedSince: args.changedSince,
    session: args.session,
    searchPath: args.searchPath,
    cache: args.cache === false ? false : { dir: args.cacheDir, defaultDir: defaultCacheDir(io.env), toolVersion: toolVersion() },
  });
  const { findings, diagnostics, summary, rules, now, model } = run;
  for (const warning of run.warnings) io.stderr.write(`schema-lint: warning: ${warning}\n`);
  if (run.statsUnknownTables.length && args.verbose) io.stderr.write(`schema-lint: ${args.stats}: no table ${run.statsUnknownTables.join(', ')} in the schema\n`);
  printDiagnostics(diagnostics, io, args.verbose || args.reportUnusedSuppressions);
  if (args.verbose && run.parse) io.stderr.write(`schema-lint: ${parseLine(run.parse)}\n`);
  const failOn = args.failOn ?? run.config.failOn ?? 'error';
  const version = toolVersion();
  const input = { findings, diagnostics, summary, rules, version, model, now };
  const report = await renderReport(args, io, input);

  // A failed run writes no report file and no fix script: an upload step must never replace good results with a partial set.
  if (summary.syntaxErrors > 0) {
    if (!args.output && args.format === 'text') writeStdout(io, report);
    io.stderr.write(`schema-lint: ${summary.syntaxErrors} syntax error${summary.syntaxErrors === 1 ? '' : 's'}; no report file or fix script written\n`);
    return 2;
  }
  // All files are written, or none (output-files.ts: each staged in full, rendered into it, before any is renamed).
  const outputs: PlannedOutput[] = [];
  if (args.output) outputs.push({ option: '--output', file: args.output, content: report });
  if (args.fixSql) outputs.push({ option: '--fix-sql', file: args.fixSql, content: fixScript(findings, { toolVersion: version, generatedAt: now, fixLevel: args.fixLevel, rules: rules.map((r) => r.rule) }) });
  if (args.writeBaseline) outputs.push({ option: '--write-baseline', file: args.writeBaseline, content: renderBaseline(run.kept) });
  for (const extra of extraReports) {
    outputs.push({ option: '--report', file: extra.file, content: await renderReport({ ...args, format: extra.format, output: extra.file }, io, input) });
  }
  await writeOutputs(outputs);
  if (!args.output) writeStdout(io, report);
  if (args.reportUnusedSuppressions && run.unusedSuppressions.length > 0) return 1;
  return failed(findings, failOn) ? 1 : 0;
}
