/** The command line: yargs commands, one clear line and exit code 2 for anything that stops a run. */
import yargs from 'yargs';
import { BaselineError } from '../engine/baseline.js';
import { ConfigError } from '../engine/config.js';
import { InputError } from '../sources/ddl/collect-files.js';
import { OutputError } from '../report/output-files.js';
import { StatsFileError } from '../sources/stats-file.js';
import { allRules } from '../../rules/index.js';
import { yargsMessageLine } from './arguments.js';
import { UsageError } from './errors.js';
import { runLint, type LintIo } from './lint.js';
import { renderExplain, renderRulesTable } from './rules-command.js';
import { runStats } from './stats-command.js';
import { toolVersion } from './version.js';

const EXIT_FAILURE = 2;

const EPILOG = `Exit codes:
  0  no finding at or above --fail-on
  1  findings at or above --fail-on
  2  the run failed: bad arguments or config, unreadable input, a syntax error, database unreachable
     (no report file and no fix script are written then)`;

/** Known failures get one line; anything else is a bug, still one line unless SCHEMA_LINT_DEBUG is set. */
function describeFailure(error: unknown, env: NodeJS.ProcessEnv): string {
  // Known failures are one line whatever text they carry (a quoted value, a driver message).
  const oneLine = (text: string): string => text.split(/\s*[\r\n]+\s*/).join(' ');
  if (error instanceof UsageError || error instanceof ConfigError || error instanceof InputError || error instanceof BaselineError || error instanceof OutputError) return oneLine(error.message);
  // Anything can be thrown, null included.
  const named = error as { name?: string; message?: string; stack?: string } | null | undefined;
  if (named?.name === 'CatalogError' || error instanceof StatsFileError) return oneLine(named?.message ?? String(error));
  if (env.SCHEMA_LINT_DEBUG) return named?.stack ?? String(error);
  return `internal error: ${oneLine(named?.message ?? String(error))} (set SCHEMA_LINT_DEBUG=1 for details)`;
}

/** yargs leaves a variadic positional unset when no path is given (live mode), whatever its types say. */
function pathsOf(given: string[] | undefined): string[] {
  return given ?? [];
}

/** `columns` is undefined when stdout is not a terminal, whatever Node's types say. */
function terminalColumns(): number | undefined {
  const columns: number | undefined = process.stdout.columns;
  return columns;
}

