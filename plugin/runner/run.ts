/**
 * The scenario runner: the forum scenario's step flags (code, firstConnexion, refresh, fetch;
 * docs/origins.md §3) as functions,
 * and the daily job that chains them. The CLI (scenario/) only parses options, calls these and
 * renders the report; a Node script calls them the same way (import from "jeelinky").
 */
import type { JeelinkyConfig } from '../config.js';
import { ExitCode, InterruptedError, isJeelinkyError, PairingError, TemporaryError, throwIfInterrupted } from '../errors.js';
import { LinkySession } from '../enedis/session.js';
import { READING_KINDS, type ReadingKind } from '../readings.js';
import type { RunOutcome, Sink } from '../sinks/sink.js';
import { acquireStateLock } from '../store/lock.js';
import { ReadingsStore } from '../store/readings.js';
import { StateStore } from '../store/state.js';
import type { Pairing, Tokens } from '../store/tokens.js';
import { addDays, localDay } from '../time/local.js';
import { maskSecret } from '../secrets.js';
import { dailyPoints, FIGURE_DAYS, seedFigures } from '../stats/figures.js';
import type { TariffContext } from '../tariff/days.js';
import { countPending, deliverToSinks, finishSinks } from './deliver.js';
import { fetchKinds } from './fetch.js';
import { computeRunTariffDays } from './tariff-days.js';
import type { RunContext, RunOptions, RunReport } from './types.js';

export type * from './types.js';

/** How far back the sinks' ledgers are checked at each run: the whole history Enedis keeps. */
export const DELIVERY_HORIZON_DAYS = 37 * 31;

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
  // A real sleep ends early on SIGINT/SIGTERM, so that pairing stops within a moment.
  const sleep =
    ctx.sleep ??
    ((ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        ctx.signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      }));
  let interval = pairing.intervalSeconds;
  const expiresAt = Date.parse(pairing.expiresAt);
  for (;;) {
    throwIfInterrupted(ctx.signal, 'while waiting for the consent');
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

/** What every phase of a run works on: the run's session and store, what was asked, the report so far. */
interface RunPhase {
  session: LinkySession;
  store: StateStore;
  options: RunOptions;
  ctx: RunContext;
  report: RunReport;
  now: () => Date;
}

/**
 * Runs the asked steps (or the daily job) under the lock and returns a report; never throws for known failures.
 * Phases: steps (pairing, refresh, fetch) → day figures for the sinks → deliveries → retry flag →
 * summary figures → sinks' run status.
 */
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
      const session = new LinkySession(ctx.config, store, { now, sleep: ctx.sleep, signal: ctx.signal });
      const run: RunPhase = { session, store, options, ctx, report, now };
      try {
        await runSteps(run);
      } catch (e) {
        fail(e);
      }
      const sinks = ctx.sinks ?? [];
      const dayFigures = sinks.length ? await computeSinkDayFigures(run) : undefined;
      if (sinks.length) await deliverPending(run, sinks, dayFigures?.context);
      await recordRetry(run);
      report.ok = report.exitCode === ExitCode.OK;
      report.finishedAt = now().toISOString();
      const recentDaily = await recordSummaryFigures(run);
      if (sinks.length && (options.dryRun || ctx.signal?.aborted)) {
        // Stopped by a signal: no run status is published, the sinks are only closed.
        for (const sink of sinks) await sink.close().catch(() => undefined);
      } else if (sinks.length) {
        await finishSinks(sinks, report.sinks, {
          usagePoint: report.usagePoint ?? '',
          ok: report.ok,
          exitCode: report.exitCode,
          finishedAt: report.finishedAt,
          retryAt: report.retryAt,
          error: report.error ?? report.kinds.find((k) => k.status === 'error')?.error,
          tokens: (await session.tokens.getTokens()) ?? undefined,
          pairing: await session.tokens.getPairing(),
          recentDaily,
          tariffDays: dayFigures?.days,
          tempo: dayFigures?.tempo,
        });
      }
    });
  } catch (e) {
    fail(e);
  }
  if (ctx.signal?.aborted) {
    report.exitCode = worse(report.exitCode, ExitCode.TEMPORARY);
    report.error ??= errorSummary(new InterruptedError(String(ctx.signal.reason ?? 'a signal'), 'after the work in progress'));
  }
  report.ok = report.exitCode === ExitCode.OK;
  report.finishedAt ||= now().toISOString();
  ctx.events?.finished?.();
  return report;
}

