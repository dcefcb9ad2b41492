/**
 * Benchmark of the fetch path against the simulator (not a test: it prints figures). A full-depth
 * backfill of the default kinds (36 months + 15 days of daily data and max power, 24 months + 15
 * days of load curve) compared with the fewest calls the range limits allow for that depth (counted
 * from the simulator's own history deadline, not from jeelinky's plan), then a same-day re-run,
 * which must cost 0 calls.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveConfig } from '../../plugin/config.js';
import { dailyRunsNeeded } from '../../plugin/store/budget.js';
import { ROUTES } from '../../plugin/enedis/metering.js';
import { startEnedisSimulator } from '../../simulators/enedis.js';
import type { ReadingKind } from '../../plugin/readings.js';
import { daysBetween, localDay } from '../../plugin/time/local.js';
import { depthStart } from '../../plugin/runner/fetch.js';
import { runScenario } from '../../plugin/runner/run.js';

/** The default JEELINKY_KINDS. */
const KINDS: ReadingKind[] = ['daily_consumption', 'max_power', 'load_curve'];

export async function benchBackfill(): Promise<Record<string, number | string>> {
  const pdl = '00000000000001';
  const sim = await startEnedisSimulator({
    limitPerMinute: 0,
    enedisQuota: false,
    autoApprove: { usagePoints: [pdl], afterPolls: 0 },
    meters: [{ usagePoint: pdl, activationDate: '2015-01-01' }],
  });
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jeelinky-bench-'));
  try {
    const config = resolveConfig({ authUrl: sim.url, apiUrl: sim.url, stateDir, paceMs: 0, retryBaseMs: 10, dailyCallBudget: 0 }, {});
    const fast = { config, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 50))) };
    const paired = await runScenario({ code: true, firstConnexion: true }, fast);
    if (!paired.ok) throw new Error(`bench pairing failed: ${paired.error?.message}`);
    const today = localDay(new Date(), config.tz);
    const since = depthStart(today, 36); // what `jeelinky backfill` asks by default
    const heapBefore = process.memoryUsage().heapUsed;
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
    const t0 = performance.now();
    const full = await runScenario({ since, fetchKinds: KINDS }, fast);
    const wall = performance.now() - t0;
    clearInterval(sampler);
    const kind = (name: ReadingKind) => full.kinds.find((k) => k.kind === name)!;
    // Every day Enedis keeps, from its history deadline to the newest published day.
    const depthDays = (name: ReadingKind) => daysBetween(sim.historyDeadline(name), kind(name).to!);
    const minimum = (name: ReadingKind) => Math.ceil(depthDays(name) / ROUTES[name].maxDays);
    const callsOf = (name: ReadingKind) => sim.meteringCalls().filter((c) => c.path === ROUTES[name].path).length;
    const t1 = performance.now();
    const rerun = await runScenario({ since, fetchKinds: KINDS }, fast);
    const rerunWall = performance.now() - t1;
    return {
      'backfill: days Enedis keeps (daily, max power)': depthDays('daily_consumption'),
      'backfill: days Enedis keeps (load curve)': depthDays('load_curve'),
      'backfill: oldest day asked (daily / curve)': `${kind('daily_consumption').from} / ${kind('load_curve').from}`,
      'backfill: calls (daily consumption / minimum)': `${callsOf('daily_consumption')} / ${minimum('daily_consumption')}`,
      'backfill: calls (max power / minimum)': `${callsOf('max_power')} / ${minimum('max_power')}`,
      'backfill: calls (load curve / minimum)': `${callsOf('load_curve')} / ${minimum('load_curve')}`,
      'backfill: metering calls, full depth': full.meteringCalls,
      'backfill: minimum possible calls, full depth': KINDS.reduce((a, k) => a + minimum(k), 0),
      'backfill: readings stored': full.kinds.reduce((a, k) => a + k.added, 0),
      'backfill: wall time (s)': +(wall / 1000).toFixed(2),
      'backfill: heap growth (MB)': +((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20).toFixed(1),
      'backfill: peak RSS (MB)': +(peakRss / 2 ** 20).toFixed(0),
      'backfill: daily runs needed at the default budget (50 calls)': dailyRunsNeeded(full.meteringCalls, 50)!,
      'same-day re-run: metering calls': rerun.meteringCalls,
      'same-day re-run: wall time (ms)': Math.round(rerunWall),
    };
  } finally {
    await sim.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}
