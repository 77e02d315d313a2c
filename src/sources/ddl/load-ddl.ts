/** DDL mode's entry point: files → parsed statements → one SchemaModel, with located diagnostics. */
import { readFileSync } from 'node:fs';
import type { SchemaModel } from '../../model/types.js';
import { loadParser } from '../../sql/parser.js';
import { DdlModelBuilder, DEFAULT_SESSION, type SessionSettings } from './builder.js';
import { InputError } from './collect-files.js';
import { runnableMigrationText, type MigrationLayout } from './migration-layout.js';
import { GROUP_CHARS, parseSqlFile, type Diagnostic, type ParsedFile } from './parse-file.js';
import { applyStatement } from './statements.js';
import { resolveForeignKeys } from './tables.js';

export interface DdlLoadResult {
  model: SchemaModel;
  diagnostics: Diagnostic[];
  /** The parsed files, in order (reporters and suppressions read their text). */
  files: ParsedFile[];
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
  groupChars = GROUP_CHARS,
): DdlLoadResult {
  const builder = new DdlModelBuilder(sources.map((s) => s.file), session);
  const files: ParsedFile[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const source of sources) {
    // Each group of statements is applied as soon as it is parsed, and its tree dropped: memory follows the model.
    const parsed = parseSqlFile(source.file, source.text, (group) => builder.applyFile(group, applyStatement), groupChars);
    files.push(parsed);
    diagnostics.push(...parsed.diagnostics);
  }
  builder.applyDeferred(applyStatement);
  resolveForeignKeys(builder);
  diagnostics.push(...builder.diagnostics);
  return { model: builder.model, diagnostics, files };
}

export async function loadDdl(paths: string[], session: SessionSettings = DEFAULT_SESSION, layout?: MigrationLayout): Promise<DdlLoadResult> {
  await loadParser();
  return buildModelFromSql(paths.map((file) => ({ file, text: runnableMigrationText(readSqlFile(file), layout) })), session);
}
