/**
 * Exact money. Prices are read from their decimal text into integer micro-euros (no float ever
 * touches a price); energy is kept in integer mW·ms; a cost is an exact rational with one common
 * denominator, so sums over days, months and years lose nothing. Rounding happens once, when a
 * figure is shown: to the cent, half up (amounts are never negative).
 */
import { ConfigError } from '../errors.js';

/** 1 Wh in mW·ms. */
export const MWMS_PER_WH = 3_600_000_000n;
/** 1 kWh in mW·ms. */
const MWMS_PER_KWH = 3_600_000_000_000n;
/** LCM of the month lengths 28, 29, 30, 31: a monthly subscription split per day stays exact. */
const MONTH_LCM = 377_580n;
/** Denominator of every Exact amount: 1 µ€ = DEN units. */
const DEN = MWMS_PER_KWH * MONTH_LCM;

/** An amount of money, exactly: numerator over a fixed denominator (see DEN). */
export type Exact = bigint;

/** Reads "0.2516", "0,2516", 12.44 (a JSON number: its shortest decimal text) into µ€; ≤ 6 decimals. */
export function parseEuros(name: string, raw: string | number): bigint {
  const text = (typeof raw === 'number' ? String(raw) : raw).trim().replace(',', '.');
  const m = /^(\d+)(?:\.(\d*))?$/.exec(text);
  if (!m) throw new ConfigError(`${name}="${raw}" is not a price: write euros with a dot, e.g. 0.2516`, 'price_invalid');
  const decimals = m[2] ?? '';
  if (decimals.length > 6) throw new ConfigError(`${name}="${raw}": at most 6 decimals (a micro-euro)`, 'price_invalid');
  return BigInt(m[1]!) * 1_000_000n + BigInt(decimals.padEnd(6, '0') || '0');
}

/** Energy (mW·ms) priced at µ€/kWh. */
export function energyCost(energyMwms: bigint, microEurosPerKwh: bigint): Exact {
  return energyMwms * microEurosPerKwh * MONTH_LCM;
}

/** One day's share of a monthly subscription (µ€/month) in a month of `daysInMonth` days. */
export function subscriptionDayCost(microEurosPerMonth: bigint, daysInMonth: number): Exact {
  return (microEurosPerMonth * DEN) / BigInt(daysInMonth); // exact: DEN is a multiple of every month length
}

/** Rounded to the cent, half up. */
export function toCents(amount: Exact): bigint {
  const perCent = DEN * 10_000n;
  const sign = amount < 0n ? -1n : 1n;
  const abs = amount * sign;
  return sign * ((abs + perCent / 2n) / perCent);
}

/** Euros as a number with at most 2 decimals (for JSON): exact, since cents are integers. */
export function toEuros(amount: Exact): number {
  return Number(toCents(amount)) / 100;
}

/** "12.34 €"-style text without the sign of the currency. */
export function formatEuros(amount: Exact): string {
  const cents = toCents(amount);
  const neg = cents < 0n;
  const abs = neg ? -cents : cents;
  return `${neg ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

/** Energy in Wh, rounded to 0.001 Wh, halves away from zero (for display and JSON). */
export function toWh(energyMwms: bigint): number {
  const perMilli = MWMS_PER_WH / 1000n;
  const neg = energyMwms < 0n;
  const abs = neg ? -energyMwms : energyMwms;
  const milli = Number((abs + perMilli / 2n) / perMilli);
  return (neg ? -milli : milli) / 1000;
}

/** µ€ as euros text, for showing prices back ("0.2516"). */
export function formatPrice(microEuros: bigint): string {
  const s = String(microEuros).padStart(7, '0');
  return `${s.slice(0, -6)}.${s.slice(-6)}`.replace(/0+$/, '').replace(/\.$/, '.0');
}
