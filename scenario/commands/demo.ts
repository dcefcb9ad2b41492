/**
 * `jeelinky demo`: the whole pipeline with nothing to set up. It starts the embedded simulator of
 * the proxy and Enedis on 127.0.0.1, pairs with it in a temporary state directory, fetches 30 days
 * of every kind and prints what a real meter would give. Nothing leaves the machine.
 *
 * Tempo: it also starts the RTE calendar simulator, serving DEMO colours (RTE's real 2021-2022
 * season moved onto the demo's dates by whole weeks, simulators/tempo.ts), loads them
 * through the real calendar code, and leaves them in the state as the calendar file with Tempo
 * prices in its config.json, so that `jeelinky tariff --plan TEMPO --state-dir …` works offline on it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { resolveConfig } from '../../plugin/config.js';
import { ConfigError, ExitCode } from '../../plugin/errors.js';
import { READING_KINDS } from '../../plugin/readings.js';
import { loadTempoCalendar } from '../../plugin/tempo/calendar.js';
import { ReadingsStore } from '../../plugin/store/readings.js';
import { StateStore } from '../../plugin/store/state.js';
import { addDays, localDay } from '../../plugin/time/local.js';
import { printJson } from '../output.js';
import { renderRunReport, terminalEvents } from '../render.js';
import { runScenario } from '../../plugin/runner/run.js';
import { writeReportFromState } from '../../plugin/runner/report.js';

interface DemoArgs {
  days?: number;
  json?: boolean;
  'keep-state'?: boolean;
}

const DEMO_PDL = '00000000000001';

/**
 * The demo state's settings: prices of the three plans (EDF's of February 2025, € per kWh and € per
 * month), and the simulated meter's off-peak windows and plan, so that `jeelinky tariff` on the kept
 * state never needs the contract (the simulator is gone by then: nothing may go to the real proxy).
 */
const DEMO_SETTINGS = {
  offpeakHours: '22h00-06h00',
  currentPlan: 'HPHC',
  priceBase: '0.2016',
  priceHp: '0.2146',
  priceHc: '0.1696',
  subscriptionBase: '15.65',
  subscriptionHphc: '15.96',
  subscriptionTempo: '15.50',
  priceTempoBlueHp: '0.1552',
  priceTempoBlueHc: '0.1288',
  priceTempoWhiteHp: '0.1792',
  priceTempoWhiteHc: '0.1447',
  priceTempoRedHp: '0.6586',
  priceTempoRedHc: '0.1518',
};
/** The demo's calendar file in its state directory. */
const DEMO_TEMPO_FILE = 'tempo-demo.csv';

type Simulators = typeof import('../../simulators/enedis.js') & typeof import('../../simulators/tempo.js');

/**
 * The simulators are test doubles outside the library (simulators/), and the Jeedom plugin's zip
 * does not ship them: they are loaded only when `demo` runs, so that every other command works
 * without them.
 */
async function loadSimulators(): Promise<Simulators> {
  try {
    const [enedis, tempo] = await Promise.all([import('../../simulators/enedis.js'), import('../../simulators/tempo.js')]);
    return { ...enedis, ...tempo };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    throw new ConfigError(
      'jeelinky demo needs the simulators (dist/simulators/), which the Jeedom plugin does not ship: run the demo from the npm package',
      'demo_unavailable',
    );
  }
}

/**
 * Loads the demo's Tempo colours from the RTE simulator (the real open-data client) and writes
 * them as the state's calendar file, labelled as demo data; config.json then names that file, so
 * that later commands on this state need no network. Returns how many days have a colour.
 */
