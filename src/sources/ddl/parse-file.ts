/**
 * One SQL file → located statements and syntax diagnostics. Parses the whole file in one call (the fast path);
 * only when that fails is the file split at top-level semicolons and each piece parsed alone, so one bad
 * statement costs one diagnostic and the rest of the file is still linted.
 */
import { parseStatements, scanTokens, type RawStatement, type Token } from '../../sql/parser.js';
import { blankPsqlLines, SourceText } from './text.js';

export interface ParsedStatement {
  /** The statement node, e.g. `{ CreateStmt: {…} }`. */
  node: Record<string, any>;
  kind: string;
  startByte: number;
  endByte: number;
}

export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  message: string;
  /** `syntax` errors make the run fail (exit 2); the others are information. */
  kind: 'syntax' | 'psql' | 'reference' | 'unsupported' | 'suppression' | 'rejected' | 'session';
}

export interface ParsedFile {
  file: string;
  source: SourceText;
  statements: ParsedStatement[];
  diagnostics: Diagnostic[];
}

const PSQL_VARIABLE = /(^|[^:\w]):(['"]?)[A-Za-z_][A-Za-z0-9_]*\2/;

/** Node locations of a piece parsed on its own are relative to the piece: make them file offsets. */
function shiftLocations(node: unknown, by: number): void {
  if (Array.isArray(node)) {
    for (const item of node) shiftLocations(item, by);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(record)) {
    if (key === 'location' && typeof value === 'number') {
      if (value >= 0) record[key] = value + by;
    } else if (typeof value === 'object') shiftLocations(value, by);
  }
}

function toStatements(raw: RawStatement[], baseByte: number): ParsedStatement[] {
  if (baseByte > 0) for (const entry of raw) shiftLocations(entry.stmt, baseByte);
  return raw.map((entry) => {
    const start = baseByte + (entry.stmt_location ?? 0);
    const kind = Object.keys(entry.stmt)[0];
    return { node: entry.stmt, kind, startByte: start, endByte: start + (entry.stmt_len ?? 0) };
  });
}

/** Byte ranges of top-level statements, split at `;` outside `BEGIN ATOMIC … END` bodies. */
function splitByTokens(tokens: Token[], totalBytes: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let start = 0;
  let atomicDepth = 0;
  let previous = '';
  for (const token of tokens) {
    const word = token.text.toUpperCase();
    if (previous === 'BEGIN' && word === 'ATOMIC') atomicDepth++;
    else if (atomicDepth > 0 && word === 'CASE') atomicDepth++;
    else if (atomicDepth > 0 && word === 'END') atomicDepth--;
    if (token.text === ';' && atomicDepth === 0) {
      ranges.push([start, token.end]);
      start = token.end;
    }
    if (token.tokenName !== 'SQL_COMMENT' && token.tokenName !== 'C_COMMENT') previous = word;
  }
  if (start < totalBytes) ranges.push([start, totalBytes]);
  return ranges;
}

/** Fallback when even the scanner fails (an unterminated quote): split at semicolons that end a line. */
function splitByLines(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  const pattern = /;[ \t]*(\r?\n|$)/g;
  let start = 0;
  let charStart = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const charEnd = match.index + 1;
    const end = start + Buffer.byteLength(text.slice(charStart, charEnd), 'utf8');
    ranges.push([start, end]);
    start = end;
    charStart = charEnd;
  }
  const total = Buffer.byteLength(text, 'utf8');
  if (start < total) ranges.push([start, total]);
  return ranges;
}

export function parseSqlFile(file: string, rawText: string): ParsedFile {
  // A byte-order mark is not text: dropping it keeps line 1's columns what an editor shows.
  const text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText;
  const source = new SourceText(text);
  const blanked = blankPsqlLines(text).text;
  const diagnostics: Diagnostic[] = [];
  const whole = parseStatements(blanked);
  if (whole.ok) return { file, source, statements: toStatements(whole.stmts, 0), diagnostics };

  const blankedSource = new SourceText(blanked);
  const tokens = scanTokens(blanked);
  const ranges = tokens ? splitByTokens(tokens, blankedSource.bytes.length) : splitByLines(blanked);
  const statements: ParsedStatement[] = [];
  for (const [start, end] of ranges) {
    const chunk = blankedSource.slice(start, end);
    if (chunk.trim() === '') continue;
    const parsed = parseStatements(chunk);
    if (parsed.ok) {
      statements.push(...toStatements(parsed.stmts, start));
      continue;
    }
    const chunkSource = new SourceText(chunk);
    const errorByte =
      start + (parsed.error.cursorPosition !== undefined ? chunkSource.byteOfCodePoint(parsed.error.cursorPosition) : chunk.search(/\S/));
    const position = source.positionOfByte(errorByte);
    const variable = PSQL_VARIABLE.exec(stripLiterals(chunk));
    if (variable) {
      diagnostics.push({
        file,
        ...position,
        kind: 'psql',
        message: `statement uses the psql variable ${variable[0].trim()}, which only psql substitutes; statement skipped`,
      });
    } else {
      diagnostics.push({ file, ...position, kind: 'syntax', message: parsed.error.message });
    }
  }
  return { file, source, statements, diagnostics };
}

/** Removes string literals and comments so that `':00'` inside a literal is not taken for a psql variable. */
function stripLiterals(sql: string): string {
  return sql
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/--[^\n]*/g, '')
    .replace(/\/\*[\s\S]*?\*\//g, '');
}
