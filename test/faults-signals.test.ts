/**
 * "Stop means stop": SIGINT and SIGTERM end the real CLI within 3 seconds wherever it is, during a
 * hanging Enedis call, slow Jeedom writes, MQTT publishing (real mosquitto) and InfluxDB writes
 * (real victoria-metrics), the two last behind a loopback relay that stops passing the server's
 * answers. Each time: exit 75, the signal's line printed exactly once, the run's own report
 * printed (it stopped cleanly, not through the safety net), and the next run completes the rest.
 */
import fs from 'node:fs';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { readingsToPoints } from '../plugin/jeedom/history.js';
import { deviceLogicalId } from '../plugin/jeedom/virtual.js';
import type { ReadingKind } from '../plugin/readings.js';
import { ReadingsStore } from '../plugin/store/readings.js';
import { StateStore } from '../plugin/store/state.js';
import { PDL, runCli, spawnCli, tempDir, type CliResult } from './support/core.js';
import { cliWorld, type CliWorld } from './support/world.js';
import { startMosquitto, startVictoriaMetrics, stallingRelay, type StallingRelay } from './support/servers.js';

/** The promise of the README. */
const STOP_WITHIN_MS = 3000;
const LINE = /received: stopped; everything done so far is saved/g;

type World = CliWorld<boolean>;

/** A paired state directory (and a Jeedom with its virtual device when asked). */
const world = (withJeedom = false): Promise<World> =>
  cliWorld({ jeedom: withJeedom && 'with-device', pair: true, prefix: 'jeelinky-signal-' });

async function waitUntil(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Sends the signal(s) and measures how long the process takes to end. */
async function stop(running: { pid: number; done: Promise<CliResult> }, ...signals: NodeJS.Signals[]): Promise<CliResult & { ms: number }> {
  const sentAt = Date.now();
  for (const s of signals) process.kill(running.pid, s);
  const result = await running.done;
  return { ...result, ms: Date.now() - sentAt };
}

function expectStoppedOnce(r: CliResult & { ms: number }, code = 75): void {
  expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code });
  expect(r.ms).toBeLessThan(STOP_WITHIN_MS);
  expect(r.stderr.match(LINE) ?? []).toHaveLength(1);
}

/** Jeedom's history holds every stored reading once, and nothing twice. */
async function jeedomProblems(w: World, kinds: ReadingKind[]): Promise<string[]> {
  const problems: string[] = [];
  const readings = new ReadingsStore(await StateStore.open(w.dir));
  const all = (await Promise.all(kinds.map((k) => readings.readings(PDL, k, '2000-01-01', '2100-01-01')))).flat();
  expect(all.length).toBeGreaterThan(100);
  const device = w.jeedom!.eqLogics().find((e) => e.logicalId === deviceLogicalId(PDL))!;
  const byCmd = new Map<string, string[]>();
  for (const p of readingsToPoints(all, 'Europe/Paris').points) byCmd.set(p.logicalId, [...(byCmd.get(p.logicalId) ?? []), p.datetime]);
  for (const [logicalId, datetimes] of byCmd) {
    const rows = w.jeedom!.history(w.jeedom!.cmdByLogicalId(device.id, logicalId)!.id).map((r) => r.datetime);
    if (rows.length !== new Set(rows).size) problems.push(`${logicalId}: a point written twice`);
    const missing = datetimes.filter((d) => !rows.includes(d));
    if (missing.length) problems.push(`${logicalId}: ${missing.length} point(s) missing`);
  }
  return problems;
}

