/**
 * HP/HC and cost reaching the sinks, over real sockets: the Enedis simulator (a contract with
 * odd-minute windows, one day with a missing curve point) feeds the runner, which writes the day
 * figures into the Jeedom simulator and publishes them to mosquitto. Every figure must be the one
 * `jeelinky tariff` computes for that day; incomplete days are never written; a re-run writes
 * nothing; new prices are corrected through the read-first writer; `stats --source local` and the
 * box's own statistics agree on the new series.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { JeedomClient } from '../plugin/jeedom/client.js';
import { ALL_COMMANDS, deviceLogicalId, ensureVirtualDevice, TARIFF_COMMANDS, wantedConfiguration } from '../plugin/jeedom/virtual.js';
import { startJeedomSimulator, type JeedomSimulator } from '../simulators/jeedom.js';
import { JeedomSink } from '../plugin/sinks/jeedom.js';
import { createMqttSink } from '../plugin/sinks/mqtt.js';
import { jeedomStatisticsBetween, localStatisticsBetween } from '../plugin/runner/stats.js';
import { storedDayTariffs } from '../plugin/runner/tariff-context.js';
import { ReadingsStore } from '../plugin/store/readings.js';
import { StateStore } from '../plugin/store/state.js';
import { dayTariffs, tariffContext, resolveTariffSettings } from '../plugin/tariff/index.js';
import { computeTariff, type TariffOutput } from '../plugin/runner/tariff.js';
import { runScenario } from '../plugin/runner/index.js';
import { cliEnv, harness, PDL, runCli, type Harness } from './support/core.js';
import { retainedMessages, startMosquitto, type Broker } from './support/servers.js';

const NOW = '2024-11-05T10:00:00+01:00';
const SINCE = '2024-10-26';
const UNTIL = '2024-11-04';
const INCOMPLETE = '2024-11-02';
const PRICES = {
  priceBase: '0.2516',
  priceHp: '0.2700',
  priceHc: '0.2068',
  subscriptionBase: '12.44',
  subscriptionHphc: '12.85',
  currentPlan: 'HPHC',
};
const ENV_PRICES = {
  JEELINKY_PRICE_BASE: PRICES.priceBase,
  JEELINKY_PRICE_HP: PRICES.priceHp,
  JEELINKY_PRICE_HC: PRICES.priceHc,
  JEELINKY_SUBSCRIPTION_BASE: PRICES.subscriptionBase,
  JEELINKY_SUBSCRIPTION_HPHC: PRICES.subscriptionHphc,
  JEELINKY_CURRENT_PLAN: PRICES.currentPlan,
};

let h: Harness | undefined;
let jeedom: JeedomSimulator | undefined;
let broker: Broker | undefined;
let client: JeedomClient | undefined;
afterEach(async () => {
  client?.close();
  await broker?.stop();
  await jeedom?.close();
  await h?.close();
  client = undefined;
  broker = undefined;
  jeedom = undefined;
  h = undefined;
});

/** A device made by a jeelinky that did not know the tariff commands (its one creation with a cmd list). */
async function oldDevice(c: JeedomClient): Promise<void> {
  const specs = ALL_COMMANDS.filter((spec) => !TARIFF_COMMANDS.includes(spec));
  const cmd = specs.map((spec) => ({
    name: spec.name,
    logicalId: spec.logicalId,
    type: 'info',
    subType: spec.subType,
    unite: spec.unite,
    isHistorized: spec.historized ? 1 : 0,
    isVisible: 1,
    configuration: Object.fromEntries(Object.entries(wantedConfiguration(spec)).filter(([, v]) => v !== null)),
  }));
  await c.saveEqLogic({
    name: `Linky ${PDL}`,
    logicalId: deviceLogicalId(PDL),
    eqType_name: 'virtual',
    object_id: null,
    isEnable: 1,
    isVisible: 1,
    cmd,
  });
}

