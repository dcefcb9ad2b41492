/**
 * The state of every day of every kind over the history Enedis keeps, for `status --gaps` and
 * `backfill --dry-run`: complete, not yet published, being retried, given up (blacklisted), never
 * asked, or before the meter's history.
 */
import moment from 'moment-timezone';
import { ROUTES } from '../enedis/metering.js';
import type { ReadingKind } from '../readings.js';
import type { ReadingsStore } from '../store/readings.js';
import { addDays, daysBetween, eachDay, localDay } from '../time/local.js';
import { depthStart } from './fetch.js';
import { MAX_ATTEMPTS, newestAskableEnd, RECENT_DAYS } from './plan.js';

export const GAP_STATES = ['complete', 'not_published', 'retrying', 'blacklisted', 'never_asked', 'before_history'] as const;
export type GapState = (typeof GAP_STATES)[number];

export interface KindGaps {
  kind: ReadingKind;
  /** Days [from; to[ Enedis can still give. */
  from: string;
  to: string;
  counts: Record<GapState, number>;
  /** Consecutive days in the same state, as [first, last] (inclusive), oldest first. */
  ranges: Record<GapState, Array<[string, string]>>;
}

export async function kindGaps(store: ReadingsStore, usagePoint: string, kind: ReadingKind, now: Date, tz: string): Promise<KindGaps> {
  const today = localDay(now, tz);
  const from = depthStart(today, ROUTES[kind].depthMonths);
  const to = newestAskableEnd(today, moment.tz(now, tz).hour());
  const meta = await store.meta(usagePoint, kind);
  const records = await store.dayRecords(usagePoint, kind, from, to);
  const counts = Object.fromEntries(GAP_STATES.map((s) => [s, 0])) as Record<GapState, number>;
  const ranges = Object.fromEntries(GAP_STATES.map((s) => [s, [] as Array<[string, string]>])) as Record<GapState, Array<[string, string]>>;
  for (const day of eachDay(from, to)) {
    const rec = records.get(day);
    let state: GapState;
    if (meta.historyStart && day < meta.historyStart) state = 'before_history';
    else if (!rec) state = 'never_asked';
    else if (rec.status === 'complete') state = 'complete';
    else if (daysBetween(day, today) <= RECENT_DAYS) state = 'not_published';
    else state = rec.attempts >= MAX_ATTEMPTS ? 'blacklisted' : 'retrying';
    counts[state]++;
    const list = ranges[state];
    const last = list.at(-1);
    if (last && addDays(last[1], 1) === day) last[1] = day;
    else list.push([day, day]);
  }
  return { kind, from, to, counts, ranges };
}

export function formatRanges(ranges: Array<[string, string]>, max = 6): string {
  const parts = ranges.map(([a, b]) => (a === b ? a : `${a}..${b}`));
  return parts.length <= max ? parts.join(', ') : `${parts.slice(0, max).join(', ')} and ${parts.length - max} more`;
}
