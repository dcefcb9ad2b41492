/**
 * statisticsBetween over the local readings store: the indexed path (localStatisticsBetween, an
 * index kept per content of the month files) against the reference that reads and scans on every
 * call (localStatisticsBetweenByScan), on a 3-year store of 30-minute load curve and daily values;
 * and after a write through the store API, the next answer is the new data's, never the index's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reading } from '../plugin/readings.js';
import { simulatedReadings } from '../simulators/enedis.js';
import { localSeriesPoints, localStatisticsBetween, localStatisticsBetweenByScan } from '../plugin/runner/stats.js';
import { localSeries, resolveBound, STAT_CALCS, statisticsBetween, type HistoryPoint } from '../plugin/stats/index.js';
import { ReadingsStore } from '../plugin/store/readings.js';
import { StateStore } from '../plugin/store/state.js';
import { addDays, dayStart, eachDay, isoInZone } from '../plugin/time/local.js';

const PDL = '00000000000001';
const TZ = 'Europe/Paris';
const FIRST_DAY = '2022-06-01';
const LAST_DAY = '2025-05-31';
const NOW = Date.parse('2025-06-02T10:00:00+02:00');

let dir: string;
let store: ReadingsStore;
let curve: Reading[];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jeelinky-stats-index-'));
  store = new ReadingsStore(await StateStore.open(dir));
  const days = eachDay(FIRST_DAY, addDays(LAST_DAY, 1));
  const simulated = simulatedReadings(PDL, days, TZ);
  const daily = simulated.daily;
  curve = simulated.curve;
  const now = new Date(NOW);
  await store.put(PDL, 'daily_consumption', daily, [], LAST_DAY, now);
  await store.put(PDL, 'load_curve', curve, [], LAST_DAY, now);
}, 120_000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const opts = { now: NOW, tz: TZ };

describe("localStatisticsBetween (indexed) gives the reference scan's figures", () => {
  it('for every calc and series over many ranges of a 3-year store (inside days, DST days, empty, single points)', async () => {
    const ranges: Array<[string, string]> = [
      ['first day of january last year 00:00:00', 'last day of last month 23:59:59'],
      ['2022-01-01 00:00:00', '2026-01-01 00:00:00'], // everything, and more
      ['2024-10-27 00:00:00', '2024-10-27 23:59:59'], // October DST day: the repeated hour merged
      ['2024-03-31 00:00:00', '2024-03-31 23:59:59'], // March DST day
      ['2023-10-29 02:00:00', '2023-10-29 02:59:59'],
      ['2021-01-01 00:00:00', '2021-12-31 23:59:59'], // before the data: empty
      ['2024-01-01 00:00:00', '2023-12-31 00:00:00'], // end before start
      ['2024-05-07 13:30:00', '2024-05-07 13:30:00'], // one curve point
      ['2023-08-15 12:00:00', '2023-08-15 12:00:00'], // one daily point
    ];
    // Random bounds at any second, over spans from minutes to a year (deterministic).
    let seed = 7;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const t0 = Date.parse('2022-05-20T00:00:00Z');
    const span = Date.parse('2025-06-10T00:00:00Z') - t0;
    const naive = (ms: number) => resolveBound(new Date(ms), opts).local;
    for (let i = 0; i < 40; i++) {
      const a = t0 + Math.floor((rnd() * span) / 1000) * 1000;
      const len = [900_000, 5 * 3_600_000, 2 * 86_400_000, 45 * 86_400_000, 365 * 86_400_000][i % 5]!;
      ranges.push([naive(a), naive(a + Math.floor((rnd() * len) / 1000) * 1000)]);
    }
    for (const name of ['load_curve_energy', 'load_curve_power', 'daily_consumption']) {
      // The reference over the whole store, read once; the windowed scan itself is checked on a sample.
      const all: HistoryPoint[] = await localSeriesPoints({
        store,
        usagePoint: PDL,
        series: localSeries(name)!,
        fromDay: '2022-01-01',
        toDay: '2026-01-01',
        tz: TZ,
      });
      for (const [start, end] of ranges) {
        for (const calc of STAT_CALCS) {
          const fast = await localStatisticsBetween(store, PDL, name, calc, start, end, opts);
          const s = resolveBound(start, opts);
          const e = resolveBound(end, opts);
          const ref = statisticsBetween(all, calc, new Date(Date.parse(s.iso)), new Date(Date.parse(e.iso)), opts);
          expect({ name, start, end, calc, text: fast.text, count: fast.count }).toEqual({
            name,
            start,
            end,
            calc,
            text: ref.text,
            count: ref.count,
          });
        }
      }
      for (const [start, end] of ranges.slice(2, 5)) {
        for (const calc of STAT_CALCS) {
          expect(await localStatisticsBetween(store, PDL, name, calc, start, end, opts)).toEqual(
            await localStatisticsBetweenByScan(store, PDL, name, calc, start, end, opts),
          );
        }
      }
    }
  }, 240_000);
});

describe('the index never answers from data older than the store', () => {
  it('a reading changed, then one added, through ReadingsStore.put: the next answer has them', async () => {
    const q = (calc: string, name = 'load_curve_energy') =>
      localStatisticsBetween(store, PDL, name, calc, 'first day of january 2024 00:00:00', 'last day of december 2024 23:59:59', opts);
    const ref = (calc: string, name = 'load_curve_energy') =>
      localStatisticsBetweenByScan(
        store,
        PDL,
        name,
        calc,
        'first day of january 2024 00:00:00',
        'last day of december 2024 23:59:59',
        opts,
      );
    const before = { sum: (await q('sum')).text, max: (await q('max')).text, count: (await q('count')).text };
    expect(Number(before.count)).toBeGreaterThan(17_000);

    // Changed: one mid-year half-hour becomes the year's largest value.
    const target = curve.find((r) => r.day === '2024-06-15')!;
    const changed = { ...target, value: 999_998, energyWh: 499_999 };
    const put1 = await store.put(PDL, 'load_curve', [changed], [], LAST_DAY, new Date(NOW));
    expect(put1.changed).toBe(1);
    const after1 = { sum: (await q('sum')).text, max: (await q('max')).text, count: (await q('count')).text };
    expect(after1.max).toBe('499999.00');
    expect(after1.sum).not.toBe(before.sum);
    expect(after1.count).toBe(before.count);
    for (const calc of ['sum', 'max', 'count', 'avg']) expect((await q(calc)).text).toBe((await ref(calc)).text);

    // Changed again: the year's newest half-hour, so `last` shows it.
    const last = curve.filter((r) => r.day === '2024-12-31').at(-1)!;
    const put2 = await store.put(PDL, 'load_curve', [{ ...last, energyWh: 12_345.678 }], [], LAST_DAY, new Date(NOW));
    expect(put2.changed).toBe(1);
    expect((await q('last')).text).toBe('12345.678');
    expect((await q('sum')).text).toBe((await ref('sum')).text);

    // A reading added where the store had none (before the first day): the count grows by one.
    const early = curve.find((r) => r.day === FIRST_DAY)!;
    const dayBefore = addDays(FIRST_DAY, -1);
    const added: Reading = {
      ...early,
      day: dayBefore,
      start: isoInZone(dayStart(dayBefore, TZ).add(10, 'hours'), TZ),
      end: isoInZone(dayStart(dayBefore, TZ).add(10.5, 'hours'), TZ),
      energyWh: 42,
    };
    const whole = (calc: string) =>
      localStatisticsBetween(store, PDL, 'load_curve_energy', calc, '2022-05-01 00:00:00', '2022-06-30 23:59:59', opts);
    const countBefore = Number((await whole('count')).text);
    const put3 = await store.put(PDL, 'load_curve', [added], [], LAST_DAY, new Date(NOW));
    expect(put3.added).toBe(1);
    expect(Number((await whole('count')).text)).toBe(countBefore + 1);
    expect((await whole('min')).text).toBe('42.00');
  });
});
