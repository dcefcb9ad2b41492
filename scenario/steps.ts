/**
 * The scenario runner: the seed's step flags (code, firstConnexion, refresh, fetch) as functions,
 * and the daily job that chains them. The CLI only parses options, calls these and renders the
 * report; a Node script can call them directly.
 */
import moment from 'moment-timezone';
import type { JeelinkyConfig } from '../plugin/config.js';
import { ConsentError, ExitCode, isJeelinkyError, JeelinkyError, PairingError, TemporaryError } from '../plugin/errors.js';
import { LinkySession } from '../plugin/enedis/session.js';
import { expectedPoints, ROUTES } from '../plugin/enedis/metering.js';
import { KIND_INFO, READING_KINDS, type Reading, type ReadingKind } from '../plugin/readings.js';
import type { Sink, SinkResult } from '../plugin/sinks/sink.js';
import { acquireStateLock } from '../plugin/store/lock.js';
import { ReadingsStore, type DayOutcome } from '../plugin/store/readings.js';
import { StateStore } from '../plugin/store/state.js';
import type { Pairing, Tokens } from '../plugin/store/tokens.js';
import { addDays, daysBetween, eachDay, localDay } from '../plugin/time/local.js';
import { maskSecret } from '../plugin/secrets.js';
import { deliverToSinks, finishSinks } from './deliver.js';
import { dayNeedsFetch, newestAskableEnd, planCalls } from './plan.js';

/** How far back the sinks' ledgers are checked at each run: the whole history Enedis keeps. */
const DELIVERY_HORIZON_DAYS = 37 * 31;

export interface RunOptions {
  /** Step flags; none at all means the daily job. */
  code?: boolean;
  firstConnexion?: boolean;
  refreshToken?: boolean;
  /** Explicit fetch steps (--daily-consumption, --max-power, --load-curve, --production). */
  fetchKinds?: ReadingKind[];
  /** First day to consider (YYYY-MM-DD, already resolved). */
  since?: string;
  /** Ask again for days already complete in the range. */
  refresh?: boolean;
}

export interface RunEvents {
  info?(line: string): void;
  pairingCode?(pairing: Pairing): void;
  waiting?(secondsLeft: number, state: 'pending' | 'slow_down'): void;
  callsPlanned?(kind: ReadingKind, total: number): void;
  callDone?(kind: ReadingKind, done: number, total: number): void;
  sinkProgress?(sink: string, done: number, total: number): void;
}

export interface KindReport {
  kind: ReadingKind;
  unit: string;
  usagePoint: string;
  status: 'ok' | 'up_to_date' | 'not_available' | 'error' | 'not_attempted';
  calls: number;
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
  retryAt?: string;
  error?: { code: string; message: string };
  /** New or changed readings of this run, for the sinks (not printed). */
  readings?: Reading[];
}

export interface RunContext {
  config: JeelinkyConfig;
  /** Where readings go besides the store (Jeedom, MQTT, InfluxDB); see plugin/sinks. */
  sinks?: Sink[];
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  events?: RunEvents;
}

function worse(a: number, b: number): number {
  const rank = (c: number) => (c === ExitCode.BUG ? 4 : c === ExitCode.ACTION_NEEDED ? 3 : c === ExitCode.TEMPORARY ? 2 : c === 0 ? 0 : 1);
  return rank(b) > rank(a) ? b : a;
}

export function errorSummary(e: unknown): { code: string; message: string } {
  if (isJeelinkyError(e)) return { code: e.code, message: e.message };
  return { code: 'bug', message: e instanceof Error ? e.message : String(e) };
}

export function tokenSummary(tokens: Tokens | undefined, refreshed = false, rotated = false): RunReport['tokens'] {
  if (!tokens) return { paired: false, usagePoints: [], refreshed: false, rotated: false, refreshToken: '' };
  return {
    paired: true,
    usagePoints: tokens.usagePoints,
    accessTokenExpiresAt: tokens.accessTokenExpiresAt,
    refreshed,
    rotated,
    refreshToken: maskSecret(tokens.refreshToken),
  };
}

