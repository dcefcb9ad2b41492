/**
 * Command-line values for the sinks' own settings. The CLI hands the parsed options (yargs argv,
 * keyed by flag name such as `mqtt-host`) to the sink factories; each sink reads its own flags and
 * resolves them with pickSetting (flag > JEELINKY_* variable > config.json), like every setting.
 */
import { ConfigError } from '../errors.js';

export type SinkFlags = Readonly<Record<string, unknown>>;

/** The flag's value as text, or undefined when the flag was not given. */
export function flagText(flags: SinkFlags, name: string): string | undefined {
  const v = flags[name];
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.length ? String(v[v.length - 1]) : undefined;
  return String(v);
}

/** A boolean flag (yargs gives booleans; a script may give "1"/"0"). */
export function flagBool(flags: SinkFlags, name: string): boolean | undefined {
  const v = flags[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (/^(1|true|yes|on)$/i.test(String(v))) return true;
  if (/^(0|false|no|off)$/i.test(String(v))) return false;
  throw new ConfigError(`--${name}="${String(v)}" is not a boolean: use --${name} or --no-${name}`);
}
