/**
 * Benchmark (figures, not a test): delivering 35,000 load-curve readings (two years of
 * half-hours) to a real mosquitto and a real victoria-metrics (InfluxDB v2 write API), each
 * started on a free loopback port for the run and stopped after. Needs Debian's mosquitto and
 * victoria-metrics (npm run test-setup installs them).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { InfluxSink } from '../../plugin/sinks/influx.js';
import { MqttSink } from '../../plugin/sinks/mqtt.js';
import { resolveMqttSettings } from '../../plugin/sinks/mqtt-config.js';
import { syntheticCurve } from './jeedom.js';

const PDL = '12345678901234';
const TZ = 'Europe/Paris';
const POINTS = 35_000;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function until(what: string, child: ChildProcess, probe: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not start within 10 s`);
}

async function server(bin: string, args: (port: number, dir: string) => string[], probe: (port: number) => Promise<boolean>) {
  if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run "npm run test-setup"`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jeelinky-bench-'));
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const child = spawn(bin, args(port, dir), { stdio: 'ignore' });
  await until(path.basename(bin), child, () => probe(port));
  return {
    port,
    stop: async () => {
      if (child.exitCode === null) await new Promise((r) => (child.once('exit', r), child.kill('SIGTERM')));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const tcpOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true))).once('error', () => resolve(false));
  });

const ctx = { usagePoint: PDL, tz: TZ, now: new Date('2025-01-01T12:00:00Z') };
const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString('en-US')} points/s (${(ms / 1000).toFixed(2)} s)`;

export async function benchPublish(): Promise<Record<string, number | string>> {
  const readings = syntheticCurve(PDL, POINTS);
  const out: Record<string, number | string> = { 'load-curve readings': POINTS };

  const mosquitto = await server(
    '/usr/sbin/mosquitto',
    (port, dir) => {
      const conf = path.join(dir, 'mosquitto.conf');
      fs.writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
      fs.chmodSync(conf, 0o644);
      return ['-c', conf];
    },
    tcpOpen,
  );
  try {
    for (const qos of [1, 0] as const) {
      const sink = new MqttSink(
        resolveMqttSettings(
          { fileSettings: {}, timeoutMs: 10_000 },
          { 'mqtt-host': '127.0.0.1', 'mqtt-port': mosquitto.port, 'mqtt-qos': qos },
          {},
        )!,
      );
      const messages = (await sink.messagesFor(readings, ctx)).length;
      const t0 = performance.now();
      const r = await sink.deliver(readings, ctx);
      const ms = performance.now() - t0;
      await sink.close();
      if (r.error) throw new Error(r.error.message);
      out[`MQTT QoS ${qos} (one message per day)`] = `${rate(POINTS, ms)}, ${messages} messages`;
    }
  } finally {
    await mosquitto.stop();
  }

  const vm = await server(
    '/usr/bin/victoria-metrics',
    (port, dir) => [
      `-httpListenAddr=127.0.0.1:${port}`,
      `-storageDataPath=${dir}`,
      '-dedup.minScrapeInterval=1ms',
      '-retentionPeriod=100y',
      '-loggerLevel=ERROR',
    ],
    async (port) =>
      fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.ok,
        () => false,
      ),
  );
  try {
    const settings = {
      url: `http://127.0.0.1:${vm.port}`,
      token: 'bench',
      org: 'home',
      bucket: 'linky',
      measurement: 'linky',
      batchSize: 5000,
      maxRetries: 2,
      retryBaseMs: 100,
      timeoutMs: 30_000,
    };
    for (const label of ['first write', 'same points again']) {
      const sink = new InfluxSink(settings);
      const t0 = performance.now();
      const r = await sink.deliver(readings, ctx);
      const ms = performance.now() - t0;
      await sink.close();
      if (r.error) throw new Error(r.error.message);
      out[`InfluxDB v2 write (victoria-metrics), ${label}`] = `${rate(POINTS, ms)}, ${Math.ceil(POINTS / settings.batchSize)} requests`;
    }
  } finally {
    await vm.stop();
  }
  return out;
}
