/**
 * The prices the tariff tests give the CLI, as JEELINKY_* variables: EDF's regulated prices of
 * February 2024 (€ per kWh, subscriptions € per month).
 */
export const TEMPO_PRICES = {
  JEELINKY_SUBSCRIPTION_TEMPO: '12.96',
  JEELINKY_PRICE_TEMPO_BLUE_HP: '0.1609',
  JEELINKY_PRICE_TEMPO_BLUE_HC: '0.1296',
  JEELINKY_PRICE_TEMPO_WHITE_HP: '0.1894',
  JEELINKY_PRICE_TEMPO_WHITE_HC: '0.1486',
  JEELINKY_PRICE_TEMPO_RED_HP: '0.7562',
  JEELINKY_PRICE_TEMPO_RED_HC: '0.1568',
};

/** BASE and HP/HC with their subscriptions, and Tempo: the three plans of the comparison. */
export const ALL_PLAN_PRICES = {
  JEELINKY_PRICE_BASE: '0.2516',
  JEELINKY_PRICE_HP: '0.2700',
  JEELINKY_PRICE_HC: '0.2068',
  JEELINKY_SUBSCRIPTION_BASE: '12.44',
  JEELINKY_SUBSCRIPTION_HPHC: '12.85',
  ...TEMPO_PRICES,
};
