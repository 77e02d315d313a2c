/**
 * Statements no model fact reads, recognised before parsing so their trees are never built: data (INSERT, UPDATE,
 * DELETE, COPY), privileges (GRANT, REVOKE, ALTER DEFAULT PRIVILEGES), sequence positions (`SELECT
 * pg_catalog.setval(…)`, `ALTER SEQUENCE … OWNED BY / RESTART …`) and maintenance (ANALYZE, VACUUM). A pg_dump with
 * `--inserts` or a Rails structure.sql's `schema_migrations` rows is mostly such statements, and a row list's tree is
 * many times the size of its text.
 *
 * The list must agree with applyStatement (statements.ts): a kind it reads is never skipped. So INSERT INTO
 * part_config and `SELECT create_parent(…)` (pg_partman, partman.ts) and `SELECT set_config('search_path', …)` are
 * kept, COMMENT ON is kept (the model holds table, column, index and constraint comments, as live mode does), and
 * ALTER SEQUENCE is skipped only when it cannot be a RENAME, SET SCHEMA or OWNER TO (other statement kinds that the
 * builder reads). test/skip-statements.test.ts checks each skipped form against applyStatement.
 *
 * Skipping must not hide a syntax error: parse-file.ts hands the skipped text to the parser's normalize function
 * (which runs the whole grammar but builds no JavaScript tree) and parses the group the ordinary way when that fails,
 * so errors are found and located exactly as before.
 *
 * On by default (load-ddl.ts `skipUnread`). Measured on 2026-12-01, a 146 KB INSERT of 3,000 rows: parseSync 26 ms,
 * fingerprintSync 18 ms (it hashes the whole tree: the first version checked with it and did not pay), normalizeSync
 * 9 ms. A Rails structure.sql plus 7 MB of INSERTs, whole CLI run: 2.8-3.1 s CPU parsing everything, 2.0-2.35 s
 * skipping; the reports of every corpus schema are byte-identical either way (bench/compare-corpus.mjs).
 */

export interface SkippedSpan {
  /** UTF-8 byte offsets in the group's text: the first token to the `;` (exclusive, as the parser's stmt_len). */
  startByte: number;
  endByte: number;
  /** What was recognised, e.g. `INSERT`. */
  keyword: string;
}

export interface SkipSplit {
  /** The group with the skipped statements blanked (same length in UTF-8 bytes, newlines kept). */
  kept: string;
  /** Only the skipped statements, everything else blanked: parsed for syntax errors, never for trees. */
  skippedText: string;
  spans: SkippedSpan[];
}

const ALWAYS = new Set(['GRANT', 'REVOKE', 'INSERT', 'UPDATE', 'DELETE', 'COPY', 'ANALYZE', 'VACUUM']);

