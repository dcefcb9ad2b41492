/**
 * `jeelinky tempo [--since D] [--until D] [--json]`: today's and tomorrow's Tempo colour, the colour
 * in effect now (a Tempo day runs 06:00 → 06:00), the season's red and white days used and left, and
 * the days of the range that have no colour. A calendar source that fails is reported on stderr and
 * never fails the command (exit 0, days listed without colour), except a setting a person must fix
 * (refused RTE credentials, wrong URL, unreadable calendar file): exit 78 naming the setting.
 */
import type { CommandModule } from 'yargs';
import { ConfigError, ExitCode } from '../../plugin/errors.js';
import { redact } from '../../plugin/secrets.js';
import { seasonBounds, seasonOf } from '../../plugin/tempo/colours.js';
import { lastPublishedDay, loadTempoCalendar, seasonCounts, type SeasonCounts } from '../../plugin/tempo/calendar.js';
import { RTE_TZ } from '../../plugin/tempo/sources.js';
import { addDays, localDay } from '../../plugin/time/local.js';
import { resolveDayInput } from '../dates.js';
import { printJson } from '../output.js';
import { withInterruptSignals } from '../signals.js';
import { configFromArgs, withCommonOptions, type CommonArgs } from './common.js';
import { parseNow } from './date.js';

interface TempoArgs extends CommonArgs {
  since?: string;
  until?: string;
  now?: string;
}

export interface TempoOutput {
  source: string;
  today: { date: string; colour: string | null };
  tomorrow: { date: string; colour: string | null; published: boolean };
  /** The Tempo day in effect at this instant: before 06:00 it is the one that started yesterday. */
  in_effect: { day: string; colour: string | null };
  season: SeasonCounts;
  from: string;
  to: string;
  /** Days of from → to without a colour. */
  missing: string[];
  error: { code: string; message: string } | null;
  calls: number;
}

export const tempoCommand: CommandModule<object, TempoArgs> = {
  command: 'tempo',
  describe: "Tempo colours (RTE): today's, tomorrow's, the season's red and white days left, and days without colour",
  builder: (y) =>
    withCommonOptions(y)
      .option('since', {
        type: 'string',
        describe: 'First day to check for a colour: YYYY-MM-DD or an expression [default: the first day of the season]',
      })
      .option('until', { type: 'string', describe: 'Last day to check (included) [default: tomorrow]' })
      .option('now', { type: 'string', describe: 'Reference time, ISO-8601 [default: the current time]' })
      .example('$0 tempo', "Today's and tomorrow's colour and the season's counts")
      .example('$0 tempo --json --since 2024-09-01 --until 2024-12-31', 'As JSON, with the days of that range that have no colour'),
  handler: async (argv) => {
    const config = configFromArgs(argv);
    const now = argv.now !== undefined ? parseNow(argv.now, RTE_TZ) : new Date();
    const today = localDay(now, RTE_TZ);
    const tomorrow = addDays(today, 1);
    const season = seasonOf(today);
    const from = argv.since === undefined ? seasonBounds(season).first : resolveDayInput('--since', argv.since, now, RTE_TZ);
    const to = argv.until === undefined ? tomorrow : resolveDayInput('--until', argv.until, now, RTE_TZ);
    if (from > to) throw new ConfigError(`--since ${from} is after --until ${to}`, 'bad_range');
    const seasonFirst = seasonBounds(season).first;
    const wantFrom = from < seasonFirst ? from : seasonFirst;
    const wantTo = to > tomorrow ? to : tomorrow;
    const cal = await withInterruptSignals((signal) => loadTempoCalendar({ config, days: { from: wantFrom, to: wantTo }, now, signal }));
    // SIGINT/SIGTERM: its line was printed; stop as every command does (75), nothing else to say.
    if (cal.error?.code === 'interrupted') {
      process.exitCode = ExitCode.TEMPORARY;
      return;
    }
    const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: RTE_TZ, hour: '2-digit', hourCycle: 'h23' }).format(now));
    const effectDay = hour < 6 ? addDays(today, -1) : today;
    const out: TempoOutput = {
      source: cal.source,
      today: { date: today, colour: cal.colourOf(today) ?? null },
      tomorrow: { date: tomorrow, colour: cal.colourOf(tomorrow) ?? null, published: lastPublishedDay(now) >= tomorrow },
      in_effect: { day: effectDay, colour: cal.colourOf(effectDay) ?? null },
      season: seasonCounts(cal.colourOf, season, today),
      from,
      to,
      missing: cal.missing.filter((d) => d >= from && d <= to),
      error: cal.error ? { code: cal.error.code, message: redact(cal.error.message, []) } : null,
      calls: cal.calls,
    };
    if (argv.json) printJson(out);
    else process.stdout.write(`${renderTempo(out)}\n`);
    if (cal.error) {
      const action = cal.error.exitCode === ExitCode.ACTION_NEEDED || cal.error.exitCode === ExitCode.BUG;
      process.stderr.write(
        `jeelinky: ${action ? '' : 'warning: '}${out.error!.message}${action ? '' : ' (the days above without colour stay so until a later run)'}\n`,
      );
      if (action) process.exitCode = cal.error.exitCode;
    }
  },
};

const shown = (c: string | null) => c ?? 'unknown';

/** Sorted days as runs of consecutive days: "2021-09-01 → 2021-09-30", "2021-12-28". */
function spans(days: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < days.length; ) {
    let j = i;
    while (j + 1 < days.length && days[j + 1] === addDays(days[j]!, 1)) j++;
    out.push(i === j ? days[i]! : `${days[i]} → ${days[j]}`);
    i = j + 1;
  }
  return out;
}

export function renderTempo(out: TempoOutput): string {
  const s = out.season;
  const lines = [
    `Tempo colours (source: ${out.source})`,
    `today     ${out.today.date}  ${shown(out.today.colour)}`,
    `tomorrow  ${out.tomorrow.date}  ${out.tomorrow.colour ?? (out.tomorrow.published ? 'unknown' : 'not published yet (RTE publishes it at 10:30)')}`,
    `in effect now (a Tempo day runs 06:00 → 06:00): the day of ${out.in_effect.day}, ${shown(out.in_effect.colour)}`,
    `season ${s.season}: red ${s.red.used} used, ${s.red.remaining} left of ${s.red.quota} · white ${s.white.used} used, ${s.white.remaining} left of ${s.white.quota} · blue ${s.blue.used}` +
      (s.unknown ? ` (${s.unknown} past day(s) without colour: the counts may be short)` : ''),
    out.missing.length
      ? `days without colour (${out.missing.length} of ${out.from} → ${out.to}): ${spans(out.missing).join(', ')}`
      : `every day from ${out.from} to ${out.to} has its colour`,
  ];
  return lines.join('\n');
}
