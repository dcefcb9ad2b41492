/**
 * `jeelinky run`: the forum scenario (docs/origins.md §3). Step flags run single steps (as its $code,
 * $firstConnexion, $refreshToken, $getDailyConsumption…); no flag at all is the daily job.
 */
import type { CommandModule } from 'yargs';
import { ExitCode } from '../../plugin/errors.js';
import { parseKinds } from '../../plugin/config.js';
import { createSinks } from '../../plugin/sinks/index.js';
import type { ReadingKind } from '../../plugin/readings.js';
import { resolveDayRange } from '../dates.js';
import { printJson } from '../output.js';
import { withInterruptSignals } from '../signals.js';
import { failureLines, renderRunReport, terminalEvents } from '../render.js';
import { runScenario, type RunOptions } from '../../plugin/runner/run.js';
import { configFromArgs, withCommonOptions, type CommonArgs } from './common.js';
import { withSinkOptions } from './sink-options.js';
import { jeedomOverrides, withJeedomSinkOptions } from './jeedom.js';
import { withSettingOptions } from './setting-options.js';
import type { SectionArgs } from '../../plugin/settings.js';

interface RunArgs extends CommonArgs, SectionArgs<'jeedom'> {
  code?: boolean;
  'first-connexion'?: boolean;
  'refresh-token'?: boolean;
  'daily-consumption'?: boolean;
  'max-power'?: boolean;
  'load-curve'?: boolean;
  production?: boolean;
  since?: string;
  kinds?: string[];
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run',
  describe: 'Run the scenario: the daily job, or single steps with step flags (pairing, refresh, fetch)',
  builder: (y) =>
    withSettingOptions(withJeedomSinkOptions(withSinkOptions(withCommonOptions(y))), ['kinds'])
      .option('code', { type: 'boolean', describe: 'Step "code": ask the proxy for a device code; print the URL and user code' })
      .option('first-connexion', { type: 'boolean', describe: 'Step "firstConnexion": wait for the consent and collect the tokens' })
      .option('refresh-token', { type: 'boolean', describe: 'Step "refresh": renew the access token' })
      .option('daily-consumption', { type: 'boolean', describe: 'Fetch daily consumption (Wh)' })
      .option('max-power', { type: 'boolean', describe: 'Fetch daily maximum power (VA, with its time)' })
      .option('load-curve', { type: 'boolean', describe: 'Fetch the consumption load curve (W average and Wh per interval)' })
      .option('production', { type: 'boolean', describe: 'Fetch daily production (Wh) and the production load curve' })
      .option('since', {
        type: 'string',
        describe: 'First day to fetch: YYYY-MM-DD or an expression ("-30 days"); default: 7 days ago or the day after the newest stored',
      })
      .example('$0 run', 'The daily job: refresh if needed, fetch every enabled kind up to yesterday')
      .example('$0 run --code', 'Pairing step 1: print the URL and code to approve')
      .example('$0 run --first-connexion', 'Pairing step 2: collect the tokens once approved')
      .example('$0 run --load-curve --since 2026-01-01', 'Only the load curve, from a given day'),
  handler: async (argv) => {
    const config = configFromArgs(argv, {
      ...(argv.kinds ? { kinds: argv.kinds } : {}),
      ...jeedomOverrides(argv),
    });
    const fetchKinds: ReadingKind[] = [];
    if (argv['daily-consumption']) fetchKinds.push('daily_consumption');
    if (argv['max-power']) fetchKinds.push('max_power');
    if (argv['load-curve']) fetchKinds.push('load_curve');
    if (argv.production) fetchKinds.push('daily_production', 'production_load_curve');
    const options: RunOptions = {
      code: argv.code,
      firstConnexion: argv['first-connexion'],
      refreshToken: argv['refresh-token'],
      fetchKinds: fetchKinds.length ? parseKinds('--kinds', fetchKinds) : undefined,
      since: resolveDayRange({ since: argv.since }, new Date(), config.tz).since,
    };
    // The pairing URL and code go to stdout with the report (a Jeedom scenario logs stdout).
    const { pairingCode: _printedWithReport, ...events } = terminalEvents(config.tz, false);
    const report = await withInterruptSignals(
      (signal) => runScenario(options, { config, events, sinks: createSinks(config, argv), signal }),
      { beforeLine: events.interrupted },
    );
    const { readings: _sinkOnly, ...printable } = report;

    if (argv.json) printJson(printable);
    else {
      const text = renderRunReport(report, config.tz);
      if (text) process.stdout.write(`${text}\n`);
    }
    for (const line of failureLines(report)) process.stderr.write(`${line}\n`);
    process.exitCode = report.exitCode === ExitCode.OK ? 0 : report.exitCode;
  },
};
