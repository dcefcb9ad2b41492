/**
 * The runner's types: what a run is asked (RunOptions), what it is given (RunContext), what it tells
 * as it goes (RunEvents) and what it answers (RunReport). Kept apart so that every runner module
 * imports them without importing the orchestrator.
 */
import type { JeelinkyConfig } from '../config.js';
import type { Reading, ReadingKind } from '../readings.js';
import type { Sink, SinkResult } from '../sinks/sink.js';
import type { Pairing } from '../store/tokens.js';
import type { TariffRunSummary } from './tariff-days.js';

export interface RunOptions {
  /** Step flags; none at all means the daily job. */
  code?: boolean;
  firstConnexion?: boolean;
  refreshToken?: boolean;
  /** Explicit fetch steps (--daily-consumption, --max-power, --load-curve, --production). */
  fetchKinds?: ReadingKind[];
  /** First day to consider (YYYY-MM-DD, already resolved). */
  since?: string;
  /** Remember `since` so that later daily runs keep filling history back to it (backfill). */
  rememberSince?: boolean;
  /** Plan only: no metering call (backfill --dry-run). */
  dryRun?: boolean;
  /** Days asked again even when complete (--refresh). */
  refreshDays?: Set<string>;
  /** Ask again for days given up after 7 tries (--retry-blacklisted). */
  retryBlacklisted?: boolean;
  /** Ask again for kinds Enedis said do not exist for this meter. */
  retryUnavailable?: boolean;
  /**
   * Check these sinks against the whole range from `since` instead of their ledger (backfill: a day
   * present locally but missing in Jeedom is re-sent without any API call).
   */
  forceSinks?: readonly string[];
  /**
   * A spent budget fails the run (exit 75) even when only history calls were left
   * (`jeelinky backfill`). Unset (the daily job), a run that asked every recent day succeeds and
   * reports what is left of the backfill in `backfill`.
   */
  budgetStopFails?: boolean;
}

export interface RunEvents {
  info?(line: string): void;
  pairingCode?(pairing: Pairing): void;
  waiting?(secondsLeft: number, state: 'pending' | 'slow_down'): void;
  /** `total`: the calls this run may make (the plan capped by the budget left today); `planned`: the whole plan. */
  callsPlanned?(total: number, planned: number): void;
  callDone?(kind: ReadingKind, done: number, total: number): void;
  sinkProgress?(sink: string, done: number, total: number): void;
  /** The run is over (stop progress bars). */
  finished?(): void;
  /** SIGINT/SIGTERM came: stop every progress output for good, leaving the cursor on a fresh line. */
  interrupted?(): void;
}

export interface KindReport {
  kind: ReadingKind;
  unit: string;
  usagePoint: string;
  /**
   * ok · up_to_date (nothing to ask) · planned (dry run) · incomplete (the run stopped before the end) ·
   * not_available · error · not_attempted
   */
  status: 'ok' | 'up_to_date' | 'planned' | 'incomplete' | 'not_available' | 'error' | 'not_attempted';
  /** Metering calls made / planned for this kind. */
  calls: number;
  plannedCalls: number;
  /** Range considered, [from; to[. */
  from?: string;
  to?: string;
  added: number;
  changed: number;
  unchanged: number;
  days: { complete: number; partial: number; empty: number };
  /** Days still missing in the range (not published yet, holes, or given up after 7 tries). */
  missingDays: string[];
  historyStart?: string;
  error?: { code: string; message: string };
  /**
   * What was read with a doubt or left out of Enedis' answers, one line each (an item with an
   * unreadable date or outside the range asked, a curve point without interval_length). At most
   * 20; `droppedWarnings` counts the others.
   */
  warnings: string[];
  droppedWarnings?: number;
}

export interface RunReport {
  ok: boolean;
  exitCode: number;
  steps: string[];
  startedAt: string;
  finishedAt: string;
  pairing?: { userCode: string; verificationUri: string; verificationUriComplete: string; expiresAt: string };
  tokens?: {
    paired: boolean;
    usagePoints: string[];
    accessTokenExpiresAt?: string;
    refreshed: boolean;
    rotated: boolean;
    refreshToken: string;
  };
  /** The PDL the run worked for. */
  usagePoint?: string;
  kinds: KindReport[];
  meteringCalls: number;
  /** What each configured sink received this run (pending readings of the whole store). */
  sinks: SinkResult[];
  /** The forum scenario's six kWh figures, from the store's daily consumption (see README). */
  figures?: Array<{ logicalId: string; start: string; end: string; kwh: number | null; days: number }>;
  retryAt?: string;
  error?: { code: string; message: string };
  /** New or changed readings of this run, for the sinks (not printed). */
  readings?: Reading[];
  /** The HP/HC and cost day figures handed to the sinks (when a sink is configured and a curve stored). */
  tariff?: TariffRunSummary;
  /**
   * Set when the day's budget stopped a backfill after every recent day was asked (the run still
   * succeeds): calls left, daily runs needed at the daily budget, and when the next run may go on.
   */
  backfill?: BackfillLeft;
}

export interface BackfillLeft {
  callsLeft: number;
  /** JEELINKY_DAILY_CALL_BUDGET: what each daily run may spend. */
  dailyBudget: number;
  /** Daily runs still needed (calls left ÷ daily budget, rounded up); null with no budget. */
  runsNeeded: number | null;
  /** The budget's next day starts then (local midnight). */
  continuesAt?: string;
}

export interface RunContext {
  config: JeelinkyConfig;
  /** Where readings go besides the store (Jeedom, MQTT, InfluxDB); see plugin/sinks. */
  sinks?: Sink[];
  /** Aborted by SIGINT/SIGTERM: the run stops at its next clean point. */
  signal?: AbortSignal;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  events?: RunEvents;
}