/** Opens the state directory under the run lock; always releases it. */
export async function withState<T>(config: JeelinkyConfig, work: (store: StateStore) => Promise<T>): Promise<T> {
  const lock = await acquireStateLock(config.stateDir, config.lockWaitMs);
  try {
    return await work(await StateStore.open(config.stateDir));
  } finally {
    await lock.release();
  }
}

/**
 * Polls the token endpoint for the saved device code, at the proxy's interval (longer after
 * slow_down, as RFC 8628 says), until tokens arrive or the code expires.
 */
export async function waitForTokens(session: LinkySession, pairing: Pairing, ctx: RunContext): Promise<Tokens> {
  const sleep = ctx.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  let interval = pairing.intervalSeconds;
  const expiresAt = Date.parse(pairing.expiresAt);
  for (;;) {
    const outcome = await session.pollOnce(pairing);
    if (outcome.state === 'approved') return outcome.tokens;
    if (outcome.state === 'slow_down') interval += 5;
    const left = Math.round((expiresAt - session.now().getTime()) / 1000);
    if (left <= 0) {
      throw new PairingError(
        'the device code expired before the consent was given: start again with "jeelinky pair" (or "jeelinky run --code") and approve within 5 minutes',
        'device_code_expired',
      );
    }
    ctx.events?.waiting?.(left, outcome.state);
    await sleep(Math.min(interval, Math.max(1, left)) * 1000);
  }
}

/** Runs the asked steps (or the daily job) under the lock and returns a report; never throws for known failures. */
export async function runScenario(options: RunOptions, ctx: RunContext): Promise<RunReport> {
  const now = ctx.now ?? (() => new Date());
  const report: RunReport = {
    ok: true,
    exitCode: ExitCode.OK,
    steps: [],
    startedAt: now().toISOString(),
    finishedAt: '',
    kinds: [],
    meteringCalls: 0,
    sinks: [],
    readings: [],
  };
  const fail = (e: unknown) => {
    report.error = errorSummary(e);
    report.exitCode = worse(report.exitCode, isJeelinkyError(e) ? e.exitCode : ExitCode.BUG);
    if (e instanceof TemporaryError && e.retryAt) report.retryAt = e.retryAt.toISOString();
  };
  try {
    await withState(ctx.config, async (store) => {
      const session = new LinkySession(ctx.config, store, { now, sleep: ctx.sleep });
      try {
        await runSteps(session, store, options, ctx, report);
      } catch (e) {
        fail(e);
      }
      const sinks = ctx.sinks ?? [];
      if (sinks.length && report.usagePoint) {
        // Whatever the fetch gave, the store may hold readings a sink has not had yet.
        report.sinks = await deliverToSinks(store, sinks, {
          usagePoint: report.usagePoint,
          kinds: READING_KINDS,
          fromDay: addDays(localDay(now(), ctx.config.tz), -DELIVERY_HORIZON_DAYS),
          toDay: addDays(localDay(now(), ctx.config.tz), 1),
          tz: ctx.config.tz,
          now: now(),
          onProgress: ctx.events?.sinkProgress,
        });
        // A sink that needs a person (bad API key) fails the run; one that is down does not:
        // its readings stay pending and the next run delivers them.
        for (const r of report.sinks) if (r.error?.exitCode === ExitCode.ACTION_NEEDED || r.error?.exitCode === ExitCode.BUG) report.exitCode = worse(report.exitCode, r.error.exitCode);
      }
      // The seed's relaunchScenario, made precise: a retry-at time, cleared by a clean run.
      if (report.exitCode === ExitCode.TEMPORARY) {
        const retryAt = report.retryAt ?? new Date(now().getTime() + 3600_000).toISOString();
        report.retryAt = retryAt;
        const reason = report.error ?? report.kinds.find((k) => k.error)?.error ?? { code: 'temporary', message: 'temporary failure' };
        await session.tokens.setRetry({ retryAt, reason: reason.message, code: reason.code, setAt: now().toISOString() });
      } else if (report.exitCode === ExitCode.OK && report.steps.some((s) => s.startsWith('fetch'))) {
        await session.tokens.clearRetry();
      }
      report.ok = report.exitCode === ExitCode.OK;
      report.finishedAt = now().toISOString();
      if (sinks.length) {
        await finishSinks(sinks, report.sinks, {
          usagePoint: report.usagePoint ?? '',
          ok: report.ok,
          exitCode: report.exitCode,
          finishedAt: report.finishedAt,
          retryAt: report.retryAt,
          error: report.error ?? report.kinds.find((k) => k.status === 'error')?.error,
          tokens: (await session.tokens.getTokens()) ?? undefined,
          recentDaily: report.usagePoint
            ? (await new ReadingsStore(store).readings(report.usagePoint, 'daily_consumption', addDays(localDay(now(), ctx.config.tz), -400), localDay(now(), ctx.config.tz))).map((r) => ({ day: r.day, value: r.value }))
            : undefined,
        });
      }
    });
  } catch (e) {
    fail(e);
  }
  report.ok = report.exitCode === ExitCode.OK;
  report.finishedAt ||= now().toISOString();
  return report;
}

