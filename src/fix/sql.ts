/**
 * SQL text building for fixes. Every identifier goes through `quoteIdent`; nothing is concatenated unquoted.
 */
import { createHash } from 'node:crypto';
import { codePointHex, UNSAFE_CHARACTER } from '../shared/unsafe-text.js';
import { scanTokens } from '../sql/parser.js';

/** PostgreSQL's NAMEDATALEN - 1: the longest identifier in bytes. */
export const MAX_IDENTIFIER_BYTES = 63;

const SIMPLE_IDENTIFIER = /^[a-z_][a-z0-9_$]*$/;

/** Every PostgreSQL keyword is letters and underscores (kwlist.h): a plain name with a digit or `$` needs no scan. */
const NO_KEYWORD_HAS = /[0-9$]/;

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
      if (SIMPLE_IDENTIFIER.test(name) && NO_KEYWORD_HAS.test(name)) quoted = name;
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

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Cuts a string to at most `maxBytes` UTF-8 bytes without splitting a character (PostgreSQL's pg_mbcliplen). */
export function clipBytes(text: string, maxBytes: number): string {
  if (byteLength(text) <= maxBytes) return text;
  let result = '';
  let used = 0;
  for (const char of text) {
    const size = byteLength(char);
    if (used + size > maxBytes) break;
    result += char;
    used += size;
  }
  return result;
}

/**
 * PostgreSQL's makeObjectName: `name1[_name2][_label]`, shortening the longer of name1/name2 one byte at a time
 * until the whole fits in 63 bytes.
 */
export function makeObjectName(name1: string, name2: string | undefined, label: string | undefined): string {
  let overhead = 0;
  if (label) overhead += byteLength(label) + 1;
  if (name2) overhead += 1;
  let name1Bytes = byteLength(name1);
  let name2Bytes = name2 ? byteLength(name2) : 0;
  const available = MAX_IDENTIFIER_BYTES - overhead;
  while (name1Bytes + name2Bytes > available) {
    if (name1Bytes > name2Bytes) name1Bytes--;
    else name2Bytes--;
  }
  let result = clipBytes(name1, name1Bytes);
  if (name2) result += '_' + clipBytes(name2, name2Bytes);
  if (label) result += '_' + label;
  return result;
}

/**
 * PostgreSQL's ChooseRelationName / ChooseConstraintName: the natural name, else the label numbered (`label1`,
 * `label2`, …) until `taken` says no.
 */
export function choosePostgresName(
  name1: string,
  name2: string | undefined,
  label: string,
  taken: (name: string) => boolean,
): string {
  let candidate = makeObjectName(name1, name2, label);
  for (let pass = 1; taken(candidate); pass++) candidate = makeObjectName(name1, name2, `${label}${pass}`);
  return candidate;
}

/** PostgreSQL joins column names for an index or constraint name, and stops before the joined text would exceed NAMEDATALEN. */
export function joinNameParts(parts: string[]): string {
  let result = '';
  for (const part of parts) {
    const next = result ? `${result}_${part}` : part;
    if (byteLength(next) >= MAX_IDENTIFIER_BYTES + 1) break;
    result = next;
  }
  return result;
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