/** Whether a statement that starts with `keyword` (its text from the first token to its `;`) can be skipped. */
export function isSkippable(keyword: string, text: string): boolean {
  if (ALWAYS.has(keyword)) return !(keyword === 'INSERT' && /part_config/i.test(text));
  if (keyword === 'ALTER') {
    if (/^ALTER\s+DEFAULT\s+PRIVILEGES\b/i.test(text)) return true;
    // RENAME, SET SCHEMA, OWNER TO and SET (UN)LOGGED are other statement kinds; OWNED BY, RESTART, … are AlterSeqStmt.
    return /^ALTER\s+SEQUENCE\b/i.test(text) && !/\b(RENAME|SCHEMA|OWNER|LOGGED|UNLOGGED)\b/i.test(text);
  }
  if (keyword === 'SELECT') {
    return /^SELECT\s+(pg_catalog\s*\.\s*)?setval\s*\(/i.test(text) && !/set_config|create_parent/i.test(text);
  }
  return false;
}

const enum State {
  Code,
  Single,
  EscapeString,
  Identifier,
  Dollar,
  LineComment,
  BlockComment,
}

function isIdentStart(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c >= 0x80;
}

function isIdentChar(c: number): boolean {
  return isIdentStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x24;
}

function utf8Length(c: number): number {
  // A surrogate half counts 2: the pair is one 4-byte character.
  return c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdfff ? 2 : 3;
}

function blank(text: string): string {
  // Each character becomes as many spaces as it has UTF-8 bytes, so byte offsets after it stay the same.
  return text.replace(/[^\n]+/g, (run) => ' '.repeat(Buffer.byteLength(run, 'utf8')));
}

/**
 * Skipping pays only for big statements. Checking the skipped text with the normalize function costs about a third
 * of parsing it, the first call of a process warms that part of the parser's WebAssembly, and finding statement ends costs a
 * pass over the text: for a group's few GRANTs or `ALTER SEQUENCE … OWNED BY`s (pg_dump's, Rails') parsing them is
 * cheaper. So only a group with at least this many bytes of skippable statements is split; smaller ones are parsed.
 */
export const MIN_SKIPPED_BYTES = 16 * 1024;

/** A line that starts a data statement (the big ones): groups without one are never scanned. */
const DATA_STATEMENT_LINE = /^[ \t]*(?:INSERT|UPDATE|DELETE|COPY)\b/im;

/**
 * Splits a group of statements (psql lines already blanked) into what is parsed and what is only checked. Statement
 * ends are `;` in plain code outside `BEGIN ATOMIC … END` bodies, as the parser sees them. Undefined when nothing in
 * the group can be skipped (the common case for DDL: no copy is made).
 */
export function splitSkippable(chunk: string, minSkippedBytes = MIN_SKIPPED_BYTES): SkipSplit | undefined {
  // Most groups hold no data statement at all: a native regex says so without the character loop below (the other
  // kinds are small: alone they never reach a threshold).
  if (minSkippedBytes > 0 && !DATA_STATEMENT_LINE.test(chunk)) return undefined;
  const units: Array<{ startChar: number; endChar: number; startByte: number; endByte: number; keyword: string }> = [];
  let state = State.Code;
  let dollarTag = '';
  let commentDepth = 0;
  let byte = 0;
  let atomicDepth = 0;
  let previousWord = '';
  // The current statement's first word and where it starts.
  let firstWord = '';
  let firstChar = -1;
  let firstByte = -1;
  const length = chunk.length;
  for (let i = 0; i < length; ) {
    const c = chunk.charCodeAt(i);
    switch (state) {
      case State.Code: {
        if (isIdentStart(c)) {
          const startChar = i;
          const startByte = byte;
          while (i < length && isIdentChar(chunk.charCodeAt(i))) byte += utf8Length(chunk.charCodeAt(i++));
          const word = chunk.slice(startChar, i).toUpperCase();
          if (firstChar < 0) {
            firstWord = word;
            firstChar = startChar;
            firstByte = startByte;
          }
          if (previousWord === 'BEGIN' && word === 'ATOMIC') atomicDepth++;
          else if (atomicDepth > 0 && word === 'CASE') atomicDepth++;
          else if (atomicDepth > 0 && word === 'END') atomicDepth--;
          previousWord = word;
          // A quote right after E/e (not part of a longer word) opens an escape string.
          if (word === 'E' && chunk.charCodeAt(i) === 0x27) {
            state = State.EscapeString;
            byte++;
            i++;
          }
          continue;
        }
        if (firstChar < 0 && c !== 0x20 && c !== 0x0a && c !== 0x09 && c !== 0x0d && !(c === 0x2d && chunk.charCodeAt(i + 1) === 0x2d) && !(c === 0x2f && chunk.charCodeAt(i + 1) === 0x2a)) {
          // A statement that starts with something other than a word (`(SELECT …)`): never skipped.
          firstWord = '';
          firstChar = i;
          firstByte = byte;
        }
        if (c === 0x2d && chunk.charCodeAt(i + 1) === 0x2d) {
          state = State.LineComment;
        } else if (c === 0x2f && chunk.charCodeAt(i + 1) === 0x2a) {
          state = State.BlockComment;
          commentDepth = 1;
          byte += 2;
          i += 2;
          continue;
        } else if (c === 0x27) {
          state = State.Single;
        } else if (c === 0x22) {
          state = State.Identifier;
        } else if (c === 0x24) {
          const tag = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(chunk.slice(i, i + 200));
          if (tag) {
            dollarTag = tag[0];
            state = State.Dollar;
            byte += Buffer.byteLength(tag[0], 'utf8');
            i += tag[0].length;
            continue;
          }
        } else if (c === 0x3b && atomicDepth === 0) {
          if (firstChar >= 0) {
            units.push({ startChar: firstChar, endChar: i + 1, startByte: firstByte, endByte: byte + 1, keyword: firstWord });
          }
          firstChar = -1;
          firstWord = '';
          previousWord = '';
        }
        break;
      }
      case State.Single:
      case State.Identifier: {
        const quote = state === State.Single ? 0x27 : 0x22;
        if (c === quote) {
          if (chunk.charCodeAt(i + 1) === quote) {
            byte += 2;
            i += 2;
            continue;
          }
          state = State.Code;
        }
        break;
      }
      case State.EscapeString:
        if (c === 0x5c) {
          byte += 1 + utf8Length(chunk.charCodeAt(i + 1));
          i += 2;
          continue;
        }
        if (c === 0x27) {
          if (chunk.charCodeAt(i + 1) === 0x27) {
            byte += 2;
            i += 2;
            continue;
          }
          state = State.Code;
        }
        break;
      case State.Dollar:
        if (c === 0x24 && chunk.startsWith(dollarTag, i)) {
          byte += Buffer.byteLength(dollarTag, 'utf8');
          i += dollarTag.length;
          state = State.Code;
          continue;
        }
        break;
      case State.LineComment:
        if (c === 0x0a) state = State.Code;
        break;
      case State.BlockComment:
        if (c === 0x2f && chunk.charCodeAt(i + 1) === 0x2a) {
          commentDepth++;
          byte += 2;
          i += 2;
          continue;
        }
        if (c === 0x2a && chunk.charCodeAt(i + 1) === 0x2f) {
          byte += 2;
          i += 2;
          if (--commentDepth === 0) state = State.Code;
          continue;
        }
        break;
    }
    byte += utf8Length(c);
    i++;
  }

  const skipped = units.filter((unit) => isSkippable(unit.keyword, chunk.slice(unit.startChar, unit.endChar)));
  if (skipped.reduce((sum, unit) => sum + unit.endByte - unit.startByte, 0) < minSkippedBytes) return undefined;
  let kept = '';
  let skippedText = '';
  let at = 0;
  for (const unit of skipped) {
    const before = chunk.slice(at, unit.startChar);
    const statement = chunk.slice(unit.startChar, unit.endChar);
    kept += before + blank(statement);
    skippedText += blank(before) + statement;
    at = unit.endChar;
  }
  kept += chunk.slice(at);
  skippedText += blank(chunk.slice(at));
  return {
    kept,
    skippedText,
    spans: skipped.map((unit) => ({ startByte: unit.startByte, endByte: unit.endByte - 1, keyword: unit.keyword })),
  };
}
