/**
 * The yargs options of the settings, generated from their descriptors (plugin/settings.ts): the
 * flag, its type and its help line (text, variable, default) are written once, there.
 */
import type { Argv, Options } from 'yargs';
import type { ConfigOverrides } from '../../plugin/config.js';
import { setting, settingHelp, type SettingKey } from '../../plugin/settings.js';

/** What a command may choose for a setting's flag; the type, variable and default stay the table's. */
export interface OwnFlag {
  /** One of the setting's otherFlags (report --pdl), instead of its flag. */
  as?: string;
  /** The command's own text when its help must be specific ("Kinds to backfill"); the variable and default are added. */
  help?: string;
  group?: string;
}

/**
 * A setting's flag as one command declares it among its own options (so the help keeps their
 * order): `.option(...settingOption('dailyCallBudget'))`.
 */
export function settingOption(key: SettingKey, own: OwnFlag = {}): [flag: string, option: Options] {
  const s = setting(key);
  const flag = own.as ?? s.flag;
  if (!flag) throw new Error(`setting ${key} has no flag`);
  if (own.as !== undefined && !s.otherFlags?.includes(own.as)) throw new Error(`--${own.as} is not a flag of setting ${key}`);
  const option: Options = {
    type: s.type === 'number' ? 'number' : s.type === 'boolean' ? 'boolean' : 'string',
    describe: settingHelp(s, own.help),
    ...(s.type === 'list' ? { array: true } : {}),
    ...(own.group ? { group: own.group } : {}),
  };
  return [flag, option];
}

/** Adds the flags of these settings to a command's builder, under `group` when given. */
export function withSettingOptions<T, A = object>(y: Argv<T>, keys: readonly SettingKey[], group?: string): Argv<T & A> {
  let out: Argv<T> = y;
  for (const key of keys) out = out.option(...settingOption(key, { group })) as Argv<T>;
  return out as Argv<T & A>;
}

/** The configuration overrides of these settings' flags, as given on the command line (undefined: not given). */
export function overridesFromArgs(argv: Record<string, unknown>, keys: readonly SettingKey[]): ConfigOverrides {
  const o: Record<string, unknown> = {};
  for (const key of keys) {
    const value = argv[setting(key).flag!];
    if (value !== undefined) o[key] = value;
  }
  return o as ConfigOverrides;
}