describe('SIGINT and SIGTERM stop the CLI within 3 seconds', () => {
  it('SIGTERM during an Enedis call that hangs: the call is aborted, exit 75, one line', async () => {
    const w = await world();
    try {
      w.enedis.inject({ path: '/data/proxy/' }, { kind: 'delay', ms: 60_000 });
      const before = w.enedis.meteringCalls().length;
      const running = spawnCli(['run'], w.env);
      await waitUntil('the metering call', () => w.enedis.meteringCalls().length > before);
      await new Promise((r) => setTimeout(r, 200));
      const r = await stop(running, 'SIGTERM');
      expectStoppedOnce(r);
      // The run's report came out (a clean stop), and no network error was made of the abort.
      expect(r.stdout).toMatch(/metering call/);
      expect(r.stderr).not.toMatch(/network error|no answer within/);
    } finally {
      await w.close();
    }
  }, 60_000);

  it('a second signal exits at once with 130, the line still printed once', async () => {
    const w = await world();
    try {
      w.enedis.inject({ path: '/data/proxy/' }, { kind: 'delay', ms: 60_000 });
      const before = w.enedis.meteringCalls().length;
      const running = spawnCli(['run'], w.env);
      await waitUntil('the metering call', () => w.enedis.meteringCalls().length > before);
      // Two different signals: two SIGTERMs sent together may arrive as one.
      const r = await stop(running, 'SIGTERM', 'SIGINT');
      expectStoppedOnce(r, 130);
      expect(r.stdout).toBe('');
    } finally {
      await w.close();
    }
  }, 60_000);

  it('SIGINT during slow Jeedom writes: exit 75 within 3 s; the next run writes the rest, nothing twice', async () => {
    const w = await world(true);
    try {
      w.jeedom!.setLatency(30);
      const running = spawnCli(['run'], w.env);
      await waitUntil('Jeedom writes', () => (w.jeedom!.methodCounts()['cmd::event'] ?? 0) >= 30, 40_000);
      const r = await stop(running, 'SIGINT');
      expectStoppedOnce(r);
      const interrupted = /jeedom\s+interrupted: (\d+) written; the rest stays pending for the next run/.exec(r.stdout);
      expect(interrupted, r.stdout).not.toBeNull();
      expect((await jeedomProblems(w, ['daily_consumption', 'max_power', 'load_curve'])).length).toBeGreaterThan(0);

      w.jeedom!.setLatency(0);
      const next = await runCli(['run'], w.env);
      expect({ code: next.code, stderr: next.stderr }).toMatchObject({ code: 0 });
      expect(Number(/jeedom\s+(\d+) written/.exec(next.stdout)?.[1])).toBeGreaterThan(0);
      expect(await jeedomProblems(w, ['daily_consumption', 'max_power', 'load_curve'])).toEqual([]);
    } finally {
      await w.close();
    }
  }, 90_000);

  /**
   * `publish --sink <sink>` through a relay that stalls, stopped by SIGTERM once `started()` says the
   * write is under way: one line, exit 75, nothing written; then a publish straight to the server
   * delivers what stayed pending.
   */
  async function stopPublishThenResume(
    sink: 'mqtt' | 'influx',
    startServer: () => Promise<{ port: number; stop(): Promise<void> }>,
    passBytes: number,
    sinkEnv: (port: number) => Record<string, string>,
    started: (relay: StallingRelay) => boolean,
    settleMs = 0,
  ): Promise<void> {
    const w = await world();
    const server = await startServer();
    const relay = await stallingRelay(server.port, passBytes);
    try {
      expect((await runCli(['run'], w.env)).code).toBe(0);
      const running = spawnCli(['publish', '--sink', sink], { ...w.env, ...sinkEnv(relay.port) });
      await waitUntil(`the ${sink} write`, () => started(relay));
      if (settleMs) await new Promise((r) => setTimeout(r, settleMs));
      const r = await stop(running, 'SIGTERM');
      expectStoppedOnce(r);
      expect(r.stdout).toMatch(new RegExp(`${sink}\\s+interrupted: 0 written; the rest stays pending`));

      const next = await runCli(['publish', '--sink', sink], { ...w.env, ...sinkEnv(server.port) });
      expect({ code: next.code, stderr: next.stderr }).toMatchObject({ code: 0 });
      expect(Number(new RegExp(`${sink}\\s+(\\d+) written`).exec(next.stdout)?.[1])).toBeGreaterThan(100);
    } finally {
      await relay.stop();
      await server.stop();
      await w.close();
    }
  }

  it('SIGTERM while publishing to MQTT (mosquitto stops acknowledging): exit 75 within 3 s; the next publish delivers', async () => {
    await stopPublishThenResume(
      'mqtt',
      startMosquitto,
      4, // the CONNACK, then nothing
      (port) => ({ JEELINKY_MQTT_HOST: '127.0.0.1', JEELINKY_MQTT_PORT: String(port) }),
      (relay) => relay.bytesFromClient() > 1000,
    );
  }, 60_000);

  it('SIGTERM during an InfluxDB write that hangs (victoria-metrics): exit 75 within 3 s; the next publish writes', async () => {
    await stopPublishThenResume(
      'influx',
      startVictoriaMetrics,
      0, // requests pass, answers never come back
      (port) => ({
        JEELINKY_INFLUXDB_URL: `http://127.0.0.1:${port}`,
        JEELINKY_INFLUXDB_ORG: 'home',
        JEELINKY_INFLUXDB_BUCKET: 'linky',
        JEELINKY_INFLUXDB_TOKEN: 'influx-token-signal-test',
      }),
      (relay) => relay.bytesFromClient() > 0,
      200,
    );
  }, 60_000);

  it('every other command (jeedom setup against a box that never answers, stats): one line, exit 75 within 3 s', async () => {
    // A Jeedom that accepts the connection and never answers: setup waits on its first request.
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const dir = tempDir('jeelinky-signal-');
    try {
      const port = (silent.address() as net.AddressInfo).port;
      const env = { JEELINKY_STATE_DIR: dir, JEELINKY_JEEDOM_URL: `http://127.0.0.1:${port}`, JEELINKY_JEEDOM_APIKEY: 'k'.repeat(32) };
      for (const [args, signal] of [
        [['jeedom', 'setup'], 'SIGTERM'],
        [['stats', '--source', 'jeedom', '--', '#[Linky][Linky][value]#', 'sum', 'today', 'now'], 'SIGINT'],
      ] as const) {
        const running = spawnCli([...args], env);
        await waitUntil('the request to Jeedom', () => sockets.size > 0);
        const r = await stop(running, signal);
        expect({ args, code: r.code, stderr: r.stderr }).toMatchObject({ code: 75 });
        expect(r.ms).toBeLessThan(STOP_WITHIN_MS);
        expect(r.stderr.match(new RegExp(`${signal} received: stopped; nothing was left half-written`, 'g')) ?? []).toHaveLength(1);
        for (const s of sockets) s.destroy();
        sockets.clear();
      }
    } finally {
      silent.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
