/**
 * Benchmark of the fetch path against the simulator (not a test: it prints figures). A full
 * backfill (36 months of daily data, 24 months of load curve) compared with the fewest calls the
 * range limits allow, then a same-day re-run, which must cost 0 calls.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveConfig } from '../../plugin/config.js';
import { ROUTES } from '../../plugin/enedis/metering.js';
import { startEnedisSimulator } from '../../plugin/simulators/enedis.js';
import { localDay } from '../../plugin/time/local.js';
import { runScenario } from '../steps.js';

export async function benchBackfill(): Promise<Record<string, number | string>> {
  const pdl = '00000000000001';
  const sim = await startEnedisSimulator({ limitPerMinute: 0, enedisQuota: false, autoApprove: { usagePoints: [pdl], afterPolls: 0 }, meters: [{ usagePoint: pdl, activationDate: '2015-01-01' }] });
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jeelinky-bench-'));
  try {
    const config = resolveConfig({ authUrl: sim.url, apiUrl: sim.url, stateDir, paceMs: 0, retryBaseMs: 10, dailyCallBudget: 0 }, {});
    const fast = { config, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 50))) };
    const paired = await runScenario({ code: true, firstConnexion: true }, fast);
    if (!paired.ok) throw new Error(`bench pairing failed: ${paired.error?.message}`);
    const today = localDay(new Date(), config.tz);
    const since = `${Number(today.slice(0, 4)) - 3}${today.slice(4)}`;
    const heapBefore = process.memoryUsage().heapUsed;
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
    const t0 = performance.now();
    const full = await runScenario({ since, fetchKinds: ['daily_consumption', 'load_curve'] }, fast);
    const wall = performance.now() - t0;
    clearInterval(sampler);
    const daily = full.kinds.find((k) => k.kind === 'daily_consumption')!;
    const curve = full.kinds.find((k) => k.kind === 'load_curve')!;
    const span = (k: typeof daily) => (Date.parse(k.to!) - Date.parse(k.from!)) / 86400_000;
    const minimum = Math.ceil(span(daily) / ROUTES.daily_consumption.maxDays) + Math.ceil(span(curve) / ROUTES.load_curve.maxDays);
    const t1 = performance.now();
    const rerun = await runScenario({ since, fetchKinds: ['daily_consumption', 'load_curve'] }, fast);
    const rerunWall = performance.now() - t1;
    return {
      'backfill: daily days': span(daily),
      'backfill: load-curve days': span(curve),
      'backfill: metering calls': full.meteringCalls,
      'backfill: minimum possible calls': minimum,
      'backfill: readings stored': full.kinds.reduce((a, k) => a + k.added, 0),
      'backfill: wall time (s)': +(wall / 1000).toFixed(2),
      'backfill: heap growth (MB)': +((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20).toFixed(1),
      'backfill: peak RSS (MB)': +(peakRss / 2 ** 20).toFixed(0),
      'backfill: daily runs needed at the default budget (50 calls)': Math.ceil(full.meteringCalls / 50),
      'same-day re-run: metering calls': rerun.meteringCalls,
      'same-day re-run: wall time (ms)': Math.round(rerunWall),
    };
  } finally {
    await sim.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}
