/**
 * The fast statistics path (HistoryIndex) against the reference scan (getStatistique): the same
 * figures, to the last digit, for every calculation over many random ranges of a 3-year synthetic
 * history of 30-minute points (bounds inside days, DST days, gaps, empty ranges, single points,
 * duplicates from history plus archive, rows not in time order). No timings here: npm run bench.
 */
import { describe, expect, it } from 'vitest';
import { DateExpressionError } from '../plugin/errors.js';
import {
  averageBetween,
  getStatistique,
  HistoryIndex,
  lastBetween,
  maxBetween,
  minBetween,
  STAT_CALCS,
  statisticsBetween,
  statistiqueFigure,
  type HistoryPoint,
} from '../plugin/stats/index.js';
import { formatJeedomDatetime } from '../plugin/time/strtotime.js';

const TZ = 'Europe/Paris';

/** A small deterministic PRNG (mulberry32): the same "random" ranges on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const START = Date.parse('2022-06-01T00:00:00Z');
const N = 3 * 365 * 48;

/**
 * Three years of 30-minute points given as instants (the repeated October hour then yields the same
 * naive datetime twice, as on Jeedom), with: values that the DECIMAL(12,2) cast rounds (x.xx5,
 * strings, negatives, huge ones clamped), a missing week (a gap), duplicated rows (history plus
 * archive, different values: `last` must pick the last one given) and a shuffled stretch.
 */
function syntheticHistory(): HistoryPoint[] {
  const rnd = prng(15);
  const points: HistoryPoint[] = [];
  for (let k = 0; k < N; k++) {
    const at = START + k * 1800_000;
    if (at >= Date.parse('2023-02-10T00:00:00Z') && at < Date.parse('2023-02-17T00:00:00Z')) continue;
    const r = rnd();
    let value: number | string = Math.round(rnd() * 4_000_000) / 1000; // 3 decimals: the cast rounds
    if (r < 0.05) value = String(value);
    else if (r < 0.07) value = -value;
    else if (r < 0.071)
      value = 1e13; // clamped to 9999999999.99
    else if (r < 0.08) value = `${Math.floor(rnd() * 100)}.125 kWh`; // numeric prefix
    points.push(k % 2 ? { at, value } : { datetime: formatJeedomDatetime(new Date(at), TZ), value });
    if (r > 0.995) points.push({ at, value: 7 }); // the archive's copy, counted twice
  }
  // A stretch not in time order (the index sorts; the scan does not care).
  const stretch = points.splice(20_000, 300);
  for (let i = stretch.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [stretch[i], stretch[j]] = [stretch[j]!, stretch[i]!];
  }
  points.splice(20_000, 0, ...stretch);
  return points;
}

const points = syntheticHistory();
const index = new HistoryIndex(points, TZ);
const naive = (ms: number) => formatJeedomDatetime(new Date(ms), TZ);

/** Ranges of every kind, as naive bounds: random, DST days, gap, empty, single points. */
function ranges(): Array<[string, string]> {
  const rnd = prng(42);
  const first = START - 5 * 86_400_000;
  const span = N * 1800_000 + 10 * 86_400_000;
  const out: Array<[string, string]> = [
    ['2022-10-30 00:00:00', '2022-10-30 23:59:59'], // October DST days: the repeated hour
    ['2023-10-29 02:00:00', '2023-10-29 02:59:59'],
    ['2024-10-27 02:30:00', '2024-10-27 02:30:00'],
    ['2023-03-26 00:00:00', '2023-03-26 23:59:59'], // March DST days: the missing hour
    ['2024-03-31 02:00:00', '2024-03-31 02:59:59'],
    ['2023-02-11 00:00:00', '2023-02-15 23:59:59'], // inside the gap: empty
    ['2024-01-01 00:00:00', '2023-12-31 00:00:00'], // end before start: empty
    ['2000-01-01 00:00:00', '2100-01-01 00:00:00'], // everything
    ['1999-01-01 00:00:00', '2000-01-01 00:00:00'], // before everything
  ];
  for (let i = 0; i < 120; i++) {
    // Any second: bounds inside days, between points, far outside the data.
    const a = first + Math.floor((rnd() * span) / 1000) * 1000;
    const len = [60_000, 3_600_000, 86_400_000, 31 * 86_400_000, 400 * 86_400_000][i % 5]!;
    const b = a + Math.floor((rnd() * len) / 1000) * 1000;
    out.push([naive(a), naive(b)]);
  }
  for (let i = 0; i < 30; i++) {
    // Single points: both bounds on one stored datetime (the repeated hour's included).
    const k = Math.floor(rnd() * N);
    const dt = naive(START + k * 1800_000);
    out.push([dt, dt]);
  }
  return out;
}

/** The same rows in Jeedom's datetime form: the reference scans them without re-converting instants. */
const rows = points.map((p) => ('datetime' in p ? p : { datetime: naive(p.at as number), value: p.value }));

