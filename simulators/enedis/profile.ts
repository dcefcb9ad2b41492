/**
 * Deterministic household profile for the Enedis simulator: every value is a pure function of the
 * PDL and the instant, so two fetches give identical answers and tests can compute expectations.
 *
 * The day is built from 5-minute slots holding an integer energy in Wh. A curve point of m minutes
 * (m ∈ 10, 15, 30, 60) is the sum of its m/5 slots; its average power W = sum × 60 / m is then an
 * integer, and W × m / 60 gives back exactly that integer energy. Hence the daily energy equals the
 * sum over the day's curve points of W × m / 60, whatever the meter's storage step.
 */
import moment from 'moment-timezone';

export const SLOT_MINUTES = 5;
const SLOT_MS = SLOT_MINUTES * 60_000;
export const DEFAULT_TZ = 'Europe/Paris';

export type Direction = 'consumption' | 'production';
export type CurveStep = 10 | 15 | 30 | 60;

export interface SimCurvePoint {
  /** The label exactly as the API writes it: END of the interval, local wall clock. */
  label: string;
  /** Average power over the interval, W (integer). */
  value: number;
  /** Energy over the interval, Wh (integer, = value × minutes / 60). */
  energyWh: number;
  /** End of the interval, ISO-8601 with offset (the label's instant). */
  instantIso: string;
  /** Start of the interval, ISO-8601 with offset. */
  startIso: string;
  intervalMinutes: number;
}

export interface SimMaxPower {
  /** VA, integer. */
  value: number;
  /** Local wall clock instant of the maximum, `YYYY-MM-DD HH:MM:SS`. */
  label: string;
  instantIso: string;
}

