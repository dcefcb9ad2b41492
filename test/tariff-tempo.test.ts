/**
 * Tempo: the 06:00 → 06:00 split into six sub-counters checked against an independent
 * minute-by-minute walk over local wall times (moment-timezone), on both DST days, across a change
 * of colour, on the first and last day of a season, with hourly points straddling 06:00 and 22:00;
 * the prices and settings; the three-plan comparison against a month computed by hand; then
 * `jeelinky tariff --plan TEMPO --json` as a child process over the Enedis simulator.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import moment from 'moment-timezone';
import { afterEach, describe, expect, it } from 'vitest';
import type { Reading } from '../plugin/readings.js';
import {
  buildTariffReport,
  OffpeakSchedule,
  parseOffpeakHours,
  parsePlan,
  parsePricesHistory,
  PriceSchedule,
  resolveTariffSettings,
  splitTempo,
  TEMPO_SLOTS,
  tempoDayLengthMs,
  toWh,
  type TempoSubtotals,
} from '../plugin/tariff/index.js';
import type { ColourOf, TempoColour } from '../plugin/tempo/colours.js';
import { addDays, dayStart, eachDay, isoInZone } from '../plugin/time/local.js';
import { shiftedSeasonDays, startTempoSimulator, type TempoSimulator } from '../simulators/tempo.js';
import { cliEnv, harness, PDL, ROOT, runCli, tempDir, type Harness } from './support/core.js';
import { ALL_PLAN_PRICES } from './support/prices.js';

const TZ = 'Europe/Paris';
const MIN = 60_000;

/** Readings `step` minutes long from `first` (an instant) up to `end`, value = watts(i). */
function readingsFrom(first: number, end: number, step: number, watts: (i: number) => number): Reading[] {
  const out: Reading[] = [];
  for (let t = first, i = 0; t < end; t += step * MIN, i++) {
    const value = watts(i);
    out.push({
      usagePoint: PDL,
      kind: 'load_curve',
      day: moment.tz(t, TZ).format('YYYY-MM-DD'),
      start: isoInZone(t, TZ),
      end: isoInZone(t + step * MIN, TZ),
      value,
      unit: 'W',
      energyWh: (value * step) / 60,
    });
  }
  return out;
}

/** The load curve of local calendar days [from; to]. */
const curve = (from: string, to: string, watts: (i: number) => number, step = 30) =>
  readingsFrom(dayStart(from, TZ).valueOf(), dayStart(addDays(to, 1), TZ).valueOf(), step, watts);

/** Every half-hour a different power, so a piece put in the wrong slot shows. */
const ramp = (i: number) => 100 + 7 * (i % 97);

/**
 * The independent computation: every minute of every reading, its wall-clock time read by
 * moment-timezone; before 06:00 it belongs to the Tempo day of the date before; HC from 22:00 to
 * 06:00. Energy in mW·ms (W × 1000 × 60 000 per minute), exact.
 */
function walk(readings: Reading[], colourOf: ColourOf): { days: Map<string, { hp: bigint; hc: bigint }>; slots: TempoSubtotals } {
  const days = new Map<string, { hp: bigint; hc: bigint }>();
  const slots: TempoSubtotals = { BLUE_HP: 0n, BLUE_HC: 0n, WHITE_HP: 0n, WHITE_HC: 0n, RED_HP: 0n, RED_HC: 0n, unknown: 0n, total: 0n };
  for (const r of readings) {
    const perMinute = BigInt(r.value * 1000) * 60_000n;
    for (let t = Date.parse(r.start); t < Date.parse(r.end); t += MIN) {
      const wall = moment.tz(t, TZ);
      const tempoDay = wall.hours() < 6 ? wall.clone().subtract(1, 'day').format('YYYY-MM-DD') : wall.format('YYYY-MM-DD');
      const hc = wall.hours() >= 22 || wall.hours() < 6;
      const d = days.get(tempoDay) ?? { hp: 0n, hc: 0n };
      if (hc) d.hc += perMinute;
      else d.hp += perMinute;
      days.set(tempoDay, d);
      const colour = colourOf(tempoDay);
      if (colour) slots[`${colour}_${hc ? 'HC' : 'HP'}`] += perMinute;
      else slots.unknown += perMinute;
      slots.total += perMinute;
    }
  }
  return { days, slots };
}

const curveTotal = (readings: Reading[]) =>
  readings.reduce((a, r) => a + BigInt(r.value * 1000) * BigInt(Date.parse(r.end) - Date.parse(r.start)), 0n);
const calendar =
  (entries: Record<string, TempoColour>, fallback?: TempoColour): ColourOf =>
  (day) =>
    entries[day] ?? fallback;
const sixPlusUnknown = (s: TempoSubtotals) => TEMPO_SLOTS.reduce((a, k) => a + s[k], 0n) + s.unknown;

