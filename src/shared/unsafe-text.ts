/**
 * Text from a schema (names, expressions, file paths) is attacker-controlled: a table can be named anything. These
 * helpers keep it inert wherever it is shown — a terminal, a SQL comment, an annotation.
 */

/**
 * Characters that must never reach a script or a terminal raw: C0 and C1 controls, DEL, Unicode line and paragraph
 * separators, bidirectional controls (they reorder what a reviewer sees: "Trojan Source") and the BOM. PostgreSQL and
 * psql end a `--` comment at CR as well as LF, so a raw CR in a name could turn the rest of a comment into SQL.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is what this pattern is for
export const UNSAFE_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;
const UNSAFE_CHARACTERS = new RegExp(UNSAFE_CHARACTER.source, 'g');

/** Every line terminator PostgreSQL, psql or a Unicode-aware viewer honours. */
// eslint-disable-next-line no-control-regex -- vertical tab and form feed are line terminators to a viewer
export const LINE_TERMINATORS = /\r\n|[\n\r\u000b\u000c\u0085\u2028\u2029]/;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function codePointHex(char: string, width = 4): string {
  // Called with one character, never an empty string.
  return (char.codePointAt(0) ?? 0).toString(16).padStart(width, '0');
}

/** Shows unsafe characters as escapes (`\x1b`, `\r`, `\u2028`); everything else is unchanged. */
export function escapeControl(text: string): string {
  if (!UNSAFE_CHARACTER.test(text)) return text;
  return text.replace(UNSAFE_CHARACTERS, (char) => {
    const code = char.codePointAt(0) ?? 0;
    return NAMED[char] ?? (code <= 0xff ? `\\x${codePointHex(char, 2)}` : `\\u${codePointHex(char)}`);
  });
}

/** Text as lines, split at every line terminator, each line escaped: safe to prefix with `-- ` or print. */
export function safeLines(text: string): string[] {
  return text.split(LINE_TERMINATORS).map(escapeControl);
}
