/**
 * Benchmark on a REAL Jeedom 4.5.3 core (the kit ../shared/jeedom, box slot 5 of its own: folder
 * and ports apart from the test boxes): two years of 30-minute load curve (power and energy, about
 * 70,000 points) through the Jeedom plugin's batch method (jeelinky::writeHistory), next to one
 * cmd::event per point (jeelinky's writer without the plugin, same concurrency), with PHP's built-in
 * server at 1 and at 4 workers (PHP_CLI_SERVER_WORKERS). The per-point path is measured on a
 * 3,000-point sample (at ~95 points/s the whole import would take ~12 min), which the output says.
 * The sample's rows are compared between both ways: they must be identical.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { JeedomClient } from '../../plugin/jeedom/client.js';
import { readingsToPoints, writeReadings } from '../../plugin/jeedom/history.js';
import { ensureVirtualDevice, loadVirtualDevice } from '../../plugin/jeedom/virtual.js';
import { syntheticCurve } from './jeedom.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const KIT = process.env.JEELINKY_JEEDOM_KIT ?? path.resolve(ROOT, '..', 'shared', 'jeedom');
const SLOT = 5;
const PDL_BATCH = '12345678901234';
const PDL_EVENT = '12345678901235';
const TZ = 'Europe/Paris';
const SAMPLE_POINTS = Number(process.env.JEELINKY_BENCH_EVENT_SAMPLE ?? 3000);

function kit(env: NodeJS.ProcessEnv, name: string, args: string[] = []): void {
  execFileSync(path.join(KIT, name), args, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
}

export async function benchJeedomReal(): Promise<Record<string, number | string>> {
  if (!fs.existsSync(path.join(KIT, 'setup.sh'))) return { skipped: `the real Jeedom kit is not at ${KIT} (set JEELINKY_JEEDOM_KIT)` };
  const cache = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  const base: NodeJS.ProcessEnv = {
    ...process.env,
    JEEDOM_HOME: path.join(cache, 'jeelinky-test-jeedom', `box${SLOT}`),
    JEEDOM_HTTP_PORT: String(8791 + SLOT),
    JEEDOM_DB_PORT: String(3391 + SLOT),
  };
  const all = syntheticCurve(PDL_BATCH, 2 * 17_520);
  const points = readingsToPoints(all, TZ).points.length;
  const sample = syntheticCurve(PDL_EVENT, Math.ceil(SAMPLE_POINTS / 2));
  const out: Record<string, number | string> = {
    'points (2 years of 30-min load curve, W and Wh)': points,
    'cmd::event path measured on a sample of (points)': readingsToPoints(sample, TZ).points.length,
  };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jeelinky-bench-plugin-'));
  fs.cpSync(path.join(ROOT, 'jeedom-plugin'), path.join(tmp, 'jeelinky'), { recursive: true });
  try {
    for (const workers of [1, 4]) {
      const env: NodeJS.ProcessEnv = { ...base, PHP_CLI_SERVER_WORKERS: String(workers) };
      kit(env, 'setup.sh');
      kit(env, 'start.sh');
      kit(env, 'reset.sh');
      kit(env, 'install-plugin.sh', [path.join(tmp, 'jeelinky')]);
      const box = JSON.parse(fs.readFileSync(path.join(env.JEEDOM_HOME!, 'box.json'), 'utf8')) as { apiUrl: string; apiKey: string };
      const client = new JeedomClient({ url: box.apiUrl, apikey: box.apiKey });
      await ensureVirtualDevice(client, { usagePoint: PDL_BATCH });
      await ensureVirtualDevice(client, { usagePoint: PDL_EVENT });
      const devices = new Map([
        [PDL_BATCH, await loadVirtualDevice(client, PDL_BATCH)],
        [PDL_EVENT, await loadVirtualDevice(client, PDL_EVENT)],
      ]);
      const concurrency = 4;

      let t = performance.now();
      const a = await writeReadings(client, all, { devices, concurrency });
      const batchMs = performance.now() - t;
      t = performance.now();
      const b = await writeReadings(client, sample, { devices, concurrency, batch: false });
      const eventMs = performance.now() - t;

      // The sample's datetimes through both ways: identical rows.
      const first = readingsToPoints(sample, TZ).points;
      const from = first[0]!.datetime;
      const to = first[first.length - 1]!.datetime;
      let identical = true;
      for (const logicalId of ['load_curve_power', 'load_curve_energy']) {
        const ra = (await client.history(devices.get(PDL_BATCH)!.cmds.get(logicalId)!.id, from, to)).map((r) => `${r.datetime}=${r.value}`);
        const rb = (await client.history(devices.get(PDL_EVENT)!.cmds.get(logicalId)!.id, from, to)).map((r) => `${r.datetime}=${r.value}`);
        identical &&= ra.length === rb.length && ra.length > 0 && ra.every((v, i) => v === rb[i]);
      }
      client.close();
      const batchRate = (a.written * 1000) / batchMs;
      const eventRate = (b.written * 1000) / eventMs;
      out[`${workers} worker(s): jeelinky::writeHistory points/s (${a.via}, ${a.requests} requests)`] = Math.round(batchRate);
      out[`${workers} worker(s): jeelinky::writeHistory import time (s)`] = (batchMs / 1000).toFixed(1);
      out[`${workers} worker(s): cmd::event points/s (${b.via}, concurrency ${concurrency}, sample)`] = Math.round(eventRate);
      out[`${workers} worker(s): cmd::event time for all the points, extrapolated (s)`] = Math.round(points / eventRate);
      out[`${workers} worker(s): speed-up`] = `${(batchRate / eventRate).toFixed(1)}×`;
      out[`${workers} worker(s): sample rows identical both ways`] = identical ? 'yes' : 'NO';
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
    kit(base, 'stop.sh');
  }
  return out;
}

// `node dist/scenario/bench/jeedom-real.js` runs this section alone.
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const figures = await benchJeedomReal();
  const width = Math.max(...Object.keys(figures).map((k) => k.length));
  for (const [k, v] of Object.entries(figures)) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
}