/** The split equals the walk day by day and slot by slot, and the sums equal the curve total. */
function expectSplitMatchesWalk(readings: Reading[], colourOf: ColourOf) {
  const split = splitTempo(readings, colourOf, TZ);
  const w = walk(readings, colourOf);
  expect(split.days.map((d) => d.day)).toEqual([...w.days.keys()].sort());
  for (const d of split.days) expect({ day: d.day, hp: d.hp, hc: d.hc }).toEqual({ day: d.day, ...w.days.get(d.day)! });
  expect(split.totals).toEqual(w.slots);
  expect(sixPlusUnknown(split.totals)).toBe(curveTotal(readings));
  expect(split.totals.total).toBe(curveTotal(readings));
  for (const group of [split.days.map((d) => d.subtotals), split.months.map((m) => m.subtotals), split.seasons.map((s) => s.subtotals)]) {
    expect(group.reduce((a, s) => a + sixPlusUnknown(s), 0n)).toBe(curveTotal(readings));
  }
  return split;
}

describe('the Tempo split (06:00 → 06:00) against a minute-by-minute walk', () => {
  it('spring change 2024-03-31: the Tempo day of 2024-03-30 lasts 23 h, its night 7 h of HC', () => {
    const readings = curve('2024-03-30', '2024-04-01', ramp);
    const split = expectSplitMatchesWalk(readings, calendar({}, 'BLUE'));
    expect(tempoDayLengthMs('2024-03-30', TZ)).toBe(23 * 3_600_000);
    const d = split.days.find((x) => x.day === '2024-03-30')!;
    expect(d.complete).toBe(true);
    expect(d.coveredMs).toBe(23 * 3_600_000);
    // At a constant 1000 W: 16 h of HP (16 kWh) and 22:00 → 02:00 + 03:00 → 06:00 = 7 h of HC.
    const flat = splitTempo(
      curve('2024-03-30', '2024-03-31', () => 1000),
      calendar({}, 'BLUE'),
      TZ,
    ).days.find((x) => x.day === '2024-03-30')!;
    expect([toWh(flat.hp), toWh(flat.hc)]).toEqual([16_000, 7_000]);
  });

  it('autumn change 2024-10-27: the Tempo day of 2024-10-26 lasts 25 h, its night 9 h of HC', () => {
    const readings = curve('2024-10-26', '2024-10-28', ramp);
    const split = expectSplitMatchesWalk(readings, calendar({}, 'WHITE'));
    expect(tempoDayLengthMs('2024-10-26', TZ)).toBe(25 * 3_600_000);
    expect(split.days.find((x) => x.day === '2024-10-26')!.complete).toBe(true);
    const flat = splitTempo(
      curve('2024-10-26', '2024-10-27', () => 1000),
      calendar({}, 'WHITE'),
      TZ,
    ).days.find((x) => x.day === '2024-10-26')!;
    expect([toWh(flat.hp), toWh(flat.hc)]).toEqual([16_000, 9_000]);
    expect(toWh(flat.subtotals.WHITE_HC)).toBe(9_000);
  });

  it('a RED day then a BLUE day: the night 22:00 → 06:00 after the red day is RED HC', () => {
    const colours = calendar({ '2024-01-08': 'RED', '2024-01-09': 'BLUE', '2024-01-07': 'WHITE' });
    const readings = curve('2024-01-08', '2024-01-09', ramp);
    const split = expectSplitMatchesWalk(readings, colours);
    // At 1000 W over calendar days 8 and 9: 00:00–06:00 on the 8th is the WHITE day of the 7th;
    // the red day gets 06:00–22:00 (16 kWh HP) and 22:00 → 06:00 on the 9th (8 kWh HC);
    // the blue day gets 06:00–22:00 and 22:00–24:00 of the 9th (the rest of its night is not in the curve).
    const flat = splitTempo(
      curve('2024-01-08', '2024-01-09', () => 1000),
      colours,
      TZ,
    );
    expect(flat.totals).toMatchObject({
      WHITE_HP: 0n,
      RED_HP: 16_000n * 3_600_000_000n,
      RED_HC: 8_000n * 3_600_000_000n,
      BLUE_HP: 16_000n * 3_600_000_000n,
      BLUE_HC: 2_000n * 3_600_000_000n,
      unknown: 0n,
    });
    expect(toWh(flat.totals.WHITE_HC)).toBe(6_000);
    expect(split.days.map((d) => [d.day, d.colour, d.complete])).toEqual([
      ['2024-01-07', 'WHITE', false],
      ['2024-01-08', 'RED', true],
      ['2024-01-09', 'BLUE', false],
    ]);
  });

  it('first and last day of a season: 2023-09-01 and 2024-08-31, their nights in the right season', () => {
    const colours = calendar({}, 'BLUE');
    const start = expectSplitMatchesWalk(curve('2023-08-31', '2023-09-02', ramp), colours);
    expect(start.seasons.map((s) => [s.period, s.days])).toEqual([
      ['2022-2023', 2], // the Tempo days of 30 August (its night) and 31 August
      ['2023-2024', 2], // 1 and 2 September
    ]);
    const end = expectSplitMatchesWalk(curve('2024-08-30', '2024-09-01', ramp), colours);
    expect(end.seasons.map((s) => [s.period, s.days])).toEqual([
      ['2023-2024', 3], // 29 August's night, 30 and 31 August (its night runs to 1 September 06:00)
      ['2024-2025', 1],
    ]);
    // The night of 31 August → 1 September belongs to the 2023-2024 season: 00:00–06:00 of 1 September is in it.
    const flat = splitTempo(
      curve('2024-09-01', '2024-09-01', () => 600),
      colours,
      TZ,
    );
    expect(flat.seasons.map((s) => [s.period, toWh(s.subtotals.total)])).toEqual([
      ['2023-2024', 3_600], // 6 h × 600 W
      ['2024-2025', 10_800], // 18 h × 600 W
    ]);
  });

  it('hourly points on the half hour straddle 06:00 and 22:00: split pro rata, exactly', () => {
    const colours = calendar({ '2024-02-05': 'RED', '2024-02-06': 'WHITE' }, 'BLUE');
    // 00:30 → 01:30, …, 05:30 → 06:30, …, 21:30 → 22:30, …
    const readings = readingsFrom(
      dayStart('2024-02-06', TZ).valueOf() + 30 * MIN,
      dayStart('2024-02-08', TZ).valueOf() + 30 * MIN,
      60,
      (i) => 1200 + 60 * i,
    );
    const split = expectSplitMatchesWalk(readings, colours);
    // Reading 05:30 → 06:30 on the 6th (i = 5, 1500 W): 750 Wh HC of the RED 5th, 750 Wh HP of the WHITE 6th.
    const one = splitTempo([readings[5]!], colours, TZ);
    expect(one.days.map((d) => [d.day, toWh(d.hp), toWh(d.hc)])).toEqual([
      ['2024-02-05', 0, 750],
      ['2024-02-06', 750, 0],
    ]);
    expect(toWh(one.totals.RED_HC)).toBe(750);
    expect(toWh(one.totals.WHITE_HP)).toBe(750);
    // Reading 21:30 → 22:30 (i = 21, 2460 W): 1230 Wh HP and 1230 Wh HC, both of the WHITE 6th.
    const two = splitTempo([readings[21]!], colours, TZ);
    expect(two.days.map((d) => [d.day, toWh(d.hp), toWh(d.hc)])).toEqual([['2024-02-06', 1230, 1230]]);
    // Readings split pro rata with a piece in the Tempo day of the 6th: 05:30 → 06:30 and 21:30 → 22:30
    // on the 6th, 05:30 → 06:30 on the 7th (its first half is the 6th's night).
    expect(split.days.find((d) => d.day === '2024-02-06')!.proRata).toBe(3);
  });

  it('a day without colour keeps its energy in `unknown`: reported, never dropped', () => {
    const colours = calendar({ '2024-01-07': 'BLUE', '2024-01-09': 'BLUE' });
    const split = expectSplitMatchesWalk(
      curve('2024-01-08', '2024-01-09', () => 500),
      colours,
    );
    expect(toWh(split.totals.unknown)).toBe(12_000); // the whole Tempo day of the 8th, 24 h × 500 W
    expect(split.months[0]).toMatchObject({ period: '2024-01', daysWithoutColour: 1, daysByColour: { BLUE: 2, WHITE: 0, RED: 0 } });
  });
});