async function setUp(withMqtt = false, old = false) {
  h = await harness(NOW, {
    meters: [{ usagePoint: PDL, offpeakHours: 'HC (0H50-6H50;14H20-16H20)', missingCurvePoints: [`${INCOMPLETE} 13:30:00`] }],
  });
  Object.assign(h.config.fileSettings, PRICES);
  jeedom = await startJeedomSimulator({ clock: { now: h.clock.now } });
  client = new JeedomClient({ url: jeedom.url, apikey: jeedom.apikey, retryDelayMs: 1 });
  if (old) await oldDevice(client);
  else await ensureVirtualDevice(client, { usagePoint: PDL });
  await h.pairNow();
  if (withMqtt) broker = await startMosquitto();
  const device = jeedom.eqLogics().find((e) => e.logicalId === deviceLogicalId(PDL))!;
  const history = (logicalId: string) => jeedom!.history(jeedom!.cmdByLogicalId(device.id, logicalId)!.id);
  const x = h;
  const run = (options = {}) => {
    const sinks = [new JeedomSink({ url: jeedom!.url, apikey: jeedom!.apikey })];
    const mqtt = broker ? createMqttSink(x.config, { 'mqtt-host': '127.0.0.1', 'mqtt-port': broker.port }) : undefined;
    return runScenario(options, { config: x.config, now: x.clock.now, sleep: x.clock.sleep, sinks: mqtt ? [...sinks, mqtt] : sinks });
  };
  const tariff = () => computeTariff(x.config, { since: SINCE, until: UNTIL, now: x.clock.now(), env: {} });
  return { h, history, run, tariff };
}

const complete = (t: TariffOutput) => t.days.filter((d) => d.complete);

