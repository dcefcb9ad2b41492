/**
 * The HP/HC split, the costs and the plan comparison on hand-made days, with hand-computed
 * expectations: windows over midnight, half-hour boundaries, two windows, both DST days, odd
 * minutes split pro rata, hourly meters, a change of windows in the middle of a month.
 */
import { describe, expect, it } from 'vitest';
import type { Reading } from '../plugin/readings.js';
import {
  buildTariffReport,
  chooseSchedule,
  energyCost,
  formatEuros,
  OffpeakSchedule,
  parseEuros,
  parseOffpeakHistory,
  parseOffpeakHours,
  parsePlan,
  parsePricesHistory,
  PriceSchedule,
  resolveTariffSettings,
  splitByDay,
  splitReading,
  toCents,
  toWh,
  type OffpeakPeriod,
} from '../plugin/tariff/index.js';
import { addDays, dayStart, eachDay, isoInZone, localDay } from '../plugin/time/local.js';

const TZ = 'Europe/Paris';
const PDL = '00000000000001';

/** Load-curve readings of local days [from; to], `step` minutes each, value = watts(i, day) for the i-th interval of the day. */
function curve(from: string, to: string, watts: (i: number, day: string) => number, step = 30): Reading[] {
  const out: Reading[] = [];
  for (const day of eachDay(from, addDays(to, 1))) {
    const end = dayStart(addDays(day, 1), TZ).valueOf();
    let i = 0;
    for (let t = dayStart(day, TZ).valueOf(); t < end; t += step * 60_000, i++) {
      const value = watts(i, day);
      out.push({
        usagePoint: PDL,
        kind: 'load_curve',
        day,
        start: isoInZone(t, TZ),
        end: isoInZone(t + step * 60_000, TZ),
        value,
        unit: 'W',
        energyWh: (value * step) / 60,
      });
    }
  }
  return out;
}

const schedule = (text: string) => new OffpeakSchedule([{ set: parseOffpeakHours(text), source: 'test' }]);
const whOf = (d: { hp: bigint; hc: bigint }) => ({ hp: toWh(d.hp), hc: toWh(d.hc) });
/** 100 W × (index + 1): every half-hour carries a different energy, so a boundary off by one shows. */
const ramp = (i: number) => 100 * (i + 1);
/** Σ 50·(i+1) Wh for i in [a; b]. */
const rampWh = (a: number, b: number) => (50 * ((a + 1 + b + 1) * (b - a + 1))) / 2;

