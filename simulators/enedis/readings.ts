/**
 * The simulated meter's readings in the form the store keeps them (what a run stores after asking
 * the simulator), for the benches and tests that need a filled store without paying the HTTP
 * round trips: daily consumption, daily maximum power and the 30-minute load curve of each day.
 */
import type { Reading } from '../../plugin/readings.js';
import { addDays, dayStart, isoInZone } from '../../plugin/time/local.js';
import { simulatedCurve, simulatedDaily, simulatedMaxPower } from './profile.js';

export interface SimulatedReadings {
  daily: Reading[];
  maxPower: Reading[];
  curve: Reading[];
}

/** The readings of `days` (YYYY-MM-DD, Paris days for the default zone) for one PDL. */
export function simulatedReadings(usagePoint: string, days: readonly string[], tz: string): SimulatedReadings {
  const out: SimulatedReadings = { daily: [], maxPower: [], curve: [] };
  for (const day of days) {
    const start = isoInZone(dayStart(day, tz), tz);
    const end = isoInZone(dayStart(addDays(day, 1), tz), tz);
    out.daily.push({ usagePoint, kind: 'daily_consumption', day, start, end, value: simulatedDaily(usagePoint, day, tz), unit: 'Wh' });
    const max = simulatedMaxPower(usagePoint, day, tz);
    out.maxPower.push({ usagePoint, kind: 'max_power', day, start, end, value: max.value, unit: 'VA', at: max.instantIso });
    for (const p of simulatedCurve(usagePoint, day, 30, tz)) {
      out.curve.push({
        usagePoint,
        kind: 'load_curve',
        day,
        start: p.startIso,
        end: p.instantIso,
        value: p.value,
        unit: 'W',
        energyWh: p.energyWh,
      });
    }
  }
  return out;
}
