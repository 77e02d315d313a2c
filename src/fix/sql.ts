/**
 * SQL text building for fixes. Every identifier goes through `quoteIdent`; nothing is concatenated unquoted.
 */
import { createHash } from 'node:crypto';
import { codePointHex, UNSAFE_CHARACTER } from '../shared/unsafe-text.js';
import { scanTokens } from '../sql/parser.js';

// PostgreSQL's own naming rules live in src/shared (DDL mode names unnamed objects with them too).
export { choosePostgresName, clipBytes, joinNameParts, makeObjectName, MAX_IDENTIFIER_BYTES } from '../shared/pg-names.js';
import { byteLength, clipBytes, MAX_IDENTIFIER_BYTES } from '../shared/pg-names.js';

const SIMPLE_IDENTIFIER = /^[a-z_][a-z0-9_$]*$/;

/** Every PostgreSQL keyword is letters and underscores (kwlist.h): a plain name with a digit or `$` needs no scan. */
const NO_KEYWORD_HAS = /[0-9$]/;

/**
 * The longest PostgreSQL keyword, `current_timestamp` (kwlist.h of the parser we ship, PostgreSQL 18): a longer plain name is no
 * keyword, so it needs no scan either. Most names of a big schema are longer, and a scan is a WebAssembly call.
 */
const LONGEST_KEYWORD = 17;

const UNSAFE_CHARACTERS = new RegExp(UNSAFE_CHARACTER.source, 'g');

function hex4(char: string): string {
  return codePointHex(char);
}

/** Quotes an identifier exactly when PostgreSQL's `quote_ident` would: not a plain lower-case name, or a keyword that is not unreserved. */
const quotedCache = new Map<string, string>();

export function quoteIdent(name: string): string {
  let quoted = quotedCache.get(name);
  if (quoted === undefined) {
    if (UNSAFE_CHARACTER.test(name)) {
      // U&"…" spells such characters as escapes, so the script holds only printable text whatever the name is; it
      // works whatever standard_conforming_strings says (that setting restricts U& strings, not identifiers).
      quoted = `U&"${name.replace(/\\/g, '\\\\').replace(/"/g, '""').replace(UNSAFE_CHARACTERS, (c) => `\\${hex4(c)}`)}"`;
    } else {
      quoted = `"${name.replace(/"/g, '""')}"`;
      if (SIMPLE_IDENTIFIER.test(name) && (name.length > LONGEST_KEYWORD || NO_KEYWORD_HAS.test(name))) quoted = name;
      else if (SIMPLE_IDENTIFIER.test(name)) {
        // The scanner knows which words are keywords: only unreserved ones may stand unquoted.
        const tokens = scanTokens(name);
        if (tokens && tokens.length === 1 && (tokens[0].tokenName === 'IDENT' || tokens[0].keywordName === 'UNRESERVED_KEYWORD')) quoted = name;
      }
    }
    quotedCache.set(name, quoted);
  }
  return quoted;
}

export function qualifiedIdent(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/**
 * A string literal. Text with a backslash or an unsafe character is written as an E'…' escape string, which means the
 * same whatever standard_conforming_strings says and keeps the script printable (PostgreSQL's quote_literal does
 * the same for backslashes).
 */
export function quoteLiteral(value: string): string {
  if (!value.includes('\\') && !UNSAFE_CHARACTER.test(value)) return `'${value.replace(/'/g, "''")}'`;
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "''")
    .replace(UNSAFE_CHARACTERS, (c) => `\\u${hex4(c)}`);
  return `E'${escaped}'`;
}

/** A dollar-quote tag that does not occur in `body`, so no text inside can end the quoted body early. */
export function dollarTag(body: string, base = 'fix'): string {
  for (let n = 0; ; n++) {
    const tag = `$${base}${n ? `_${n}` : ''}$`;
    if (!body.includes(tag)) return tag;
  }
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/**
 * Names for objects our fixes create: `parts_suffix`, and when that is longer than 63 bytes, cut and given a short
 * hash of the full name so two long names that share a prefix stay distinct. Numbered when taken.
 */
export function fixObjectName(parts: string[], suffix: string, taken: (name: string) => boolean): string {
  const natural = `${parts.join('_')}_${suffix}`;
  let base = natural;
  if (byteLength(natural) > MAX_IDENTIFIER_BYTES) {
    const tail = `_${shortHash(natural)}_${suffix}`;
    base = clipBytes(parts.join('_'), MAX_IDENTIFIER_BYTES - byteLength(tail)) + tail;
  }
  let candidate = base;
  for (let n = 1; taken(candidate); n++) {
    const number = String(n);
    candidate = byteLength(base + number) > MAX_IDENTIFIER_BYTES ? clipBytes(base, MAX_IDENTIFIER_BYTES - number.length) + number : base + number;
  }
  return candidate;
}

export function columnList(columns: string[]): string {
  return columns.map(quoteIdent).join(', ');
}
