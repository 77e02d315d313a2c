/**
 * What a range-partitioned table's partitions cover: the horizon (highest finite upper bound), the gaps between
 * partitions, and the ranges new partitions must take to close both.
 */
import { classifySpan, IntervalGrid, type PartitionInterval } from './time.js';

export interface RangePiece {
  /** Partition name (for naming new siblings alike). */
  name: string;
  from: number;
  to: number;
  subPartitioned: boolean;
}

export interface Coverage {
  /** Highest finite upper bound; undefined when there is none. */
  horizon?: number;
  /** Some partition reaches MAXVALUE (or `infinity`): no horizon can fall short. */
  unbounded: boolean;
  gaps: Array<{ from: number; to: number }>;
}

export function coverageOf(pieces: RangePiece[]): Coverage {
  const sorted = [...pieces].sort((a, b) => a.from - b.from || a.to - b.to);
  let horizon: number | undefined;
  let unbounded = false;
  for (const piece of sorted) {
    if (piece.to === Infinity) unbounded = true;
    else if (Number.isFinite(piece.to) && (horizon === undefined || piece.to > horizon)) horizon = piece.to;
  }
  const gaps: Coverage['gaps'] = [];
  let reach = sorted.length ? sorted[0].to : -Infinity;
  for (const piece of sorted.slice(1)) {
    if (piece.from > reach) gaps.push({ from: reach, to: piece.from });
    if (piece.to > reach) reach = piece.to;
  }
  return { horizon, unbounded, gaps };
}

/** The most common span among the partitions; ties go to the span of the latest partition. */
export function inferInterval(pieces: RangePiece[]): { interval: PartitionInterval; anchor: number } | undefined {
  const counts = new Map<PartitionInterval, number>();
  const latest = new Map<PartitionInterval, number>();
  for (const piece of pieces) {
    const span = classifySpan(piece.from, piece.to);
    if (!span) continue;
    counts.set(span, (counts.get(span) ?? 0) + 1);
    latest.set(span, Math.max(latest.get(span) ?? -Infinity, piece.from));
  }
  let best: { span: PartitionInterval; count: number; latest: number } | undefined;
  for (const [span, count] of counts) {
    const spanLatest = latest.get(span) ?? -Infinity;
    if (!best || count > best.count || (count === best.count && spanLatest > best.latest)) best = { span, count, latest: spanLatest };
  }
  return best && { interval: best.span, anchor: best.latest };
}

/** Cuts [from, to) on the grid's boundaries, so new partitions line up with the existing scheme. */
export function cutOnGrid(grid: IntervalGrid, from: number, to: number): Array<{ from: number; to: number }> {
  const result: Array<{ from: number; to: number }> = [];
  for (let start = from; start < to; ) {
    const end = Math.min(grid.nextBoundary(start), to);
    result.push({ from: start, to: end });
    start = end;
  }
  return result;
}

/**
 * New ranges: each gap cut on the grid, then whole intervals from the horizon (or, with no partitions, from the
 * interval that holds `now`) until one holds `required`.
 */
export function missingRanges(
  coverage: Coverage,
  grid: IntervalGrid,
  now: number,
  required: number,
): Array<{ from: number; to: number }> {
  const ranges = coverage.gaps.filter((gap) => Number.isFinite(gap.from)).flatMap((gap) => cutOnGrid(grid, gap.from, gap.to));
  if (coverage.unbounded || (coverage.horizon !== undefined && coverage.horizon >= required)) return ranges;
  let start = coverage.horizon ?? grid.startOf(now);
  do {
    const end = grid.nextBoundary(start);
    ranges.push({ from: start, to: end });
    start = end;
  } while (start <= required);
  return ranges;
}
