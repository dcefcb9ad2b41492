/**
 * The publish use case: re-sends stored readings to the sinks (no metering call). `jeelinky publish`
 * renders it.
 */
import type { JeelinkyConfig } from '../config.js';
import { ConfigError, ExitCode } from '../errors.js';
import { LinkySession } from '../enedis/session.js';
import { READING_KINDS } from '../readings.js';
import type { Sink, SinkResult } from '../sinks/sink.js';
import { addDays, localDay } from '../time/local.js';
import { deliverToSinks } from './deliver.js';
import { cachedTariffContext } from './tariff-context.js';
import { DELIVERY_HORIZON_DAYS, withState } from './run.js';

export interface PublishOptions {
  /** First day to re-deliver (YYYY-MM-DD); everything from it on is sent again. */
  since?: string;
  now?: Date;
  onProgress?: (sink: string, done: number, total: number) => void;
  /** SIGINT/SIGTERM: the sinks stop within a moment; what was not delivered stays pending. */
  signal?: AbortSignal;
}

export interface PublishReport {
  ok: boolean;
  exitCode: number;
  usagePoint: string;
  from: string;
  to: string;
  /** True with --since: delivered readings were sent again. */
  forced: boolean;
  sinks: SinkResult[];
}

function rank(code: number): number {
  return code === ExitCode.BUG ? 4 : code === ExitCode.ACTION_NEEDED ? 3 : code === ExitCode.TEMPORARY ? 2 : code === 0 ? 0 : 1;
}

/** Delivers from the store under the run lock, then closes the sinks (the status of the last `run` is left as it is). */
export async function publishFromStore(config: JeelinkyConfig, sinks: Sink[], options: PublishOptions = {}): Promise<PublishReport> {
  const now = options.now ?? new Date();
  const today = localDay(now, config.tz);
  try {
    return await withState(config, async (store) => {
      const session = new LinkySession(config, store, { now: () => now });
      const tokens = await session.tokens.getTokens();
      const usagePoint = tokens ? session.usagePointOf(tokens) : config.usagePoint;
      if (!usagePoint)
        throw new ConfigError(
          'no PDL is known: pair first ("jeelinky pair") or give --usage-point / JEELINKY_USAGE_POINT_ID',
          'usage_point_unknown',
        );
      const from = options.since ?? addDays(today, -DELIVERY_HORIZON_DAYS);
      const to = addDays(today, 1);
      const tariff = await cachedTariffContext(store, config, usagePoint);
      const results = await deliverToSinks(store, sinks, {
        usagePoint,
        kinds: READING_KINDS,
        fromDay: from,
        toDay: to,
        force: options.since !== undefined,
        tz: config.tz,
        now,
        onProgress: options.onProgress,
        signal: options.signal,
        tariff,
      });
      let exitCode: number = options.signal?.aborted ? ExitCode.TEMPORARY : ExitCode.OK;
      for (const r of results)
        if (r.error && rank(r.error.exitCode ?? ExitCode.BUG) > rank(exitCode)) exitCode = r.error.exitCode ?? ExitCode.BUG;
      return { ok: exitCode === ExitCode.OK, exitCode, usagePoint, from, to, forced: options.since !== undefined, sinks: results };
    });
  } finally {
    for (const sink of sinks) await sink.close().catch(() => undefined);
  }
}
