/**
 * The readings store: what every sink (Jeedom, MQTT, InfluxDB) and every analysis is fed from.
 *
 * One document per (PDL, kind, local month) holds that month's readings keyed by their start
 * instant and the state of each day. A month is written in one atomic write, so a day's readings
 * and its "complete" mark can never disagree after a crash. Storing a reading twice changes nothing.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { READING_KINDS, type Reading, type ReadingKind } from '../readings.js';
import type { StateStore } from './state.js';

export const DAY_STATUSES = ['complete', 'partial', 'empty'] as const;
export type DayStatus = (typeof DAY_STATUSES)[number];

const readingSchema = z.object({
  usagePoint: z.string(),
  kind: z.enum(READING_KINDS),
  day: z.string(),
  start: z.string(),
  end: z.string(),
  value: z.number(),
  unit: z.enum(['Wh', 'W', 'VA']),
  energyWh: z.number().optional(),
  at: z.string().optional(),
});

const dayRecordSchema = z.object({
  /** complete: all expected values stored; partial: some curve points missing; empty: Enedis had nothing. */
  status: z.enum(DAY_STATUSES),
  /** Points stored / expected for curves (46, 48 or 50 half-hours; 23/24/25 hours...). */
  points: z.number().int().nonnegative(),
  expected: z.number().int().nonnegative().optional(),
  /** Attempts that did not make the day complete, and the local day of the last one. */
  attempts: z.number().int().nonnegative(),
  lastAttemptDay: z.string(),
  fetchedAt: z.string(),
});
export type DayRecord = z.infer<typeof dayRecordSchema>;

const monthSchema = z.object({
  v: z.literal(1),
  usagePoint: z.string(),
  kind: z.enum(READING_KINDS),
  month: z.string(),
  days: z.record(z.string(), dayRecordSchema),
  /** Readings keyed by start instant (ISO with offset). */
  readings: z.record(z.string(), readingSchema),
});
type MonthDoc = z.infer<typeof monthSchema>;

export interface DayOutcome {
  day: string;
  status: DayStatus;
  points: number;
  expected?: number;
}

export interface StoreResult {
  added: number;
  changed: number;
  unchanged: number;
  /** The readings that were added or changed, for the sinks. */
  fresh: Reading[];
}

const metaSchema = z.object({
  /** Days before this one are outside the meter's history (activation, or Enedis' depth). */
  historyStart: z.string().optional(),
  /** First day a backfill asked for: later daily runs keep filling history back to it. */
  backfillFrom: z.string().optional(),
  /** Why this kind cannot be had for this PDL (e.g. no production direction), and since when. */
  unavailable: z.object({ reason: z.string(), since: z.string() }).optional(),
});
export type KindMeta = z.infer<typeof metaSchema>;

const metaKey = (usagePoint: string, kind: ReadingKind) => `meta:${usagePoint}:${kind}`;
const monthKey = (usagePoint: string, kind: ReadingKind, month: string) => `readings:${usagePoint}:${kind}:${month}`;

/**
 * Writes made through a ReadingsStore in this process, per month file: part of a month's content
 * version, so that a write is seen at once even when the file system's clock is coarse.
 */
const monthWrites = new Map<string, number>();

function sameReading(a: Reading, b: Reading): boolean {
  return a.value === b.value && a.end === b.end && a.energyWh === b.energyWh && a.at === b.at && a.unit === b.unit;
}

export class ReadingsStore {
  constructor(private readonly store: StateStore) {}

  private async month(usagePoint: string, kind: ReadingKind, month: string): Promise<MonthDoc> {
    const doc = await this.store.read(monthKey(usagePoint, kind, month), monthSchema);
    return doc ?? { v: 1, usagePoint, kind, month, days: {}, readings: {} };
  }

  /**
   * Stores readings and the outcome of each day that was asked for, month by month.
   * A day that was complete stays complete: a later, poorer answer never downgrades it.
   */
  async put(
    usagePoint: string,
    kind: ReadingKind,
    readings: Reading[],
    outcomes: DayOutcome[],
    today: string,
    now: Date,
  ): Promise<StoreResult> {
    const months = new Map<string, { readings: Reading[]; outcomes: DayOutcome[] }>();
    const slot = (day: string) => {
      const m = day.slice(0, 7);
      let s = months.get(m);
      if (!s) {
        s = { readings: [], outcomes: [] };
        months.set(m, s);
      }
      return s;
    };
    for (const r of readings) slot(r.day).readings.push(r);
    for (const o of outcomes) slot(o.day).outcomes.push(o);

    const result: StoreResult = { added: 0, changed: 0, unchanged: 0, fresh: [] };
    for (const [m, work] of [...months].sort(([a], [b]) => a.localeCompare(b))) {
      const doc = await this.month(usagePoint, kind, m);
      let dirty = false;
      for (const r of work.readings) {
        const old = doc.readings[r.start];
        if (!old) result.added++;
        else if (!sameReading(old, r)) result.changed++;
        else {
          result.unchanged++;
          continue;
        }
        doc.readings[r.start] = r;
        result.fresh.push(r);
        dirty = true;
      }
      for (const o of work.outcomes) {
        const old = doc.days[o.day];
        if (old?.status === 'complete' && o.status !== 'complete') continue;
        const attempts = o.status === 'complete' ? (old?.attempts ?? 0) : (old?.attempts ?? 0) + 1;
        doc.days[o.day] = {
          status: o.status,
          points: o.points,
          expected: o.expected,
          attempts,
          lastAttemptDay: today,
          fetchedAt: now.toISOString(),
        };
        dirty = true;
      }
      if (dirty) {
        const file = this.store.fileOf(monthKey(usagePoint, kind, m));
        // Bumped before and after: a reader between the two sees a version matching neither.
        monthWrites.set(file, (monthWrites.get(file) ?? 0) + 1);
        try {
          await this.store.write(monthKey(usagePoint, kind, m), doc);
        } finally {
          monthWrites.set(file, (monthWrites.get(file) ?? 0) + 1);
        }
      }
    }
    return result;
  }

