/**
 * From the tariff module's report (plugin/tariff, the `jeelinky tariff --json` shape) to what the
 * HTML report draws. Pure.
 */
import moment from 'moment-timezone';
import type { TariffReport } from '../tariff/index.js';
import type { ColourOf, TempoColour } from '../tempo/colours.js';
import { eachDay } from '../time/local.js';
import type { ReportTariffInput, ReportTempoInput } from './model.js';

const PLAN_NAMES = { BASE: 'BASE', HPHC: 'HP/HC', TEMPO: 'Tempo' } as const;

/** undefined when no day could be split (no off-peak windows known): the page then says how to get them. */
export function reportTariffInput(t: TariffReport, currency = '€'): ReportTariffInput | undefined {
  const days = t.days.filter((d) => d.hp_wh !== null && d.hc_wh !== null).map((d) => ({ day: d.date, hpWh: d.hp_wh!, hcWh: d.hc_wh! }));
  if (!days.length) return undefined;
  const months = t.months
    .filter((m) => m.hp_wh !== null && m.hc_wh !== null)
    .map((m) => ({ month: m.period, hpWh: m.hp_wh!, hcWh: m.hc_wh!, cost: m.cost }));
  const c = t.comparison;
  const comparison =
    c.cost_current !== null && c.cost_other !== null
      ? {
          period: `${c.from} to ${c.to}`,
          current: PLAN_NAMES[c.current_plan],
          plans: [
            { plan: PLAN_NAMES[c.current_plan], cost: c.cost_current },
            { plan: PLAN_NAMES[c.other_plan], cost: c.cost_other },
          ],
        }
      : undefined;
  return { currency, days, months, comparison };
}

/**
 * The Tempo part of the page: the colour of every day of [from; until] and, per colour, the Tempo
 * days of that range whose load curve covers the whole 06:00 → 06:00 (`t.tempo.days`, the `tempo.days` of `jeelinky tariff --json`):
 * their count, energy and cost (energy at the colour's prices + the days' share of the subscription).
 */
export function reportTempoInput(
  t: TariffReport,
  colourOf: ColourOf,
  from: string,
  until: string,
  currency = '€',
  note?: string,
): ReportTempoInput {
  const colours = eachDay(from, moment.utc(until, 'YYYY-MM-DD').add(1, 'day').format('YYYY-MM-DD')).map((day) => ({
    day,
    colour: colourOf(day) ?? null,
  }));
  const byColour: ReportTempoInput['byColour'] = [];
  for (const colour of ['BLUE', 'WHITE', 'RED'] as TempoColour[]) {
    const days = (t.tempo?.days ?? []).filter((d) => d.colour === colour && d.complete && d.date >= from && d.date <= until);
    const costs = days.filter((d) => d.cost !== null);
    byColour.push({
      colour,
      days: days.length,
      kwh: Math.round(days.reduce((a, d) => a + d.hp_wh + d.hc_wh, 0)) / 1000,
      cost: costs.length ? Math.round(costs.reduce((a, d) => a + d.cost! * 100, 0)) / 100 : null,
    });
  }
  return { currency, colours, byColour, ...(note ? { note } : {}) };
}
