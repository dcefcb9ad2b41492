/**
 * Jeedom's statistics semantics (docs/jeedom-api.md §5), on hand-computed examples.
 */
import { describe, expect, it } from 'vitest';
import { DateExpressionError } from '../plugin/errors.js';
import {
  averageBetween,
  formatJeedomValue,
  getStatistique,
  lastBetween,
  maxBetween,
  minBetween,
  statisticsBetween,
  type HistoryPoint,
} from '../plugin/stats/index.js';

const opts = { now: new Date('2025-06-04T10:00:00+02:00'), tz: 'Europe/Paris' };

// The example of docs/jeedom-api.md §5: 22.125 is stored, 22.13 is aggregated.
const FOUR: HistoryPoint[] = [
  { datetime: '2025-06-03 10:00:00', value: '20.5' },
  { datetime: '2025-06-03 10:30:00', value: '21.25' },
  { datetime: '2025-06-03 11:00:00', value: '22.125' },
  { datetime: '2025-06-03 11:30:00', value: '19' },
];

describe('getStatistique', () => {
  it('rounds every value to 2 decimals before aggregating (avg 20.72, not 20.71875)', () => {
    const s = getStatistique(FOUR, '2025-06-03 00:00:00', '2025-06-03 23:59:59');
    expect(s.count).toBe(4);
    expect(s.avg).toBe(20.72);
    expect(s.sum).toBe(82.88); // 20.50 + 21.25 + 22.13 + 19.00
    expect(s.min).toBe(19);
    expect(s.max).toBe(22.13);
    // Deviations from 20.72: -0.22, 0.53, 1.41, -1.72; squares sum to 5.2758; population: / 4.
    expect(s.variance).toBeCloseTo(1.31895, 12);
    expect(s.std).toBeCloseTo(Math.sqrt(1.31895), 12);
    expect(s.last).toBe('19');
  });

  it('includes both bounds', () => {
    expect(getStatistique(FOUR, '2025-06-03 10:00:00', '2025-06-03 11:00:00').count).toBe(3);
    expect(getStatistique(FOUR, '2025-06-03 10:00:01', '2025-06-03 10:59:59').count).toBe(1);
  });

  it('gives nulls and count 0 over an empty range, and no last', () => {
    const s = getStatistique(FOUR, '2025-06-04 00:00:00', '2025-06-04 23:59:59');
    expect(s).toEqual({ avg: null, min: null, max: null, sum: null, count: 0, std: null, variance: null });
    // end before start is simply empty, never swapped
    expect(getStatistique(FOUR, '2025-06-03 23:00:00', '2025-06-03 00:00:00').count).toBe(0);
  });

  it('counts a point present in both history and archive twice, as Jeedom does', () => {
    const dup = [...FOUR, { datetime: '2025-06-03 10:30:00', value: '21.25' }];
    const s = getStatistique(dup, '2025-06-03 00:00:00', '2025-06-03 23:59:59');
    expect(s.count).toBe(5);
    expect(s.sum).toBe(104.13);
  });

  it('casts like MySQL DECIMAL(12,2): half away from zero, numeric prefix, clamp', () => {
    const pts: HistoryPoint[] = [
      { datetime: '2025-01-01 00:00:00', value: '-0.005' },
      { datetime: '2025-01-01 00:30:00', value: '12abc' },
      { datetime: '2025-01-01 01:00:00', value: 'abc' },
      { datetime: '2025-01-01 01:30:00', value: 1.005 },
    ];
    const s = getStatistique(pts, '2025-01-01 00:00:00', '2025-01-01 23:59:59');
    expect(s.min).toBe(-0.01);
    expect(s.sum).toBe(13); // -0.01 + 12 + 0 + 1.01
    expect(
      getStatistique([{ datetime: '2025-01-01 00:00:00', value: '123456789012' }], '2025-01-01 00:00:00', '2025-01-01 00:00:00').max,
    ).toBe(9999999999.99);
  });

  it('keeps the repeated autumn hour as Jeedom stores it: two rows at the same naive time', () => {
    const pts: HistoryPoint[] = [
      { at: new Date('2025-10-26T00:30:00Z'), value: 100 }, // 02:30 summer time
      { at: new Date('2025-10-26T01:30:00Z'), value: 200 }, // 02:30 winter time
    ];
    const s = getStatistique(pts, '2025-10-26 02:00:00', '2025-10-26 02:59:59', 'Europe/Paris');
    expect(s.count).toBe(2);
    expect(s.sum).toBe(300);
  });

  it('refuses a point whose datetime is not Jeedom’s form', () => {
    expect(() => getStatistique([{ datetime: '2025-01-01T00:00:00', value: 1 }], '2025-01-01 00:00:00', '2025-01-02 00:00:00')).toThrow(
      /history point #0 has datetime "2025-01-01T00:00:00"/,
    );
  });
});