async function runSteps(session: LinkySession, store: StateStore, options: RunOptions, ctx: RunContext, report: RunReport): Promise<void> {
  const explicit = options.code || options.firstConnexion || options.refreshToken || (options.fetchKinds?.length ?? 0) > 0;
  let refreshed = false;
  let rotated = false;

  if (options.code) {
    report.steps.push('code');
    const pairing = await session.startPairing();
    report.pairing = {
      userCode: pairing.userCode,
      verificationUri: pairing.verificationUri,
      verificationUriComplete: pairing.verificationUriComplete,
      expiresAt: pairing.expiresAt,
    };
    ctx.events?.pairingCode?.(pairing);
  }
  if (options.firstConnexion) {
    report.steps.push('firstConnexion');
    const pairing = await session.tokens.getPairing();
    if (!pairing) {
      throw new PairingError('no device code is waiting: run "jeelinky run --code" first (or "jeelinky pair" to do both)', 'no_device_code');
    }
    const tokens = await waitForTokens(session, pairing, ctx);
    ctx.events?.info?.(`Paired: PDL ${tokens.usagePoints.join(', ') || '(none announced)'}; refresh token ${maskSecret(tokens.refreshToken)} saved.`);
  }
  if (options.refreshToken) {
    report.steps.push('refresh');
    const before = await session.requireTokens();
    const after = await session.refresh();
    refreshed = true;
    rotated = after.refreshToken !== before.refreshToken;
  }

  const fetchKinds = explicit ? options.fetchKinds ?? [] : ctx.config.kinds;
  const tokensNow = await session.tokens.getTokens();
  if (fetchKinds.length === 0) {
    report.tokens = tokenSummary(tokensNow, refreshed, rotated);
    // Sinks still hear about the run (Jeedom keeps the token state in its info commands).
    if (tokensNow) {
      try {
        report.usagePoint = session.usagePointOf(tokensNow);
      } catch {
        // Several PDLs and none chosen: said by the next fetch, not by a pairing step.
      }
    }
    return;
  }
  // The daily job: refresh when the access token expires within 5 minutes (or nobody knows).
  const before = await session.requireTokens();
  const fresh = await session.freshTokens();
  if (fresh.refreshed) {
    report.steps.push('refresh');
    refreshed = true;
    rotated = rotated || fresh.tokens.refreshToken !== before.refreshToken;
  }
  report.tokens = tokenSummary(fresh.tokens, refreshed, rotated);
  const usagePoint = session.usagePointOf(fresh.tokens);
  report.usagePoint = usagePoint;
  const readingsStore = new ReadingsStore(store);
  for (const kind of fetchKinds) {
    report.steps.push(`fetch:${kind}`);
    const { kindReport, failure } = await fetchKind(session, readingsStore, kind, usagePoint, options, ctx, report);
    report.kinds.push(kindReport);
    if (failure) {
      report.exitCode = worse(report.exitCode, failure.exitCode);
      if (failure instanceof TemporaryError && failure.retryAt && !report.retryAt) report.retryAt = failure.retryAt.toISOString();
      // The service is down, the quota is reached or the consent is gone: asking for the other
      // kinds would only burn calls.
      if (failure.exitCode === ExitCode.TEMPORARY || failure instanceof ConsentError) {
        for (const rest of fetchKinds.slice(fetchKinds.indexOf(kind) + 1)) {
          report.kinds.push(emptyKindReport(rest, usagePoint, 'not_attempted'));
        }
        break;
      }
    }
  }
}

