/**
 * The tariff settings, resolved as every setting is (flag > JEELINKY_* variable > config.json key),
 * and the off-peak schedule built from them and the contract.
 *
 * | variable                        | config.json key       | meaning                                   |
 * | JEELINKY_OFFPEAK_HOURS          | offpeakHours          | "22h00-06h00;12h30-14h30" (docs/origins.md §8) |
 * | JEELINKY_OFFPEAK_HOURS_HISTORY  | offpeakHoursHistory   | [{"from":"2024-01-01","windows":"…"}, …]  |
 * | JEELINKY_PRICE_BASE/_HP/_HC     | priceBase/priceHp/priceHc | € per kWh                             |
 * | JEELINKY_SUBSCRIPTION_BASE/_HPHC| subscriptionBase/subscriptionHphc | € per month                   |
 * | JEELINKY_PRICE_TEMPO_BLUE_HP … _RED_HC | priceTempoBlueHp … priceTempoRedHc | € per kWh, per colour × HP/HC |
 * | JEELINKY_SUBSCRIPTION_TEMPO     | subscriptionTempo     | € per month                               |
 * | JEELINKY_PRICES_HISTORY         | pricesHistory         | [{"from":"2024-02-01","base":"0.2516",…}] |
 * |                                 |                       | (Tempo keys tempo_blue_hp … subscription_tempo) |
 * | JEELINKY_CURRENT_PLAN           | currentPlan           | BASE, HPHC or TEMPO                       |
 */
import type { JeelinkyConfig } from '../config.js';
import { readSetting } from '../settings.js';
import { setting, type SettingKey } from '../settings.js';
import type { Contract } from '../enedis/customers.js';
import { parseEuros } from './money.js';
import { OffpeakSchedule, parseOffpeakHistory, parseOffpeakHours, type OffpeakPeriod } from './offpeak.js';
import { parsePlan, parsePricesHistory, PriceSchedule, type Plan, type PricePeriod } from './prices.js';

export interface TariffFlags {
  offpeakHours?: string;
  currentPlan?: string;
}

export interface TariffSettings {
  /** The user's windows (override the contract's), if any. */
  offpeakOverride?: OffpeakPeriod[];
  prices: PriceSchedule;
  /** undefined: not set (taken from the contract's tariff option, else BASE). */
  currentPlan?: Plan;
}

export function resolveTariffSettings(
  config: Pick<JeelinkyConfig, 'fileSettings'>,
  flags: TariffFlags = {},
  env: NodeJS.ProcessEnv = process.env,
): TariffSettings {
  // A flag's value is reported under the flag the user typed (--plan, --offpeak-hours); names from plugin/settings.ts.
  const pick = <T>(flag: string | undefined, key: SettingKey, parse: (name: string, raw: string) => T) =>
    readSetting<T>(key, flag === undefined ? undefined : parse(`--${setting(key).flag ?? key}`, flag), config, parse, env);

  const history = pick<OffpeakPeriod[]>(undefined, 'offpeakHoursHistory', parseOffpeakHistory);
  const flat = pick<OffpeakPeriod>(flags.offpeakHours, 'offpeakHours', (name, raw) => ({
    set: parseOffpeakHours(raw, name),
    source: name,
  }));
  let offpeakOverride: OffpeakPeriod[] | undefined;
  if (history) {
    // The flat windows, when also given, apply before the history's first date.
    offpeakOverride = flat && history[0]?.from ? [flat, ...history] : history;
  } else if (flat) offpeakOverride = [flat];

  const price = (key: SettingKey) => pick<bigint>(undefined, key, parseEuros);
  const flatPrices: PricePeriod = {
    base: price('priceBase'),
    hp: price('priceHp'),
    hc: price('priceHc'),
    subscriptionBase: price('subscriptionBase'),
    subscriptionHphc: price('subscriptionHphc'),
    tempoBlueHp: price('priceTempoBlueHp'),
    tempoBlueHc: price('priceTempoBlueHc'),
    tempoWhiteHp: price('priceTempoWhiteHp'),
    tempoWhiteHc: price('priceTempoWhiteHc'),
    tempoRedHp: price('priceTempoRedHp'),
    tempoRedHc: price('priceTempoRedHc'),
    subscriptionTempo: price('subscriptionTempo'),
  };
  const pricesHistory = pick<PricePeriod[]>(undefined, 'pricesHistory', parsePricesHistory) ?? [];
  const prices = new PriceSchedule([flatPrices, ...pricesHistory]);
  const currentPlan = pick<Plan>(flags.currentPlan, 'currentPlan', parsePlan);
  return { offpeakOverride, prices, currentPlan };
}

/** The plan the contract implies: TURPE options ending in DT (…CUDT, MUDT, LUDT) or U4 have off-peak hours. */
export function planOfContract(contract: Contract | undefined): Plan | undefined {
  const t = contract?.distributionTariff?.toUpperCase();
  if (!t) return contract?.offpeakHours ? 'HPHC' : undefined;
  if (/DT$|U4$/.test(t)) return 'HPHC';
  if (/ST$/.test(t)) return 'BASE';
  return contract?.offpeakHours ? 'HPHC' : undefined;
}

export interface ScheduleChoice {
  schedule: OffpeakSchedule;
  /** Where the windows come from. */
  source: 'settings' | 'contract' | 'none';
  notes: string[];
}

/** The user's windows win; else the contract's; else none (HP/HC cannot be priced). */
export function chooseSchedule(
  settings: TariffSettings,
  contract: Contract | undefined,
  range?: { from: string; to: string },
): ScheduleChoice {
  const notes: string[] = [];
  if (settings.offpeakOverride) {
    const schedule = new OffpeakSchedule(settings.offpeakOverride);
    const first = schedule.assumedBefore();
    if (first && range && range.from < first) {
      notes.push(`off-peak windows before ${first} are not given: the first entry's windows are used for those days`);
    }
    return { schedule, source: 'settings', notes };
  }
  if (contract?.offpeakHours) {
    let set: ReturnType<typeof parseOffpeakHours>;
    try {
      set = parseOffpeakHours(contract.offpeakHours, "the contract's offpeak_hours");
    } catch (e) {
      notes.push(`${(e as Error).message}; set JEELINKY_OFFPEAK_HOURS`);
      return { schedule: new OffpeakSchedule([]), source: 'none', notes };
    }
    const since = contract.lastTariffChangeDate;
    if (since && range && range.from < since) {
      notes.push(
        `the contract's tariff changed on ${since} and Enedis only gives today's windows: days before it use them too (give JEELINKY_OFFPEAK_HOURS_HISTORY if they differed)`,
      );
    }
    return { schedule: new OffpeakSchedule([{ set, source: 'contract' }]), source: 'contract', notes };
  }
  return { schedule: new OffpeakSchedule([]), source: 'none', notes };
}
