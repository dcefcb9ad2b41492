/**
 * Fault suite, hostile and malformed input: a corpus of bad answers from the metering API (nothing
 * of an invalid answer is stored) and bad values for every flag (one clear line, the documented
 * exit code, never "bug"). Tallies go to test-artifacts/fault-report.json.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { faultTally } from './support/fault-tally.js';
import { ReadingsStore } from '../plugin/store/readings.js';
import { StateStore } from '../plugin/store/state.js';
import { harness, PDL, runCli, type Harness } from './support/core.js';
import { Opened } from './support/world.js';

const record = faultTally();

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const daily = (items: unknown[], extra: Record<string, unknown> = {}) => ({
  status: 200,
  body: {
    meter_reading: {
      usage_point_id: PDL,
      start: '2024-10-29',
      end: '2024-11-05',
      reading_type: { unit: 'Wh', measurement_kind: 'energy', aggregate: 'sum' },
      interval_reading: items,
      ...extra,
    },
  },
});
const days = ['2024-10-29', '2024-10-30', '2024-10-31', '2024-11-01', '2024-11-02', '2024-11-03', '2024-11-04'];
const good = days.map((d) => ({ value: '12000', date: d }));
const curvePoint = (date: string, value = '400', len = 'PT30M') => ({ value, date, interval_length: len, measure_type: 'B' });

/** Bad answers to the daily consumption request [2024-10-29; 2024-11-05[. */
const BAD_DAILY: Array<[string, { status: number; body: unknown } | { kind: 'malformed-json' } | { kind: 'html'; status?: number }]> = [
  ['truncated JSON', { kind: 'malformed-json' }],
  ['an HTML captive portal page with HTTP 200', { kind: 'html', status: 200 }],
  ['a value of the wrong type', daily([{ value: { wh: 1 }, date: '2024-10-29' }, ...good.slice(1)])],
  ['the value "NaN"', daily([{ value: 'NaN', date: '2024-10-29' }, ...good.slice(1)])],
  ['the value "1e309"', daily([...good.slice(0, 6), { value: '1e309', date: '2024-11-04' }])],
  ['an empty value', daily([...good.slice(0, 6), { value: '', date: '2024-11-04' }])],
  // One unreadable date or one item outside the range is only left out, with a warning (see
  // test/answers-wild.test.ts); more than one in ten items means a broken answer.
  ['two dates that do not exist', daily([...good.slice(0, 5), { value: '1', date: '2024-13-45' }, { value: '1', date: '2024-02-30' }])],
  ['every date outside the range asked', daily(good.map((g) => ({ ...g, date: g.date.replace('2024', '2019') })))],
  ['the same date twice', daily([...good, { value: '999', date: '2024-11-04' }])],
  ['interval_reading that is not a list', daily([], { interval_reading: 'none' })],
  ['meter_reading of the wrong type', { status: 200, body: { meter_reading: 'oops' } }],
  ['an empty JSON object', { status: 200, body: {} }],
  ['a JSON array', { status: 200, body: [1, 2, 3] }],
  ['a 25 MB body', { status: 200, body: { meter_reading: { interval_reading: [], padding: 'x'.repeat(25 * 2 ** 20) } } }],
];

describe('bad answers from the metering API: one clear line, nothing stored', () => {
  for (const [what, fault] of BAD_DAILY) {
    it(what, async () => {
      h = await harness('2024-11-05T10:00:00+01:00');
      await h.pairNow();
      h.sim.inject({ path: 'daily_consumption' }, fault, 3);
      const r = await h.run({ fetchKinds: ['daily_consumption'] });
      expect(r.exitCode).toBe(75);
      expect(r.kinds[0]!.error?.message).toBeTruthy();
      expect(r.kinds[0]!.error?.message).not.toContain('\n');
      expect(r.kinds[0]!.error?.code).not.toBe('bug');
      const stored = await new ReadingsStore(await StateStore.open(h.config.stateDir)).readings(
        PDL,
        'daily_consumption',
        '2024-10-01',
        '2024-11-06',
      );
      expect(stored).toEqual([]);
      record('bad metering answers', stored.length);
    });
  }

  it('a load curve whose interval_length changes without overlap is read point by point', async () => {
    h = await harness('2024-11-05T10:00:00+01:00');
    await h.pairNow();
    const points = [
      curvePoint('2024-11-04 00:30:00'),
      curvePoint('2024-11-04 01:00:00'),
      curvePoint('2024-11-04 02:00:00', '500', 'PT60M'),
    ];
    h.sim.inject({ path: 'load_curve' }, { status: 200, body: { meter_reading: { usage_point_id: PDL, interval_reading: points } } }, 1);
    const r = await h.run({ fetchKinds: ['load_curve'], since: '2024-11-04' });
    expect(r.exitCode).toBe(0);
    const stored = await new ReadingsStore(await StateStore.open(h.config.stateDir)).readings(
      PDL,
      'load_curve',
      '2024-11-04',
      '2024-11-05',
    );
    expect(stored.map((s) => s.energyWh)).toEqual([200, 200, 500]);
    expect(r.kinds[0]!.missingDays).toEqual(['2024-11-04']); // 3 points of a day: a gap, reported
  });

  it('overlapping curve intervals (a length change that overlaps, a third repeated label) are refused', async () => {
    h = await harness('2024-11-05T10:00:00+01:00');
    await h.pairNow();
    for (const points of [
      [curvePoint('2024-11-04 00:30:00'), curvePoint('2024-11-04 01:00:00', '400', 'PT60M')],
      [curvePoint('2024-10-27 02:00:00'), curvePoint('2024-10-27 02:00:00'), curvePoint('2024-10-27 02:00:00')],
    ]) {
      h.sim.inject({ path: 'load_curve' }, { status: 200, body: { meter_reading: { usage_point_id: PDL, interval_reading: points } } }, 1);
      const r = await h.run({ fetchKinds: ['load_curve'], since: '2024-10-27' });
      expect(r.exitCode).toBe(75);
      expect(r.kinds[0]!.error?.code).toMatch(/overlapping_times|out_of_range/);
      record('bad metering answers', 0);
    }
    const stored = await new ReadingsStore(await StateStore.open(h.config.stateDir)).readings(
      PDL,
      'load_curve',
      '2024-10-01',
      '2024-11-06',
    );
    expect(stored).toEqual([]);
  });

  it('a missing reading_type is not a reason to refuse good data', async () => {
    h = await harness('2024-11-05T10:00:00+01:00');
    await h.pairNow();
    h.sim.inject(
      { path: 'daily_consumption' },
      { status: 200, body: { meter_reading: { usage_point_id: PDL, interval_reading: good } } },
      1,
    );
    const r = await h.run({ fetchKinds: ['daily_consumption'] });
    expect(r.exitCode).toBe(0);
    expect(r.kinds[0]!.added).toBe(7);
  });
});

