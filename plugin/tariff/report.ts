/**
 * The tariff report: per day, month and year, the HP/HC split of the load curve checked against
 * the daily consumption, its cost under the current plan and under the other one, and which plan
 * is cheaper over the last 12 months. Pure: the caller reads the store and the settings.
 *
 * The shape is the `jeelinky tariff --json` contract documented in the README. With a Tempo
 * calendar (`colourOf`), the plan TEMPO or a Tempo price, the report gains `tempo` (tempo.ts's
 * TempoReport: the six sub-counters and the BASE vs HP/HC vs TEMPO comparison over the last 12
 * months) and `cost_tempo` on days and months; the other fields keep their meaning.
 */
import moment from 'moment-timezone';
import type { Reading } from '../readings.js';
import { eachDay, expectedPoints } from '../time/local.js';
import { toEuros, toWh, MWMS_PER_WH, type Exact } from './money.js';
import type { OffpeakSchedule } from './offpeak.js';
import { dayCosts, type Plan, type PriceSchedule } from './prices.js';
import { splitByDay, type DaySplit } from './split.js';
import { compareThreePlans, tempoCostsByCalendarDay, tempoReport, type CalendarDayTempo, type TempoReport } from './tempo.js';
import type { ColourOf } from '../tempo/colours.js';

export interface TariffInput {
  /** Days shown, inclusive. */
  from: string;
  to: string;
  /** Load-curve readings covering at least [min(from, to − 1 year + 1 day); to]. */
  curve: Reading[];
  /** Daily consumption readings over the same days. */
  daily: Reading[];
  schedule: OffpeakSchedule;
  prices: PriceSchedule;
  plan: Plan;
  tz: string;
  /** The Tempo calendar (colour of each Tempo day); days it does not know stay without colour. */
  colourOf?: ColourOf;
}

export interface TariffDay {
  date: string;
  hp_wh: number | null;
  hc_wh: number | null;
  total_wh: number;
  daily_wh: number | null;
  difference_wh: number | null;
  points: number;
  expected_points: number;
  complete: boolean;
  pro_rata_points: number;
  windows: string;
  cost: number | null;
  cost_base: number | null;
  cost_hphc: number | null;
  /** Only with the `tempo` section: the Tempo cost of this calendar day's curve (null: a colour or price missing). */
  cost_tempo?: number | null;
}

export interface TariffPeriod {
  /** `YYYY-MM` for months, `YYYY` for years. */
  period: string;
  days: number;
  days_without_curve: number;
  incomplete_days: number;
  hp_wh: number | null;
  hc_wh: number | null;
  total_wh: number;
  daily_wh: number | null;
  difference_wh: number | null;
  cost: number | null;
  cost_base: number | null;
  cost_hphc: number | null;
  /** Only with the `tempo` section (null when a day's colour or price is missing). */
  cost_tempo?: number | null;
}

export interface TariffComparison {
  current_plan: Plan;
  other_plan: Plan;
  from: string;
  to: string;
  days: number;
  cost_current: number | null;
  cost_other: number | null;
  /** cost_other − cost_current: positive when the current plan is the cheaper one. */
  difference: number | null;
  cheaper: Plan | 'equal' | null;
  last_12_months: {
    from: string;
    to: string;
    days_with_curve: number;
    days_in_period: number;
    cost_base: number | null;
    cost_hphc: number | null;
    cheaper: Plan | 'equal' | null;
    /** What the cheaper plan saves over the other, in €. */
    saving: number | null;
  };
}

export interface TariffReport {
  days: TariffDay[];
  months: TariffPeriod[];
  years: TariffPeriod[];
  comparison: TariffComparison;
  /** Present with a Tempo calendar, the plan TEMPO or a Tempo price. */
  tempo?: TempoReport;
}

interface DayExact {
  day: string;
  split?: DaySplit;
  daily?: number;
  base?: Exact;
  hphc?: Exact;
  /** The Tempo price of this calendar day's curve (when the Tempo section is on). */
  tempo?: CalendarDayTempo;
  complete: boolean;
  expected: number;
}

const wh = (v: bigint | undefined) => (v === undefined ? null : toWh(v));
const eur = (v: Exact | undefined) => (v === undefined ? null : toEuros(v));
/** Wh with 3 decimals, as numbers: differences are computed on exact milli-Wh. */
const diffWh = (total: bigint, daily: number) => toWh(total - BigInt(Math.round(daily * 1000)) * (MWMS_PER_WH / 1000n));

const costOf = (e: DayExact, p: Plan) => (p === 'BASE' ? e.base : p === 'HPHC' ? e.hphc : e.tempo?.cost);

