/**
 * Tempo: the split of the load curve into the six Tempo sub-counters, their costs, and the
 * comparison BASE vs HP/HC vs TEMPO. Pure: no I/O (the colours come in as a `ColourOf`, the
 * readings and prices from the caller).
 *
 * The 06:00 rule. A Tempo day runs from 06:00 to 06:00 local time and is named by the date it
 * starts on: the night 22:00 → 06:00 is HC of the day that started at 06:00 the evening before
 * (a RED day's night is RED even when the next day is BLUE). HP is 06:00–22:00, HC 22:00–06:00.
 * The Tempo day holding the spring change lasts 23 h, the autumn one 25 h: each instant is placed
 * by its wall-clock time with the offset in force at that instant (split.ts's `offpeakMs`, which
 * the HP/HC split uses too), so nothing is special-cased. A reading straddling 06:00 or 22:00
 * (hourly meters, odd windows) is split pro rata of its time, like the HP/HC split.
 *
 * Exactness. Energy is in mW·ms (bigint, money.ts): a reading of W watts over d ms is W·1000·d,
 * and its pieces are W·1000·(ms of each piece); the pieces partition the interval, so every
 * sum (day, month, season, the six sub-totals plus `unknown`) equals the curve total exactly.
 *
 * Unknown colours. A day whose colour is not known (calendar not published, source down) keeps its
 * energy in `unknown`: never dropped, never guessed. Costs leave such days out and say how many.
 *
 * API for the sinks and the report (all pure):
 * - `splitTempo(readings, colourOf, tz)` → `TempoSplit`: per Tempo day (colour, HP, HC, the six
 *   sub-totals, completeness), per month and per season (`YYYY-MM`, `2023-2024`), and totals.
 * - `tempoDayCost(day, prices)`: one Tempo day's cost (its energy at its colour's prices plus the
 *   day's share of the Tempo subscription), `undefined` without colour or prices.
 * - `tempoPeriodCost(days, schedule)`: a sum of `tempoDayCost` over the days with a colour.
 * - `tempoCostsByCalendarDay(readings, colourOf, schedule, tz)`: the Tempo cost of the same energy
 *   BASE and HP/HC price per calendar day (what the three-plan comparison adds up).
 * - `compareThreePlans(days, from, to)` (days: `ComparedDay`, the BASE and HP/HC costs of each
 *   calendar day beside its `CalendarDayTempo`) → `TempoComparison` (the `tempo.comparison` of `tariff --json`).
 * - `tempoReport(...)` → `TempoReport`: the `tempo` object of `tariff --json` (snake_case, Wh, €).
 */
import { ConfigError } from '../errors.js';
import type { Reading } from '../readings.js';
import { seasonOf, type ColourOf, type TempoColour } from '../tempo/colours.js';
import { energyCost, subscriptionDayCost, toEuros, toWh, type Exact } from './money.js';
import type { Plan, Prices, PriceSchedule } from './prices.js';
import { offpeakMs, offsetFn, type RangesOfDay } from './split.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Minutes of the local day: HP is [06:00; 22:00[, HC the rest, of the Tempo day starting at 06:00. */
export const TEMPO_HP_FROM = 6 * 60;
export const TEMPO_HC_FROM = 22 * 60;

export const TEMPO_SLOTS = ['BLUE_HP', 'BLUE_HC', 'WHITE_HP', 'WHITE_HC', 'RED_HP', 'RED_HC'] as const;
export type TempoSlot = (typeof TEMPO_SLOTS)[number];

/** The six sub-counters, the energy of days without a colour, and their sum (all mW·ms). */
export type TempoSubtotals = Record<TempoSlot, bigint> & { unknown: bigint; total: bigint };

export const emptySubtotals = (): TempoSubtotals => ({
  BLUE_HP: 0n,
  BLUE_HC: 0n,
  WHITE_HP: 0n,
  WHITE_HC: 0n,
  RED_HP: 0n,
  RED_HC: 0n,
  unknown: 0n,
  total: 0n,
});

function addInto(into: TempoSubtotals, from: TempoSubtotals): void {
  for (const k of [...TEMPO_SLOTS, 'unknown', 'total'] as const) into[k] += from[k];
}

const addDay = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
const wallDay = (wallMs: number) => new Date(Math.floor(wallMs / DAY_MS) * DAY_MS).toISOString().slice(0, 10);

