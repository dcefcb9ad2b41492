/**
 * The fetch step: which days each kind needs, the fewest calls to get them, and their execution
 * within the day's call budget. Recent days of every kind come first (the daily job's purpose),
 * then the older history a backfill asked for, newest first, a budget at a time.
 */
import moment from 'moment-timezone';
import { ConsentError, ExitCode, isJeelinkyError, JeelinkyError, PairingError, throwIfInterrupted } from '../errors.js';
import { expectedPoints, oldestAskableDay, ROUTES } from '../enedis/metering.js';
import type { LinkySession } from '../enedis/session.js';
import { KIND_INFO, type Reading, type ReadingKind } from '../readings.js';
import type { DayOutcome, KindMeta, ReadingsStore } from '../store/readings.js';
import { dailyRunsNeeded } from '../store/budget.js';
import { addDays, daysBetween, eachDay, localDay } from '../time/local.js';
import { dayNeedsFetch, newestAskableEnd, planCalls } from './plan.js';
import type { KindReport, RunContext, RunOptions, RunReport } from './types.js';

/** Days the daily job always looks at (the forum scenario fetched 7: docs/origins.md §4). */
export const RECENT_WINDOW_DAYS = 7;

export interface KindPlan {
  kind: ReadingKind;
  meta: KindMeta;
  /** Whole range considered, [from; to[. */
  from: string;
  to: string;
  /** Calls of the recent window and of the older (backfill) range, each newest first. */
  recentCalls: Array<[string, string]>;
  olderCalls: Array<[string, string]>;
  /** First day of the recent window: a call ending on or before it fetches history only. */
  recentFrom: string;
  /** Set when the kind is known not to exist for this PDL. */
  unavailable?: string;
}

/** The oldest day Enedis still keeps for a depth of N months (+ 15 days) on `today`: see oldestAskableDay. */
export function depthStart(today: string, depthMonths: number): string {
  return oldestAskableDay(today, { depthMonths });
}

export function emptyKindReport(kind: ReadingKind, usagePoint: string, status: KindReport['status']): KindReport {
  return {
    kind,
    unit: KIND_INFO[kind].unit,
    usagePoint,
    status,
    calls: 0,
    plannedCalls: 0,
    added: 0,
    changed: 0,
    unchanged: 0,
    days: { complete: 0, partial: 0, empty: 0 },
    missingDays: [],
    warnings: [],
  };
}

/** Most warnings one kind keeps in its report: beyond that, one line says how many more there were. */
export const MAX_KIND_WARNINGS = 20;

export function addWarnings(kr: KindReport, warnings: string[]): void {
  for (const w of warnings) {
    if (kr.warnings.length < MAX_KIND_WARNINGS) kr.warnings.push(w);
    else kr.droppedWarnings = (kr.droppedWarnings ?? 0) + 1;
  }
}

/**
 * What a kind needs: the recent window (the last 7 days, or back to just after the newest stored
 * day when the job did not run for a while) and, older, the range a backfill asked for (`--since`
 * now, or `meta.backfillFrom` saved by an earlier backfill), both clamped to the history Enedis
 * keeps and to where this meter's history starts.
 */
export async function planKind(
  session: LinkySession,
  store: ReadingsStore,
  kind: ReadingKind,
  usagePoint: string,
  options: RunOptions,
): Promise<KindPlan> {
  const tz = session.config.tz;
  const now = session.now();
  const today = localDay(now, tz);
  const route = ROUTES[kind];
  const meta = await store.meta(usagePoint, kind);
  // End is exclusive: up to yesterday once Enedis has published it (08:00); the forum scenario never reached it.
  const to = newestAskableEnd(today, moment.tz(now, tz).hour());
  const floor = [depthStart(today, route.depthMonths), meta.historyStart ?? ''].sort().at(-1)!;
  const clamp = (d: string) => (d < floor ? floor : d);

  let recentFrom = addDays(today, -RECENT_WINDOW_DAYS);
  const last = await store.lastDayWithData(usagePoint, kind, today);
  if (last && addDays(last, 1) < recentFrom) recentFrom = addDays(last, 1);
  recentFrom = clamp(recentFrom);
  const wanted = options.since ?? meta.backfillFrom;
  const olderFrom = wanted !== undefined && clamp(wanted) < recentFrom ? clamp(wanted) : undefined;
  const from = olderFrom ?? (options.since !== undefined ? clamp(options.since) : recentFrom);
  const plan: KindPlan = { kind, meta, from, to, recentCalls: [], olderCalls: [], recentFrom };
  if (meta.unavailable && !options.retryUnavailable) {
    plan.unavailable = meta.unavailable.reason;
    return plan;
  }
  if (from >= to) return plan;
  const records = await store.dayRecords(usagePoint, kind, from, to);
  const ctx = { today, now, retryBlacklisted: options.retryBlacklisted };
  const needed = (a: string, b: string) =>
    eachDay(a, b).filter((d) => options.refreshDays?.has(d) || dayNeedsFetch(d, records.get(d), ctx));
  const recentStart = from > recentFrom ? from : recentFrom;
  plan.recentFrom = recentStart;
  const recentDays = needed(recentStart, to);
  const olderDays = olderFrom !== undefined ? needed(olderFrom, recentStart) : [];
  plan.recentCalls = planCalls(recentDays, route.maxDays).reverse();
  plan.olderCalls = planCalls(olderDays, route.maxDays).reverse();
  // Never pay for the priority: when one sweep needs fewer calls (daily data: 365 days a call),
  // take it whole in the first phase.
  const together = planCalls([...olderDays, ...recentDays], route.maxDays).reverse();
  if (together.length < plan.recentCalls.length + plan.olderCalls.length) {
    plan.recentCalls = together;
    plan.olderCalls = [];
  }
  return plan;
}

