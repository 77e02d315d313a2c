/**
 * PostgreSQL's rules for naming objects: NAMEDATALEN, byte-wise clipping, makeObjectName, ChooseRelationName. DDL mode
 * names unnamed constraints and indexes with them, and fixes name new objects with them, so both import from here.
 */

/** PostgreSQL's NAMEDATALEN - 1: the longest identifier in bytes. */
export const MAX_IDENTIFIER_BYTES = 63;

export function byteLength(text: string): number {
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

