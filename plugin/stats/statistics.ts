/**
 * Jeedom's statistics over a command's history (`history::getStatistique` and the scenario
 * functions `statisticsBetween`, `averageBetween`, `minBetween`, `maxBetween`, `lastBetween`), as
 * pure functions over points, with Jeedom 4.5's exact semantics (docs/jeedom-api.md §5):
 * - rows are history plus archive: pass every point; duplicates count twice, as in Jeedom;
 * - both bounds are inclusive and compared as the naive local datetimes Jeedom stores;
 * - every value is cast to DECIMAL(12,2) (half away from zero) before aggregation; avg has 6
 *   decimals, std and variance are population statistics; `last` is the newest raw value;
 * - over an empty range everything is '' except count, which is 0.
 * One deliberate difference: Jeedom turns an unparseable bound into 1970-01-01 and silently sums
 * everything; here it is a DateExpressionError that says where the expression stopped making sense.
 */
import { DateExpressionError } from '../errors.js';
import { formatIso, formatJeedomDatetime, strtotimeSeconds } from '../time/strtotime.js';
import { divRound, phpFloatToString, phpRound, scaledToString, toCents } from './decimal.js';
import { DATETIME, HistoryIndex, toRows, type HistoryPoint, type RangeAggregate, type Row } from './history-index.js';

export { HistoryIndex, type HistoryPoint, type RangeAggregate } from './history-index.js';

/**
 * A history as the statistics take it: the points themselves (each call scans them all: the
 * reference, getStatistique), or a HistoryIndex built once from them (sum, avg, min, max, count and
 * last answered from the index with the same figures; std and variance still scan).
 */
export type History = readonly HistoryPoint[] | HistoryIndex;

/** Exactly the calculations statisticsBetween accepts (the keys of getStatistique). */
export const STAT_CALCS = ['avg', 'min', 'max', 'sum', 'count', 'std', 'variance', 'last'] as const;
export type StatCalc = (typeof STAT_CALCS)[number];

/** getStatistique's result, typed as it arrives on the wire (see formatJeedomValue). */
export interface Statistique {
  /** Mean of the 2-decimal values, 6 decimals. */
  avg: number | null;
  min: number | null;
  max: number | null;
  sum: number | null;
  count: number;
  /** Population standard deviation (float). */
  std: number | null;
  /** Population variance (float). */
  variance: number | null;
  /** Raw value of the newest row; absent over an empty range. */
  last?: number | string;
}

function checkBounds(start: string, end: string): void {
  for (const [name, b] of [
    ['start', start],
    ['end', end],
  ] as const) {
    if (!DATETIME.test(b)) throw new DateExpressionError(`${name} bound ${JSON.stringify(b)} is not 'YYYY-MM-DD HH:MM:SS'`);
  }
}

/** The figures Jeedom derives from a range's exact aggregates (all but std and variance). */
function figuresOf(a: RangeAggregate): Omit<Statistique, 'std' | 'variance'> {
  if (a.count === 0) return { avg: null, min: null, max: null, sum: null, count: 0 };
  return {
    // AVG of DECIMAL(12,2) has scale 6: sum / count rounded half away from zero.
    avg: Number(scaledToString(divRound(a.sum * 10000n, BigInt(a.count)), 6)),
    min: Number(scaledToString(a.min!, 2)),
    max: Number(scaledToString(a.max!, 2)),
    sum: Number(scaledToString(a.sum, 2)),
    count: a.count,
    last: a.last!,
  };
}

/**
 * history::getStatistique over rows whose naive datetime is within [start, end] (inclusive),
 * bounds given as 'YYYY-MM-DD HH:MM:SS'. A scan of every point: the reference that the fast
 * HistoryIndex path is held to (test/stats-index.test.ts) and measured against (npm run bench).
 */
export function getStatistique(points: readonly HistoryPoint[], start: string, end: string, tz = 'Europe/Paris'): Statistique {
  checkBounds(start, end);
  const rows = toRows(points, tz);
  let count = 0;
  let sum = 0n;
  let min: bigint | null = null;
  let max: bigint | null = null;
  let lastRow: Row | null = null;
  // MySQL's VARIANCE/STD: Welford's recurrence in doubles over the DECIMAL values.
  let mean = 0;
  let s = 0;
  for (const row of rows) {
    if (row.datetime < start || row.datetime > end) continue;
    const cents = toCents(row.value);
    count++;
    sum += cents;
    if (min === null || cents < min) min = cents;
    if (max === null || cents > max) max = cents;
    if (lastRow === null || row.datetime >= lastRow.datetime) lastRow = row;
    const x = Number(cents) / 100;
    if (count === 1) {
      mean = x;
      s = 0;
    } else {
      const prev = mean;
      mean = prev + (x - prev) / count;
      s += (x - prev) * (x - mean);
    }
  }
  if (count === 0) return { avg: null, min: null, max: null, sum: null, count: 0, std: null, variance: null };
  const variance = s / count;
  const f = figuresOf({ count, sum, min, max, last: lastRow!.value });
  return { avg: f.avg, min: f.min, max: f.max, sum: f.sum, count, std: Math.sqrt(variance), variance, last: f.last };
}

/**
 * One figure of getStatistique over a history between naive bounds, with the range's row count:
 * from the index when it answers exactly (everything but std and variance, which depend on the
 * rows' order), else the scan.
 */
