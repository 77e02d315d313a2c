/**
 * Names for new partitions in the style the existing ones use: each sibling's name is searched for its own lower
 * bound rendered in a known date format (`2026_01`, `20260101`, `y2026m01`, `2026_q1`, …); the prefix and suffix
 * around it, in the most common shape, make the new names.
 */
import { fixObjectName } from '../../src/fix/sql.js';
import type { PartitionInterval } from './time.js';

interface DateFormat {
  id: string;
  /** The coarsest interval the format can tell apart. */
  granularity: PartitionInterval;
  render(ms: number): string;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
const parts = (ms: number): { y: string; m: string; d: string; q: number } => {
  const date = new Date(ms);
  return { y: pad(date.getUTCFullYear(), 4), m: pad(date.getUTCMonth() + 1), d: pad(date.getUTCDate()), q: Math.floor(date.getUTCMonth() / 3) + 1 };
};

/** Most specific first: a day format must win over the month format that is its prefix. */
const FORMATS: DateFormat[] = [
  { id: 'yyyy_mm_dd', granularity: 'day', render: (ms) => { const p = parts(ms); return `${p.y}_${p.m}_${p.d}`; } },
  { id: 'yyyymmdd', granularity: 'day', render: (ms) => { const p = parts(ms); return `${p.y}${p.m}${p.d}`; } },
  { id: 'yyyy_mm', granularity: 'month', render: (ms) => { const p = parts(ms); return `${p.y}_${p.m}`; } },
  { id: 'yyyymm', granularity: 'month', render: (ms) => { const p = parts(ms); return `${p.y}${p.m}`; } },
  { id: 'yYYYYmMM', granularity: 'month', render: (ms) => { const p = parts(ms); return `y${p.y}m${p.m}`; } },
  { id: 'yyyy_qN', granularity: 'quarter', render: (ms) => { const p = parts(ms); return `${p.y}_q${p.q}`; } },
  { id: 'yyyyqN', granularity: 'quarter', render: (ms) => { const p = parts(ms); return `${p.y}q${p.q}`; } },
  { id: 'yyyy', granularity: 'year', render: (ms) => parts(ms).y },
];

const FORMAT_BY_ID = new Map(FORMATS.map((f) => [f.id, f]));
const GRANULARITY_RANK: Record<PartitionInterval, number> = { day: 0, week: 0, month: 1, quarter: 2, year: 3 };
const DEFAULT_FORMAT: Record<PartitionInterval, string> = { day: 'yyyy_mm_dd', week: 'yyyy_mm_dd', month: 'yyyy_mm', quarter: 'yyyy_qN', year: 'yyyy' };

export interface NamePattern {
  prefix: string;
  format: DateFormat;
  suffix: string;
}

/** True when `ms` is the first instant of a period the format names (so the name is not misleading). */
function alignedFor(format: DateFormat, ms: number): boolean {
  const d = new Date(ms);
  if (ms % 86_400_000 !== 0) return false;
  switch (format.granularity) {
    case 'year':
      return d.getUTCMonth() === 0 && d.getUTCDate() === 1;
    case 'quarter':
      return d.getUTCMonth() % 3 === 0 && d.getUTCDate() === 1;
    case 'month':
      return d.getUTCDate() === 1;
    default:
      return true;
  }
}

function findIn(name: string, rendered: string): number {
  // The date must stand on its own: `2026` inside `20260101` is not a year.
  for (let at = name.lastIndexOf(rendered); at >= 0; at = at === 0 ? -1 : name.lastIndexOf(rendered, at - 1)) {
    // charAt gives '' outside the name (before the first or after the last character).
    const before = name.charAt(at - 1);
    const after = name.charAt(at + rendered.length);
    if (!/\d/.test(before) && !/\d/.test(after)) return at;
  }
  return -1;
}

/** The most common sibling naming shape that can tell `interval`-sized partitions apart, if any. */
export function detectNamePattern(siblings: Array<{ name: string; from: number }>, interval: PartitionInterval): NamePattern | undefined {
  const votes = new Map<string, { pattern: NamePattern; count: number }>();
  for (const sibling of siblings) {
    if (!Number.isFinite(sibling.from)) continue;
    for (const format of FORMATS) {
      if (GRANULARITY_RANK[format.granularity] > GRANULARITY_RANK[interval]) continue;
      const rendered = format.render(sibling.from);
      const at = findIn(sibling.name, rendered);
      if (at < 0) continue;
      const pattern = { prefix: sibling.name.slice(0, at), format, suffix: sibling.name.slice(at + rendered.length) };
      const key = `${pattern.prefix}\u0000${format.id}\u0000${pattern.suffix}`;
      const entry = votes.get(key) ?? { pattern, count: 0 };
      entry.count++;
      votes.set(key, entry);
      break;
    }
  }
  let best: { pattern: NamePattern; count: number } | undefined;
  for (const entry of votes.values()) if (!best || entry.count > best.count) best = entry;
  return best?.pattern;
}

export function defaultNamePattern(parent: string, interval: PartitionInterval): NamePattern {
  const format = FORMAT_BY_ID.get(DEFAULT_FORMAT[interval]);
  // Every default format id is one of FORMATS.
  if (!format) throw new Error(`internal: no name format ${DEFAULT_FORMAT[interval]}`);
  return { prefix: `${parent}_`, format, suffix: '' };
}

/**
 * The name of a new partition starting at `from`: the pattern's shape when `from` starts a period the pattern can
 * name, else `<parent>_yyyy_mm_dd`. Goes through `fixObjectName`, so it fits 63 bytes and is numbered when taken.
 */
export function partitionName(parent: string, pattern: NamePattern, from: number, taken: (name: string) => boolean): string {
  const shape = alignedFor(pattern.format, from) ? pattern : defaultNamePattern(parent, 'day');
  const dated = shape.format.render(from) + shape.suffix;
  const prefix = shape.prefix;
  if (prefix.endsWith('_')) return fixObjectName([prefix.slice(0, -1)], dated, taken);
  const cut = prefix.lastIndexOf('_');
  if (cut > 0) return fixObjectName([prefix.slice(0, cut)], prefix.slice(cut + 1) + dated, taken);
  const whole = prefix + dated;
  if (Buffer.byteLength(whole, 'utf8') <= 63 && !taken(whole)) return whole;
  return fixObjectName([whole], 'part', taken);
}
