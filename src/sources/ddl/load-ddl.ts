/** DDL mode's entry point: files → parsed statements → one SchemaModel, with located diagnostics. */
import { readFileSync } from 'node:fs';
import type { SchemaModel } from '../../model/types.js';
import { loadParser } from '../../sql/parser.js';
import { DdlModelBuilder } from './builder.js';
import { InputError } from './collect-files.js';
import { parseSqlFile, type Diagnostic, type ParsedFile } from './parse-file.js';
import { applyStatement } from './statements.js';
import { resolveForeignKeys } from './tables.js';

export interface DdlLoadResult {
  model: SchemaModel;
  diagnostics: Diagnostic[];
  /** The parsed files, in order (reporters and suppressions read their text). */
  files: ParsedFile[];
}

export function readSqlFile(file: string): string {
  try {
    const buffer = readFileSync(file);
    return buffer.toString('utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`${file}: cannot read (${code === 'EISDIR' ? 'is a folder' : code === 'ENOENT' ? 'no such file' : code ?? String(error)})`);
  }
}

/** Builds the model from SQL texts already read (tests and the CLI share this). */
export function buildModelFromSql(sources: Array<{ file: string; text: string }>): DdlLoadResult {
  const builder = new DdlModelBuilder(sources.map((s) => s.file));
  const files: ParsedFile[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const source of sources) {
    const parsed = parseSqlFile(source.file, source.text);
    files.push(parsed);
    diagnostics.push(...parsed.diagnostics);
    builder.applyFile(parsed, applyStatement);
  }
  builder.applyDeferred(applyStatement);
  resolveForeignKeys(builder);
  diagnostics.push(...builder.diagnostics);
  return { model: builder.model, diagnostics, files };
}

export async function loadDdl(paths: string[]): Promise<DdlLoadResult> {
  await loadParser();
  return buildModelFromSql(paths.map((file) => ({ file, text: readSqlFile(file) })));
}
