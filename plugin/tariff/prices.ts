/**
 * Prices per kWh (BASE, HP, HC) and subscriptions per month, optionally changing over time, and
 * the cost of a day under each plan.
 */
import { ConfigError } from '../errors.js';
import { isDay } from '../time/local.js';
import { energyCost, parseEuros, subscriptionDayCost, type Exact } from './money.js';

export const PLANS = ['BASE', 'HPHC', 'TEMPO'] as const;
export type Plan = (typeof PLANS)[number];

/** Prices in µ€ (per kWh for energy, per month for subscriptions). */
export interface Prices {
  base?: bigint;
  hp?: bigint;
  hc?: bigint;
  subscriptionBase?: bigint;
  subscriptionHphc?: bigint;
  /** Tempo: an HP and an HC price per colour, and the Tempo subscription. */
  tempoBlueHp?: bigint;
  tempoBlueHc?: bigint;
  tempoWhiteHp?: bigint;
  tempoWhiteHc?: bigint;
  tempoRedHp?: bigint;
  tempoRedHc?: bigint;
  subscriptionTempo?: bigint;
}
/** The BASE and HP/HC prices (the `prices` rows of `tariff --json` always carry these keys). */
export const PRICE_FIELDS = ['base', 'hp', 'hc', 'subscriptionBase', 'subscriptionHphc'] as const;
/** The Tempo prices (shown in the `prices` rows only when one of them is set). */
export const TEMPO_PRICE_FIELDS = [
  'tempoBlueHp',
  'tempoBlueHc',
  'tempoWhiteHp',
  'tempoWhiteHc',
  'tempoRedHp',
  'tempoRedHc',
  'subscriptionTempo',
] as const;
export const ALL_PRICE_FIELDS = [...PRICE_FIELDS, ...TEMPO_PRICE_FIELDS] as const;
type PriceField = (typeof ALL_PRICE_FIELDS)[number];

export interface PricePeriod extends Prices {
  /** First day (inclusive) these prices apply; undefined = since always. */
  from?: string;
}

export function parsePlan(name: string, raw: string): Plan {
  const v = raw
    .trim()
    .toUpperCase()
    .replace(/[\s/_-]/g, '');
  if (v === 'BASE') return 'BASE';
  if (v === 'HPHC' || v === 'HCHP') return 'HPHC';
  if (v === 'TEMPO') return 'TEMPO';
  throw new ConfigError(`${name}="${raw}": the plan is BASE, HPHC ("HP/HC" works too) or TEMPO`, 'plan_invalid');
}

const JSON_KEYS: Record<string, PriceField> = {
  base: 'base',
  hp: 'hp',
  hc: 'hc',
  subscription_base: 'subscriptionBase',
  subscriptionBase: 'subscriptionBase',
  subscription_hphc: 'subscriptionHphc',
  subscriptionHphc: 'subscriptionHphc',
  tempo_blue_hp: 'tempoBlueHp',
  tempo_blue_hc: 'tempoBlueHc',
  tempo_white_hp: 'tempoWhiteHp',
  tempo_white_hc: 'tempoWhiteHc',
  tempo_red_hp: 'tempoRedHp',
  tempo_red_hc: 'tempoRedHc',
  subscription_tempo: 'subscriptionTempo',
};

/**
 * `[{"from":"2024-02-01","base":"0.2516","hp":"0.2700","hc":"0.2068","subscription_base":"12.44",
 * "subscription_hphc":"12.85", "tempo_blue_hp":"0.1609", … "tempo_red_hc":"0.1568", "subscription_tempo":"12.96"}, …]`: prices as
 * text or numbers; a field left out keeps the value of the period before.
 */
