/**
 * Benchmark (figures, not a test): importing 35,000 load-curve points (17,500 half-hours, about a
 * year of 30-minute intervals, each giving a power and an energy point) into the Jeedom simulator
 * with jeelinky's writer,
 * next to a naive writer that sends one `cmd::event` at a time and waits for each answer.
 * Both run in the same process against fresh simulators with the same per-request latency.
 */
import moment from 'moment-timezone';
import { JeedomClient } from '../../plugin/jeedom/client.js';
import { readingsToPoints, writeReadings } from '../../plugin/jeedom/history.js';
import { ensureVirtualDevice, loadVirtualDevice } from '../../plugin/jeedom/virtual.js';
import type { Reading } from '../../plugin/readings.js';
import { startJeedomSimulator } from '../../simulators/jeedom.js';

const PDL = '12345678901234';
const TZ = 'Europe/Paris';
// 17,502 half-hours: the October change merges 2 of them, leaving 35,000 points (W and Wh).
const INTERVALS = 17_502;

/** Consecutive 30-minute consumption intervals from 2023-01-01 (Paris), W integers (Wh = W / 2). */
export function syntheticCurve(usagePoint: string, intervals: number): Reading[] {
  const out: Reading[] = [];
  let t = moment.tz('2023-01-01', TZ).valueOf();
  for (let i = 0; i < intervals; i++, t += 1_800_000) {
    const value = 200 + ((i * 37) % 900);
    const start = moment.tz(t, TZ);
    out.push({
      usagePoint,
      kind: 'load_curve',
      day: start.format('YYYY-MM-DD'),
      start: start.format(),
      end: moment.tz(t + 1_800_000, TZ).format(),
      value,
      unit: 'W',
      energyWh: value / 2,
    });
  }
  return out;
}

async function setUp(latencyMs: number) {
  const sim = await startJeedomSimulator({ latencyMs, autoArchive: false });
  const client = new JeedomClient({ url: sim.url, apikey: sim.apikey });
  await ensureVirtualDevice(client, { usagePoint: PDL });
  sim.resetCounts();
  return { sim, client };
}

export async function benchJeedom(): Promise<Record<string, number | string>> {
  const latencyMs = Number(process.env.JEELINKY_BENCH_JEEDOM_LATENCY_MS ?? 1);
  const concurrency = Number(process.env.JEELINKY_BENCH_JEEDOM_CONCURRENCY ?? 4);
  const readings = syntheticCurve(PDL, INTERVALS);
  const { points } = readingsToPoints(readings, TZ);

  // jeelinky's writer: one history read per command and month, then the missing points pipelined.
  const a = await setUp(latencyMs);
  const devices = new Map([[PDL, await loadVirtualDevice(a.client, PDL)]]);
  a.sim.resetCounts();
  const t0 = performance.now();
  const summary = await writeReadings(a.client, readings, { concurrency, devices });
  const writerMs = performance.now() - t0;
  const writerRequests = a.sim.requestCount();
  const t1 = performance.now();
  const rerun = await writeReadings(a.client, readings, { concurrency, devices });
  const rerunMs = performance.now() - t1;
  const rerunRequests = a.sim.requestCount() - writerRequests;
  a.client.close();
  await a.sim.close();

  // The naive writer: one request per point, each waiting for the previous answer.
  const b = await setUp(latencyMs);
  const cmds = (await loadVirtualDevice(b.client, PDL)).cmds;
  b.sim.resetCounts();
  const t2 = performance.now();
  for (const p of points) await b.client.event(cmds.get(p.logicalId)!.id, p.value, p.datetime);
  const naiveMs = performance.now() - t2;
  const naiveRequests = b.sim.requestCount();
  b.client.close();
  await b.sim.close();

  const rate = (n: number, ms: number) => Math.round((n * 1000) / ms);
  return {
    'points (30-min load curve, W and Wh)': points.length,
    'simulated latency per request (ms)': latencyMs,
    'jeelinky writer concurrency': concurrency,
    'jeelinky writer points/s': rate(summary.written, writerMs),
    'jeelinky writer HTTP requests': writerRequests,
    'naive sequential points/s': rate(points.length, naiveMs),
    'naive sequential HTTP requests': naiveRequests,
    'speed-up': `${(naiveMs / writerMs).toFixed(1)}×`,
    're-run (nothing to write) ms': Math.round(rerunMs),
    're-run HTTP requests': rerunRequests,
    're-run points written': rerun.written,
  };
}