describe('Tempo prices and settings', () => {
  it('six prices and a subscription from variables, config.json and the dated history; plan TEMPO', () => {
    const env = {
      JEELINKY_PRICE_TEMPO_BLUE_HP: '0.1609',
      JEELINKY_PRICE_TEMPO_BLUE_HC: '0,1296',
      JEELINKY_PRICE_TEMPO_WHITE_HP: '0.1894',
      JEELINKY_PRICE_TEMPO_WHITE_HC: '0.1486',
      JEELINKY_PRICE_TEMPO_RED_HP: '0.7562',
      JEELINKY_PRICE_TEMPO_RED_HC: '0.1568',
      JEELINKY_SUBSCRIPTION_TEMPO: '12.96',
      JEELINKY_PRICES_HISTORY: '[{"from":"2025-02-01","tempo_red_hp":"0.6468","subscription_tempo":13.23}]',
      JEELINKY_CURRENT_PLAN: 'tempo',
    };
    const s = resolveTariffSettings({ fileSettings: {} }, {}, env);
    expect(s.currentPlan).toBe('TEMPO');
    expect(s.prices.at('2024-06-01')).toMatchObject({
      tempoBlueHp: 160900n,
      tempoBlueHc: 129600n,
      tempoWhiteHp: 189400n,
      tempoWhiteHc: 148600n,
      tempoRedHp: 756200n,
      tempoRedHc: 156800n,
      subscriptionTempo: 12_960_000n,
    });
    expect(s.prices.at('2025-02-01')).toMatchObject({ tempoRedHp: 646800n, tempoBlueHp: 160900n, subscriptionTempo: 13_230_000n });
    const file = resolveTariffSettings({ fileSettings: { priceTempoRedHc: '0.1568', subscriptionTempo: 12.96 } }, {}, {});
    expect(file.prices.at('2024-01-01')).toMatchObject({ tempoRedHc: 156800n, subscriptionTempo: 12_960_000n });
    expect(file.prices.hasTempo()).toBe(true);
    expect(parsePlan('--plan', 'Tempo')).toBe('TEMPO');
    expect(() => parsePlan('--plan', 'EJP')).toThrow(/BASE, HPHC \("HP\/HC" works too\) or TEMPO/);
    expect(() => parsePricesHistory('JEELINKY_PRICES_HISTORY', '[{"tempo_pink_hp":"1"}]')).toThrow(
      /unknown key "tempo_pink_hp"; keys are .*tempo_red_hc, subscription_tempo/,
    );
    expect(() => resolveTariffSettings({ fileSettings: {} }, {}, { JEELINKY_PRICE_TEMPO_RED_HP: '0.75€' })).toThrow(
      /JEELINKY_PRICE_TEMPO_RED_HP="0.75€" is not a price/,
    );
  });
});