export async function main(argv: string[], io: LintIo): Promise<number> {
  let exitCode = 0;
  const parser = yargs(argv)
    .scriptName('schema-lint')
    .usage('$0 [lint] [paths..] [options]\n\nLints PostgreSQL schemas the way a staff DBA reviews them, and writes the fix-up SQL for every gap.')
    .command(
      ['lint [paths..]', '$0 [paths..]'],
      'Lint .sql files, folders (every *.sql below, in natural order) or globs',
      (y) =>
        y
          .positional('paths', { type: 'string', array: true, default: [] as string[], describe: 'SQL files, folders or globs, applied in the order given' })
          .option('format', {
            alias: 'f',
            choices: ['text', 'json', 'sarif', 'github', 'markdown'] as const,
            default: 'text' as const,
            describe: 'Report format: text, json, sarif (2.1.0, for GitHub code scanning), github (workflow annotations), markdown (pull-request comment / step summary)',
          })
          .option('output', { alias: 'o', type: 'string', describe: 'Write the report to FILE (atomically) instead of stdout' })
          .option('fix-sql', { type: 'string', describe: 'Write one reviewed fix-up SQL script for all findings to FILE' })
          .option('report', {
            type: 'string',
            array: true,
            describe: 'Also write the same run as FORMAT to FILE (repeatable): --report sarif=out.sarif --report markdown=summary.md',
          })
          .option('fix-level', {
            choices: ['safe', 'behaviour'] as const,
            default: 'safe' as const,
            describe: 'Fixes the script writes as statements: safe (index builds, partitions, VALIDATE) or also behaviour (new CHECKs, triggers); the rest are comments',
          })
          .option('show-fixes', { type: 'boolean', default: false, describe: 'Text report: print each fix under its finding' })
          .option('config', { alias: 'c', type: 'string', describe: 'Config file (default: schema-lint.config.json, searched upward)' })
          .option('rule', { type: 'string', array: true, default: [] as string[], describe: 'Set a rule level: <rule-id>=off|note|warning|error (repeatable)' })
          .option('fail-on', { choices: ['error', 'warning', 'note', 'never'] as const, describe: 'Exit 1 when a finding is at or above this level [default: error]' })
          .option('now', { type: 'string', describe: 'Reference date for time-based rules (YYYY-MM-DD or ISO 8601; default: the clock)' })
          .option('db', { type: 'string', describe: 'Live mode: read the schema from this database (postgres:// URL; "" uses the PG* environment variables)' })
          .option('db-env', { type: 'string', describe: 'Live mode: read the database URL from this environment variable' })
          .option('connect-timeout', { type: 'number', describe: 'Live mode: seconds to wait for the connection [default: 10]' })
          .option('query-timeout', { type: 'number', describe: 'Live mode: seconds one catalog query may take [default: 60]' })
          .option('source', { type: 'string', array: true, describe: 'Live mode: DDL files or folders to map findings to (the statement that defines each object)' })
          .option('changed-since', { type: 'string', describe: 'Pull-request mode: only gap findings absent at this git ref, plus migration-safety findings on files changed since it' })
          .option('stats', { type: 'string', describe: 'DDL mode: volume figures exported by `schema-lint stats` (rows, sizes, write rates)' })
          .option('session', { choices: ['shared', 'per-file'] as const, describe: 'DDL mode: the files ran in one session (a SET search_path carries over) or each in its own [default: shared]' })
          .option('search-path', { type: 'string', describe: 'DDL mode: each session\'s starting search_path, comma-separated [default: public]' })
          .option('sarif-category', { type: 'string', describe: 'SARIF automationDetails.id category, to upload several runs side by side' })
          .option('baseline', { type: 'string', describe: 'Report and fail only on findings not in this baseline file' })
          .option('write-baseline', { type: 'string', describe: 'Record the current findings as a baseline file (sorted JSON)' })
          .option('report-unused-suppressions', { type: 'boolean', default: false, describe: 'Report suppression comments that match no finding (exit 1)' })
          .option('verbose', { type: 'boolean', default: false, describe: 'Also print non-syntax diagnostics (unknown objects, skipped statements) on stderr' })
          .option('cache', { type: 'boolean', describe: 'DDL mode: reuse parsed files from the cache folder (--no-cache: parse every file) [default: true]' })
          .option('cache-dir', { type: 'string', describe: 'DDL mode: the parse cache folder [default: $XDG_CACHE_HOME/schema-lint or ~/.cache/schema-lint]' }),
      async (args) => {
        exitCode = await runLint(
          {
            paths: pathsOf(args.paths),
            format: args.format,
            output: args.output,
            fixSql: args['fix-sql'],
            reports: args.report,
            fixLevel: args['fix-level'],
            showFixes: args['show-fixes'],
            config: args.config,
            rule: args.rule,
            failOn: args['fail-on'],
            now: args.now,
            verbose: args.verbose,
            sarifCategory: args['sarif-category'],
            db: args.db,
            dbEnv: args['db-env'],
            source: args.source,
            stats: args.stats,
            connectTimeout: args['connect-timeout'],
            queryTimeout: args['query-timeout'],
            changedSince: args['changed-since'],
            session: args.session,
            searchPath: args['search-path'],
            baseline: args.baseline,
            writeBaseline: args['write-baseline'],
            reportUnusedSuppressions: args['report-unused-suppressions'],
            cache: args.cache,
            cacheDir: args['cache-dir'],
          },
          io,
        );
      },
    )
    .command(
      'stats',
      'Export per-table volume figures from a live database, for DDL mode\'s --stats',
      (y) =>
        y
          .option('db', { type: 'string', describe: 'Database URL ("" uses the PG* environment variables)' })
          .option('db-env', { type: 'string', describe: 'Read the database URL from this environment variable' })
          .option('connect-timeout', { type: 'number', describe: 'Seconds to wait for the connection [default: 10]' })
          .option('query-timeout', { type: 'number', describe: 'Seconds one catalog query may take [default: 60]' })
          .option('output', { alias: 'o', type: 'string', describe: 'Write to FILE (atomically) instead of stdout' }),
      async (args) => {
        exitCode = await runStats(
          { db: args.db, dbEnv: args['db-env'], output: args.output, connectTimeout: args['connect-timeout'], queryTimeout: args['query-timeout'] },
          io,
        );
      },
    )
    .command(
      'rules',
      'List the rules with their default levels',
      (y) => y.option('format', { alias: 'f', choices: ['text', 'json'] as const, default: 'text' as const }),
      (args) => {
        io.stdout.write(renderRulesTable(allRules, args.format));
      },
    )
    .command(
      'explain <rule>',
      'Explain a rule: why it matters, bad and good examples, the fix',
      (y) => y.positional('rule', { type: 'string', demandOption: true }),
      (args) => {
        io.stdout.write(renderExplain(allRules, args.rule));
      },
    )
    .epilog(EPILOG)
    .strict()
    .version(toolVersion())
    .help()
    .alias('h', 'help')
    .alias('v', 'version')
    .wrap(Math.min(110, terminalColumns() ?? 110))
    .exitProcess(false)
    .fail((message, error) => {
      // yargs passes no error for its own validation failures (an unknown argument, a missing value).
      throw (error as Error | undefined) ?? new UsageError(yargsMessageLine(message));
    });
  // yargs lays out a named command's whole help text on every run (cacheHelpMessage, for a later showHelp()): ~60–100
  // ms of string-width at start-up. Nothing here shows help after a command ran (failures are one line), so it is
  // skipped; --help still lays it out when asked. (Internal API: yargs is pinned exactly; test/cli.test.ts covers help.)
  const usage = (parser as unknown as { getInternalMethods?: () => { getUsageInstance: () => { cacheHelpMessage?: () => void } } })
    .getInternalMethods?.()
    .getUsageInstance();
  if (usage?.cacheHelpMessage) usage.cacheHelpMessage = () => undefined;
  try {
    await parser.parseAsync();
  } catch (error) {
    io.stderr.write(`schema-lint: ${describeFailure(error, io.env)}\n`);
    return EXIT_FAILURE;
  }
  return exitCode;
}
