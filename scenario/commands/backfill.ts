/**
 * `jeelinky backfill`: the whole history Enedis keeps, within the daily call budget. It plans the
 * fewest calls for the days not stored yet, runs them newest first until the budget is spent, and
 * remembers how far back to go so that each daily run continues, a budget at a time.
 */
import readline from 'node:readline/promises';
import type { CommandModule } from 'yargs';
import { parseKinds } from '../../plugin/config.js';
import { ROUTES } from '../../plugin/enedis/metering.js';
import { ConfigError, ExitCode } from '../../plugin/errors.js';
import { KIND_INFO, type ReadingKind } from '../../plugin/readings.js';
import { createSinks } from '../../plugin/sinks/index.js';
import { CallCounter, dailyRunsNeeded } from '../../plugin/store/budget.js';
import { addDays, daysBetween, eachDay, isDay, localDay } from '../../plugin/time/local.js';
import { resolveDayInput, resolveDayRange } from '../dates.js';
import { depthStart } from '../../plugin/runner/fetch.js';
import { printJson } from '../output.js';
import { withInterruptSignals } from '../signals.js';
import { failureLines, renderRunReport, terminalEvents } from '../render.js';
import { runScenario, withState, type RunReport } from '../../plugin/runner/run.js';
import { configFromArgs, withCommonOptions, type CommonArgs } from './common.js';
import { jeedomOverrides, withJeedomSinkOptions } from './jeedom.js';
import { settingOption } from './setting-options.js';
import type { SectionArgs } from '../../plugin/settings.js';

interface BackfillArgs extends CommonArgs, SectionArgs<'jeedom'> {
  since?: string;
  kinds?: string[];
  'dry-run'?: boolean;
  budget?: number;
  refresh?: string[];
  'retry-blacklisted'?: boolean;
  'wipe-cache'?: boolean;
  yes?: boolean;
}

/** `--refresh 2024-10-27` or `--refresh 2024-10-01..2024-10-31`: the days to ask again. */
export function parseRefreshDays(values: string[] | undefined, now: Date, tz: string): Set<string> | undefined {
  if (!values?.length) return undefined;
  const days = new Set<string>();
  for (const v of values.flatMap((x) => x.split(','))) {
    const [a, b] = v.split('..');
    const first = resolveDayInput('--refresh', a ?? '', now, tz);
    const last = b === undefined ? first : resolveDayInput('--refresh', b, now, tz);
    if (last < first) throw new ConfigError(`--refresh ${v}: the range ends before it starts`);
    for (const d of eachDay(first, addDays(last, 1))) days.add(d);
  }
  return days;
}

/** Calls a refetch of everything would cost: per kind, the history depth over its range limit. */
function fullRefetchCalls(kinds: readonly ReadingKind[], today: string): number {
  return kinds.reduce((sum, k) => sum + Math.ceil(daysBetween(depthStart(today, ROUTES[k].depthMonths), today) / ROUTES[k].maxDays), 0);
}