describe('BASE vs HP/HC vs TEMPO on a month computed by hand (January 2024, 500 W all the time)', () => {
  const prices = new PriceSchedule(
    parsePricesHistory(
      'test',
      JSON.stringify([
        {
          base: '0.2516',
          hp: '0.2700',
          hc: '0.2068',
          subscription_base: '12.44',
          subscription_hphc: '12.85',
          tempo_blue_hp: '0.1609',
          tempo_blue_hc: '0.1296',
          tempo_white_hp: '0.1894',
          tempo_white_hc: '0.1486',
          tempo_red_hp: '0.7562',
          tempo_red_hc: '0.1568',
          subscription_tempo: '12.96',
        },
      ]),
    ),
  );
  const colours: Record<string, TempoColour> = {
    '2024-01-08': 'RED',
    '2024-01-09': 'RED',
    '2024-01-10': 'RED',
    '2024-01-15': 'WHITE',
    '2024-01-16': 'WHITE',
  };
  const report = (colourOf: ColourOf, plan: 'BASE' | 'TEMPO' = 'BASE') =>
    buildTariffReport({
      from: '2024-01-01',
      to: '2024-01-31',
      curve: curve('2024-01-01', '2024-01-31', () => 500),
      daily: [],
      schedule: new OffpeakSchedule([{ set: parseOffpeakHours('22h00-06h00'), source: 'test' }]),
      prices,
      plan,
      tz: TZ,
      colourOf,
    });

  it('the six sub-counters, the three costs, the cheapest, the red share', () => {
    const r = report(calendar(colours, 'BLUE'));
    const t = r.tempo!;
    // 500 W = 0.5 kWh per hour. The curve is the 31 calendar days of January = 372 kWh.
    // Tempo days: 31 Dec gets 00:00–06:00 of 1 Jan (3 kWh HC, BLUE); 1–30 Jan are whole (8 kWh HP + 4 kWh HC);
    // 31 Jan has 06:00–24:00 only (8 kWh HP + 1 kWh HC). RED: 8, 9, 10; WHITE: 15, 16; the other 26 days BLUE.
    // BLUE HP = 26 × 8 = 208; BLUE HC = 3 + 25 × 4 + 1 = 104; WHITE 16 / 8; RED 24 / 12 (kWh).
    expect(t.totals).toEqual({
      blue_hp_wh: 208_000,
      blue_hc_wh: 104_000,
      white_hp_wh: 16_000,
      white_hc_wh: 8_000,
      red_hp_wh: 24_000,
      red_hc_wh: 12_000,
      unknown_wh: 0,
      total_wh: 372_000,
    });
    expect(t.months.map((m) => [m.period, m.days, m.blue_days, m.white_days, m.red_days, m.blue_hc_wh])).toEqual([
      ['2023-12', 1, 1, 0, 0, 3_000],
      ['2024-01', 31, 26, 2, 3, 101_000],
    ]);
    expect(t.seasons.map((s) => [s.period, s.total_wh])).toEqual([['2023-2024', 372_000]]);
    const c = t.comparison;
    expect(c).toMatchObject({ days_with_curve: 31, compared_days: 31, days_without_colour: 0, partial: false, unknown_wh: 0 });
    // BASE:  372 × 0.2516 = 93.5952, + 12.44 (a whole month) = 106.0352 → 106.04
    expect(c.cost_base).toBe(106.04);
    // HP/HC (22:00–06:00 on calendar days): HP 31 × 8 = 248, HC 31 × 4 = 124;
    //        248 × 0.27 = 66.96; 124 × 0.2068 = 25.6432; + 12.85 = 105.4532 → 105.45
    expect(c.cost_hphc).toBe(105.45);
    // TEMPO: 208 × 0.1609 = 33.4672; 104 × 0.1296 = 13.4784; 16 × 0.1894 = 3.0304; 8 × 0.1486 = 1.1888;
    //        24 × 0.7562 = 18.1488; 12 × 0.1568 = 1.8816; energy 71.1952, + 12.96 = 84.1552 → 84.16
    expect(c.cost_tempo).toBe(84.16);
    expect(c.cheapest).toBe('TEMPO');
    // 106.0352 − 84.1552 = 21.88; 105.4532 − 84.1552 = 21.298 → 21.30
    expect(c.tempo_saving_vs_base).toBe(21.88);
    expect(c.tempo_saving_vs_hphc).toBe(21.3);
    // Red: 36 kWh of 372 = 0.096774… → 0.0968; red cost 18.1488 + 1.8816 = 20.0304 → 20.03, of 84.1552 = 0.23802… → 0.238
    expect(c).toMatchObject({ red_days: 3, red_wh: 36_000, red_energy_share: 0.0968, red_cost: 20.03, red_cost_share: 0.238 });
    // The existing fields keep their meaning; days and months gain cost_tempo.
    expect(r.comparison.last_12_months).toMatchObject({ cost_base: 106.04, cost_hphc: 105.45, cheaper: 'HPHC' });
    expect(r.months[0]).toMatchObject({ period: '2024-01', cost: 106.04, cost_base: 106.04, cost_hphc: 105.45, cost_tempo: 84.16 });
    // 8 January at 500 W: 00:00–06:00 is the BLUE night of the 7th (3 kWh × 0.1296 = 0.3888), 06:00–22:00 RED HP
    // (8 × 0.7562 = 6.0496), 22:00–24:00 RED HC (1 × 0.1568 = 0.1568), + 12.96 / 31 = 0.418064…: 7.013264… → 7.01
    expect(r.days.find((d) => d.date === '2024-01-08')).toMatchObject({
      cost: r.days.find((d) => d.date === '2024-01-08')!.cost_base,
      cost_tempo: 7.01,
    });
    // The red Tempo day of the 8th: 8 × 0.7562 + 4 × 0.1568 = 6.6768, + 0.418064… = 7.094864… → 7.09
    expect(t.days.find((d) => d.date === '2024-01-08')).toMatchObject({
      colour: 'RED',
      hp_wh: 8_000,
      hc_wh: 4_000,
      complete: true,
      cost: 7.09,
    });
  });

  it('with TEMPO as the current plan, `cost` is the Tempo cost', () => {
    const r = report(calendar(colours, 'BLUE'), 'TEMPO');
    expect(r.months[0]).toMatchObject({ cost: 84.16, cost_tempo: 84.16 });
    expect(r.comparison).toMatchObject({
      current_plan: 'TEMPO',
      other_plan: 'HPHC',
      cost_current: 84.16,
      cost_other: 105.45,
      cheaper: 'TEMPO',
    });
  });

  it('a day without colour makes the Tempo figures partial, and says how many days; nothing is guessed', () => {
    const lacking: ColourOf = (day) => (day === '2024-01-15' ? undefined : (colours[day] ?? 'BLUE'));
    const p = report(lacking).tempo!;
    expect(p).toMatchObject({ days_without_colour: 1, partial: true, unknown_wh: 12_000 });
    // The Tempo day of the 15th spans calendar days 15 (06:00 →) and 16 (→ 06:00): both leave the comparison.
    expect(p.comparison).toMatchObject({
      days_with_curve: 31,
      compared_days: 29,
      days_without_colour: 1,
      partial: true,
      unknown_wh: 12_000,
    });
    // BASE over the 29 compared days: 29 × 12 × 0.2516 = 87.5568, + 12.44 × 29 / 31 = 11.637419… → 99.194219… → 99.19
    expect(p.comparison.cost_base).toBe(99.19);
    expect(p.months.find((m) => m.period === '2024-01')).toMatchObject({ days_without_colour: 1, partial: true, unknown_wh: 12_000 });
    expect(p.days.find((d) => d.date === '2024-01-15')).toMatchObject({ colour: null, cost: null, total_wh: 12_000 });
    expect(report(lacking).days.find((d) => d.date === '2024-01-15')!.cost_tempo).toBeNull();
  });
});

