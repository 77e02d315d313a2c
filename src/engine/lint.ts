/**
 * The lint pipeline, in one place: config (and custom rules) → source (DDL files or text, or a live database) →
 * model → rules → origins → suppressions → baseline → summary. The CLI and the Node API both call it; rendering and
 * writing files are theirs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { allRules as builtInRules } from '../../rules/index.js';
import type { SchemaModel } from '../model/types.js';
import type { Diagnostic } from '../shared/diagnostic.js';
import { UsageError } from '../shared/errors.js';
import type { Suppression } from '../shared/suppression.js';
import { loadParser } from '../sql/parser.js';
import { ParseCache } from '../sources/ddl/cache.js';
import { collectSqlFiles } from '../sources/ddl/collect-files.js';
import { buildModelFromSql, loadDdl, type DdlLoadResult } from '../sources/ddl/load-ddl.js';
import type { MigrationLayout } from '../sources/ddl/migration-layout.js';
import { DEFAULT_SESSION, type SessionSettings } from '../sources/ddl/builder.js';
import { parseSuppressions } from '../sources/ddl/suppressions.js';
import { applyStatsFile, parseStatsFile, type StatsFile } from '../sources/stats-file.js';
import { applyBaseline, readBaseline } from './baseline.js';
import { checkRuleIds, configFromObject, loadConfig, type Config } from './config.js';
import { loadPlugins, withCustomRules } from './custom-rules.js';
import { catalogOptions, connectionSettings } from './live-settings.js';
import { mapFindingsToSource } from './map-origins.js';
import { enabledRules, runRules, type EnabledRule } from './run-rules.js';
import { summarize, type Summary } from '../report/summary.js';
import { shareRepeatedTexts } from './share-strings.js';
import { applySuppressions } from './suppress.js';
import type { AnyRule, Finding, Severity } from './types.js';

export interface SqlSource {
  /** The name findings point at (`file:line:column`). */
  file: string;
  text: string;
}

export interface LintOptions {
  /** DDL mode: `.sql` files, folders (every `*.sql` below, natural order) or globs, applied in order. */
  paths?: string[];
  /** DDL mode: SQL text, or several named texts applied in order. */
  sql?: string | SqlSource[];
  /** Live mode: a `postgres://` URL; `''` takes everything from the PG* environment variables. */
  db?: string;
  /** Live mode: DDL files whose statements findings are mapped to. */
  source?: string[];
  /**
   * Where the config search, a relative config or cache folder and `changedSince`'s git commands start (default: the
   * process's working folder). Relative `paths` and `source` are read from the process's working folder, as the
   * reports name them: pass absolute paths to lint files elsewhere.
   */
  cwd?: string;
  /**
   * A config object (the shape of `schema-lint.config.json`), the path of a config file, or `false` for none.
   * Default: `schema-lint.config.json` searched upward from `cwd`.
   */
  config?: Partial<Config> | string | false;
  /** Rule levels that override the config: `{ 'missing-audit-trigger': 'off' }`. */
  rules?: Record<string, Severity | 'off'>;
  /** Rules of your own, with the same contract as the built-in ones (validated before they run). */
  customRules?: AnyRule[];
  /** The reference instant for time-based rules (default: the clock). */
  now?: Date;
  /** DDL mode: volume figures exported by `schema-lint stats` (a parsed object or a file path). */
  stats?: StatsFile | string;
  /** Report only findings whose keys are not in this baseline (a file path or the keys). */
  baseline?: string | Iterable<string>;
  /** Also report suppression comments that match no finding (as diagnostics). */
  reportUnusedSuppressions?: boolean;
  /** Live mode: seconds to wait for the connection / for one catalog query (override the config's `live`). */
  connectTimeoutSeconds?: number;
  queryTimeoutSeconds?: number;
  /**
   * Pull-request mode (DDL paths in a git work tree): report the gap findings absent at this ref, plus the
   * migration-safety findings on the statements of files changed since it.
   */
  changedSince?: string;
  /** DDL mode: how the files ran: one session for all (`shared`, default) or a new one per file (config `session`). */
  session?: 'shared' | 'per-file';
  /** DDL mode: each session's starting search_path, comma-separated (config `searchPath`; default `public`). */
  searchPath?: string;
  /**
   * DDL mode's parse cache (src/sources/ddl/cache.ts): `false` for none (`--no-cache`); `dir` overrides the config's
   * `cache.dir`, which overrides `defaultDir`. Without any folder (the API's default) nothing is cached.
   */
  cache?: false | { dir?: string; defaultDir?: string; toolVersion?: string };
}

