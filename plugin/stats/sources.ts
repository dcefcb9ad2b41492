/**
 * statisticsBetween over the two sources jeelinky knows, with the same answer when both hold the
 * same data:
 * - a Jeedom box: its own `cmd::getStatistique` over [start, end], the very primitive (history plus
 *   archive, 2-decimal cast) behind the scenario function statisticsBetween (reference §5); the
 *   expressions are resolved here, as the scenario layer does, in the box's own timezone;
 * - the local readings store, offline: readings are turned into the points the Jeedom writer would
 *   store (plugin/jeedom/history.ts readingsToPoints: daily values at `<day> 12:00:00`, curves at
 *   the interval start, max power at its instant, the October repeated hour merged), then computed
 *   with plugin/stats/statistics.ts.
 */
import { ConfigError, JeelinkyError, ExitCode } from '../errors.js';
import type { JeedomClient, JeedomCmd } from '../jeedom/client.js';
import { dayValuesToPoints, readingsToPoints } from '../jeedom/history.js';
import { resolveCmd } from '../jeedom/names.js';
import { loadVirtualDevice } from '../jeedom/virtual.js';
import type { ReadingKind } from '../readings.js';
import type { ReadingsStore } from '../store/readings.js';
import type { DayTariff } from '../tariff/days.js';
import { addDays } from '../time/local.js';
import { phpFloatToString } from './decimal.js';
import { formatJeedomValue, HistoryIndex, resolveBound, STAT_CALCS, statisticsBetween, type History, type HistoryPoint, type ResolvedBound, type StatCalc } from './statistics.js';

/** A series of the local store, named by the logicalId of the Jeedom command that holds it. */
export interface LocalSeries {
  /** logicalId of the virtual device's command (also the name accepted on the command line). */
  logicalId: string;
  kind: ReadingKind;
  unit: 'Wh' | 'W' | 'VA' | '€';
  /** A figure the tariff derives from each complete day of load curve (see TariffDaysSource). */
  tariff?: 'hpWh' | 'hcWh' | 'cost';
}

/** The tariff's day figures over [fromDay; toDay[ (plugin/tariff/days.ts storedDayTariffs). */
export type TariffDaysSource = (usagePoint: string, fromDay: string, toDay: string) => Promise<DayTariff[]>;

export const LOCAL_SERIES: readonly LocalSeries[] = [
  { logicalId: 'daily_consumption', kind: 'daily_consumption', unit: 'Wh' },
  { logicalId: 'max_power', kind: 'max_power', unit: 'VA' },
  { logicalId: 'load_curve_power', kind: 'load_curve', unit: 'W' },
  { logicalId: 'load_curve_energy', kind: 'load_curve', unit: 'Wh' },
  { logicalId: 'daily_production', kind: 'daily_production', unit: 'Wh' },
  { logicalId: 'production_load_curve_power', kind: 'production_load_curve', unit: 'W' },
  { logicalId: 'production_load_curve_energy', kind: 'production_load_curve', unit: 'Wh' },
  // Written by the Jeedom sink at <day> 12:00:00 for complete days only (plugin/tariff/days.ts).
  { logicalId: 'hp_energy', kind: 'load_curve', unit: 'Wh', tariff: 'hpWh' },
  { logicalId: 'hc_energy', kind: 'load_curve', unit: 'Wh', tariff: 'hcWh' },
  { logicalId: 'cost', kind: 'load_curve', unit: '€', tariff: 'cost' },
];

/** A curve's reading kind names its `value` field: the average power. */
const KIND_ALIASES: Record<string, string> = {
  load_curve: 'load_curve_power',
  production_load_curve: 'production_load_curve_power',
};

export const LOCAL_SERIES_NAMES = [...LOCAL_SERIES.map((s) => s.logicalId), ...Object.keys(KIND_ALIASES)];

/** The local series a name designates (logicalId or reading kind), or undefined. */
export function localSeries(name: string): LocalSeries | undefined {
  const id = KIND_ALIASES[name] ?? name;
  return LOCAL_SERIES.find((s) => s.logicalId === id);
}

