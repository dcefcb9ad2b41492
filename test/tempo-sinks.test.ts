/**
 * Tempo reaching the sinks as a user meets it: `jeelinky run` as a child process (real clock) over
 * the Enedis simulator, the RTE simulator (the 2021-2022 colours moved onto the days around today,
 * `shiftedSeasonDays`) and the Jeedom simulator / mosquitto / victoria-metrics. Every Tempo day
 * figure must be the one `jeelinky tariff --plan TEMPO --json` gives for that day; a re-run writes
 * nothing again; without Tempo in use nothing Tempo is written and RTE is never asked.
 */
import moment from 'moment-timezone';
import { afterEach, describe, expect, it } from 'vitest';
import { deviceLogicalId, TEMPO_COMMANDS } from '../plugin/jeedom/virtual.js';
import { shiftedSeasonDays, startTempoSimulator } from '../simulators/tempo.js';
import { SEASON_QUOTA, seasonBounds, seasonOf, type TempoColour } from '../plugin/tempo/colours.js';
import { addDays } from '../plugin/time/local.js';
import { PDL, runCli } from './support/core.js';
import { TEMPO_PRICES } from './support/prices.js';
import { retainedMessages, startMosquitto, startVictoriaMetrics, type Victoria } from './support/servers.js';
import { jeedomWithDevice, Opened } from './support/world.js';

const TZ = 'Europe/Paris';
interface TempoDayOut {
  date: string;
  colour: TempoColour | null;
  hp_wh: number;
  hc_wh: number;
  complete: boolean;
  cost: number | null;
}

const opened = new Opened();
afterEach(() => opened.closeAll());

/** The Tempo day the run calls today (Paris date), tomorrow, and the colours RTE serves around them. */
function calendar() {
  const now = moment.tz(TZ);
  const today = now.format('YYYY-MM-DD');
  const tomorrow = addDays(today, 1);
  const season = seasonOf(today);
  const colours = shiftedSeasonDays(addDays(seasonBounds(season).first, -40), tomorrow);
  // Tomorrow's colour is only asked from 10:30 (a run just around 10:30 could go either way).
  const tomorrowPublished = now.format('HH:mm') >= '10:30';
  const used = (c: TempoColour) =>
    [...colours].filter(([d, col]) => d >= seasonBounds(season).first && d <= (tomorrowPublished ? tomorrow : today) && col === c).length;
  return {
    today,
    tomorrow,
    colours,
    tomorrowPublished,
    redLeft: SEASON_QUOTA.RED - used('RED'),
    whiteLeft: SEASON_QUOTA.WHITE - used('WHITE'),
  };
}

/** A paired state directory on the real clock (HC 22:00–06:00 in the contract) and its environment. */
async function paired(): Promise<Record<string, string>> {
  const w = await opened.world({
    enedis: { meters: [{ usagePoint: PDL, activationDate: '2015-01-01', offpeakHours: 'HC (22H00-6H00)', intervalMinutes: 30 }] },
    env: { JEELINKY_KINDS: 'daily_consumption,load_curve', JEELINKY_TIMEOUT_MS: '5000' },
    pair: true,
  });
  return w.env;
}

/** A paired state and an RTE simulator serving the season's colours around today. */
async function pairedWithCalendar() {
  const env = await paired();
  const cal = calendar();
  const rte = opened.track(await startTempoSimulator({ days: cal.colours }));
  return { env, cal, rte };
}

/** `jeelinky run --json` that must end cleanly, every sink included: its report. */
async function cleanRun(env: Record<string, string>) {
  const r = await runCli(['run', '--json'], env);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const report = JSON.parse(r.stdout);
  expect(report.sinks[0].error).toBeUndefined();
  return report;
}

const influxEnv = (v: Victoria) => ({ JEELINKY_INFLUXDB_URL: v.url, JEELINKY_INFLUXDB_ORG: 'home', JEELINKY_INFLUXDB_BUCKET: 'linky' });

/** `tariff --plan TEMPO --json` over the stored curve: the complete Tempo days with a colour. */
async function tariffTempoDays(env: Record<string, string>): Promise<TempoDayOut[]> {
  const t = await runCli(['tariff', '--plan', 'TEMPO', '--json'], env);
  expect(t.code, t.stderr).toBe(0);
  return (JSON.parse(t.stdout).tempo.days as TempoDayOut[]).filter((d) => d.complete && d.colour);
}