function cheaperOf(base: Exact | undefined, hphc: Exact | undefined): Plan | 'equal' | null {
  if (base === undefined || hphc === undefined) return null;
  return base === hphc ? 'equal' : base < hphc ? 'BASE' : 'HPHC';
}

export function buildTariffReport(input: TariffInput): TariffReport {
  const { plan } = input;
  const tempoOn = Boolean(input.colourOf) || plan === 'TEMPO' || input.prices.hasTempo();
  const colourOf: ColourOf = input.colourOf ?? (() => undefined);
  const start12 = moment.utc(input.to, 'YYYY-MM-DD').subtract(1, 'year').add(1, 'day').format('YYYY-MM-DD');
  // The last 12 months may start before the days shown: priced from whichever comes first.
  const first = start12 < input.from ? start12 : input.from;
  const exact = exactDays(input, first, tempoOn, colourOf);
  const shown = exact.filter((e) => e.day >= input.from && (e.split || e.daily !== undefined));
  const last12 = exact.filter((e) => e.day >= start12);
  const tempo = tempoOn ? tempoSection(input, colourOf, last12, start12) : undefined;
  return {
    days: shown.map((e) => dayRow(e, plan, tempoOn)),
    months: byPeriod(exact, input.from, (d) => d.slice(0, 7), plan, tempoOn),
    years: byPeriod(exact, input.from, (d) => d.slice(0, 4), plan, tempoOn),
    comparison: comparePlans(exact, last12, input, start12),
    ...(tempo ? { tempo } : {}),
  };
}

/** Each day of [first; input.to], oldest first: its split, daily value, completeness and exact cost under each plan. */
function exactDays(input: TariffInput, first: string, tempoOn: boolean, colourOf: ColourOf): DayExact[] {
  const { tz } = input;
  const splits = new Map(splitByDay(input.curve, input.schedule, input.tz).map((s) => [s.day, s]));
  const tempoByDay = tempoOn ? tempoCostsByCalendarDay(input.curve, colourOf, input.prices, tz) : new Map<string, CalendarDayTempo>();
  const dailyByDay = new Map<string, number>();
  for (const r of input.daily) if (r.kind === 'daily_consumption') dailyByDay.set(r.day, r.value);
  const exact: DayExact[] = [];
  for (const day of eachDay(first, moment.utc(input.to, 'YYYY-MM-DD').add(1, 'day').format('YYYY-MM-DD'))) {
    const split = splits.get(day);
    const e: DayExact = { day, split, daily: dailyByDay.get(day), complete: false, expected: expectedPoints(day, tz, 30) };
    if (split) {
      const step = split.intervalMinutes.length === 1 ? split.intervalMinutes[0]! : 30;
      e.expected = expectedPoints(day, tz, step);
      e.complete = split.points >= e.expected;
      const costs = dayCosts({ day, hp: split.hp, hc: split.hc, hasWindows: split.windows !== '' }, input.prices.at(day));
      e.base = costs.BASE;
      e.hphc = costs.HPHC;
      e.tempo = tempoByDay.get(day);
    }
    exact.push(e);
  }
  return exact;
}

function dayRow(e: DayExact, plan: Plan, tempoOn: boolean): TariffDay {
  const s = e.split;
  const hasWindows = Boolean(s && s.windows !== '');
  return {
    date: e.day,
    hp_wh: s && hasWindows ? toWh(s.hp) : null,
    hc_wh: s && hasWindows ? toWh(s.hc) : null,
    total_wh: s ? toWh(s.total) : 0,
    daily_wh: e.daily ?? null,
    difference_wh: s && e.daily !== undefined ? diffWh(s.total, e.daily) : null,
    points: s?.points ?? 0,
    expected_points: e.expected,
    complete: e.complete,
    pro_rata_points: s?.proRata ?? 0,
    windows: s?.windows ?? '',
    cost: eur(costOf(e, plan)),
    cost_base: eur(e.base),
    cost_hphc: eur(e.hphc),
    ...(tempoOn ? { cost_tempo: eur(e.tempo?.cost) } : {}),
  };
}

/** The days from `from` on, grouped by `key` (month or year), each group summarized. */
function byPeriod(exact: DayExact[], from: string, key: (day: string) => string, plan: Plan, tempoOn: boolean): TariffPeriod[] {
  const groups = new Map<string, DayExact[]>();
  for (const e of exact) {
    if (e.day < from) continue;
    const k = key(e.day);
    const g = groups.get(k) ?? [];
    g.push(e);
    groups.set(k, g);
  }
  return [...groups].map(([period, list]) => summarize(period, list, plan, tempoOn));
}

