/** DDL mode's entry point: files → parsed statements → one SchemaModel, with located diagnostics. */
import { readFileSync } from 'node:fs';
import type { SchemaModel } from '../../model/types.js';
import { isTooDeep, loadParser } from '../../sql/parser.js';
import { DdlModelBuilder, DEFAULT_SESSION, type SessionSettings } from './builder.js';
import { InputError } from './collect-files.js';
import { runnableMigrationText, type MigrationLayout } from './migration-layout.js';
import type { ParseCache } from './cache.js';
import { GROUP_CHARS, parseSqlFile, replayParsedFile, type Diagnostic, type GroupHandler, type ParsedFile } from './parse-file.js';
import { applyStatement } from './statements.js';
import { resolveForeignKeys } from './tables.js';

export interface DdlLoadResult {
  model: SchemaModel;
  diagnostics: Diagnostic[];
  /** The parsed files, in order (reporters and suppressions read their text). */
  files: ParsedFile[];
  /** How many files were parsed, and how many were replayed from the parse cache. */
  parse: { parsed: number; cached: number };
}

export interface BuildOptions {
  groupChars?: number;
  /** Parsed files are looked up and stored here (cache.ts); none: every file is parsed. */
  cache?: ParseCache;
  /**
   * Statements no model fact reads are checked, not parsed into trees (skip-statements.ts), where a group holds
   * at least `minBytes` of them (true: MIN_SKIPPED_BYTES). Default false: measured, it does not pay (the check that
   * keeps syntax errors found costs about what the parse it saves does; skip-statements.ts has the figures).
   */
  skipUnread?: boolean | { minBytes: number };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads a file as UTF-8; bytes that are not UTF-8 stop the run with their place (PostgreSQL would reject them too). */
export function readSqlFile(file: string): string {
  let buffer: Buffer;
  try {
    buffer = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reasons: Record<string, string> = { EISDIR: 'is a folder', ENOENT: 'no such file', EACCES: 'permission denied', EPERM: 'permission denied' };
    throw new InputError(`${file}: cannot read (${(code && reasons[code]) ?? code ?? String(error)})`);
  }
  try {
    return strictUtf8.decode(buffer);
  } catch {
    const lenient = buffer.toString('utf8');
    const at = lenient.indexOf('\uFFFD');
    const before = lenient.slice(0, Math.max(at, 0)).split('\n');
    throw new InputError(
      `${file}:${before.length}:${before[before.length - 1].length + 1}: not valid UTF-8; schema-lint reads UTF-8 ` +
        '(convert the file, e.g. iconv -f LATIN1 -t UTF-8)',
    );
  }
}

/** Builds the model from SQL texts already read (tests and the CLI share this). */
export function buildModelFromSql(
  sources: Array<{ file: string; text: string }>,
  session: SessionSettings = DEFAULT_SESSION,
  options: BuildOptions | number = {},
): DdlLoadResult {
  const { groupChars = GROUP_CHARS, cache, skipUnread = true } = typeof options === 'number' ? { groupChars: options } : options;
  const builder = new DdlModelBuilder(sources.map((s) => s.file), session);
  const files: ParsedFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const parse = { parsed: 0, cached: 0 };
  // Each group of statements is applied as soon as it is parsed (or read from the cache), and its tree dropped:
  // memory follows the model.
  const apply: GroupHandler = (group) => builder.applyFile(group, applyStatement);
  for (const source of sources) {
    const key = cache?.keyOf(source.text, `groups ${groupChars} skip ${JSON.stringify(skipUnread)}`);
    const entry = cache && key ? cache.read(key) : undefined;
    let parsed: ParsedFile;
    if (entry) {
      parsed = replayParsedFile(source.file, source.text, entry.groups, apply);
      parse.cached++;
    } else {
      const recorder = cache && key ? cache.recorder(key) : undefined;
      try {
        parsed = parseSqlFile(
          source.file,
          source.text,
          recorder
            ? (group, skipped) => {
                recorder.add(group.statements, group.diagnostics, skipped);
                apply(group, skipped);
              }
            : apply,
          groupChars,
          skipUnread,
        );
      } catch (error) {
        recorder?.abandon();
        throw error;
      }
      parse.parsed++;
      // A statement too deep for the parser's stack depends on the run's earlier overflows (parser.ts), not only on
      // this text: such a file is not cached.
      if (recorder && !parsed.diagnostics.some((d) => isTooDeep(d))) recorder.commit(parsed.diagnostics);
      else recorder?.abandon();
    }
    files.push(parsed);
    diagnostics.push(...parsed.diagnostics);
  }
  if (cache) {
    cache.counts.parsed += parse.parsed;
    cache.counts.cached += parse.cached;
  }
  builder.applyDeferred(applyStatement);
  resolveForeignKeys(builder);
  diagnostics.push(...builder.diagnostics);
  return { model: builder.model, diagnostics, files, parse };
}

export async function loadDdl(
  paths: string[],
  session: SessionSettings = DEFAULT_SESSION,
  layout?: MigrationLayout,
  cache?: ParseCache,
): Promise<DdlLoadResult> {
  await loadParser();
  return buildModelFromSql(paths.map((file) => ({ file, text: runnableMigrationText(readSqlFile(file), layout) })), session, { cache });
}
