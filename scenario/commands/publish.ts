/**
 * `jeelinky publish`: delivers readings from the store to the sinks with no call to Enedis. By
 * default only what a sink has not had yet (after a broker or server was down); with --since,
 * everything from that day on, delivered or not (a new Home Assistant, a wiped bucket).
 */
import type { CommandModule } from 'yargs';
import { ConfigError } from '../../plugin/errors.js';
import { createSinks } from '../../plugin/sinks/index.js';
import { SINK_NAMES, type SinkName } from '../../plugin/sinks/sink.js';
import { addDays } from '../../plugin/time/local.js';
import { resolveDayRange } from '../dates.js';
import { publishFromStore } from '../../plugin/runner/publish.js';
import { printJson } from '../output.js';
import { terminalEvents } from '../render.js';
import { withInterruptSignals } from '../signals.js';
import { configFromArgs, withCommonOptions, type CommonArgs } from './common.js';
import { withSinkOptions, type InfluxArgs, type MqttArgs } from './sink-options.js';
import { jeedomOverrides, withJeedomSinkOptions } from './jeedom.js';
import type { SectionArgs } from '../../plugin/settings.js';

interface PublishArgs extends CommonArgs, MqttArgs, InfluxArgs, SectionArgs<'jeedom'> {
  sink?: string[];
  since?: string;
}

export const publishCommand: CommandModule<object, PublishArgs> = {
  command: 'publish',
  describe: 'Deliver stored readings to the sinks (Jeedom, MQTT, InfluxDB) without calling Enedis',
  builder: (y) =>
    withJeedomSinkOptions(withSinkOptions(withCommonOptions(y)))
      .option('sink', {
        type: 'string',
        array: true,
        choices: [...SINK_NAMES],
        describe: 'Only these sinks (default: every configured one)',
      })
      .option('since', {
        type: 'string',
        describe:
          'Send again everything from this day on, delivered or not: YYYY-MM-DD or an expression ("-30 days"); default: only what a sink has not had',
      })
      .example('$0 publish', 'Deliver what a sink missed while it was down')
      .example('$0 publish --sink mqtt --since 2024-01-01', 'Send everything since 2024 to MQTT again'),
  handler: async (argv) => {
    const config = configFromArgs(argv, {
      ...jeedomOverrides(argv),
    });
    const now = new Date();
    const since = resolveDayRange({ since: argv.since }, now, config.tz).since;
    const only = argv.sink?.length ? (argv.sink as SinkName[]) : undefined;
    const sinks = createSinks(config, argv, only);
    if (sinks.length === 0) {
      const asked = only ? only.join(', ') : 'any sink';
      throw new ConfigError(
        `${asked}: not configured; set JEELINKY_JEEDOM_URL, JEELINKY_MQTT_HOST or JEELINKY_INFLUXDB_URL (or the matching --jeedom-url, --mqtt-host, --influx-url)`,
        'no_sink',
      );
    }
    const events = terminalEvents(config.tz, Boolean(argv.json));
    const report = await withInterruptSignals(
      (signal) => publishFromStore(config, sinks, { since, now, onProgress: events.sinkProgress, signal }),
      { beforeLine: events.interrupted },
    );
    if (argv.json) printJson(report);
    else {
      process.stdout.write(
        `PDL ${report.usagePoint}, days ${report.from} to ${addDays(report.to, -1)}${report.forced ? ' (all readings)' : ' (not yet delivered)'}:\n`,
      );
      for (const s of report.sinks) {
        process.stdout.write(
          s.error?.code === 'interrupted'
            ? `${s.sink.padEnd(8)} interrupted: ${s.written} written; the rest stays pending for the next run\n`
            : s.error
              ? `${s.sink.padEnd(8)} not delivered (readings kept): ${s.error.message}\n`
              : `${s.sink.padEnd(8)} ${s.written} written, ${s.skipped} already there, ${s.corrected} corrected${s.failed ? `, ${s.failed} failed` : ''}\n`,
        );
      }
    }
    for (const s of report.sinks)
      if (s.error && s.error.code !== 'interrupted') process.stderr.write(`jeelinky: ${s.sink}: ${s.error.message}\n`);
    process.exitCode = report.exitCode;
  },
};
