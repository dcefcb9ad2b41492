/**
 * Which days to ask Enedis for, and in how few calls. Pure functions: the runner feeds them the
 * store's day records and the clock.
 */
import type { DayRecord } from '../store/readings.js';
import { addDays, daysBetween } from '../time/local.js';

/** Enedis publishes day J from J+1 08:00 local time (docs/enedis-api.md §4). */
export const PUBLICATION_HOUR = 8;
/** Days this close to today may still be published late: re-asked even the same day, hourly. */
export const RECENT_DAYS = 3;
/** After this many fruitless attempts on different days, an old day is left alone (EnedisGateway2MQTT's blacklist, docs/origins.md §8). */
export const MAX_ATTEMPTS = 7;

/** The exclusive end of what can be asked: today after 08:00, yesterday before. */
export function newestAskableEnd(today: string, localHour: number): string {
  return localHour >= PUBLICATION_HOUR ? today : addDays(today, -1);
}

export interface NeedContext {
  today: string;
  now: Date;
  /** Ask again for days given up after MAX_ATTEMPTS (--retry-blacklisted). */
  retryBlacklisted?: boolean;
}

export function dayNeedsFetch(day: string, record: DayRecord | undefined, ctx: NeedContext): boolean {
  if (!record) return true;
  if (record.status === 'complete') return false;
  if (daysBetween(day, ctx.today) <= RECENT_DAYS) {
    return ctx.now.getTime() - Date.parse(record.fetchedAt) >= 3600_000;
  }
  return record.lastAttemptDay < ctx.today && (ctx.retryBlacklisted || record.attempts < MAX_ATTEMPTS);
}

/**
 * Covers the needed days with the fewest calls of at most `maxDays` each: start a call at the
 * oldest needed day and let it reach as far as allowed (greedy covering is optimal on a line).
 * A call ends just after the last needed day it covers, so known days cost nothing extra.
 */
export function planCalls(neededDays: string[], maxDays: number): Array<[string, string]> {
  const days = [...neededDays].sort();
  const calls: Array<[string, string]> = [];
  let i = 0;
  while (i < days.length) {
    const first = days[i]!;
    const limit = addDays(first, maxDays);
    let last = first;
    while (i < days.length && days[i]! < limit) last = days[i++]!;
    calls.push([first, addDays(last, 1)]);
  }
  return calls;
}