/** The six energies of one Tempo day as the sinks give them (the day's colour has its HP/HC, the others 0). */
function sixOf(d: TempoDayOut): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of ['BLUE', 'WHITE', 'RED'] as const) {
    out[`${c.toLowerCase()}_hp`] = d.colour === c ? d.hp_wh : 0;
    out[`${c.toLowerCase()}_hc`] = d.colour === c ? d.hc_wh : 0;
  }
  return out;
}

describe('Tempo into Jeedom (jeelinky run, child process)', () => {
  it('writes the colours, days left, the six energies and the cost per Tempo day, equal to tariff --plan TEMPO; a re-run sends nothing again', async () => {
    const { env, cal, rte } = await pairedWithCalendar();
    const jeedom = opened.track(await jeedomWithDevice());
    const device = jeedom.eqLogics().find((e) => e.logicalId === deviceLogicalId(PDL))!;
    const cmd = (logicalId: string) => jeedom.cmdByLogicalId(device.id, logicalId)!;
    const history = (logicalId: string) => new Map(jeedom.history(cmd(logicalId).id).map((row) => [row.datetime, Number(row.value)]));
    const runEnv = {
      ...env,
      ...TEMPO_PRICES,
      JEELINKY_TEMPO_URL: rte.url,
      JEELINKY_JEEDOM_URL: jeedom.url,
      JEELINKY_JEEDOM_APIKEY: jeedom.apikey,
    };

    const report = await cleanRun(runEnv);
    expect(report.tariff.tempo).toMatchObject({ source: 'rte', calls: expect.any(Number) });
    expect(rte.requests.openData).toBeGreaterThan(0);

    const days = await tariffTempoDays(runEnv);
    expect(days.length).toBeGreaterThanOrEqual(5); // the week fetched, its complete Tempo days
    expect(report.tariff.tempo.days).toBe(days.length);
    for (const d of days) {
      const at = `${d.date} 12:00:00`;
      const six = sixOf(d);
      for (const [slot, wh] of Object.entries(six))
        expect({ day: d.date, slot, wh: history(`tempo_${slot}`).get(at) }).toEqual({ day: d.date, slot, wh });
      expect(history('tempo_cost').get(at)).toBe(d.cost);
      expect(d.colour).toBe(cal.colours.get(d.date));
    }
    // Only those days, no other datetime.
    for (const spec of TEMPO_COMMANDS.filter((s) => s.historized))
      expect([...history(spec.logicalId).keys()].sort()).toEqual(days.map((d) => `${d.date} 12:00:00`));
    expect(String(jeedom.currentValue(cmd('tempo_today').id)?.value)).toBe(cal.colours.get(cal.today));
    expect(String(jeedom.currentValue(cmd('tempo_tomorrow').id)?.value)).toBe(cal.tomorrowPublished ? cal.colours.get(cal.tomorrow) : '');
    expect(Number(jeedom.currentValue(cmd('tempo_red_left').id)?.value)).toBe(cal.redLeft);
    expect(Number(jeedom.currentValue(cmd('tempo_white_left').id)?.value)).toBe(cal.whiteLeft);

    // Same readings, same colours: the histories are unchanged and no point is sent again.
    const before = TEMPO_COMMANDS.filter((s) => s.historized).map((s) => jeedom.history(cmd(s.logicalId).id));
    const openData = rte.requests.openData;
    jeedom.resetCounts();
    const again = await runCli(['run', '--json'], runEnv);
    expect(again.code, again.stderr).toBe(0);
    expect(TEMPO_COMMANDS.filter((s) => s.historized).map((s) => jeedom.history(cmd(s.logicalId).id))).toEqual(before);
    expect(rte.requests.openData).toBe(openData); // the colours are cached
    // The four current values (colours, days left) and the run's own flags; no history point.
    expect(jeedom.methodCounts()['cmd::event'] ?? 0).toBeLessThanOrEqual(4 + 8);
  }, 120_000);

  it('without Tempo in use: no Tempo command is written and RTE is never asked', async () => {
    const { env, rte } = await pairedWithCalendar();
    const jeedom = opened.track(await jeedomWithDevice());
    const device = jeedom.eqLogics().find((e) => e.logicalId === deviceLogicalId(PDL))!;
    // HP/HC prices only; the RTE URL is set but Tempo is not in use.
    const broker = opened.track(await startMosquitto());
    const vm = opened.track(await startVictoriaMetrics());
    const runEnv = {
      ...env,
      JEELINKY_PRICE_HP: '0.27',
      JEELINKY_PRICE_HC: '0.2068',
      JEELINKY_TEMPO_URL: rte.url,
      JEELINKY_JEEDOM_URL: jeedom.url,
      JEELINKY_JEEDOM_APIKEY: jeedom.apikey,
      JEELINKY_MQTT_HOST: '127.0.0.1',
      JEELINKY_MQTT_PORT: String(broker.port),
      ...influxEnv(vm),
    };
    const r = await runCli(['run', '--json'], runEnv);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.tariff.tempo).toBeUndefined();
    expect(jeedom.history(jeedom.cmdByLogicalId(device.id, 'hp_energy')!.id).length).toBeGreaterThan(0); // the HP/HC figures are written
    for (const spec of TEMPO_COMMANDS) {
      const c = jeedom.cmdByLogicalId(device.id, spec.logicalId)!;
      expect({ logicalId: spec.logicalId, history: jeedom.history(c.id), current: jeedom.currentValue(c.id) }).toEqual({
        logicalId: spec.logicalId,
        history: [],
        current: undefined,
      });
    }
    expect(rte.log).toEqual([]);
    // MQTT: the HP/HC topics are there, nothing Tempo (no topic, no Home Assistant entity).
    const got = [...(await retainedMessages(broker.port, '#')).keys()];
    expect(got).toContain(`jeelinky/${PDL}/hp_energy/latest`);
    expect(got.filter((topic) => topic.includes('tempo'))).toEqual([]);
    // InfluxDB: the readings went in, no Tempo point.
    expect((await vm.exportSeries(`{__name__=~"linky_.*",pdl="${PDL}",kind="load_curve"}`)).length).toBeGreaterThan(0);
    expect(await vm.exportSeries(`{__name__=~"linky_.*",kind="tempo"}`)).toEqual([]);
  }, 120_000);
});

