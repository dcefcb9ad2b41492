/**
 * The runner's share of the tariff sinks: once per run, the HP/HC energy and cost of the recent
 * days whose load curve is complete, from the store and the tariff settings, for the sinks
 * (RunOutcome.tariffDays). Never fails a run: a problem becomes a note in the report.
 */
import type { JeelinkyConfig } from '../plugin/config.js';
import type { LinkySession } from '../plugin/enedis/session.js';
import type { Reading } from '../plugin/readings.js';
import { ReadingsStore } from '../plugin/store/readings.js';
import type { StateStore } from '../plugin/store/state.js';
import { dayTariffs, isEmptyContext, loadTariffContext, type DayTariff, type TariffContext } from '../plugin/tariff/days.js';
import { addDays, localDay } from '../plugin/time/local.js';

/**
 * Days written again at every run: a late or corrected curve, a day completed later, or new
 * prices are caught within this window (older days: `jeelinky backfill --since`).
 */
export const TARIFF_RECENT_DAYS = 35;

export interface TariffRunSummary {
  /** Days with figures handed to the sinks. */
  days: number;
  from: string;
  to: string;
  windows: TariffContext['windowsSource'];
  plan: TariffContext['plan'];
  /** Contract fetches (0 or 1: only when it is not cached and the settings need it). */
  calls: number;
  /** Fallbacks worth knowing (contract refused or not fetched). */
  notes: string[];
  /** Why no figure at all could be computed (settings that do not parse…). */
  error?: string;
}

export interface TariffRunInput {
  config: JeelinkyConfig;
  usagePoint: string;
  now: Date;
  /** New or changed readings of this run: their days are covered whatever their age. */
  fresh: Reading[];
  /** First day of a forced re-delivery (backfill --since). */
  forcedSince?: string;
  paired: boolean;
  env?: NodeJS.ProcessEnv;
}

export async function computeRunTariffDays(session: LinkySession, store: StateStore, input: TariffRunInput): Promise<{ days: DayTariff[]; summary?: TariffRunSummary }> {
  try {
    return await compute(session, store, input);
  } catch (e) {
    const today = localDay(input.now, input.config.tz);
    return { days: [], summary: { days: 0, from: today, to: today, windows: 'none', plan: 'BASE', calls: 0, notes: [], error: `HP/HC and cost not computed: ${e instanceof Error ? e.message : String(e)}` } };
  }
}

async function compute(session: LinkySession, store: StateStore, input: TariffRunInput): Promise<{ days: DayTariff[]; summary?: TariffRunSummary }> {
  const today = localDay(input.now, input.config.tz);
  let from = addDays(today, -TARIFF_RECENT_DAYS);
  for (const r of input.fresh) if (r.kind === 'load_curve' && r.day < from) from = r.day;
  if (input.forcedSince && input.forcedSince < from) from = input.forcedSince;
  const to = addDays(today, 1);
  const curve = await new ReadingsStore(store).readings(input.usagePoint, 'load_curve', from, to);
  // No curve, no figures: and no reason to ask for the contract.
  if (curve.length === 0) return { days: [] };
  const notes: string[] = [];
  const loaded = await loadTariffContext(store, input.config, input.usagePoint, { session, paired: input.paired, env: input.env });
  const { context } = loaded;
  if (loaded.note) notes.push(loaded.note);
  // Nothing configured and no windows in a contract: not an error, the user simply does not use it.
  if (isEmptyContext(context)) return { days: [], summary: { days: 0, from, to: today, windows: context.windowsSource, plan: context.plan, calls: loaded.calls, notes } };
  const days = dayTariffs(curve, context);
  return { days, summary: { days: days.length, from, to: today, windows: context.windowsSource, plan: context.plan, calls: loaded.calls, notes } };
}
