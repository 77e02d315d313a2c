/**
 * Partition bounds as UTC instants, and the calendar arithmetic the coverage check and its fix need.
 *
 * Both modes must compare the same instants: DDL mode sees bounds as written (`'2026-01-01'`), live mode as
 * `pg_get_expr` prints them with `TimeZone = 'UTC'` (`'2026-01-01 00:00:00+00'`). A `timestamp` (without time zone)
 * has no instant, so its wall time is read as if it were UTC; PostgreSQL itself ignores a zone written in a
 * `timestamp` literal, and so do we.
 */
import type { BoundValue } from '../../src/model/types.js';

export type TimeKeyType = 'date' | 'timestamp' | 'timestamptz';
export type PartitionInterval = 'day' | 'week' | 'month' | 'quarter' | 'year';

export const DAY_MS = 86_400_000;

const LITERAL =
  /^\s*(\d{4,})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|UTC|GMT|[+-]\d{1,2}(?::?\d{2}){0,2}|[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)+)?\s*$/i;

/** The offset (ms) of a named time zone at a UTC instant, from the runtime's time zone database. */
function namedZoneOffset(zone: string, utcMs: number): number | undefined {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    }).formatToParts(new Date(utcMs));
  } catch {
    return undefined;
  }
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? NaN);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Number.isNaN(wall) ? undefined : wall - Math.floor(utcMs / 1000) * 1000;
}

function zoneOffset(zone: string, wallMs: number): number | undefined {
  const upper = zone.toUpperCase();
  if (upper === 'Z' || upper === 'UTC' || upper === 'GMT') return 0;
  const numeric = /^([+-])(\d{1,2}):?(\d{2})?:?(\d{2})?$/.exec(zone);
  if (numeric) {
    const sign = numeric[1] === '-' ? -1 : 1;
    return sign * ((Number(numeric[2]) * 60 + Number(numeric.at(3) ?? 0)) * 60 + Number(numeric.at(4) ?? 0)) * 1000;
  }
  // A wall time in a named zone: the offset at the instant it denotes (two passes settle DST edges).
  const first = namedZoneOffset(zone, wallMs);
  if (first === undefined) return undefined;
  return namedZoneOffset(zone, wallMs - first);
}

/**
 * A bound value as a UTC instant in ms: `MINVALUE`/`-infinity` → -Infinity, `MAXVALUE`/`infinity` → Infinity,
 * undefined when the text is not a literal we can read (then the caller does not guess).
 */
