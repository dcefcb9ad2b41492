/**
 * Reads what a report needs from the readings store (no API call) and settles its range:
 * by default the last 12 months the store holds, starting at the first stored day when the store
 * holds less.
 */
import moment from 'moment-timezone';
import { ConfigError, ExitCode, JeelinkyError } from '../errors.js';
import { READING_KINDS, type Reading, type ReadingKind } from '../readings.js';
import type { ReadingsStore } from '../store/readings.js';
import { addDays } from '../time/local.js';
import type { ReportInput, ReportTariffInput } from './model.js';

/** Nothing to draw: the store is empty for this PDL, or the range holds no reading. */
export class NoReportDataError extends JeelinkyError {
  constructor(message: string, code = 'no_data') {
    super(message, { code, exitCode: ExitCode.ACTION_NEEDED });
  }
}

export interface ReportRangeOptions {
  /** First day (YYYY-MM-DD) or undefined for the default range. */
  since?: string;
  /** Last day included (YYYY-MM-DD) or undefined for the newest stored day. */
  until?: string;
  /** Today in the meter's zone: the newest stored day is searched backwards from it. */
  today: string;
  /** How far back the newest stored day is searched, in months (default 40). */
  monthsBack?: number;
}

export interface LoadedReport {
  input: Omit<ReportInput, 'generatedAt'>;
  /** The newest day with a reading of any kind. */
  lastStoredDay: string;
}

const addMonths = (day: string, n: number) => moment.utc(day, 'YYYY-MM-DD', true).add(n, 'months').format('YYYY-MM-DD');

export async function loadReportInput(
  store: ReadingsStore,
  usagePoint: string,
  tz: string,
  range: ReportRangeOptions,
  extras: { subscribedPowerVa?: number; tariff?: ReportTariffInput } = {},
): Promise<LoadedReport> {
  let lastStoredDay: string | undefined;
  for (const kind of READING_KINDS) {
    const last = await store.lastDayWithData(usagePoint, kind, range.today, range.monthsBack ?? 40);
    if (last && (!lastStoredDay || last > lastStoredDay)) lastStoredDay = last;
  }
  if (!lastStoredDay) {
    throw new NoReportDataError(
      `nothing is stored for PDL ${usagePoint}: fetch readings first with "jeelinky run --since -12 months", then write the report`,
      'no_data',
    );
  }
  if (range.since && range.until && range.since > range.until) {
    throw new ConfigError(`--since ${range.since} is after --until ${range.until}: give the first day, then the last`);
  }
  const to = addDays(range.until ?? lastStoredDay, 1);
  let from = range.since ?? addMonths(to, -12);

  const readings: Partial<Record<ReadingKind, Reading[]>> = {};
  const unavailable: Partial<Record<ReadingKind, string>> = {};
  let firstDay: string | undefined;
  for (const kind of READING_KINDS) {
    const list = await store.readings(usagePoint, kind, from, to);
    readings[kind] = list;
    for (const r of list) if (!firstDay || r.day < firstDay) firstDay = r.day;
    const meta = await store.meta(usagePoint, kind);
    if (meta.unavailable) unavailable[kind] = meta.unavailable.reason;
  }
  if (!firstDay) {
    throw new NoReportDataError(
      `no reading stored for PDL ${usagePoint} between ${from} and ${addDays(to, -1)} (the newest stored day is ${lastStoredDay}): choose --since/--until around the stored days`,
      'no_data_in_range',
    );
  }
  // The default range starts where the data starts, rather than with months of empty rows.
  if (!range.since && firstDay > from) from = firstDay;
  return {
    input: { usagePoint, tz, from, to, readings, unavailable, ...extras },
    lastStoredDay,
  };
}
