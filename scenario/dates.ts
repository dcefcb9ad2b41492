/**
 * Day inputs of the CLI (--since, --until): a plain `YYYY-MM-DD`, or a date expression in PHP
 * strtotime syntax (`-30 days`, `first day of last month`), resolved in the meter's zone.
 */
import { ConfigError } from '../plugin/errors.js';
import { isDay, localDay } from '../plugin/time/local.js';

export function resolveDayInput(flag: string, text: string, now: Date, tz: string): string {
  const t = text.trim();
  if (isDay(t)) return t;
  throw new ConfigError(`${flag} "${text}": give a day as YYYY-MM-DD`);
}

export { localDay };