export function isStatCalc(calc: string): calc is StatCalc {
  return (STAT_CALCS as readonly string[]).includes(calc);
}

/**
 * The calculation as Jeedom reads it (spaces removed); anything Jeedom does not know is refused
 * here, where Jeedom would silently answer ''.
 */
export function parseCalc(calc: string): StatCalc {
  const key = calc.replace(/ /g, '');
  if (!isStatCalc(key)) {
    throw new JeelinkyError(`unknown calculation "${calc}": use one of ${STAT_CALCS.join(', ')} (as Jeedom's statisticsBetween, lower case)`, {
      code: 'bad_calc',
      exitCode: ExitCode.USAGE,
    });
  }
  return key;
}

export type StatsUnit = 'Wh' | 'kWh';

export interface SourceStats {
  calc: StatCalc;
  /** The value as statisticsBetween gives it (see formatJeedomValue), '' when Jeedom gives ''. */
  text: string;
  /** Rows of the range (0 for a command Jeedom does not historise). */
  count: number;
  start: ResolvedBound;
  end: ResolvedBound;
  /** Zone the expressions were resolved in (the box's for Jeedom). */
  timezone: string;
  /** Unit of the series as stored (Wh, W, VA; '' when Jeedom does not say). */
  unit: string;
  /** What was asked, readable: the Jeedom human name or the local series. */
  series: string;
  /** Set when Jeedom gives '' because the command is not historised. */
  notHistorized?: boolean;
}

export interface SourceOptions {
  /** Reference time of the expressions. */
  now: Date | number;
}

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

