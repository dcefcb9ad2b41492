/**
 * The report use case: one self-contained HTML page from the readings store (and the cached contract,
 * the Tempo calendar when Tempo is in use). `jeelinky report` writes it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { JeelinkyConfig } from '../config.js';
import { CustomerCache, type Contract } from '../enedis/customers.js';
import { ConfigError } from '../errors.js';
import {
  buildReportModel,
  echartsSource,
  loadReportInput,
  NoReportDataError,
  renderReportHtml,
  reportTariffInput,
  reportTempoInput,
  writeReportFile,
  type ReportInput,
  type ReportTariffInput,
  type ReportTempoInput,
} from '../report/index.js';
import { buildTariffReport, chooseSchedule, planOfContract, resolveTariffSettings, type TariffInput } from '../tariff/index.js';
import { ReadingsStore } from '../store/readings.js';
import { StateStore } from '../store/state.js';
import { TokenState } from '../store/tokens.js';
import { addDays, localDay } from '../time/local.js';
import { calendarNote, loadCalendarFor, tempoInUse } from './tempo-calendar.js';
import { resolveUsagePoint } from '../usage-point.js';

/** The file written when --out is not given: in the current folder, named after the PDL's last 4 digits. */
export const defaultReportName = (usagePoint: string) => `jeelinky-report-${usagePoint.slice(-4)}.html`;

export interface WriteReportOptions {
  stateDir: string;
  tz: string;
  usagePoint?: string;
  since?: string;
  until?: string;
  out?: string;
  now?: Date;
  /** The configuration whose tariff settings (windows, prices, plan) price the HP/HC split; none: no costs. */
  tariffConfig?: Pick<JeelinkyConfig, 'fileSettings'>;
  /**
   * The whole configuration, for Tempo's colour calendar (cache and source): when Tempo is in use
   * (scenario/tempo-calendar.ts) the page gains the season calendar and the cost per colour.
   */
  tempoConfig?: JeelinkyConfig;
  env?: NodeJS.ProcessEnv;
}

/** Reads the store under `stateDir` and writes the report; used by `report` and `demo`. */
export async function writeReportFromState(o: WriteReportOptions): Promise<{ path: string; days: number; bytes: number }> {
  if (!fs.existsSync(o.stateDir)) {
    throw new NoReportDataError(
      `no state directory at ${o.stateDir}: pair and fetch first ("jeelinky pair", then "jeelinky run"), or give --state-dir`,
    );
  }
  const now = o.now ?? new Date();
  const store = await StateStore.open(o.stateDir);
  const usagePoint = resolveUsagePoint(o.usagePoint, (await new TokenState(store).getTokens())?.usagePoints, {
    several: (shown) => new ConfigError(`the consent covers several PDLs (${shown}): choose one with --pdl`),
    unknown: () => new NoReportDataError('no PDL known in this state (not paired): pair and fetch first, or give --pdl'),
  });
  // Only what is cached: the report never calls the API.
  const contract = await new CustomerCache(store).contract(usagePoint);
  const loaded = await loadReportInput(
    new ReadingsStore(store),
    usagePoint,
    o.tz,
    { today: localDay(now, o.tz), since: o.since, until: o.until },
    { subscribedPowerVa: contract?.subscribedPowerKva ? Math.round(contract.subscribedPowerKva * 1000) : undefined },
  );
  const tariff = o.tariffConfig ? tariffFor(loaded.input, contract, o.tariffConfig, o.env) : undefined;
  const tempo = o.tempoConfig ? await tempoFor(loaded.input, contract, o.tempoConfig, now, o.env) : undefined;
  const model = buildReportModel({ ...loaded.input, tariff, tempo, generatedAt: now.toISOString() });
  const html = renderReportHtml(model, { echarts: echartsSource() });
  const written = writeReportFile(o.out ?? path.resolve(defaultReportName(usagePoint)), html);
  return { path: written.path, days: model.days.length, bytes: written.bytes };
}

/** The HP/HC split and costs of the report's days, as `jeelinky tariff` computes them; undefined without windows. */
function tariffFor(
  input: Omit<ReportInput, 'generatedAt'>,
  contract: Contract | undefined,
  config: Pick<JeelinkyConfig, 'fileSettings'>,
  env: NodeJS.ProcessEnv = process.env,
): ReportTariffInput | undefined {
  const settings = resolveTariffSettings(config, {}, env);
  const until = addDays(input.to, -1);
  const choice = chooseSchedule(settings, contract, { from: input.from, to: until });
  if (choice.source === 'none') return undefined;
  const plan = settings.currentPlan ?? planOfContract(contract) ?? 'BASE';
  return reportTariffInput(storedTariffReport(input, until, choice.schedule, settings.prices, plan));
}

/**
 * Tempo's part of the page, only when Tempo is in use: the colours of the range from the calendar
 * (the cache first; only days not known yet are asked, as `jeelinky tariff` does; a failure is a
 * note under the calendar, never a failed report) and the Tempo days' figures of the tariff module.
 */
async function tempoFor(
  input: Omit<ReportInput, 'generatedAt'>,
  contract: Contract | undefined,
  config: JeelinkyConfig,
  now: Date,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ReportTempoInput | undefined> {
  const settings = resolveTariffSettings(config, {}, env);
  const plan = settings.currentPlan ?? planOfContract(contract) ?? 'BASE';
  if (!tempoInUse(config, plan, settings.prices, env)) return undefined;
  const until = addDays(input.to, -1);
  const cal = await loadCalendarFor(config, { from: addDays(input.from, -1), to: until }, now, { env });
  const choice = chooseSchedule(settings, contract, { from: input.from, to: until });
  const report = storedTariffReport(input, until, choice.schedule, settings.prices, plan, cal.colourOf);
  return reportTempoInput(report, cal.colourOf, input.from, until, '€', calendarNote(cal));
}

/** The tariff module's report over the page's readings, [input.from; until] (the HP/HC part and the Tempo part share it). */
function storedTariffReport(
  input: Omit<ReportInput, 'generatedAt'>,
  until: string,
  schedule: TariffInput['schedule'],
  prices: TariffInput['prices'],
  plan: TariffInput['plan'],
  colourOf?: TariffInput['colourOf'],
): ReturnType<typeof buildTariffReport> {
  return buildTariffReport({
    from: input.from,
    to: until,
    curve: input.readings.load_curve ?? [],
    daily: input.readings.daily_consumption ?? [],
    schedule,
    prices,
    plan,
    tz: input.tz,
    colourOf,
  });
}