async function setUpDemoTempo(
  { shiftedSeasonDays, startTempoSimulator }: Simulators,
  stateDir: string,
  from: string,
  to: string,
): Promise<number> {
  const rte = await startTempoSimulator({ days: shiftedSeasonDays(from, to) });
  try {
    const config = resolveConfig({ stateDir, paceMs: 0, retryBaseMs: 50 }, {});
    const cal = await loadTempoCalendar({
      config,
      days: { from, to },
      now: new Date(),
      env: { JEELINKY_TEMPO_SOURCE: 'rte', JEELINKY_TEMPO_URL: rte.url },
    });
    if (cal.error) throw new Error(`demo Tempo calendar failed: ${cal.error.message}`);
    const lines = [
      "# DEMO DATA, not RTE's colours for these dates: RTE's 2021-2022 season moved onto them by whole weeks (jeelinky demo).",
    ];
    for (const [day] of shiftedSeasonDays(from, to)) {
      const c = cal.colourOf(day);
      if (c) lines.push(`${day},${c}`);
    }
    fs.writeFileSync(path.join(stateDir, DEMO_TEMPO_FILE), `${lines.join('\n')}\n`, { mode: 0o600 });
    return lines.length - 1;
  } finally {
    await rte.close();
  }
}

export const demoCommand: CommandModule<object, DemoArgs> = {
  command: 'demo',
  describe: 'Try everything against the embedded simulator (no account, no network): pair, fetch 30 days, summarise',
  builder: (y) =>
    y
      .option('days', { type: 'number', default: 30, describe: 'How many days to fetch' })
      .option('keep-state', { type: 'boolean', describe: 'Keep the temporary state directory and print its path' })
      .option('json', { type: 'boolean', describe: 'Print the summary as JSON' }),
  handler: async (argv) => {
    const days = Math.max(1, Math.min(400, Math.floor(argv.days ?? 30)));
    const simulators = await loadSimulators();
    const sim = await simulators.startEnedisSimulator({
      meters: [{ usagePoint: DEMO_PDL, production: true }],
      autoApprove: { usagePoints: [DEMO_PDL], afterPolls: 0 },
      limitPerMinute: 0,
    });
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jeelinky-demo-'));
    try {
      const firstDay = addDays(localDay(new Date(), 'Europe/Paris'), -days - 1);
      const tempoDays = await setUpDemoTempo(simulators, stateDir, firstDay, addDays(localDay(new Date(), 'Europe/Paris'), 1));
      // Windows, prices (BASE, HP/HC and Tempo's six) and the demo calendar, in the demo state's config.json.
      fs.writeFileSync(
        path.join(stateDir, 'config.json'),
        JSON.stringify({ ...DEMO_SETTINGS, tempoSource: 'file', tempoFile: path.join(stateDir, DEMO_TEMPO_FILE) }, null, 2),
        { mode: 0o600 },
      );
      const config = resolveConfig(
        { authUrl: sim.url, apiUrl: sim.url, stateDir, paceMs: 0, retryBaseMs: 50, kinds: [...READING_KINDS] },
        {}, // the demo ignores the user's JEELINKY_* settings: it must not touch a real state
      );
      const quiet = Boolean(argv.json);
      const events = terminalEvents(config.tz, quiet);
      process.stderr.write(quiet ? '' : `Simulator of the proxy and Enedis listening on ${sim.url}\n`);
      const pairing = await runScenario(
        { code: true, firstConnexion: true },
        { config, events, sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 200))) },
      );
      if (!pairing.ok) throw new Error(`demo pairing failed: ${pairing.error?.message}`);
      const today = localDay(new Date(), config.tz);
      const report = await runScenario({ since: addDays(today, -days) }, { config, events });
      const summary = await summarise(stateDir, addDays(today, -days), today);
      // The HTML report of the simulated data, where it outlives the temporary state.
      const page = await writeReportFromState({
        stateDir,
        tz: config.tz,
        usagePoint: DEMO_PDL,
        out: path.join(os.tmpdir(), 'jeelinky-demo-report.html'),
      });
      const tempo = {
        demo: true,
        days_with_colour: tempoDays,
        file: DEMO_TEMPO_FILE,
        try: argv['keep-state']
          ? `jeelinky tariff --plan TEMPO --state-dir ${stateDir}`
          : 'jeelinky demo --keep-state, then jeelinky tariff --plan TEMPO --state-dir <the state kept>',
      };
      if (argv.json) printJson({ ...summary, meteringCalls: report.meteringCalls, exitCode: report.exitCode, report: page, tempo });
      else {
        process.stdout.write(`${renderRunReport(report, config.tz)}\n\n${renderSummary(summary)}\n`);
        process.stdout.write(`Report of these days (open it in a browser): ${page.path}\n`);
        process.stdout.write(
          `Tempo colours: ${tempoDays} days of DEMO colours (RTE's 2021-2022 season moved onto these dates), with Tempo prices in the demo's config.json.\n`,
        );
        if (argv['keep-state']) process.stdout.write(`State kept in ${stateDir} (use --state-dir ${stateDir} with status).\n`);
        process.stdout.write(`Try Tempo: ${tempo.try}\n`);
      }
      process.exitCode = report.exitCode === ExitCode.OK ? 0 : report.exitCode;
    } finally {
      await sim.close();
      if (!argv['keep-state']) fs.rmSync(stateDir, { recursive: true, force: true });
    }
  },
};