/** The points the Jeedom writer stores for a series, over the days [fromDay, toDay[. */
export async function localSeriesPoints(
  store: ReadingsStore,
  usagePoint: string,
  series: LocalSeries,
  fromDay: string,
  toDay: string,
  tz: string,
  dailyTime?: string,
  tariffDays?: TariffDaysSource,
): Promise<HistoryPoint[]> {
  if (series.tariff) {
    if (!tariffDays) throw new ConfigError(`${series.logicalId} is computed from the tariff settings: pass a TariffDaysSource`, 'bad_series');
    const field = series.tariff;
    const values = (await tariffDays(usagePoint, fromDay, toDay)).flatMap((d) => (d[field] === null ? [] : [{ logicalId: series.logicalId, day: d.day, value: d[field]! }]));
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
async function localSeriesHistory(
  store: ReadingsStore,
  usagePoint: string,
  series: LocalSeries,
  fromDay: string,
  toDay: string,
  tz: string,
  dailyTime?: string,
  tariffDays?: TariffDaysSource,
): Promise<History> {
  if (series.tariff) return localSeriesPoints(store, usagePoint, series, fromDay, toDay, tz, dailyTime, tariffDays);
  // Whole months: questions about the same months share one index. The extra days only add points
  // outside the asked range, which the naive-datetime bounds leave out.
  const from = `${fromDay.slice(0, 7)}-01`;
  const to = toDay.endsWith('-01') ? toDay : nextMonthStart(toDay);
  let version: string;
  try {
    version = store.contentVersion(usagePoint, series.kind, from, to); // before reading: never newer than the data
  } catch {
    // Unreadable state folder: the plain read below reports it properly.
    return localSeriesPoints(store, usagePoint, series, fromDay, toDay, tz, dailyTime);
  }
  // The version names the month files, so another state folder never matches an entry.
  const key = JSON.stringify([usagePoint, series.logicalId, from, to, tz, dailyTime ?? '']);
  const hit = indexCache.get(key);
  indexCache.delete(key);
  if (hit && hit.version === version) {
    indexCache.set(key, hit);
    return hit.index;
  }
  const index = new HistoryIndex(await localSeriesPoints(store, usagePoint, series, from, to, tz, dailyTime), tz);
  indexCache.set(key, { version, index });
  if (indexCache.size > INDEX_CACHE_SIZE) indexCache.delete(indexCache.keys().next().value!);
  return index;
}

/**
 * statisticsBetween over the local store, in `tz` (the zone the box would have). Sum, avg, min,
 * max, count and last come from an index of the series kept while the store's month files are
 * unchanged (see localSeriesHistory); std and variance scan the points.
 */
export async function localStatisticsBetween(
  store: ReadingsStore,
  usagePoint: string,
  name: string,
  calc: string,
  start: string,
  end: string,
  opts: LocalStatsOptions,
): Promise<SourceStats> {
  return localStats(store, usagePoint, name, calc, start, end, opts, true);
}

/**
 * The same question answered as before the index existed: the range's points read from the store
 * and scanned on every call. The reference that localStatisticsBetween is tested and benched against.
 */
export async function localStatisticsBetweenByScan(
  store: ReadingsStore,
  usagePoint: string,
  name: string,
  calc: string,
  start: string,
  end: string,
  opts: LocalStatsOptions,
): Promise<SourceStats> {
  return localStats(store, usagePoint, name, calc, start, end, opts, false);
}

export type LocalStatsOptions = SourceOptions & { tz: string; dailyTime?: string; tariffDays?: TariffDaysSource };

async function localStats(
  store: ReadingsStore,
  usagePoint: string,
  name: string,
  calc: string,
  start: string,
  end: string,
  opts: LocalStatsOptions,
  indexed: boolean,
): Promise<SourceStats> {
  const series = localSeries(name);
  if (!series) {
    throw new ConfigError(`"${name}" is not a series of the local store: use one of ${LOCAL_SERIES_NAMES.join(', ')} (Jeedom names and ids need --source jeedom)`, 'bad_series');
  }
  const key = parseCalc(calc);
  const s = resolveBound(start, { now: opts.now, tz: opts.tz });
  const e = resolveBound(end, { now: opts.now, tz: opts.tz });
  const window = dayWindow(s, e);
  const read = indexed ? localSeriesHistory : localSeriesPoints;
  const points = window ? await read(store, usagePoint, series, window[0], window[1], opts.tz, opts.dailyTime, opts.tariffDays) : [];
  const r = statisticsBetween(points, key, new Date(Date.parse(s.iso)), new Date(Date.parse(e.iso)), { now: opts.now, tz: opts.tz });
  return { calc: key, text: r.text, count: r.count, start: s, end: e, timezone: opts.tz, unit: series.unit, series: series.logicalId };
}

/**
 * The Jeedom command a name designates: `#[Objet][Équipement][Commande]#`, a numeric id, or a local
 * series name, looked up by logicalId in the PDL's virtual device.
 */
export async function resolveStatsCmd(client: JeedomClient, name: string, usagePoint?: string): Promise<{ cmd: JeedomCmd; humanName: string }> {
  const series = localSeries(name);
  if (series) {
    if (!usagePoint) {
      throw new ConfigError(`"${name}" names a command of jeelinky's virtual device: give the PDL (--usage-point or JEELINKY_USAGE_POINT_ID), or name the command as #[Objet][Équipement][Commande]#`, 'usage_point');
    }
    const device = await loadVirtualDevice(client, usagePoint);
    const cmd = device.cmds.get(series.logicalId);
    if (!cmd) throw new ConfigError(`${device.humanName} has no ${series.logicalId} command: run "jeelinky jeedom setup"`, 'jeedom_cmd_missing');
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

/**
 * The value in kWh as a Jeedom scenario computes `statisticsBetween(...)/1000`: Jeedom's figure
 * (already rounded by its 2-decimal cast) divided by 1000 and printed as PHP prints a float (14
 * significant digits), e.g. "12345.67" → "12.34567". count is a number of rows and is unchanged;
 * variance, in Wh², is divided by 1000².
 */
export function toKwhText(calc: StatCalc, text: string): string {
  if (text === '' || calc === 'count') return text;
  const n = Number(text);
  if (!Number.isFinite(n)) return text;
  return phpFloatToString(calc === 'variance' ? n / 1_000_000 : n / 1000);
}
