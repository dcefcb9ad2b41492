/**
 * statisticsBetween over the two sources jeelinky knows, with the same answer when both hold the
 * same data:
 * - a Jeedom box: its own `cmd::getStatistique` over [start, end], the very primitive (history plus
 *   archive, 2-decimal cast) behind the scenario function statisticsBetween (docs/jeedom-api.md §5); the
 *   expressions are resolved here, as the scenario layer does, in the box's own timezone;
 * - the local readings store, offline: readings are turned into the points the Jeedom writer would
 *   store (plugin/jeedom/history.ts readingsToPoints: daily values at `<day> 12:00:00`, curves at
 *   the interval start, max power at its instant, the October repeated hour merged), then computed
 *   with plugin/stats/statistics.ts (pure; the series and calculations are in plugin/stats/sources.ts).
 */
import { ConfigError } from '../errors.js';
import type { JeedomClient } from '../jeedom/client.js';
import type { JeedomCmd } from '../jeedom/wire.js';
import { dayValuesToPoints, readingsToPoints } from '../jeedom/history.js';
import { resolveCmd } from '../jeedom/names.js';
import { loadVirtualDevice } from '../jeedom/virtual.js';
import {
  LOCAL_SERIES_NAMES,
  localSeries,
  parseCalc,
  type LocalSeries,
  type SourceOptions,
  type SourceStats,
  type TariffDaysSource,
} from '../stats/sources.js';
import {
  formatJeedomValue,
  HistoryIndex,
  resolveBound,
  statisticsBetween,
  type History,
  type HistoryPoint,
  type ResolvedBound,
} from '../stats/statistics.js';
import type { ReadingsStore } from '../store/readings.js';
import { addDays } from '../time/local.js';

/** Local store days that may hold points between two naive datetimes (readings carry Paris days). */
function dayWindow(start: ResolvedBound, end: ResolvedBound): [string, string] | undefined {
  if (end.local < start.local) return undefined;
  // A margin of two days covers any zone's offset from the readings' Europe/Paris day; the clamp
  // keeps "@0" or "+100 years" from reading thousands of absent month files.
  const from = addDays(start.local.slice(0, 10), -2);
  const to = addDays(end.local.slice(0, 10), 3);
  const lo = from < '2000-01-01' ? '2000-01-01' : from;
  const hi = to > '2100-01-01' ? '2100-01-01' : to;
  return lo < hi ? [lo, hi] : undefined;
}

/** A series of the local store over the days [fromDay, toDay[, as the Jeedom writer would store it. */
export interface SeriesRange {
  store: ReadingsStore;
  usagePoint: string;
  series: LocalSeries;
  fromDay: string;
  toDay: string;
  tz: string;
  /** Time of day of daily values (default `12:00:00`, as the writer). */
  dailyTime?: string;
  /** Needed by the tariff series (HP/HC, costs), computed from the tariff settings. */
  tariffDays?: TariffDaysSource;
}

/** The points the Jeedom writer stores for a series, over the days [fromDay, toDay[. */
export async function localSeriesPoints({
  store,
  usagePoint,
  series,
  fromDay,
  toDay,
  tz,
  dailyTime,
  tariffDays,
}: SeriesRange): Promise<HistoryPoint[]> {
  if (series.tariff) {
    if (!tariffDays)
      throw new ConfigError(`${series.logicalId} is computed from the tariff settings: pass a TariffDaysSource`, 'bad_series');
    const field = series.tariff;
    const values = (await tariffDays(usagePoint, fromDay, toDay)).flatMap((d) =>
      d[field] === null ? [] : [{ logicalId: series.logicalId, day: d.day, value: d[field]! }],
    );
    return dayValuesToPoints(values, tz, dailyTime).map((p) => ({ datetime: p.datetime, value: p.value }));
  }
  const readings = await store.readings(usagePoint, series.kind, fromDay, toDay);
  return readingsToPoints(readings, tz, dailyTime)
    .points.filter((p) => p.logicalId === series.logicalId)
    .map((p) => ({ datetime: p.datetime, value: p.value }));
}

/** First day of the month after `day`'s month. */
function nextMonthStart(day: string): string {
  const [y, m] = day.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}

/** Indexed series of this process, keyed by what they were built from; a few, the latest used last. */
const indexCache = new Map<string, { version: string; index: HistoryIndex }>();
const INDEX_CACHE_SIZE = 8;

/**
 * The history of a store series over whole months covering the days [fromDay; toDay[, indexed
 * once per content of those month files (ReadingsStore.contentVersion): a later question about
 * the same months is answered from the index, and any write to them builds it again. Tariff series
 * depend on more than the store's months (settings, contract cache): those are read every time.
 */
async function localSeriesHistory(range: SeriesRange): Promise<History> {
  const { store, usagePoint, series, fromDay, toDay, tz, dailyTime } = range;
  if (series.tariff) return localSeriesPoints(range);
  // Whole months: questions about the same months share one index. The extra days only add points
  // outside the asked range, which the naive-datetime bounds leave out.
  const from = `${fromDay.slice(0, 7)}-01`;
  const to = toDay.endsWith('-01') ? toDay : nextMonthStart(toDay);
  let version: string;
  try {
    version = store.contentVersion(usagePoint, series.kind, from, to); // before reading: never newer than the data
  } catch {
    // Unreadable state folder: the plain read below reports it properly.
    return localSeriesPoints({ ...range, tariffDays: undefined });
  }
  // The version names the month files, so another state folder never matches an entry.
  const key = JSON.stringify([usagePoint, series.logicalId, from, to, tz, dailyTime ?? '']);
  const hit = indexCache.get(key);
  indexCache.delete(key);
  if (hit && hit.version === version) {
    indexCache.set(key, hit);
    return hit.index;
  }
  const index = new HistoryIndex(await localSeriesPoints({ ...range, fromDay: from, toDay: to, tariffDays: undefined }), tz);
  indexCache.set(key, { version, index });
  if (indexCache.size > INDEX_CACHE_SIZE) indexCache.delete(indexCache.keys().next().value!);
  return index;
}

