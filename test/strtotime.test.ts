/**
 * The forum scenario's date expressions (its six statisticsbetween figures, docs/origins.md §6), resolved on chosen days, with
 * the values PHP 8.2 gives (checked with php-cli when written; the differential test re-checks the
 * whole family). Plus the PHP quirks that matter for those figures.
 */
import { describe, expect, it } from 'vitest';
import { DateExpressionError } from '../plugin/errors.js';
import { formatIso, formatJeedomDatetime, strtotime } from '../plugin/time/strtotime.js';

const TZ = 'Europe/Paris';
const resolve = (expr: string, nowIso: string, tz = TZ): string => formatIso(strtotime(expr, new Date(nowIso), tz), tz);

const SEED = [
  '2 days ago 00:00',
  '2 days ago 23:59',
  'previous monday 00:00:00',
  'monday last week 00:00',
  'sunday last week 23:59',
  'first day of this month 00:00:00',
  'first day of last month 00:00:00',
  'last day of last month 23:59:59',
  'first day of january this year 00:00:00',
  'Today',
] as const;

const EXPECTED: Record<string, string[]> = {
  // Wednesday 2025-06-04 10:00 Paris.
  '2025-06-04T10:00:00+02:00': [
    '2025-06-02T00:00:00+02:00',
    '2025-06-02T23:59:00+02:00',
    '2025-06-02T00:00:00+02:00',
    '2025-05-26T00:00:00+02:00',
    '2025-06-01T23:59:00+02:00',
    '2025-06-01T00:00:00+02:00',
    '2025-05-01T00:00:00+02:00',
    '2025-05-31T23:59:59+02:00',
    '2025-01-01T00:00:00+01:00',
    '2025-06-04T00:00:00+02:00',
  ],
  // Monday 2025-06-02: "previous monday" is a week ago, so the forum scenario's "this week" then spans 8 days.
  '2025-06-02T10:00:00+02:00': [
    '2025-05-31T00:00:00+02:00',
    '2025-05-31T23:59:00+02:00',
    '2025-05-26T00:00:00+02:00',
    '2025-05-26T00:00:00+02:00',
    '2025-06-01T23:59:00+02:00',
    '2025-06-01T00:00:00+02:00',
    '2025-05-01T00:00:00+02:00',
    '2025-05-31T23:59:59+02:00',
    '2025-01-01T00:00:00+01:00',
    '2025-06-02T00:00:00+02:00',
  ],
  // Sunday 2025-06-08 22:00: a Sunday belongs to the week that started on the Monday before.
  '2025-06-08T22:00:00+02:00': [
    '2025-06-06T00:00:00+02:00',
    '2025-06-06T23:59:00+02:00',
    '2025-06-02T00:00:00+02:00',
    '2025-05-26T00:00:00+02:00',
    '2025-06-01T23:59:00+02:00',
    '2025-06-01T00:00:00+02:00',
    '2025-05-01T00:00:00+02:00',
    '2025-05-31T23:59:59+02:00',
    '2025-01-01T00:00:00+01:00',
    '2025-06-08T00:00:00+02:00',
  ],
  // Saturday 2025-03-01 00:30: month start after a short February.
  '2025-03-01T00:30:00+01:00': [
    '2025-02-27T00:00:00+01:00',
    '2025-02-27T23:59:00+01:00',
    '2025-02-24T00:00:00+01:00',
    '2025-02-17T00:00:00+01:00',
    '2025-02-23T23:59:00+01:00',
    '2025-03-01T00:00:00+01:00',
    '2025-02-01T00:00:00+01:00',
    '2025-02-28T23:59:59+01:00',
    '2025-01-01T00:00:00+01:00',
    '2025-03-01T00:00:00+01:00',
  ],
  // Monday 2024-01-01 08:00: every figure crosses the year boundary.
  '2024-01-01T08:00:00+01:00': [
    '2023-12-30T00:00:00+01:00',
    '2023-12-30T23:59:00+01:00',
    '2023-12-25T00:00:00+01:00',
    '2023-12-25T00:00:00+01:00',
    '2023-12-31T23:59:00+01:00',
    '2024-01-01T00:00:00+01:00',
    '2023-12-01T00:00:00+01:00',
    '2023-12-31T23:59:59+01:00',
    '2024-01-01T00:00:00+01:00',
    '2024-01-01T00:00:00+01:00',
  ],
};

