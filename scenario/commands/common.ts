/**
 * Options every command that talks to the proxy or the state shares, and their mapping onto
 * plugin/config.ts (flags > JEELINKY_* variables > config file).
 */
import type { Argv } from 'yargs';
import { resolveConfig, type ConfigOverrides, type JeelinkyConfig } from '../../plugin/config.js';
import { UsageError } from '../../plugin/errors.js';
import type { NumberRule } from '../argv-check.js';

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

export function withCommonOptions<T>(y: Argv<T>): Argv<T & CommonArgs> {
  return y
    .option('state-dir', { type: 'string', describe: 'Where tokens and readings are kept [JEELINKY_STATE_DIR; default ~/.local/state/jeelinky]' })
    .option('auth-url', { type: 'string', describe: 'Base URL of the device-code/token proxy [JEELINKY_AUTH_URL]' })
    .option('api-url', { type: 'string', describe: 'Base URL of the metering routes [JEELINKY_API_URL; default: the auth URL]' })
    .option('client-id', { type: 'string', describe: 'Proxy client id [JEELINKY_CLIENT_ID]' })
    .option('sandbox', { type: 'boolean', describe: "Use the proxy's debug/sandbox host and client id (the seed's $debug) [JEELINKY_SANDBOX=1]" })
    .option('user-agent', { type: 'string', describe: 'User-Agent sent to the proxy, "<name>/<version>" [JEELINKY_USER_AGENT]' })
    .option('pace-ms', { type: 'number', describe: 'Least time between two proxy calls, ms [JEELINKY_PACE_MS; default 5000]' })
    .option('usage-point', { type: 'string', describe: 'PDL to use when the consent covers several [JEELINKY_USAGE_POINT_ID]' })
    .option('tz', { type: 'string', describe: 'Time zone of the meter [JEELINKY_TZ; default Europe/Paris]' })
    .option('json', { type: 'boolean', describe: 'Print the result as JSON on stdout' }) as Argv<T & CommonArgs>;
}

const WHOLE: NumberRule = { min: 0, expect: 'a whole number, 0 or more' };

/**
 * What every numeric flag accepts, checked on the text typed before anything runs
 * (scenario/argv-check.ts): yargs alone would turn "abc" into NaN without a word.
 */
export const NUMBER_FLAG_RULES: Record<string, NumberRule> = {
  'pace-ms': WHOLE,
  budget: WHOLE,
  'jeedom-rate': WHOLE,
  'mqtt-port': { min: 1, max: 65535, expect: 'a TCP port, 1 to 65535' },
  'mqtt-qos': { min: 0, max: 2, expect: '0, 1 or 2' },
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
  const o: ConfigOverrides = { ...extra };
  if (argv['state-dir'] !== undefined) o.stateDir = argv['state-dir'];
  if (argv['auth-url'] !== undefined) o.authUrl = argv['auth-url'];
  if (argv['api-url'] !== undefined) o.apiUrl = argv['api-url'];
  if (argv['client-id'] !== undefined) o.clientId = argv['client-id'];
  if (argv.sandbox !== undefined) o.sandbox = argv.sandbox;
  if (argv['user-agent'] !== undefined) o.userAgent = argv['user-agent'];
  if (argv['pace-ms'] !== undefined) o.paceMs = argv['pace-ms'];
  if (argv['usage-point'] !== undefined) o.usagePoint = argv['usage-point'];
  if (argv.tz !== undefined) o.tz = argv.tz;
  return resolveConfig(o);
}