describe('off-peak hours as Enedis and users write them', () => {
  it.each([
    [
      'HC (22H00-6H00)',
      '22:00-06:00',
      [
        [0, 360],
        [1320, 1440],
      ],
    ],
    [
      'HC (1H30-8H00;12H30-14H00)',
      '01:30-08:00;12:30-14:00',
      [
        [90, 480],
        [750, 840],
      ],
    ],
    ['HC (0H50-6H50)', '00:50-06:50', [[50, 410]]],
    [
      'HC (0H50-6H50;14H20-16H20)',
      '00:50-06:50;14:20-16:20',
      [
        [50, 410],
        [860, 980],
      ],
    ],
    [
      '23h-7h',
      '23:00-07:00',
      [
        [0, 420],
        [1380, 1440],
      ],
    ],
    [
      '22h00-06h00;12h30-14h30',
      '22:00-06:00;12:30-14:30',
      [
        [0, 360],
        [750, 870],
        [1320, 1440],
      ],
    ],
    ['hc (2h-7h)', '02:00-07:00', [[120, 420]]],
    [
      '22:30-06:30',
      '22:30-06:30',
      [
        [0, 390],
        [1350, 1440],
      ],
    ],
    ['20h00-24h00', '20:00-24:00', [[1200, 1440]]],
    [
      'HC (22h-6h;5h-7h)',
      '22:00-06:00;05:00-07:00',
      [
        [0, 420],
        [1320, 1440],
      ],
    ],
  ])('%s', (text, formatted, ranges) => {
    const set = parseOffpeakHours(text);
    expect(
      set.windows
        .map(
          (w) =>
            `${String(Math.floor(w.start / 60)).padStart(2, '0')}:${String(w.start % 60).padStart(2, '0')}-${String(Math.floor(w.end / 60)).padStart(2, '0')}:${String(w.end % 60).padStart(2, '0')}`,
        )
        .join(';'),
    ).toBe(formatted);
    expect(set.ranges).toEqual(ranges);
  });

  it('no windows for an empty or BASE value; clear errors otherwise', () => {
    expect(parseOffpeakHours('').windows).toEqual([]);
    expect(parseOffpeakHours('HC ()').windows).toEqual([]);
    expect(() => parseOffpeakHours('22h-')).toThrow(/cannot read "22h-".*HHhMM-HHhMM/);
    expect(() => parseOffpeakHours('25h00-6h00')).toThrow(/not a time of day/);
    expect(() => parseOffpeakHours('6h00-6h00')).toThrow(/empty or covers the whole day/);
  });

  it('a history of windows with validity dates', () => {
    const periods = parseOffpeakHistory(
      'JEELINKY_OFFPEAK_HOURS_HISTORY',
      '[{"windows":"22h00-6h00"},{"from":"2024-01-15","windows":"HC (1H30-7H30;13H30-15H30)"}]',
    );
    const s = new OffpeakSchedule(periods);
    expect(s.at('2024-01-14')!.set.ranges).toEqual([
      [0, 360],
      [1320, 1440],
    ]);
    expect(s.at('2024-01-15')!.set.ranges).toEqual([
      [90, 450],
      [810, 930],
    ]);
    expect(() => parseOffpeakHistory('X', '[{"from":"2024-01-01","windows":"22h-6h"},{"windows":"1h-7h"}]')).toThrow(
      /only the first entry may omit "from"/,
    );
    expect(() => parseOffpeakHistory('X', '{"windows":"22h-6h"}')).toThrow(/non-empty JSON array/);
    expect(() => parseOffpeakHistory('X', '[{"from":"2024-13-01","windows":"22h-6h"}]')).toThrow(/"from" must be a day/);
  });
});