export function statistiqueFigure(
  history: History,
  which: StatCalc,
  start: string,
  end: string,
  tz: string,
): { value: number | string | null | undefined; count: number } {
  if (history instanceof HistoryIndex) {
    if (history.tz !== tz) throw new Error(`this HistoryIndex was built for ${history.tz}, not ${tz}: build one per zone`);
    if (which !== 'std' && which !== 'variance') {
      checkBounds(start, end);
      const figures = figuresOf(history.aggregate(start, end));
      return { value: figures[which], count: figures.count };
    }
  }
  const stats = getStatistique(history instanceof HistoryIndex ? history.rows : history, start, end, tz);
  return { value: stats[which], count: stats.count };
}

/**
 * A value as Jeedom's statisticsBetween hands it over: avg with 6 decimals ("20.720000"), min, max
 * and sum with 2 ("123.40"), count as an integer, std and variance as PHP prints floats, last raw,
 * and '' (empty string) for no value.
 */
export function formatJeedomValue(calc: StatCalc, value: number | string | ''): string {
  if (value === '') return '';
  if (typeof value === 'string') return value;
  switch (calc) {
    case 'avg':
      return value.toFixed(6);
    case 'min':
    case 'max':
    case 'sum':
      return value.toFixed(2);
    case 'count':
      return String(value);
    case 'std':
    case 'variance':
      return phpFloatToString(value);
    case 'last':
      return phpFloatToString(value);
  }
}

export interface StatsOptions {
  /** Reference time of the expressions ("now"). */
  now: Date | number;
  /** Zone of the Jeedom box: expressions and naive datetimes are read in it. */
  tz: string;
}

export interface ResolvedBound {
  /** 'YYYY-MM-DD HH:MM:SS' as Jeedom puts it into SQL. */
  local: string;
  /** The same instant as ISO-8601 with offset. */
  iso: string;
}

/**
 * Resolves a bound as the *Between functions do: `date('Y-m-d H:i:s', strtotime($expr))` in the
 * box's zone. A Date is taken as that instant. Refuses what PHP cannot parse (Jeedom: 1970).
 */
export function resolveBound(bound: string | Date, opts: StatsOptions): ResolvedBound {
  let at: Date;
  if (bound instanceof Date) {
    if (Number.isNaN(bound.getTime())) throw new DateExpressionError('a statistics bound is an invalid Date');
    at = bound;
  } else {
    at = new Date(strtotimeSeconds(bound, opts.now, opts.tz) * 1000);
  }
  return { local: formatJeedomDatetime(at, opts.tz), iso: formatIso(at, opts.tz) };
}

export interface StatsResult {
  calc: string;
  /** What statisticsBetween returns: a number, the raw value for `last`, or '' when Jeedom gives ''. */
  value: number | string | '';
  /** The value printed exactly as Jeedom returns it (see formatJeedomValue). */
  text: string;
  /** Rows in the range. */
  count: number;
  start: ResolvedBound;
  end: ResolvedBound;
}

function isStatCalc(calc: string): calc is StatCalc {
  return (STAT_CALCS as readonly string[]).includes(calc);
}

/**
 * statisticsBetween(cmd, calc, start, end). Spaces in `calc` are removed as Jeedom does; a calc
 * Jeedom does not know (e.g. `median`) gives '' like Jeedom, so the caller may refuse it earlier.
 * Given the points, every call scans them all: that is the reference path (getStatistique). Given
 * a HistoryIndex of them, sum, avg, min, max, count and last come from the index (same figures).
 */
export function statisticsBetween(
  points: History,
  calc: string,
  start: string | Date,
  end: string | Date,
  opts: StatsOptions,
): StatsResult {
  const s = resolveBound(start, opts);
  const e = resolveBound(end, opts);
  const key = calc.replace(/ /g, '');
  const figure = statistiqueFigure(points, isStatCalc(key) ? key : 'count', s.local, e.local, opts.tz);
  let value: number | string | '' = '';
  if (isStatCalc(key)) {
    const v = figure.value;
    value = v === null || v === undefined ? '' : v;
  }
  return {
    calc: key,
    value,
    text: isStatCalc(key) ? formatJeedomValue(key, value) : '',
    count: figure.count,
    start: s,
    end: e,
  };
}

function roundedBetween(
  which: 'avg' | 'min' | 'max' | 'last',
  points: History,
  start: string | Date,
  end: string | Date,
  round: number,
  opts: StatsOptions,
): number | '' {
  const s = resolveBound(start, opts);
  const e = resolveBound(end, opts);
  const v = statistiqueFigure(points, which, s.local, e.local, opts.tz).value;
  if (v === null || v === undefined) return '';
  // `last` is the raw stored text; PHP's round() reads it as a number.
  const n = typeof v === 'number' ? v : parseFloat(v);
  return Number.isNaN(n) ? '' : phpRound(n, round);
}

/** averageBetween(cmd, start, end, round = 1): round(avg, round), '' when empty. */
export function averageBetween(points: History, start: string | Date, end: string | Date, opts: StatsOptions, round = 1): number | '' {
  return roundedBetween('avg', points, start, end, round, opts);
}

/** minBetween(cmd, start, end, round = 1). */
export function minBetween(points: History, start: string | Date, end: string | Date, opts: StatsOptions, round = 1): number | '' {
  return roundedBetween('min', points, start, end, round, opts);
}

/** maxBetween(cmd, start, end, round = 1). */
export function maxBetween(points: History, start: string | Date, end: string | Date, opts: StatsOptions, round = 1): number | '' {
  return roundedBetween('max', points, start, end, round, opts);
}

/** lastBetween(cmd, start, end): round(last, 1), '' when empty. */
export function lastBetween(points: History, start: string | Date, end: string | Date, opts: StatsOptions): number | '' {
  return roundedBetween('last', points, start, end, 1, opts);
}