/** The Tempo day an instant (ms since epoch) belongs to: the local date of (wall time − 6 h). */
export function tempoDayOf(instant: number, tz: string, offsetAt = offsetFn(tz)): string {
  return wallDay(instant + offsetAt(instant) - 6 * HOUR_MS);
}

/** One reading's energy inside one Tempo day. */
export interface TempoPiece {
  tempoDay: string;
  /** mW·ms */
  hp: bigint;
  hc: bigint;
  /** Milliseconds of the reading inside this Tempo day. */
  ms: number;
}

/** Wall-clock ranges (per local date) of the HP or the HC part of Tempo day `day`. */
function rangesOfTempo(day: string, part: 'HP' | 'HC'): RangesOfDay {
  if (part === 'HP') return (d) => (d === day ? [[TEMPO_HP_FROM, TEMPO_HC_FROM]] : []);
  const next = addDay(day, 1);
  return (d) => (d === day ? [[TEMPO_HC_FROM, 1440]] : d === next ? [[0, TEMPO_HP_FROM]] : []);
}

/**
 * Splits one load-curve reading (average W over [start; end[) into its Tempo days and HP/HC.
 * `proRata`: the reading straddles 06:00 or 22:00.
 */
export function splitTempoReading(
  r: Pick<Reading, 'start' | 'end' | 'value'>,
  tz: string,
  offsetAt = offsetFn(tz),
): { pieces: TempoPiece[]; proRata: boolean } {
  const s = Date.parse(r.start);
  const e = Date.parse(r.end);
  if (!(e > s)) throw new ConfigError(`load-curve reading ${r.start}–${r.end} has no duration`);
  const milliwatts = BigInt(Math.round(r.value * 1000));
  const first = tempoDayOf(s, tz, offsetAt);
  const last = tempoDayOf(e - 1, tz, offsetAt);
  const pieces: TempoPiece[] = [];
  let covered = 0;
  for (let day = first, guard = 0; day <= last && guard < 400; day = addDay(day, 1), guard++) {
    const hpMs = offpeakMs(s, e, tz, rangesOfTempo(day, 'HP'), offsetAt);
    const hcMs = offpeakMs(s, e, tz, rangesOfTempo(day, 'HC'), offsetAt);
    if (hpMs + hcMs === 0) continue;
    covered += hpMs + hcMs;
    pieces.push({ tempoDay: day, hp: milliwatts * BigInt(hpMs), hc: milliwatts * BigInt(hcMs), ms: hpMs + hcMs });
  }
  // The Tempo days partition time: anything else is a bug, not data to round away.
  if (covered !== e - s) throw new Error(`Tempo split of ${r.start}–${r.end} covers ${covered} of ${e - s} ms`);
  const proRata = pieces.length > 1 || pieces.some((p) => p.hp !== 0n && p.hc !== 0n);
  return { pieces, proRata };
}

export interface TempoDaySplit {
  /** The Tempo day (its 06:00 → 06:00 starts on this date). */
  day: string;
  colour: TempoColour | undefined;
  /** mW·ms */
  hp: bigint;
  hc: bigint;
  total: bigint;
  /** The six sub-totals (at most two non-zero: this day's colour) and `unknown` (all of it when no colour). */
  subtotals: TempoSubtotals;
  /** Readings that start in this Tempo day. */
  points: number;
  /** Readings of this day split pro rata (straddling 06:00 or 22:00). */
  proRata: number;
  /** Time covered by the curve, and the length of the Tempo day (23 h, 24 h or 25 h). */
  coveredMs: number;
  lengthMs: number;
  complete: boolean;
}

export interface TempoPeriodSplit {
  /** `YYYY-MM` for months (of the Tempo day's date), `2023-2024` for seasons. */
  period: string;
  days: number;
  daysByColour: Record<TempoColour, number>;
  daysWithoutColour: number;
  subtotals: TempoSubtotals;
}

export interface TempoSplit {
  days: TempoDaySplit[];
  months: TempoPeriodSplit[];
  seasons: TempoPeriodSplit[];
  /** Equal to the energy of the readings given, exactly. */
  totals: TempoSubtotals;
}

