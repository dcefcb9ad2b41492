/** Jeedom's history statistics as pure functions (see statistics.ts). */
export * from './statistics.js';
export { phpFloatToString, phpRound, toCents } from './decimal.js';
