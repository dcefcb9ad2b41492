/**
 * Persisted counters of the calls that reached the proxy, per local day, so that budgets survive
 * restarts and crashes (each call is counted as soon as its answer arrives).
 */
import { z } from 'zod';
import type { StateStore } from './state.js';

const countsSchema = z.object({
  day: z.string(),
  metering: z.number().int().nonnegative(),
  auth: z.number().int().nonnegative(),
  /** Metering calls per PDL: the gateways' limits are per PDL. */
  perUsagePoint: z.record(z.string(), z.number().int().nonnegative()).default({}),
});
export type CallCounts = z.infer<typeof countsSchema>;

const key = (day: string) => `calls:${day}`;

export class CallCounter {
  constructor(private readonly store: StateStore) {}

  async get(day: string): Promise<CallCounts> {
    return (await this.store.read(key(day), countsSchema)) ?? { day, metering: 0, auth: 0, perUsagePoint: {} };
  }

  async record(day: string, what: 'metering' | 'auth', usagePoint?: string): Promise<CallCounts> {
    const counts = await this.get(day);
    counts[what]++;
    if (usagePoint) counts.perUsagePoint[usagePoint] = (counts.perUsagePoint[usagePoint] ?? 0) + 1;
    await this.store.write(key(day), counts);
    return counts;
  }
}

/**
 * Daily runs still needed for `calls` metering calls when each daily run may spend `dailyBudget`
 * (JEELINKY_DAILY_CALL_BUDGET, never a one-off --budget): 55 calls at 50 a day is 2 runs, 50 is 1,
 * nothing left is 0. Null when there is no daily limit (one run does it all).
 */
export function dailyRunsNeeded(calls: number, dailyBudget: number): number | null {
  if (dailyBudget <= 0) return null;
  return Math.ceil(calls / dailyBudget);
}