function emptyKindReport(kind: ReadingKind, usagePoint: string, status: KindReport['status']): KindReport {
  return {
    kind,
    unit: KIND_INFO[kind].unit,
    usagePoint,
    status,
    calls: 0,
    added: 0,
    changed: 0,
    unchanged: 0,
    days: { complete: 0, partial: 0, empty: 0 },
    missingDays: [],
  };
}

/** History depth Enedis keeps (reference §4): N months + 15 days; one more day of margin. */
function depthStart(today: string, depthMonths: number): string {
  return moment.utc(today, 'YYYY-MM-DD').subtract(depthMonths, 'months').add(16, 'days').format('YYYY-MM-DD');
}

async function fetchKind(
  session: LinkySession,
  readingsStore: ReadingsStore,
  kind: ReadingKind,
  usagePoint: string,
  options: RunOptions,
  ctx: RunContext,
  report: RunReport,
): Promise<{ kindReport: KindReport; failure?: JeelinkyError }> {
  const tz = session.config.tz;
  const now = session.now();
  const today = localDay(now, tz);
  const route = ROUTES[kind];
  const kr = emptyKindReport(kind, usagePoint, 'ok');
  const meta = await readingsStore.meta(usagePoint, kind);
  if (meta.unavailable && !options.refresh) {
    kr.status = 'not_available';
    kr.error = { code: 'not_available', message: `${KIND_INFO[kind].label} is not available for this PDL (${meta.unavailable.reason})` };
    return { kindReport: kr };
  }

  // The range: --since, else the last 7 days as the seed, extended back to just after the newest
  // stored day so that a job that did not run for weeks catches up. End is exclusive: up to
  // yesterday once Enedis has published it (08:00), the seed never reached it.
  const end = newestAskableEnd(today, moment.tz(now, tz).hour());
  let from = options.since ?? addDays(today, -7);
  if (!options.since) {
    const last = await readingsStore.lastDayWithData(usagePoint, kind, today);
    if (last && addDays(last, 1) < from) from = addDays(last, 1);
  }
  const floor = [depthStart(today, route.depthMonths), meta.historyStart ?? ''].sort().at(-1)!;
  if (from < floor) from = floor;
  kr.from = from;
  kr.to = end;
  if (from >= end) {
    kr.status = 'up_to_date';
    return { kindReport: kr };
  }
  const records = await readingsStore.dayRecords(usagePoint, kind, from, end);
  const needed = eachDay(from, end).filter((d) => dayNeedsFetch(d, records.get(d), { today, now, refresh: options.refresh }));
  const calls = planCalls(needed, route.maxDays);
  ctx.events?.callsPlanned?.(kind, calls.length);
  let historyStart = meta.historyStart;

  const storeOutcome = async (s: string, e: string, readings: Reading[]) => {
    const byDay = new Map<string, Reading[]>();
    for (const r of readings) {
      const list = byDay.get(r.day) ?? [];
      list.push(r);
      byDay.set(r.day, list);
    }
    const outcomes: DayOutcome[] = eachDay(s, e).map((day) => {
      const list = byDay.get(day) ?? [];
      const points = new Set(list.map((r) => r.start)).size;
      if (!KIND_INFO[kind].curve) return { day, status: points > 0 ? 'complete' : 'empty', points, expected: 1 };
      const first = list[0];
      if (!first) return { day, status: 'empty', points: 0 };
      const minutes = (Date.parse(first.end) - Date.parse(first.start)) / 60_000;
      const expected = expectedPoints(day, tz, minutes);
      return { day, status: points >= expected ? 'complete' : 'partial', points, expected };
    });
    const result = await readingsStore.put(usagePoint, kind, readings, outcomes, today, session.now());
    kr.added += result.added;
    kr.changed += result.changed;
    kr.unchanged += result.unchanged;
    report.readings!.push(...result.fresh);
  };

  // One call; on "before the meter's history" split the span to find where history starts
  // (only the oldest call of a first backfill ever pays for this).
  const fetchSpan = async (s: string, e: string): Promise<'ok' | 'before_history'> => {
    const outcome = await session.fetchMetering(kind, usagePoint, s, e);
    kr.calls++;
    report.meteringCalls++;
    switch (outcome.kind) {
      case 'data':
        await storeOutcome(s, e, outcome.readings);
        return 'ok';
      case 'no_data':
        await storeOutcome(s, e, []);
        return 'ok';
      case 'not_available':
        await readingsStore.setMeta(usagePoint, kind, { ...meta, unavailable: { reason: outcome.detail, since: today } });
        throw new KindUnavailable(outcome.detail);
      case 'access_token_rejected':
        throw new JeelinkyError('the proxy keeps refusing the access token', { code: 'access_token_rejected', exitCode: ExitCode.TEMPORARY });
      case 'history_start': {
        const span = daysBetween(s, e);
        if (span <= 1) {
          historyStart = [historyStart ?? '', e].sort().at(-1);
          return 'before_history';
        }
        const mid = addDays(s, Math.floor(span / 2));
        if ((await fetchSpan(mid, e)) === 'before_history') {
          historyStart = [historyStart ?? '', e].sort().at(-1);
          return 'before_history';
        }
        // The newer half may already have shown where history starts: the older half is then
        // entirely before it and costs nothing.
        if (!(historyStart && historyStart >= mid)) await fetchSpan(s, mid);
        return 'ok';
      }
    }
  };

  let failure: JeelinkyError | undefined;
  try {
    let done = 0;
    for (const [s, e] of calls) {
      if (historyStart && e <= historyStart) continue;
      await fetchSpan(historyStart && s < historyStart ? historyStart : s, e);
      ctx.events?.callDone?.(kind, ++done, calls.length);
    }
    if (kr.calls === 0 && calls.length === 0) kr.status = 'up_to_date';
  } catch (e) {
    if (e instanceof KindUnavailable) {
      kr.status = 'not_available';
      kr.error = { code: 'not_available', message: `${KIND_INFO[kind].label} is not available for this PDL (${e.message})` };
    } else {
      kr.status = 'error';
      kr.error = errorSummary(e);
      failure = isJeelinkyError(e) ? e : new JeelinkyError(kr.error.message, { code: 'bug', exitCode: ExitCode.BUG, cause: e });
    }
  }
  if (historyStart !== meta.historyStart) {
    const latest = await readingsStore.meta(usagePoint, kind);
    await readingsStore.setMeta(usagePoint, kind, { ...latest, historyStart });
  }
  kr.historyStart = historyStart;
  const after = await readingsStore.dayRecords(usagePoint, kind, from, end);
  for (const day of eachDay(historyStart && historyStart > from ? historyStart : from, end)) {
    const rec = after.get(day);
    if (rec) kr.days[rec.status]++;
    if (!rec || rec.status !== 'complete') kr.missingDays.push(day);
  }
  return { kindReport: kr, failure };
}

class KindUnavailable extends Error {}
