/** Readings fixtures for the Jeedom tests: whole local days of 30-minute curve points, built in UTC steps. */
import moment from 'moment-timezone';
import type { Reading } from '../plugin/readings.js';

export const PDL = '12345678901234';
export const TZ = 'Europe/Paris';

const iso = (ms: number) => moment.tz(ms, TZ).format('YYYY-MM-DDTHH:mm:ssZ');

/** Every 30-minute interval of a local day (46, 48 or 50), value W = f(index). */
export function curveDay(
  day: string,
  watts: (i: number) => number = (i) => 300 + 7 * i,
  kind: 'load_curve' | 'production_load_curve' = 'load_curve',
): Reading[] {
  const start = moment.tz(day, 'YYYY-MM-DD', TZ).valueOf();
  const end = moment.tz(day, 'YYYY-MM-DD', TZ).add(1, 'day').valueOf();
  const out: Reading[] = [];
  for (let t = start, i = 0; t < end; t += 1_800_000, i++) {
    const value = watts(i);
    out.push({ usagePoint: PDL, kind, day, start: iso(t), end: iso(t + 1_800_000), value, unit: 'W', energyWh: value / 2 });
  }
  return out;
}

export function daily(day: string, value: number, kind: 'daily_consumption' | 'daily_production' = 'daily_consumption'): Reading {
  const start = moment.tz(day, 'YYYY-MM-DD', TZ);
  return { usagePoint: PDL, kind, day, start: start.format(), end: start.clone().add(1, 'day').format(), value, unit: 'Wh' };
}

export function maxPower(day: string, value: number, at: string): Reading {
  const start = moment.tz(day, 'YYYY-MM-DD', TZ);
  return {
    usagePoint: PDL,
    kind: 'max_power',
    day,
    start: start.format(),
    end: start.clone().add(1, 'day').format(),
    value,
    unit: 'VA',
    at,
  };
}

export const energyOf = (rs: Reading[]) => rs.reduce((a, r) => a + (r.energyWh ?? 0), 0);