async function confirm(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^(y|yes|o|oui)$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export const backfillCommand: CommandModule<object, BackfillArgs> = {
  command: 'backfill',
  describe: 'Fetch the whole history Enedis keeps (36 months daily, 24 months load curve) within the daily call budget',
  builder: (y) =>
    withJeedomSinkOptions(withCommonOptions(y))
      .option('since', { type: 'string', describe: 'First day wanted: YYYY-MM-DD or an expression; default: as far back as Enedis keeps' })
      .option(...settingOption('kinds', { help: 'Kinds to backfill' }))
      .option('dry-run', { type: 'boolean', describe: 'Print the plan (calls per kind, ranges, writes per sink) and make no call' })
      .option(...settingOption('dailyCallBudget'))
      .option('refresh', { type: 'string', array: true, describe: 'Ask again for these days even if complete: YYYY-MM-DD or FROM..TO' })
      .option('retry-blacklisted', { type: 'boolean', describe: 'Ask again for days given up after 7 fruitless tries' })
      .option('wipe-cache', {
        type: 'boolean',
        describe: 'Forget every stored reading first (asks for confirmation; tells the cost in calls)',
      })
      .option('yes', { type: 'boolean', describe: 'Do not ask for confirmation (--wipe-cache)' })
      .example('$0 backfill --dry-run', 'Show how many calls and days the whole history needs')
      .example('$0 backfill', 'Start; each daily "jeelinky run" then continues until the history is complete')
      .example('$0 backfill --refresh 2024-10-27', 'Fetch one day again'),
  handler: async (argv) => {
    const config = configFromArgs(argv, {
      ...(argv.budget !== undefined ? { dailyCallBudget: argv.budget } : {}),
      ...jeedomOverrides(argv),
    });
    const now = new Date();
    const today = localDay(now, config.tz);
    const kinds = argv.kinds ? parseKinds('--kinds', argv.kinds) : config.kinds;
    const since = resolveDayRange({ since: argv.since }, now, config.tz).since ?? depthStart(today, 36);
    if (!isDay(since)) throw new ConfigError(`--since ${argv.since}: not a day`);

    if (argv['wipe-cache']) {
      const cost = fullRefetchCalls(kinds, today);
      const question = `This forgets every stored reading in ${config.stateDir} (tokens are kept). Fetching everything again costs about ${cost} metering calls (${Math.ceil(cost / Math.max(1, config.dailyCallBudget || cost))} day(s) at the budget of ${config.dailyCallBudget || 'unlimited'}). Continue? [y/N] `;
      if (!argv.yes) {
        if (!process.stdin.isTTY)
          throw new ConfigError(
            `--wipe-cache needs a confirmation: add --yes (a full refetch costs about ${cost} calls)`,
            'confirmation_needed',
          );
        if (!(await confirm(question))) {
          process.stderr.write('Nothing wiped.\n');
          return;
        }
      }
      const wiped = await withState(config, async (store) => {
        const keys = [...(await store.keysWithPrefix('readings:')), ...(await store.keysWithPrefix('meta:'))];
        for (const k of keys) await store.remove(k);
        return keys.length;
      });
      process.stderr.write(`Wiped ${wiped} state file(s); the backfill below fetches them again (about ${cost} calls).\n`);
    }

    const sinks = argv['dry-run'] ? createSinks(config, argv).filter((s) => s.name === 'jeedom') : createSinks(config, argv);
    const events = terminalEvents(config.tz, Boolean(argv.json));
    const report = await withInterruptSignals(
      (signal) =>
        runScenario(
          {
            fetchKinds: kinds,
            since,
            rememberSince: !argv['dry-run'],
            dryRun: argv['dry-run'],
            refreshDays: parseRefreshDays(argv.refresh, now, config.tz),
            retryBlacklisted: argv['retry-blacklisted'],
            retryUnavailable: argv['retry-blacklisted'],
            forceSinks: ['jeedom'],
            // Documented: a backfill stopped by the budget exits 75 (the daily run, exit 0).
            budgetStopFails: true,
          },
          { config, events, sinks, signal },
        ),
      { beforeLine: events.interrupted },
    );
    const used = await withState(
      config,
      async (store) => (await new CallCounter(store).get(today)).perUsagePoint[report.usagePoint ?? ''] ?? 0,
    );
    // A one-off --budget limits this run only; the daily runs that go on spend the daily budget.
    const dailyBudget = argv.budget === undefined ? config.dailyCallBudget : configFromArgs(argv).dailyCallBudget;
    const summary = backfillSummary(report, { run: config.dailyCallBudget, daily: dailyBudget }, used);
    const { readings: _sinkOnly, ...printable } = report;
    if (argv.json) printJson({ ...printable, budget: summary });
    else process.stdout.write(`${renderBackfill(report, summary, config.tz, Boolean(argv['dry-run']))}\n`);
    for (const line of failureLines(report)) if (!line.includes('budget')) process.stderr.write(`${line}\n`);
    process.exitCode = report.exitCode === ExitCode.OK ? 0 : report.exitCode;
  },
};

export interface BudgetSummary {
  /** Calls each daily run may spend per PDL (JEELINKY_DAILY_CALL_BUDGET; 0: no limit). */
  dailyBudget: number;
  /** Calls this run was allowed today (--budget, else the daily budget; 0: no limit). */
  runBudget: number;
  /** Metering calls counted today for this PDL (all runs). */
  usedToday: number;
  /** Calls left today under this run's budget (null: no limit). */
  leftToday: number | null;
  /** Planned calls not made yet (this run stopped or was a dry run). */
  callsRemaining: number;
  /** Daily runs still needed at the daily budget: callsRemaining ÷ dailyBudget, rounded up. */
  runsNeeded: number | null;
}

export function backfillSummary(report: RunReport, budget: { run: number; daily: number }, usedToday: number): BudgetSummary {
  const remaining = report.kinds.reduce((a, k) => a + Math.max(0, k.plannedCalls - k.calls), 0);
  const left = budget.run > 0 ? Math.max(0, budget.run - usedToday) : null;
  return {
    dailyBudget: budget.daily,
    runBudget: budget.run,
    usedToday,
    leftToday: left,
    callsRemaining: remaining,
    runsNeeded: dailyRunsNeeded(remaining, budget.daily),
  };
}

function renderBackfill(report: RunReport, b: BudgetSummary, tz: string, dryRun: boolean): string {
  const lines: string[] = [];
  if (dryRun) {
    lines.push('Plan (no call made):');
    for (const k of report.kinds) {
      lines.push(
        `  ${KIND_INFO[k.kind].label.padEnd(23)} ${k.from} → ${k.to} (end excluded): ${k.plannedCalls} call(s)${k.status === 'not_available' ? ' — not available for this PDL' : ''}`,
      );
    }
    for (const s of report.sinks) {
      lines.push(
        `  ${s.sink.padEnd(23)} ${s.pending ?? 0} write(s) it lacks for the stored readings${s.skipped ? ` (${s.skipped} already there)` : ''}, plus what the calls bring`,
      );
      for (const w of s.warnings ?? []) lines.push(`    warning: ${w}`);
    }
  } else lines.push(renderRunReport(report, tz));
  const budget =
    b.runBudget > 0 ? `${b.usedToday}/${b.runBudget} calls used today for this PDL, ${b.leftToday} left` : 'no budget for this run';
  const runs =
    b.runsNeeded !== null && b.callsRemaining
      ? `: about ${b.runsNeeded} daily run(s) at the daily budget of ${b.dailyBudget} ("jeelinky run" continues the backfill)`
      : '';
  lines.push(`Budget: ${budget}. ${b.callsRemaining} call(s) still to make${runs}.`);
  return lines.join('\n');
}
