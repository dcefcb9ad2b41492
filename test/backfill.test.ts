/**
 * Backfill within a daily call budget, over the simulator: several budgeted runs fill the whole
 * history with the fewest calls, a crash loses no counted call and no reading, days without data
 * are given up after 7 tries, and a gap only Jeedom has is repaired without any API call.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { deviceLogicalId } from '../plugin/jeedom/virtual.js';
import { JeedomSink } from '../plugin/sinks/jeedom.js';
import { DeliveryLedger } from '../plugin/sinks/ledger.js';
import { CallCounter } from '../plugin/store/budget.js';
import { ReadingsStore } from '../plugin/store/readings.js';
import { StateStore } from '../plugin/store/state.js';
import { localDay } from '../plugin/time/local.js';
import { depthStart } from '../plugin/runner/fetch.js';
import { kindGaps } from '../plugin/runner/gaps.js';
import { runScenario } from '../plugin/runner/index.js';
import { harness, PDL, runCli, type Harness } from './support/core.js';
import { jeedomWithDevice, Opened } from './support/world.js';

let h: Harness | undefined;
const opened = new Opened();
afterEach(async () => {
  await h?.close();
  h = undefined;
  await opened.closeAll();
});

const DAY = 24 * 3600_000;

describe('backfill within a daily budget', () => {
  it('fills 36 months of daily data and 24 months of curve in budgeted runs, with exactly the planned calls', async () => {
    h = await harness(
      '2024-11-05T10:00:00+01:00',
      { meters: [{ usagePoint: PDL, activationDate: '2015-01-01' }] },
      { dailyCallBudget: 50, kinds: ['daily_consumption', 'load_curve'] },
    );
    await h.pairNow();
    const since = depthStart('2024-11-05', 36);
    const plan = await h.run({ fetchKinds: ['daily_consumption', 'load_curve'], since, dryRun: true });
    expect(h.sim.meteringCalls()).toHaveLength(0);
    const planned = plan.kinds.reduce((a, k) => a + k.plannedCalls, 0);
    const curveDays = (Date.parse(plan.kinds[1]!.to!) - Date.parse(plan.kinds[1]!.from!)) / DAY;
    expect(plan.kinds[1]!.plannedCalls).toBe(Math.ceil(curveDays / 7));
    expect(plan.kinds[0]!.plannedCalls).toBe(Math.ceil((Date.parse(plan.kinds[0]!.to!) - Date.parse(plan.kinds[0]!.from!)) / DAY / 365));

    const first = await h.run({ fetchKinds: ['daily_consumption', 'load_curve'], since, rememberSince: true, budgetStopFails: true });
    expect(first.exitCode).toBe(75);
    expect(first.kinds.some((k) => k.error?.code === 'budget_spent')).toBe(true);
    expect(h.sim.meteringCalls()).toHaveLength(50);
    const counted = await new CallCounter(await StateStore.open(h.config.stateDir)).get('2024-11-05');
    expect(counted.perUsagePoint[PDL]).toBe(50);

    let runs = 1;
    let last = first;
    while ((last.exitCode !== 0 || last.backfill) && runs < 6) {
      await h.clock.sleep(DAY); // the next day's daily job continues the backfill
      last = await h.run({});
      runs++;
      // A daily run cut by the budget in the history only is a success that says what is left.
      expect(last.exitCode).toBe(0);
      expect(h.sim.meteringCalls().length).toBeLessThanOrEqual(50 * runs);
    }
    expect(last.backfill).toBeUndefined();
    // ~105 calls at 50 a day: three daily runs.
    expect(planned).toBeGreaterThan(100);
    expect(runs).toBe(3);
    // Each later day adds exactly one new day per kind: one call each, nothing else is wasted.
    expect(h.sim.meteringCalls()).toHaveLength(planned + 2 * (runs - 1));
    const store = new ReadingsStore(await StateStore.open(h.config.stateDir));
    for (const kind of ['daily_consumption', 'load_curve'] as const) {
      const gaps = await kindGaps(store, PDL, kind, h.clock.now(), 'Europe/Paris');
      expect(gaps.counts.never_asked + gaps.counts.retrying + gaps.counts.blacklisted).toBe(0);
      expect(gaps.counts.complete).toBeGreaterThan(kind === 'load_curve' ? 700 : 1000);
    }
  }, 120_000);

  it('days without data are asked on 7 different days, then left alone until --retry-blacklisted', async () => {
    h = await harness('2024-11-05T10:00:00+01:00', { meters: [{ usagePoint: PDL, missingDays: ['2024-09-10'] }] });
    await h.pairNow();
    const asks = () => h!.sim.meteringCalls().filter((c) => c.query.start! <= '2024-09-10' && c.query.end! > '2024-09-10').length;
    await h.run({ fetchKinds: ['daily_consumption'], since: '2024-09-01', rememberSince: true });
    for (let i = 0; i < 9; i++) {
      await h.clock.sleep(DAY);
      await h.run({ fetchKinds: ['daily_consumption'] });
    }
    expect(asks()).toBe(7);
    const gaps = await kindGaps(
      new ReadingsStore(await StateStore.open(h.config.stateDir)),
      PDL,
      'daily_consumption',
      h.clock.now(),
      'Europe/Paris',
    );
    expect(gaps.ranges.blacklisted).toEqual([['2024-09-10', '2024-09-10']]);
    await h.run({ fetchKinds: ['daily_consumption'], retryBlacklisted: true });
    expect(asks()).toBe(8);
  });

  it('a gap only Jeedom has is repaired from the store with 0 API calls', async () => {
    h = await harness('2024-11-05T10:00:00+01:00');
    await h.pairNow();
    await h.run({ fetchKinds: ['daily_consumption'], since: '2024-10-01' });
    const jeedom = opened.track(await jeedomWithDevice({ clock: { now: h.clock.now } }));
    // Jeedom lost these days (a restored backup) while jeelinky's ledger says they were sent.
    const store = await StateStore.open(h.config.stateDir);
    await new DeliveryLedger(store).markDelivered(
      'jeedom',
      PDL,
      await new ReadingsStore(store).readings(PDL, 'daily_consumption', '2024-10-01', '2024-11-05'),
    );
    const calls = h.sim.meteringCalls().length;
    const sink = new JeedomSink({ url: jeedom.url, apikey: jeedom.apikey });
    const r = await runScenario(
      { fetchKinds: ['daily_consumption'], since: '2024-10-01', rememberSince: true, forceSinks: ['jeedom'] },
      { config: h.config, now: h.clock.now, sleep: h.clock.sleep, sinks: [sink] },
    );
    expect(r.exitCode).toBe(0);
    expect(h.sim.meteringCalls().length).toBe(calls);
    expect(r.sinks[0]?.written).toBe(35);
    const device = jeedom.eqLogics().find((e) => e.logicalId === deviceLogicalId(PDL))!;
    expect(jeedom.history(jeedom.cmdByLogicalId(device.id, 'daily_consumption')!.id)).toHaveLength(35);
  });

  it('the CLI: --dry-run plans without calling; a crash mid-backfill loses no counted call and no reading', async () => {
    const { env, enedis: sim, dir } = await opened.world({ env: { JEELINKY_KINDS: 'daily_consumption,load_curve' }, pair: true });
    const dry = await runCli(['backfill', '--since', '-60 days', '--dry-run', '--json'], env);
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.stdout);
    expect(plan.kinds.map((k: { plannedCalls: number }) => k.plannedCalls)).toEqual([1, 9]);
    expect(sim.meteringCalls()).toHaveLength(0);

    const crashed = await runCli(['backfill', '--since', '-60 days'], { ...env, JEELINKY_TEST_CRASH_AFTER: '9' });
    expect(crashed.signal).toBe('SIGKILL');
    const reached = sim.meteringCalls().length;
    expect(reached).toBeGreaterThan(0);
    const day = localDay(new Date(), 'Europe/Paris');
    const counted = (await new CallCounter(await StateStore.open(dir)).get(day)).perUsagePoint[PDL] ?? 0;
    expect(counted).toBeGreaterThanOrEqual(reached); // every call that reached the API was counted

    const resumed = await runCli(['backfill', '--since', '-60 days', '--json'], env);
    expect(resumed.code).toBe(0);
    const out = JSON.parse(resumed.stdout);
    expect(out.kinds.every((k: { missingDays: string[] }) => k.missingDays.length === 0)).toBe(true);
    const store = new ReadingsStore(await StateStore.open(dir));
    const curve = await store.readings(PDL, 'load_curve', out.kinds[1].from, out.kinds[1].to);
    expect(new Set(curve.map((r) => r.start)).size).toBe(curve.length);
    expect(curve.length).toBeGreaterThanOrEqual(59 * 46);

    const status = await runCli(['status', '--gaps', '--json'], env);
    expect(status.code).toBe(0);
    const gaps = JSON.parse(status.stdout).gaps;
    expect(gaps.map((g: { kind: string }) => g.kind)).toEqual(['daily_consumption', 'load_curve']);
    expect(gaps[1].counts.complete).toBeGreaterThanOrEqual(59);
    expect(gaps[1].counts.never_asked).toBeGreaterThan(600); // older than the 60 days asked for
    const human = await runCli(['status', '--gaps'], env);
    expect(human.stdout).toMatch(/not fetched yet\s+\d+ day\(s\): \d{4}-\d{2}-\d{2}\.\./);
  });
});
