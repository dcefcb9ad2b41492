/**
 * The runner's share of Tempo: whether Tempo is in use, and loading its colour calendar for a range
 * of days (plugin/tempo/calendar.ts does the requests and the cache). plugin/tariff stays pure: the
 * colours reach it as a `ColourOf`.
 *
 * Tempo is in use when any of these is set: the plan TEMPO (--plan, JEELINKY_CURRENT_PLAN), a Tempo
 * price (JEELINKY_PRICE_TEMPO_*, JEELINKY_SUBSCRIPTION_TEMPO or a tempo_* key of the price history),
 * JEELINKY_TEMPO_SOURCE or JEELINKY_TEMPO_FILE (or their config.json keys). Otherwise no request is
 * ever made to RTE.
 */
import { readSetting, type JeelinkyConfig } from '../config.js';
import type { SettingKey } from '../settings.js';
import type { Plan, PriceSchedule } from '../tariff/prices.js';
import { loadTempoCalendar, type TempoCalendar } from '../tempo/calendar.js';

export function tempoInUse(
  config: Pick<JeelinkyConfig, 'fileSettings'>,
  plan: Plan | undefined,
  prices: PriceSchedule,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (plan === 'TEMPO' || prices.hasTempo()) return true;
  const set = (key: SettingKey) => Boolean(readSetting<string>(key, undefined, config, (_n, raw) => raw.trim(), env));
  return set('tempoSource') || set('tempoFile');
}

/**
 * The colours of the Tempo days [from; to]. Never throws: a failed source (or a bad calendar
 * setting) comes back as `error`, the days it could not give in `missing`.
 */
export function loadCalendarFor(
  config: JeelinkyConfig,
  range: { from: string; to: string },
  now: Date,
  opts: { env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {},
): Promise<TempoCalendar> {
  return loadTempoCalendar({ config, days: range, now, env: opts.env, signal: opts.signal });
}

/** The one line a failed calendar adds to a command's notes or a run's report. */
export function calendarNote(cal: TempoCalendar): string | undefined {
  if (!cal.error) return undefined;
  return `Tempo calendar (${cal.source}) not available: ${cal.error.message}; the days it did not give have no colour`;
}
