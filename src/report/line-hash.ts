/**
 * GitHub's `primaryLocationLineHash`: the rolling line hash that `github/codeql-action/upload-sarif` fills in for
 * results that lack one. We compute it ourselves so that uploads through the REST API (or any CI) match what
 * upload-sarif would compute, and so that the action never logs "inconsistent fingerprint" warnings.
 *
 * Behaviour (research/sarif.md §4), reimplemented from that description and checked against
 * `shared/sarif/primary-location-line-hash-vectors.json`:
 * - a polynomial rolling hash, base 37, modulo 2^64, over a window of 100 UTF-16 code units;
 * - spaces and tabs are not hashed at all; CR and CRLF count as one LF;
 * - a line's hash is the hash of the window that starts at the line's first hashed character, so it looks ahead
 *   into the following lines; an end-of-file marker (U+FFFF) and zero padding close the text;
 * - the output is `<unsigned hex>:<n>`, n counting earlier lines of the file with the same hex value.
 *
 * The 64-bit state is kept as two uint32 halves in plain numbers: every multiplier is below 2^17, so each partial
 * product stays below 2^49 and is exact in a double. That is several times faster than BigInt on a large dump.
 */

const WINDOW = 100;
const BASE = 37;
const END_OF_FILE = 0xffff;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TWO_32 = 0x1_0000_0000;

/** BASE^WINDOW mod 2^64 as uint32 halves: the weight of the character that leaves the window. */
const [LEAVING_HI, LEAVING_LO] = (() => {
  let hi = 0;
  let lo = 1;
  for (let i = 0; i < WINDOW; i++) {
    const low = lo * BASE;
    const carry = Math.floor(low / TWO_32);
    lo = low - carry * TWO_32;
    hi = (hi * BASE + carry) % TWO_32;
  }
  return [hi, lo];
})();

function toHex(hi: number, lo: number): string {
  if (hi === 0) return lo.toString(16);
  return hi.toString(16) + lo.toString(16).padStart(8, '0');
}

/**
 * Runs the rolling hash over `text` and reports each line's hash in line order. Stops once line `lastLine` has been
 * reported, because a line's `:n` suffix depends only on the lines before it.
 */
function rollLineHashes(text: string, lastLine: number, report: (hash: string) => void): void {
  const window = new Uint16Array(WINDOW);
  // Which line starts at each window slot (0 = none): its hash is reported once the whole window has rolled in.
  const lineAtSlot = new Uint32Array(WINDOW);
  const seen = new Map<string, number>();
  let hi = 0;
  let lo = 0;
  let slot = 0;
  let atLineStart = true;
  let afterCR = false;
  let lineCount = 0;
  let reported = 0;

  /** Returns true when enough lines have been reported. */
  const reportSlot = (): boolean => {
    const hex = toHex(hi, lo);
    const n = (seen.get(hex) ?? 0) + 1;
    seen.set(hex, n);
    lineAtSlot[slot] = 0;
    report(`${hex}:${n}`);
    return ++reported >= lastLine;
  };

  // hash = hash * BASE + code - LEAVING * leaving (mod 2^64), low half first. Both intermediate values stay within
  // ±2^49, so the arithmetic is exact, and the floor division carries (or borrows) into the high half.
  const roll = (code: number): void => {
    const leaving = window[slot];
    window[slot] = code;
    const low = lo * BASE + code - LEAVING_LO * leaving;
    const carry = Math.floor(low / TWO_32);
    lo = low - carry * TWO_32;
    const high = hi * BASE + carry - LEAVING_HI * leaving;
    hi = high - Math.floor(high / TWO_32) * TWO_32;
    slot = slot === WINDOW - 1 ? 0 : slot + 1;
  };

  /** Returns true when enough lines have been reported. */
  const consume = (code: number): boolean => {
    if (code === SPACE || code === TAB || (afterCR && code === LF)) {
      afterCR = false;
      return false;
    }
    afterCR = code === CR;
    if (afterCR) code = LF;
    if (lineAtSlot[slot] !== 0 && reportSlot()) return true;
    if (atLineStart) {
      atLineStart = false;
      lineAtSlot[slot] = ++lineCount;
    }
    if (code === LF) atLineStart = true;
    roll(code);
    return false;
  };

  for (let i = 0; i < text.length; i++) {
    if (consume(text.charCodeAt(i))) return;
  }
  if (consume(END_OF_FILE)) return;
  // Pad with zeros so the lines still in the window get a full window each.
  for (let i = 0; i < WINDOW; i++) {
    if (lineAtSlot[slot] !== 0 && reportSlot()) return;
    roll(0);
  }
}

/**
 * The `primaryLocationLineHash` of every line of a file: line i (1-based) at index i - 1. `fileText` is the file
 * decoded as UTF-8 with a leading BOM kept, as upload-sarif reads it. A trailing newline yields one more, empty,
 * line.
 */
export function computeLineHashes(fileText: string): string[] {
  const hashes: string[] = [];
  rollLineHashes(fileText, Number.POSITIVE_INFINITY, (hash) => hashes.push(hash));
  return hashes;
}

/** The `primaryLocationLineHash` of one 1-based line, or undefined when the file has fewer lines. */
export function computeLineHash(fileText: string, line: number): string | undefined {
  if (!Number.isInteger(line) || line < 1) return undefined;
  let last: string | undefined;
  let count = 0;
  rollLineHashes(fileText, line, (hash) => {
    last = hash;
    count++;
  });
  return count === line ? last : undefined;
}