  async meta(usagePoint: string, kind: ReadingKind): Promise<KindMeta> {
    return (await this.store.read(metaKey(usagePoint, kind), metaSchema)) ?? {};
  }

  async setMeta(usagePoint: string, kind: ReadingKind, meta: KindMeta): Promise<void> {
    await this.store.write(metaKey(usagePoint, kind), meta);
  }

  async dayRecord(usagePoint: string, kind: ReadingKind, day: string): Promise<DayRecord | undefined> {
    return (await this.month(usagePoint, kind, day.slice(0, 7))).days[day];
  }

  /** Day records of [fromDay; toDay[ (only the days that have one). */
  async dayRecords(usagePoint: string, kind: ReadingKind, fromDay: string, toDay: string): Promise<Map<string, DayRecord>> {
    const out = new Map<string, DayRecord>();
    for (const m of monthsBetween(fromDay, toDay)) {
      const doc = await this.month(usagePoint, kind, m);
      for (const [day, rec] of Object.entries(doc.days)) if (day >= fromDay && day < toDay) out.set(day, rec);
    }
    return out;
  }

  /** Readings whose day is in [fromDay; toDay[, ordered by start instant. */
  async readings(usagePoint: string, kind: ReadingKind, fromDay: string, toDay: string): Promise<Reading[]> {
    const out: Reading[] = [];
    for (const m of monthsBetween(fromDay, toDay)) {
      const doc = await this.month(usagePoint, kind, m);
      for (const r of Object.values(doc.readings)) if (r.day >= fromDay && r.day < toDay) out.push(r);
    }
    return out.sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  }

  /**
   * The content version of the month files holding the days [fromDay; toDay[: equal versions mean
   * the same readings. Each file is written by an atomic rename (a new inode, new change time), and
   * every write through this process's stores is counted too, so a cache keyed by this version (the
   * statistics' HistoryIndex in plugin/runner/stats.ts) cannot serve data older than the files.
   * Take the version before reading the data it stands for.
   */
  contentVersion(usagePoint: string, kind: ReadingKind, fromDay: string, toDay: string): string {
    return monthsBetween(fromDay, toDay)
      .map((m) => {
        const file = this.store.fileOf(monthKey(usagePoint, kind, m));
        const st = fs.statSync(file, { bigint: true, throwIfNoEntry: false });
        const writes = monthWrites.get(file) ?? 0;
        return st ? `${file}:${writes}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}` : `${file}:${writes}:absent`;
      })
      .join('|');
  }

  /** The newest day that has at least one reading, searching back `monthsBack` months from `today`. */
  async lastDayWithData(usagePoint: string, kind: ReadingKind, today: string, monthsBack = 40): Promise<string | undefined> {
    for (const m of monthsBetween(`${shiftMonth(today.slice(0, 7), -monthsBack)}-01`, today).reverse()) {
      const doc = await this.month(usagePoint, kind, m);
      const days = Object.values(doc.readings).map((r) => r.day);
      if (days.length) return days.sort().at(-1);
    }
    return undefined;
  }
}

function shiftMonth(month: string, n: number): string {
  const [y, mo] = month.split('-').map(Number) as [number, number];
  const total = y * 12 + (mo - 1) + n;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`;
}

/** Months (`YYYY-MM`) touched by the days [fromDay; toDay[ (toDay's month included when toDay is not its 1st). */
export function monthsBetween(fromDay: string, toDay: string): string[] {
  const out: string[] = [];
  if (toDay <= fromDay) return out;
  const last = toDay.endsWith('-01') ? shiftMonth(toDay.slice(0, 7), -1) : toDay.slice(0, 7);
  for (let m = fromDay.slice(0, 7); m <= last; m = shiftMonth(m, 1)) out.push(m);
  return out;
}
