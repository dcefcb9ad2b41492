/**
 * From a parsed time to an instant, as PHP's strtotime does it: `timelib_fill_holes` with the
 * "now" broken down in the default zone, then `timelib_update_ts` (timelib tm2unixtime.c): special
 * relatives first (first/last day of, Nth weekday of), then the weekday move, then the relative
 * units added to the wall clock (so `+1 month` on Jan 31 overflows into March, and `+1 hour`
 * is wall-clock hours), then normalisation, then the wall time mapped to UTC with timelib's own
 * DST rules (a time in the spring gap moves forward; a repeated autumn time takes the later,
 * standard-time occurrence).
 */
import {
  FIRST_DAY_OF_MONTH,
  LAST_DAY_OF_MONTH,
  SPECIAL_DAY_OF_WEEK_IN_MONTH,
  SPECIAL_LAST_DAY_OF_WEEK_IN_MONTH,
  SPECIAL_WEEKDAY,
  UNSET,
  ZONETYPE_ABBR,
  ZONETYPE_ID,
  ZONETYPE_OFFSET,
  dayOfWeek,
  daysFromCivil,
  type ParsedTime,
} from './parse.js';
import type { Zone } from './zone.js';

/** C integer division (truncates toward zero). */
const idiv = (a: number, b: number): number => Math.trunc(a / b);

/** timelib do_range_limit: brings *a into [start, end) carrying into *b. */
function rangeLimit(start: number, end: number, adj: number, a: number, b: number): [number, number] {
  if (a < start) {
    const k = idiv(start - a - 1, adj) + 1;
    b -= k;
    a += adj * k;
  }
  if (a >= end) {
    b += idiv(a, adj);
    a -= adj * idiv(a, adj);
  }
  return [a, b];
}

export function civilFromDays(z: number): { y: number; m: number; d: number } {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: era * 400 + yoe + (m <= 2 ? 1 : 0), m, d };
}

/** timelib_do_normalize: carries seconds up to days, then days into months and years. */
function normalize(t: ParsedTime): void {
  if (t.us !== UNSET) [t.us, t.s] = rangeLimit(0, 1000000, 1000000, t.us, t.s);
  if (t.s !== UNSET) [t.s, t.i] = rangeLimit(0, 60, 60, t.s, t.i);
  if (t.s !== UNSET) [t.i, t.h] = rangeLimit(0, 60, 60, t.i, t.h);
  if (t.s !== UNSET) [t.h, t.d] = rangeLimit(0, 24, 24, t.h, t.d);
  [t.m, t.y] = rangeLimit(1, 13, 12, t.m, t.y);
  const c = civilFromDays(daysFromCivil(t.y, t.m, 1) + t.d - 1);
  t.y = c.y;
  t.m = c.m;
  t.d = c.d;
}

function adjustForWeekday(t: ParsedTime): void {
  const r = t.relative;
  const currentDow = dayOfWeek(t.y, t.m, t.d);
  if (r.weekdayBehavior === 2) {
    // "this week" when today is a Sunday, and "sunday this week" otherwise (timelib comments).
    if (currentDow === 0 && r.weekday !== 0) r.weekday -= 7;
    if (r.weekday === 0 && currentDow !== 0) r.weekday = 7;
    t.d -= currentDow;
    t.d += r.weekday;
    return;
  }
  let difference = r.weekday - currentDow;
  if ((r.d < 0 && difference < 0) || (r.d >= 0 && difference <= -r.weekdayBehavior)) difference += 7;
  if (r.weekday >= 0) t.d += difference;
  else t.d -= 7 - (Math.abs(r.weekday) - currentDow);
  r.haveWeekdayRelative = false;
}

function adjustSpecialEarly(t: ParsedTime): void {
  const r = t.relative;
  if (r.haveSpecialRelative) {
    if (r.specialType === SPECIAL_DAY_OF_WEEK_IN_MONTH) {
      t.d = 1;
      t.m += r.m;
      r.m = 0;
    } else if (r.specialType === SPECIAL_LAST_DAY_OF_WEEK_IN_MONTH) {
      t.d = 1;
      t.m += r.m + 1;
      r.m = 0;
    }
  }
  firstLastDayOf(t);
  normalize(t);
}

function firstLastDayOf(t: ParsedTime): void {
  if (t.relative.firstLastDayOf === FIRST_DAY_OF_MONTH) t.d = 1;
  else if (t.relative.firstLastDayOf === LAST_DAY_OF_MONTH) {
    t.d = 0;
    t.m++;
  }
}

function adjustRelative(t: ParsedTime): void {
  const r = t.relative;
  if (r.haveWeekdayRelative) adjustForWeekday(t);
  normalize(t);
  if (t.haveRelative) {
    t.us += r.us;
    t.s += r.s;
    t.i += r.i;
    t.h += r.h;
    t.d += r.d;
    t.m += r.m;
    t.y += r.y;
  }
  firstLastDayOf(t);
  normalize(t);
}

