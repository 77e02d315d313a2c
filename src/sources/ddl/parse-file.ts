/**
 * One SQL file → located statements and syntax diagnostics. A file is parsed in groups of whole statements of about
 * GROUP_CHARS characters (one group for any ordinary file; the fast path), each group in one parser call. Only when
 * a group fails is it split at top-level semicolons and each piece parsed alone, so one bad statement costs one
 * diagnostic and the rest of the file is still linted. With `onStatements`, each group's statements are handed over
 * as soon as they are parsed and only their spans are kept, so a 50 MB dump never holds more than one group's tree.
 */
import { isTooDeep, parsesCleanly, parseStatements, scanTokens, type RawStatement, type Token } from '../../sql/parser.js';
import type { CachedGroup } from './cache.js';
import { splitSkippable } from './skip-statements.js';
import { blankPsqlLines, SourceText } from './text.js';
import type { Diagnostic } from '../../shared/diagnostic.js';
import type { PgNode } from '../../sql/pg-node.js';

export interface ParsedStatement {
  /** The statement node, e.g. `{ CreateStmt: {…} }`. */
  node: PgNode;
  kind: string;
  startByte: number;
  endByte: number;
}

export type { Diagnostic } from '../../shared/diagnostic.js';

export interface ParsedFile {
  file: string;
  source: SourceText;
  /** With `onStatements`, spans only: `node` is an empty object (the tree was released after the callback). */
  statements: ParsedStatement[];
  diagnostics: Diagnostic[];
}