class KindUnavailable extends Error {}

export interface FetchState {
  plan: KindPlan;
  report: KindReport;
  historyStart?: string;
  /** Planned calls not made yet (removed as each one is done or found needless). */
  unmade: Array<[string, string]>;
}

/** Classifies a failure: stop every kind (service down, budget, consent, pairing lost) or only this one. */
function stopsEverything(e: JeelinkyError): boolean {
  return e.exitCode === ExitCode.TEMPORARY || e instanceof ConsentError || e instanceof PairingError;
}

/** What the calls of one kind share: where readings go, what the report counts. */
interface CallScope {
  session: LinkySession;
  store: ReadingsStore;
  usagePoint: string;
  state: FetchState;
  run: RunReport;
  /** The local day when the calls started: a kind found not available is marked so since then. */
  today: string;
}

/**
 * Runs planned calls of one kind, newest first. Returns the failure that stopped it, if any.
 * Readings are stored as each call answers, so whatever stops the run keeps what was fetched.
 */
export async function runCalls(
  session: LinkySession,
  store: ReadingsStore,
  usagePoint: string,
  state: FetchState,
  calls: Array<[string, string]>,
  ctx: RunContext,
  run: RunReport,
): Promise<JeelinkyError | undefined> {
  const { plan, report: kr } = state;
  const kind = plan.kind;
  const scope: CallScope = { session, store, usagePoint, state, run, today: localDay(session.now(), session.config.tz) };
  try {
    for (const call of calls) {
      const [s, e] = call;
      throwIfInterrupted(ctx.signal, `${kr.calls} ${KIND_INFO[kind].label} call(s) made`);
      if (!(state.historyStart && e <= state.historyStart)) {
        await fetchSpan(scope, state.historyStart && s < state.historyStart ? state.historyStart : s, e);
        ctx.events?.callDone?.(kind, kr.calls, kr.plannedCalls);
      }
      state.unmade = state.unmade.filter((c) => c !== call);
    }
  } catch (e) {
    return recordFailure(kr, e);
  } finally {
    await saveHistoryStart(store, usagePoint, state);
  }
  return undefined;
}

/**
 * One call; on "before the meter's history" splits the span to find where history starts
 * (only the oldest call of a first backfill ever pays for this).
 */
async function fetchSpan(scope: CallScope, s: string, e: string): Promise<'ok' | 'before_history'> {
  const { session, store, usagePoint, state, run } = scope;
  const { kind } = state.plan;
  const kr = state.report;
  kr.calls++;
  run.meteringCalls++;
  let outcome: Awaited<ReturnType<typeof session.fetchMetering>>;
  try {
    outcome = await session.fetchMetering(kind, usagePoint, s, e);
  } catch (err) {
    // Stopped before the call left (budget spent): it was not made.
    if (isJeelinkyError(err) && err.code === 'budget_spent') {
      kr.calls--;
      run.meteringCalls--;
    }
    throw err;
  }
  switch (outcome.kind) {
    case 'data': {
      // Items left out (unreadable date, outside [s; e[) or read with a default step: said in the report.
      addWarnings(kr, outcome.warnings);
      await storeSpan(scope, s, e, outcome.readings);
      return 'ok';
    }
    case 'no_data':
      await storeSpan(scope, s, e, []);
      return 'ok';
    case 'not_available':
      await store.setMeta(usagePoint, kind, {
        ...(await store.meta(usagePoint, kind)),
        unavailable: { reason: outcome.detail, since: scope.today },
      });
      throw new KindUnavailable(outcome.detail);
    case 'access_token_rejected':
      throw new JeelinkyError('the proxy keeps refusing the access token', {
        code: 'access_token_rejected',
        exitCode: ExitCode.TEMPORARY,
      });
    case 'history_start':
      return splitBeforeHistory(scope, s, e);
  }
}

