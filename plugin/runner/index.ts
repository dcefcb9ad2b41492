/**
 * The runner: jeelinky's use cases as functions, for the CLI (scenario/) and for Node scripts alike.
 *
 *   runScenario    the daily job, the seed's step flags, a backfill (RunOptions)
 *   computeTariff  HP/HC, Tempo, costs and the plan comparison of the stored curve
 *   publishFromStore  re-send stored readings to Jeedom, MQTT, InfluxDB (no metering call)
 *   writeReportFromState  the HTML report
 *   kindGaps       the state of every day of a kind (status --gaps)
 * Statistics (statisticsBetween on the local store or on Jeedom) are in the `stats` namespace.
 */
export { runScenario, withState, waitForTokens, tokenSummary, errorSummary, DELIVERY_HORIZON_DAYS } from './run.js';
export type * from './types.js';
export { computeTariff, type TariffOptions, type TariffOutput } from './tariff.js';
export { publishFromStore, type PublishOptions, type PublishReport } from './publish.js';
export { writeReportFromState, defaultReportName, type WriteReportOptions } from './report.js';
export { kindGaps, formatRanges, GAP_STATES, type GapState } from './gaps.js';
export { depthStart } from './fetch.js';
