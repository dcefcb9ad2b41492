/**
 * Options every command that talks to the proxy or the state shares, and their mapping onto
 * plugin/config.ts (flags > JEELINKY_* variables > config file).
 */
import type { Argv } from 'yargs';
import { resolveConfig, type ConfigOverrides, type JeelinkyConfig } from '../../plugin/config.js';
import { UsageError } from '../../plugin/errors.js';
import type { NumberRule } from '../argv-check.js';
import { SETTINGS, type SettingDescriptor, type SettingKey } from '../../plugin/settings.js';
import { overridesFromArgs, withSettingOptions } from './setting-options.js';

export interface CommonArgs {
  'state-dir'?: string;
  'auth-url'?: string;
  'api-url'?: string;
  'client-id'?: string;
  sandbox?: boolean;
  'user-agent'?: string;
  'pace-ms'?: number;
  'usage-point'?: string;
  tz?: string;
  kinds?: string[];
  json?: boolean;
}

/** The settings every such command takes as flags (their help comes from plugin/settings.ts). */
export const COMMON_SETTING_FLAGS = [
  'stateDir',
  'authUrl',
  'apiUrl',
  'clientId',
  'sandbox',
  'userAgent',
  'paceMs',
  'usagePoint',
  'tz',
] as const satisfies readonly SettingKey[];

export function withCommonOptions<T>(y: Argv<T>): Argv<T & CommonArgs> {
  return withSettingOptions(y, COMMON_SETTING_FLAGS).option('json', {
    type: 'boolean',
    describe: 'Print the result as JSON on stdout',
  }) as Argv<T & CommonArgs>;
}

const WHOLE: NumberRule = { min: 0, expect: 'a whole number, 0 or more' };

/**
 * What every numeric flag accepts, checked on the text typed before anything runs
 * (scenario/argv-check.ts): yargs alone would turn "abc" into NaN without a word.
 */
export const NUMBER_FLAG_RULES: Record<string, NumberRule> = {
  // Every number setting that has a flag, with its range from the table (plugin/settings.ts).
  ...Object.fromEntries(
    (SETTINGS as readonly SettingDescriptor[])
      .filter((s) => s.type === 'number' && s.flag)
      .map((s) => [s.flag!, { min: s.min ?? WHOLE.min, ...(s.max !== undefined ? { max: s.max } : {}), expect: s.expect ?? WHOLE.expect }]),
  ),
  days: { min: 1, max: 400, expect: 'a whole number from 1 to 400' },
};

/** A numeric flag must be a whole number ≥ 0 (kept for callers that bypass the command line). */
export function wholeNumberFlag(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0) throw new UsageError(`--${name} ${value}: give a whole number, 0 or more`, 'bad_flag');
  return value;
}

export function configFromArgs(argv: CommonArgs, extra: ConfigOverrides = {}): JeelinkyConfig {
  wholeNumberFlag('budget', extra.dailyCallBudget);
  wholeNumberFlag('pace-ms', argv['pace-ms']);
  const o: ConfigOverrides = { ...extra, ...overridesFromArgs(argv as Record<string, unknown>, COMMON_SETTING_FLAGS) };
  return resolveConfig(o);
}