/** Enedis said [s; e[ starts before the meter's history: fetch its newer half, then the older one if still needed. */
async function splitBeforeHistory(scope: CallScope, s: string, e: string): Promise<'ok' | 'before_history'> {
  const { state } = scope;
  const span = daysBetween(s, e);
  if (span <= 1) {
    state.historyStart = [state.historyStart ?? '', e].sort().at(-1);
    return 'before_history';
  }
  const mid = addDays(s, Math.floor(span / 2));
  if ((await fetchSpan(scope, mid, e)) === 'before_history') {
    state.historyStart = [state.historyStart ?? '', e].sort().at(-1);
    return 'before_history';
  }
  // The newer half may already have shown where history starts: the older half is then
  // entirely before it and costs nothing.
  if (!(state.historyStart && state.historyStart >= mid)) await fetchSpan(scope, s, mid);
  return 'ok';
}

/** Stores the readings of [s; e[ with each day's outcome, and counts them in the kind's and the run's report. */
async function storeSpan(scope: CallScope, s: string, e: string, readings: Reading[]): Promise<void> {
  const { session, store, usagePoint, state, run } = scope;
  const kr = state.report;
  const outcomes = dayOutcomes(state.plan.kind, session.config.tz, s, e, readings);
  const result = await store.put(usagePoint, state.plan.kind, readings, outcomes, scope.today, session.now());
  kr.added += result.added;
  kr.changed += result.changed;
  kr.unchanged += result.unchanged;
  run.readings!.push(...result.fresh);
}

/** Each day of [s; e[: complete, partial (a curve with fewer points than the day has) or empty. */
function dayOutcomes(kind: ReadingKind, tz: string, s: string, e: string, readings: Reading[]): DayOutcome[] {
  const byDay = new Map<string, Reading[]>();
  for (const r of readings) {
    const list = byDay.get(r.day) ?? [];
    list.push(r);
    byDay.set(r.day, list);
  }
  return eachDay(s, e).map((day) => {
    const list = byDay.get(day) ?? [];
    const points = new Set(list.map((r) => r.start)).size;
    if (!KIND_INFO[kind].curve) return { day, status: points > 0 ? 'complete' : 'empty', points, expected: 1 };
    const first = list[0];
    if (!first) return { day, status: 'empty', points: 0 };
    const minutes = (Date.parse(first.end) - Date.parse(first.start)) / 60_000;
    const expected = expectedPoints(day, tz, minutes);
    return { day, status: points >= expected ? 'complete' : 'partial', points, expected };
  });
}

/**
 * Sets the kind's status and error after what stopped its calls; returns the failure to report
 * (none when the kind is not available: that stops this kind only, and is no failure).
 */
function recordFailure(kr: KindReport, e: unknown): JeelinkyError | undefined {
  if (e instanceof KindUnavailable) {
    kr.status = 'not_available';
    kr.error = { code: 'not_available', message: `${KIND_INFO[kr.kind].label} is not available for this PDL (${e.message})` };
    return undefined;
  }
  if (isJeelinkyError(e) && e.code === 'interrupted') {
    // SIGINT/SIGTERM: not a failure of this kind; what was fetched is stored.
    kr.status = kr.calls ? 'incomplete' : 'not_attempted';
    return e;
  }
  kr.status = 'error';
  kr.error = isJeelinkyError(e)
    ? { code: e.code, message: e.message }
    : { code: 'bug', message: e instanceof Error ? e.message : String(e) };
  return isJeelinkyError(e) ? e : new JeelinkyError(kr.error.message, { code: 'bug', exitCode: ExitCode.BUG, cause: e });
}

/** Saves where the meter's history starts when the calls found it, whatever stopped them. */
async function saveHistoryStart(store: ReadingsStore, usagePoint: string, state: FetchState): Promise<void> {
  const { plan } = state;
  if (state.historyStart !== plan.meta.historyStart) {
    const latest = await store.meta(usagePoint, plan.kind);
    await store.setMeta(usagePoint, plan.kind, { ...latest, historyStart: state.historyStart });
    plan.meta.historyStart = state.historyStart;
  }
}

/** Fills the report's day counts and missing days over the plan's range, after the calls. */
async function finishKindReport(store: ReadingsStore, usagePoint: string, state: FetchState): Promise<void> {
  const { plan, report: kr } = state;
  kr.historyStart = state.historyStart;
  const start = state.historyStart && state.historyStart > plan.from ? state.historyStart : plan.from;
  if (start >= plan.to) return;
  const after = await store.dayRecords(usagePoint, plan.kind, start, plan.to);
  for (const day of eachDay(start, plan.to)) {
    const rec = after.get(day);
    if (rec) kr.days[rec.status]++;
    if (rec?.status !== 'complete') kr.missingDays.push(day);
  }
}

