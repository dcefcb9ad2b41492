/** jeelinky as a library: everything a Node script needs, nothing that prints. */
export * from './errors.js';
export * from './secrets.js';
export * from './readings.js';
export { resolveConfig, pickSetting, PROXY, DEFAULT_USER_AGENT, type JeelinkyConfig, type ConfigOverrides } from './config.js';
export { LinkySession } from './enedis/session.js';
export { ROUTES, chunkRange } from './enedis/metering.js';
export { StateStore } from './store/state.js';
export { ReadingsStore, type DayRecord, type DayStatus } from './store/readings.js';
export { TokenState, type Tokens, type Pairing } from './store/tokens.js';
export { acquireStateLock } from './store/lock.js';
export { setDurabilityProbe, type DurabilityProbe } from './probe.js';
export { strtotime, formatIso } from './time/strtotime.js';
export * as stats from './stats/index.js';
export * as jeedom from './jeedom/index.js';
export * as sinks from './sinks/index.js';
export { loadTempoCalendar, seasonCounts, type TempoCalendar, type SeasonCounts } from './tempo/calendar.js';
export * from './runner/index.js';
