/**
 * The one place that talks to libpg-query. `loadParser()` must be awaited once before any other call;
 * after it, everything is synchronous.
 */
import { loadModule, normalizeSync, parsePlPgSQLSync, parseSync, scanSync } from 'libpg-query';
import { isStackOverflow } from './walk-tree.js';
import type { PlpgsqlParseResult } from './plpgsql-tree.js';
import type { PgNode } from './pg-node.js';

let loaded: Promise<void> | undefined;
let ready = false;

export function loadParser(): Promise<void> {
  loaded ??= loadModule().then(() => {
    ready = true;
  });
  return loaded;
}

function ensureReady(): void {
  if (!ready) throw new Error('internal: loadParser() was not awaited before parsing');
}

export interface RawStatement {
  stmt: PgNode;
  /** UTF-8 byte offset of the first token (absent in the tree for 0). */
  stmt_location?: number;
  stmt_len?: number;
}

export interface ParseFailure {
  message: string;
  /** 0-based code-point index into the parsed text, when the parser gave one. */
  cursorPosition?: number;
}

/**
 * The WebAssembly parser recurses once per tree level on the JavaScript stack and overflows at roughly 7,000-9,000
 * levels (a `1 + 1 + …` chain of that many terms), where PostgreSQL with its default max_stack_depth already stops
 * at about 4,000. An overflow unwinds through the module's C code without its cleanup, and after a few dozen of them
 * the module's memory is corrupt (measured: 'null function or function signature mismatch' after ~29). So after a
 * handful the parser is not called again: the run still ends with a located error rather than a wrong model. DDL mode
 * parses statements in groups and a group that fails is parsed again statement by statement, so one deep statement can
 * cost two overflows: 12 lets six such statements be located, well below the ~29 where the module breaks.
 */
const MAX_STACK_OVERFLOWS = 12;
let stackOverflows = 0;

const TOO_DEEP =
  'statement is nested too deeply to parse (the parser ran out of stack); PostgreSQL itself loads it only with a raised max_stack_depth';

/** The parser gave up on nesting depth (not a syntax error that more or less text could change). */
export function isTooDeep(error: ParseFailure): boolean {
  return error.message.startsWith(TOO_DEEP);
}

export function parseStatements(sql: string): { ok: true; stmts: RawStatement[] } | { ok: false; error: ParseFailure } {
  ensureReady();
  if (sql.length === 0) return { ok: true, stmts: [] };
  if (stackOverflows >= MAX_STACK_OVERFLOWS) {
    return { ok: false, error: { message: `${TOO_DEEP}; parsing stopped after ${MAX_STACK_OVERFLOWS} such statements` } };
  }
  try {
    const tree = parseSync(sql) as { stmts?: RawStatement[] };
    return { ok: true, stmts: tree.stmts ?? [] };
  } catch (error) {
    if (error instanceof RangeError && isStackOverflow(error)) {
      stackOverflows++;
      return { ok: false, error: { message: TOO_DEEP } };
    }
    const details = (error as { sqlDetails?: { message?: string; cursorPosition?: number } }).sqlDetails;
    return {
      ok: false,
      error: { message: details?.message ?? String((error as { message?: unknown } | undefined)?.message ?? error), cursorPosition: details?.cursorPosition },
    };
  }
}

/**
 * Whether `sql` parses, without building its tree in JavaScript: the normalize function runs PostgreSQL's full
 * grammar in the WebAssembly module and returns only the text with constants replaced. DDL mode checks statements
 * it does not need the trees of (skip-statements.ts) this way. Measured on a 146 KB INSERT of 3,000 rows: parse
 * 26 ms, fingerprint 18 ms (it hashes the whole tree), normalize 9 ms. A stack overflow counts toward the same limit
 * as in parseStatements.
 */
export function parsesCleanly(sql: string): boolean {
  ensureReady();
  if (stackOverflows >= MAX_STACK_OVERFLOWS) return false;
  try {
    normalizeSync(sql);
    return true;
  } catch (error) {
    if (error instanceof RangeError && isStackOverflow(error)) stackOverflows++;
    return false;
  }
}

export interface Token {
  start: number;
  end: number;
  text: string;
  tokenName: string;
  keywordName: string;
}

/** Tokens with UTF-8 byte offsets; undefined when the text does not even scan (an unterminated quote). */
export function scanTokens(sql: string): Token[] | undefined {
  ensureReady();
  try {
    return (scanSync(sql) as unknown as { tokens: Token[] }).tokens;
  } catch {
    return undefined;
  }
}

/** The PL/pgSQL tree of a `CREATE FUNCTION … LANGUAGE plpgsql` or `DO` statement; undefined when it does not parse. */
export function parsePlpgsql(sql: string): PlpgsqlParseResult | undefined {
  ensureReady();
  try {
    return parsePlPgSQLSync(sql) as unknown as PlpgsqlParseResult;
  } catch {
    return undefined;
  }
}