/**
 * The fetch step for several kinds: plans every kind, then runs the recent calls of every kind,
 * then the older ones. A temporary failure (service down, quota, budget spent) or a consent
 * problem stops everything; a kind-specific one (curve not collected) stops that kind only.
 */
export async function fetchKinds(
  session: LinkySession,
  store: ReadingsStore,
  kinds: readonly ReadingKind[],
  usagePoint: string,
  options: RunOptions,
  ctx: RunContext,
  run: RunReport,
): Promise<JeelinkyError[]> {
  const states: FetchState[] = [];
  for (const kind of kinds) {
    const plan = await planKind(session, store, kind, usagePoint, options);
    if (options.since !== undefined && options.rememberSince) {
      // A backfill: later daily runs keep filling this range a budget at a time.
      await store.setMeta(usagePoint, kind, { ...(await store.meta(usagePoint, kind)), backfillFrom: options.since });
    }
    const report = emptyKindReport(kind, usagePoint, 'ok');
    report.from = plan.from;
    report.to = plan.to;
    report.plannedCalls = plan.recentCalls.length + plan.olderCalls.length;
    if (plan.unavailable) {
      report.status = 'not_available';
      report.error = { code: 'not_available', message: `${KIND_INFO[kind].label} is not available for this PDL (${plan.unavailable})` };
    } else if (report.plannedCalls === 0) report.status = 'up_to_date';
    states.push({ plan, report, historyStart: plan.meta.historyStart, unmade: [...plan.recentCalls, ...plan.olderCalls] });
    run.kinds.push(report);
    run.steps.push(`fetch:${kind}`);
  }
  if (options.dryRun) {
    for (const s of states) s.report.status = s.report.status === 'ok' ? 'planned' : s.report.status;
    return [];
  }
  // The progress total is what this run may spend: the plan, capped by the budget left today.
  const planned = states.reduce((a, s) => a + s.report.plannedCalls, 0);
  if (planned) {
    const budget = session.config.dailyCallBudget;
    const used = budget > 0 ? ((await session.calls.get(localDay(session.now(), session.config.tz))).perUsagePoint[usagePoint] ?? 0) : 0;
    ctx.events?.callsPlanned?.(budget > 0 ? Math.min(planned, Math.max(0, budget - used)) : planned, planned);
  }

  const failures: JeelinkyError[] = [];
  let stopped = false;
  for (const phase of ['recentCalls', 'olderCalls'] as const) {
    for (const state of states) {
      if (stopped || state.report.status === 'error' || state.report.status === 'not_available') continue;
      const failure = await runCalls(session, store, usagePoint, state, state.plan[phase], ctx, run);
      if (failure) {
        failures.push(failure);
        if (stopsEverything(failure)) stopped = true;
      }
    }
  }
  const historyOnly = budgetCutHistoryOnly(states, failures, options);
  for (const state of states) {
    if (historyOnly && state.unmade.length) {
      state.report.status = 'incomplete';
      delete state.report.error;
    } else if (stopped && state.report.status === 'ok' && state.report.calls < state.report.plannedCalls)
      state.report.status = state.report.calls ? 'incomplete' : 'not_attempted';
    await finishKindReport(store, usagePoint, state);
  }
  if (historyOnly) {
    // The daily job did its job (every recent day asked); the rest of the backfill waits for
    // tomorrow's budget. That is progress, not a failure: exit 0 and one line saying what is left.
    const callsLeft = states.reduce((a, s) => a + s.unmade.length, 0);
    const dailyBudget = session.config.dailyCallBudget;
    run.backfill = {
      callsLeft,
      dailyBudget,
      runsNeeded: dailyRunsNeeded(callsLeft, dailyBudget),
      continuesAt: historyOnly.retryAt?.toISOString(),
    };
    return [];
  }
  return failures;
}

/**
 * The budget-spent failure when the budget stopped only history calls (every call touching the
 * recent window was made) and nothing else failed; undefined otherwise, or when the command
 * wants a budget stop to count as a temporary failure (`jeelinky backfill`, exit 75).
 */
function budgetCutHistoryOnly(states: FetchState[], failures: JeelinkyError[], options: RunOptions): JeelinkyError | undefined {
  if (options.budgetStopFails || failures.length === 0 || !failures.every((f) => f.code === 'budget_spent')) return undefined;
  if (!states.every((s) => s.unmade.every(([, end]) => end <= s.plan.recentFrom))) return undefined;
  return failures[0];
}
