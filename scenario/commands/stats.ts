/**
 * `jeelinky stats [--source jeedom|local] [--unit Wh|kWh] [--json] [--] <command> <calc> <start> <end>`:
 * Jeedom's statisticsBetween from the command line. Scripts rely on this contract: stdout is the
 * value alone on one line, exactly as statisticsBetween gives it for the same command, calculation
 * and bounds ("20.720000" for avg, "123.40" for sum, an empty line where Jeedom gives ''); `--json`
 * prints {value, calc, start, end, count} with the resolved bounds. Everything after `--` is
 * positional, so `-7 days` can be a bound.
 */
import fs from 'node:fs';
import type { CommandModule } from 'yargs';
import { ConfigError, ExitCode, JeelinkyError } from '../../plugin/errors.js';
import { JeedomClient } from '../../plugin/jeedom/client.js';
import { assertUsagePoint } from '../../plugin/jeedom/virtual.js';
import { maskUsagePoint } from '../../plugin/secrets.js';
import { jeedomStatisticsBetween, localStatisticsBetween } from '../../plugin/runner/stats.js';
import { storedDayTariffs } from '../../plugin/runner/tariff-context.js';
import { LOCAL_SERIES_NAMES, localSeries, parseCalc, toKwhText, type SourceStats } from '../../plugin/stats/sources.js';
import { resolveBound } from '../../plugin/stats/statistics.js';
import { ReadingsStore } from '../../plugin/store/readings.js';
import { StateStore } from '../../plugin/store/state.js';
import { TokenState } from '../../plugin/store/tokens.js';
import { printJson } from '../output.js';
import { configFromArgs, withCommonOptions, type CommonArgs } from './common.js';
import { parseNow } from './date.js';
import { jeedomOverrides, withJeedomOptions, type JeedomConnectionArgs } from './jeedom.js';
import { resolveUsagePoint } from '../../plugin/usage-point.js';

interface StatsArgs extends CommonArgs, JeedomConnectionArgs {
  args?: Array<string | number>;
  source?: 'jeedom' | 'local';
  unit?: 'Wh' | 'kWh';
  now?: string;
  '--'?: Array<string | number>;
}

function usage(message: string): JeelinkyError {
  return new JeelinkyError(message, { code: 'usage', exitCode: ExitCode.USAGE });
}

/** The PDL: --usage-point / JEELINKY_USAGE_POINT_ID, else the only one of the saved consent. */
async function usagePointOf(configured: string | undefined, stateDir: string, required: boolean): Promise<string | undefined> {
  if (configured) return assertUsagePoint(configured);
  if (!fs.existsSync(stateDir)) return undefined;
  const tokens = await new TokenState(await StateStore.open(stateDir)).getTokens();
  const points = tokens?.usagePoints ?? [];
  // Not required (the Jeedom source): several or none leaves the PDL unknown, without an error.
  if (points.length === 0 || (points.length > 1 && !required)) return undefined;
  return resolveUsagePoint(undefined, points, {
    show: maskUsagePoint,
    several: (shown) => new ConfigError(`the consent covers several PDLs (${shown}): choose one with --usage-point`, 'usage_point'),
  });
}

/** The JSON value: a number where the text is one, null for Jeedom's ''. */
function jsonValue(text: string): number | string | null {
  if (text === '') return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
}

