/**
 * statisticsBetween from the two sources, over real sockets: the Enedis simulator fills the local
 * store through the runner, the Jeedom writer pushes the same readings into the Jeedom simulator,
 * and every question must get the same answer from the local store (plugin/stats) and from the
 * box's own getStatistique. Then the `jeelinky stats` contract, as a child process.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateExpressionError } from '../plugin/errors.js';
import { JeedomClient } from '../plugin/jeedom/client.js';
import { writeReadings } from '../plugin/jeedom/history.js';
import { deviceLogicalId, ensureVirtualDevice } from '../plugin/jeedom/virtual.js';
import { READING_KINDS, type Reading } from '../plugin/readings.js';
import { startJeedomSimulator, type JeedomSimulator } from '../simulators/jeedom.js';
import { phpFloatToString, STAT_CALCS } from '../plugin/stats/index.js';
import { SEED_FIGURES } from '../plugin/stats/figures.js';
import { jeedomStatisticsBetween, localStatisticsBetween } from '../plugin/runner/stats.js';
import { toKwhText } from '../plugin/stats/sources.js';
import { ReadingsStore } from '../plugin/store/readings.js';
import { StateStore } from '../plugin/store/state.js';
import { CLI, cliEnv, harness, PDL, runCli, type Harness } from './support/core.js';

const NOW = '2024-11-05T10:00:00+01:00'; // a Tuesday
const MONDAY = '2024-11-04T08:00:00+01:00'; // "previous monday" is then 28 October

let h: Harness;
let jeedom: JeedomSimulator;
let client: JeedomClient;
let store: ReadingsStore;
let readings: Reading[];

beforeAll(async () => {
  h = await harness(NOW);
  await h.pairNow();
  const run = await h.run({ since: '2024-09-20' });
  expect(run.exitCode).toBe(0);
  store = new ReadingsStore(await StateStore.open(h.config.stateDir));
  readings = [];
  for (const kind of READING_KINDS) readings.push(...(await store.readings(PDL, kind, '2024-09-01', '2024-11-06')));
  jeedom = await startJeedomSimulator({ clock: { now: h.clock.now } });
  client = new JeedomClient({ url: jeedom.url, apikey: jeedom.apikey, retryDelayMs: 1 });
  await ensureVirtualDevice(client, { usagePoint: PDL });
  const written = await writeReadings(client, readings);
  expect(written.failed).toBe(0);
  // Older points move to historyArch, as Jeedom's 05:00 cron does: statistics read both tables.
  jeedom.runArchive();
}, 120_000);

afterAll(async () => {
  client?.close();
  await jeedom?.close();
  await h?.close();
});

const SERIES = ['daily_consumption', 'max_power', 'load_curve_power', 'load_curve_energy'];
const RANGES: Array<[string, string]> = [
  ...SEED_FIGURES.map((f): [string, string] => [f.start, f.end]),
  ['2024-10-27 00:00:00', '2024-10-27 23:59:59'], // October DST day: 25 hours, the repeated hour merged
  ['2024-10-27 02:00:00', '2024-10-27 02:59:59'], // only the repeated hour
  ['yesterday 00:00', 'yesterday 12:00'], // both bounds inclusive: the daily point at 12:00 counts
  ['-7 days', 'now'],
  ['first day of january 2023 00:00:00', 'last day of january 2023 23:59:59'], // no data at all
  ['today', 'yesterday'], // end before start: empty, never swapped
];

describe('the same question gives the same answer from the local store and from Jeedom', () => {
  for (const now of [NOW, MONDAY]) {
    it(`every series, calculation and range, now = ${now}`, async () => {
      const at = new Date(now);
      let compared = 0;
      let nonEmpty = 0;
      let nearlyEqual = 0;
      for (const series of SERIES) {
        for (const [start, end] of RANGES) {
          for (const calc of STAT_CALCS) {
            const local = await localStatisticsBetween(store, PDL, series, calc, start, end, { now: at, tz: 'Europe/Paris' });
            const box = await jeedomStatisticsBetween(client, series, calc, start, end, { now: at, usagePoint: PDL });
            if ((calc === 'std' || calc === 'variance') && local.text !== '' && local.text !== box.text) {
              // Floats: MariaDB and plugin/stats use Welford's recurrence, the simulator a two-pass
              // formula; the 14th printed digit may differ. Everything else must match exactly.
              expect(Number(local.text)).toBeCloseTo(Number(box.text), 12 - Math.ceil(Math.log10(Math.abs(Number(box.text)) + 1)));
              expect(local.count).toBe(box.count);
              nearlyEqual++;
            } else {
              expect({ series, start, end, calc, text: local.text, count: local.count }).toEqual({
                series,
                start,
                end,
                calc,
                text: box.text,
                count: box.count,
              });
            }
            expect(local.start).toEqual(box.start);
            expect(local.end).toEqual(box.end);
            compared++;
            if (local.text !== '' && calc !== 'count') nonEmpty++;
          }
        }
      }
      expect(compared).toBe(SERIES.length * RANGES.length * STAT_CALCS.length);
      // Most ranges hold data: the comparison is not between two empty answers.
      expect(nonEmpty).toBeGreaterThan(compared / 2);
      expect(nearlyEqual).toBeLessThan(compared / 20);
    }, 120_000);
  }

  it('matches the figures computed by hand from the simulator (sum, count, avg, DST day, empty range)', async () => {
    const at = new Date(NOW);
    const q = (series: string, calc: string, start: string, end: string) =>
      localStatisticsBetween(store, PDL, series, calc, start, end, { now: at, tz: 'Europe/Paris' });
    const october = Array.from(
      { length: 31 },
      (_, i) => h.sim.expectedValue('daily_consumption', PDL, `2024-10-${String(i + 1).padStart(2, '0')}`)!,
    );
    const lastMonth = SEED_FIGURES.find((f) => f.logicalId === 'stats_last_month_kwh')!;
    expect((await q('daily_consumption', 'sum', lastMonth.start, lastMonth.end)).text).toBe(october.reduce((a, b) => a + b, 0).toFixed(2));
    expect((await q('daily_consumption', 'count', lastMonth.start, lastMonth.end)).text).toBe('31');
    expect((await q('daily_consumption', 'avg', lastMonth.start, lastMonth.end)).text).toBe(
      (october.reduce((a, b) => a + b, 0) / 31).toFixed(6),
    );
    expect((await q('daily_consumption', 'max', lastMonth.start, lastMonth.end)).text).toBe(Math.max(...october).toFixed(2));

    // The DST day's 50 half-hours land on 48 datetimes; its energy still sums to the day's total.
    const dst = await q('load_curve_energy', 'sum', '2024-10-27 00:00:00', '2024-10-27 23:59:59');
    expect(dst.text).toBe(h.sim.expectedValue('daily_consumption', PDL, '2024-10-27')!.toFixed(2));
    expect(dst.count).toBe(48);
    expect(dst.start.iso).toBe('2024-10-27T00:00:00+02:00');
    expect(dst.end.iso).toBe('2024-10-27T23:59:59+01:00');

    // "Yesterday" of the forum scenario is the day before yesterday: Enedis publishes a day late.
    const day = await q('daily_consumption', 'sum', '2 days ago 00:00', '2 days ago 23:59');
    expect(day.text).toBe(h.sim.expectedValue('daily_consumption', PDL, '2024-11-03')!.toFixed(2));

    for (const calc of STAT_CALCS) {
      const empty = await q('daily_consumption', calc, 'first day of january 2023 00:00:00', 'last day of january 2023 23:59:59');
      expect(empty.text).toBe(calc === 'count' ? '0' : '');
    }
  });

  it('"this week" on a Monday covers the previous 7 days (PHP\'s previous monday)', async () => {
    const week = SEED_FIGURES.find((f) => f.logicalId === 'stats_this_week_kwh')!;
    const r = await localStatisticsBetween(store, PDL, 'daily_consumption', 'count', week.start, week.end, {
      now: new Date(MONDAY),
      tz: 'Europe/Paris',
    });
    expect(r.start.iso).toBe('2024-10-28T00:00:00+01:00');
    expect(r.text).toBe('7');
  });

  it('resolves the bounds in the box timezone, whatever the local one', async () => {
    const tokyo = await startJeedomSimulator({ timezone: 'Asia/Tokyo', clock: { now: h.clock.now } });
    const c = new JeedomClient({ url: tokyo.url, apikey: tokyo.apikey, retryDelayMs: 1 });
    try {
      await ensureVirtualDevice(c, { usagePoint: PDL });
      await writeReadings(
        c,
        readings.filter((r) => r.kind === 'load_curve'),
      );
      for (const [start, end] of [
        ['yesterday 00:00', 'yesterday 23:59:59'],
        ['2024-10-27 00:00:00', '2024-10-27 23:59:59'],
      ] as const) {
        for (const calc of ['sum', 'count', 'max', 'last'] as const) {
          const box = await jeedomStatisticsBetween(c, 'load_curve_energy', calc, start, end, { now: new Date(NOW), usagePoint: PDL });
          const local = await localStatisticsBetween(store, PDL, 'load_curve_energy', calc, start, end, {
            now: new Date(NOW),
            tz: 'Asia/Tokyo',
          });
          expect(box.timezone).toBe('Asia/Tokyo');
          expect(box.start.iso).toMatch(/\+09:00$/);
          expect([calc, box.text, box.count]).toEqual([calc, local.text, local.count]);
        }
      }
    } finally {
      c.close();
      await tokyo.close();
    }
  });

  it('refuses what Jeedom would silently turn into 1970 or into an empty string', async () => {
    const at = new Date(NOW);
    await expect(
      localStatisticsBetween(store, PDL, 'daily_consumption', 'sum', 'not a date', 'now', { now: at, tz: 'Europe/Paris' }),
    ).rejects.toBeInstanceOf(DateExpressionError);
    await expect(
      jeedomStatisticsBetween(client, 'daily_consumption', 'sum', 'now', 'first day of nothing', { now: at, usagePoint: PDL }),
    ).rejects.toBeInstanceOf(DateExpressionError);
    await expect(
      localStatisticsBetween(store, PDL, 'daily_consumption', 'median', 'yesterday', 'now', { now: at, tz: 'Europe/Paris' }),
    ).rejects.toThrow(/avg, min, max, sum, count, std, variance, last/);
  });

  it("kWh is Jeedom's figure divided by 1000, printed as PHP prints a float", () => {
    expect(toKwhText('sum', '12345.67')).toBe('12.34567');
    expect(toKwhText('avg', '20.720000')).toBe('0.02072');
    expect(toKwhText('sum', '7000.00')).toBe('7');
    expect(toKwhText('count', '31')).toBe('31');
    expect(toKwhText('variance', '2500000')).toBe('2.5');
    expect(toKwhText('sum', '')).toBe('');
  });
});

describe('jeelinky stats (child process, TZ=America/Los_Angeles)', () => {
  let env: Record<string, string>;
  let jeedomEnv: Record<string, string>;
  beforeAll(() => {
    // npm test builds first; building here would rewrite dist/ under the other files' running CLIs.
    if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`);
    env = cliEnv(h.sim, h.config.stateDir);
    jeedomEnv = { ...env, JEELINKY_JEEDOM_URL: jeedom.url, JEELINKY_JEEDOM_APIKEY: jeedom.apikey };
  });
  const stats = (args: string[], e: Record<string, string>) => runCli(['stats', '--now', NOW, ...args], e);

  it('prints the value alone, the same from both sources, by series, name or id', async () => {
    const lastMonth = ['first day of last month 00:00:00', 'last day of last month 23:59:59'];
    const local = await stats(['--source', 'local', '--', 'daily_consumption', 'sum', ...lastMonth], jeedomEnv);
    expect(local.stderr).toBe('');
    expect(local.code).toBe(0);
    const october = (await store.readings(PDL, 'daily_consumption', '2024-10-01', '2024-11-01')).reduce((a, r) => a + r.value, 0);
    expect(local.stdout).toBe(`${october.toFixed(2)}\n`);

    // Jeedom is the default source once it is configured.
    const device = jeedom.eqLogics().find((e) => e.logicalId === deviceLogicalId(PDL))!;
    const cmd = jeedom.cmdByLogicalId(device.id, 'daily_consumption')!;
    for (const name of ['daily_consumption', `#[Linky][${device.name}][${cmd.name}]#`, String(cmd.id)]) {
      const r = await stats(['--', name, 'sum', ...lastMonth], jeedomEnv);
      expect([name, r.code, r.stdout, r.stderr]).toEqual([name, 0, local.stdout, '']);
    }
    // Without the box configured, local is the default.
    expect((await stats(['--', 'daily_consumption', 'sum', ...lastMonth], env)).stdout).toBe(local.stdout);
  }, 60_000);

  it('--json gives value, calc, resolved bounds and count; --unit kWh divides by 1000', async () => {
    const args = ['--', 'daily_consumption', 'sum', 'first day of last month 00:00:00', 'last day of last month 23:59:59'];
    for (const source of ['local', 'jeedom']) {
      const r = await stats(['--source', source, '--json', ...args], jeedomEnv);
      expect(r.code).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(j).toMatchObject({ calc: 'sum', start: '2024-10-01T00:00:00+02:00', end: '2024-10-31T23:59:59+01:00', count: 31, source });
      expect(typeof j.value).toBe('number');
      const kwh = await stats(['--source', source, '--unit', 'kWh', ...args], jeedomEnv);
      expect(kwh.stdout).toBe(`${phpFloatToString(j.value / 1000)}\n`);
    }
  }, 60_000);

  it('an empty line where Jeedom gives an empty string; 0 for count; bounds after -- may start with a dash', async () => {
    for (const source of ['local', 'jeedom']) {
      const empty = await stats(
        ['--source', source, '--', 'load_curve_power', 'avg', '2023-01-01 00:00:00', '2023-01-31 23:59:59'],
        jeedomEnv,
      );
      expect([source, empty.code, empty.stdout]).toEqual([source, 0, '\n']);
      const count = await stats(
        ['--source', source, '--', 'load_curve_power', 'count', '2023-01-01 00:00:00', '2023-01-31 23:59:59'],
        jeedomEnv,
      );
      expect(count.stdout).toBe('0\n');
      const week = await stats(['--source', source, '--', 'daily_consumption', 'count', '-7 days', 'now'], jeedomEnv);
      expect([source, week.code, week.stdout]).toEqual([source, 0, '7\n']);
    }
  }, 60_000);

  it('the DST day gives the same avg, std and last from both sources', async () => {
    for (const calc of ['avg', 'std', 'last', 'max']) {
      const args = ['--', 'load_curve_power', calc, '2024-10-27 00:00:00', '2024-10-27 23:59:59'];
      const local = await stats(['--source', 'local', ...args], jeedomEnv);
      const box = await stats(['--source', 'jeedom', ...args], jeedomEnv);
      expect(local.stdout).toMatch(/^-?\d/);
      expect([calc, box.stdout]).toEqual([calc, local.stdout]);
    }
  }, 60_000);

  it('with Jeedom, expressions are read in the box zone, not JEELINKY_TZ nor the process TZ', async () => {
    const r = await stats(['--json', '--', 'daily_consumption', 'count', 'yesterday', 'today'], {
      ...jeedomEnv,
      JEELINKY_TZ: 'Asia/Tokyo',
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      start: '2024-11-04T00:00:00+01:00',
      end: '2024-11-05T00:00:00+01:00',
      timezone: 'Europe/Paris',
      count: 1,
    });
  }, 30_000);

  it('refuses bad input with one clear line and the documented exit code', async () => {
    const bad = await stats(['--source', 'local', '--', 'daily_consumption', 'sum', 'not a date', 'now'], jeedomEnv);
    expect({ code: bad.code, stdout: bad.stdout, stderr: bad.stderr }).toMatchObject({ code: 78, stdout: '' });
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/cannot understand "not a date"/);

    const calc = await stats(['--', 'daily_consumption', 'median', 'yesterday', 'now'], jeedomEnv);
    expect({ code: calc.code, stderr: calc.stderr }).toMatchObject({ code: 64 });
    expect(calc.stderr).toMatch(/avg, min, max, sum, count, std, variance, last/);

    const unit = await stats(['--unit', 'kWh', '--', 'max_power', 'max', 'yesterday', 'now'], jeedomEnv);
    expect({ code: unit.code, stderr: unit.stderr }).toMatchObject({ code: 64 });
    expect(unit.stderr).toMatch(/VA/);

    const few = await stats(['--', 'daily_consumption', 'sum', 'yesterday'], jeedomEnv);
    expect({ code: few.code, stderr: few.stderr }).toMatchObject({ code: 64 });

    const jeedomName = await stats(['--source', 'local', '--', '#[Linky][Linky][value]#', 'sum', 'yesterday', 'now'], jeedomEnv);
    expect({ code: jeedomName.code, stderr: jeedomName.stderr }).toMatchObject({ code: 78 });
    expect(jeedomName.stderr).toMatch(/--source jeedom/);

    const unknown = await stats(['--source', 'jeedom', '--', '#[Linky][Nope][value]#', 'sum', 'yesterday', 'now'], jeedomEnv);
    expect({ code: unknown.code, stderr: unknown.stderr }).toMatchObject({ code: 78 });
    expect(unknown.stdout + unknown.stderr).not.toContain(jeedom.apikey);
  }, 60_000);

  it('a command Jeedom does not historise gives an empty line, as statisticsBetween does', async () => {
    const r = await stats(['--source', 'jeedom', '--', 'daily_consumption', 'sum', 'yesterday', 'now'], jeedomEnv);
    expect(r.stdout).not.toBe('\n');
    const device = jeedom.eqLogics().find((e) => e.logicalId === deviceLogicalId(PDL))!;
    const figure = jeedom.cmdByLogicalId(device.id, 'stats_day_kwh')!;
    const n = await stats(['--source', 'jeedom', '--', String(figure.id), 'count', 'yesterday', 'now'], jeedomEnv);
    expect(n.code).toBe(0);
    expect(n.stdout).toBe('\n');
    expect(n.stderr).toMatch(/not historised/);
  }, 30_000);
});