describe('the forum scenario expressions', () => {
  for (const [now, values] of Object.entries(EXPECTED)) {
    it(`resolve as PHP does with now = ${now}`, () => {
      expect(SEED.map((e) => resolve(e, now))).toEqual(values);
    });
  }
});

describe('PHP quirks kept on purpose', () => {
  it('overflows months: +1 month on January 31 is March 3', () => {
    expect(resolve('+1 month', '2025-01-31T12:00:00+01:00')).toBe('2025-03-03T12:00:00+01:00');
    expect(resolve('last day of next month', '2025-01-31T12:00:00+01:00')).toBe('2025-02-28T12:00:00+01:00');
  });

  it('moves a wall time in the spring gap forward by the gap', () => {
    expect(resolve('02:30', '2025-03-30T00:10:00+01:00')).toBe('2025-03-30T03:30:00+02:00');
    expect(resolve('2025-03-30 02:00:00', '2025-01-01T00:00:00+01:00')).toBe('2025-03-30T03:00:00+02:00');
  });

  it('takes the second (standard-time) occurrence of a repeated autumn hour, the first with a zone name', () => {
    expect(resolve('2025-10-26 02:30:00', '2025-01-01T00:00:00+01:00')).toBe('2025-10-26T02:30:00+01:00');
    expect(resolve('2025-10-26 02:30:00 Europe/Paris', '2025-01-01T00:00:00+01:00')).toBe('2025-10-26T02:30:00+02:00');
  });

  it('adds relative hours on the wall clock, not in elapsed time', () => {
    // 01:30 summer time + 1 hour = 02:30 winter time, two real hours later (PHP 8.2 behaviour).
    expect(resolve('+1 hour', '2025-10-26T01:30:00+02:00')).toBe('2025-10-26T02:30:00+01:00');
    expect(resolve('+30 min', '2025-03-30T01:30:00+01:00')).toBe('2025-03-30T03:00:00+02:00');
  });

  it('reads a bare year as a time of day, and a weekday name resets the time', () => {
    expect(resolve('2024', '2025-06-04T10:00:00+02:00')).toBe('2025-06-04T20:24:00+02:00');
    expect(resolve('10:00 monday', '2025-06-04T10:00:00+02:00')).toBe('2025-06-09T00:00:00+02:00');
  });

  it('accepts case and spacing as PHP does', () => {
    expect(resolve('  FIRST DAY OF NEXT MONTH  ', '2025-06-04T10:00:00+02:00')).toBe('2025-07-01T10:00:00+02:00');
    expect(resolve('+1day', '2025-06-04T10:00:00+02:00')).toBe('2025-06-05T10:00:00+02:00');
    expect(() => resolve('first  day of next month', '2025-06-04T10:00:00+02:00')).toThrow(DateExpressionError);
  });
});

describe('errors and formatting', () => {
  it('says where it stopped understanding', () => {
    expect(() => resolve('first day of last mnth', '2025-06-04T10:00:00+02:00')).toThrow(
      /cannot understand "first day of last mnth" at position 14: "last" is neither a date word PHP knows nor a time zone \(/,
    );
    expect(() => resolve('next mnth!', '2025-06-04T10:00:00+02:00')).toThrow(
      /at position 1: "next" is neither .*; then at position 10: unexpected character "!"/,
    );
    expect(() => resolve('', '2025-06-04T10:00:00+02:00')).toThrow(/empty date expression/);
    expect(() => resolve('10:00 11:00', '2025-06-04T10:00:00+02:00')).toThrow(/position 7: "11:00" is a second time of day/);
  });

  it('refuses an unknown zone and a bad now', () => {
    expect(() => strtotime('today', new Date(), 'Mars/Olympus')).toThrow(/unknown time zone "Mars\/Olympus"/);
    expect(() => strtotime('today', new Date('nope'), TZ)).toThrow(/not a valid date/);
  });

  it('formats with offset and seconds, and in the naive form Jeedom stores', () => {
    const d = new Date('2025-10-26T01:30:00Z');
    expect(formatIso(d, TZ)).toBe('2025-10-26T02:30:00+01:00');
    expect(formatIso(d, 'America/New_York')).toBe('2025-10-25T21:30:00-04:00');
    expect(formatIso(d, 'Asia/Kolkata')).toBe('2025-10-26T07:00:00+05:30');
    expect(formatJeedomDatetime(d, TZ)).toBe('2025-10-26 02:30:00');
  });
});