/** Length of the Tempo day `day` in ms (06:00 that day → 06:00 the next, local). */
export function tempoDayLengthMs(day: string, tz: string, offsetAt = offsetFn(tz)): number {
  const at6 = (d: string) => {
    const wall = Date.parse(`${d}T06:00:00Z`);
    // The instant whose wall time is 06:00 (06:00 always exists in the zones Tempo is sold in).
    return wall - offsetAt(wall - offsetAt(wall));
  };
  return at6(addDay(day, 1)) - at6(day);
}

/**
 * The Tempo split of load-curve readings (unit W; others ignored), per Tempo day, month and
 * season. A reading's energy goes to the Tempo days it overlaps, so the first readings of a
 * calendar day (00:00–06:00) land in the Tempo day before.
 */
export function splitTempo(readings: Reading[], colourOf: ColourOf, tz: string): TempoSplit {
  const offsetAt = offsetFn(tz);
  const days = new Map<string, TempoDaySplit>();
  const dayOf = (day: string) => {
    let d = days.get(day);
    if (!d) {
      const lengthMs = tempoDayLengthMs(day, tz, offsetAt);
      d = {
        day,
        colour: colourOf(day),
        hp: 0n,
        hc: 0n,
        total: 0n,
        subtotals: emptySubtotals(),
        points: 0,
        proRata: 0,
        coveredMs: 0,
        lengthMs,
        complete: false,
      };
      days.set(day, d);
    }
    return d;
  };
  for (const r of readings) {
    if (r.unit !== 'W') continue;
    const { pieces, proRata } = splitTempoReading(r, tz, offsetAt);
    dayOf(tempoDayOf(Date.parse(r.start), tz, offsetAt)).points++;
    for (const p of pieces) {
      const d = dayOf(p.tempoDay);
      d.hp += p.hp;
      d.hc += p.hc;
      d.total += p.hp + p.hc;
      d.coveredMs += p.ms;
      if (proRata) d.proRata++;
      if (d.colour) {
        d.subtotals[`${d.colour}_HP`] += p.hp;
        d.subtotals[`${d.colour}_HC`] += p.hc;
      } else d.subtotals.unknown += p.hp + p.hc;
      d.subtotals.total += p.hp + p.hc;
    }
  }
  const list = [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
  for (const d of list) d.complete = d.coveredMs >= d.lengthMs;
  const totals = emptySubtotals();
  for (const d of list) addInto(totals, d.subtotals);
  return { days: list, months: groupDays(list, (d) => d.slice(0, 7)), seasons: groupDays(list, seasonOf), totals };
}

function groupDays(days: TempoDaySplit[], key: (day: string) => string): TempoPeriodSplit[] {
  const out = new Map<string, TempoPeriodSplit>();
  for (const d of days) {
    const k = key(d.day);
    let p = out.get(k);
    if (!p) {
      p = { period: k, days: 0, daysByColour: { BLUE: 0, WHITE: 0, RED: 0 }, daysWithoutColour: 0, subtotals: emptySubtotals() };
      out.set(k, p);
    }
    p.days++;
    if (d.colour) p.daysByColour[d.colour]++;
    else p.daysWithoutColour++;
    addInto(p.subtotals, d.subtotals);
  }
  return [...out.values()];
}

// ------------------------------------------------------------------ costs

const PRICE_KEYS: Record<TempoColour, { hp: keyof Prices; hc: keyof Prices }> = {
  BLUE: { hp: 'tempoBlueHp', hc: 'tempoBlueHc' },
  WHITE: { hp: 'tempoWhiteHp', hc: 'tempoWhiteHc' },
  RED: { hp: 'tempoRedHp', hc: 'tempoRedHc' },
};

/** A colour's HP and HC prices (µ€/kWh), or undefined when one of them is not set. */
export function tempoEnergyPrices(prices: Prices, colour: TempoColour): { hp: bigint; hc: bigint } | undefined {
  const hp = prices[PRICE_KEYS[colour].hp];
  const hc = prices[PRICE_KEYS[colour].hc];
  return hp === undefined || hc === undefined ? undefined : { hp, hc };
}

export function daysInMonth(day: string): number {
  const [y, m] = day.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** The day's share of the Tempo subscription (0 when not set). */
export function tempoSubscriptionDayCost(prices: Prices, day: string): Exact {
  return prices.subscriptionTempo === undefined ? 0n : subscriptionDayCost(prices.subscriptionTempo, daysInMonth(day));
}

/**
 * One Tempo day's cost: its HP and HC energy at its colour's prices of that day, plus the day's
 * share of the Tempo subscription. undefined without a colour or without that colour's prices.
 */
export function tempoDayCost(day: Pick<TempoDaySplit, 'day' | 'colour' | 'hp' | 'hc'>, prices: Prices): Exact | undefined {
  if (!day.colour) return undefined;
  const p = tempoEnergyPrices(prices, day.colour);
  if (!p) return undefined;
  return energyCost(day.hp, p.hp) + energyCost(day.hc, p.hc) + tempoSubscriptionDayCost(prices, day.day);
}

/** The cost of the Tempo days that can be priced, and how many could not (no colour, or a price missing). */
export function tempoPeriodCost(
  days: TempoDaySplit[],
  schedule: PriceSchedule,
): { cost: Exact | undefined; pricedDays: number; withoutColour: number; withoutPrice: number } {
  let cost: Exact | undefined;
  let pricedDays = 0;
  let withoutColour = 0;
  let withoutPrice = 0;
  for (const d of days) {
    if (!d.colour) {
      withoutColour++;
      continue;
    }
    const c = tempoDayCost(d, schedule.at(d.day));
    if (c === undefined) {
      withoutPrice++;
      continue;
    }
    cost = (cost ?? 0n) + c;
    pricedDays++;
  }
  return { cost, pricedDays, withoutColour, withoutPrice };
}

/** The Tempo price of the load curve of one calendar day (the same energy BASE and HP/HC price). */
export interface CalendarDayTempo {
  day: string;
  /**
   * Energy cost at the colours and prices of the Tempo days it falls in, plus this day's share of the subscription; undefined when a
   * colour or price is missing.
   */
  cost?: Exact;
  /** mW·ms: all of the day's curve, the part in RED Tempo days, the part in days without colour. */
  energy: bigint;
  red: bigint;
  unknown: bigint;
  /** Energy cost of the RED part (no subscription); undefined when not priced. */
  redCost?: Exact;
  /** Tempo days this day's energy falls in that have no colour. */
  daysWithoutColour: string[];
  /** Tempo days this day's energy falls in that have a colour but not its prices. */
  daysWithoutPrice: string[];
  /** The RED Tempo days this day's energy falls in. */
  redDays: string[];
}

/** Per calendar day (the readings' `day`), the Tempo cost of its load curve. */
export function tempoCostsByCalendarDay(
  readings: Reading[],
  colourOf: ColourOf,
  schedule: PriceSchedule,
  tz: string,
): Map<string, CalendarDayTempo> {
  const offsetAt = offsetFn(tz);
  const out = new Map<string, CalendarDayTempo>();
  for (const r of readings) {
    if (r.unit !== 'W') continue;
    let c = out.get(r.day);
    if (!c) {
      c = {
        day: r.day,
        cost: tempoSubscriptionDayCost(schedule.at(r.day), r.day),
        energy: 0n,
        red: 0n,
        unknown: 0n,
        redCost: 0n,
        daysWithoutColour: [],
        daysWithoutPrice: [],
        redDays: [],
      };
      out.set(r.day, c);
    }
    for (const p of splitTempoReading(r, tz, offsetAt).pieces) {
      const energy = p.hp + p.hc;
      c.energy += energy;
      const colour = colourOf(p.tempoDay);
      if (!colour) {
        c.unknown += energy;
        c.cost = undefined;
        c.redCost = undefined;
        if (!c.daysWithoutColour.includes(p.tempoDay)) c.daysWithoutColour.push(p.tempoDay);
        continue;
      }
      const price = tempoEnergyPrices(schedule.at(p.tempoDay), colour);
      const cost = price ? energyCost(p.hp, price.hp) + energyCost(p.hc, price.hc) : undefined;
      if (!price && !c.daysWithoutPrice.includes(p.tempoDay)) c.daysWithoutPrice.push(p.tempoDay);
      if (colour === 'RED') {
        if (!c.redDays.includes(p.tempoDay)) c.redDays.push(p.tempoDay);
        c.red += energy;
        c.redCost = cost === undefined || c.redCost === undefined ? undefined : c.redCost + cost;
      }
      c.cost = cost === undefined || c.cost === undefined ? undefined : c.cost + cost;
    }
  }
  return out;
}

// ------------------------------------------------------------------ the three-plan comparison

/** One calendar day with a load curve, priced under the three plans (undefined: cannot be priced). */
export interface ComparedDay {
  day: string;
  base?: Exact;
  hphc?: Exact;
  tempo: CalendarDayTempo;
}

/** `tempo.comparison` of `tariff --json`: € to the cent, Wh to 0.001, shares as fractions (4 decimals). */
export interface TempoComparison {
  from: string;
  to: string;
  /** Calendar days of the period with a load curve. */
  days_with_curve: number;
  /** Of these, the days whose Tempo colours are all known: the three costs are over these days only. */
  compared_days: number;
  /** Tempo days (touched by the period's curve) without a colour; > 0 makes the comparison partial. */
  days_without_colour: number;
  partial: boolean;
  /** Energy of the period falling in days without colour (left out of the three costs). */
  unknown_wh: number;
  cost_base: number | null;
  cost_hphc: number | null;
  cost_tempo: number | null;
  /** The cheapest of the three over the compared days; null when one of them cannot be priced. */
  cheapest: Plan | 'equal' | null;
  /** cost_base − cost_tempo and cost_hphc − cost_tempo: positive when Tempo would have cost less. */
  tempo_saving_vs_base: number | null;
  tempo_saving_vs_hphc: number | null;
  /** RED Tempo days in [from; to] holding compared energy. */
  red_days: number;
  red_wh: number;
  /** Red energy / all compared energy. */
  red_energy_share: number | null;
  /** Energy cost of the red days (no subscription), and its share of cost_tempo. */
  red_cost: number | null;
  red_cost_share: number | null;
}

const share = (part: bigint, whole: bigint) => (whole === 0n ? null : Number((part * 1_000_000n) / whole) / 1_000_000);
const round4 = (v: number | null) => (v === null ? null : Math.round(v * 10_000) / 10_000);
const eur = (v: Exact | undefined) => (v === undefined ? null : toEuros(v));

/** BASE vs HP/HC vs TEMPO over the days given (calendar days with a load curve, in [from; to]). */
export function compareThreePlans(days: ComparedDay[], from: string, to: string): TempoComparison {
  const inRange = days.filter((d) => d.day >= from && d.day <= to);
  const compared = inRange.filter((d) => d.tempo.daysWithoutColour.length === 0);
  const without = new Set(inRange.flatMap((d) => d.tempo.daysWithoutColour));
  const sum = (pick: (d: ComparedDay) => Exact | undefined): Exact | undefined => {
    if (!compared.length) return undefined;
    let acc = 0n;
    for (const d of compared) {
      const v = pick(d);
      if (v === undefined) return undefined;
      acc += v;
    }
    return acc;
  };
  const base = sum((d) => d.base);
  const hphc = sum((d) => d.hphc);
  const tempo = sum((d) => d.tempo.cost);
  const redCost = sum((d) => d.tempo.redCost);
  const energy = compared.reduce((a, d) => a + d.tempo.energy, 0n);
  const red = compared.reduce((a, d) => a + d.tempo.red, 0n);
  const redDays = new Set(compared.flatMap((d) => d.tempo.redDays).filter((t) => t >= from));
  let cheapest: TempoComparison['cheapest'] = null;
  if (base !== undefined && hphc !== undefined && tempo !== undefined) {
    const costs: Array<[Plan, Exact]> = [
      ['BASE', base],
      ['HPHC', hphc],
      ['TEMPO', tempo],
    ];
    const min = costs.reduce((m, [, c]) => (c < m ? c : m), base);
    const at = costs.filter(([, c]) => c === min);
    cheapest = at.length > 1 ? 'equal' : at[0]![0];
  }
  return {
    from,
    to,
    days_with_curve: inRange.length,
    compared_days: compared.length,
    days_without_colour: without.size,
    partial: without.size > 0,
    unknown_wh: toWh(inRange.reduce((a, d) => a + d.tempo.unknown, 0n)),
    cost_base: eur(base),
    cost_hphc: eur(hphc),
    cost_tempo: eur(tempo),
    cheapest,
    tempo_saving_vs_base: base !== undefined && tempo !== undefined ? toEuros(base - tempo) : null,
    tempo_saving_vs_hphc: hphc !== undefined && tempo !== undefined ? toEuros(hphc - tempo) : null,
    red_days: redDays.size,
    red_wh: toWh(red),
    red_energy_share: round4(share(red, energy)),
    red_cost: eur(redCost),
    red_cost_share: round4(redCost !== undefined && tempo !== undefined ? share(redCost, tempo) : null),
  };
}

// ------------------------------------------------------------------ the `tempo` object of `tariff --json`

export interface TempoDayOut {
  date: string;
  colour: TempoColour | null;
  hp_wh: number;
  hc_wh: number;
  total_wh: number;
  points: number;
  /** The curve covers the whole 06:00 → 06:00 (23 h / 24 h / 25 h). */
  complete: boolean;
  pro_rata_points: number;
  /** € (energy at the colour's prices + the day's share of the Tempo subscription); null without colour or prices. */
  cost: number | null;
}

export interface TempoSubtotalsOut {
  blue_hp_wh: number;
  blue_hc_wh: number;
  white_hp_wh: number;
  white_hc_wh: number;
  red_hp_wh: number;
  red_hc_wh: number;
  unknown_wh: number;
  total_wh: number;
}

export interface TempoPeriodOut extends TempoSubtotalsOut {
  period: string;
  days: number;
  blue_days: number;
  white_days: number;
  red_days: number;
  days_without_colour: number;
  /** € over the days with a colour and prices; `partial` when some days are left out. */
  cost: number | null;
  partial: boolean;
}

export interface TempoReport {
  days: TempoDayOut[];
  months: TempoPeriodOut[];
  seasons: TempoPeriodOut[];
  totals: TempoSubtotalsOut;
  unknown_wh: number;
  days_without_colour: number;
  /** Tempo days with a colour but a price of that colour missing. */
  days_without_price: number;
  cost: number | null;
  partial: boolean;
  comparison: TempoComparison;
}

export function subtotalsOut(s: TempoSubtotals): TempoSubtotalsOut {
  return {
    blue_hp_wh: toWh(s.BLUE_HP),
    blue_hc_wh: toWh(s.BLUE_HC),
    white_hp_wh: toWh(s.WHITE_HP),
    white_hc_wh: toWh(s.WHITE_HC),
    red_hp_wh: toWh(s.RED_HP),
    red_hc_wh: toWh(s.RED_HC),
    unknown_wh: toWh(s.unknown),
    total_wh: toWh(s.total),
  };
}

/**
 * The `tempo` object: the split of `curve` (the load curve of the calendar days shown; its first
 * readings, 00:00–06:00, fall in the Tempo day before the first day) and the comparison over
 * `comparedDays` (usually the last 12 months).
 */
export function tempoReport(
  curve: Reading[],
  colourOf: ColourOf,
  schedule: PriceSchedule,
  tz: string,
  comparison: TempoComparison,
): TempoReport {
  const split = splitTempo(curve, colourOf, tz);
  const period = (p: TempoPeriodSplit, days: TempoDaySplit[]): TempoPeriodOut => {
    const c = tempoPeriodCost(days, schedule);
    return {
      period: p.period,
      days: p.days,
      blue_days: p.daysByColour.BLUE,
      white_days: p.daysByColour.WHITE,
      red_days: p.daysByColour.RED,
      days_without_colour: p.daysWithoutColour,
      ...subtotalsOut(p.subtotals),
      cost: eur(c.cost),
      partial: c.withoutColour + c.withoutPrice > 0,
    };
  };
  const all = tempoPeriodCost(split.days, schedule);
  return {
    days: split.days.map((d) => ({
      date: d.day,
      colour: d.colour ?? null,
      hp_wh: toWh(d.hp),
      hc_wh: toWh(d.hc),
      total_wh: toWh(d.total),
      points: d.points,
      complete: d.complete,
      pro_rata_points: d.proRata,
      cost: eur(tempoDayCost(d, schedule.at(d.day))),
    })),
    months: split.months.map((m) =>
      period(
        m,
        split.days.filter((d) => d.day.slice(0, 7) === m.period),
      ),
    ),
    seasons: split.seasons.map((s) =>
      period(
        s,
        split.days.filter((d) => seasonOf(d.day) === s.period),
      ),
    ),
    totals: subtotalsOut(split.totals),
    unknown_wh: toWh(split.totals.unknown),
    days_without_colour: all.withoutColour,
    days_without_price: all.withoutPrice,
    cost: eur(all.cost),
    partial: all.withoutColour + all.withoutPrice > 0,
    comparison,
  };
}
