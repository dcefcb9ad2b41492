/**
 * The Tempo colour calendar: which colour each Tempo day has, from RTE (or the user's file), cached
 * in the state directory.
 *
 * Public API (everything else in plugin/tempo/ is an implementation detail):
 *
 *   loadTempoCalendar({ config, days, now, signal?, env? })
 *     → Promise<{ colourOf, missing, error?, source, calls }>
 *       `days`: the Tempo days wanted (YYYY-MM-DD list, or {from, to} inclusive);
 *       `colourOf(day)`: the colour of a Tempo day (the 06:00 → 06:00 day named by its start date),
 *         for every day known (wanted or cached), else undefined;
 *       `missing`: the wanted days without a colour (not published yet, or the source failed);
 *       `error`: {code, message, exitCode} when the source failed (75: temporary, 78: a setting to fix);
 *         a failed source never throws: what is known is still answered;
 *       `source`: rte | rte-api | file (+ "+file" when the user's file corrects it); `calls`: requests made.
 *   seasonCounts(colourOf, season, today) → used and remaining red and white days of a season.
 *
 * Rules: a colour once known is never asked again (a published colour never changes); only days
 * not known are asked; tomorrow's colour is asked only from 10:30 Paris time (when RTE publishes it,
 * binding; the 08:00 pre-announcement is not used); days after that are never asked; a round of
 * requests that left days unknown is not repeated within 15 minutes. The user's file
 * (JEELINKY_TEMPO_FILE) wins over every source and is read on every call, never cached.
 */
import { z } from 'zod';
import type { JeelinkyConfig } from '../config.js';
import { isJeelinkyError } from '../errors.js';
import { StateStore } from '../store/state.js';
import { addDays, eachDay, isDay, localDay } from '../time/local.js';
import { SEASON_QUOTA, seasonBounds, TEMPO_COLOURS, type ColourOf, type TempoColour } from './colours.js';
import { resolveTempoSettings, type TempoSettings } from './settings.js';
import { makeSource, readCalendarFile, RTE_TZ } from './sources.js';

/** RTE publishes tomorrow's binding colour at 10:30 (Paris time). */
export const PUBLICATION_TIME = '10:30';
/** Least time between two rounds of requests that left days unknown. */
export const RETRY_QUIET_MS = 15 * 60 * 1000;
const CACHE_KEY = 'tempo-calendar';

const cacheSchema = z.object({
  /** Colours RTE published, by Tempo day. */
  days: z.record(z.string(), z.enum(TEMPO_COLOURS)),
  /** Until when no request is made again for days still unknown (ISO instant). */
  quietUntil: z.string().optional(),
  /** The source these colours came from, so that a change of source is not blocked by the quiet time. */
  source: z.string().optional(),
});
type Cache = z.infer<typeof cacheSchema>;

export interface TempoCalendar {
  colourOf: ColourOf;
  missing: string[];
  error?: { code: string; message: string; exitCode: number };
  source: string;
  calls: number;
}

