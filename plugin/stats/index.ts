/** Jeedom's history statistics as pure functions (see statistics.ts). */
export * from './statistics.js';
export { phpFloatToString, phpRound, toCents } from './decimal.js';
export * from './sources.js';
export { SEED_FIGURES, seedFigures, dailyPoints, type SeedFigure, type SeedFigureValue } from './figures.js';