describe('HP/HC split of the load curve', () => {
  it('a window over midnight on an ordinary day (22h–6h, 1 kW): 8 kWh HC, 16 kWh HP', () => {
    const [d] = splitByDay(
      curve('2024-01-10', '2024-01-10', () => 1000),
      schedule('HC (22H00-6H00)'),
      TZ,
    );
    expect(whOf(d!)).toEqual({ hp: 16000, hc: 8000 });
    expect(d!.points).toBe(48);
    expect(d!.proRata).toBe(0);
  });

  it('half-hour boundaries and two windows (1h30–8h, 12h30–14h): every half-hour on the right side', () => {
    const [d] = splitByDay(curve('2024-01-10', '2024-01-10', ramp), schedule('HC (1H30-8H00;12H30-14H00)'), TZ);
    // Half-hours 3..15 (01:30–08:00) and 25..27 (12:30–14:00) are off-peak.
    const hc = rampWh(3, 15) + rampWh(25, 27);
    expect(hc).toBe(10550);
    expect(whOf(d!)).toEqual({ hp: rampWh(0, 47) - hc, hc });
  });

  it('the interval ending at a window start is HP, the one starting there is HC (22h00 exactly)', () => {
    const hc22 = splitReading({ start: '2024-01-10T22:00:00+01:00', end: '2024-01-10T22:30:00+01:00', value: 1000 }, TZ, () => [
      [1320, 1440],
    ]);
    const hp2130 = splitReading({ start: '2024-01-10T21:30:00+01:00', end: '2024-01-10T22:00:00+01:00', value: 1000 }, TZ, () => [
      [1320, 1440],
    ]);
    expect(whOf(hc22)).toEqual({ hp: 0, hc: 500 });
    expect(whOf(hp2130)).toEqual({ hp: 500, hc: 0 });
  });

  it('odd minutes (0h50–6h50): the straddling half-hours are split pro rata', () => {
    const rangesOf = () => parseOffpeakHours('HC (0H50-6H50)').ranges;
    // 00:30–01:00 at 600 W = 300 Wh, 10 of its 30 minutes off-peak.
    expect(whOf(splitReading({ start: '2024-01-10T00:30:00+01:00', end: '2024-01-10T01:00:00+01:00', value: 600 }, TZ, rangesOf))).toEqual({
      hp: 200,
      hc: 100,
    });
    // 06:30–07:00 at 900 W = 450 Wh, 20 minutes off-peak: 300 Wh HC.
    expect(whOf(splitReading({ start: '2024-01-10T06:30:00+01:00', end: '2024-01-10T07:00:00+01:00', value: 900 }, TZ, rangesOf))).toEqual({
      hp: 150,
      hc: 300,
    });
    // 1000 W for 20 minutes of off-peak out of 30 → 333.333… Wh, kept exact and shown to 0.001 Wh.
    expect(whOf(splitReading({ start: '2024-01-10T06:30:00+01:00', end: '2024-01-10T07:00:00+01:00', value: 1000 }, TZ, rangesOf))).toEqual(
      { hp: 166.667, hc: 333.333 },
    );
    const [d] = splitByDay(
      curve('2024-01-10', '2024-01-10', () => 1200),
      schedule('HC (0H50-6H50)'),
      TZ,
    );
    expect(whOf(d!)).toEqual({ hp: 21600, hc: 7200 });
    expect(d!.proRata).toBe(2);
  });

  it('spring DST day (46 half-hours): 22h–6h is 7 h of HC, 1h30–7h30 is 5 h', () => {
    const readings = curve('2024-03-31', '2024-03-31', () => 1000);
    expect(readings).toHaveLength(46);
    const [night] = splitByDay(readings, schedule('HC (22H00-6H00)'), TZ);
    expect(whOf(night!)).toEqual({ hp: 16000, hc: 7000 });
    const [early] = splitByDay(readings, schedule('HC (1H30-7H30)'), TZ);
    // 01:30–02:00 then 03:00–07:30: the hour 02:00–03:00 does not exist.
    expect(whOf(early!)).toEqual({ hp: 18000, hc: 5000 });
  });

  it('autumn DST day (50 half-hours): both passes of 02:00–03:00 are off-peak in 22h–6h', () => {
    const readings = curve('2024-10-27', '2024-10-27', ramp);
    expect(readings).toHaveLength(50);
    const [d] = splitByDay(readings, schedule('HC (22H00-6H00)'), TZ);
    // Indices 0..13 are 00:00–06:00 (14 half-hours incl. the repeated hour), 46..49 are 22:00–24:00.
    const hc = rampWh(0, 13) + rampWh(46, 49);
    expect(whOf(d!)).toEqual({ hp: rampWh(0, 49) - hc, hc });
    // A window inside the repeated hour applies on both passes: 2 × 30 minutes.
    const [inside] = splitByDay(
      curve('2024-10-27', '2024-10-27', () => 1000),
      schedule('2h00-2h30'),
      TZ,
    );
    expect(whOf(inside!)).toEqual({ hp: 24000, hc: 1000 });
  });

  it('hourly meter (PT60M) with a window on the half hour (22h30–6h30): two hours split pro rata', () => {
    const readings = curve('2024-01-10', '2024-01-10', () => 1000, 60);
    expect(readings).toHaveLength(24);
    const [d] = splitByDay(readings, schedule('HC (22H30-6H30)'), TZ);
    expect(whOf(d!)).toEqual({ hp: 16000, hc: 8000 });
    expect(d!.proRata).toBe(2);
    expect(d!.intervalMinutes).toEqual([60]);
  });

  it('PT60M on both DST days', () => {
    const [spring] = splitByDay(
      curve('2024-03-31', '2024-03-31', () => 1000, 60),
      schedule('22h00-6h00'),
      TZ,
    );
    const [autumn] = splitByDay(
      curve('2024-10-27', '2024-10-27', () => 1000, 60),
      schedule('22h00-6h00'),
      TZ,
    );
    expect(whOf(spring!)).toEqual({ hp: 16000, hc: 7000 });
    expect(whOf(autumn!)).toEqual({ hp: 16000, hc: 9000 });
  });

  it('a change of windows in the middle of a month applies from that day on', () => {
    const periods: OffpeakPeriod[] = parseOffpeakHistory(
      'H',
      '[{"windows":"22h00-6h00"},{"from":"2024-01-15","windows":"HC (1H30-7H30;13H30-15H30)"}]',
    );
    const days = splitByDay(curve('2024-01-14', '2024-01-15', ramp), new OffpeakSchedule(periods), TZ);
    expect(days.map((d) => d.windows)).toEqual(['22:00-06:00', '01:30-07:30;13:30-15:30']);
    expect(toWh(days[0]!.hc)).toBe(rampWh(0, 11) + rampWh(44, 47));
    expect(toWh(days[1]!.hc)).toBe(rampWh(3, 14) + rampWh(27, 30));
    expect(toWh(days[1]!.hc)).toBe(11600);
  });
});