describe('bad user input: one clear line, the documented exit code, never a bug', () => {
  const opened = new Opened();
  afterAll(() => opened.closeAll());

  const CASES: Array<[string[], number, Record<string, string>?]> = [
    [['run', '--since', ''], 78],
    [['run', '--since', "'; rm -rf / #"], 78],
    [['run', '--since', '$(reboot)'], 78],
    [['run', '--since', 'first dey of last month'], 78],
    [['run', '--pace-ms', 'abc'], 64],
    [['run', '--pace-ms', '-5'], 64],
    [['run', '--pace-ms', '1.5'], 64],
    [['run', '--usage-point', '123'], 78],
    [['run', '--usage-point', '1234567890123a'], 78],
    [['run', '--usage-point', ''], 78],
    [['run', '--tz', ''], 78],
    [['run', '--tz', 'Europe/Atlantis'], 78],
    [['run', '--auth-url', 'javascript:alert(1)'], 78],
    [['run', '--auth-url', 'not a url'], 78],
    [['run', '--kinds', 'electricity'], 78],
    [['run', '--kinds', ''], 0],
    [['backfill', '--budget', '-1'], 64],
    [['backfill', '--budget', 'lots'], 64],
    [['backfill', '--refresh', '2024-13-01'], 78],
    [['backfill', '--refresh', '2024-10-05..2024-10-01'], 78],
    [['backfill', '--wipe-cache'], 78], // no terminal to confirm: asks for --yes
    [['status'], 78, { JEELINKY_PACE_MS: '5s' }],
    [['status'], 78, { JEELINKY_SANDBOX: 'maybe' }],
    [['status'], 78, { JEELINKY_DAILY_CALL_BUDGET: '-3' }],
    [['status'], 78, { JEELINKY_KINDS: 'daily_consumption,;ls' }],
    [['date', '--tz', 'Mars/Base', '--', 'now'], 64],
    [['date', '--now', 'yesterday-ish', '--', 'now'], 64],
    [['stats', '--source', 'local', '--', 'daily_consumption', 'median', 'today', 'now'], 64],
    [['stats', '--source', 'local', '--', 'daily_consumption', 'sum', 'someday', 'now'], 78],
    [['stats', '--source', 'jeedom', '--', '#[Nowhere][Nothing][value]#', 'sum', 'today', 'now'], 78],
    [['jeedom', 'setup', '--usage-point', '12'], 78],
    [['report', '--out', '/proc/forbidden/report.html'], 78],
    [['tariff', '--since', 'tomorrow+garbage'], 78],
  ];

  it(`${CASES.length} bad inputs`, async () => {
    const { env, enedis: sim } = await opened.world({ jeedom: true, pair: true });
    const before = sim.meteringCalls().length;
    for (const [args, code, extraEnv] of CASES) {
      const r = await runCli(args, { ...env, ...extraEnv });
      const lines = r.stderr.trim()
        ? r.stderr
            .trim()
            .split('\n')
            .filter((l) => !l.startsWith('Run "jeelinky'))
        : [];
      expect({ args, code: r.code, lines: lines.length, bug: /unexpected error|This is a bug/.test(r.stderr) }).toEqual({
        args,
        code,
        lines: code === 0 ? lines.length : 1,
        bug: false,
      });
      record('bad user input', 0);
    }
    // `--kinds ''` is the only accepted one: nothing else reached the metering API.
    expect(sim.meteringCalls().length - before).toBeLessThanOrEqual(3);
  }, 120_000);
});