/** The question asked of the local store: which series, which calculation, between which expressions. */
export type LocalStatsQuestion = [
  store: ReadingsStore,
  usagePoint: string,
  name: string,
  calc: string,
  start: string,
  end: string,
  opts: LocalStatsOptions,
];

export type LocalStatsOptions = SourceOptions & { tz: string; dailyTime?: string; tariffDays?: TariffDaysSource };

/**
 * statisticsBetween over the local store, in `tz` (the zone the box would have). Sum, avg, min,
 * max, count and last come from an index of the series kept while the store's month files are
 * unchanged (see localSeriesHistory); std and variance scan the points.
 */
export async function localStatisticsBetween(...question: LocalStatsQuestion): Promise<SourceStats> {
  return localStats(question, true);
}

/**
 * The same question answered as before the index existed: the range's points read from the store
 * and scanned on every call. The reference that localStatisticsBetween is tested and benched against.
 */
export async function localStatisticsBetweenByScan(...question: LocalStatsQuestion): Promise<SourceStats> {
  return localStats(question, false);
}

async function localStats([store, usagePoint, name, calc, start, end, opts]: LocalStatsQuestion, indexed: boolean): Promise<SourceStats> {
  const series = localSeries(name);
  if (!series) {
    throw new ConfigError(
      `"${name}" is not a series of the local store: use one of ${LOCAL_SERIES_NAMES.join(', ')} (Jeedom names and ids need --source jeedom)`,
      'bad_series',
    );
  }
  const key = parseCalc(calc);
  const s = resolveBound(start, { now: opts.now, tz: opts.tz });
  const e = resolveBound(end, { now: opts.now, tz: opts.tz });
  const window = dayWindow(s, e);
  const read = indexed ? localSeriesHistory : localSeriesPoints;
  const points = window
    ? await read({
        store,
        usagePoint,
        series,
        fromDay: window[0],
        toDay: window[1],
        tz: opts.tz,
        dailyTime: opts.dailyTime,
        tariffDays: opts.tariffDays,
      })
    : [];
  const r = statisticsBetween(points, key, new Date(Date.parse(s.iso)), new Date(Date.parse(e.iso)), { now: opts.now, tz: opts.tz });
  return { calc: key, text: r.text, count: r.count, start: s, end: e, timezone: opts.tz, unit: series.unit, series: series.logicalId };
}

/**
 * The Jeedom command a name designates: `#[Objet][Équipement][Commande]#`, a numeric id, or a local
 * series name, looked up by logicalId in the PDL's virtual device.
 */
export async function resolveStatsCmd(
  client: JeedomClient,
  name: string,
  usagePoint?: string,
): Promise<{ cmd: JeedomCmd; humanName: string }> {
  const series = localSeries(name);
  if (series) {
    if (!usagePoint) {
      throw new ConfigError(
        `"${name}" names a command of jeelinky's virtual device: give the PDL (--usage-point or JEELINKY_USAGE_POINT_ID), or name the command as #[Objet][Équipement][Commande]#`,
        'usage_point',
      );
    }
    const device = await loadVirtualDevice(client, usagePoint);
    const cmd = device.cmds.get(series.logicalId);
    if (!cmd)
      throw new ConfigError(`${device.humanName} has no ${series.logicalId} command: run "jeelinky jeedom setup"`, 'jeedom_cmd_missing');
    return { cmd, humanName: `#${device.humanName}[${cmd.name}]#` };
  }
  const r = await resolveCmd(client, name);
  return { cmd: r.cmd, humanName: r.humanName };
}

/** statisticsBetween computed by the box itself (`cmd::getStatistique`), bounds resolved in its zone. */
export async function jeedomStatisticsBetween(
  client: JeedomClient,
  name: string,
  calc: string,
  start: string,
  end: string,
  opts: SourceOptions & { usagePoint?: string },
): Promise<SourceStats> {
  const key = parseCalc(calc);
  const tz = await client.timezone();
  // Bounds first: an unparseable expression is refused before any other request.
  const s = resolveBound(start, { now: opts.now, tz });
  const e = resolveBound(end, { now: opts.now, tz });
  const { cmd, humanName } = await resolveStatsCmd(client, name, opts.usagePoint);
  const base = { calc: key, start: s, end: e, timezone: tz, unit: cmd.unite, series: humanName };
  // scenarioExpression::statisticsBetween answers '' for a command that is not historised.
  if (cmd.type !== 'info' || !cmd.isHistorized) return { ...base, text: '', count: 0, notHistorized: true };
  const stats = await client.statistique(cmd.id, s.local, e.local);
  const v = stats[key];
  return { ...base, text: v === null || v === undefined ? '' : formatJeedomValue(key, v), count: stats.count };
}
