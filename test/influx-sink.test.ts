/**
 * The InfluxDB v2 sink against a real server of the v2 write API (Debian's victoria-metrics, which
 * takes line protocol on /api/v2/write), fed by the runner from the Enedis simulator; points are
 * read back through VictoriaMetrics' export API. Error mapping and batching are checked against
 * a small HTTP server on loopback that answers what InfluxDB answers (401, 404, 503, 204).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { Reading, ReadingKind } from '../plugin/readings.js';
import fs from 'node:fs';
import path from 'node:path';
import { InfluxSink, readingPoint, resolveInfluxSettings, type InfluxSettings } from '../plugin/sinks/influx.js';
import { ReadingsStore } from '../plugin/store/readings.js';
import { StateStore } from '../plugin/store/state.js';
import { publishFromStore } from '../plugin/runner/publish.js';
import { runScenario } from '../plugin/runner/index.js';
import { harness, PDL, ROOT, type Harness } from './support/core.js';
import { freePort, startVictoriaMetrics, type Victoria } from './support/servers.js';

const NOW = '2024-11-05T10:00:00+01:00';
const TOKEN = 'influx-token-0123456789-secret';
let h: Harness | undefined;
let vm: Victoria | undefined;
let fake: http.Server | undefined;
afterEach(async () => {
  await vm?.stop();
  await h?.close();
  if (fake) await new Promise((r) => fake!.close(r));
  vm = h = fake = undefined;
});

function settings(url: string, extra: Partial<InfluxSettings> = {}): InfluxSettings {
  return {
    ...resolveInfluxSettings(
      { fileSettings: {}, timeoutMs: 5000, retryBaseMs: 5 },
      { 'influx-url': url, 'influx-token': TOKEN, 'influx-org': 'home', 'influx-bucket': 'linky' },
      {},
    )!,
    ...extra,
  };
}

async function stored(kind: ReadingKind): Promise<Reading[]> {
  const store = await StateStore.open(h!.config.stateDir);
  return new ReadingsStore(store).readings(PDL, kind, '2020-01-01', '2030-01-01');
}

const run = (sinks: InfluxSink[]) => runScenario({}, { config: h!.config, now: h!.clock.now, sleep: h!.clock.sleep, sinks });

async function series(name: string, kind: ReadingKind) {
  const found = await vm!.exportSeries(`${name}{pdl="${PDL}",kind="${kind}"}`);
  expect(found).toHaveLength(1);
  const s = found[0]!;
  return s.timestamps.map((t, i) => [t, s.values[i]!] as const).sort((a, b) => a[0] - b[0]);
}

/** An InfluxDB stand-in on loopback answering each write with the next scripted status. */
async function scripted(statuses: number[], body = '{"code":"unauthorized","message":"unauthorized access"}') {
  const requests: Array<{ url: string; auth: string | undefined; lines: string[] }> = [];
  fake = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      // The client gzips bodies over 1 kB, as InfluxDB accepts.
      const raw = Buffer.concat(chunks);
      const data = (req.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(raw) : raw).toString();
      requests.push({ url: req.url ?? '', auth: req.headers.authorization, lines: data.split('\n').filter(Boolean) });
      const status = statuses.shift() ?? 204;
      res.writeHead(status, { 'content-type': 'application/json', ...(status === 429 ? { 'retry-after': '0' } : {}) });
      res.end(status === 204 ? undefined : body);
    });
  });
  await new Promise<void>((r) => fake!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(fake.address() as AddressInfo).port}`, requests };
}

const ctx = () => ({ usagePoint: PDL, tz: 'Europe/Paris', now: new Date(Date.parse(NOW)) });
function points(n: number): Reading[] {
  const t0 = Date.parse('2024-11-01T00:00:00+01:00');
  return Array.from({ length: n }, (_, i) => ({
    usagePoint: PDL,
    kind: 'load_curve' as const,
    day: '2024-11-01',
    start: new Date(t0 + i * 1_800_000).toISOString(),
    end: new Date(t0 + (i + 1) * 1_800_000).toISOString(),
    value: 100 + i,
    unit: 'W' as const,
    energyWh: (100 + i) / 2,
  }));
}

describe('InfluxDB sink on victoria-metrics', () => {
  it('writes one point per reading at its start instant, tagged by PDL and kind, with unit-named fields', async () => {
    h = await harness(NOW);
    await h.pairNow();
    vm = await startVictoriaMetrics();
    const r = await run([new InfluxSink(settings(vm.url))]);
    expect(r.exitCode).toBe(0);
    expect(r.sinks[0]).toMatchObject({ sink: 'influx', written: 7 + 7 + 7 * 48, failed: 0 });

    const daily = await stored('daily_consumption');
    expect(await series('linky_energy_wh', 'daily_consumption')).toEqual(daily.map((x) => [Date.parse(x.start), x.value]));
    const curve = await stored('load_curve');
    expect(curve).toHaveLength(7 * 48);
    expect(await series('linky_power_w', 'load_curve')).toEqual(curve.map((x) => [Date.parse(x.start), x.value]));
    expect(await series('linky_energy_wh', 'load_curve')).toEqual(curve.map((x) => [Date.parse(x.start), x.energyWh!]));
    expect(await series('linky_duration_s', 'load_curve')).toEqual(curve.map((x) => [Date.parse(x.start), 1800]));
    const maxp = await stored('max_power');
    expect(await series('linky_apparent_power_va', 'max_power')).toEqual(maxp.map((x) => [Date.parse(x.start), x.value]));
    expect(await series('linky_peak_time_s', 'max_power')).toEqual(maxp.map((x) => [Date.parse(x.start), Date.parse(x.at!) / 1000]));
  });

  it('writing the same readings again gives the same series, no duplicate points', async () => {
    h = await harness(NOW);
    await h.pairNow();
    vm = await startVictoriaMetrics();
    await run([new InfluxSink(settings(vm.url))]);
    const first = await series('linky_power_w', 'load_curve');
    const again = await publishFromStore(h.config, [new InfluxSink(settings(vm.url))], { since: '2024-10-01', now: h.clock.now() });
    expect(again.sinks[0]).toMatchObject({ written: 7 + 7 + 7 * 48, failed: 0 });
    const second = await series('linky_power_w', 'load_curve');
    expect(second).toHaveLength(7 * 48);
    expect(second).toEqual(first);
    const all = await vm.exportSeries(`{__name__=~"linky_.*",pdl="${PDL}"}`);
    expect(all.map((x) => `${x.metric.__name__}/${x.metric.kind}`).sort()).toEqual([
      'linky_apparent_power_va/max_power',
      'linky_duration_s/load_curve',
      'linky_energy_wh/daily_consumption',
      'linky_energy_wh/load_curve',
      'linky_peak_time_s/max_power',
      'linky_power_w/load_curve',
    ]);
    for (const x of all) expect(new Set(x.timestamps).size).toBe(x.timestamps.length);
  });

  it('a server that is down: one clear error (75), readings written at the next run', async () => {
    h = await harness(NOW);
    await h.pairNow();
    const url = `http://127.0.0.1:${await freePort()}`;
    const first = await run([new InfluxSink(settings(url, { maxRetries: 1 }))]);
    expect(first.exitCode).toBe(0);
    expect(first.sinks[0]!.error).toMatchObject({ code: 'influx_unreachable', exitCode: 75 });
    expect(first.sinks[0]!.error!.message).toContain(url);
    expect(first.sinks[0]!.error!.message).toContain('next run');
    expect(first.sinks[0]!.failed).toBe(7 + 7 + 7 * 48);

    vm = await startVictoriaMetrics();
    const second = await run([new InfluxSink(settings(vm.url))]);
    expect(second.meteringCalls).toBe(0);
    expect(second.sinks[0]).toMatchObject({ written: 7 + 7 + 7 * 48, failed: 0 });
    expect(await series('linky_power_w', 'load_curve')).toHaveLength(7 * 48);
  });
});

