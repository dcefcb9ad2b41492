/**
 * Day inputs of the CLI (--since, --until): a plain `YYYY-MM-DD`, or a date expression in PHP
 * strtotime syntax (`-30 days`, `first day of last month`), resolved in the meter's zone exactly as
 * Jeedom's PHP would, then taken as the local day it falls on.
 */
import { ConfigError, DateExpressionError, UsageError } from '../plugin/errors.js';
import { isDay, localDay } from '../plugin/time/local.js';
import { strtotime } from '../plugin/time/strtotime.js';

export function resolveDayInput(flag: string, text: string, now: Date, tz: string): string {
  const t = text.trim();
  if (isDay(t)) return t;
  try {
    return localDay(strtotime(t, now, tz), tz);
  } catch (e) {
    if (e instanceof DateExpressionError) {
      throw new ConfigError(
        `${flag} "${text}": ${e.message}; give a day as YYYY-MM-DD or an expression such as "-30 days"`,
        'bad_date_expression',
      );
    }
    throw e;
  }
}

/**
 * --since and --until of a command, resolved. A --since in the future, or after --until, is a slip
 * on the command line (exit 64), not a run that quietly does nothing.
 */
export function resolveDayRange(args: { since?: string; until?: string }, now: Date, tz: string): { since?: string; until?: string } {
  const since = args.since === undefined ? undefined : resolveDayInput('--since', args.since, now, tz);
  const until = args.until === undefined ? undefined : resolveDayInput('--until', args.until, now, tz);
  const today = localDay(now, tz);
  const shown = (text: string, day: string) => (text.trim() === day ? day : `"${text}" (${day})`);
  if (since !== undefined && since > today) {
    throw new UsageError(`--since ${shown(args.since!, since)} is in the future (today is ${today}): give a past day`, 'since_in_future');
  }
  if (since !== undefined && until !== undefined && since > until) {
    throw new UsageError(
      `--since ${shown(args.since!, since)} is after --until ${shown(args.until!, until)}: give the earlier day to --since`,
      'bad_range',
    );
  }
  return { since, until };
}
