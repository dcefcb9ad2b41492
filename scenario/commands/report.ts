/**
 * `jeelinky report`: one self-contained HTML page of charts from the readings store. No API call:
 * it reads the store (and the cached contract, when there is one) and writes one file.
 */
import type { CommandModule } from 'yargs';
import { resolveDayRange } from '../dates.js';
import { writeReportFromState } from '../../plugin/runner/report.js';
import { printJson } from '../output.js';
import { configFromArgs, withCommonOptions, type CommonArgs } from './common.js';
import { settingOption } from './setting-options.js';

interface ReportArgs extends CommonArgs {
  since?: string;
  until?: string;
  out?: string;
  pdl?: string;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report',
  describe: 'Write one self-contained HTML page of charts from the stored readings (no API call, opens offline)',
  builder: (y) =>
    withCommonOptions(y)
      .option('since', {
        type: 'string',
        describe: 'First day: YYYY-MM-DD or an expression ("-3 months"); default: 12 months before --until',
      })
      .option('until', { type: 'string', describe: 'Last day included: YYYY-MM-DD or an expression; default: the newest stored day' })
      .option('out', { type: 'string', describe: 'File to write; default ./jeelinky-report-<last 4 digits of the PDL>.html' })
      .option(
        ...settingOption('usagePoint', { as: 'pdl', help: 'PDL to report on when the consent covers several (same as --usage-point)' }),
      )
      .example('$0 report', 'The last 12 months stored, into ./jeelinky-report-XXXX.html')
      .example('$0 report --since 2024-01-01 --until 2024-12-31 --out 2024.html', 'One calendar year'),
  handler: async (argv) => {
    const config = configFromArgs(argv, argv.pdl ? { usagePoint: argv.pdl } : {});
    const now = new Date();
    const { since, until } = resolveDayRange(argv, now, config.tz);
    const result = await writeReportFromState({
      stateDir: config.stateDir,
      tz: config.tz,
      usagePoint: config.usagePoint,
      since,
      until,
      out: argv.out,
      now,
      tariffConfig: config,
      tempoConfig: config,
    });
    if (argv.json) printJson(result);
    else process.stdout.write(`${result.path}\n`);
  },
};