/** `session` / `searchPath` over the config's; a search path is folded like SET's (quoted names keep their case). */
function sessionSettings(options: LintOptions, config: Config): SessionSettings {
  const written = options.searchPath !== undefined ? options.searchPath.split(',') : config.searchPath;
  const searchPath = (written ?? DEFAULT_SESSION.searchPath)
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => (part.startsWith('"') && part.endsWith('"') && part.length > 1 ? part.slice(1, -1).replace(/""/g, '"') : part.toLowerCase()));
  if (options.searchPath !== undefined && searchPath.length === 0) throw new UsageError('--search-path: give at least one schema, e.g. --search-path app,public');
  return { session: options.session ?? config.session ?? DEFAULT_SESSION.session, searchPath: searchPath.length ? searchPath : DEFAULT_SESSION.searchPath };
}

/** Everything a run found, for renderers and the CLI's exit code. */
export interface LintRun {
  findings: Finding[];
  diagnostics: Diagnostic[];
  summary: Summary;
  /** Findings before the baseline was applied (what `--write-baseline` records). */
  kept: Finding[];
  unusedSuppressions: Suppression[];
  /** The rules that ran, with their levels and options. */
  rules: EnabledRule[];
  /** Every known rule (built-in and custom): SARIF describes the ones that ran. */
  knownRules: AnyRule[];
  config: Config;
  configFile?: string;
  model: SchemaModel;
  now: Date;
  /** Tables named in `stats` that the schema does not have. */
  statsUnknownTables: string[];
  /** What the run adjusted and the user should know (a shallow clone without a merge base, …). */
  warnings: string[];
  /** DDL mode: files parsed and files read from the parse cache, and the cache folder (when one was used). */
  parse?: { parsed: number; cached: number; cacheDir?: string };
}

function readStats(stats: StatsFile | string): StatsFile {
  if (typeof stats !== 'string') return stats;
  let text: string;
  try {
    text = readFileSync(stats, 'utf8');
  } catch {
    throw new UsageError(`--stats ${stats}: cannot read the file`);
  }
  return parseStatsFile(text, stats);
}

async function resolveConfig(options: LintOptions, cwd: string): Promise<{ config: Config; file?: string; rules: AnyRule[] }> {
  let config: Config;
  let file: string | undefined;
  if (options.config === false) config = configFromObject({}, builtInRules);
  else if (typeof options.config === 'object') config = configFromObject({ ...options.config, rules: {}, ignores: [] }, builtInRules);
  else ({ config, file } = loadConfig(options.config, cwd));
  const plugins = await loadPlugins(config.plugins ?? [], file, cwd);
  const rules = withCustomRules(builtInRules, [...plugins, ...(options.customRules ?? [])], file ?? 'customRules');
  if (typeof options.config === 'object') {
    // Rule settings of a config object name custom rules too: checked once those are known.
    config = { ...config, rules: { ...(options.config.rules ?? {}) }, ignores: [...(options.config.ignores ?? [])] };
  }
  checkRuleIds(config, file ?? 'config', rules);
  return { config, file, rules };
}

function checkOverrides(overrides: Record<string, Severity | 'off'>, rules: AnyRule[]): void {
  const known = new Set(rules.map((rule) => rule.id));
  for (const [id, level] of Object.entries(overrides)) {
    if (!known.has(id)) throw new UsageError(`--rule ${id}=${level}: unknown rule ${id} (see 'schema-lint rules')`);
    if (!['off', 'note', 'warning', 'error'].includes(level)) throw new UsageError(`--rule ${id}=${level}: expected off, note, warning or error`);
  }
}

/** The parse cache for DDL files, if this run uses one: live mode (even its `--source` files) and SQL text do not. */
function parseCache(options: LintOptions, config: Config, configFile: string | undefined, live: boolean): ParseCache | undefined {
  if (live || options.sql !== undefined || options.cache === false || options.cache === undefined || config.cache?.enabled === false) return undefined;
  const configDir = config.cache?.dir && path.resolve(configFile ? path.dirname(configFile) : (options.cwd ?? process.cwd()), config.cache.dir);
  const dir = options.cache.dir ?? configDir ?? options.cache.defaultDir;
  return dir ? new ParseCache({ dir: path.resolve(options.cwd ?? process.cwd(), dir), toolVersion: options.cache.toolVersion ?? 'unknown' }) : undefined;
}

/** DDL mode always has files here: collecting them stops the run (exit 2) when a path holds none. */
function ddlModel(loaded: DdlLoadResult | undefined): SchemaModel {
  if (!loaded) throw new Error('DDL mode without SQL files');
  return loaded.model;
}

async function loadSources(
  options: LintOptions,
  live: boolean,
  layout: MigrationLayout | undefined,
  session: SessionSettings,
  cache: ParseCache | undefined,
): Promise<{ loaded?: DdlLoadResult; fileCount: number }> {
  if (options.sql !== undefined) {
    await loadParser();
    const sources = typeof options.sql === 'string' ? [{ file: 'input.sql', text: options.sql }] : options.sql;
    return { loaded: buildModelFromSql(sources, session), fileCount: sources.length };
  }
  // Migration folders are read the way their framework runs them (down scripts left out, versions in order).
  const files = live ? (options.source ? collectSqlFiles(options.source, { layout }) : []) : collectSqlFiles(options.paths ?? [], { layout });
  return { loaded: files.length ? await loadDdl(files, session, layout, cache) : undefined, fileCount: files.length };
}

