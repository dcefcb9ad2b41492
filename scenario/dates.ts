/**
 * Day inputs of the CLI (--since, --until): a plain `YYYY-MM-DD`, or a date expression in PHP
 * strtotime syntax (`-30 days`, `first day of last month`), resolved in the meter's zone exactly as
 * Jeedom's PHP would, then taken as the local day it falls on.
 */
import { ConfigError, DateExpressionError } from '../plugin/errors.js';
import { isDay, localDay } from '../plugin/time/local.js';
import { strtotime } from '../plugin/time/strtotime.js';

export function resolveDayInput(flag: string, text: string, now: Date, tz: string): string {
  const t = text.trim();
  if (isDay(t)) return t;
  try {
    return localDay(strtotime(t, now, tz), tz);
  } catch (e) {
    if (e instanceof DateExpressionError) {
      throw new ConfigError(`${flag} "${text}": ${e.message}; give a day as YYYY-MM-DD or an expression such as "-30 days"`, 'bad_date_expression');
    }
    throw e;
  }
}
