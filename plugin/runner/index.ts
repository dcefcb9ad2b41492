/**
 * The runner: jeelinky's use cases as functions, for the CLI (scenario/) and for Node scripts alike.
 *
 *   runScenario    the daily job, the forum scenario's step flags, a backfill (RunOptions)
 *   computeTariff  HP/HC, Tempo, costs and the plan comparison of the stored curve
 *   publishFromStore  re-send stored readings to Jeedom, MQTT, InfluxDB (no metering call)
 *   writeReportFromState  the HTML report
 *   kindGaps       the state of every day of a kind (status --gaps)
 *   readStatus     pairing, tokens, newest day per kind, the six figures, retry, calls today (status)
 *   localStatisticsBetween / jeedomStatisticsBetween  statisticsBetween on the local store or on a Jeedom box
 *   loadTariffContext / storedDayTariffs  the tariff settings and cached contract of a PDL, its HP/HC day figures
 * The pure computations (statisticsBetween over points, the series) are in the `stats` namespace.
 */
export { runScenario, withState, waitForTokens, tokenSummary, errorSummary, DELIVERY_HORIZON_DAYS } from './run.js';
export type * from './types.js';
export { computeTariff, type TariffOptions, type TariffOutput } from './tariff.js';
export { publishFromStore, type PublishOptions, type PublishReport } from './publish.js';
export { writeReportFromState, defaultReportName, type WriteReportOptions } from './report.js';
export { kindGaps, formatRanges, GAP_STATES, type GapState, type KindGaps } from './gaps.js';
export { readStatus, type StatusOptions, type StatusReport, type KindStatus, type StatusFigures } from './status.js';
export { depthStart } from './fetch.js';
export {
  localStatisticsBetween,
  localStatisticsBetweenByScan,
  jeedomStatisticsBetween,
  localSeriesPoints,
  resolveStatsCmd,
  type LocalStatsOptions,
  type LocalStatsQuestion,
  type SeriesRange,
} from './stats.js';
export { loadTariffContext, storedDayTariffs, type LoadContextOptions, type LoadedContext } from './tariff-context.js';