function suppressionDiagnostics(suppressions: Suppression[], rules: AnyRule[]): Diagnostic[] {
  const known = new Set(rules.map((rule) => rule.id));
  const diagnostics: Diagnostic[] = [];
  for (const suppression of suppressions) {
    // One line per comment, however many words after it are taken for rule ids.
    const unknown = suppression.rules.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      const message = `suppression names unknown rule${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}`;
      diagnostics.push({ file: suppression.file, line: suppression.line, column: suppression.column, kind: 'suppression', message });
    }
  }
  return diagnostics;
}

export async function runPipeline(options: LintOptions): Promise<LintRun> {
  const cwd = options.cwd ?? process.cwd();
  const live = options.db !== undefined;
  const inputs = [options.paths?.length ? 'paths' : undefined, options.sql !== undefined ? 'sql' : undefined, live ? 'db' : undefined].filter(Boolean);
  if (inputs.length > 1) {
    throw new UsageError(live ? 'give either SQL paths or --db, not both (use --source DIR to map live findings to DDL)' : 'give either paths or sql, not both');
  }
  if (inputs.length === 0) throw new UsageError('no input: give .sql files, folders or globs, or --db URL (see --help)');
  if (!live && options.source) throw new UsageError('--source goes with --db');
  if (live && options.stats) throw new UsageError('--stats is for DDL mode: live mode reads the statistics from the database');

  const { config, file: configFile, rules: knownRules } = await resolveConfig(options, cwd);
  const overrides = options.rules ?? {};
  checkOverrides(overrides, knownRules);
  const rules = enabledRules(knownRules, config, overrides, configFile);
  const now = options.now ?? new Date();
  const baselineKeys =
    options.baseline === undefined ? undefined : typeof options.baseline === 'string' ? readBaseline(options.baseline) : new Set(options.baseline);

  const layout = config.migrations?.layout;
  const cache = parseCache(options, config, configFile, live);
  const { loaded, fileCount } = await loadSources(options, live, layout, sessionSettings(options, config), cache);
  // Live mode's modules (the pg driver among them) load only for live mode: DDL runs start faster.
  const model: SchemaModel = live
    ? await (await import('../sources/catalog/read-catalog.js')).readCatalog(
        connectionSettings(options.db === '' ? undefined : options.db, { connectTimeout: options.connectTimeoutSeconds, queryTimeout: options.queryTimeoutSeconds }, config),
        catalogOptions(config),
      )
    : ddlModel(loaded);
  const statsUnknownTables = options.stats ? applyStatsFile(model, readStats(options.stats)).unknownTables : [];

  const suppressions = (loaded?.files ?? []).flatMap(parseSuppressions);
  const diagnostics = [...(loaded?.diagnostics ?? []), ...suppressionDiagnostics(suppressions, knownRules)];
  const syntaxErrors = diagnostics.filter((d) => d.kind === 'syntax').length;

  let raw = runRules(model, rules, config, { now, live });
  const warnings: string[] = [];
  if (options.changedSince !== undefined) {
    if (live || !loaded || options.sql !== undefined) throw new UsageError('--changed-since reads SQL files from git: give paths, not --db');
    const changed = (await import('./changed-since.js')).changedSinceFindings({
      ref: options.changedSince, paths: options.paths ?? [], cwd, layout, rules, config, now, model, files: loaded.files, findings: raw,
    });
    warnings.push(...changed.warnings);
    raw = changed.findings;
  }
  const all = live && loaded ? mapFindingsToSource(raw, loaded.model) : raw;
  shareRepeatedTexts(all);
  const { kept, suppressed, unused } = applySuppressions(all, suppressions);
  if (options.reportUnusedSuppressions) {
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
  const baseline = baselineKeys ? applyBaseline(kept, baselineKeys) : undefined;
  const findings = baseline ? baseline.fresh : kept;
  const summary = summarize(findings, {
    filesLinted: live ? 0 : fileCount,
    database: model.source.kind === 'database' ? model.source.database : undefined,
    syntaxErrors,
    suppressed,
    baselined: baseline?.baselined,
    fixedSinceBaseline: baseline?.fixed,
  });
  const parse = loaded && !live ? { ...loaded.parse, cacheDir: cache?.dir } : undefined;
  return { findings, diagnostics, summary, kept, unusedSuppressions: unused, rules, knownRules, config, configFile, model, now, statsUnknownTables, warnings, parse };
}