describe("HistoryIndex gives the reference scan's figures exactly", () => {
  const all = ranges();

  it(`over ${all.length} ranges of a 3-year history, every figure getStatistique gives`, () => {
    let nonEmpty = 0;
    let singles = 0;
    all.forEach(([start, end], i) => {
      const ref = getStatistique(rows, start, end, TZ);
      if (ref.count > 0) nonEmpty++;
      if (ref.count === 1) singles++;
      // std and variance scan on both paths (order-dependent floats): checked on a sample.
      const calcs = STAT_CALCS.filter((c) => i % 20 === 0 || (c !== 'std' && c !== 'variance'));
      for (const calc of calcs) {
        const fast = statistiqueFigure(index, calc, start, end, TZ);
        expect({ range: [start, end], calc, value: fast.value, count: fast.count }).toEqual({
          range: [start, end],
          calc,
          value: ref[calc],
          count: ref.count,
        });
      }
    });
    // The ranges really cover the cases they claim to.
    expect(nonEmpty).toBeGreaterThan(100);
    expect(singles).toBeGreaterThan(10);
    expect(all.length - nonEmpty).toBeGreaterThan(5);
  });

  it('the reference over the instants themselves agrees on a sample (the index converts them the same way)', () => {
    for (const [start, end] of [all[0]!, all[7]!, all[12]!]) {
      expect(statistiqueFigure(index, 'sum', start, end, TZ).value).toBe(getStatistique(points, start, end, TZ).sum);
      expect(statistiqueFigure(index, 'last', start, end, TZ).value).toBe(getStatistique(points, start, end, TZ).last);
    }
  });

  it('statisticsBetween, averageBetween, minBetween, maxBetween and lastBetween: same value and text for every calc', () => {
    const opts = { now: Date.parse('2025-05-31T10:00:00Z'), tz: TZ };
    const expressions: Array<[string, string]> = [
      ['first day of january last year 00:00:00', 'last day of last month 23:59:59'],
      ['2 days ago 00:00', '2 days ago 23:59'],
      ['2024-10-27 00:00:00', '2024-10-27 23:59:59'],
      ['2024-10-27 02:00:00', '2024-10-27 02:30:00'],
      ['2024-03-31 01:59:59', '2024-03-31 03:00:00'],
      ['today', 'yesterday'],
      ...all.slice(9, 13),
    ];
    for (const [start, end] of expressions) {
      for (const calc of [...STAT_CALCS, 'st d', 'median']) {
        expect(statisticsBetween(index, calc, start, end, opts)).toEqual(statisticsBetween(rows, calc, start, end, opts));
      }
      for (const round of [0, 2]) {
        expect(averageBetween(index, start, end, opts, round)).toBe(averageBetween(rows, start, end, opts, round));
        expect(minBetween(index, start, end, opts, round)).toBe(minBetween(rows, start, end, opts, round));
        expect(maxBetween(index, start, end, opts, round)).toBe(maxBetween(rows, start, end, opts, round));
      }
      expect(lastBetween(index, start, end, opts)).toBe(lastBetween(rows, start, end, opts));
    }
  });

  it('takes `last` as the scan does: the newest datetime, the last row given among equal ones', () => {
    const dup: HistoryPoint[] = [
      { datetime: '2025-01-01 10:00:00', value: '1' },
      { datetime: '2025-01-01 10:30:00', value: '2' },
      { datetime: '2025-01-01 10:30:00', value: '3' },
      { datetime: '2025-01-01 10:00:00', value: '4' },
    ];
    const i = new HistoryIndex(dup, TZ);
    expect(i.aggregate('2025-01-01 00:00:00', '2025-01-01 23:59:59').last).toBe('3');
    expect(i.aggregate('2025-01-01 00:00:00', '2025-01-01 10:15:00').last).toBe('4');
    expect(getStatistique(dup, '2025-01-01 00:00:00', '2025-01-01 10:15:00').last).toBe('4');
  });

  it('an empty history, and bad input refused as the scan refuses it', () => {
    const empty = new HistoryIndex([], TZ);
    expect(statisticsBetween(empty, 'sum', '2025-01-01', '2025-02-01', { now: 0, tz: TZ }).text).toBe('');
    expect(statisticsBetween(empty, 'count', '2025-01-01', '2025-02-01', { now: 0, tz: TZ }).text).toBe('0');
    expect(() => new HistoryIndex([{ datetime: '2025-01-01T10:00:00', value: 1 }], TZ)).toThrow(DateExpressionError);
    expect(() => statisticsBetween(index, 'sum', 'not a date', 'now', { now: 0, tz: TZ })).toThrow(DateExpressionError);
    // An index holds naive datetimes of one zone: asking in another is a programming error.
    expect(() => statisticsBetween(index, 'sum', '2025-01-01', '2025-02-01', { now: 0, tz: 'UTC' })).toThrow(/built for Europe\/Paris/);
  });
});
