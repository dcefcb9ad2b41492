/**
 * The runner's share of the tariff sinks: once per run, the HP/HC energy and cost of the recent
 * days whose load curve is complete, from the store and the tariff settings, for the sinks
 * (RunOutcome.tariffDays). Never fails a run: a problem becomes a note in the report.
 */
import type { JeelinkyConfig } from '../config.js';
import type { LinkySession } from '../enedis/session.js';
import type { Reading } from '../readings.js';
import { ReadingsStore } from '../store/readings.js';
import type { StateStore } from '../store/state.js';
import type { TempoRunFigures } from '../sinks/sink.js';
import { dayTariffs, isEmptyContext, tempoDayTariffs, type DayTariff, type TariffContext } from '../tariff/days.js';
import { cachedTariffContext, loadTariffContext } from './tariff-context.js';
import { seasonCounts } from '../tempo/calendar.js';
import { seasonOf } from '../tempo/colours.js';
import { RTE_TZ } from '../tempo/sources.js';
import { addDays, localDay } from '../time/local.js';
import { calendarNote, loadCalendarFor, tempoInUse } from './tempo-calendar.js';

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
  /** Only when Tempo is in use: the calendar's source and the Tempo days handed to the sinks. */
  tempo?: { source: string; calls: number; days: number };
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

export interface RunTariffFigures {
  days: DayTariff[];
  /** The context the figures come from, for the deliveries' figures (absent: nothing configured, or an error). */
  context?: TariffContext;
  tempo?: TempoRunFigures;
  summary?: TariffRunSummary;
}

export async function computeRunTariffDays(session: LinkySession, store: StateStore, input: TariffRunInput): Promise<RunTariffFigures> {
  try {
    return await compute(session, store, input);
  } catch (e) {
    const today = localDay(input.now, input.config.tz);
    return {
      days: [],
      summary: {
        days: 0,
        from: today,
        to: today,
        windows: 'none',
        plan: 'BASE',
        calls: 0,
        notes: [],
        error: `HP/HC and cost not computed: ${e instanceof Error ? e.message : String(e)}`,
      },
    };
  }
}

async function compute(session: LinkySession, store: StateStore, input: TariffRunInput): Promise<RunTariffFigures> {
  const today = localDay(input.now, input.config.tz);
  let from = addDays(today, -TARIFF_RECENT_DAYS);
  for (const r of input.fresh) if (r.kind === 'load_curve' && r.day < from) from = r.day;
  if (input.forcedSince && input.forcedSince < from) from = input.forcedSince;
  const to = addDays(today, 1);
  const curve = await new ReadingsStore(store).readings(input.usagePoint, 'load_curve', from, to);
  // No curve, no figures: and no reason to ask for the contract (older pending days use the cached one).
  if (curve.length === 0) {
    return { days: [], context: await cachedTariffContext(store, input.config, input.usagePoint, input.env) };
  }
  const notes: string[] = [];
  const loaded = await loadTariffContext(store, input.config, input.usagePoint, { session, paired: input.paired, env: input.env });
  const { context } = loaded;
  if (loaded.note) notes.push(loaded.note);
  // Nothing configured and no windows in a contract: not an error, the user simply does not use it.
  // Tempo: the calendar once for the run (never failing it), for `cost` under TEMPO and the Tempo figures.
  let tempo: TempoRunFigures | undefined;
  let tempoSummary: TariffRunSummary['tempo'];
  if (tempoInUse(input.config, context.plan, context.prices, input.env)) {
    const rteToday = localDay(input.now, RTE_TZ);
    const season = seasonOf(rteToday);
    const seasonFirst = `${season.slice(0, 4)}-09-01`;
    const cal = await loadCalendarFor(
      input.config,
      { from: [addDays(from, -1), seasonFirst].sort()[0]!, to: addDays(rteToday, 1) },
      input.now,
      { env: input.env },
    );
    const note = calendarNote(cal);
    if (note) notes.push(note);
    context.colourOf = cal.colourOf;
    const counts = seasonCounts(cal.colourOf, season, rteToday);
    tempo = {
      days: tempoDayTariffs(curve, cal.colourOf, context.prices, context.tz),
      today: { day: rteToday, colour: cal.colourOf(rteToday) ?? null },
      tomorrow: { day: addDays(rteToday, 1), colour: cal.colourOf(addDays(rteToday, 1)) ?? null },
      redLeft: counts.red.remaining,
      whiteLeft: counts.white.remaining,
      season,
      tz: context.tz,
    };
    tempoSummary = { source: cal.source, calls: cal.calls, days: tempo.days.length };
  }
  if (isEmptyContext(context) && !tempo)
    return {
      days: [],
      summary: { days: 0, from, to: today, windows: context.windowsSource, plan: context.plan, calls: loaded.calls, notes },
    };
  const days = isEmptyContext(context) ? [] : dayTariffs(curve, context);
  return {
    days,
    tempo,
    context: isEmptyContext(context) ? undefined : context,
    summary: {
      days: days.length,
      from,
      to: today,
      windows: context.windowsSource,
      plan: context.plan,
      calls: loaded.calls,
      notes,
      ...(tempoSummary ? { tempo: tempoSummary } : {}),
    },
  };
}
