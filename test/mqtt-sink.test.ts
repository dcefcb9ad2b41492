/**
 * The MQTT sink against a real broker (Debian's mosquitto on a loopback port), fed by the runner
 * from the Enedis simulator; a real mqtt.js client reads topics, payloads, retain flags and the
 * Home Assistant discovery configs back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../plugin/config.js';
import type { Reading, ReadingKind } from '../plugin/readings.js';
import { MqttSink, createMqttSink, storeSource, type DayBreakdown } from '../plugin/sinks/mqtt.js';
import { resolveMqttSettings, type MqttSettings } from '../plugin/sinks/mqtt-config.js';
import { emptyResult, type Sink, type SinkResult } from '../plugin/sinks/sink.js';
import { ReadingsStore } from '../plugin/store/readings.js';
import { StateStore } from '../plugin/store/state.js';
import { runScenario } from '../plugin/runner/index.js';
import { publishFromStore } from '../plugin/runner/publish.js';
import { harness, PDL, type Harness } from './support/core.js';
import { freePort, retainedMessages, startMosquitto, subscriber, type Broker } from './support/servers.js';

const NOW = '2024-11-05T10:00:00+01:00';
let h: Harness | undefined;
let broker: Broker | undefined;
afterEach(async () => {
  await broker?.stop();
  await h?.close();
  broker = undefined;
  h = undefined;
});

function settings(port: number, extra: Partial<MqttSettings> = {}): MqttSettings {
  return { ...resolveMqttSettings({ fileSettings: {}, timeoutMs: 5000 }, { 'mqtt-host': '127.0.0.1', 'mqtt-port': port }, {})!, ...extra };
}

async function stored(kind: ReadingKind): Promise<Reading[]> {
  const store = await StateStore.open(h!.config.stateDir);
  return new ReadingsStore(store).readings(PDL, kind, '2020-01-01', '2030-01-01');
}

const run = (sinks: Sink[]) => runScenario({}, { config: h!.config, now: h!.clock.now, sleep: h!.clock.sleep, sinks });

/** Another sink in the same run, to show that a broken broker does not stop it. */
class CountingSink implements Sink {
  readonly name = 'influx' as const;
  got = 0;
  async deliver(readings: Reading[]): Promise<SinkResult> {
    this.got += readings.length;
    return { ...emptyResult(this.name), written: readings.length };
  }
  async close(): Promise<void> {}
}

