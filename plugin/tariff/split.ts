/**
 * Splitting load-curve energy into peak (HP) and off-peak (HC) hours.
 *
 * The rule: an instant is off-peak when its local wall-clock time (in the meter's zone) falls in
 * one of the off-peak windows of that local day. A reading's energy is spread evenly over the
 * interval it covers (it is an average power), so the off-peak part of its energy is its energy ×
 * (off-peak time of the interval / length of the interval): exact at half-hour boundaries, pro
 * rata when a window starts or ends inside the interval (`HC (0H50-6H50)`, hourly meters at
 * `22H30`). DST days need nothing special: each instant's wall time is taken with the offset in
 * force at that instant, so the missing spring hour has no time at all and both passes of the
 * repeated autumn hour are classified by the same wall-clock times.
 */
import moment from 'moment-timezone';
import { ConfigError } from '../errors.js';
import type { Reading } from '../readings.js';
import type { DayRanges, OffpeakSchedule } from './offpeak.js';
import { formatWindows } from './offpeak.js';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** Off-peak ranges of a local day (`YYYY-MM-DD`). */
export type RangesOfDay = (day: string) => DayRanges;

/** The UTC offset (ms east) in force at an instant, in zone `tz`. */
export function offsetFn(tz: string): (t: number) => number {
  const zone = moment.tz.zone(tz);
  if (!zone) throw new ConfigError(`unknown time zone "${tz}"`);
  // moment counts minutes west of UTC; we want east, in ms.
  return (t: number) => -zone.utcOffset(t) * MINUTE_MS;
}

const dayOfWall = (k: number) => new Date(k * DAY_MS).toISOString().slice(0, 10);

/** Milliseconds of the wall-clock span [ws; we[ (ms since 1970 in wall time) that are off-peak. */
function offpeakOfWallSpan(ws: number, we: number, rangesOf: RangesOfDay): number {
  let total = 0;
  for (let k = Math.floor(ws / DAY_MS); k * DAY_MS < we; k++) {
    const base = k * DAY_MS;
    for (const [a, b] of rangesOf(dayOfWall(k))) {
      const lo = Math.max(ws, base + a * MINUTE_MS);
      const hi = Math.min(we, base + b * MINUTE_MS);
      if (hi > lo) total += hi - lo;
    }
  }
  return total;
}

/** Off-peak milliseconds of the instants [start; end[ (ms since epoch). */
export function offpeakMs(start: number, end: number, tz: string, rangesOf: RangesOfDay, offsetAt = offsetFn(tz)): number {
  let total = 0;
  let cur = start;
  // Cut the interval where the UTC offset changes (at most once per interval in practice).
  for (let guard = 0; cur < end && guard < 8; guard++) {
    const off = offsetAt(cur);
    let segEnd = end;
    if (offsetAt(end - 1) !== off) {
      let lo = cur;
      let hi = end - 1; // offsetAt(hi) !== off; find the first such instant
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (offsetAt(mid) === off) lo = mid;
        else hi = mid;
      }
      segEnd = hi;
    }
    total += offpeakOfWallSpan(cur + off, segEnd + off, rangesOf);
    cur = segEnd;
  }
  return total;
}

export interface ReadingSplit {
  /** Energy in mW·ms (1 Wh = 3.6e9): integers, so sums are exact. */
  hp: bigint;
  hc: bigint;
  /** The interval straddles a window boundary: its energy was split pro rata. */
  proRata: boolean;
}

/** Splits one load-curve reading (average W over [start; end[). */
export function splitReading(
  r: Pick<Reading, 'start' | 'end' | 'value'>,
  tz: string,
  rangesOf: RangesOfDay,
  offsetAt = offsetFn(tz),
): ReadingSplit {
  const s = Date.parse(r.start);
  const e = Date.parse(r.end);
  if (!(e > s)) throw new ConfigError(`load-curve reading ${r.start}–${r.end} has no duration`);
  const duration = e - s;
  // Enedis gives whole watts; anything finer is kept to the milliwatt.
  const milliwatts = BigInt(Math.round(r.value * 1000));
  const off = offpeakMs(s, e, tz, rangesOf, offsetAt);
  const hc = milliwatts * BigInt(off);
  const total = milliwatts * BigInt(duration);
  return { hp: total - hc, hc, proRata: off > 0 && off < duration };
}

export interface DaySplit {
  day: string;
  hp: bigint;
  hc: bigint;
  total: bigint;
  /** Load-curve points of the day. */
  points: number;
  /** Interval length(s) seen, in minutes. */
  intervalMinutes: number[];
  /** Readings split pro rata (straddling a window boundary). */
  proRata: number;
  /** The windows that applied, "22:00-06:00;…" ("" for none). */
  windows: string;
  windowsSource: string;
}

/** Per-day HP/HC of load-curve readings (each reading counted on its `day`, the day it starts). */
export function splitByDay(readings: Reading[], schedule: OffpeakSchedule, tz: string): DaySplit[] {
  const offsetAt = offsetFn(tz);
  const rangesOf: RangesOfDay = (day) => schedule.at(day)?.set.ranges ?? [];
  const days = new Map<string, DaySplit>();
  for (const r of readings) {
    if (r.unit !== 'W') continue;
    let d = days.get(r.day);
    if (!d) {
      const period = schedule.at(r.day);
      d = {
        day: r.day,
        hp: 0n,
        hc: 0n,
        total: 0n,
        points: 0,
        intervalMinutes: [],
        proRata: 0,
        windows: period ? formatWindows(period.set.windows) : '',
        windowsSource: period?.source ?? 'none',
      };
      days.set(r.day, d);
    }
    const split = splitReading(r, tz, rangesOf, offsetAt);
    d.hp += split.hp;
    d.hc += split.hc;
    d.total += split.hp + split.hc;
    d.points++;
    if (split.proRata) d.proRata++;
    const minutes = Math.round((Date.parse(r.end) - Date.parse(r.start)) / MINUTE_MS);
    if (!d.intervalMinutes.includes(minutes)) d.intervalMinutes.push(minutes);
  }
  return [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
}
