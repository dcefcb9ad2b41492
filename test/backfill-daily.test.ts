/**
 * The backfill as a user meets it, the CLI run as a child process over the simulators (real clock):
 * a daily run that the budget cuts in the history only is a success (exit 0, one line, Jeedom's
 * relaunch stays 0) while `backfill` itself keeps exit 75; the runs-left estimate uses the daily
 * budget; the progress total is what this run may spend; a full-depth backfill reaches the oldest
 * day Enedis keeps for every kind, in the fewest calls, and never asks beyond it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ROUTES } from '../plugin/enedis/metering.js';
import { deviceLogicalId } from '../plugin/jeedom/virtual.js';
import { READING_KINDS, type ReadingKind } from '../plugin/readings.js';
import { ReadingsStore } from '../plugin/store/readings.js';
import { StateStore } from '../plugin/store/state.js';
import { addDays, daysBetween } from '../plugin/time/local.js';
import { PDL, runCli } from './support/core.js';
import { jeedomWithDevice, Opened } from './support/world.js';

const opened = new Opened();
afterEach(() => opened.closeAll());

/** A simulator on the real clock (the CLI's), a paired state directory, and its environment. */
const paired = (extra: Record<string, string> = {}, meter: { production?: boolean } = {}) =>
  opened.world({
    enedis: { meters: [{ usagePoint: PDL, activationDate: '2015-01-01', ...meter }] },
    env: { JEELINKY_KINDS: 'daily_consumption,load_curve', ...extra },
    pair: true,
  });

/** Calls the whole plan needs (a dry run makes none). */
async function plannedCalls(env: Record<string, string>, args: string[]): Promise<number> {
  const dry = await runCli(['backfill', ...args, '--dry-run', '--json'], env);
  expect(dry.code).toBe(0);
  return JSON.parse(dry.stdout).kinds.reduce((a: number, k: { plannedCalls: number }) => a + k.plannedCalls, 0);
}

