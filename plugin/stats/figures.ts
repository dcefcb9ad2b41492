/**
 * The forum scenario's six figures (docs/origins.md §6), computed with the scenario's own statisticsbetween expressions
 * (so they mean exactly what its users are used to, PHP quirks included) over daily consumption.
 */
import { statisticsBetween, type History, type HistoryPoint } from './statistics.js';

export interface SeedFigure {
  /** logicalId of the Jeedom info command that shows it. */
  logicalId:
    | 'stats_day_kwh'
    | 'stats_this_week_kwh'
    | 'stats_last_week_kwh'
    | 'stats_this_month_kwh'
    | 'stats_last_month_kwh'
    | 'stats_this_year_kwh';
  start: string;
  end: string;
}

/** Days of daily consumption the six figures can reach back to: "this year" and "last month" at most. */
export const FIGURE_DAYS = 400;

/**
 * The forum scenario's expressions. Enedis publishes a day the next morning, so its "yesterday" is the day
 * before yesterday; "this week", "this month" and "this year" stop at today 00:00. On a Monday,
 * PHP's "previous monday" is a week ago, so "this week" then covers the previous 7 days.
 */
export const SEED_FIGURES: readonly SeedFigure[] = [
  { logicalId: 'stats_day_kwh', start: '2 days ago 00:00', end: '2 days ago 23:59' },
  { logicalId: 'stats_this_week_kwh', start: 'previous monday 00:00:00', end: 'Today' },
  { logicalId: 'stats_last_week_kwh', start: 'monday last week 00:00', end: 'sunday last week 23:59' },
  { logicalId: 'stats_this_month_kwh', start: 'first day of this month 00:00:00', end: 'Today' },
  { logicalId: 'stats_last_month_kwh', start: 'first day of last month 00:00:00', end: 'last day of last month 23:59:59' },
  { logicalId: 'stats_this_year_kwh', start: 'first day of january this year 00:00:00', end: 'Today' },
];

export interface SeedFigureValue extends SeedFigure {
  /** kWh (sum of Wh / 1000), or null when no day of the range is known. */
  kwh: number | null;
  days: number;
  /**
   * Days the range covers (a day counts when its daily point, at `dailyTime`, falls inside). A
   * figure with `days < periodDays` is partial: built on fewer days than its period.
   */
  periodDays: number;
}

/** Daily consumption readings as Jeedom holds them: one point per day at `<day> 12:00:00`. */
export function dailyPoints(days: ReadonlyArray<{ day: string; value: number }>, dailyTime = '12:00:00'): HistoryPoint[] {
  return days.map((d) => ({ datetime: `${d.day} ${dailyTime}`, value: d.value }));
}

export function seedFigures(points: History, now: Date, tz: string, dailyTime = '12:00:00'): SeedFigureValue[] {
  return SEED_FIGURES.map((f) => {
    const r = statisticsBetween(points, 'sum', f.start, f.end, { now, tz });
    return {
      ...f,
      kwh: r.value === '' ? null : Number(r.value) / 1000,
      days: r.count,
      periodDays: daysCovered(r.start.local, r.end.local, dailyTime),
    };
  });
}

/** Days whose `<day> <dailyTime>` lies in [start; end] (Jeedom datetimes, compared as text as Jeedom does). */
export function daysCovered(start: string, end: string, dailyTime = '12:00:00'): number {
  let n = 0;
  for (let d = start.slice(0, 10); d <= end.slice(0, 10); d = nextDay(d)) {
    const at = `${d} ${dailyTime}`;
    if (at >= start && at <= end) n++;
  }
  return n;
}

function nextDay(day: string): string {
  const t = new Date(`${day}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + 1);
  return t.toISOString().slice(0, 10);
}
