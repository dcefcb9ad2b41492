/**
 * The status use case: paired or not, PDL(s), access-token expiry, last reading per kind, the six
 * figures, pending retry, pairing in progress, today's call count, and (asked for) the gaps of every
 * kind. `jeelinky status` renders it. Reads the state only: no network call, and no lock either: it
 * answers at once while a run is working, and says that one is (every state file is replaced by an
 * atomic rename, so a read never sees half a file).
 */
import type { JeelinkyConfig } from '../config.js';
import { KIND_INFO, READING_KINDS, type ReadingKind, type Unit } from '../readings.js';
import { maskSecret } from '../secrets.js';
import { dailyPoints, FIGURE_DAYS, seedFigures } from '../stats/figures.js';
import { CallCounter } from '../store/budget.js';
import { stateLockHeld } from '../store/lock.js';
import { ReadingsStore } from '../store/readings.js';
import { StateStore } from '../store/state.js';
import { TokenState } from '../store/tokens.js';
import { addDays, localDay } from '../time/local.js';
import { chooseUsagePoint } from '../usage-point.js';
import { kindGaps, type KindGaps } from './gaps.js';

export interface StatusOptions {
  /** Add the state of every day of every enabled kind (`status --gaps`). */
  gaps?: boolean;
  now?: Date;
}

export interface KindStatus {
  kind: ReadingKind;
  unit: Unit;
  /** In JEELINKY_KINDS. */
  enabled: boolean;
  /** The newest day with data, if any. */
  lastDay: string | null;
  historyStart: string | null;
  /** Why Enedis says this kind does not exist for the PDL, when it said so. */
  unavailable: string | null;
}

export interface StatusFigures {
  at: string;
  /** The newest complete day and its kWh. */
  lastDay: { day: string; kwh: number } | null;
  /** The six figures; `partial` when built on fewer days than their period. */
  figures: Array<{
    logicalId: string;
    start: string;
    end: string;
    kwh: number | null;
    days: number;
    periodDays: number;
    partial: boolean;
  }>;
}

export interface StatusReport {
  stateDir: string;
  /** A run holds the state lock: what follows may change when it ends. */
  runInProgress: boolean;
  paired: boolean;
  usagePoints: string[];
  usagePoint: string | null;
  accessTokenExpiresAt: string | null;
  accessTokenValid: boolean;
  /** Masked. */
  refreshToken: string | null;
  lastRefreshAt: string | null;
  pairingInProgress: { userCode: string; verificationUriComplete: string; expiresAt: string } | null;
  pendingRetry: { retryAt: string; reason: string; code: string } | null;
  callsToday: { metering: number; auth: number };
  kinds: KindStatus[];
  figures: StatusFigures | null;
  gaps?: KindGaps[];
}

export async function readStatus(config: JeelinkyConfig, opts: StatusOptions = {}): Promise<StatusReport> {
  const now = opts.now ?? new Date();
  const today = localDay(now, config.tz);
  const runInProgress = await stateLockHeld(config.stateDir);
  const store = await StateStore.open(config.stateDir);
  const state = new TokenState(store);
  const readings = new ReadingsStore(store);
  const tokens = await state.getTokens();
  const pairing = await state.getPairing();
  const retry = await state.getRetry();
  const calls = await new CallCounter(store).get(today);
  const usagePoints = tokens?.usagePoints ?? [];
  const pdl = chooseUsagePoint(config.usagePoint, usagePoints);
  const kinds = pdl ? await kindStatuses(config, readings, pdl, today) : [];
  const figures = pdl ? await storedFigures(readings, pdl, now, config.tz) : null;
  const gaps = opts.gaps && pdl ? await Promise.all(config.kinds.map((k) => kindGaps(readings, pdl, k, now, config.tz))) : undefined;
  return {
    stateDir: config.stateDir,
    runInProgress,
    paired: Boolean(tokens),
    usagePoints,
    usagePoint: pdl ?? null,
    accessTokenExpiresAt: tokens?.accessTokenExpiresAt ?? null,
    accessTokenValid: tokens?.accessTokenExpiresAt ? Date.parse(tokens.accessTokenExpiresAt) > now.getTime() : false,
    refreshToken: tokens ? maskSecret(tokens.refreshToken) : null,
    lastRefreshAt: tokens?.refreshedAt ?? null,
    pairingInProgress:
      pairing && Date.parse(pairing.expiresAt) > now.getTime()
        ? { userCode: pairing.userCode, verificationUriComplete: pairing.verificationUriComplete, expiresAt: pairing.expiresAt }
        : null,
    pendingRetry: retry ? { retryAt: retry.retryAt, reason: retry.reason, code: retry.code } : null,
    callsToday: { metering: calls.metering, auth: calls.auth },
    kinds,
    figures,
    ...(gaps ? { gaps } : {}),
  };
}

/** Every kind that is enabled or has data: its newest day, where its history starts, whether it exists. */
async function kindStatuses(config: JeelinkyConfig, readings: ReadingsStore, pdl: string, today: string): Promise<KindStatus[]> {
  const kinds: KindStatus[] = [];
  for (const kind of READING_KINDS) {
    const lastDay = await readings.lastDayWithData(pdl, kind, today);
    const meta = await readings.meta(pdl, kind);
    const enabled = config.kinds.includes(kind);
    if (!lastDay && !enabled) continue;
    kinds.push({
      kind,
      unit: KIND_INFO[kind].unit,
      enabled,
      lastDay: lastDay ?? null,
      historyStart: meta.historyStart ?? null,
      unavailable: meta.unavailable?.reason ?? null,
    });
  }
  return kinds;
}

/**
 * The six figures, from what is stored now (null when no daily consumption is); "last day" is the
 * newest complete day, not the forum scenario's "2 days ago" (empty until Enedis has published it).
 */
async function storedFigures(readings: ReadingsStore, pdl: string, now: Date, tz: string): Promise<StatusFigures | null> {
  const today = localDay(now, tz);
  const daily = await readings.readings(pdl, 'daily_consumption', addDays(today, -FIGURE_DAYS), today);
  const records = await readings.dayRecords(pdl, 'daily_consumption', addDays(today, -FIGURE_DAYS), today);
  const newestComplete = [...records]
    .filter(([, r]) => r.status === 'complete')
    .map(([d]) => d)
    .sort()
    .at(-1);
  const lastReading = daily.find((r) => r.day === newestComplete);
  if (!daily.length) return null;
  return {
    at: now.toISOString(),
    lastDay: newestComplete && lastReading ? { day: newestComplete, kwh: lastReading.value / 1000 } : null,
    figures: seedFigures(dailyPoints(daily.map((r) => ({ day: r.day, value: r.value }))), now, tz).map(
      ({ logicalId, start, end, kwh, days, periodDays }) => ({
        logicalId,
        start,
        end,
        kwh,
        days,
        periodDays,
        partial: kwh !== null && days < periodDays,
      }),
    ),
  };
}