/** The cost under `p` of the days with a curve; undefined when there is none or one lacks a price. */
function costOver(list: DayExact[], p: Plan): Exact | undefined {
  const costed = list.filter((e) => e.split);
  if (!costed.length || costed.some((e) => costOf(e, p) === undefined)) return undefined;
  return costed.reduce((a, e) => a + costOf(e, p)!, 0n);
}

function comparePlans(exact: DayExact[], last12: DayExact[], input: TariffInput, start12: string): TariffComparison {
  const { plan } = input;
  const inRange = exact.filter((e) => e.day >= input.from);
  // With TEMPO current, the legacy two-plan fields compare it with HP/HC (tempo.comparison has all three).
  const other: Plan = plan === 'HPHC' ? 'BASE' : 'HPHC';
  const cur = costOver(inRange, plan);
  const oth = costOver(inRange, other);
  const base12 = costOver(last12, 'BASE');
  const hphc12 = costOver(last12, 'HPHC');
  const cheaper12 = cheaperOf(base12, hphc12);
  return {
    current_plan: plan,
    other_plan: other,
    from: input.from,
    to: input.to,
    days: inRange.filter((e) => e.split).length,
    cost_current: eur(cur),
    cost_other: eur(oth),
    difference: cur !== undefined && oth !== undefined ? toEuros(oth - cur) : null,
    cheaper:
      plan === 'TEMPO'
        ? cur === undefined || oth === undefined
          ? null
          : cur === oth
            ? 'equal'
            : cur < oth
              ? 'TEMPO'
              : other
        : cheaperOf(plan === 'BASE' ? cur : oth, plan === 'BASE' ? oth : cur),
    last_12_months: {
      from: start12,
      to: input.to,
      days_with_curve: last12.filter((e) => e.split).length,
      days_in_period: last12.length,
      cost_base: eur(base12),
      cost_hphc: eur(hphc12),
      cheaper: cheaper12,
      saving: base12 !== undefined && hphc12 !== undefined ? toEuros(base12 > hphc12 ? base12 - hphc12 : hphc12 - base12) : null,
    },
  };
}

/** The `tempo` section: sub-counters of the days shown, BASE vs HP/HC vs TEMPO over the last 12 months. */
function tempoSection(input: TariffInput, colourOf: ColourOf, last12: DayExact[], start12: string): TempoReport {
  const compared = last12.filter((e) => e.split && e.tempo).map((e) => ({ day: e.day, base: e.base, hphc: e.hphc, tempo: e.tempo! }));
  const shownCurve = input.curve.filter((r) => r.day >= input.from && r.day <= input.to);
  return tempoReport(shownCurve, colourOf, input.prices, input.tz, compareThreePlans(compared, start12, input.to));
}

function summarize(period: string, list: DayExact[], plan: Plan, tempoOn: boolean): TariffPeriod {
  const withCurve = list.filter((e) => e.split);
  const allWindows = withCurve.length > 0 && withCurve.every((e) => e.split!.windows !== '');
  const hp = withCurve.reduce((a, e) => a + e.split!.hp, 0n);
  const hc = withCurve.reduce((a, e) => a + e.split!.hc, 0n);
  const both = withCurve.filter((e) => e.daily !== undefined);
  const dailyTotal = both.length ? both.reduce((a, e) => a + e.daily!, 0) : undefined;
  const curveOfBoth = both.reduce((a, e) => a + e.split!.total, 0n);
  const total = (p: Plan) => {
    if (!withCurve.length) return undefined;
    let acc = 0n;
    for (const e of withCurve) {
      const c = costOf(e, p);
      if (c === undefined) return undefined;
      acc += c;
    }
    return acc;
  };
  const base = total('BASE');
  const hphc = total('HPHC');
  const tempo = tempoOn ? total('TEMPO') : undefined;
  return {
    period,
    days: withCurve.length,
    days_without_curve: list.length - withCurve.length,
    incomplete_days: withCurve.filter((e) => !e.complete).length,
    hp_wh: allWindows ? wh(hp) : null,
    hc_wh: allWindows ? wh(hc) : null,
    total_wh: toWh(hp + hc),
    daily_wh: dailyTotal ?? null,
    difference_wh: dailyTotal !== undefined ? diffWh(curveOfBoth, dailyTotal) : null,
    cost: eur(plan === 'BASE' ? base : plan === 'HPHC' ? hphc : tempo),
    cost_base: eur(base),
    cost_hphc: eur(hphc),
    ...(tempoOn ? { cost_tempo: eur(tempo) } : {}),
  };
}
