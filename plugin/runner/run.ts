/**
 * The scenario runner: the forum scenario's step flags (docs/origins.md §3) (code, firstConnexion, refresh, fetch) as functions,
 * and the daily job that chains them. The CLI (scenario/) only parses options, calls these and
 * renders the report; a Node script calls them the same way (import from "jeelinky").
 */
import type { JeelinkyConfig } from '../config.js';
import { ExitCode, InterruptedError, isJeelinkyError, PairingError, TemporaryError, throwIfInterrupted } from '../errors.js';
import { LinkySession } from '../enedis/session.js';
import { READING_KINDS } from '../readings.js';
import type { RunOutcome } from '../sinks/sink.js';
import { acquireStateLock } from '../store/lock.js';
import { ReadingsStore } from '../store/readings.js';
import { StateStore } from '../store/state.js';
import type { Pairing, Tokens } from '../store/tokens.js';
import { addDays, localDay } from '../time/local.js';
import { maskSecret } from '../secrets.js';
import { dailyPoints, seedFigures } from '../stats/figures.js';
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
      const session = new LinkySession(ctx.config, store, { now, sleep: ctx.sleep, signal: ctx.signal });
      try {
        await runSteps(session, store, options, ctx, report);
      } catch (e) {
        fail(e);
      }
      const sinks = ctx.sinks ?? [];
      // Before the deliveries: the day figures and their context, computed once for every sink.
      let tariffDays: RunOutcome['tariffDays'];
      let tempo: RunOutcome['tempo'];
      let tariff: TariffContext | undefined;
      if (sinks.length && report.usagePoint && !options.dryRun && !ctx.signal?.aborted) {
        const t = await computeRunTariffDays(session, store, {
          config: ctx.config,
          usagePoint: report.usagePoint,
          now: now(),
          fresh: report.readings ?? [],
          forcedSince: options.forceSinks?.length ? options.since : undefined,
          // A run that already failed (consent revoked, Enedis down) does not try the contract too.
          paired: report.exitCode === ExitCode.OK && Boolean(await session.tokens.getTokens()),
        });
        tariffDays = t.days;
        tempo = t.tempo;
        tariff = t.context;
        report.tariff = t.summary;
      }
      if (sinks.length && report.usagePoint) {
        // Whatever the fetch gave, the store may hold readings a sink has not had yet.
        report.sinks = await (options.dryRun ? countPending : deliverToSinks)(store, sinks, {
          usagePoint: report.usagePoint,
          kinds: READING_KINDS,
          fromDay:
            options.since && options.forceSinks?.length ? options.since : addDays(localDay(now(), ctx.config.tz), -DELIVERY_HORIZON_DAYS),
          force: (sink) => Boolean(options.forceSinks?.includes(sink.name)),
          toDay: addDays(localDay(now(), ctx.config.tz), 1),
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
      // The forum scenario's relaunchScenario (docs/origins.md §5), made precise: a retry-at time, cleared by a clean run.
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
      // The forum scenario's six figures, kept in the local store's summary (status shows them)
      // and handed to the sinks (Jeedom's stats_*_kwh commands).
      const recentDaily =
        report.usagePoint && !options.dryRun
          ? (
              await new ReadingsStore(store).readings(
                report.usagePoint,
                'daily_consumption',
                addDays(localDay(now(), ctx.config.tz), -400),
                localDay(now(), ctx.config.tz),
              )
            ).map((r) => ({ day: r.day, value: r.value }))
          : undefined;
      if (recentDaily?.length && report.usagePoint) {
        report.figures = seedFigures(dailyPoints(recentDaily), now(), ctx.config.tz).map(({ logicalId, start, end, kwh, days }) => ({
          logicalId,
          start,
          end,
          kwh,
          days,
        }));
        await store.write(`summary:${report.usagePoint}`, { at: report.finishedAt, figures: report.figures });
      }
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
          tariffDays,
          tempo,
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
  if (options.refreshToken) {
    report.steps.push('refresh');
    const before = await session.requireTokens();
    const after = await session.refresh();
    refreshed = true;
    rotated = after.refreshToken !== before.refreshToken;
  }

  const kindsToFetch = explicit ? (options.fetchKinds ?? []) : ctx.config.kinds;
  const tokensNow = await session.tokens.getTokens();
  if (kindsToFetch.length === 0) {
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
  const failures = await fetchKinds(session, new ReadingsStore(store), kindsToFetch, usagePoint, options, ctx, report);
  for (const failure of failures) {
    report.exitCode = worse(report.exitCode, failure.exitCode);
    if (failure instanceof TemporaryError && failure.retryAt && !report.retryAt) report.retryAt = failure.retryAt.toISOString();
  }
}
