/**
 * Positions in SQL text. libpg-query gives UTF-8 byte offsets (and code-point indexes for parse errors); reports
 * need 1-based lines and 1-based UTF-16 columns (SARIF's default). All conversions live here.
 */
export interface Position {
  line: number;
  column: number;
}

export class SourceText {
  readonly bytes: Buffer;
  private readonly lineStartBytes: number[] = [0];

  constructor(readonly text: string) {
    this.bytes = Buffer.from(text, 'utf8');
    for (let i = 0; i < this.bytes.length; i++) {
      if (this.bytes[i] === 0x0a) this.lineStartBytes.push(i + 1);
    }
  }

  /** Position of a UTF-8 byte offset. */
  positionOfByte(byteOffset: number): Position {
    const offset = Math.max(0, Math.min(byteOffset, this.bytes.length));
    let low = 0;
    let high = this.lineStartBytes.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStartBytes[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    const lineStart = this.lineStartBytes[low];
    const column = this.bytes.subarray(lineStart, offset).toString('utf8').length + 1;
    return { line: low + 1, column };
  }

  /** Byte offset of a 0-based code-point index (how libpg-query reports parse-error positions). */
  byteOfCodePoint(index: number): number {
    let bytes = 0;
    let count = 0;
    for (const char of this.text) {
      if (count === index) break;
      bytes += Buffer.byteLength(char, 'utf8');
      count++;
    }
    return bytes;
  }

  slice(startByte: number, endByte: number): string {
    return this.bytes.subarray(startByte, endByte).toString('utf8');
  }

  /**
   * End (exclusive byte offset) of the token that starts at `startByte`: a quoted identifier or string, or a run of
   * identifier characters. Used for tight regions (a column name, not a whole CREATE TABLE).
   */
  tokenEnd(startByte: number): number {
    const bytes = this.bytes;
    const first = bytes[startByte];
    if (first === 0x22 || first === 0x27) {
      let i = startByte + 1;
      while (i < bytes.length) {
        if (bytes[i] === first) {
          if (bytes[i + 1] === first) i += 2;
          else return i + 1;
        } else i++;
      }
      return bytes.length;
    }
    let i = startByte;
    // Identifier characters: ASCII letters, digits, _ and $, and any non-ASCII byte (PostgreSQL allows those in names).
    while (i < bytes.length) {
      const b = bytes[i];
      const isWord = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x5f || b === 0x24 || b >= 0x80;
      if (!isWord) break;
      i++;
    }
    return i === startByte ? Math.min(startByte + 1, bytes.length) : i;
  }
}

const META_COMMAND = /^[ \t]*\\/;
const COPY_FROM_STDIN = /^\s*COPY\s[^;]*\sFROM\s+stdin\b[^;]*;\s*$/i;

function blankLine(line: string): string {
  // Each character becomes as many spaces as it has UTF-8 bytes, so every byte offset after it stays the same.
  return ' '.repeat(Buffer.byteLength(line, 'utf8'));
}

type LexState = 'code' | 'single' | 'escape-string' | 'identifier' | 'dollar' | 'block-comment';

const IDENT_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_TAG = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/;

interface Lexer {
  state: LexState;
  dollarTag: string;
  depth: number;
}

/**
 * Advances the lexer over one line (without its newline), tracking strings, quoted names, dollar-quoted bodies and
 * block comments: psql treats a backslash at a line start as a meta-command only in plain code, so a line inside
 * `"k\n\\! id"` is part of a quoted name, not a command.
 */
function lexLine(line: string, lexer: Lexer): void {
  // Jumps from one character that can change the state to the next (a dump is mostly plain code and long strings):
  // a character-by-character walk was a tenth of a 10 MB dump's run time.
  let i = 0;
  while (i < line.length) {
    switch (lexer.state) {
      case 'code': {
        CODE_SPECIAL.lastIndex = i;
        const found = CODE_SPECIAL.exec(line);
        if (!found) return;
        i = found.index;
        const c = line[i];
        if (c === '-') {
          if (line[i + 1] === '-') return;
        } else if (c === '/') {
          if (line[i + 1] === '*') {
            lexer.state = 'block-comment';
            lexer.depth = 1;
            i++;
          }
        } else if (c === "'") {
          const prefix = line[i - 1];
          lexer.state = (prefix === 'e' || prefix === 'E') && !IDENT_CHAR.test(line[i - 2] ?? ' ') ? 'escape-string' : 'single';
        } else if (c === '"') {
          lexer.state = 'identifier';
        } else if (!IDENT_CHAR.test(line[i - 1] ?? ' ')) {
          const tag = DOLLAR_TAG.exec(line.slice(i, i + 200));
          if (tag) {
            lexer.dollarTag = tag[0];
            lexer.state = 'dollar';
            i += tag[0].length - 1;
          }
        }
        i++;
        break;
      }
      case 'single':
      case 'identifier': {
        const quote = lexer.state === 'single' ? "'" : '"';
        const at = line.indexOf(quote, i);
        if (at < 0) return;
        if (line[at + 1] === quote) i = at + 2;
        else {
          lexer.state = 'code';
          i = at + 1;
        }
        break;
      }
      case 'escape-string': {
        ESCAPE_SPECIAL.lastIndex = i;
        const found = ESCAPE_SPECIAL.exec(line);
        if (!found) return;
        const at = found.index;
        if (line[at] === '\\') i = at + 2;
        else if (line[at + 1] === "'") i = at + 2;
        else {
          lexer.state = 'code';
          i = at + 1;
        }
        break;
      }
      case 'dollar': {
        const at = line.indexOf(lexer.dollarTag, i);
        if (at < 0) return;
        i = at + lexer.dollarTag.length;
        lexer.state = 'code';
        break;
      }
      case 'block-comment': {
        COMMENT_SPECIAL.lastIndex = i;
        const found = COMMENT_SPECIAL.exec(line);
        if (!found) return;
        const at = found.index;
        if (line[at] === '/') lexer.depth++;
        else if (--lexer.depth === 0) lexer.state = 'code';
        i = at + 2;
        break;
      }
    }
  }
}

/** Where the lexer looks next: characters that may start a comment, string, quoted name or dollar quote. */
const CODE_SPECIAL = /[-/'"$]/g;
const ESCAPE_SPECIAL = /[\\']/g;
const COMMENT_SPECIAL = /\/\*|\*\//g;

/**
 * Blanks what psql reads but the server never sees: meta-command lines (`\set`, `\connect`, `\restrict`, …) and the
 * data lines of `COPY … FROM stdin` up to `\.`. Line numbers and byte offsets are kept. A line that starts inside a
 * string, quoted name, dollar-quoted body or comment is SQL text, whatever it starts with.
 */
export function blankPsqlLines(text: string, groupChars = Infinity): { text: string; blankedLines: number[]; groupEnds: number[] } {
  const lines = text.split('\n');
  const blankedLines: number[] = [];
  // Offsets (in the blanked text) of line ends after which a new group of statements may start: a line that ends
  // in plain code with `;`, at least `groupChars` after the previous group end. Big files are parsed group by group.
  const groupEnds: number[] = [];
  let offset = 0;
  let groupStart = 0;
  const lexer: Lexer = { state: 'code', dollarTag: '', depth: 0 };
  let inCopyData = false;
  for (let i = 0; i < lines.length; offset += lines[i].length + 1, i++) {
    const line = lines[i];
    if (inCopyData) {
      if (line.replace(/\r$/, '') === '\\.') inCopyData = false;
      lines[i] = blankLine(line);
      continue;
    }
    const code = lexer.state === 'code';
    if (code && META_COMMAND.test(line)) {
      lines[i] = blankLine(line);
      blankedLines.push(i + 1);
      continue;
    }
    if (code && COPY_FROM_STDIN.test(line)) {
      inCopyData = true;
      continue;
    }
    lexLine(line, lexer);
    if (offset + line.length - groupStart >= groupChars && lexer.state === 'code' && STATEMENT_END.test(line)) {
      groupStart = offset + line.length + 1;
      if (groupStart < text.length) groupEnds.push(groupStart);
    }
  }
  return { text: lines.join('\n'), blankedLines, groupEnds };
}

/** A line whose code ends a statement (a `;` last, before blanks or a `--` comment without quotes in it). */
const STATEMENT_END = /;[ \t\r]*(--[^'"\n]*)?$/;
