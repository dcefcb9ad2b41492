/**
 * Options every command that talks to the proxy or the state shares, and their mapping onto
 * plugin/config.ts (flags > JEELINKY_* variables > config file).
 */
import type { Argv } from 'yargs';
import { resolveConfig, type ConfigOverrides, type JeelinkyConfig } from '../../plugin/config.js';
import { ExitCode, JeelinkyError } from '../../plugin/errors.js';

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

/** A numeric flag must be a whole number ≥ 0 (yargs turns "abc" into NaN without a word). */
export function wholeNumberFlag(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0) {
    throw new JeelinkyError(`--${name} ${value}: give a whole number, 0 or more`, { code: 'bad_flag', exitCode: ExitCode.USAGE });
  }
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
