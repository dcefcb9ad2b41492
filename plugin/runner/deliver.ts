/**
 * Feeding the sinks from the readings store: each sink gets what its ledger says it has not had
 * yet (or everything in a range when forced), and one sink's failure never stops the others.
 */
import { isJeelinkyError } from '../errors.js';
import type { Reading, ReadingKind } from '../readings.js';
import { DeliveryLedger } from '../sinks/ledger.js';
import { emptyResult, type RunOutcome, type Sink, type SinkResult } from '../sinks/sink.js';
import { ReadingsStore } from '../store/readings.js';
import type { StateStore } from '../store/state.js';
import { dayTariffs, type DayTariff, type TariffContext } from '../tariff/days.js';
import { addDays, localDay } from '../time/local.js';

export interface DeliveryOptions {
  usagePoint: string;
  kinds: readonly ReadingKind[];
  /** Days [fromDay; toDay[ to consider. */
  fromDay: string;
  toDay: string;
  /**
   * Re-deliver everything in the range, delivered or not (`publish --since`); a function picks the
   * sinks (backfill forces Jeedom only: its writer reads the box's history and fills the gaps).
   */
  force?: boolean | ((sink: Sink) => boolean);
  tz: string;
  now: Date;
  onProgress?: (sink: string, done: number, total: number) => void;
  /** SIGINT/SIGTERM: the sinks not started yet are left for the next run (their readings stay pending). */
  signal?: AbortSignal;
  /** The tariff context of the PDL (loaded once by the use case): the sinks get the day figures it gives. */
  tariff?: TariffContext;
}

export async function deliverToSinks(store: StateStore, sinks: Sink[], opts: DeliveryOptions): Promise<SinkResult[]> {
  const ledger = new DeliveryLedger(store);
  const readings = new ReadingsStore(store);
  const results: SinkResult[] = [];
  const figures = opts.tariff ? dayFigures(readings, opts.usagePoint, opts.tariff, addDays(localDay(opts.now, opts.tz), 1)) : undefined;
  for (const sink of sinks) {
    if (opts.signal?.aborted) {
      results.push({
        ...emptyResult(sink.name),
        error: { code: 'interrupted', message: 'not delivered: the run was interrupted (delivered at the next run)', exitCode: 75 },
      });
      continue;
    }
    let result: SinkResult;
    const force = typeof opts.force === 'function' ? opts.force(sink) : Boolean(opts.force);
    try {
      const pending = [];
      for (const kind of opts.kinds)
        pending.push(...(await ledger.pending(sink.name, readings, opts.usagePoint, kind, opts.fromDay, opts.toDay, force)));
      if (pending.length === 0) result = await checked(sink);
      else {
        result = await sink.deliver(pending, {
          usagePoint: opts.usagePoint,
          tz: opts.tz,
          now: opts.now,
          onProgress: opts.onProgress ? (done, total) => opts.onProgress!(sink.name, done, total) : undefined,
          signal: opts.signal,
          tariffDays: await figures?.(pending),
        });
        // All or nothing: sinks are idempotent, so a partly failed delivery is simply redone.
        if (!result.error && result.failed === 0) await ledger.markDelivered(sink.name, opts.usagePoint, pending);
      }
    } catch (e) {
      result = { ...emptyResult(sink.name), error: sinkError(e) };
    }
    results.push(result);
  }
  return results;
}

/**
 * The tariff figures a delivery of `pending` needs: those of every load-curve day it touches (a
 * corrected point changes its day's figures) and of the newest stored curve day (the sinks' `latest`),
 * each day computed once from the store's whole day.
 */
function dayFigures(
  readings: ReadingsStore,
  usagePoint: string,
  context: TariffContext,
  tomorrow: string,
): (pending: Reading[]) => Promise<DayTariff[] | undefined> {
  const byDay = new Map<string, Promise<DayTariff | undefined>>();
  const dayOf = (day: string) => {
    let got = byDay.get(day);
    if (!got) {
      got = readings.readings(usagePoint, 'load_curve', day, addDays(day, 1)).then((curve) => dayTariffs(curve, context)[0]);
      byDay.set(day, got);
    }
    return got;
  };
  let newest: Promise<string | undefined> | undefined;
  return async (pending) => {
    const days = new Set(pending.filter((r) => r.kind === 'load_curve').map((r) => r.day));
    if (days.size === 0) return undefined;
    newest ??= readings.lastDayWithData(usagePoint, 'load_curve', tomorrow);
    const latest = await newest;
    if (latest) days.add(latest);
    const out: DayTariff[] = [];
    for (const day of [...days].sort()) {
      const d = await dayOf(day);
      if (d) out.push(d);
    }
    return out;
  };
}

/**
 * How many writes each sink lacks (backfill --dry-run): the readings its ledger says it has not had
 * (or the whole range when forced), narrowed by the sink's own plan where it has one (Jeedom reads
 * its history and counts only the points it lacks). Nothing is written or marked delivered.
 */
export async function countPending(store: StateStore, sinks: Sink[], opts: DeliveryOptions): Promise<SinkResult[]> {
  const ledger = new DeliveryLedger(store);
  const readings = new ReadingsStore(store);
  const out: SinkResult[] = [];
  for (const sink of sinks) {
    const force = typeof opts.force === 'function' ? opts.force(sink) : Boolean(opts.force);
    const pending = [];
    for (const kind of opts.kinds)
      pending.push(...(await ledger.pending(sink.name, readings, opts.usagePoint, kind, opts.fromDay, opts.toDay, force)));
    if (!sink.plan || pending.length === 0) {
      out.push({ ...emptyResult(sink.name), pending: pending.length });
      continue;
    }
    const planned = await sink.plan(pending, { usagePoint: opts.usagePoint, tz: opts.tz, now: opts.now });
    if (planned.error) {
      // A plan is advice: a sink that cannot be read counts every pending reading, and says why.
      out.push({
        ...emptyResult(sink.name),
        pending: pending.length,
        warnings: [`${planned.error.message}: counted every stored reading of the range`],
      });
    } else {
      const { written, corrected, skipped, warnings } = planned;
      out.push({
        ...emptyResult(sink.name),
        pending: written + corrected,
        ...(skipped ? { skipped } : {}),
        ...(warnings?.length ? { warnings } : {}),
      });
    }
  }
  return out;
}

/**
 * Nothing to deliver: the sink still connects, so that refused credentials or a wrong URL are told
 * the day they break, not the day data waits (a target that is down is told as usual: 75).
 */
async function checked(sink: Sink): Promise<SinkResult> {
  const result = emptyResult(sink.name);
  try {
    await sink.check?.();
  } catch (e) {
    result.error = sinkError(e);
  }
  return result;
}

export function sinkError(e: unknown): NonNullable<SinkResult['error']> {
  return isJeelinkyError(e)
    ? { code: e.code, message: e.message, exitCode: e.exitCode }
    : { code: 'bug', message: e instanceof Error ? e.message : String(e), exitCode: 1 };
}

/** Tells every sink how the run ended, then closes them all; errors land in their results. */
export async function finishSinks(sinks: Sink[], results: SinkResult[], outcome: RunOutcome): Promise<void> {
  for (const sink of sinks) {
    const result = results.find((r) => r.sink === sink.name);
    try {
      await sink.runEnded?.(outcome);
    } catch (e) {
      if (result && !result.error) result.error = sinkError(e);
    }
    try {
      await sink.close();
    } catch (e) {
      if (result && !result.error) result.error = sinkError(e);
    }
  }
}