describe('money, exact to the cent', () => {
  it('prices are read as decimals, never floats', () => {
    expect(parseEuros('P', '0.2516')).toBe(251600n);
    expect(parseEuros('P', '0,2068')).toBe(206800n);
    expect(parseEuros('P', 12.44)).toBe(12440000n);
    expect(() => parseEuros('JEELINKY_PRICE_HP', 'abc')).toThrow(/JEELINKY_PRICE_HP="abc" is not a price/);
    expect(() => parseEuros('P', '0.1234567')).toThrow(/at most 6 decimals/);
  });

  it('half a cent rounds up where floating point would round down (1 kWh at 1.005 €)', () => {
    const oneKwh = 3_600_000_000_000n; // mW·ms
    expect(1.005 * 100).toBeLessThan(100.5); // the float trap
    expect(formatEuros(energyCost(oneKwh, parseEuros('P', '1.005')))).toBe('1.01');
    expect(toCents(energyCost(oneKwh, parseEuros('P', '1.004999')))).toBe(100n);
  });

  it('a day and a month under both plans, subscriptions included', () => {
    const readings = curve('2024-01-01', '2024-01-31', () => 1000);
    const prices = new PriceSchedule([
      { base: 251600n, hp: 270000n, hc: 206800n, subscriptionBase: 12440000n, subscriptionHphc: 12850000n },
    ]);
    const r = buildTariffReport({
      from: '2024-01-01',
      to: '2024-01-31',
      curve: readings,
      daily: [],
      schedule: schedule('22h00-6h00'),
      prices,
      plan: 'BASE',
      tz: TZ,
    });
    // A day: 24 kWh × 0.2516 = 6.0384 + 12.44/31 = 6.43969… → 6.44; HP/HC 16 × 0.27 + 8 × 0.2068 + 12.85/31 = 6.38891… → 6.39.
    expect(r.days[0]).toMatchObject({
      hp_wh: 16000,
      hc_wh: 8000,
      total_wh: 24000,
      cost: 6.44,
      cost_base: 6.44,
      cost_hphc: 6.39,
      complete: true,
    });
    // The month from exact day costs: 31 × 6.0384 + 12.44 = 199.6304; 31 × 5.9744 + 12.85 = 198.0564.
    expect(r.months).toEqual([
      expect.objectContaining({ period: '2024-01', days: 31, cost: 199.63, cost_base: 199.63, cost_hphc: 198.06 }),
    ]);
    // Rounding each day first would give 31 × 6.44 = 199.64: the month is not a sum of rounded days.
    expect(r.days.reduce((a, d) => a + Math.round(d.cost! * 100), 0)).toBe(19964);
  });

  it('prices with validity dates: the kWh price changes on 2024-02-01', () => {
    const prices = new PriceSchedule(
      parsePricesHistory('H', '[{"base":"0.2276","hp":"0.2460","hc":"0.1828"},{"from":"2024-02-01","base":"0.2516","hp":0.27}]'),
    );
    expect(prices.at('2024-01-31')).toMatchObject({ base: 227600n, hp: 246000n, hc: 182800n });
    // hc is left out: it keeps the earlier value.
    expect(prices.at('2024-02-01')).toMatchObject({ base: 251600n, hp: 270000n, hc: 182800n });
    const r = buildTariffReport({
      from: '2024-01-31',
      to: '2024-02-01',
      curve: curve('2024-01-31', '2024-02-01', () => 1000),
      daily: [],
      schedule: schedule('22h00-6h00'),
      prices,
      plan: 'HPHC',
      tz: TZ,
    });
    expect(r.days.map((d) => d.cost_base)).toEqual([5.46, 6.04]); // 24 × 0.2276 = 5.4624; 24 × 0.2516 = 6.0384
    expect(r.days.map((d) => d.cost)).toEqual([5.4, 5.78]); // 16 × .246 + 8 × .1828 = 5.3984; 16 × .27 + 8 × .1828 = 5.7824
    expect(() => parsePricesHistory('H', '[{"from":"2024-01-01","bse":"0.2"}]')).toThrow(/unknown key "bse"/);
  });
});