describe('InfluxDB sink: protocol', () => {
  it('a refused token is 78 and never shows the token', async () => {
    const srv = await scripted([401]);
    const sink = new InfluxSink(settings(srv.url));
    const r = await sink.deliver(points(3), ctx());
    await sink.close();
    expect(r.error).toMatchObject({ code: 'influx_credentials', exitCode: 78 });
    expect(r.error!.message).toContain('JEELINKY_INFLUXDB_TOKEN');
    expect(JSON.stringify(r)).not.toContain(TOKEN);
    expect(srv.requests).toHaveLength(1); // not retried: retrying cannot fix a token
    expect(srv.requests[0]!.auth).toBe(`Token ${TOKEN}`);
    expect(srv.requests[0]!.url).toMatch(/^\/api\/v2\/write\?org=home&bucket=linky&precision=ms/);
  });

  it('an unknown bucket is 78 and names the settings to check', async () => {
    const srv = await scripted([404], `{"code":"not found","message":"bucket \\"linky\\" not found; token ${TOKEN}"}`);
    const sink = new InfluxSink(settings(srv.url));
    const r = await sink.deliver(points(3), ctx());
    await sink.close();
    expect(r.error).toMatchObject({ code: 'influx_not_found', exitCode: 78 });
    expect(r.error!.message).toContain('JEELINKY_INFLUXDB_BUCKET');
    expect(r.error!.message).not.toContain(TOKEN);
  });

  it('5xx and 429 are retried with backoff, then the batch goes through', async () => {
    const srv = await scripted([503, 429, 204]);
    const delays: number[] = [];
    const sink = new InfluxSink(settings(srv.url, { retryBaseMs: 100 }), async (ms) => void delays.push(ms));
    const r = await sink.deliver(points(5), ctx());
    await sink.close();
    expect(r).toMatchObject({ written: 5, failed: 0 });
    expect(r.error).toBeUndefined();
    expect(srv.requests).toHaveLength(3);
    expect(srv.requests[2]!.lines).toEqual(srv.requests[0]!.lines); // the same batch again
    expect(delays).toEqual([100, 200]);
  });

  it('gives up after the retries with a temporary error, keeping the count of what was written', async () => {
    const srv = await scripted([204, 503, 503, 503]);
    const sink = new InfluxSink(settings(srv.url, { batchSize: 10, maxRetries: 2 }), async () => undefined);
    const r = await sink.deliver(points(25), ctx());
    await sink.close();
    expect(r).toMatchObject({ written: 10, failed: 15 });
    expect(r.error).toMatchObject({ code: 'influx_unavailable', exitCode: 75 });
    expect(srv.requests).toHaveLength(4);
  });

  it('writes in batches of at most batchSize points, in line protocol at millisecond precision', async () => {
    const srv = await scripted([]);
    const sink = new InfluxSink(settings(srv.url, { batchSize: 100 }));
    const progress: number[] = [];
    const r = await sink.deliver(points(350), { ...ctx(), onProgress: (done) => progress.push(done) });
    await sink.close();
    expect(r).toMatchObject({ written: 350, failed: 0 });
    expect(srv.requests.map((q) => q.lines.length)).toEqual([100, 100, 100, 50]);
    expect(progress).toEqual([100, 200, 300, 350]);
    const first = points(1)[0]!;
    expect(srv.requests[0]!.lines[0]).toBe(
      `linky,kind=load_curve,pdl=${PDL} duration_s=1800,energy_wh=50,power_w=100 ${Date.parse(first.start)}`,
    );
  });
});

