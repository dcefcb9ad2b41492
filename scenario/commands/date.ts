/**
 * `jeelinky date [--now <ISO-8601>] [--tz <zone>] [--json] [--] <expr> [<expr> ...]`: resolves date
 * expressions exactly as Jeedom's PHP strtotime does. Scripts rely on this contract: one stdout line
 * per expression, in order, the instant as ISO-8601 with offset and seconds, or the single word
 * `invalid` (the reason goes to stderr, one line each); exit 0 when all resolved, 1 otherwise.
 * Everything after `--` is an expression, even `-1 day` or an empty string.
 */
import type { CommandModule } from 'yargs';
import { DateExpressionError, ExitCode, JeelinkyError } from '../../plugin/errors.js';
import { formatIso, isKnownTimeZone, strtotimeSeconds } from '../../plugin/time/strtotime.js';
import { readSetting } from '../../plugin/config.js';
import { setting, settingDefault } from '../../plugin/settings.js';
import { printJson } from '../output.js';
import { withSettingOptions } from './setting-options.js';

interface DateArgs {
  exprs?: Array<string | number>;
  now?: string;
  tz?: string;
  json?: boolean;
  '--'?: Array<string | number>;
}

export type DateResult = { expr: string; iso: string; epoch: number } | { expr: string; invalid: true; error: string };

function usage(message: string): JeelinkyError {
  return new JeelinkyError(message, { code: 'usage', exitCode: ExitCode.USAGE });
}

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;
const ISO_LOCAL = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?$/i;

/**
 * `--now`: ISO-8601 with an offset (or Z) is an instant; without one it is a wall time in `tz`,
 * read with PHP's rules (a time in the spring gap moves forward).
 */
export function parseNow(value: string, tz: string): Date {
  const v = value.trim();
  if (ISO_WITH_OFFSET.test(v)) {
    const ms = Date.parse(v.replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    if (Number.isFinite(ms)) return new Date(ms);
  } else if (ISO_LOCAL.test(v)) {
    try {
      return new Date(strtotimeSeconds(v.replace(/t/i, ' '), 0, tz) * 1000);
    } catch {
      // falls through to the usage error
    }
  }
  throw usage(`--now "${value}" is not an ISO-8601 date: write it like 2025-10-26T02:30:00+01:00 (or without offset, read in --tz)`);
}

/**
 * The zone of the expressions: --tz, else the tz setting's variable, else its default. config.json
 * is not read: `date` needs no state folder. A bad zone is a usage error (64), naming its source.
 */
export function resolveTz(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const tz = readSetting('tz', flag, { fileSettings: {} }, (_name, raw) => raw, env) ?? settingDefault('tz');
  if (!isKnownTimeZone(tz)) {
    const from = flag !== undefined ? `--${setting('tz').flag}` : setting('tz').env;
    throw usage(`${from} "${tz}" is not a known IANA time zone: use a name such as Europe/Paris or America/New_York`);
  }
  return tz;
}

/** Resolves each expression; never throws for an expression PHP would reject. */
export function resolveDates(exprs: string[], now: Date, tz: string): DateResult[] {
  return exprs.map((expr) => {
    try {
      const epoch = strtotimeSeconds(expr, now, tz);
      return { expr, iso: formatIso(new Date(epoch * 1000), tz), epoch };
    } catch (e) {
      if (!(e instanceof DateExpressionError)) throw e;
      return { expr, invalid: true as const, error: e.message };
    }
  });
}

export const dateCommand: CommandModule<object, DateArgs> = {
  command: 'date [exprs..]',
  describe: "Resolve date expressions (PHP strtotime syntax, as Jeedom's statisticsBetween reads them)",
  builder: (y) =>
    withSettingOptions<object, { tz?: string }>(y, ['tz'])
      .positional('exprs', { type: 'string', array: true, describe: 'Expressions such as "first day of last month 00:00:00"' })
      .option('now', { type: 'string', describe: 'Reference time, ISO-8601 [default: the current time]' })
      .option('json', { type: 'boolean', describe: 'Print a JSON array of {expr, iso, epoch} or {expr, invalid, error}' })
      .example('$0 date -- "first day of last month 00:00:00" "last day of last month 23:59:59"', '')
      .example('$0 date --now 2025-10-26T01:30:00+02:00 -- "+1 hour" "-1 day"', ''),
  handler: (argv) => {
    const tz = resolveTz(argv.tz);
    const now = argv.now !== undefined ? parseNow(argv.now, tz) : new Date();
    // yargs may turn a positional like 2024 into a number: expressions are always text.
    const exprs = [...(argv.exprs ?? []), ...(argv['--'] ?? [])].map(String);
    if (exprs.length === 0) {
      throw usage('name at least one expression: jeelinky date -- "first day of last month 00:00:00"');
    }
    const results = resolveDates(exprs, now, tz);
    if (argv.json) printJson(results);
    else process.stdout.write(`${results.map((r) => ('iso' in r ? r.iso : 'invalid')).join('\n')}\n`);
    for (const r of results) {
      if ('invalid' in r) process.stderr.write(`jeelinky: ${r.error.replace(/\s*\n\s*/g, ' ')}\n`);
    }
    if (results.some((r) => 'invalid' in r)) process.exitCode = 1;
  },
};