describe('statisticsBetween', () => {
  it('prints values as Jeedom returns them', () => {
    const r = (calc: string): string => statisticsBetween(FOUR, calc, 'yesterday 00:00', 'yesterday 23:59:59', opts).text;
    expect(r('avg')).toBe('20.720000');
    expect(r('sum')).toBe('82.88');
    expect(r('min')).toBe('19.00');
    expect(r('max')).toBe('22.13');
    expect(r('count')).toBe('4');
    expect(r('last')).toBe('19');
    expect(r(' s u m ')).toBe('82.88'); // spaces are removed from calc
    expect(r('median')).toBe(''); // not a Jeedom calculation
    expect(Number(r('variance'))).toBeCloseTo(1.31895, 12);
  });

  it("gives '' for every calculation but count over an empty range", () => {
    for (const calc of ['avg', 'min', 'max', 'sum', 'std', 'variance', 'last']) {
      const res = statisticsBetween(FOUR, calc, 'today 00:00', 'today 23:59:59', opts);
      expect([calc, res.value, res.text]).toEqual([calc, '', '']);
    }
    const count = statisticsBetween(FOUR, 'count', 'today 00:00', 'today 23:59:59', opts);
    expect([count.value, count.text]).toEqual([0, '0']);
  });

  it('resolves the forum scenario bounds in the box zone and returns them', () => {
    // One point a day, 1000 Wh each, from April 1 to June 4 2025.
    const daily: HistoryPoint[] = [];
    for (let d = Date.UTC(2025, 3, 1); d <= Date.UTC(2025, 5, 4); d += 86400000) {
      daily.push({ datetime: `${new Date(d).toISOString().slice(0, 10)} 00:00:00`, value: 1000 });
    }
    const lastMonth = statisticsBetween(daily, 'sum', 'first day of last month 00:00:00', 'last day of last month 23:59:59', opts);
    expect(lastMonth.value).toBe(31000);
    expect(lastMonth.count).toBe(31);
    expect(lastMonth.start).toEqual({ local: '2025-05-01 00:00:00', iso: '2025-05-01T00:00:00+02:00' });
    expect(lastMonth.end).toEqual({ local: '2025-05-31 23:59:59', iso: '2025-05-31T23:59:59+02:00' });
    // "this week" of the forum scenario on Wednesday June 4: Monday June 2 to today 00:00 inclusive.
    expect(statisticsBetween(daily, 'sum', 'previous monday 00:00:00', 'Today', opts).value).toBe(3000);
  });

  it('gives the same answer for instants as for Jeedom datetimes', () => {
    const asInstants: HistoryPoint[] = FOUR.map((p) => ({
      at: new Date(`${('datetime' in p ? p.datetime : '').replace(' ', 'T')}+02:00`),
      value: p.value,
    }));
    const a = statisticsBetween(FOUR, 'avg', 'yesterday 00:00', 'yesterday 23:59:59', opts);
    const b = statisticsBetween(asInstants, 'avg', 'yesterday 00:00', 'yesterday 23:59:59', opts);
    expect(b.text).toBe(a.text);
  });

  it('accepts Date bounds', () => {
    const r = statisticsBetween(FOUR, 'count', new Date('2025-06-03T08:00:00Z'), new Date('2025-06-03T09:00:00Z'), opts);
    expect(r.value).toBe(3); // 10:00 to 11:00 Paris
  });

  it('refuses an unparseable bound instead of summing from 1970 (the deliberate difference)', () => {
    expect(() => statisticsBetween(FOUR, 'sum', 'not a date', 'today', opts)).toThrow(DateExpressionError);
    expect(() => statisticsBetween(FOUR, 'sum', 'not a date', 'today', opts)).toThrow(/cannot understand "not a date"/);
  });
});

describe('the rounded *Between functions', () => {
  it('round like PHP round(), 1 decimal by default', () => {
    expect(averageBetween(FOUR, 'yesterday 00:00', 'yesterday 23:59:59', opts)).toBe(20.7);
    expect(averageBetween(FOUR, 'yesterday 00:00', 'yesterday 23:59:59', opts, 2)).toBe(20.72);
    expect(minBetween(FOUR, 'yesterday 00:00', 'yesterday 23:59:59', opts)).toBe(19);
    expect(maxBetween(FOUR, 'yesterday 00:00', 'yesterday 23:59:59', opts)).toBe(22.1);
    expect(maxBetween(FOUR, 'yesterday 00:00', 'yesterday 23:59:59', opts, 0)).toBe(22);
    expect(lastBetween(FOUR, 'yesterday 10:00', 'yesterday 10:59', opts)).toBe(21.3); // round(21.25, 1), half away from zero
  });

  it("give '' over an empty range", () => {
    expect(averageBetween(FOUR, 'today 00:00', 'today 23:59', opts)).toBe('');
    expect(lastBetween(FOUR, 'today 00:00', 'today 23:59', opts)).toBe('');
  });

  it('formatJeedomValue prints floats as PHP does', () => {
    expect(formatJeedomValue('std', 1 / 3)).toBe('0.33333333333333');
    expect(formatJeedomValue('variance', 0.00001)).toBe('1.0E-5');
    expect(formatJeedomValue('sum', 1234.5)).toBe('1234.50');
    expect(formatJeedomValue('avg', 20.72)).toBe('20.720000');
    expect(formatJeedomValue('last', '21.250')).toBe('21.250');
  });
});
