/**
 * Loading the tariff context of a PDL (plugin/tariff/days.ts computes with it): the user's
 * settings first, then the contract cached in the state directory. Only the run may fetch a
 * contract that is not cached yet (one call, remembered, never failing the run); the other
 * readers (publish, stats --source local) use the cache alone.
 */
import type { JeelinkyConfig } from '../config.js';
import { CustomerCache, loadCustomerResource, type Contract } from '../enedis/customers.js';
import type { LinkySession } from '../enedis/session.js';
import { ReadingsStore } from '../store/readings.js';
import type { StateStore } from '../store/state.js';
import { dayTariffs, isEmptyContext, tariffContext, type DayTariff, type TariffContext } from '../tariff/days.js';
import { resolveTariffSettings } from '../tariff/settings.js';

export interface LoadContextOptions {
  /** Given (the runner): a contract that is not cached is fetched once when the settings need it. */
  session?: LinkySession;
  /** The PDL is paired (a fetch is possible). */
  paired?: boolean;
  env?: NodeJS.ProcessEnv;
}

export interface LoadedContext {
  context: TariffContext;
  /** Contract fetches made (0 or 1). */
  calls: number;
  /** Why the contract is not there, when it was wanted. */
  note?: string;
}

/**
 * The tariff context of a PDL. Throws ConfigError for settings that do not parse (prices,
 * windows); never for the contract, whose absence only leaves the context without its part.
 */
export async function loadTariffContext(
  store: StateStore,
  config: Pick<JeelinkyConfig, 'fileSettings' | 'tz'>,
  usagePoint: string,
  opts: LoadContextOptions = {},
): Promise<LoadedContext> {
  const settings = resolveTariffSettings(config, {}, opts.env);
  const needContract = !settings.offpeakOverride || !settings.currentPlan;
  let contract: Contract | undefined;
  let calls = 0;
  let note: string | undefined;
  if (needContract) {
    if (opts.session) {
      try {
        const got = await loadCustomerResource<Contract>(opts.session, 'contract', usagePoint, { offline: !opts.paired });
        contract = got.value;
        calls = got.calls;
        note = got.value ? undefined : got.note;
      } catch (e) {
        // A pairing or network problem here is the fetch's business, not the figures'.
        note = `contract not fetched: ${e instanceof Error ? e.message : String(e)}`;
      }
    } else contract = await new CustomerCache(store).contract(usagePoint);
  }
  return { context: tariffContext(settings, contract, config.tz), calls, note };
}

/** The figures of the complete days of [fromDay; toDay[ from the stored load curve (cache-only contract). */
export async function storedDayTariffs(
  store: StateStore,
  config: Pick<JeelinkyConfig, 'fileSettings' | 'tz'>,
  usagePoint: string,
  fromDay: string,
  toDay: string,
  env?: NodeJS.ProcessEnv,
): Promise<DayTariff[]> {
  const { context } = await loadTariffContext(store, config, usagePoint, { env });
  if (isEmptyContext(context)) return [];
  return dayTariffs(await new ReadingsStore(store).readings(usagePoint, 'load_curve', fromDay, toDay), context);
}

/**
 * The context for figures that must not fail their caller (publish): settings and the cached
 * contract only; undefined when nothing is configured or the settings do not parse (the run
 * report tells why).
 */
export async function cachedTariffContext(
  store: StateStore,
  config: Pick<JeelinkyConfig, 'fileSettings' | 'tz'>,
  usagePoint: string,
  env?: NodeJS.ProcessEnv,
): Promise<TariffContext | undefined> {
  try {
    const { context } = await loadTariffContext(store, config, usagePoint, { env });
    return isEmptyContext(context) ? undefined : context;
  } catch {
    return undefined;
  }
}