describe('MQTT sink on mosquitto', () => {
  it('publishes latest and per-day values, the run status and HA discovery, all retained', async () => {
    h = await harness(NOW);
    await h.pairNow();
    broker = await startMosquitto();
    const sink = new MqttSink(settings(broker.port), { source: storeSource(h.config.stateDir) });
    const report = await run([sink]);
    expect(report.exitCode).toBe(0);
    expect(report.sinks[0]).toMatchObject({ sink: 'mqtt', written: 7 + 7 + 7 * 48, failed: 0 });
    expect(report.sinks[0]!.error).toBeUndefined();

    const got = await retainedMessages(broker.port, '#');
    const base = `jeelinky/${PDL}`;
    const json = (topic: string) => {
      const m = got.get(topic);
      if (!m) throw new Error(`no retained message on ${topic}; topics: ${[...got.keys()].join(', ')}`);
      expect(m.retain).toBe(true);
      return JSON.parse(m.payload);
    };

    // Daily consumption: one topic per day, the latest with its last_reset (the day's start).
    const daily = await stored('daily_consumption');
    expect(daily).toHaveLength(7);
    for (const r of daily)
      expect(json(`${base}/daily_consumption/day/${r.day}`)).toEqual({
        day: r.day,
        value: r.value,
        unit: 'Wh',
        start: r.start,
        end: r.end,
      });
    const last = daily.at(-1)!;
    expect(last.day).toBe('2024-11-04');
    expect(json(`${base}/daily_consumption/latest`)).toEqual({
      day: last.day,
      value: last.value,
      unit: 'Wh',
      start: last.start,
      end: last.end,
      last_reset: last.start,
    });

    // Max power: VA with the instant of the peak.
    const maxp = (await stored('max_power')).at(-1)!;
    expect(json(`${base}/max_power/latest`)).toMatchObject({ value: maxp.value, unit: 'VA', at: maxp.at });

    // Load curve: one message per day with every point, and the last interval as the latest.
    const curve = await stored('load_curve');
    const day = curve.filter((r) => r.day === '2024-11-03');
    const dayMsg = json(`${base}/load_curve/day/2024-11-03`);
    expect(dayMsg.points).toBe(48);
    expect(dayMsg.values).toHaveLength(48);
    expect(dayMsg.values[0]).toEqual({ start: day[0]!.start, end: day[0]!.end, value: day[0]!.value, energy_wh: day[0]!.energyWh });
    expect(dayMsg.energy_wh).toBeCloseTo(
      day.reduce((s, r) => s + r.energyWh!, 0),
      6,
    );
    expect(json(`${base}/load_curve/latest`)).toMatchObject({ value: curve.at(-1)!.value, unit: 'W', start: curve.at(-1)!.start });

    // HA discovery: one device per PDL, a sensor per figure with the Energy dashboard's classes.
    const disc = (component: string, key: string) => json(`homeassistant/${component}/jeelinky_${PDL}/${key}/config`);
    const energy = disc('sensor', 'daily_consumption');
    expect(energy).toMatchObject({
      unique_id: `jeelinky_${PDL}_daily_consumption`,
      state_topic: `${base}/daily_consumption/latest`,
      value_template: '{{ value_json.value }}',
      unit_of_measurement: 'Wh',
      device_class: 'energy',
      state_class: 'total',
      last_reset_value_template: '{{ value_json.last_reset }}',
      availability_topic: `${base}/availability`,
    });
    expect(energy.device.identifiers).toEqual([`jeelinky_${PDL}`]);
    expect(disc('sensor', 'max_power')).toMatchObject({
      unit_of_measurement: 'VA',
      device_class: 'apparent_power',
      state_class: 'measurement',
    });
    expect(disc('sensor', 'load_curve')).toMatchObject({ unit_of_measurement: 'W', device_class: 'power', state_class: 'measurement' });
    expect(disc('sensor', 'max_power').last_reset_value_template).toBeUndefined();
    expect(disc('sensor', 'last_run')).toMatchObject({
      device_class: 'timestamp',
      state_topic: `${base}/status`,
      entity_category: 'diagnostic',
    });
    expect(disc('binary_sensor', 'run_problem')).toMatchObject({ device_class: 'problem', payload_on: 'ON', payload_off: 'OFF' });
    // Kinds never fetched get no entity (it would stay "unknown" forever).
    expect(got.has(`homeassistant/sensor/jeelinky_${PDL}/daily_production/config`)).toBe(false);

    expect(json(`${base}/status`)).toEqual({ ok: true, exit_code: 0, finished_at: report.finishedAt, retry_at: null, error: null });
    expect(got.get(`${base}/availability`)).toEqual({ payload: 'online', retain: true });
  });

  it('re-publishing the same readings leaves every retained message as it was', async () => {
    h = await harness(NOW);
    await h.pairNow();
    broker = await startMosquitto();
    await run([new MqttSink(settings(broker.port), { source: storeSource(h.config.stateDir) })]);
    const before = await retainedMessages(broker.port, '#');

    const live = await subscriber(broker.port, '#');
    const again = await publishFromStore(h.config, [new MqttSink(settings(broker.port), { source: storeSource(h.config.stateDir) })], {
      since: '2024-10-01',
      now: h.clock.now(),
    });
    expect(again.sinks[0]).toMatchObject({ written: 7 + 7 + 7 * 48, failed: 0 });
    await live.stop();
    const after = await retainedMessages(broker.port, '#');

    expect(live.messages.length).toBeGreaterThan(20);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [topic, m] of after) expect(m.payload, topic).toBe(before.get(topic)!.payload);
    // What the live subscriber saw is the same content again, not something new.
    for (const m of live.messages) expect(m.payload, m.topic).toBe(before.get(m.topic)!.payload);
  });

  it('with retain off, data topics are not retained; discovery, availability and status still are', async () => {
    h = await harness(NOW);
    await h.pairNow();
    broker = await startMosquitto();
    const live = await subscriber(broker.port, '#');
    await run([new MqttSink(settings(broker.port, { retain: false, qos: 0 }), { source: storeSource(h.config.stateDir) })]);
    const got = await retainedMessages(broker.port, '#');
    await live.stop();
    const seen = live.messages.find((m) => m.topic === `jeelinky/${PDL}/daily_consumption/latest`);
    expect(seen).toBeDefined();
    expect(got.has(`jeelinky/${PDL}/daily_consumption/latest`)).toBe(false);
    expect(got.has(`jeelinky/${PDL}/load_curve/day/2024-11-04`)).toBe(false);
    expect(got.has(`homeassistant/sensor/jeelinky_${PDL}/daily_consumption/config`)).toBe(true);
    expect(got.has(`jeelinky/${PDL}/status`)).toBe(true);
    expect(got.get(`jeelinky/${PDL}/availability`)?.payload).toBe('online');
  });

  it('a broker that is down: one clear error (75), other sinks delivered, readings published at the next run', async () => {
    h = await harness(NOW);
    await h.pairNow();
    const port = await freePort();
    const other = new CountingSink();
    const first = await run([new MqttSink(settings(port), { source: storeSource(h.config.stateDir) }), other]);
    expect(first.exitCode).toBe(0); // the runner's rule: a sink that is down does not fail the run
    const err = first.sinks[0]!.error!;
    expect(err).toMatchObject({ code: 'mqtt_unreachable', exitCode: 75 });
    expect(err.message).toContain(`mqtt://127.0.0.1:${port}`);
    expect(err.message).toContain('ECONNREFUSED');
    expect(err.message).toContain('next run');
    expect(err.message).not.toContain('\n');
    expect(first.sinks[0]!.failed).toBe(7 + 7 + 7 * 48);
    expect(other.got).toBe(7 + 7 + 7 * 48);

    broker = await startMosquitto({ port });
    const second = await run([new MqttSink(settings(port), { source: storeSource(h.config.stateDir) }), other]);
    expect(second.meteringCalls).toBe(0);
    expect(second.sinks[0]).toMatchObject({ written: 7 + 7 + 7 * 48, failed: 0 });
    expect(other.got).toBe(7 + 7 + 7 * 48); // the other sink had everything already
    const got = await retainedMessages(port, `jeelinky/${PDL}/#`);
    expect(got.has(`jeelinky/${PDL}/daily_consumption/day/2024-10-29`)).toBe(true);
    expect(got.has(`jeelinky/${PDL}/load_curve/day/2024-11-04`)).toBe(true);
  });

  it('a broker that refuses the credentials: error 78 without the password, the run says a person must act', async () => {
    h = await harness(NOW);
    await h.pairNow();
    broker = await startMosquitto({ users: { linky: 'right-password-1' } });
    const wrong = 'wrong-password-2';
    const r = await run([
      new MqttSink(settings(broker.port, { username: 'linky', password: wrong }), { source: storeSource(h.config.stateDir) }),
    ]);
    expect(r.exitCode).toBe(78);
    expect(r.sinks[0]!.error).toMatchObject({ code: 'mqtt_credentials', exitCode: 78 });
    expect(r.sinks[0]!.error!.message).toContain('JEELINKY_MQTT_PASSWORD');
    expect(JSON.stringify(r)).not.toContain(wrong);

    const anonymous = await run([new MqttSink(settings(broker.port), { source: storeSource(h.config.stateDir) })]);
    expect(anonymous.sinks[0]!.error).toMatchObject({ code: 'mqtt_credentials', exitCode: 78 });

    const ok = await run([
      new MqttSink(settings(broker.port, { username: 'linky', password: 'right-password-1' }), { source: storeSource(h.config.stateDir) }),
    ]);
    expect(ok.exitCode).toBe(0);
    expect(ok.sinks[0]).toMatchObject({ written: 7 + 7 + 7 * 48 });
    const got = await retainedMessages(broker.port, `jeelinky/${PDL}/+/latest`, { username: 'linky', password: 'right-password-1' });
    expect([...got.keys()].sort()).toEqual([
      `jeelinky/${PDL}/daily_consumption/latest`,
      `jeelinky/${PDL}/load_curve/latest`,
      `jeelinky/${PDL}/max_power/latest`,
    ]);
  });

  it('TLS: verified with the given CA; without it the certificate is refused (78), never accepted blindly', async () => {
    h = await harness(NOW);
    await h.pairNow();
    broker = await startMosquitto({ tls: true });
    const env = { JEELINKY_MQTT_HOST: '127.0.0.1', JEELINKY_MQTT_PORT: String(broker.port), JEELINKY_MQTT_TLS: '1' };
    const noCa = resolveMqttSettings({ fileSettings: {}, timeoutMs: 5000 }, {}, env)!;
    const refused = await run([new MqttSink(noCa, { source: storeSource(h.config.stateDir) })]);
    expect(refused.sinks[0]!.error).toMatchObject({ code: 'mqtt_tls', exitCode: 78 });
    expect(refused.sinks[0]!.error!.message).toContain('JEELINKY_MQTT_CA_FILE');

    const withCa = resolveMqttSettings({ fileSettings: {}, timeoutMs: 5000 }, {}, { ...env, JEELINKY_MQTT_CA_FILE: broker.caFile! })!;
    const ok = await run([new MqttSink(withCa, { source: storeSource(h.config.stateDir) })]);
    expect(ok.sinks[0]).toMatchObject({ written: 7 + 7 + 7 * 48, failed: 0 });
    expect(ok.sinks[0]!.error).toBeUndefined();
  });

  it('a corrected point republishes its whole day from the store', async () => {
    h = await harness(NOW);
    await h.pairNow();
    await run([]);
    broker = await startMosquitto();
    const point = (await stored('load_curve')).find((r) => r.day === '2024-11-02')!;
    const sink = new MqttSink(settings(broker.port), { source: storeSource(h.config.stateDir) });
    const result = await sink.deliver([{ ...point, value: 12345 }], { usagePoint: PDL, tz: 'Europe/Paris', now: h.clock.now() });
    await sink.close();
    expect(result).toMatchObject({ written: 1, failed: 0 });
    const got = await retainedMessages(broker.port, `jeelinky/${PDL}/load_curve/#`);
    const dayMsg = JSON.parse(got.get(`jeelinky/${PDL}/load_curve/day/2024-11-02`)!.payload);
    expect(dayMsg.points).toBe(48);
    expect(dayMsg.values.find((v: { start: string }) => v.start === point.start).value).toBe(12345);
    // The latest value is the newest stored one, not the old point just delivered.
    expect(JSON.parse(got.get(`jeelinky/${PDL}/load_curve/latest`)!.payload).day).toBe('2024-11-04');
  });

  it('day figures from a breakdown (the tariff extension point) are published with HA classes', async () => {
    h = await harness(NOW);
    await h.pairNow();
    broker = await startMosquitto();
    const breakdown: DayBreakdown = (_pdl, _day, curve) => {
      const night = curve.filter((r) => Number(r.start.slice(11, 13)) < 6).reduce((s, r) => s + r.energyWh!, 0);
      return [
        { key: 'offpeak_energy', name: 'Off-peak energy', unit: 'Wh', value: night },
        { key: 'cost', name: 'Cost', unit: 'EUR', value: Math.round(night * 0.0002 * 100) / 100 },
      ];
    };
    await run([new MqttSink(settings(broker.port), { source: storeSource(h.config.stateDir), breakdown })]);
    const got = await retainedMessages(broker.port, '#');
    const curve = (await stored('load_curve')).filter((r) => r.day === '2024-11-04');
    const night = curve.filter((r) => Number(r.start.slice(11, 13)) < 6).reduce((s, r) => s + r.energyWh!, 0);
    expect(night).toBeGreaterThan(0);
    expect(JSON.parse(got.get(`jeelinky/${PDL}/offpeak_energy/latest`)!.payload)).toEqual({
      day: '2024-11-04',
      value: night,
      unit: 'Wh',
      last_reset: curve[0]!.start,
    });
    expect(got.has(`jeelinky/${PDL}/offpeak_energy/day/2024-10-29`)).toBe(true);
    expect(JSON.parse(got.get(`homeassistant/sensor/jeelinky_${PDL}/cost/config`)!.payload)).toMatchObject({
      device_class: 'monetary',
      state_class: 'total',
      unit_of_measurement: 'EUR',
    });
  });

  it('availability goes offline when the run needs a person (consent revoked), and the status says why', async () => {
    h = await harness(NOW);
    await h.pairNow();
    broker = await startMosquitto();
    await run([new MqttSink(settings(broker.port), { source: storeSource(h.config.stateDir) })]);
    h.sim.revokeConsent(PDL);
    h.clock.t += 86_400_000;
    const r = await run([new MqttSink(settings(broker.port), { source: storeSource(h.config.stateDir) })]);
    const got = await retainedMessages(broker.port, `jeelinky/${PDL}/+`);
    const status = JSON.parse(got.get(`jeelinky/${PDL}/status`)!.payload);
    expect(r.exitCode).toBe(78);
    expect(status).toMatchObject({ ok: false, exit_code: 78 });
    expect(status.error.code).toMatch(/consent/);
    expect(got.get(`jeelinky/${PDL}/availability`)!.payload).toBe('offline');
  });
});

