/**
 * Simulator of the DomoticzLinky device-code proxy (Era B) and of the Enedis v5 routes it relays.
 * Used by the tests, the benchmark and `jeelinky demo`. See simulators/enedis/server.ts.
 */
export * from './enedis/server.js';
export * from './enedis/types.js';
export * from './enedis/profile.js';
export * from './enedis/bodies.js';
export { versionCompare, userAgentAccepted } from './enedis/version.js';
export * from './enedis/readings.js';