describe('a backfill day is not a failure', () => {
  it('a daily run cut by the budget in the history only: exit 0, one line, relaunch stays 0; backfill itself exits 75', async () => {
    const { env, enedis: sim } = await paired();
    const planned = await plannedCalls(env, ['--since', '-60 days']);
    expect(planned).toBeGreaterThan(8); // 1 daily call + 9 of curve, 7 days each

    const backfill = await runCli(['backfill', '--since', '-60 days', '--budget', '3'], env);
    expect(backfill.code).toBe(75); // documented: the budget stopped `backfill`
    expect(sim.meteringCalls()).toHaveLength(3);

    const jeedom = opened.track(await jeedomWithDevice());
    const device = jeedom.eqLogics().find((e) => e.logicalId === deviceLogicalId(PDL))!;
    const relaunch = jeedom.cmdByLogicalId(device.id, 'relaunch')!;
    const daily = { ...env, JEELINKY_DAILY_CALL_BUDGET: '6', JEELINKY_JEEDOM_URL: jeedom.url, JEELINKY_JEEDOM_APIKEY: jeedom.apikey };

    // The daily job: the recent days are stored (backfill fetched them first); it goes on with
    // the history until the daily budget (6, 3 already spent) stops it.
    const run = await runCli(['run'], daily);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(sim.meteringCalls()).toHaveLength(6);
    const left = planned - 6;
    const lines = run.stdout.split('\n').filter((l) => l.startsWith('Backfill:'));
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Backfill: ${left} metering calls left \\(${Math.ceil(left / 6)} more daily runs? at 6 calls a day\\); today's budget is spent, the first run after \\d{4}-\\d{2}-\\d{2} 00:00 goes on with it\\.$`,
        ),
      ),
    ]);
    expect(run.stdout).not.toMatch(/exit code 75|Run again/);
    expect(String(jeedom.currentValue(relaunch.id)?.value)).toBe('0');

    // Again the same day: no call left today, still a success, and the JSON says the same.
    const again = await runCli(['run', '--json'], daily);
    expect(again.code).toBe(0);
    expect(sim.meteringCalls()).toHaveLength(6);
    const report = JSON.parse(again.stdout);
    expect(report.ok).toBe(true);
    expect(report.backfill).toMatchObject({ callsLeft: left, dailyBudget: 6, runsNeeded: Math.ceil(left / 6) });
    expect(Date.parse(report.backfill.continuesAt)).toBeGreaterThan(Date.now());
    expect(report.kinds.find((k: { kind: string }) => k.kind === 'load_curve').status).toBe('incomplete');
    expect(String(jeedom.currentValue(relaunch.id)?.value)).toBe('0');
  }, 120_000);

  it('the budget spent on the recent days themselves is still a temporary failure (exit 75)', async () => {
    const { env } = await paired({ JEELINKY_DAILY_CALL_BUDGET: '1' });
    // Two recent calls (daily data, curve) for a budget of one: the curve's recent days are not asked.
    const run = await runCli(['run', '--json'], env);
    expect(run.code).toBe(75);
    expect(JSON.parse(run.stdout).backfill).toBeUndefined();
  });

  it('runs left after a one-off --budget are counted at the daily budget, rounded up', async () => {
    const { env } = await paired({ JEELINKY_DAILY_CALL_BUDGET: '4' });
    const planned = await plannedCalls(env, ['--since', '-60 days']);
    const r = await runCli(['backfill', '--since', '-60 days', '--budget', '2', '--json'], env);
    expect(r.code).toBe(75);
    const budget = JSON.parse(r.stdout).budget;
    expect(budget).toMatchObject({ dailyBudget: 4, runBudget: 2, usedToday: 2, leftToday: 0, callsRemaining: planned - 2 });
    expect(budget.runsNeeded).toBe(Math.ceil((planned - 2) / 4));
    const human = await runCli(['backfill', '--since', '-60 days', '--budget', '0', '--dry-run'], env);
    expect(human.stdout).toContain(
      `${planned - 2} call(s) still to make: about ${Math.ceil((planned - 2) / 4)} daily run(s) at the daily budget of 4`,
    );
  });

  it('the progress total is what this run may spend (plain lines off a terminal)', async () => {
    const { env } = await paired();
    const planned = await plannedCalls(env, ['--since', '-200 days']);
    expect(planned).toBeGreaterThan(20);
    const r = await runCli(['backfill', '--since', '-200 days', '--budget', '12'], env);
    expect(r.code).toBe(75);
    const progress = r.stderr.split('\n').filter((l) => l.startsWith('metering calls:'));
    expect(progress.at(-1)).toBe('metering calls: 12/12 (100%)');
    expect(progress.every((l) => l.includes('/12 '))).toBe(true);
  }, 60_000);
});

describe('the whole history Enedis keeps', () => {
  it('a full-depth backfill asks and stores the oldest day of every kind, in the fewest calls, and nothing beyond', async () => {
    const { env, enedis: sim, dir } = await paired({ JEELINKY_KINDS: READING_KINDS.join(',') }, { production: true });
    const r = await runCli(['backfill', '--budget', '0', '--json'], env, 180_000);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    const calls = sim.meteringCalls();
    expect(calls.every((c) => c.status === 200)).toBe(true); // no refusal: nothing beyond the depth was asked
    const store = new ReadingsStore(await StateStore.open(dir));
    for (const kind of READING_KINDS) {
      const oldest = sim.historyDeadline(kind as ReadingKind);
      const k = report.kinds.find((x: { kind: string }) => x.kind === kind);
      const mine = calls.filter((c) => c.path === ROUTES[kind].path);
      expect(mine.map((c) => c.query.start!).sort()[0], kind).toBe(oldest);
      expect(k.from, kind).toBe(oldest);
      expect(k.missingDays, kind).toEqual([]);
      // The fewest calls the route's span allows, for the whole depth.
      expect(mine, kind).toHaveLength(Math.ceil(daysBetween(oldest, k.to) / ROUTES[kind].maxDays));
      const first = await store.readings(PDL, kind, oldest, addDays(oldest, 1));
      expect(first.length, kind).toBeGreaterThan(0);
      expect(await store.readings(PDL, kind, addDays(oldest, -40), oldest), kind).toHaveLength(0);
    }
  }, 240_000);
});