describe('MQTT settings', () => {
  const cfg = (file: Record<string, unknown> = {}) => ({ fileSettings: file, timeoutMs: 30_000 });
  it('is not configured without a host; flags win over variables, variables over config.json', () => {
    expect(resolveMqttSettings(cfg(), {}, {})).toBeUndefined();
    const s = resolveMqttSettings(
      cfg({ mqttHost: 'file-host', mqttPort: 1999, mqttPrefix: 'from_file' }),
      { 'mqtt-port': 2001 },
      { JEELINKY_MQTT_HOST: 'env-host', JEELINKY_MQTT_PORT: '2000' },
    )!;
    expect(s).toMatchObject({
      host: 'env-host',
      port: 2001,
      prefix: 'from_file',
      clientId: 'jeelinky',
      retain: true,
      qos: 1,
      tls: false,
      haDiscovery: true,
      haPrefix: 'homeassistant',
    });
    expect(resolveMqttSettings(cfg(), {}, { JEELINKY_MQTT_HOST: 'h', JEELINKY_MQTT_TLS: '1' })!.port).toBe(8883);
    expect(
      resolveMqttSettings(cfg(), { 'mqtt-retain': false, 'mqtt-ha-discovery': false }, { JEELINKY_MQTT_HOST: 'h', JEELINKY_MQTT_QOS: '2' }),
    ).toMatchObject({ retain: false, haDiscovery: false, qos: 2 });
  });
  it('says what is wrong with a bad value', () => {
    expect(() => resolveMqttSettings(cfg(), {}, { JEELINKY_MQTT_HOST: 'h', JEELINKY_MQTT_QOS: '3' })).toThrow(
      /JEELINKY_MQTT_QOS="3" is not an MQTT QoS/,
    );
    expect(() => resolveMqttSettings(cfg(), {}, { JEELINKY_MQTT_HOST: 'mqtt://h:1883' })).toThrow(/host name or address only/);
    expect(() => resolveMqttSettings(cfg(), {}, { JEELINKY_MQTT_HOST: 'h', JEELINKY_MQTT_PREFIX: 'a/#' })).toThrow(
      /not a usable topic prefix/,
    );
    expect(() => resolveMqttSettings(cfg(), {}, { JEELINKY_MQTT_HOST: 'h', JEELINKY_MQTT_PASSWORD: 'p' })).toThrow(
      /without JEELINKY_MQTT_USERNAME/,
    );
    expect(() => resolveMqttSettings(cfg(), {}, { JEELINKY_MQTT_HOST: 'h', JEELINKY_MQTT_CA_FILE: '/nonexistent' })).toThrow(/TLS is off/);
    expect(() =>
      resolveMqttSettings(cfg(), {}, { JEELINKY_MQTT_HOST: 'h', JEELINKY_MQTT_TLS: '1', JEELINKY_MQTT_CA_FILE: '/nonexistent/ca.pem' }),
    ).toThrow(/cannot read "\/nonexistent\/ca.pem"/);
  });
  it('the factory builds the sink from the configuration', () => {
    const config = resolveConfig({ stateDir: '/tmp/jeelinky-unused' }, {});
    expect(createMqttSink(config, {})).toBeUndefined();
    expect(createMqttSink(config, { 'mqtt-host': '127.0.0.1' })?.name).toBe('mqtt');
  });
});
