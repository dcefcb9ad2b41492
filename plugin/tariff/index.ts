/** Off-peak windows, the HP/HC split of the load curve, exact costs and the plan comparison. */
export * from './money.js';
export * from './offpeak.js';
export * from './prices.js';
export * from './report.js';
export * from './settings.js';
export * from './split.js';
export * from './days.js';
export * from './tempo.js';
