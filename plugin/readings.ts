/**
 * One reading type everywhere: the metering client produces it, the store keeps it, every sink
 * (Jeedom, MQTT, InfluxDB) and every analysis (stats, tariff) consumes it.
 *
 * Instants are ISO-8601 strings that carry their UTC offset (`2024-10-27T02:30:00+01:00`), so that
 * the repeated October hour stays two distinct instants and nothing depends on the machine's zone.
 */

export const READING_KINDS = ['daily_consumption', 'max_power', 'load_curve', 'daily_production', 'production_load_curve'] as const;
export type ReadingKind = (typeof READING_KINDS)[number];

export type Unit = 'Wh' | 'W' | 'VA';

export interface Reading {
  /** The PDL (point de livraison), 14 digits. */
  usagePoint: string;
  kind: ReadingKind;
  /** The local (Europe/Paris) day the reading belongs to, `YYYY-MM-DD` (the day its interval starts). */
  day: string;
  /** Start of the interval the value covers, ISO-8601 with offset. */
  start: string;
  /** End of the interval (exclusive), ISO-8601 with offset. */
  end: string;
  /**
   * The value as Enedis gives it, in `unit`: Wh for daily energy, W (average power over the
   * interval) for load curves, VA for the daily maximum power.
   */
  value: number;
  unit: Unit;
  /** Load curves only: energy over the interval in Wh (average W × interval length). */
  energyWh?: number;
  /** Max power only: the instant the maximum happened, ISO-8601 with offset. */
  at?: string;
}

export const KIND_INFO: Record<ReadingKind, { unit: Unit; label: string; curve: boolean; production: boolean }> = {
  daily_consumption: { unit: 'Wh', label: 'daily consumption', curve: false, production: false },
  max_power: { unit: 'VA', label: 'daily max power', curve: false, production: false },
  load_curve: { unit: 'W', label: 'consumption load curve', curve: true, production: false },
  daily_production: { unit: 'Wh', label: 'daily production', curve: false, production: true },
  production_load_curve: { unit: 'W', label: 'production load curve', curve: true, production: true },
};

export function isReadingKind(value: string): value is ReadingKind {
  return (READING_KINDS as readonly string[]).includes(value);
}