export function boundInstant(value: BoundValue, type: TimeKeyType): number | undefined {
  if (value.kind === 'minvalue') return -Infinity;
  if (value.kind === 'maxvalue') return Infinity;
  if (value.kind !== 'value') return undefined;
  const text = value.text.trim().toLowerCase();
  if (text === 'infinity' || text === '+infinity') return Infinity;
  if (text === '-infinity') return -Infinity;
  const match = LITERAL.exec(value.text);
  if (!match) return undefined;
  // Optional groups that did not match are undefined at run time.
  const [, y, mo, d, h, mi, s, fraction, zone] = [...match].map((group): string | undefined => group);
  const date = Date.UTC(Number(y), Number(mo) - 1, Number(d));
  if (Number.isNaN(date)) return undefined;
  if (type === 'date') return date;
  const wall = date + ((Number(h ?? 0) * 60 + Number(mi ?? 0)) * 60 + Number(s ?? 0)) * 1000 + Math.round(Number(fraction ?? 0) * 1000);
  if (type === 'timestamp' || !zone) return wall;
  const offset = zoneOffset(zone, wall);
  return offset === undefined ? undefined : wall - offset;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

export function isoDate(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** A date for messages: `2026-02-01`, with the time only when it is not midnight. */
export function displayInstant(ms: number): string {
  if (ms === Infinity) return 'MAXVALUE';
  if (ms === -Infinity) return 'MINVALUE';
  const d = new Date(ms);
  if (ms % DAY_MS === 0) return isoDate(ms);
  return `${isoDate(ms)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** The literal for a `FOR VALUES` bound: what PostgreSQL reads back as the same instant for that column type. */
export function boundLiteral(ms: number, type: TimeKeyType): string {
  if (type === 'date') return isoDate(ms);
  const d = new Date(ms);
  const millis = d.getUTCMilliseconds();
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${millis ? `.${pad(millis, 3)}` : ''}`;
  return `${isoDate(ms)} ${time}${type === 'timestamptz' ? '+00' : ''}`;
}

/** Adds calendar months, clamping the day to the target month's length (Jan 31 + 1 month = Feb 28), as PostgreSQL does. */
export function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(d.getUTCDate(), lastDay);
  return Date.UTC(year, month, day) + (ms - Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

export function startOfUtcDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** Months per interval; day and week are fixed lengths (FIXED_MS) and count as none. */
const MONTHS: Record<PartitionInterval, number> = { day: 0, week: 0, month: 1, quarter: 3, year: 12 };
const FIXED_MS: Partial<Record<PartitionInterval, number>> = { day: DAY_MS, week: 7 * DAY_MS };

/** The interval a partition's span is, if it is one of the regular ones. */
export function classifySpan(from: number, to: number): PartitionInterval | undefined {
  if (!Number.isFinite(from) || !Number.isFinite(to)) return undefined;
  if (to - from === DAY_MS) return 'day';
  if (to - from === 7 * DAY_MS) return 'week';
  for (const interval of ['month', 'quarter', 'year'] as const) {
    if (addMonths(from, MONTHS[interval]) === to) return interval;
  }
  return undefined;
}

/**
 * Interval boundaries `anchor + k × interval` for whole k: the grid new partitions are cut on. Month-based steps are
 * computed from the anchor each time, so a day clamped in February does not drift.
 */
export class IntervalGrid {
  constructor(
    readonly interval: PartitionInterval,
    private readonly anchor: number,
  ) {}

  /** Calendar-aligned grid (`date_trunc` style; weeks start on Monday). */
  static calendar(interval: PartitionInterval): IntervalGrid {
    return new IntervalGrid(interval, interval === 'week' ? Date.UTC(2000, 0, 3) : Date.UTC(2000, 0, 1));
  }

  boundary(k: number): number {
    const fixed = FIXED_MS[this.interval];
    return fixed ? this.anchor + k * fixed : addMonths(this.anchor, k * MONTHS[this.interval]);
  }

  /** The largest k whose boundary is at or before `ms`. */
  indexAtOrBefore(ms: number): number {
    const fixed = FIXED_MS[this.interval];
    if (fixed) return Math.floor((ms - this.anchor) / fixed);
    const a = new Date(this.anchor);
    const t = new Date(ms);
    const months = (t.getUTCFullYear() - a.getUTCFullYear()) * 12 + (t.getUTCMonth() - a.getUTCMonth());
    let k = Math.floor(months / MONTHS[this.interval]);
    while (this.boundary(k) > ms) k--;
    while (this.boundary(k + 1) <= ms) k++;
    return k;
  }

  /** The first boundary strictly after `ms`. */
  nextBoundary(ms: number): number {
    return this.boundary(this.indexAtOrBefore(ms) + 1);
  }

  /** The start of the interval holding `ms`. */
  startOf(ms: number): number {
    return this.boundary(this.indexAtOrBefore(ms));
  }
}

/**
 * The local time partitions are cut in. pg_dump writes a `timestamptz` bound in the dumping session's zone, so a
 * table cut at local midnight in Paris shows `'2025-01-01 00:00:00+01'` (DDL mode) or `'2024-12-31 23:00:00+00'`
 * (live mode, read in UTC). Computing new bounds in UTC would leave a one-hour sliver at the horizon and name the new
 * partitions after the wrong day; so new bounds are computed in the bounds' own local time and converted back.
 * One offset for all bounds: that offset. Offsets that change with the season (DST): the first time zone of the
 * runtime's database that gives every bound its offset; none: the newest bound's offset.
 */
export interface LocalTime {
  /** Offset east of UTC in ms at a UTC instant. */
  offsetAt(ms: number): number;
  toWall(ms: number): number;
  fromWall(wall: number): number;
  /** A literal for a bound at `ms`, written in local time with its offset for `timestamptz`. */
  literal(ms: number, type: TimeKeyType): string;
}

const QUARTER_HOUR = 15 * 60_000;

/** The offset that makes `ms` a local midnight, in (-12h, +14h]; undefined when no quarter-hour offset does. */
function midnightOffset(ms: number): number | undefined {
  const r = ((ms % DAY_MS) + DAY_MS) % DAY_MS;
  let o = (DAY_MS - r) % DAY_MS;
  if (o > 14 * 3_600_000) o -= DAY_MS;
  return o % QUARTER_HOUR === 0 ? o : undefined;
}

function formatOffset(offset: number): string {
  const sign = offset < 0 ? '-' : '+';
  const minutes = Math.abs(offset) / 60_000;
  const text = `${sign}${pad(Math.floor(minutes / 60))}`;
  return minutes % 60 ? `${text}:${pad(minutes % 60)}` : text;
}

function makeLocal(offsetAt: (ms: number) => number, fromWall: (wall: number) => number): LocalTime {
  return {
    offsetAt,
    toWall: (ms) => (Number.isFinite(ms) ? ms + offsetAt(ms) : ms),
    fromWall: (wall) => (Number.isFinite(wall) ? fromWall(wall) : wall),
    literal(ms, type) {
      const offset = offsetAt(ms);
      if (type !== 'timestamptz' || offset === 0) return boundLiteral(ms, type);
      return `${boundLiteral(ms + offset, 'timestamp')}${formatOffset(offset)}`;
    },
  };
}

export const UTC_TIME: LocalTime = makeLocal(() => 0, (wall) => wall);

export function inferLocalTime(bounds: number[], type: TimeKeyType): LocalTime {
  if (type !== 'timestamptz') return UTC_TIME;
  const finite = bounds.filter((ms) => Number.isFinite(ms)).sort((a, b) => a - b);
  const offsets = finite.map(midnightOffset);
  // Bounds that are not at some local midnight (hourly partitions, odd cuts) keep the UTC grid.
  const known = offsets.filter((o): o is number => o !== undefined);
  if (!finite.length || known.length < offsets.length) return UTC_TIME;
  const distinct = new Set(known);
  if (distinct.size === 1) {
    const offset = known[0];
    return offset === 0 ? UTC_TIME : makeLocal(() => offset, (wall) => wall - offset);
  }
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const zone = zones.find((candidate) => finite.every((ms, i) => namedZoneOffset(candidate, ms) === offsets[i]));
  if (zone) return makeLocal((ms) => namedZoneOffset(zone, ms) ?? 0, (wall) => wall - (zoneOffset(zone, wall) ?? 0));
  const latest = known[known.length - 1];
  return makeLocal(() => latest, (wall) => wall - latest);
}
