/**
 * A seeded mutator of real SQL for the fuzz test: the same seed gives the same mutants on every machine, so a
 * failure is reproduced by its seed and index. Mutations are those that break a file the way editors, merges,
 * encodings and truncated downloads do: tokens deleted, inserted or duplicated, stray bytes (also invalid UTF-8),
 * NUL, CR, line terminators PostgreSQL does not know, deeply nested parentheses, cut-off files.
 */

/** mulberry32: small, fast, good enough to pick mutations; not for anything secret. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Random = () => number;

export const int = (rand: Random, min: number, max: number): number => min + Math.floor(rand() * (max - min + 1));
export const pick = <T>(rand: Random, list: readonly T[]): T => list[Math.floor(rand() * list.length)];

/** Tokens worth inserting: SQL structure, quoting and comment openers, psql syntax, odd line terminators. */
const INSERTS = [
  '(', ')', ';', ',', "'", '"', '$$', '$fn$', '/*', '*/', '--', '\\', ':var', ":'v'", 'E\'\\', 'U&"', '[', ']',
  'CREATE', 'TABLE', 'INDEX', 'ON', 'REFERENCES', 'PARTITION BY RANGE (', 'PARTITION OF', 'FOR VALUES FROM (',
  'jsonb', 'CHECK (', 'NOT VALID', 'DROP TABLE', 'ALTER TABLE', 'BEGIN ATOMIC', 'END', 'CASE', 'TRIGGER', 'DEFAULT',
  'GENERATED ALWAYS AS (', 'ONLY', 'CONCURRENTLY', 'USING gin', 'COMMENT ON', '\\i other.sql', '\\set x 1',
  '\u2028', '\u0085', '\ufeff', '\x1b[31m', '-- schema-lint-disable', '1 + ', 'NULL', 'public.', '"a""b"',
];

/** Token boundaries: words, numbers, quoted runs are not respected on purpose — a mutant may cut inside a string. */
function tokenSpans(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  const pattern = /[A-Za-z_][A-Za-z0-9_$]*|\d+|\S/g;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) spans.push([match.index, match.index + match[0].length]);
  return spans;
}

type Mutation = (rand: Random, bytes: Buffer) => { bytes: Buffer; what: string };

const cat = (...parts: Buffer[]): Buffer => Buffer.concat(parts);
const text = (value: string): Buffer => Buffer.from(value, 'utf8');

/** Works on the text view; a mutant that already holds invalid UTF-8 is mutated byte-wise instead. */
function onTokens(bytes: Buffer, change: (source: string, spans: Array<[number, number]>) => { out: string; what: string }): { bytes: Buffer; what: string } {
  const source = bytes.toString('latin1');
  const spans = tokenSpans(source);
  if (spans.length === 0) return { bytes: cat(bytes, text('(')), what: 'append (' };
  const { out, what } = change(source, spans);
  return { bytes: Buffer.from(out, 'latin1'), what };
}

const MUTATIONS: Record<string, Mutation> = {
  deleteToken: (rand, bytes) =>
    onTokens(bytes, (source, spans) => {
      const [s, e] = pick(rand, spans);
      return { out: source.slice(0, s) + source.slice(e), what: `delete token at ${s}` };
    }),
  duplicateToken: (rand, bytes) =>
    onTokens(bytes, (source, spans) => {
      const [s, e] = pick(rand, spans);
      return { out: source.slice(0, e) + ' ' + source.slice(s, e) + source.slice(e), what: `duplicate token at ${s}` };
    }),
  duplicateRange: (rand, bytes) => {
    const s = int(rand, 0, bytes.length);
    const e = Math.min(bytes.length, s + int(rand, 1, 400));
    return { bytes: cat(bytes.subarray(0, e), bytes.subarray(s, e), bytes.subarray(e)), what: `duplicate bytes ${s}-${e}` };
  },
  insertToken: (rand, bytes) => {
    const at = int(rand, 0, bytes.length);
    const token = pick(rand, INSERTS);
    return { bytes: cat(bytes.subarray(0, at), text(` ${token} `), bytes.subarray(at)), what: `insert ${JSON.stringify(token)} at ${at}` };
  },
  deleteBytes: (rand, bytes) => {
    const s = int(rand, 0, bytes.length);
    const e = Math.min(bytes.length, s + int(rand, 1, 64));
    return { bytes: cat(bytes.subarray(0, s), bytes.subarray(e)), what: `delete bytes ${s}-${e}` };
  },
  insertByte: (rand, bytes) => {
    const at = int(rand, 0, bytes.length);
    const value = int(rand, 0, 255);
    return { bytes: cat(bytes.subarray(0, at), Buffer.from([value]), bytes.subarray(at)), what: `insert byte 0x${value.toString(16)} at ${at}` };
  },
  insertNul: (rand, bytes) => {
    const at = int(rand, 0, bytes.length);
    return { bytes: cat(bytes.subarray(0, at), Buffer.from([0]), bytes.subarray(at)), what: `insert NUL at ${at}` };
  },
  carriageReturns: (rand, bytes) => {
    const mode = int(rand, 0, 2);
    const source = bytes.toString('latin1');
    const out = mode === 0 ? source.replace(/\n/g, '\r\n') : mode === 1 ? source.replace(/\n/g, '\r') : source.replace(/ /, '\r');
    return { bytes: Buffer.from(out, 'latin1'), what: ['CRLF', 'CR only', 'one stray CR'][mode] };
  },
  deepParens: (rand, bytes) =>
    onTokens(bytes, (source, spans) => {
      const [s, e] = pick(rand, spans);
      const depth = int(rand, 50, 3000);
      const close = rand() < 0.8;
      return {
        out: source.slice(0, s) + '('.repeat(depth) + source.slice(s, e) + (close ? ')'.repeat(depth) : '') + source.slice(e),
        what: `${depth} ${close ? 'balanced' : 'unclosed'} parentheses at ${s}`,
      };
    }),
  truncate: (rand, bytes) => {
    const at = int(rand, 0, bytes.length);
    return { bytes: bytes.subarray(0, at), what: `truncate at ${at}` };
  },
  swapLines: (rand, bytes) => {
    const lines = bytes.toString('latin1').split('\n');
    const a = int(rand, 0, lines.length - 1);
    const b = int(rand, 0, lines.length - 1);
    [lines[a], lines[b]] = [lines[b], lines[a]];
    return { bytes: Buffer.from(lines.join('\n'), 'latin1'), what: `swap lines ${a + 1} and ${b + 1}` };
  },
};

export const MUTATION_NAMES = Object.keys(MUTATIONS);

/** A window of `lines` lines from `source` starting at a random line: small mutants keep hundreds of runs fast. */
export function excerpt(rand: Random, source: Buffer, maxLines: number): Buffer {
  const lines = source.toString('latin1').split('\n');
  const length = int(rand, 5, maxLines);
  const start = int(rand, 0, Math.max(0, lines.length - length));
  return Buffer.from(lines.slice(start, start + length).join('\n'), 'latin1');
}

/** Applies 1–4 random mutations; returns the bytes and a description of what was done (for a failure message). */
export function mutate(rand: Random, source: Buffer): { bytes: Buffer; steps: string[] } {
  let bytes = source;
  const steps: string[] = [];
  const count = int(rand, 1, 4);
  for (let i = 0; i < count; i++) {
    const name = pick(rand, MUTATION_NAMES);
    const result = MUTATIONS[name](rand, bytes);
    bytes = result.bytes;
    steps.push(`${name}: ${result.what}`);
  }
  return { bytes, steps };
}
