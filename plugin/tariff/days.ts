/**
 * Per-day HP/HC energy and cost for the sinks (Jeedom's `hp_energy`, `hc_energy`, `cost`, the MQTT
 * topics of the same names, `jeelinky stats --source local`). The figures are those of
 * `jeelinky tariff` for the same day (same split, same rounding: Wh to 0.001, € to the cent), but
 * only for days whose load curve is COMPLETE: a partial day would be written low, then corrected
 * the day the missing points arrive, and Jeedom would count both rows until its next archive.
 *
 * Pure: the context (windows, prices, plan) is given. Loading it from the settings and the contract
 * (cached or fetched) is the runner's business: plugin/runner/tariff-context.ts.
 */
import type { Contract } from '../enedis/customers.js';
import type { Reading } from '../readings.js';
import { expectedPoints } from '../time/local.js';
import { toEuros, toWh } from './money.js';
import type { OffpeakSchedule } from './offpeak.js';
import { dayCosts, type Plan, type PriceSchedule } from './prices.js';
import { chooseSchedule, planOfContract, type TariffSettings } from './settings.js';
import { splitByDay } from './split.js';
import { splitTempo, tempoCostsByCalendarDay, tempoDayCost } from './tempo.js';
import type { ColourOf, TempoColour } from '../tempo/colours.js';

/** One day's figures; null when they cannot be had (no windows known, a price missing). */
export interface DayTariff {
  day: string;
  hpWh: number | null;
  hcWh: number | null;
  /** € under the current plan: energy plus the day's share of the subscription, to the cent. */
  cost: number | null;
}

/** The three figures, by the logicalId of the Jeedom command (and MQTT topic) that holds them. */
export const TARIFF_FIGURES = [
  { logicalId: 'hp_energy', field: 'hpWh', unit: 'Wh', name: 'HP energy (day)' },
  { logicalId: 'hc_energy', field: 'hcWh', unit: 'Wh', name: 'HC energy (day)' },
  { logicalId: 'cost', field: 'cost', unit: '€', name: 'Cost (day)' },
] as const;
export type TariffFigure = (typeof TARIFF_FIGURES)[number];

export interface TariffContext {
  schedule: OffpeakSchedule;
  prices: PriceSchedule;
  plan: Plan;
  tz: string;
  windowsSource: 'settings' | 'contract' | 'none';
  planSource: 'settings' | 'contract' | 'default';
  /** The Tempo calendar: with plan TEMPO a day's cost needs its colour (no calendar: cost null). */
  colourOf?: ColourOf;
}

/** The windows, prices and plan from the settings and the contract (as `jeelinky tariff`). */
export function tariffContext(settings: TariffSettings, contract: Contract | undefined, tz: string): TariffContext {
  const choice = chooseSchedule(settings, contract);
  const contractPlan = planOfContract(contract);
  return {
    schedule: choice.schedule,
    prices: settings.prices,
    plan: settings.currentPlan ?? contractPlan ?? 'BASE',
    tz,
    windowsSource: choice.source,
    planSource: settings.currentPlan ? 'settings' : contractPlan ? 'contract' : 'default',
  };
}

/** Nothing can come out of this context: no windows and no prices. */
export function isEmptyContext(ctx: TariffContext): boolean {
  return ctx.windowsSource === 'none' && ctx.prices.isEmpty();
}

/**
 * The figures of every day of `curve` whose load curve is complete (as many points as the day
 * has intervals), oldest first; days where every figure is null are left out. Pure.
 */
export function dayTariffs(curve: Reading[], ctx: TariffContext): DayTariff[] {
  const out: DayTariff[] = [];
  const tempo = ctx.plan === 'TEMPO' ? tempoCostsByCalendarDay(curve, ctx.colourOf ?? (() => undefined), ctx.prices, ctx.tz) : undefined;
  for (const s of splitByDay(curve, ctx.schedule, ctx.tz)) {
    // Same completeness rule as the tariff report.
    const step = s.intervalMinutes.length === 1 ? s.intervalMinutes[0]! : 30;
    if (s.points < expectedPoints(s.day, ctx.tz, step)) continue;
    const hasWindows = s.windows !== '';
    const costs = dayCosts({ day: s.day, hp: s.hp, hc: s.hc, hasWindows }, ctx.prices.at(s.day));
    const cost = ctx.plan === 'TEMPO' ? tempo?.get(s.day)?.cost : ctx.plan === 'BASE' ? costs.BASE : costs.HPHC;
    const day: DayTariff = {
      day: s.day,
      hpWh: hasWindows ? toWh(s.hp) : null,
      hcWh: hasWindows ? toWh(s.hc) : null,
      cost: cost === undefined ? null : toEuros(cost),
    };
    if (day.hpWh !== null || day.cost !== null) out.push(day);
  }
  return out;
}

// ------------------------------------------------------------------ Tempo figures per Tempo day

/** One Tempo day's figures (06:00 → 06:00, named by its first date), for the sinks. */
export interface TempoDayTariff {
  day: string;
  colour: TempoColour;
  blueHpWh: number;
  blueHcWh: number;
  whiteHpWh: number;
  whiteHcWh: number;
  redHpWh: number;
  redHcWh: number;
  /** € of the Tempo day (energy at its colour's prices + the day's share of the Tempo subscription); null without its prices. */
  cost: number | null;
}

/** The Tempo day figures by the logicalId of the Jeedom command that holds them (at `<Tempo day> 12:00:00`). */
export const TEMPO_DAY_FIGURES = [
  { logicalId: 'tempo_blue_hp', field: 'blueHpWh', unit: 'Wh' },
  { logicalId: 'tempo_blue_hc', field: 'blueHcWh', unit: 'Wh' },
  { logicalId: 'tempo_white_hp', field: 'whiteHpWh', unit: 'Wh' },
  { logicalId: 'tempo_white_hc', field: 'whiteHcWh', unit: 'Wh' },
  { logicalId: 'tempo_red_hp', field: 'redHpWh', unit: 'Wh' },
  { logicalId: 'tempo_red_hc', field: 'redHcWh', unit: 'Wh' },
  { logicalId: 'tempo_cost', field: 'cost', unit: '€' },
] as const;

/**
 * The six sub-counters and the cost of every Tempo day of `curve` that is COMPLETE (the curve covers
 * its 23, 24 or 25 hours, as for hp_energy) and has a colour; oldest first. Pure. The same figures
 * as `tariff --json`'s `tempo.days` (same split, same rounding).
 */
export function tempoDayTariffs(curve: Reading[], colourOf: ColourOf, prices: PriceSchedule, tz: string): TempoDayTariff[] {
  return splitTempo(curve, colourOf, tz)
    .days.filter((d) => d.complete && d.colour)
    .map((d) => {
      const cost = tempoDayCost(d, prices.at(d.day));
      const s = d.subtotals;
      return {
        day: d.day,
        colour: d.colour!,
        blueHpWh: toWh(s.BLUE_HP),
        blueHcWh: toWh(s.BLUE_HC),
        whiteHpWh: toWh(s.WHITE_HP),
        whiteHcWh: toWh(s.WHITE_HC),
        redHpWh: toWh(s.RED_HP),
        redHcWh: toWh(s.RED_HC),
        cost: cost === undefined ? null : toEuros(cost),
      };
    });
}