describe('Tempo on MQTT / Home Assistant (jeelinky run, child process, mosquitto)', () => {
  it('per-Tempo-day topics and HA sensors carry the same figures as tariff --plan TEMPO; colours as enum sensors; a re-run changes no retained message', async () => {
    const { env, cal, rte } = await pairedWithCalendar();
    const broker = opened.track(await startMosquitto());
    const runEnv = {
      ...env,
      ...TEMPO_PRICES,
      JEELINKY_TEMPO_URL: rte.url,
      JEELINKY_MQTT_HOST: '127.0.0.1',
      JEELINKY_MQTT_PORT: String(broker.port),
    };
    await cleanRun(runEnv);

    const days = await tariffTempoDays(runEnv);
    expect(days.length).toBeGreaterThanOrEqual(5);
    const got = await retainedMessages(broker.port, '#');
    const base = `jeelinky/${PDL}`;
    const payload = (topic: string) => {
      const m = got.get(topic);
      if (!m) throw new Error(`no retained message on ${topic}`);
      expect(m.retain).toBe(true);
      return JSON.parse(m.payload);
    };
    for (const d of days) {
      // The Tempo day starts at 06:00 local time: its last_reset, with the offset of that instant.
      const lastReset = moment.tz(`${d.date}T06:00:00`, TZ).format();
      for (const [slot, wh] of Object.entries(sixOf(d))) {
        expect(payload(`${base}/tempo_${slot}/day/${d.date}`)).toEqual({
          day: d.date,
          value: wh,
          unit: 'Wh',
          colour: d.colour,
          last_reset: lastReset,
        });
      }
      expect(payload(`${base}/tempo_cost/day/${d.date}`)).toEqual({
        day: d.date,
        value: d.cost,
        unit: 'EUR',
        colour: d.colour,
        last_reset: lastReset,
      });
    }
    // Only those days.
    const dayTopics = [...got.keys()].filter((topic) => topic.startsWith(`${base}/tempo_cost/day/`)).sort();
    expect(dayTopics).toEqual(days.map((d) => `${base}/tempo_cost/day/${d.date}`));
    const newest = days.at(-1)!;
    expect(payload(`${base}/tempo_cost/latest`)).toMatchObject({ day: newest.date, value: newest.cost });
    expect(payload(`${base}/tempo_${newest.colour!.toLowerCase()}_hp/latest`)).toMatchObject({ day: newest.date, value: newest.hp_wh });
    expect(payload(`${base}/tempo_today/latest`)).toEqual({ day: cal.today, colour: cal.colours.get(cal.today) });
    expect(payload(`${base}/tempo_tomorrow/latest`)).toEqual({
      day: cal.tomorrow,
      colour: cal.tomorrowPublished ? cal.colours.get(cal.tomorrow) : null,
    });
    expect(payload(`${base}/tempo_red_left/latest`)).toEqual({ season: seasonOf(cal.today), value: cal.redLeft });
    expect(payload(`${base}/tempo_white_left/latest`)).toEqual({ season: seasonOf(cal.today), value: cal.whiteLeft });

    const ha = (key: string) => payload(`homeassistant/sensor/jeelinky_${PDL}/${key}/config`);
    for (const key of ['tempo_today', 'tempo_tomorrow']) {
      const c = ha(key);
      expect(c).toMatchObject({
        device_class: 'enum',
        options: ['BLUE', 'WHITE', 'RED'],
        state_topic: `${base}/${key}/latest`,
        unique_id: `jeelinky_${PDL}_${key}`,
      });
      expect(c).not.toHaveProperty('state_class');
      expect(c).not.toHaveProperty('unit_of_measurement');
    }
    // The six energies like hp_energy: Energy-dashboard classes, last_reset from the payload.
    const hp = ha('hp_energy');
    for (const slot of ['blue_hp', 'blue_hc', 'white_hp', 'white_hc', 'red_hp', 'red_hc']) {
      expect(ha(`tempo_${slot}`)).toMatchObject({
        unit_of_measurement: hp.unit_of_measurement,
        device_class: 'energy',
        state_class: 'total',
        last_reset_value_template: hp.last_reset_value_template,
        state_topic: `${base}/tempo_${slot}/latest`,
      });
    }
    expect(ha('tempo_cost')).toMatchObject({
      unit_of_measurement: 'EUR',
      device_class: 'monetary',
      state_class: 'total',
      state_topic: `${base}/tempo_cost/latest`,
    });
    expect(ha('tempo_red_left')).toMatchObject({
      state_class: 'measurement',
      state_topic: `${base}/tempo_red_left/latest`,
      value_template: '{{ value_json.value }}',
    });
    expect(ha('tempo_white_left')).toMatchObject({ state_class: 'measurement', state_topic: `${base}/tempo_white_left/latest` });

    // Again (the summary a person reads): every retained message but the run status is exactly as before.
    const again = await runCli(['run'], runEnv);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`Tempo: ${days.length} complete Tempo days for the sinks (calendar: rte).`);
    const after = await retainedMessages(broker.port, '#');
    const withoutStatus = (m: Map<string, { payload: string }>) =>
      new Map([...m].filter(([topic]) => topic !== `${base}/status`).map(([k, v]) => [k, v.payload]));
    expect(withoutStatus(after)).toEqual(withoutStatus(got));
  }, 120_000);
});