describe('the daily consumption check', () => {
  it('reports the difference between the curve and the daily reading, and flags incomplete days', () => {
    const readings = curve('2024-01-10', '2024-01-11', () => 1000).filter((r) => r.start !== '2024-01-11T12:00:00+01:00');
    const daily: Reading[] = ['2024-01-10', '2024-01-11'].map((day) => ({
      usagePoint: PDL,
      kind: 'daily_consumption',
      day,
      start: `${day}T00:00:00+01:00`,
      end: `${addDays(day, 1)}T00:00:00+01:00`,
      value: 24000 + (day === '2024-01-10' ? 7 : 0),
      unit: 'Wh',
    }));
    const r = buildTariffReport({
      from: '2024-01-10',
      to: '2024-01-11',
      curve: readings,
      daily,
      schedule: schedule('22h-6h'),
      prices: new PriceSchedule([]),
      plan: 'BASE',
      tz: TZ,
    });
    expect(r.days.map((d) => [d.date, d.total_wh, d.daily_wh, d.difference_wh, d.points, d.complete])).toEqual([
      ['2024-01-10', 24000, 24007, -7, 48, true],
      ['2024-01-11', 23500, 24000, -500, 47, false],
    ]);
    expect(r.months[0]).toMatchObject({ total_wh: 47500, daily_wh: 48007, difference_wh: -507, incomplete_days: 1, cost: null });
  });
});

describe('which plan wins over a known year (2023, both DST days included)', () => {
  const prices = new PriceSchedule([{ base: 251600n, hp: 270000n, hc: 206800n, subscriptionBase: 12440000n, subscriptionHphc: 12850000n }]);
  const year = (watts: (i: number, day: string) => number, plan: 'BASE' | 'HPHC') =>
    buildTariffReport({
      from: '2023-01-01',
      to: '2023-12-31',
      curve: curve('2023-01-01', '2023-12-31', watts),
      daily: [],
      schedule: schedule('HC (22H00-6H00)'),
      prices,
      plan,
      tz: TZ,
    });

  it('a flat 1 kW: HP/HC is cheaper by 18.44 €', () => {
    const r = year(() => 1000, 'BASE');
    expect(r.years).toEqual([
      expect.objectContaining({ period: '2023', days: 365, hp_wh: 5_840_000, hc_wh: 2_920_000, total_wh: 8_760_000 }),
    ]);
    // BASE 8760 × 0.2516 + 12 × 12.44 = 2204.016 + 149.28 = 2353.296; HP/HC 5840 × 0.27 + 2920 × 0.2068 + 12 × 12.85 = 2334.856.
    expect(r.comparison).toMatchObject({
      current_plan: 'BASE',
      other_plan: 'HPHC',
      days: 365,
      cost_current: 2353.3,
      cost_other: 2334.86,
      difference: -18.44,
      cheaper: 'HPHC',
    });
    expect(r.comparison.last_12_months).toMatchObject({
      from: '2023-01-01',
      to: '2023-12-31',
      days_with_curve: 365,
      days_in_period: 365,
      cost_base: 2353.3,
      cost_hphc: 2334.86,
      cheaper: 'HPHC',
      saving: 18.44,
    });
    expect(r.months).toHaveLength(12);
    expect(r.months.find((m) => m.period === '2023-03')).toMatchObject({ hc_wh: 31 * 8000 - 1000, total_wh: 31 * 24000 - 1000 });
    expect(r.months.find((m) => m.period === '2023-10')).toMatchObject({ hc_wh: 31 * 8000 + 1000, total_wh: 31 * 24000 + 1000 });
  });

  it('2 kW by day only (08h–20h): BASE is cheaper by 166.10 €', () => {
    const r = year((i) => (i >= 16 && i < 40 ? 2000 : 0), 'HPHC');
    // BASE 8760 × 0.2516 + 149.28 = 2353.296; HP/HC 8760 × 0.27 + 154.20 = 2519.40.
    expect(r.comparison).toMatchObject({
      current_plan: 'HPHC',
      cost_current: 2519.4,
      cost_other: 2353.3,
      difference: -166.1,
      cheaper: 'BASE',
    });
    expect(r.comparison.last_12_months).toMatchObject({ cheaper: 'BASE', saving: 166.1 });
  });
});