/** FNV-1a, 32 bits: small, stable, good enough to scatter a profile. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // final avalanche so that neighbouring inputs land far apart
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Uniform in [0, 1), a pure function of its parts. */
export function rand01(...parts: Array<string | number>): number {
  return hash32(parts.join('|')) / 4294967296;
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/** [start, end[ of a local day, in epoch ms. */
export function dayBounds(day: string, tz: string = DEFAULT_TZ): { start: number; end: number } {
  if (!DAY_RE.test(day)) throw new Error(`simulator: day must be YYYY-MM-DD, got '${day}'`);
  const start = moment.tz(day, 'YYYY-MM-DD', true, tz);
  if (!start.isValid()) throw new Error(`simulator: invalid day '${day}'`);
  const end = start.clone().add(1, 'day');
  return { start: start.valueOf(), end: end.valueOf() };
}

function zoneOf(tz: string): moment.MomentZone {
  const zone = moment.tz.zone(tz);
  if (!zone) throw new Error(`simulator: unknown time zone '${tz}'`);
  return zone;
}

function wallHour(t: number, zone: moment.MomentZone): number {
  const local = t - zone.utcOffset(t) * 60_000;
  return (((local / 3_600_000) % 24) + 24) % 24;
}

function dayOfYear(day: string): number {
  return moment.utc(day, 'YYYY-MM-DD').dayOfYear();
}

/** Smooth bump centred on `centre` (hours) with half-width `width`, 0 outside. */
function bump(h: number, centre: number, width: number): number {
  const d = Math.abs(h - centre);
  return d >= width ? 0 : 0.5 * (1 + Math.cos((Math.PI * d) / width));
}

/** Cheap per-slot uniform in [0, 1): mixes a day seed with the slot index and a salt. */
function slotRand(seed: number, slot: number, salt: number): number {
  let h = Math.imul(seed ^ Math.imul(slot + 1, 0x9e3779b1), 0x85ebca6b) ^ Math.imul(salt, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  h ^= h >>> 15;
  return (h >>> 0) / 4294967296;
}

interface DayContext {
  seed: number;
  base: number;
  mood: number;
  heatingW: number;
  winter: number;
  peakW: number;
  dayLength: number;
  cloud: number;
}

function dayContext(pdl: string, day: string): DayContext {
  const doy = dayOfYear(day);
  const winter = 0.5 * (1 + Math.cos((2 * Math.PI * (doy - 15)) / 365)); // 1 mid-January, 0 mid-July
  const summer = 0.5 * (1 + Math.cos((2 * Math.PI * (doy - 172)) / 365)); // 1 at the June solstice
  return {
    seed: hash32(`${pdl}|${day}`),
    base: 200 + 200 * rand01(pdl, 'base'), // night base load 200–400 W
    mood: 0.8 + 0.4 * rand01(pdl, day, 'mood'),
    heatingW: 1000 * (0.4 + 0.8 * rand01(pdl, 'heat')) * winter * (0.8 + 0.4 * rand01(pdl, day, 'heatday')),
    winter,
    peakW: (2000 + 4000 * rand01(pdl, 'kwc')) * (0.35 + 0.65 * summer),
    dayLength: 8.5 + 7.5 * summer, // hours of sun
    cloud: 0.25 + 0.75 * rand01(pdl, day, 'cloud'),
  };
}

function consumptionPower(c: DayContext, h: number, slot: number): number {
  const awake = h >= 6.5 && h < 23 ? 1 : 0.3;
  let p = c.base;
  p += c.heatingW * awake;
  p += 900 * c.mood * bump(h, 7.5, 1.2); // breakfast
  p += 500 * c.mood * bump(h, 12.5, 1.0); // lunch
  p += 1600 * c.mood * bump(h, 20, 2.5) * (0.8 + 0.5 * c.winter); // evening peak
  p *= 0.85 + 0.3 * slotRand(c.seed, slot, 1);
  // a few appliance bursts (oven, washing machine) during waking hours
  if (h >= 8 && h < 22 && slotRand(c.seed, slot, 2) < 0.03) p += 1500 + 1500 * slotRand(c.seed, slot, 3);
  return p;
}

function productionPower(c: DayContext, t: number, slot: number): number {
  const utcHour = (((t / 3_600_000) % 24) + 24) % 24;
  const noon = 11.8; // solar noon in UTC for metropolitan France
  const x = (utcHour - (noon - c.dayLength / 2)) / c.dayLength;
  if (x <= 0 || x >= 1) return 0;
  return c.peakW * Math.sin(Math.PI * x) ** 2 * c.cloud * (0.9 + 0.2 * slotRand(c.seed, slot, 4));
}

interface DaySlots {
  start: number;
  /** Wh per 5-minute slot. */
  energy: number[];
}

const slotCache = new Map<string, DaySlots>();
const SLOT_CACHE_MAX = 4000;

/** The day's 5-minute slot energies (Wh, integers). 288 slots, 276 or 300 on DST days. */
export function daySlots(pdl: string, day: string, tz: string = DEFAULT_TZ, direction: Direction = 'consumption'): DaySlots {
  const key = `${pdl}|${day}|${tz}|${direction}`;
  const hit = slotCache.get(key);
  if (hit) return hit;
  const { start, end } = dayBounds(day, tz);
  const n = Math.round((end - start) / SLOT_MS);
  const energy = new Array<number>(n);
  const ctx = dayContext(pdl, day);
  const zone = zoneOf(tz);
  for (let k = 0; k < n; k++) {
    const t = start + k * SLOT_MS;
    const p =
      direction === 'consumption' ? consumptionPower(ctx, wallHour(t + SLOT_MS / 2, zone), k) : productionPower(ctx, t + SLOT_MS / 2, k);
    energy[k] = Math.max(direction === 'consumption' ? 1 : 0, Math.round((p * SLOT_MINUTES) / 60));
  }
  const value = { start, energy };
  if (slotCache.size >= SLOT_CACHE_MAX) {
    const first = slotCache.keys().next().value;
    if (first !== undefined) slotCache.delete(first);
  }
  slotCache.set(key, value);
  return value;
}

const pad = (n: number) => (n < 10 ? `0${n}` : String(n));

function wallParts(t: number, tz: string): { wall: string; offset: string } {
  // formatting by hand: moment's format() dominated the time of a 2-year backfill
  const off = zoneOf(tz).utcOffset(t); // minutes WEST of UTC, as moment's zone data stores it
  const d = new Date(t - off * 60_000);
  const wall = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const a = Math.abs(off);
  const offset = `${off <= 0 ? '+' : '-'}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
  return { wall, offset };
}

/** Local wall-clock label as the API writes it. */
export function localLabel(t: number, tz: string = DEFAULT_TZ): string {
  return wallParts(t, tz).wall;
}

export function isoWithOffset(t: number, tz: string = DEFAULT_TZ): string {
  const { wall, offset } = wallParts(t, tz);
  return `${wall.replace(' ', 'T')}${offset}`;
}

/**
 * The day's load curve as the meter stores it (no gaps, no publication rule): points labelled with
 * the END of their interval in local wall time, `D 00:30:00` … `D+1 00:00:00`; 46/50 points (PT30M)
 * on DST days, October's 02:00/02:30 labels twice, in chronological order.
 */
export function simulatedCurve(
  usagePoint: string,
  day: string,
  intervalMinutes: number = 30,
  tz: string = DEFAULT_TZ,
  direction: Direction = 'consumption',
): SimCurvePoint[] {
  if (![10, 15, 30, 60].includes(intervalMinutes)) {
    throw new Error(`simulator: interval must be 10, 15, 30 or 60 minutes, got ${intervalMinutes}`);
  }
  const { start, energy } = daySlots(usagePoint, day, tz, direction);
  const per = intervalMinutes / SLOT_MINUTES;
  const points: SimCurvePoint[] = [];
  for (let k = 0; k + per <= energy.length; k += per) {
    let wh = 0;
    for (let j = 0; j < per; j++) wh += energy[k + j] ?? 0;
    const s = start + k * SLOT_MS;
    const e = s + intervalMinutes * 60_000;
    points.push({
      label: localLabel(e, tz),
      value: (wh * 60) / intervalMinutes,
      energyWh: wh,
      instantIso: isoWithOffset(e, tz),
      startIso: isoWithOffset(s, tz),
      intervalMinutes,
    });
  }
  return points;
}

/** The day's energy in Wh: equals the sum of W × minutes / 60 over that day's curve points, any step. */
export function simulatedDaily(usagePoint: string, day: string, tz: string = DEFAULT_TZ, direction: Direction = 'consumption'): number {
  return daySlots(usagePoint, day, tz, direction).energy.reduce((a, b) => a + b, 0);
}

export function simulatedProductionCurve(
  usagePoint: string,
  day: string,
  intervalMinutes: number = 30,
  tz: string = DEFAULT_TZ,
): SimCurvePoint[] {
  return simulatedCurve(usagePoint, day, intervalMinutes, tz, 'production');
}

export function simulatedDailyProduction(usagePoint: string, day: string, tz: string = DEFAULT_TZ): number {
  return simulatedDaily(usagePoint, day, tz, 'production');
}

/**
 * Daily max power (VA): at least the largest 5-minute average power of the day, hence ≥ every curve
 * point's W whatever the step; its instant lies inside that 5-minute slot, inside the day.
 */
export function simulatedMaxPower(usagePoint: string, day: string, tz: string = DEFAULT_TZ): SimMaxPower {
  const { start, energy } = daySlots(usagePoint, day, tz, 'consumption');
  let best = 0;
  for (let k = 1; k < energy.length; k++) if ((energy[k] ?? 0) > (energy[best] ?? 0)) best = k;
  const w = (energy[best] ?? 0) * (60 / SLOT_MINUTES);
  const va = Math.round(w * (1.04 + 0.12 * rand01(usagePoint, day, 'pf'))) + Math.round(150 * rand01(usagePoint, day, 'peak'));
  const t = start + best * SLOT_MS + Math.floor(rand01(usagePoint, day, 'sec') * 300) * 1000;
  return { value: va, label: localLabel(t, tz), instantIso: isoWithOffset(t, tz) };
}

/** `YYYY-MM-DD` of an instant in `tz`. */
export function localDay(t: number | Date, tz: string = DEFAULT_TZ): string {
  return moment(t instanceof Date ? t.getTime() : t)
    .tz(tz)
    .format('YYYY-MM-DD');
}

/** Days of [start; end[ as `YYYY-MM-DD` strings. */
export function daysBetween(start: string, end: string): string[] {
  const out: string[] = [];
  const d = moment.utc(start, 'YYYY-MM-DD', true);
  const e = moment.utc(end, 'YYYY-MM-DD', true);
  for (let i = 0; d.isBefore(e) && i < 20000; i++) {
    out.push(d.format('YYYY-MM-DD'));
    d.add(1, 'day');
  }
  return out;
}