interface DaySummary {
  day: string;
  consumptionKwh: number | null;
  loadCurveKwh: number | null;
  maxPowerVa: number | null;
  maxPowerAt: string | null;
  productionKwh: number | null;
}

async function summarise(stateDir: string, from: string, to: string): Promise<{ usagePoint: string; days: DaySummary[] }> {
  const store = new ReadingsStore(await StateStore.open(stateDir));
  const byDay = new Map<string, DaySummary>();
  const row = (day: string) => {
    let r = byDay.get(day);
    if (!r) {
      r = { day, consumptionKwh: null, loadCurveKwh: null, maxPowerVa: null, maxPowerAt: null, productionKwh: null };
      byDay.set(day, r);
    }
    return r;
  };
  for (const r of await store.readings(DEMO_PDL, 'daily_consumption', from, to)) row(r.day).consumptionKwh = r.value / 1000;
  for (const r of await store.readings(DEMO_PDL, 'daily_production', from, to)) row(r.day).productionKwh = r.value / 1000;
  for (const r of await store.readings(DEMO_PDL, 'max_power', from, to)) {
    row(r.day).maxPowerVa = r.value;
    row(r.day).maxPowerAt = r.at ? r.at.slice(11, 16) : null;
  }
  const curveWh = new Map<string, number>();
  for (const r of await store.readings(DEMO_PDL, 'load_curve', from, to)) curveWh.set(r.day, (curveWh.get(r.day) ?? 0) + (r.energyWh ?? 0));
  for (const [day, wh] of curveWh) row(day).loadCurveKwh = wh / 1000;
  return { usagePoint: DEMO_PDL, days: [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day)) };
}

function renderSummary(s: { usagePoint: string; days: DaySummary[] }): string {
  const n = (v: number | null, digits = 2) => (v === null ? '—' : v.toFixed(digits));
  const lines = [
    `Demo meter ${s.usagePoint}: energy per day (kWh), load-curve energy (kWh), max power (VA at time), production (kWh)`,
    'day         consumption  load curve  max power         production',
  ];
  for (const d of s.days) {
    lines.push(
      `${d.day}  ${n(d.consumptionKwh).padStart(11)}  ${n(d.loadCurveKwh).padStart(10)}  ${(d.maxPowerVa === null ? '—' : `${d.maxPowerVa} at ${d.maxPowerAt}`).padEnd(16)}  ${n(d.productionKwh).padStart(10)}`,
    );
  }
  const total = s.days.reduce((a, d) => a + (d.consumptionKwh ?? 0), 0);
  lines.push(`Total consumption over ${s.days.length} days: ${total.toFixed(1)} kWh.`);
  return lines.join('\n');
}
