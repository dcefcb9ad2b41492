/**
 * `jeelinky publish` as a child process (the built CLI), over a store filled by the runner from the
 * Enedis simulator, to a real mosquitto and a real victoria-metrics: no call to Enedis, pending
 * only by default, everything again with --since, --sink to choose, exit codes of failures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, PDL, runCli, type Harness } from './support/core.js';
import { freePort, retainedMessages, startMosquitto, startVictoriaMetrics, type Broker, type Victoria } from './support/servers.js';

const TOTAL = 7 + 7 + 7 * 48;
let h: Harness;
let broker: Broker;
let vm: Victoria;

beforeAll(async () => {
  h = await harness('2024-11-05T10:00:00+01:00');
  await h.pairNow();
  const filled = await h.run();
  expect(filled.kinds.every((k) => k.status === 'ok')).toBe(true);
  broker = await startMosquitto({ users: { linky: 'mqtt-pass-secret-1' } });
  vm = await startVictoriaMetrics();
});
afterAll(async () => {
  await broker?.stop();
  await vm?.stop();
  await h?.close();
});

const env = (extra: Record<string, string> = {}) => ({
  JEELINKY_STATE_DIR: h.config.stateDir,
  JEELINKY_MQTT_HOST: '127.0.0.1',
  JEELINKY_MQTT_PORT: String(broker.port),
  JEELINKY_MQTT_USERNAME: 'linky',
  JEELINKY_MQTT_PASSWORD: 'mqtt-pass-secret-1',
  JEELINKY_INFLUXDB_URL: vm.url,
  JEELINKY_INFLUXDB_TOKEN: 'influx-token-secret-42',
  JEELINKY_INFLUXDB_ORG: 'home',
  JEELINKY_INFLUXDB_BUCKET: 'linky',
  ...extra,
});

describe('jeelinky publish', () => {
  it('a broker that is down: exit 75, one line naming it, the other sink delivered; no secret printed', async () => {
    const before = h.sim.meteringCalls().length;
    const down = await freePort();
    const r = await runCli(['publish', '--json'], env({ JEELINKY_MQTT_PORT: String(down) }));
    expect(r.code, r.stderr).toBe(75);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ ok: false, exitCode: 75, usagePoint: PDL, forced: false });
    expect(report.sinks.find((s: { sink: string }) => s.sink === 'influx')).toMatchObject({ written: TOTAL, failed: 0 });
    expect(report.sinks.find((s: { sink: string }) => s.sink === 'mqtt').error).toMatchObject({ code: 'mqtt_unreachable', exitCode: 75 });
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`jeelinky: mqtt: MQTT broker mqtt://127.0.0.1:${down} is unreachable`);
    for (const secret of ['mqtt-pass-secret-1', 'influx-token-secret-42']) expect(r.stdout + r.stderr).not.toContain(secret);
    expect(h.sim.meteringCalls().length).toBe(before); // no call to Enedis
  });

  it('then delivers only what each sink has not had, and nothing on the next call', async () => {
    const r = await runCli(['publish', '--json'], env());
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.sinks).toEqual([
      { sink: 'mqtt', written: TOTAL, skipped: 0, corrected: 0, failed: 0 },
      { sink: 'influx', written: 0, skipped: 0, corrected: 0, failed: 0 },
    ]);
    const got = await retainedMessages(broker.port, `jeelinky/${PDL}/+/latest`, { username: 'linky', password: 'mqtt-pass-secret-1' });
    expect(got.size).toBe(3);

    const again = await runCli(['publish'], env());
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('mqtt     0 written');
    expect(again.stdout).toContain('influx   0 written');
  });

  it('--since sends everything from that day again, --sink picks the sink; the series stay without duplicates', async () => {
    const r = await runCli(['publish', '--sink', 'influx', '--since', '2024-11-02', '--json'], env());
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ forced: true, from: '2024-11-02' });
    expect(report.sinks).toEqual([{ sink: 'influx', written: 3 + 3 + 3 * 48, skipped: 0, corrected: 0, failed: 0 }]);
    const s = await vm.exportSeries(`linky_power_w{pdl="${PDL}"}`);
    expect(s[0]!.timestamps).toHaveLength(7 * 48);
  });

  it('flags override the variables (a wrong password by flag is refused: 78)', async () => {
    const r = await runCli(['publish', '--sink', 'mqtt', '--since', '2024-11-04', '--mqtt-password', 'not-the-password'], env());
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('refused the credentials');
    expect(r.stderr).not.toContain('not-the-password');
  });

  it('no configured sink is a configuration error (78) that says what to set', async () => {
    const r = await runCli(['publish'], { JEELINKY_STATE_DIR: h.config.stateDir });
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('JEELINKY_MQTT_HOST');
    const only = await runCli(['publish', '--sink', 'jeedom'], env());
    expect(only.code).toBe(78);
    expect(only.stderr).toContain('jeedom: not configured');
  });

  it('run takes the MQTT flags too', async () => {
    const r = await runCli(['run', '--help'], {});
    expect(r.code).toBe(0);
    for (const flag of ['--mqtt-host', '--mqtt-ha-prefix', '--influx-url', '--influx-bucket']) expect(r.stdout).toContain(flag);
  });
});