export const statsCommand: CommandModule<object, StatsArgs> = {
  command: 'stats [args..]',
  describe: "Jeedom's statisticsBetween(<command>, <calc>, <start>, <end>) from a Jeedom box or from the local store",
  builder: (y) =>
    withJeedomOptions(withCommonOptions(y))
      .positional('args', { type: 'string', array: true, describe: '<command> <calc> <start> <end>' })
      .option('source', {
        choices: ['jeedom', 'local'] as const,
        describe: 'Where the history comes from [default: jeedom when JEELINKY_JEEDOM_URL is set, else local]',
      })
      .option('unit', {
        choices: ['Wh', 'kWh'] as const,
        describe: 'kWh divides a Wh figure by 1000, as the forum scenario\'s "/1000" [default: as stored]',
      })
      .option('now', { type: 'string', describe: 'Reference time of the expressions, ISO-8601 [default: the current time]' })
      .example('$0 stats -- "#[Linky][Linky][value]#" sum "first day of last month 00:00:00" "last day of last month 23:59:59"', '')
      .example('$0 stats --source local --unit kWh -- daily_consumption sum "monday last week 00:00" "sunday last week 23:59"', '')
      .example('$0 stats --json -- load_curve_power max "-7 days" now', ''),
  handler: async (argv) => {
    const config = configFromArgs(argv, {
      ...jeedomOverrides(argv),
    });
    // yargs may turn a positional such as 2024 or a command id into a number: they are text.
    const args = [...(argv.args ?? []), ...(argv['--'] ?? [])].map(String);
    if (args.length !== 4) {
      throw usage(
        `stats takes 4 arguments, <command> <calc> <start> <end> (got ${args.length}): e.g. jeelinky stats -- daily_consumption sum "first day of last month 00:00:00" "last day of last month 23:59:59"`,
      );
    }
    const [name, calcArg, start, end] = args as [string, string, string, string];
    const calc = parseCalc(calcArg);
    const source = argv.source ?? (config.jeedomUrl ? 'jeedom' : 'local');
    const series = localSeries(name);
    if (argv.unit === 'kWh' && series && series.unit !== 'Wh') {
      throw usage(`--unit kWh applies to energy (Wh); ${name} is in ${series.unit}`);
    }

    let result: SourceStats;
    if (source === 'jeedom') {
      if (!config.jeedomUrl)
        throw new ConfigError(
          '--source jeedom needs the box: set JEELINKY_JEEDOM_URL or pass --jeedom-url (e.g. http://192.168.1.20)',
          'jeedom_url',
        );
      if (!config.jeedomApiKey)
        throw new ConfigError(
          'no Jeedom API key: set JEELINKY_JEEDOM_APIKEY or pass --jeedom-apikey (Réglages → Système → Configuration → API)',
          'jeedom_apikey',
        );
      const client = new JeedomClient({ url: config.jeedomUrl, apikey: config.jeedomApiKey });
      try {
        // The box's zone, not --tz: Jeedom resolves the expressions in its own configured zone.
        const tz = await client.timezone();
        const now = argv.now !== undefined ? parseNow(argv.now, tz) : new Date();
        const usagePoint = series ? await usagePointOf(config.usagePoint, config.stateDir, true) : undefined;
        result = await jeedomStatisticsBetween(client, name, calc, start, end, { now, usagePoint });
      } finally {
        client.close();
      }
    } else {
      if (!series) {
        throw new ConfigError(
          `with --source local, <command> is one of ${LOCAL_SERIES_NAMES.join(', ')} ("${name}" is a Jeedom name: use --source jeedom)`,
          'bad_series',
        );
      }
      const tz = config.tz;
      const now = argv.now !== undefined ? parseNow(argv.now, tz) : new Date();
      // A bad expression is the first thing to report, before any question about the store.
      for (const bound of [start, end]) resolveBound(bound, { now, tz });
      if (!fs.existsSync(config.stateDir)) {
        throw new ConfigError(
          `no local store in ${config.stateDir}: run "jeelinky run" first, or point JEELINKY_STATE_DIR at it`,
          'state_missing',
        );
      }
      const usagePoint = await usagePointOf(config.usagePoint, config.stateDir, true);
      if (!usagePoint) throw new ConfigError('no PDL: pair first ("jeelinky pair") or pass --usage-point', 'usage_point');
      // Read without the run lock: month files are replaced atomically, and a long backfill
      // holding the lock must not block a scenario that only asks for a figure.
      const state = await StateStore.open(config.stateDir);
      const store = new ReadingsStore(state);
      // hp_energy, hc_energy, cost: the figures the run writes into Jeedom (settings + cached contract).
      const tariffDays = (pdl: string, from: string, to: string) => storedDayTariffs(state, config, pdl, from, to);
      result = await localStatisticsBetween(store, usagePoint, name, calc, start, end, { now, tz, tariffDays });
    }

    if (argv.unit === 'kWh' && result.unit !== 'Wh' && result.unit !== '') {
      throw usage(`--unit kWh applies to energy in Wh; ${result.series} is in ${result.unit}`);
    }
    const text = argv.unit === 'kWh' ? toKwhText(calc, result.text) : result.text;
    if (result.notHistorized) {
      process.stderr.write(`jeelinky: ${result.series} is not historised in Jeedom, so statisticsBetween gives '' for it\n`);
    }
    if (argv.json) {
      printJson({
        value: jsonValue(text),
        calc,
        start: result.start.iso,
        end: result.end.iso,
        count: result.count,
        text,
        unit: argv.unit === 'kWh' ? (calc === 'count' ? '' : calc === 'variance' ? 'kWh²' : 'kWh') : result.unit,
        source,
        command: result.series,
        timezone: result.timezone,
        startLocal: result.start.local,
        endLocal: result.end.local,
      });
    } else process.stdout.write(`${text}\n`);
  },
};