export interface LoadTempoOptions {
  config: Pick<JeelinkyConfig, 'fileSettings' | 'stateDir' | 'userAgent' | 'timeoutMs' | 'paceMs' | 'retryBaseMs'>;
  /** Defaults to config.stateDir. */
  stateDir?: string;
  days: string[] | { from: string; to: string };
  now: Date;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

/** The last Tempo day whose colour can be known at `now`: tomorrow from 10:30 Paris time, else today. */
export function lastPublishedDay(now: Date): string {
  const today = localDay(now, RTE_TZ);
  const clock = new Intl.DateTimeFormat('en-GB', { timeZone: RTE_TZ, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(now);
  return clock >= PUBLICATION_TIME ? addDays(today, 1) : today;
}

function wantedDays(days: LoadTempoOptions['days']): string[] {
  const list = Array.isArray(days) ? days : days.from <= days.to ? eachDay(days.from, addDays(days.to, 1)) : [];
  return [...new Set(list.filter(isDay))].sort();
}

export async function loadTempoCalendar(opts: LoadTempoOptions): Promise<TempoCalendar> {
  const wanted = wantedDays(opts.days);
  let settings: TempoSettings;
  try {
    settings = resolveTempoSettings(opts.config, opts.env);
  } catch (e) {
    return failed(wanted, new Map(), 'none', 0, e);
  }
  const known = new Map<string, TempoColour>();
  // The user's corrections: read first, so that a bad file is reported even when RTE is down.
  let corrections = new Map<string, TempoColour>();
  const sourceName = settings.source === 'file' || !settings.file ? settings.source : `${settings.source}+file`;
  if (settings.file) {
    try {
      corrections = readCalendarFile(settings.file);
    } catch (e) {
      return failed(wanted, known, sourceName, 0, e);
    }
  }
  if (settings.source === 'file') {
    for (const [d, c] of corrections) known.set(d, c);
    return answer(wanted, known, sourceName, 0);
  }

  let store: StateStore;
  let cache: Cache;
  try {
    store = await StateStore.open(opts.stateDir ?? opts.config.stateDir);
    cache = (await store.read(CACHE_KEY, cacheSchema)) ?? { days: {} };
  } catch (e) {
    return failed(wanted, corrections, sourceName, 0, e);
  }
  const sourceKey = `${settings.source} ${settings.url}`;
  if (cache.source !== undefined && cache.source !== sourceKey) delete cache.quietUntil;
  for (const [d, c] of Object.entries(cache.days)) known.set(d, c);

  const last = lastPublishedDay(opts.now);
  const toAsk = wanted.filter((d) => d <= last && !known.has(d) && !corrections.has(d));
  const quiet = cache.quietUntil !== undefined && opts.now.getTime() < Date.parse(cache.quietUntil);
  let error: unknown;
  const source = makeSource(settings, { config: opts.config, signal: opts.signal });
  if (toAsk.length && !quiet) {
    let got = new Map<string, TempoColour>();
    try {
      got = await source.fetch(toAsk);
    } catch (e) {
      error = e;
    }
    // Only colours RTE can have made binding by now are kept (never a pre-announcement).
    for (const [d, c] of got) if (d <= last) (cache.days[d] = c), known.set(d, c);
    const stillUnknown = toAsk.some((d) => !known.has(d));
    const actionNeeded = isJeelinkyError(error) && error.exitCode === 78;
    // A setting to fix is asked again as soon as the user runs again; anything else waits.
    cache.quietUntil = stillUnknown && !actionNeeded ? new Date(opts.now.getTime() + RETRY_QUIET_MS).toISOString() : undefined;
    cache.source = sourceKey;
    try {
      await store.write(CACHE_KEY, { ...cache, days: Object.fromEntries(Object.entries(cache.days).sort()) });
    } catch (e) {
      error ??= e;
    }
  }
  for (const [d, c] of corrections) known.set(d, c);
  return error === undefined ? answer(wanted, known, sourceName, source.calls) : failed(wanted, known, sourceName, source.calls, error);
}

function answer(wanted: string[], known: Map<string, TempoColour>, source: string, calls: number): TempoCalendar {
  return { colourOf: (day) => known.get(day), missing: wanted.filter((d) => !known.has(d)), source, calls };
}

function failed(wanted: string[], known: Map<string, TempoColour>, source: string, calls: number, e: unknown): TempoCalendar {
  const error = isJeelinkyError(e)
    ? { code: e.code, message: e.message, exitCode: e.exitCode }
    : { code: 'tempo_failed', message: `the Tempo calendar failed: ${e instanceof Error ? e.message : String(e)}`, exitCode: 1 };
  return { ...answer(wanted, known, source, calls), error };
}

export interface ColourCount {
  quota: number;
  /** Days of the season up to tomorrow (when known) with this colour. */
  used: number;
  remaining: number;
}

export interface SeasonCounts {
  season: string;
  red: ColourCount;
  white: ColourCount;
  blue: { used: number };
  /** Days of the season up to `today` whose colour is not known: the counts may be short by as many. */
  unknown: number;
}

/**
 * Red and white days placed and left in `season` ("2023-2024") as of `today`: a day counts once its
 * colour is known, up to tomorrow (RTE's own counters include tomorrow from 10:30).
 */
export function seasonCounts(colourOf: ColourOf, season: string, today: string): SeasonCounts {
  const { first, last } = seasonBounds(season);
  const end = [addDays(today, 1), last].sort()[0]!;
  const used: Record<TempoColour, number> = { BLUE: 0, WHITE: 0, RED: 0 };
  let unknown = 0;
  for (const day of first <= end ? eachDay(first, addDays(end, 1)) : []) {
    const c = colourOf(day);
    if (c) used[c]++;
    else if (day <= today) unknown++;
  }
  const count = (c: 'RED' | 'WHITE'): ColourCount => ({
    quota: SEASON_QUOTA[c],
    used: used[c],
    remaining: Math.max(0, SEASON_QUOTA[c] - used[c]),
  });
  return { season, red: count('RED'), white: count('WHITE'), blue: { used: used.BLUE }, unknown };
}