/** Before the deliveries: the HP/HC, cost and Tempo day figures and their context, computed once for every sink. */
async function computeSinkDayFigures({
  session,
  store,
  options,
  ctx,
  report,
  now,
}: RunPhase): Promise<{ days: RunOutcome['tariffDays']; tempo: RunOutcome['tempo']; context: TariffContext | undefined } | undefined> {
  if (!report.usagePoint || options.dryRun || ctx.signal?.aborted) return undefined;
  const t = await computeRunTariffDays(session, store, {
    config: ctx.config,
    usagePoint: report.usagePoint,
    now: now(),
    fresh: report.readings ?? [],
    forcedSince: options.forceSinks?.length ? options.since : undefined,
    // A run that already failed (consent revoked, Enedis down) does not try the contract too.
    paired: report.exitCode === ExitCode.OK && Boolean(await session.tokens.getTokens()),
  });
  report.tariff = t.summary;
  return { days: t.days, tempo: t.tempo, context: t.context };
}

/** Whatever the fetch gave, the store may hold readings a sink has not had yet: deliver (or, dry run, count) them. */
async function deliverPending(
  { store, options, ctx, report, now }: RunPhase,
  sinks: Sink[],
  tariff: TariffContext | undefined,
): Promise<void> {
  if (!report.usagePoint) return;
  const today = localDay(now(), ctx.config.tz);
  report.sinks = await (options.dryRun ? countPending : deliverToSinks)(store, sinks, {
    usagePoint: report.usagePoint,
    kinds: READING_KINDS,
    fromDay: options.since && options.forceSinks?.length ? options.since : addDays(today, -DELIVERY_HORIZON_DAYS),
    force: (sink) => Boolean(options.forceSinks?.includes(sink.name)),
    toDay: addDays(today, 1),
    tz: ctx.config.tz,
    now: now(),
    onProgress: ctx.events?.sinkProgress,
    signal: ctx.signal,
    tariff,
  });
  // A sink that needs a person (bad API key) fails the run; one that is down does not:
  // its readings stay pending and the next run delivers them.
  for (const r of report.sinks)
    if (r.error?.exitCode === ExitCode.ACTION_NEEDED || r.error?.exitCode === ExitCode.BUG)
      report.exitCode = worse(report.exitCode, r.error.exitCode);
}

/** The forum scenario's relaunchScenario (docs/origins.md §5), made precise: a retry-at time, cleared by a clean fetching run. */
async function recordRetry({ session, report, now }: RunPhase): Promise<void> {
  if (report.exitCode === ExitCode.TEMPORARY) {
    const retryAt = report.retryAt ?? new Date(now().getTime() + 3600_000).toISOString();
    report.retryAt = retryAt;
    const reason = report.error ?? report.kinds.find((k) => k.error)?.error ?? { code: 'temporary', message: 'temporary failure' };
    await session.tokens.setRetry({ retryAt, reason: reason.message, code: reason.code, setAt: now().toISOString() });
  } else if (report.exitCode === ExitCode.OK && report.steps.some((s) => s.startsWith('fetch'))) {
    await session.tokens.clearRetry();
  }
}

/**
 * The forum scenario's six figures, kept in the local store's summary (status shows them); returns
 * the ~13 months of daily consumption they come from, which the sinks also get (Jeedom's stats_*_kwh).
 */
