/**
 * What the local store offers statisticsBetween, pure: the series (named by the logicalId of the
 * Jeedom command that holds them), the calculations Jeedom knows, the result's shape and the kWh
 * display. Reading the store or asking a Jeedom box is the runner's business:
 * plugin/runner/stats.ts (localStatisticsBetween, jeedomStatisticsBetween).
 */
import { JeelinkyError, ExitCode } from '../errors.js';
import type { ReadingKind } from '../readings.js';
import type { DayTariff } from '../tariff/days.js';
import { phpFloatToString } from './decimal.js';
import { STAT_CALCS, type ResolvedBound, type StatCalc } from './statistics.js';

/** A series of the local store, named by the logicalId of the Jeedom command that holds it. */
export interface LocalSeries {
  /** logicalId of the virtual device's command (also the name accepted on the command line). */
  logicalId: string;
  kind: ReadingKind;
  unit: 'Wh' | 'W' | 'VA' | '€';
  /** A figure the tariff derives from each complete day of load curve (see TariffDaysSource). */
  tariff?: 'hpWh' | 'hcWh' | 'cost';
}

/** The tariff's day figures over [fromDay; toDay[ (plugin/runner/tariff-context.ts storedDayTariffs). */
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
    throw new JeelinkyError(
      `unknown calculation "${calc}": use one of ${STAT_CALCS.join(', ')} (as Jeedom's statisticsBetween, lower case)`,
      {
        code: 'bad_calc',
        exitCode: ExitCode.USAGE,
      },
    );
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
