/**
 * What every sink (Jeedom, MQTT, InfluxDB) offers the runner. Sinks are interchangeable: each takes
 * readings from the store and reports written / skipped / failed. A sink must be idempotent:
 * delivering a reading twice leaves its target as after the first delivery.
 */
import type { Reading } from '../readings.js';
import type { Tokens } from '../store/tokens.js';
import type { DayTariff, TempoDayTariff } from '../tariff/days.js';
import type { TempoColour } from '../tempo/colours.js';

export const SINK_NAMES = ['jeedom', 'mqtt', 'influx'] as const;
export type SinkName = (typeof SINK_NAMES)[number];

export interface DeliveryContext {
  usagePoint: string;
  tz: string;
  now: Date;
  /** Told how far a long delivery got (progress bars). */
  onProgress?: (done: number, total: number) => void;
  /**
   * SIGINT/SIGTERM: stop within a moment (abort the request in flight, send nothing more) and
   * return a result with an error of code `interrupted`; what was not delivered stays pending.
   */
  signal?: AbortSignal;
  /**
   * HP/HC energy and cost of the complete load-curve days this delivery touches and of the newest
   * stored one (plugin/tariff/days.ts), computed by the runner from the same context as
   * RunOutcome.tariffDays: one result for every sink. Absent: no tariff figures (none configured).
   */
  tariffDays?: DayTariff[];
}

export interface SinkResult {
  sink: SinkName;
  /** Points written to the target. */
  written: number;
  /** Points the target already had, right. */
  skipped: number;
  /** Points the target had with another value, rewritten. */
  corrected: number;
  /** Points that could not be delivered (they stay pending for the next run). */
  failed: number;
  /**
   * Dry run only: writes this sink lacks for the stored readings (new fetches come on top). Jeedom
   * reads its history and counts only the points it lacks or holds with another value.
   */
  pending?: number;
  /** What the sink wants the user to know although it succeeded (Jeedom: an older point is now the current value…). */
  warnings?: string[];
  /** Jeedom: how points were sent, "jeelinky::writeHistory" (the Jeedom plugin's batch method) or "cmd::event" (one request per point). */
  via?: string;
  /** Set when the sink failed as a whole (target down, bad credentials): nothing is marked delivered. */
  error?: { code: string; message: string; exitCode?: number };
}

/** How the run ended, for sinks that show it (Jeedom's relaunch flag and token commands, MQTT status). */
export interface RunOutcome {
  usagePoint: string;
  ok: boolean;
  exitCode: number;
  finishedAt: string;
  retryAt?: string;
  error?: { code: string; message: string };
  /** The current tokens, for the one sink that stores them for the user (Jeedom's info commands). */
  tokens?: Tokens;
  /** The pairing in progress (after `run --code`, until the consent is collected): Jeedom's device_code command. */
  pairing?: { deviceCode: string; expiresAt: string };
  /** Daily consumption of the last ~13 months from the store, for summary figures (the forum scenario's six, docs/origins.md §6). */
  recentDaily?: Array<{ day: string; value: number }>;
  /**
   * HP/HC energy and cost under the current plan of the recent days whose load curve is complete
   * (plugin/tariff/days.ts), computed once by the runner; Jeedom writes them as day figures (MQTT
   * gets the same figures per delivery: DeliveryContext.tariffDays).
   */
  tariffDays?: DayTariff[];
  /** Only when Tempo is in use: the Tempo figures, computed once by the runner (scenario/tariff-days.ts). */
  tempo?: TempoRunFigures;
}

export interface TempoRunFigures {
  /** Complete Tempo days with a colour: the six sub-counters and the cost. */
  days: TempoDayTariff[];
  /** Today's and tomorrow's colour (Tempo days named by their first date); null when not known. */
  today: { day: string; colour: TempoColour | null };
  tomorrow: { day: string; colour: TempoColour | null };
  /** Red and white days left in the current season (counted from the colours known). */
  redLeft: number;
  whiteLeft: number;
  /** The season they are counted in, e.g. `2026-2027`. */
  season: string;
  /** The zone the Tempo days were split in (their 06:00 is local to it). */
  tz: string;
}

export interface Sink {
  readonly name: SinkName;
  /** Readings of one PDL, possibly of several kinds, in any order. */
  deliver(readings: Reading[], ctx: DeliveryContext): Promise<SinkResult>;
  /**
   * Connects without delivering anything, for when nothing is pending: refused credentials or a
   * wrong URL must still be told (optional; throws the error the sink would give a delivery).
   */
  check?(): Promise<void>;
  /** Dry run: what deliver would write, without writing (optional; without it every pending reading counts). */
  plan?(readings: Reading[], ctx: DeliveryContext): Promise<SinkResult>;
  /** Told how the run ended, after the deliveries (optional). */
  runEnded?(outcome: RunOutcome): Promise<void>;
  /** Called once at the end (disconnect); must not throw for a target that was never reached. */
  close(): Promise<void>;
}

export function emptyResult(sink: SinkName): SinkResult {
  return { sink, written: 0, skipped: 0, corrected: 0, failed: 0 };
}