describe('Tempo in InfluxDB (jeelinky run, child process, victoria-metrics)', () => {
  it('one point per complete Tempo day at its 06:00, the six energies and the cost equal to tariff --plan TEMPO; a re-run overwrites', async () => {
    const { env, rte } = await pairedWithCalendar();
    const vm = opened.track(await startVictoriaMetrics());
    const runEnv = { ...env, ...TEMPO_PRICES, JEELINKY_TEMPO_URL: rte.url, ...influxEnv(vm) };
    await cleanRun(runEnv);
    const days = await tariffTempoDays(runEnv);
    expect(days.length).toBeGreaterThanOrEqual(5);

    const series = async (field: string) => {
      const found = await vm!.exportSeries(`linky_${field}{pdl="${PDL}",kind="tempo"}`);
      expect(found).toHaveLength(1); // one series: no colour tag splitting it
      return new Map(found[0]!.timestamps.map((t, i) => [t, found[0]!.values[i]!]));
    };
    const at = (day: string) => moment.tz(`${day} 06:00`, 'YYYY-MM-DD HH:mm', TZ).valueOf();
    const check = async () => {
      for (const slot of ['blue_hp', 'blue_hc', 'white_hp', 'white_hc', 'red_hp', 'red_hc']) {
        const got = await series(`${slot}_wh`);
        expect([...got.keys()].sort()).toEqual(days.map((d) => at(d.date)));
        for (const d of days) expect({ day: d.date, slot, wh: got.get(at(d.date)) }).toEqual({ day: d.date, slot, wh: sixOf(d)[slot] });
      }
      const cost = await series('cost_eur');
      for (const d of days) expect(cost.get(at(d.date))).toBe(d.cost);
    };
    await check();
    // Stamped at the start of the Tempo day: 06:00 local time.
    expect(moment.tz(at(days[0]!.date), TZ).format('HH:mm')).toBe('06:00');

    const again = await runCli(['run', '--json'], runEnv);
    expect(again.code, again.stderr).toBe(0);
    await check(); // the same points, overwritten (one sample per series and instant)
  }, 120_000);
});
