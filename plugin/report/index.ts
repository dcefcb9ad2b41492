/**
 * The report: readings store → report model → one self-contained HTML page (see README, "Report").
 * Everything here is pure or reads the store; writing the file is writeReportFile's job.
 */
import type { ReadingsStore } from '../store/readings.js';
import { renderReportHtml } from './html.js';
import { loadReportInput, type ReportRangeOptions } from './load.js';
import { buildReportModel, type ReportModel, type ReportTariffInput } from './model.js';
import { echartsSource } from './write.js';

export * from './model.js';
export { loadReportInput, NoReportDataError, type LoadedReport, type ReportRangeOptions } from './load.js';
export { renderReportHtml, type RenderOptions } from './html.js';
export { echartsSource, writeReportFile, ReportWriteError } from './write.js';
export { reportTariffInput, reportTempoInput } from './tariff.js';

export interface ReportOptions extends ReportRangeOptions {
  usagePoint: string;
  tz: string;
  now: Date;
  subscribedPowerVa?: number;
  tariff?: ReportTariffInput;
}

/** Reads the store and renders the page; the caller writes it (writeReportFile). */
export async function buildReport(
  store: ReadingsStore,
  o: ReportOptions,
): Promise<{ model: ReportModel; html: string; lastStoredDay: string }> {
  const loaded = await loadReportInput(store, o.usagePoint, o.tz, o, { subscribedPowerVa: o.subscribedPowerVa, tariff: o.tariff });
  const model = buildReportModel({ ...loaded.input, generatedAt: o.now.toISOString() });
  return { model, html: renderReportHtml(model, { echarts: echartsSource() }), lastStoredDay: loaded.lastStoredDay };
}