describe('InfluxDB settings', () => {
  const cfg = (file: Record<string, unknown> = {}) => ({ fileSettings: file, timeoutMs: 30_000, retryBaseMs: 2000 });
  it('is not configured without a URL; org and bucket are required with it', () => {
    expect(resolveInfluxSettings(cfg(), {}, {})).toBeUndefined();
    expect(() => resolveInfluxSettings(cfg(), {}, { JEELINKY_INFLUXDB_URL: 'http://h:8086' })).toThrow(
      /JEELINKY_INFLUXDB_ORG nor JEELINKY_INFLUXDB_BUCKET/,
    );
    expect(() =>
      resolveInfluxSettings(cfg(), {}, { JEELINKY_INFLUXDB_URL: 'h:8086', JEELINKY_INFLUXDB_ORG: 'o', JEELINKY_INFLUXDB_BUCKET: 'b' }),
    ).toThrow(/not a URL|http/);
    const s = resolveInfluxSettings(
      cfg({ influxdbBucket: 'file-bucket', influxdbOrg: 'file-org' }),
      { 'influx-org': 'flag-org' },
      { JEELINKY_INFLUXDB_URL: 'http://h:8086/', JEELINKY_INFLUXDB_ORG: 'env-org' },
    )!;
    expect(s).toMatchObject({ url: 'http://h:8086', org: 'flag-org', bucket: 'file-bucket', measurement: 'linky', token: undefined });
  });
});

describe('the Grafana example', () => {
  it('queries only kinds and fields the sink writes', () => {
    const dash = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'grafana-dashboard.json'), 'utf8'));
    const sample: Record<string, Reading> = {};
    for (const kind of ['daily_consumption', 'max_power', 'load_curve', 'production_load_curve'] as const) {
      const unit = kind === 'max_power' ? 'VA' : kind.endsWith('curve') ? 'W' : 'Wh';
      sample[kind] = {
        usagePoint: PDL,
        kind,
        day: '2024-11-04',
        start: '2024-11-04T00:00:00+01:00',
        end: '2024-11-04T00:30:00+01:00',
        value: 1,
        unit,
        ...(unit === 'W' ? { energyWh: 0.5 } : {}),
        ...(unit === 'VA' ? { at: '2024-11-04T19:00:00+01:00' } : {}),
      };
    }
    let checked = 0;
    for (const panel of dash.panels) {
      for (const t of panel.targets) {
        const m = /r\.kind == "(\w+)" and r\._field == "(\w+)"/.exec(t.query);
        expect(m, panel.title).not.toBeNull();
        const line = readingPoint(sample[m![1]!]!, 'linky').toLineProtocol()!;
        expect(line, panel.title).toMatch(new RegExp(`[ ,]${m![2]}=`));
        checked++;
      }
    }
    expect(checked).toBe(6);
  });
});