describe('jeelinky tariff --plan TEMPO (child process, Enedis simulator, RTE simulator)', () => {
  let h: Harness | undefined;
  let rte: TempoSimulator | undefined;
  afterEach(async () => {
    await h?.close();
    await rte?.close();
    h = undefined;
    rte = undefined;
  });

  const PRICES = ALL_PLAN_PRICES;

  it('--json: the six sub-counters of the served curve equal a minute-by-minute walk; the comparison; the old fields stay', async () => {
    h = await harness('2024-11-05T10:00:00+01:00', { meters: [{ usagePoint: PDL, offpeakHours: 'HC (22H00-6H00)', intervalMinutes: 30 }] });
    await h.pairNow();
    expect((await h.run({ fetchKinds: ['daily_consumption', 'load_curve'], since: '2024-10-26' })).exitCode).toBe(0);
    // 27 October (the autumn change) is RED, its 25-hour night too; RTE's answer lacks 28 October.
    const colours: Record<string, TempoColour> = {
      '2024-10-25': 'BLUE',
      '2024-10-26': 'BLUE',
      '2024-10-27': 'RED',
      '2024-10-28': 'BLUE',
      '2024-10-29': 'WHITE',
      '2024-10-30': 'BLUE',
      '2024-10-31': 'BLUE',
      '2024-11-01': 'BLUE',
      '2024-11-02': 'BLUE',
      '2024-11-03': 'BLUE',
    };
    rte = await startTempoSimulator({ days: colours, missing: ['2024-10-28'] });
    // The default source (RTE open data), pointed at the simulator: the colours come from the real calendar code.
    const env = cliEnv(h.sim, h.config.stateDir, { ...PRICES, JEELINKY_TEMPO_URL: rte.url });
    const r = await runCli(['tariff', '--since', '2024-10-27', '--until', '2024-11-03', '--plan', 'TEMPO', '--json'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    // One request per season touched (the comparison's 12 months reach back into 2023-2024).
    expect(rte.log).toEqual(['GET /cms/open_data/v1/tempo?season=2023-2024', 'GET /cms/open_data/v1/tempo?season=2024-2025']);
    expect(out.tempo_calendar).toMatchObject({ source: 'rte', calls: 2, error: null });
    expect(out.tempo_calendar.days_without_colour).toBeGreaterThan(300);
    expect(out.current_plan).toBe('TEMPO');
    expect(Object.keys(out)).toEqual(expect.arrayContaining(['days', 'months', 'years', 'comparison', 'tempo', 'prices']));
    expect(out.prices[0]).toMatchObject({ base: '0.2516', tempoRedHp: '0.7562', subscriptionTempo: '12.96' });

    // The walk over what the simulator serves (points are labelled by their END instant).
    const served: Reading[] = [];
    for (const day of eachDay('2024-10-27', '2024-11-04')) {
      for (const p of h.sim.expectedValue('load_curve', PDL, day)) {
        const end = Date.parse(p.instantIso);
        served.push({
          usagePoint: PDL,
          kind: 'load_curve',
          day,
          start: isoInZone(end - 30 * MIN, TZ),
          end: isoInZone(end, TZ),
          value: p.value,
          unit: 'W',
        });
      }
    }
    const colourOf: ColourOf = (d) => (d === '2024-10-28' ? undefined : colours[d]);
    const w = walk(served, colourOf);
    const t = out.tempo;
    expect(t.totals).toEqual({
      blue_hp_wh: toWh(w.slots.BLUE_HP),
      blue_hc_wh: toWh(w.slots.BLUE_HC),
      white_hp_wh: toWh(w.slots.WHITE_HP),
      white_hc_wh: toWh(w.slots.WHITE_HC),
      red_hp_wh: toWh(w.slots.RED_HP),
      red_hc_wh: toWh(w.slots.RED_HC),
      unknown_wh: toWh(w.slots.unknown),
      total_wh: toWh(w.slots.total),
    });
    expect(t.totals.total_wh).toBeCloseTo(
      out.days.reduce((a: number, d: { total_wh: number }) => a + d.total_wh, 0),
      2,
    );
    const red = t.days.find((d: { date: string }) => d.date === '2024-10-27');
    expect(red).toMatchObject({
      colour: 'RED',
      complete: true,
      hp_wh: toWh(w.days.get('2024-10-27')!.hp),
      hc_wh: toWh(w.days.get('2024-10-27')!.hc),
    });
    expect(t.days.find((d: { date: string }) => d.date === '2024-10-28')).toMatchObject({ colour: null, cost: null });
    expect(t).toMatchObject({ days_without_colour: 1, partial: true });
    expect(t.comparison).toMatchObject({ partial: true, days_without_colour: 1 });
    expect(t.comparison.cheapest).toMatch(/^(BASE|HPHC|TEMPO|equal)$/);
    // `cost` follows the current plan (TEMPO); the day of the 28th and the 29th touch the colourless day.
    for (const d of out.days) expect(d.cost).toBe(d.cost_tempo);
    expect(out.days.find((d: { date: string }) => d.date === '2024-10-29').cost).toBeNull();
    expect(out.notes.join('\n')).toMatch(/Tempo: 1 day\(s\) have no known colour/);

    const text = await runCli(['tariff', '--since', '2024-10-27', '--until', '2024-11-03', '--plan', 'TEMPO'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/B\/W\/R days/);
    expect(text.stdout).toMatch(/Tempo days run 06:00 → 06:00/);
    expect(text.stdout).toMatch(/Red days: 1, \d+\.\d % of the energy/);

    const base = await runCli(['tariff', '--since', '2024-10-27', '--until', '2024-11-03', '--plan', 'BASE'], env);
    expect(base.stdout).toMatch(/With Tempo you would have paid \d+\.\d\d €: \d+\.\d\d € (less|more) than BASE/);
    // Colours once known are cached: the two later commands asked nothing again for them.
    expect(rte.requests.openData).toBeLessThanOrEqual(2 + 2);
  });

  it('the calendar file (JEELINKY_TEMPO_SOURCE=file) gives the colours, any spelling the file allows', async () => {
    h = await harness('2024-11-05T10:00:00+01:00', { meters: [{ usagePoint: PDL, offpeakHours: 'HC (22H00-6H00)', intervalMinutes: 30 }] });
    await h.pairNow();
    expect((await h.run({ fetchKinds: ['daily_consumption', 'load_curve'], since: '2024-10-26' })).exitCode).toBe(0);
    const file = path.join(tempDir(), 'tempo.json');
    writeFileSync(file, JSON.stringify({ '2024-10-26': 'BLEU', '2024-10-27': 'ROUGE', '2024-10-28': 'TEMPO_BLANC', '2024-10-29': '1' }));
    const env = cliEnv(h.sim, h.config.stateDir, { ...PRICES, JEELINKY_TEMPO_SOURCE: 'file', JEELINKY_TEMPO_FILE: file });
    const r = await runCli(['tariff', '--since', '2024-10-27', '--until', '2024-10-29', '--plan', 'TEMPO', '--json'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.tempo_calendar).toEqual({ source: 'file', calls: 0, days_without_colour: expect.any(Number), error: null });
    const colour = (d: string) => out.tempo.days.find((x: { date: string }) => x.date === d)?.colour;
    expect([colour('2024-10-26'), colour('2024-10-27'), colour('2024-10-28'), colour('2024-10-29')]).toEqual([
      'BLUE',
      'RED',
      'WHITE',
      'BLUE',
    ]);
    expect(out.tempo.days.find((x: { date: string }) => x.date === '2024-10-27').cost).toBeGreaterThan(0);
  });

  it('a bad calendar file or a calendar outage never fails tariff: a note, days without colour; a bad plan is exit 64', async () => {
    h = await harness('2024-11-05T10:00:00+01:00', { meters: [{ usagePoint: PDL, offpeakHours: 'HC (22H00-6H00)', intervalMinutes: 30 }] });
    await h.pairNow();
    expect((await h.run({ fetchKinds: ['daily_consumption', 'load_curve'], since: '2024-10-26' })).exitCode).toBe(0);
    const file = path.join(tempDir(), 'tempo.json');
    writeFileSync(file, '{"2024-10-27":"PURPLE"}');
    const range = ['--since', '2024-10-27', '--until', '2024-11-03', '--json'];
    const bad = await runCli(
      ['tariff', ...range],
      cliEnv(h.sim, h.config.stateDir, { ...PRICES, JEELINKY_TEMPO_SOURCE: 'file', JEELINKY_TEMPO_FILE: file }),
    );
    expect(bad.stderr).toBe('');
    expect(bad.code).toBe(0);
    const out = JSON.parse(bad.stdout);
    expect(out.tempo_calendar).toMatchObject({ source: 'file', error: { code: 'tempo_file' } });
    expect(out.tempo_calendar.error.message).toMatch(
      /JEELINKY_TEMPO_FILE: .*tempo\.json key "2024-10-27": "2024-10-27,PURPLE" is not a day and a colour/,
    );
    expect(out.notes.join('\n')).toMatch(
      /Tempo calendar \(file\) not available: JEELINKY_TEMPO_FILE: .*PURPLE.*; the days it did not give have no colour/,
    );
    // Every Tempo day touched by the curve (26 Oct's night … 3 Nov) is reported without colour; HP/HC figures stand.
    expect(out.tempo.days_without_colour).toBe(9);
    expect(out.tempo.cost).toBeNull();
    expect(out.days.every((d: { hp_wh: number | null }) => typeof d.hp_wh === 'number')).toBe(true);
    const missing = await runCli(
      ['tariff', ...range],
      cliEnv(h.sim, h.config.stateDir, { ...PRICES, JEELINKY_TEMPO_SOURCE: 'file', JEELINKY_TEMPO_FILE: `${file}.nope` }),
    );
    expect(missing.code).toBe(0);
    expect(JSON.parse(missing.stdout).notes.join('\n')).toMatch(/cannot read .*tempo\.json\.nope \(ENOENT\)/);
    // RTE down (HTTP 500 on every request): still exit 0, the outage in a note.
    rte = await startTempoSimulator({ days: {} });
    rte.fault = { kind: 'http500' };
    const down = await runCli(
      ['tariff', ...range],
      cliEnv(h.sim, h.config.stateDir, { ...PRICES, JEELINKY_TEMPO_URL: rte.url, JEELINKY_RETRY_BASE_MS: '1' }),
    );
    expect(down.code).toBe(0);
    const d = JSON.parse(down.stdout);
    expect(d.tempo_calendar.error).not.toBeNull();
    expect(d.notes.join('\n')).toMatch(/Tempo calendar \(rte\) not available: .*; the days it did not give have no colour/);
    expect(d.tempo.days_without_colour).toBe(9);
    expect(rte.requests.openData).toBeGreaterThan(0);
    expect(rte.requests.openData).toBeLessThan(20);
    const plan = await runCli(['tariff', '--plan', 'EJP'], cliEnv(h.sim, h.config.stateDir));
    expect(plan.code).toBe(64);
    expect(plan.stderr).toMatch(/--plan="EJP".*the plan is BASE, HPHC \("HP\/HC" works too\) or TEMPO/);
  });
});

describe('the demo: jeelinky demo --keep-state, then jeelinky tariff --plan TEMPO on its state (child processes)', () => {
  it('shows the six sub-counters and the three-plan comparison, with numbers, offline', async () => {
    const demo = await runCli(['demo', '--days', '20', '--keep-state'], {}, 120_000);
    expect(demo.code).toBe(0);
    const stateDir = /State kept in (\S+) /.exec(demo.stdout)?.[1];
    expect(stateDir).toBeTruthy();
    try {
      expect(demo.stdout).toMatch(/Tempo colours: \d+ days of DEMO colours \(RTE's 2021-2022 season moved onto these dates\)/);
      expect(demo.stdout).toContain(`Try Tempo: jeelinky tariff --plan TEMPO --state-dir ${stateDir}`);
      // Only loopback and the state: no JEELINKY_* at all, the simulators are gone.
      const r = await runCli(['tariff', '--plan', 'TEMPO', '--state-dir', stateDir!]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const n = String.raw`\d+\.\d{3}`;
      expect(r.stdout).toMatch(/Tempo\s+B\/W\/R days\s+blue HP\s+blue HC\s+white HP\s+white HC\s+red HP\s+red HC/);
      // The season row: six sub-counters with numbers (not "—"), and a cost.
      expect(r.stdout).toMatch(
        new RegExp(String.raw`\n20\d\d-20\d\d\s+\d+/\d+/\d+\s+${n}\s+${n}\s+${n}\s+${n}\s+${n}\s+${n}\s+${n}\s+\d+\.\d\d\n`),
      );
      expect(r.stdout).toMatch(/Last 12 months \(\S+ → \S+\): BASE \d+\.\d\d € · HP\/HC \d+\.\d\d € · Tempo \d+\.\d\d €/);
      expect(r.stdout).toMatch(/Cheapest: (BASE|HP\/HC|Tempo|a tie)\n/);
      expect(r.stdout).not.toMatch(/contract not fetched|network error/);
      const json = JSON.parse((await runCli(['tariff', '--plan', 'TEMPO', '--state-dir', stateDir!, '--json'])).stdout);
      expect(json.tempo_calendar).toMatchObject({ source: 'file', calls: 0, error: null });
      expect(json.tempo.days_without_colour).toBe(0);
      expect(json.tempo.totals.total_wh).toBeGreaterThan(0);
    } finally {
      if (stateDir) rmSync(stateDir, { recursive: true, force: true });
    }
  }, 180_000);

  it('the demo colours are the 2021-2022 season moved by whole weeks (weekday and colour kept)', () => {
    const fixture = new Map(
      readFileSync(path.join(ROOT, 'test', 'fixtures', 'tempo', 'season-2021-2022.csv'), 'utf8')
        .split('\n')
        .filter((l) => /^\d/.test(l))
        .map((l) => l.split(',') as [string, TempoColour]),
    );
    const shifted = shiftedSeasonDays('2025-01-01', '2025-12-31');
    expect(shifted.size).toBe(365);
    for (const [day, colour] of shifted) {
      const steps = Math.round((Date.parse('2022-01-01') - Date.parse(day)) / (364 * 86_400_000));
      const candidates = [steps - 1, steps, steps + 1].map((k) => addDays(day, k * 364)).filter((d) => fixture.has(d) && d >= '2021-09-02');
      expect(candidates).toHaveLength(1);
      expect(colour).toBe(fixture.get(candidates[0]!));
      expect(new Date(day).getUTCDay()).toBe(new Date(candidates[0]!).getUTCDay());
    }
    // RTE's rule the real season keeps: never a red Sunday.
    expect([...shifted].filter(([d, c]) => c === 'RED' && new Date(d).getUTCDay() === 0)).toEqual([]);
  });
});