const PSQL_VARIABLE = /(^|[^:\w]):(['"]?)[A-Za-z_][A-Za-z0-9_]*\2/;

/**
 * Every byte-offset field of PostgreSQL 18's parse nodes (@pgsql/types): `location` on most, the bounds of an IN list
 * (A_Expr), of an ARRAY[…] (A_ArrayExpr, ArrayExpr) and a JSON_TABLE path name's position.
 */
const OFFSET_FIELDS = new Set(['location', 'rexpr_list_start', 'rexpr_list_end', 'list_start', 'list_end', 'name_location']);

/**
 * Node offsets of a piece parsed on its own are relative to the piece: make them file offsets. Iterative (a
 * statement's tree can be thousands of levels deep, see walkTree), in any order, and one pass over each node's keys:
 * looking up the six offset fields on every node, as a walkTree visitor did, was 0.46 s of a 10 MB dump's run.
 */
function shiftLocations(root: unknown, by: number): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const item = stack.pop();
    if (Array.isArray(item)) {
      for (const value of item) if (value !== null && typeof value === 'object') stack.push(value);
      continue;
    }
    const record = item as Record<string, unknown>;
    for (const key in record) {
      const value = record[key];
      if (typeof value === 'number') {
        if (value >= 0 && OFFSET_FIELDS.has(key)) record[key] = value + by;
      } else if (value !== null && typeof value === 'object') {
        stack.push(value);
      }
    }
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

/** Characters per parser call: big enough that any hand-written file is one call, small enough to bound memory. */
export const GROUP_CHARS = 1 << 16;

/** Merged with the following groups before a failed group is taken for a syntax error (a mis-placed group end). */
const MAX_GROUP_MERGE = 3;

const RELEASED: PgNode = Object.freeze({});

/**
 * Called with each group's statements as soon as they are parsed; `skipped` holds the spans of the statements that
 * were recognised and not parsed (skip-statements.ts), which are not for the model builder.
 */
export type GroupHandler = (group: ParsedFile, skipped: ParsedStatement[]) => void;

/** A byte-order mark is not text: dropping it keeps line 1's columns what an editor shows. */
function withoutBom(rawText: string): string {
  return rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText;
}

/** The file's span list keeps the statements and the skipped spans in text order, as one parse of the whole would. */
function keepSpans(spans: ParsedStatement[], group: ParsedStatement[], skipped: ParsedStatement[]): void {
  const merged = skipped.length ? [...group, ...skipped].sort((a, b) => a.startByte - b.startByte) : group;
  for (const s of merged) spans.push({ node: RELEASED, kind: s.kind, startByte: s.startByte, endByte: s.endByte });
}

/**
 * `skipUnread` (with `onStatements`, i.e. for the model builder only): statements no model fact reads are not parsed
 * into trees, only checked for syntax errors (skip-statements.ts) — in groups with at least `minBytes` of them
 * (default MIN_SKIPPED_BYTES; tests pass 0); when that check fails, the group is parsed the ordinary way so every
 * error is found and located as before.
 */
export function parseSqlFile(
  file: string,
  rawText: string,
  onStatements?: GroupHandler,
  groupChars = GROUP_CHARS,
  skipUnread: boolean | { minBytes: number } = false,
): ParsedFile {
  const source = new SourceText(withoutBom(rawText));
  const diagnostics: Diagnostic[] = [];
  const text = replaceNulBytes(file, source, diagnostics);
  const { text: blanked, groupEnds } = blankPsqlLines(text, groupChars);
  const bounds = [0, ...groupEnds, blanked.length];
  const statements: ParsedStatement[] = [];
  const result: ParsedFile = { file, source, statements, diagnostics };
  let baseByte = 0;
  for (let g = 0; g < bounds.length - 1; ) {
    let end = g + 1;
    let chunk = blanked.slice(bounds[g], bounds[end]);
    let split = skipUnread && onStatements ? splitSkippable(chunk, skipUnread === true ? undefined : skipUnread.minBytes) : undefined;
    let parsed = parseStatements(split ? split.kept : chunk);
    if (split && !(parsed.ok && parsesCleanly(split.skippedText))) {
      split = undefined;
      parsed = parseStatements(chunk);
    }
    // Merging with the next group mends a boundary inside a BEGIN ATOMIC body; it cannot mend a statement too deep to
    // parse, and each retry of one would cost another stack overflow (parser.ts limits how many a run may take).
    while (!parsed.ok && !isTooDeep(parsed.error) && end < bounds.length - 1 && end - g <= MAX_GROUP_MERGE) {
      end++;
      const merged = blanked.slice(bounds[g], bounds[end]);
      const retry = parseStatements(merged);
      if (retry.ok) {
        chunk = merged;
        parsed = retry;
      }
    }
    if (!parsed.ok) end = g + 1;
    const group = parsed.ok ? toStatements(parsed.stmts, baseByte) : parsePieces(file, source, chunk, baseByte, diagnostics);
    if (onStatements) {
      const skipped = (split?.spans ?? []).map((span) => ({
        node: RELEASED,
        kind: `unparsed ${span.keyword}`,
        startByte: baseByte + span.startByte,
        endByte: baseByte + span.endByte,
      }));
      onStatements({ file, source, statements: group, diagnostics }, skipped);
      keepSpans(statements, group, skipped);
    } else {
      for (const s of group) statements.push(s);
    }
    baseByte += Buffer.byteLength(chunk, 'utf8');
    g = end;
  }
  return result;
}

/**
 * A file's groups from the parse cache (cache.ts), handed over as parseSqlFile would have: the same statements,
 * diagnostics and spans, in the same order, without parsing.
 */
export function replayParsedFile(file: string, rawText: string, groups: Iterable<CachedGroup>, onStatements: GroupHandler): ParsedFile {
  const source = new SourceText(withoutBom(rawText));
  const diagnostics: Diagnostic[] = [];
  const statements: ParsedStatement[] = [];
  for (const group of groups) {
    for (const diagnostic of group.diagnostics) diagnostics.push({ file, ...diagnostic });
    const skipped = group.skipped ?? [];
    onStatements({ file, source, statements: group.statements, diagnostics }, skipped);
    keepSpans(statements, group.statements, skipped);
  }
  return { file, source, statements, diagnostics };
}

/** A group that does not parse as a whole: split at top-level semicolons, each piece parsed alone. */
function parsePieces(file: string, source: SourceText, blanked: string, baseByte: number, diagnostics: Diagnostic[]): ParsedStatement[] {
  const blankedSource = new SourceText(blanked);
  const tokens = scanTokens(blanked);
  const ranges = tokens ? splitByTokens(tokens, blankedSource.bytes.length) : splitByLines(blanked);
  const statements: ParsedStatement[] = [];
  for (const [start, end] of ranges) {
    const chunk = blankedSource.slice(start, end);
    if (chunk.trim() === '') continue;
    const parsed = parseStatements(chunk);
    if (parsed.ok) {
      statements.push(...toStatements(parsed.stmts, baseByte + start));
      continue;
    }
    const chunkSource = new SourceText(chunk);
    const errorByte =
      baseByte +
      start +
      (parsed.error.cursorPosition !== undefined ? chunkSource.byteOfCodePoint(parsed.error.cursorPosition) : chunk.search(/\S/));
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
  return statements;
}

/**
 * The parser reads a C string: text after a NUL byte would silently not be linted. PostgreSQL refuses NUL in a
 * query (`invalid byte sequence for encoding "UTF8": 0x00`), so it is a syntax error at its place; it is read as a
 * space (one byte for one, positions unchanged) so the rest of the file is still linted.
 */
function replaceNulBytes(file: string, source: SourceText, diagnostics: Diagnostic[]): string {
  const first = source.text.indexOf('\0');
  if (first < 0) return source.text;
  const count = source.text.split('\0').length - 1;
  diagnostics.push({
    file,
    ...source.positionOfByte(Buffer.byteLength(source.text.slice(0, first), 'utf8')),
    kind: 'syntax',
    message: `NUL byte (0x00)${count > 1 ? `, and ${count - 1} more in this file` : ''}: PostgreSQL does not accept it in SQL text`,
  });
  return source.text.replaceAll('\0', ' ');
}

/** Removes string literals and comments so that `':00'` inside a literal is not taken for a psql variable. */
function stripLiterals(sql: string): string {
  return sql
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/--[^\n]*/g, '')
    .replace(/\/\*[\s\S]*?\*\//g, '');
}