describe('HP/HC and cost into Jeedom', () => {
  it('the daily run writes hp_energy, hc_energy and cost of complete days, equal to jeelinky tariff; a re-run writes nothing; new prices are corrected', async () => {
    const { history, run, tariff } = await setUp();
    const r = await run({ since: SINCE });
    expect(r.exitCode).toBe(0);
    expect(r.sinks[0]!.error).toBeUndefined();
    // The contract (windows, plan) was not cached: fetched once by the run.
    expect(r.tariff).toMatchObject({ windows: 'contract', plan: 'HPHC', calls: 1 });

    const t = await tariff();
    expect(t.windows_source).toBe('contract');
    expect(t.days.find((d) => d.date === INCOMPLETE)).toMatchObject({ complete: false });
    const days = complete(t);
    expect(days.map((d) => d.date)).toHaveLength(9); // 26 October → 4 November but the incomplete day
    expect(days.every((d) => d.pro_rata_points > 0)).toBe(true); // the odd minutes were split pro rata

    const asMap = (logicalId: string) => new Map(history(logicalId).map((row) => [row.datetime, Number(row.value)]));
    const hp = asMap('hp_energy');
    const hc = asMap('hc_energy');
    const cost = asMap('cost');
    for (const d of days) {
      const at = `${d.date} 12:00:00`;
      expect(hp.get(at)).toBe(d.hp_wh);
      expect(hc.get(at)).toBe(d.hc_wh);
      expect(cost.get(at)).toBe(d.cost);
      expect(d.cost).toBe(d.cost_hphc);
    }
    // Only the complete days of the stored curve, nothing else.
    for (const m of [hp, hc, cost]) expect([...m.keys()].sort()).toEqual(days.map((d) => `${d.date} 12:00:00`));
    expect(hp.has(`${INCOMPLETE} 12:00:00`)).toBe(false);

    // Same readings, same settings: not one history point sent again.
    const before = TARIFF_COMMANDS.map((c) => history(c.logicalId));
    jeedom!.resetCounts();
    const again = await run();
    expect(again.exitCode).toBe(0);
    expect(again.tariff?.calls).toBe(0); // the contract is cached now
    expect(TARIFF_COMMANDS.map((c) => history(c.logicalId))).toEqual(before);
    expect(jeedom!.methodCounts()['cmd::event'] ?? 0).toBeLessThanOrEqual(8); // relaunch flag and the six figures

    // New HC price: the costs are corrected (read first, only what differs), HP/HC left alone.
    h!.config.fileSettings.priceHc = '0.1500';
    jeedom!.resetCounts();
    const third = await run();
    expect(third.exitCode).toBe(0);
    const repriced = complete(await tariff());
    const cost2 = new Map(history('cost').map((row) => [row.datetime, Number(row.value)]));
    for (const d of repriced) {
      expect(cost2.get(`${d.date} 12:00:00`)).toBe(d.cost);
      expect(d.cost).toBeLessThan(cost.get(`${d.date} 12:00:00`)!);
    }
    expect(history('hp_energy')).toEqual(before[0]);
    expect(jeedom!.methodCounts()['cmd::event'] ?? 0).toBeLessThanOrEqual(8 + repriced.length);
  });

  it('a tariff setting that does not parse: no figure, said in the summary, the run and the readings unharmed', async () => {
    const { history, run } = await setUp();
    h!.config.fileSettings.priceHp = 'twelve';
    const r = await run({ since: SINCE });
    expect(r.exitCode).toBe(0);
    expect(r.sinks[0]).toMatchObject({ failed: 0 });
    expect(r.sinks[0]!.error).toBeUndefined();
    expect(r.tariff?.error).toMatch(/priceHp.*not a price/);
    expect(history('cost')).toEqual([]);
    expect(history('daily_consumption').length).toBeGreaterThan(0);
  });

  it('stats --source local and the box agree on hp_energy, hc_energy and cost', async () => {
    const { run } = await setUp();
    expect((await run({ since: SINCE })).exitCode).toBe(0);
    const state = await StateStore.open(h!.config.stateDir);
    const store = new ReadingsStore(state);
    const tariffDays = (pdl: string, from: string, to: string) => storedDayTariffs(state, h!.config, pdl, from, to, {});
    const now = new Date(NOW);
    const ranges: Array<[string, string]> = [
      [`${SINCE} 00:00:00`, `${UNTIL} 23:59:59`],
      [`${INCOMPLETE} 00:00:00`, `${INCOMPLETE} 23:59:59`],
      ['2024-10-27 00:00:00', '2024-10-27 23:59:59'], // October DST day
      ['first day of last month 00:00:00', 'last day of last month 23:59:59'],
    ];
    for (const series of ['hp_energy', 'hc_energy', 'cost']) {
      for (const calc of ['sum', 'count', 'avg', 'max', 'last']) {
        for (const [start, end] of ranges) {
          const local = await localStatisticsBetween(store, PDL, series, calc, start, end, { now, tz: 'Europe/Paris', tariffDays });
          const box = await jeedomStatisticsBetween(client!, series, calc, start, end, { now, usagePoint: PDL });
          expect({ series, calc, start, text: local.text, count: local.count }).toEqual({
            series,
            calc,
            start,
            text: box.text,
            count: box.count,
          });
        }
      }
    }
    const incomplete = await localStatisticsBetween(store, PDL, 'hp_energy', 'count', `${INCOMPLETE} 00:00:00`, `${INCOMPLETE} 23:59:59`, {
      now,
      tz: 'Europe/Paris',
      tariffDays,
    });
    expect(incomplete.text).toBe('0');
    const all = await localStatisticsBetween(store, PDL, 'hp_energy', 'count', `${SINCE} 00:00:00`, `${UNTIL} 23:59:59`, {
      now,
      tz: 'Europe/Paris',
      tariffDays,
    });
    expect(all.text).toBe('9');

    // The command line, as a script would call it (settings from the environment).
    const box = await jeedomStatisticsBetween(client!, 'hp_energy', 'sum', `${SINCE} 00:00:00`, `${UNTIL} 23:59:59`, {
      now,
      usagePoint: PDL,
    });
    const cli = await runCli(
      ['stats', '--source', 'local', '--', 'hp_energy', 'sum', `${SINCE} 00:00:00`, `${UNTIL} 23:59:59`],
      cliEnv(h!.sim, h!.config.stateDir, ENV_PRICES),
    );
    expect(cli.stderr).toBe('');
    expect(cli.stdout).toBe(`${box.text}\n`);
    expect(Number(box.text)).toBeGreaterThan(0);
    const kwh = await runCli(
      ['stats', '--source', 'local', '--unit', 'kWh', '--', 'cost', 'sum', 'yesterday', 'now'],
      cliEnv(h!.sim, h!.config.stateDir, ENV_PRICES),
    );
    expect(kwh.code).toBe(64);
    expect(kwh.stderr).toMatch(/kWh applies to energy.*€/);
  });

  it('a device set up before these commands: the run says to run setup, which adds them with one cmd::save each', async () => {
    const { history, run, tariff } = await setUp(false, true);
    const r = await run({ since: SINCE });
    expect(r.exitCode).toBe(0); // the readings themselves went in
    expect(r.sinks[0]!.written).toBeGreaterThan(0);
    expect(r.sinks[0]!.error?.message).toMatch(/hp_energy is missing.*jeelinky jeedom setup/);

    jeedom!.resetCounts();
    const setup = await ensureVirtualDevice(client!, { usagePoint: PDL });
    expect(setup.changes.map((c) => c.action)).toEqual(['create_command', 'create_command', 'create_command']);
    expect(jeedom!.methodCounts()['eqLogic::save']).toBeUndefined();
    expect(jeedom!.methodCounts()['cmd::save']).toBe(3);
    const device = jeedom!.eqLogics().find((e) => e.logicalId === deviceLogicalId(PDL))!;
    for (const spec of TARIFF_COMMANDS) {
      const cmd = jeedom!.cmdByLogicalId(device.id, spec.logicalId)!;
      expect(cmd).toMatchObject({ type: 'info', subType: 'numeric', unite: spec.unite });
      expect(Number(cmd.isHistorized)).toBe(1);
      expect(cmd.configuration).toMatchObject({ historizeMode: 'none', historyPurge: 'never', repeatEventManagement: 'always' });
    }
    expect((await ensureVirtualDevice(client!, { usagePoint: PDL })).changed).toBe(false);

    const next = await run();
    expect(next.sinks[0]!.error).toBeUndefined();
    const days = complete(await tariff());
    expect(history('hc_energy').map((row) => [row.datetime, Number(row.value)])).toEqual(days.map((d) => [`${d.date} 12:00:00`, d.hc_wh]));
  });
});

