/**
 * A history indexed once for fast statistics: statisticsBetween over three years of 30-minute
 * points in microseconds instead of a scan of every row per call.
 *
 * The rows are sorted (stably) by their naive local datetime, which is how Jeedom compares them,
 * so a range [start, end] is a slice [lo, hi[ found by binary search. Each value is cast to
 * DECIMAL(12,2) cents once. Sums stay exact: a cent value is an integer below 10^12, so a block of
 * BLOCK values sums exactly in a double; sums of whole blocks are BigInt prefix sums. Hence sum,
 * count, min, max and avg are bit-identical to the scan in statistics.ts (getStatistique), and
 * `last` too (stable sort: among equal datetimes the last row given wins, as the scan's `>=`).
 * std and variance are Welford's recurrence in doubles, in the rows' given order, so they depend
 * on that order: they are computed by the scan over the kept rows (exact, not faster).
 *
 * Pure: no I/O. An index is immutable; whoever holds the data rebuilds it when the data changes
 * (plugin/runner/stats.ts keys it by the store's month versions).
 */
import { DateExpressionError } from '../errors.js';
import { formatJeedomDatetime } from '../time/strtotime.js';
import { toCents } from './decimal.js';

/**
 * A history row. Either Jeedom's own form (`datetime` as 'YYYY-MM-DD HH:MM:SS' in the box's zone,
 * what cmd::getHistory returns) or an instant (`at`, a Date or epoch milliseconds: the local
 * readings store), which is turned into Jeedom's naive local form in the zone of the question.
 */
export type HistoryPoint = { datetime: string; value: number | string } | { at: Date | number; value: number | string };

export const DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

export interface Row {
  datetime: string;
  value: number | string;
}

/** Points as Jeedom rows (naive datetimes in `tz`); a malformed point is a DateExpressionError. */
export function toRows(points: readonly HistoryPoint[], tz: string): Row[] {
  return points.map((p, i) => {
    if ('datetime' in p) {
      if (typeof p.datetime !== 'string' || !DATETIME.test(p.datetime)) {
        throw new DateExpressionError(
          `history point #${i} has datetime ${JSON.stringify(p.datetime)}: expected 'YYYY-MM-DD HH:MM:SS' (local time of the box)`,
        );
      }
      return p;
    }
    const at = typeof p.at === 'number' ? new Date(p.at) : p.at;
    if (!(at instanceof Date) || Number.isNaN(at.getTime())) {
      throw new DateExpressionError(`history point #${i} has an invalid time`);
    }
    return { datetime: formatJeedomDatetime(at, tz), value: p.value };
  });
}

/** The order-independent aggregates of a range, in exact cents. */
export interface RangeAggregate {
  count: number;
  sum: bigint;
  min: bigint | null;
  max: bigint | null;
  /** Raw value of the newest row (the last given among equal datetimes); undefined when empty. */
  last: number | string | undefined;
}

/** Values per block: small enough that partial blocks are a short scan, large enough to keep few blocks. */
const BLOCK = 64;

export class HistoryIndex {
  /** The rows in the order given, for the order-dependent std and variance. */
  readonly rows: readonly Row[];
  private readonly datetimes: string[];
  private readonly values: Array<number | string>;
  /** DECIMAL(12,2) cents of each sorted row: integers of magnitude < 10^12, exact in a double. */
  private readonly cents: Float64Array;
  /** blockPrefix[b] = exact sum of the cents of blocks 0 .. b-1. */
  private readonly blockPrefix: bigint[];
  private readonly blockMin: Float64Array;
  private readonly blockMax: Float64Array;

  /** Indexes `points` whose instants (`at`) are read in `tz`, the zone the questions will be asked in. */
  constructor(
    points: readonly HistoryPoint[],
    readonly tz: string,
  ) {
    this.rows = toRows(points, tz);
    const n = this.rows.length;
    let order = this.rows.map((_, i) => i);
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) if (this.rows[i]!.datetime < this.rows[i - 1]!.datetime) sorted = false;
    // Array.prototype.sort is stable: equal datetimes keep the given order (matters for `last`).
    if (!sorted)
      order = order.sort((a, b) =>
        this.rows[a]!.datetime < this.rows[b]!.datetime ? -1 : this.rows[a]!.datetime > this.rows[b]!.datetime ? 1 : 0,
      );
    this.datetimes = order.map((i) => this.rows[i]!.datetime);
    this.values = order.map((i) => this.rows[i]!.value);
    this.cents = new Float64Array(n);
    for (let i = 0; i < n; i++) this.cents[i] = Number(toCents(this.values[i]!));
    const blocks = Math.ceil(n / BLOCK);
    this.blockPrefix = [0n];
    this.blockMin = new Float64Array(blocks);
    this.blockMax = new Float64Array(blocks);
    for (let b = 0; b < blocks; b++) {
      let sum = 0;
      let min = Infinity;
      let max = -Infinity;
      for (let i = b * BLOCK, end = Math.min(n, i + BLOCK); i < end; i++) {
        const c = this.cents[i]!;
        sum += c;
        if (c < min) min = c;
        if (c > max) max = c;
      }
      this.blockPrefix.push(this.blockPrefix[b]! + BigInt(sum));
      this.blockMin[b] = min;
      this.blockMax[b] = max;
    }
  }

  get size(): number {
    return this.datetimes.length;
  }

  /** First sorted position whose datetime is > `dt` when `after`, >= `dt` otherwise. */
  private bound(dt: string, after: boolean): number {
    let lo = 0;
    let hi = this.datetimes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const v = this.datetimes[mid]!;
      if (after ? v <= dt : v < dt) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** count, exact sum, min, max and last of the rows whose naive datetime is in [start, end]. */
  aggregate(start: string, end: string): RangeAggregate {
    const lo = this.bound(start, false);
    const hi = this.bound(end, true);
    if (hi <= lo) return { count: 0, sum: 0n, min: null, max: null, last: undefined };
    let edgeSum = 0; // at most 2 * (BLOCK - 1) values: exact in a double
    let min = Infinity;
    let max = -Infinity;
    const scan = (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const c = this.cents[i]!;
        edgeSum += c;
        if (c < min) min = c;
        if (c > max) max = c;
      }
    };
    const firstWhole = Math.ceil(lo / BLOCK);
    const endWhole = Math.floor(hi / BLOCK);
    let sum = 0n;
    if (firstWhole >= endWhole) {
      scan(lo, hi);
    } else {
      scan(lo, firstWhole * BLOCK);
      scan(endWhole * BLOCK, hi);
      sum = this.blockPrefix[endWhole]! - this.blockPrefix[firstWhole]!;
      for (let b = firstWhole; b < endWhole; b++) {
        if (this.blockMin[b]! < min) min = this.blockMin[b]!;
        if (this.blockMax[b]! > max) max = this.blockMax[b]!;
      }
    }
    return { count: hi - lo, sum: sum + BigInt(edgeSum), min: BigInt(min), max: BigInt(max), last: this.values[hi - 1] };
  }
}
