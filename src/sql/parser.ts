/**
 * The one place that talks to libpg-query. `loadParser()` must be awaited once before any other call;
 * after it, everything is synchronous.
 */
import { loadModule, parsePlPgSQLSync, parseSync, scanSync } from 'libpg-query';

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
  stmt: Record<string, unknown>;
  /** UTF-8 byte offset of the first token (absent in the tree for 0). */
  stmt_location?: number;
  stmt_len?: number;
}

export interface ParseFailure {
  message: string;
  /** 0-based code-point index into the parsed text, when the parser gave one. */
  cursorPosition?: number;
}

export function parseStatements(sql: string): { ok: true; stmts: RawStatement[] } | { ok: false; error: ParseFailure } {
  ensureReady();
  if (sql.length === 0) return { ok: true, stmts: [] };
  try {
    const tree = parseSync(sql) as { stmts?: RawStatement[] };
    return { ok: true, stmts: tree.stmts ?? [] };
  } catch (error) {
    const details = (error as { sqlDetails?: { message?: string; cursorPosition?: number } }).sqlDetails;
    return {
      ok: false,
      error: { message: details?.message ?? String((error as Error).message ?? error), cursorPosition: details?.cursorPosition },
    };
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
export function parsePlpgsql(sql: string): Record<string, any> | undefined {
  ensureReady();
  try {
    return parsePlPgSQLSync(sql) as unknown as Record<string, any>;
  } catch {
    return undefined;
  }
}
