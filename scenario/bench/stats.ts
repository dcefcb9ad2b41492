/**
 * Benchmark of statisticsBetween over three years of 30-minute points (figures, not a test): the
 * old path, a scan of every point per call (kept as the reference: getStatistique,
 * localStatisticsBetweenByScan), side by side with the indexed path (HistoryIndex,
 * localStatisticsBetween), median milliseconds per call, in one run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { simulatedReadings } from '../../simulators/enedis.js';
import { localStatisticsBetween, localStatisticsBetweenByScan } from '../../plugin/runner/stats.js';
import { HistoryIndex, statisticsBetween, type HistoryPoint } from '../../plugin/stats/index.js';
import { ReadingsStore } from '../../plugin/store/readings.js';
import { StateStore } from '../../plugin/store/state.js';
import { addDays, eachDay } from '../../plugin/time/local.js';
import { formatJeedomDatetime } from '../../plugin/time/strtotime.js';
import { median } from './dates.js';

const TZ = 'Europe/Paris';
const PDL = '00000000000001';
const CALCS = ['sum', 'avg', 'min', 'max', 'count', 'last', 'std', 'variance'] as const;
const RANGE = ['first day of january last year 00:00:00', 'last day of last month 23:59:59'] as const;

/** Three years of 30-minute readings (Wh), in Jeedom's naive local form, as getHistory gives them. */
function threeYearsOfHalfHours(): HistoryPoint[] {
  const points: HistoryPoint[] = [];
  const start = Date.parse('2022-06-01T00:00:00Z');
  const n = 3 * 365 * 48; // 52,560
  for (let k = 0; k < n; k++) {
    points.push({ datetime: formatJeedomDatetime(new Date(start + k * 1800_000), TZ), value: 150 + ((k * 37) % 400) });
  }
  return points;
}

async function medianMs(runs: number, fn: () => unknown): Promise<number> {
  await fn(); // warm up (and, for the store, build the index once)
  const times: number[] = [];
  for (let k = 0; k < runs; k++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

const sideBySide = (old: number, fast: number) => `old (scan) ${old.toFixed(3)}  |  new (index) ${fast.toFixed(3)}`;

export async function benchStats(): Promise<Record<string, number | string>> {
  const points = threeYearsOfHalfHours();
  const opts = { now: Date.parse('2025-05-31T10:00:00Z'), tz: TZ };
  const t0 = performance.now();
  const index = new HistoryIndex(points, TZ);
  const buildMs = performance.now() - t0;
  const result: Record<string, number | string> = {
    'history size (30-minute points, in memory)': points.length,
    'HistoryIndex build, ms (once per history)': Number(buildMs.toFixed(1)),
  };
  for (const calc of CALCS) {
    const old = await medianMs(15, () => statisticsBetween(points, calc, RANGE[0], RANGE[1], opts));
    const fast = await medianMs(calc === 'std' || calc === 'variance' ? 15 : 200, () =>
      statisticsBetween(index, calc, RANGE[0], RANGE[1], opts),
    );
    result[`statisticsBetween ${calc} over 3 years, median ms per call`] = sideBySide(old, fast);
  }

  // The same from the local store (`jeelinky stats --source local`): 3 years of load curve.
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jeelinky-bench-stats-'));
  try {
    const store = new ReadingsStore(await StateStore.open(stateDir));
    const { curve } = simulatedReadings(PDL, eachDay('2022-06-01', addDays('2025-05-31', 1)), TZ);
    await store.put(PDL, 'load_curve', curve, [], '2025-05-31', new Date());
    result['local store: load curve readings'] = curve.length;
    const t1 = performance.now();
    await localStatisticsBetween(store, PDL, 'load_curve_energy', 'count', RANGE[0], RANGE[1], opts);
    result['local store: first call (reads the months, builds the index), ms'] = Number((performance.now() - t1).toFixed(1));
    for (const calc of ['sum', 'avg', 'min', 'max', 'count'] as const) {
      const old = await medianMs(5, () => localStatisticsBetweenByScan(store, PDL, 'load_curve_energy', calc, RANGE[0], RANGE[1], opts));
      const fast = await medianMs(50, () => localStatisticsBetween(store, PDL, 'load_curve_energy', calc, RANGE[0], RANGE[1], opts));
      result[`local store ${calc} over 3 years, median ms per call`] = sideBySide(old, fast);
    }
  } finally {
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
  return result;
}
