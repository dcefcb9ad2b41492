/**
 * Time-zone rules from moment-timezone's IANA data, in the shape timelib asks for them: the UTC
 * offset in force at an instant, and when that offset started.
 */
import moment from 'moment-timezone';

export interface OffsetInfo {
  /** Seconds east of UTC. */
  offset: number;
  /** Epoch seconds at which this offset started; -Infinity before the first known transition. */
  transitionTime: number;
  isDst: boolean;
}

export interface Zone {
  readonly name: string;
  offsetInfo(epochSeconds: number): OffsetInfo;
}

const zones = new Map<string, Zone | null>();

/** A zone by IANA name (case-insensitive, as PHP's lookup), or null if unknown. */
export function findZone(name: string): Zone | null {
  const key = name.toLowerCase();
  if (zones.has(key)) return zones.get(key)!;
  const z = moment.tz.zone(name);
  const zone: Zone | null = z ? makeZone(z) : null;
  zones.set(key, zone);
  return zone;
}

function makeZone(z: moment.MomentZone): Zone {
  const untils = z.untils;
  const offsets = z.offsets;
  const indexAt = (ms: number): number => {
    // First period whose end is after `ms`.
    let lo = 0;
    let hi = untils.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ms < untils[mid]!) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  return {
    name: z.name,
    offsetInfo(epochSeconds: number): OffsetInfo {
      const i = indexAt(epochSeconds * 1000);
      const offset = -Math.round(offsets[i]! * 60);
      // moment keeps no DST flag: a period is DST when its offset is above the lowest offset of
      // the neighbouring periods (good for every zone whose DST moves clocks forward).
      const neighbours = [offsets[i - 1], offsets[i + 1]].filter((o): o is number => o !== undefined);
      const standard = Math.min(offset, ...neighbours.map((o) => -Math.round(o * 60)));
      return {
        offset,
        transitionTime: i === 0 ? -Infinity : untils[i - 1]! / 1000,
        isDst: offset > standard,
      };
    },
  };
}