describe('HP/HC and cost on MQTT', () => {
  it('per-day topics and HA sensors carry the same figures; the incomplete day has none', async () => {
    const { run, tariff } = await setUp(true);
    const r = await run({ since: SINCE });
    expect(r.exitCode).toBe(0);
    expect(r.sinks.map((s) => s.error)).toEqual([undefined, undefined]);
    const days = complete(await tariff());
    const got = await retainedMessages(broker!.port, '#');
    const base = `jeelinky/${PDL}`;
    const payload = (topic: string) => {
      const m = got.get(topic);
      if (!m) throw new Error(`no retained message on ${topic}`);
      return JSON.parse(m.payload);
    };
    const curve = await new ReadingsStore(await StateStore.open(h!.config.stateDir)).readings(PDL, 'load_curve', SINCE, '2024-11-05');
    for (const d of days) {
      const lastReset = curve.find((c) => c.day === d.date)!.start;
      expect(payload(`${base}/hp_energy/day/${d.date}`)).toEqual({ day: d.date, value: d.hp_wh, unit: 'Wh', last_reset: lastReset });
      expect(payload(`${base}/hc_energy/day/${d.date}`)).toEqual({ day: d.date, value: d.hc_wh, unit: 'Wh', last_reset: lastReset });
      expect(payload(`${base}/cost/day/${d.date}`)).toEqual({ day: d.date, value: d.cost, unit: 'EUR', last_reset: lastReset });
    }
    expect(got.has(`${base}/hp_energy/day/${INCOMPLETE}`)).toBe(false);
    expect(got.has(`${base}/cost/day/${INCOMPLETE}`)).toBe(false);
    expect(payload(`${base}/cost/latest`)).toMatchObject({ day: UNTIL, value: days.at(-1)!.cost });
    const ha = (key: string) => payload(`homeassistant/sensor/jeelinky_${PDL}/${key}/config`);
    expect(ha('hp_energy')).toMatchObject({
      unit_of_measurement: 'Wh',
      device_class: 'energy',
      state_class: 'total',
      last_reset_value_template: '{{ value_json.last_reset }}',
    });
    expect(ha('hc_energy')).toMatchObject({ unit_of_measurement: 'Wh', device_class: 'energy', state_class: 'total' });
    expect(ha('cost')).toMatchObject({
      unit_of_measurement: 'EUR',
      device_class: 'monetary',
      state_class: 'total',
      state_topic: `${base}/cost/latest`,
    });
  });

  it('jeelinky publish --since sends the figures the run published: one result, computed by the runner', async () => {
    const { run } = await setUp(true);
    expect((await run({ since: SINCE })).exitCode).toBe(0);
    const fromRun = await retainedMessages(broker!.port, `jeelinky/${PDL}/+/day/+`);
    const figures = (got: Map<string, { payload: string }>) =>
      [...got]
        .filter(([topic]) => /\/(hp_energy|hc_energy|cost)\/day\//.test(topic))
        .map(([topic, m]) => [topic, JSON.parse(m.payload)])
        .sort();
    expect(figures(fromRun).length).toBe(3 * (10 - 1)); // ten days, one incomplete
    // A fresh broker: only what publish sends is there (the CLI as a user runs it, prices in the environment).
    const other = await startMosquitto();
    try {
      const r = await runCli(
        ['publish', '--since', SINCE, '--sink', 'mqtt'],
        cliEnv(h!.sim, h!.config.stateDir, { ...ENV_PRICES, JEELINKY_MQTT_HOST: '127.0.0.1', JEELINKY_MQTT_PORT: String(other.port) }),
      );
      expect(r.code, r.stderr).toBe(0);
      const fromPublish = await retainedMessages(other.port, `jeelinky/${PDL}/+/day/+`);
      expect(figures(fromPublish)).toEqual(figures(fromRun));
    } finally {
      await other.stop();
    }
  });

  it('dayTariffs gives nothing without windows and prices, and BASE costs without windows', () => {
    const settings = resolveTariffSettings({ fileSettings: {} }, {}, {});
    const ctx = tariffContext(settings, undefined, 'Europe/Paris');
    const day = '2024-01-10';
    const curve = Array.from({ length: 48 }, (_, i) => {
      const start = new Date(Date.parse(`${day}T00:00:00+01:00`) + i * 1_800_000);
      const end = new Date(start.getTime() + 1_800_000);
      return {
        usagePoint: PDL,
        kind: 'load_curve' as const,
        day,
        start: start.toISOString(),
        end: end.toISOString(),
        value: 1000,
        unit: 'W' as const,
        energyWh: 500,
      };
    });
    expect(dayTariffs(curve, ctx)).toEqual([]);
    const base = tariffContext(resolveTariffSettings({ fileSettings: { priceBase: '0.25' } }, {}, {}), undefined, 'Europe/Paris');
    expect(dayTariffs(curve, base)).toEqual([{ day, hpWh: null, hcWh: null, cost: 6 }]); // 24 kWh × 0.25 €
    expect(dayTariffs(curve.slice(1), base)).toEqual([]); // 47 of 48 points: not complete
  });
});
