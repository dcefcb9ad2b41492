/**
 * From the tariff module's report (plugin/tariff, the `jeelinky tariff --json` shape) to what the
 * HTML report draws. Pure.
 */
import type { TariffReport } from '../tariff/index.js';
import type { ReportTariffInput } from './model.js';

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