describe('settings', () => {
  const config = { fileSettings: {} as Record<string, unknown> };
  it('variables, config.json keys, and the windows the user gives win over the contract', () => {
    const s = resolveTariffSettings(
      config,
      {},
      { JEELINKY_OFFPEAK_HOURS: '23h00-07h00', JEELINKY_PRICE_HP: '0.27', JEELINKY_PRICE_HC: '0.2068', JEELINKY_CURRENT_PLAN: 'HP/HC' },
    );
    expect(s.currentPlan).toBe('HPHC');
    expect(s.prices.at('2024-01-01')).toMatchObject({ hp: 270000n, hc: 206800n });
    const choice = chooseSchedule(s, { usagePoint: PDL, offpeakHours: 'HC (22H00-6H00)', fetchedAt: '' });
    expect(choice.source).toBe('settings');
    expect(choice.schedule.at('2024-01-01')!.set.ranges).toEqual([
      [0, 420],
      [1380, 1440],
    ]);
    const file = resolveTariffSettings(
      {
        fileSettings: {
          offpeakHoursHistory: [{ from: '2024-01-01', windows: '22h-6h' }],
          pricesHistory: [{ from: '2024-01-01', base: 0.2516 }],
        },
      },
      {},
      {},
    );
    expect(file.offpeakOverride).toHaveLength(1);
    expect(file.prices.at('2024-06-01').base).toBe(251600n);
    expect(() => resolveTariffSettings(config, {}, { JEELINKY_CURRENT_PLAN: 'EJP' })).toThrow(
      /JEELINKY_CURRENT_PLAN="EJP": the plan is BASE, HPHC \("HP\/HC" works too\) or TEMPO/,
    );
    expect(parsePlan('x', 'base')).toBe('BASE');
  });

  it('the contract windows, with a note when the tariff changed inside the range', () => {
    const choice = chooseSchedule(
      { prices: new PriceSchedule([]) },
      { usagePoint: PDL, offpeakHours: 'HC (1H30-7H30;13H30-15H30)', lastTariffChangeDate: '2024-06-14', fetchedAt: '' },
      { from: '2024-01-01', to: '2024-12-31' },
    );
    expect(choice.source).toBe('contract');
    expect(choice.notes.join()).toMatch(/changed on 2024-06-14/);
    expect(chooseSchedule({ prices: new PriceSchedule([]) }, undefined).source).toBe('none');
  });
});

// The local-day helpers the fixtures rely on.
it('fixture sanity: a curve day starts at local midnight', () => {
  expect(localDay(Date.parse(curve('2024-07-01', '2024-07-01', () => 1)[0]!.start), TZ)).toBe('2024-07-01');
});
