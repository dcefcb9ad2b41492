/**
 * Every conversion between Enedis' local strings, instants and local days goes through here.
 * The zone is always explicit (Europe/Paris by default): the machine's own TZ never matters.
 */
import moment from 'moment-timezone';
import { ConfigError, ProtocolError } from '../errors.js';
import { settingDefault } from '../settings.js';

/** The meter's zone when none is set: the tz setting's default (plugin/settings.ts). */
export const DEFAULT_TZ = settingDefault('tz');
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

export function assertZone(tz: string): string {
  if (!moment.tz.zone(tz)) {
    throw new ConfigError(`unknown time zone "${tz}": give an IANA zone name such as Europe/Paris`);
  }
  return tz;
}

export function isDay(value: string): boolean {
  return DAY_RE.test(value) && moment.utc(value, 'YYYY-MM-DD', true).isValid();
}

/** The local calendar day (`YYYY-MM-DD`) of an instant. */
export function localDay(instant: Date | number, tz: string): string {
  return moment.tz(instant, tz).format('YYYY-MM-DD');
}

/** Calendar arithmetic on `YYYY-MM-DD` strings (no zone involved: days are labels). */
export function addDays(day: string, n: number): string {
  return moment.utc(day, 'YYYY-MM-DD', true).add(n, 'days').format('YYYY-MM-DD');
}

export function daysBetween(fromDay: string, toDay: string): number {
  return moment.utc(toDay, 'YYYY-MM-DD', true).diff(moment.utc(fromDay, 'YYYY-MM-DD', true), 'days');
}

/** Days in [from; to[ in order. */
export function eachDay(fromDay: string, toDayExclusive: string): string[] {
  const out: string[] = [];
  for (let d = fromDay; d < toDayExclusive; d = addDays(d, 1)) out.push(d);
  return out;
}

/** The instant a local day starts (00:00 local; Paris has no DST change at midnight). */
export function dayStart(day: string, tz: string): moment.Moment {
  return moment.tz(day, 'YYYY-MM-DD', true, tz).startOf('day');
}

/** ISO-8601 with the zone's offset at that instant: `2024-10-27T02:30:00+01:00`. */
export function isoInZone(instant: Date | number | moment.Moment, tz: string): string {
  return moment.tz(moment.isMoment(instant) ? instant.valueOf() : instant, tz).format('YYYY-MM-DDTHH:mm:ssZ');
}

/** Jeedom-style local datetime without offset: `2024-10-27 02:30:00`. */
export function localDateTime(instant: Date | number | string, tz: string): string {
  return moment.tz(typeof instant === 'string' ? moment.parseZone(instant).valueOf() : instant, tz).format('YYYY-MM-DD HH:mm:ss');
}

/**
 * Every instant whose wall-clock time in `tz` is `wall` (`YYYY-MM-DD HH:MM:SS`, space or `T`),
 * ascending: none in the spring gap, two in the repeated autumn hour, one otherwise.
 */
export function instantsForWallTime(wall: string, tz: string): number[] {
  const asUtc = moment.utc(wall.replace('T', ' '), 'YYYY-MM-DD HH:mm:ss', true);
  if (!asUtc.isValid()) return [];
  const zone = moment.tz.zone(tz);
  if (!zone) throw new ConfigError(`unknown time zone "${tz}"`);
  const wallMs = asUtc.valueOf();
  const candidates = new Set<number>();
  // The zone's offsets a few hours either side cover both sides of any transition.
  for (const probe of [wallMs - 14 * 3600_000, wallMs, wallMs + 14 * 3600_000]) {
    const offsetMinutes = -zone.utcOffset(probe); // moment's sign is inverted (minutes west)
    const instant = wallMs - offsetMinutes * 60_000;
    if (moment.tz(instant, tz).format('YYYY-MM-DD HH:mm:ss') === asUtc.format('YYYY-MM-DD HH:mm:ss')) {
      candidates.add(instant);
    }
  }
  return [...candidates].sort((a, b) => a - b);
}

const LABEL_RE = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * The instants an Enedis date-time label may mean. Enedis writes local wall time
 * (`2024-10-27 02:30:00`, docs/enedis-api.md §3.3), but answers in the wild also come with `T`, without
 * seconds, with fractions of a second, or with an offset or `Z`: an offset fixes the instant
 * exactly (one candidate); wall time gives what instantsForWallTime gives. [] when unreadable.
 */
export function instantsForLabel(label: string, tz: string): number[] {
  const m = LABEL_RE.exec(label.trim());
  if (!m) return [];
  const wall = `${m[1]} ${m[2]}:${m[3] ?? '00'}`;
  if (!m[4]) return instantsForWallTime(wall, tz);
  if (!moment.utc(wall, 'YYYY-MM-DD HH:mm:ss', true).isValid()) return [];
  const offset = m[4].toUpperCase() === 'Z' ? '+00:00' : m[4];
  const at = moment.parseZone(`${wall.replace(' ', 'T')}${offset}`, 'YYYY-MM-DDTHH:mm:ssZ', true);
  return at.isValid() ? [at.valueOf()] : [];
}

/** Minutes in an ISO-8601 duration such as PT30M, PT60M, PT1H, PT10M. */
export function durationMinutes(iso: string): number {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?$/.exec(iso);
  if (!m || (!m[1] && !m[2])) throw new ProtocolError(`unexpected interval_length "${iso}" in an Enedis answer`);
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}

export interface LabelledPoint {
  /** Local wall-clock label as Enedis writes it (`2024-10-27 02:30:00` or with `T`). */
  label: string;
}

/**
 * Turns a series of local wall-clock labels, in the order the API gives them, into instants.
 * In the repeated October hour a label matches two instants and only the order tells them apart:
 * take the earlier one unless the previous point is already at or past it (docs/enedis-api.md §5).
 * A label inside the spring gap cannot be a real instant: it is reported as a protocol error.
 */
export function resolveLabelSeries(labels: string[], tz: string): number[] {
  const out: number[] = [];
  let previous = -Infinity;
  for (const label of labels) {
    const candidates = instantsForLabel(label, tz);
    if (candidates.length === 0) {
      throw new ProtocolError(`Enedis sent the time "${label}", which does not exist in ${tz} (DST gap or bad format)`);
    }
    const chosen = candidates.find((c) => c > previous) ?? candidates[candidates.length - 1]!;
    out.push(chosen);
    previous = chosen;
  }
  return out;
}

/** Half-hours (or other steps) in a local day: 46/48/50 for PT30M in Paris. */
export function expectedPoints(day: string, tz: string, intervalMinutes: number): number {
  const minutes = (dayStart(addDays(day, 1), tz).valueOf() - dayStart(day, tz).valueOf()) / 60_000;
  return Math.round(minutes / intervalMinutes);
}
