/**
 * The yargs options of the settings, generated from their descriptors (plugin/settings.ts): the
 * flag, its type and its help line (text, variable, default) are written once, there.
 */
import type { Argv, Options } from 'yargs';
import type { ConfigOverrides } from '../../plugin/config.js';
import { setting, settingHelp, type SettingKey } from '../../plugin/settings.js';

/** Adds the flags of these settings to a command's builder, under `group` when given. */
export function withSettingOptions<T, A = object>(y: Argv<T>, keys: readonly SettingKey[], group?: string): Argv<T & A> {
  let out: Argv<T> = y;
  for (const key of keys) {
    const s = setting(key);
    if (!s.flag) throw new Error(`setting ${key} has no flag`);
    const option: Options = {
      type: s.type === 'number' ? 'number' : s.type === 'boolean' ? 'boolean' : 'string',
      describe: settingHelp(s),
      ...(s.type === 'list' ? { array: true } : {}),
      ...(group ? { group } : {}),
    };
    out = out.option(s.flag, option) as Argv<T>;
  }
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