export function parsePricesHistory(name: string, raw: string): PricePeriod[] {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ConfigError(
      `${name} is not JSON: write it as [{"from":"2024-02-01","base":"0.2516","hp":"0.27","hc":"0.2068"}, …]`,
      'price_invalid',
    );
  }
  if (!Array.isArray(json) || json.length === 0)
    throw new ConfigError(`${name} must be a non-empty JSON array of price periods`, 'price_invalid');
  return json.map((entry, i) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      throw new ConfigError(`${name}[${i}] must be an object`, 'price_invalid');
    const period: PricePeriod = {};
    for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
      if (k === 'from') {
        if (typeof v !== 'string' || !isDay(v)) throw new ConfigError(`${name}[${i}].from must be a day YYYY-MM-DD`, 'price_invalid');
        period.from = v;
        continue;
      }
      const field = JSON_KEYS[k];
      if (!field)
        throw new ConfigError(
          `${name}[${i}]: unknown key "${k}"; keys are from, base, hp, hc, subscription_base, subscription_hphc, tempo_blue_hp, tempo_blue_hc, tempo_white_hp, tempo_white_hc, tempo_red_hp, tempo_red_hc, subscription_tempo`,
          'price_invalid',
        );
      if (typeof v !== 'string' && typeof v !== 'number')
        throw new ConfigError(`${name}[${i}].${k} must be a price in euros`, 'price_invalid');
      period[field] = parseEuros(`${name}[${i}].${k}`, v);
    }
    if (period.from === undefined && i > 0) throw new ConfigError(`${name}[${i}]: only the first entry may omit "from"`, 'price_invalid');
    return period;
  });
}

/** Prices of each day: periods sorted by date, each inheriting the fields it leaves out. */
export class PriceSchedule {
  private readonly periods: Array<{ from: string; prices: Prices }>;

  constructor(periods: PricePeriod[]) {
    const sorted = [...periods].sort((a, b) => (a.from ?? '').localeCompare(b.from ?? ''));
    const out: Array<{ from: string; prices: Prices }> = [];
    let current: Prices = {};
    for (const p of sorted) {
      const { from, ...prices } = p;
      current = { ...current };
      for (const f of ALL_PRICE_FIELDS) if (prices[f] !== undefined) current[f] = prices[f];
      const last = out[out.length - 1];
      if (last && last.from === (from ?? '')) last.prices = current;
      else out.push({ from: from ?? '', prices: current });
    }
    this.periods = out;
  }

  at(day: string): Prices {
    let chosen: Prices = {};
    for (const p of this.periods) if (p.from <= day) chosen = p.prices;
    return chosen;
  }

  /** The dates prices change inside [from; to] (for reports). */
  changesWithin(from: string, to: string): string[] {
    return this.periods.map((p) => p.from).filter((d) => d && d > from && d <= to);
  }

  isEmpty(): boolean {
    return this.periods.every((p) => ALL_PRICE_FIELDS.every((f) => p.prices[f] === undefined));
  }

  /** Some Tempo price is set (on some date). */
  hasTempo(): boolean {
    return this.periods.some((p) => TEMPO_PRICE_FIELDS.some((f) => p.prices[f] !== undefined));
  }
}

export interface DayEnergy {
  day: string;
  /** mW·ms */
  hp: bigint;
  hc: bigint;
  /** The day has off-peak windows (the HP/HC plan can be priced). */
  hasWindows: boolean;
}

export interface DayCosts {
  /** undefined when a price the plan needs is missing (or, for HPHC, no windows are known). */
  BASE?: Exact;
  HPHC?: Exact;
}

function daysInMonth(day: string): number {
  const [y, m] = day.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** The cost of one day under each plan: energy at that day's prices plus the day's share of the subscription. */
export function dayCosts(e: DayEnergy, prices: Prices): DayCosts {
  const n = daysInMonth(e.day);
  const out: DayCosts = {};
  if (prices.base !== undefined) {
    out.BASE =
      energyCost(e.hp + e.hc, prices.base) + (prices.subscriptionBase !== undefined ? subscriptionDayCost(prices.subscriptionBase, n) : 0n);
  }
  if (prices.hp !== undefined && prices.hc !== undefined && e.hasWindows) {
    out.HPHC =
      energyCost(e.hp, prices.hp) +
      energyCost(e.hc, prices.hc) +
      (prices.subscriptionHphc !== undefined ? subscriptionDayCost(prices.subscriptionHphc, n) : 0n);
  }
  return out;
}