async function recordSummaryFigures({ store, options, ctx, report, now }: RunPhase): Promise<RunOutcome['recentDaily']> {
  if (!report.usagePoint || options.dryRun) return undefined;
  const today = localDay(now(), ctx.config.tz);
  const recentDaily = (
    await new ReadingsStore(store).readings(report.usagePoint, 'daily_consumption', addDays(today, -FIGURE_DAYS), today)
  ).map((r) => ({ day: r.day, value: r.value }));
  if (recentDaily.length) {
    report.figures = seedFigures(dailyPoints(recentDaily), now(), ctx.config.tz).map(({ logicalId, start, end, kwh, days }) => ({
      logicalId,
      start,
      end,
      kwh,
      days,
    }));
    await store.write(`summary:${report.usagePoint}`, { at: report.finishedAt, figures: report.figures });
  }
  return recentDaily;
}

/** The asked steps in the forum scenario's order: code, firstConnexion, refresh, then the fetch (or the daily job). */
async function runSteps(run: RunPhase): Promise<void> {
  const { options } = run;
  const explicit = options.code || options.firstConnexion || options.refreshToken || (options.fetchKinds?.length ?? 0) > 0;
  const tokenSteps = await runTokenSteps(run);
  const kindsToFetch = explicit ? (options.fetchKinds ?? []) : run.ctx.config.kinds;
  if (kindsToFetch.length === 0) await reportTokensOnly(run, tokenSteps);
  else await fetchWithFreshTokens(run, kindsToFetch, tokenSteps);
}

/** Steps code, firstConnexion and refresh; says whether the access token was renewed and the refresh token rotated. */
async function runTokenSteps({ session, options, ctx, report }: RunPhase): Promise<{ refreshed: boolean; rotated: boolean }> {
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
      throw new PairingError(
        'no device code is waiting: run "jeelinky run --code" first (or "jeelinky pair" to do both)',
        'no_device_code',
      );
    }
    const tokens = await waitForTokens(session, pairing, ctx);
    ctx.events?.info?.(
      `Paired: PDL ${tokens.usagePoints.join(', ') || '(none announced)'}; refresh token ${maskSecret(tokens.refreshToken)} saved.`,
    );
  }
  if (!options.refreshToken) return { refreshed: false, rotated: false };
  report.steps.push('refresh');
  const before = await session.requireTokens();
  const after = await session.refresh();
  return { refreshed: true, rotated: after.refreshToken !== before.refreshToken };
}

/** No kind to fetch: the report still carries the token state, and the PDL when it is known, so sinks hear of the run. */
async function reportTokensOnly(
  { session, report }: RunPhase,
  { refreshed, rotated }: { refreshed: boolean; rotated: boolean },
): Promise<void> {
  const tokensNow = await session.tokens.getTokens();
  report.tokens = tokenSummary(tokensNow, refreshed, rotated);
  // Sinks still hear about the run (Jeedom keeps the token state in its info commands).
  if (tokensNow) {
    try {
      report.usagePoint = session.usagePointOf(tokensNow);
    } catch {
      // Several PDLs and none chosen: said by the next fetch, not by a pairing step.
    }
  }
}

/** The daily job: refresh when the access token expires within 5 minutes (or nobody knows), then fetch the kinds. */
async function fetchWithFreshTokens(
  run: RunPhase,
  kinds: ReadingKind[],
  tokenSteps: { refreshed: boolean; rotated: boolean },
): Promise<void> {
  const { session, store, options, ctx, report } = run;
  let { refreshed, rotated } = tokenSteps;
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
  const failures = await fetchKinds(session, new ReadingsStore(store), kinds, usagePoint, options, ctx, report);
  for (const failure of failures) {
    report.exitCode = worse(report.exitCode, failure.exitCode);
    if (failure instanceof TemporaryError && failure.retryAt && !report.retryAt) report.retryAt = failure.retryAt.toISOString();
  }
}