function adjustSpecialWeekday(t: ParsedTime): void {
  const count = t.relative.specialAmount;
  const dow = dayOfWeek(t.y, t.m, t.d);
  t.d += idiv(count, 5) * 7;
  const rem = count % 5;
  if (count > 0) {
    if (rem === 0) {
      if (dow === 0) t.d -= 2;
      else if (dow === 6) t.d -= 1;
    } else if (dow === 6) t.d += 1;
    else if (dow + rem > 5) t.d += 2;
  } else {
    if (rem === 0) {
      if (dow === 6) t.d += 2;
      else if (dow === 0) t.d += 1;
    } else if (dow === 0) t.d -= 1;
    else if (dow + rem < 1) t.d -= 2;
  }
  t.d += rem;
}

function adjustSpecial(t: ParsedTime): void {
  if (t.relative.haveSpecialRelative && t.relative.specialType === SPECIAL_WEEKDAY) adjustSpecialWeekday(t);
  normalize(t);
  t.relative.specialType = 0;
  t.relative.specialAmount = 0;
}

/** The "now" of strtotime broken down in `zone` (timelib_unixtime2local). */
export interface NowParts {
  y: number;
  m: number;
  d: number;
  h: number;
  i: number;
  s: number;
  z: number;
  dst: number;
  zone: Zone;
}

export function unixtimeToLocal(ts: number, zone: Zone): NowParts {
  const info = zone.offsetInfo(ts);
  const local = ts + info.offset;
  const days = Math.floor(local / 86400);
  const secs = local - days * 86400;
  const c = civilFromDays(days);
  return {
    ...c,
    h: Math.floor(secs / 3600),
    i: Math.floor((secs % 3600) / 60),
    s: secs % 60,
    z: info.offset,
    dst: info.isDst ? 1 : 0,
    zone,
  };
}

/** timelib_fill_holes with TIMELIB_NO_CLOBBER. */
export function fillHoles(t: ParsedTime, now: NowParts): void {
  if (t.haveDate && !t.haveTime) {
    t.h = t.i = t.s = t.us = 0;
  }
  if (t.y !== UNSET || t.m !== UNSET || t.d !== UNSET || t.h !== UNSET || t.i !== UNSET || t.s !== UNSET) {
    if (t.us === UNSET) t.us = 0;
  } else if (t.us === UNSET) t.us = 0; // strtotime's "now" has no microseconds
  if (t.y === UNSET) t.y = now.y;
  if (t.m === UNSET) t.m = now.m;
  if (t.d === UNSET) t.d = now.d;
  if (t.h === UNSET) t.h = now.h;
  if (t.i === UNSET) t.i = now.i;
  if (t.s === UNSET) t.s = now.s;
  if (t.z === UNSET) t.z = now.z;
  // With a zone name in the text PHP keeps the DST flag unset (non-zero), which makes a repeated
  // autumn hour resolve to its first (summer-time) occurrence; checked against php 8.2.
  if (t.dst === UNSET && !(t.zoneType === ZONETYPE_ID && t.zone)) t.dst = now.dst;
  if (!t.zone) t.zone = now.zone;
  if (t.zoneType === 0) t.zoneType = ZONETYPE_ID;
}

/** timelib_update_ts: returns epoch seconds. */
export function updateTs(t: ParsedTime): number {
  adjustSpecialEarly(t);
  adjustRelative(t);
  adjustSpecial(t);
  const sse = daysFromCivil(t.y, t.m, t.d) * 86400 + t.h * 3600 + t.i * 60 + t.s;
  return sse + timezoneAdjustment(t, sse);
}

function timezoneAdjustment(t: ParsedTime, sse: number): number {
  switch (t.zoneType) {
    case ZONETYPE_OFFSET:
      return -t.z;
    case ZONETYPE_ABBR:
      return -t.z;
    default: {
      const zone = t.zone;
      if (!zone) return 0;
      const current = zone.offsetInfo(sse);
      const after = zone.offsetInfo(sse - current.offset);
      let actualOffset = after.offset;
      let actualTransition = after.transitionTime;
      if (current.offset === after.offset && t.haveZone) {
        // Only reachable with an explicit zone in the text: timelib looks 2 h around for a change.
        if (current.offset >= 0 && t.dst && !current.isDst) {
          const earlier = zone.offsetInfo(sse - current.offset - 7200);
          if (earlier.offset !== after.offset && sse - earlier.offset < after.transitionTime) {
            actualOffset = earlier.offset;
            actualTransition = earlier.transitionTime;
          }
        } else if (current.offset <= 0 && current.isDst && !t.dst) {
          const later = zone.offsetInfo(sse - current.offset + 7200);
          if (later.offset !== after.offset && sse - later.offset >= later.transitionTime) {
            actualOffset = later.offset;
            actualTransition = later.transitionTime;
          }
        }
      }
      const inTransition =
        actualTransition !== -Infinity &&
        sse - actualOffset >= actualTransition + (current.offset - actualOffset) &&
        sse - actualOffset < actualTransition;
      return current.offset !== actualOffset && !inTransition ? -actualOffset : -current.offset;
    }
  }
}
