/**
 * Configuration: flags override JEELINKY_* environment variables, which override the config file
 * `config.json` in the state directory. The names are a contract documented in the README.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { closest } from './suggest.js';
import { isAccessProblem, stateAccessError } from './store/access.js';
import { READING_KINDS, type ReadingKind } from './readings.js';
import { assertZone } from './time/local.js';
import { CONFIG_FILE_KEYS, SETTINGS, settingDefault, type SettingDescriptor } from './settings.js';

export const PROXY = {
  production: {
    baseUrl: 'https://enedis.domoticz.russandol.pro',
    clientId: 'd198fd52-61c0-4b77-8725-06a1ef90da9f',
  },
  sandbox: {
    baseUrl: 'https://opensrcdev.alwaysdata.net/domoticzlinkyconnect',
    clientId: '9c551777-9d1b-447c-9e68-bfe6896ee002',
  },
} as const;

export const PACKAGE_VERSION = '0.1.0';
export const DEFAULT_USER_AGENT = `jeelinky/${PACKAGE_VERSION}`;

export interface JeelinkyConfig {
  /** Base URL of the device-code / token proxy. */
  authUrl: string;
  /** Base URL under which `/data/proxy/<v5 path>` metering routes are requested. */
  apiUrl: string;
  clientId: string;
  sandbox: boolean;
  userAgent: string;
  /** Least time between two calls to the proxy, in ms. */
  paceMs: number;
  stateDir: string;
  /** The PDL to use when the consent covers several. */
  usagePoint?: string;
  tz: string;
  kinds: ReadingKind[];
  /** Base delay of the bounded retries on 5xx / network errors, in ms. */
  retryBaseMs: number;
  /** How long a run waits for another run's lock before giving up, in ms. */
  lockWaitMs: number;
  /** HTTP timeout per request, in ms. */
  timeoutMs: number;
  /** Metering calls allowed per PDL and per local day (0: no limit). */
  dailyCallBudget: number;
  jeedomUrl?: string;
  jeedomApiKey?: string;
  /**
   * The whole config.json, for the settings other modules own (MQTT, InfluxDB, tariffs…): they
   * resolve them with `pickSetting` in the same order, flag > variable > file.
   */
  fileSettings: Record<string, unknown>;
}

/**
 * Options as the CLI or a script gives them; undefined means "not given". The same names as the
 * resolved configuration, except that kinds are still text (checked by resolveConfig).
 */
export type ConfigOverrides = Partial<Omit<JeelinkyConfig, 'kinds' | 'fileSettings'> & { kinds: string[] }>;

/** The variable of each setting resolveConfig reads, from the table in plugin/settings.ts. */
const CORE_SETTINGS = (SETTINGS as readonly SettingDescriptor[]).filter((s) => s.core);
const ENV = Object.fromEntries(CORE_SETTINGS.map((s) => [s.key, s.env])) as Record<keyof ConfigOverrides, string>;

/** The zod type of a core setting in config.json, from its descriptor's type. */
function fileType(s: SettingDescriptor): z.ZodTypeAny {
  switch (s.type) {
    case 'boolean':
      return z.boolean();
    case 'number':
      return s.min ? z.number().int().positive() : z.number().int().nonnegative();
    case 'list':
      return z.array(z.string());
    default:
      return z.string();
  }
}

const fileSchema = z
  .object(
    Object.fromEntries(CORE_SETTINGS.filter((s) => s.inFile !== false).map((s) => [s.key, fileType(s)])) as Record<
      Exclude<keyof ConfigOverrides, 'stateDir'>,
      z.ZodTypeAny
    >,
  )
  .partial()
  // The table's other keys belong to other modules (sinks, tariffs), which validate their own.
  .passthrough();

type FileSettings = Partial<Omit<ConfigOverrides, 'stateDir'>> & Record<string, unknown>;

export { CONFIG_FILE_KEYS };

/** The per-user state directory: $XDG_STATE_HOME/jeelinky or ~/.local/state/jeelinky. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(base, 'jeelinky');
}

function readConfigFile(stateDir: string): FileSettings {
  const file = path.join(stateDir, 'config.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    // The first thing read in the state folder: a folder this user cannot enter shows up here.
    if (isAccessProblem(e)) throw stateAccessError(stateDir, 'read', e);
    throw new ConfigError(`cannot read ${file}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(`${file} is not valid JSON: fix it or delete it (flags and JEELINKY_* variables work without it)`);
  }
  if (json && typeof json === 'object' && !Array.isArray(json)) {
    for (const key of Object.keys(json)) {
      if (CONFIG_FILE_KEYS.includes(key)) continue;
      const near = closest(key, CONFIG_FILE_KEYS);
      throw new ConfigError(
        `${file}: unknown key ${key}: ${near ? `did you mean ${near}?` : 'keys are the camelCase names listed in the README (Configuration)'}`,
        'config_unknown_key',
      );
    }
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    // In the user's words, not the validator's: which key, what it must be, what to do.
    const issue = parsed.error.issues[0];
    const key = issue?.path.join('.');
    const raw = issue && 'expected' in issue ? String(issue.expected) : undefined;
    const expected = raw === 'int' ? 'whole number' : raw;
    const minimum = issue?.code === 'too_small' && 'minimum' in issue ? Number(issue.minimum) : undefined;
    const must =
      expected === 'object' && !key
        ? 'must be a JSON object { "key": value, … }'
        : expected
          ? `must be ${/^[aeiou]/.test(expected) ? 'an' : 'a'} ${expected}`
          : minimum !== undefined
            ? `must be ${issue && 'inclusive' in issue && issue.inclusive === false ? 'more than' : 'at least'} ${minimum}`
            : 'is not valid';
    throw new ConfigError(
      `${file}: ${key ? `"${key}" ` : ''}${must}: fix it or delete it (keys are the camelCase names listed in the README)`,
    );
  }
  return parsed.data as FileSettings;
}

export function parseBool(name: string, value: string): boolean {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off|)$/i.test(value)) return false;
  throw new ConfigError(`${name}="${value}" is not a boolean: use 1 or 0`);
}

export function parseInteger(name: string, value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new ConfigError(`${name}="${value}" is not a whole number (e.g. 5000)`);
  return Number(value);
}

export function normalizeUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name}="${value}" is not a URL: write it with its scheme, e.g. https://host/path`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`${name}="${value}" must be an http:// or https:// URL`);
  }
  return value.replace(/\/+$/, '');
}

export function parseKinds(name: string, values: string[]): ReadingKind[] {
  const out: ReadingKind[] = [];
  for (const raw of values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean)) {
    if (!(READING_KINDS as readonly string[]).includes(raw)) {
      throw new ConfigError(`${name}: unknown reading kind "${raw}"; known kinds: ${READING_KINDS.join(', ')}`);
    }
    if (!out.includes(raw as ReadingKind)) out.push(raw as ReadingKind);
  }
  return out;
}

/** Resolves the whole configuration; throws ConfigError with the offending name on bad input. */
export function resolveConfig(overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): JeelinkyConfig {
  // Each core setting's variable, parsed by the type the table gives it.
  const fromEnv: ConfigOverrides = {};
  for (const s of CORE_SETTINGS) {
    const v = env[s.env];
    if (v === undefined || v === '') continue;
    (fromEnv as Record<string, unknown>)[s.key] =
      s.type === 'number' ? parseInteger(s.env, v) : s.type === 'boolean' ? parseBool(s.env, v) : s.type === 'list' ? [v] : v;
  }

  const stateDir = path.resolve(overrides.stateDir ?? fromEnv.stateDir ?? defaultStateDir(env));
  const file = readConfigFile(stateDir);
  const pick = <K extends keyof ConfigOverrides>(k: K): ConfigOverrides[K] | undefined =>
    overrides[k] !== undefined
      ? overrides[k]
      : fromEnv[k] !== undefined
        ? fromEnv[k]
        : (file[k as keyof typeof file] as ConfigOverrides[K]);

  const sandbox = pick('sandbox') ?? settingDefault('sandbox');
  const proxy = sandbox ? PROXY.sandbox : PROXY.production;
  const authUrl = normalizeUrl('auth URL (JEELINKY_AUTH_URL)', pick('authUrl') ?? proxy.baseUrl);
  const apiUrl = normalizeUrl('API URL (JEELINKY_API_URL)', pick('apiUrl') ?? authUrl);
  const usagePoint = pick('usagePoint');
  if (usagePoint !== undefined && !/^\d{14}$/.test(usagePoint)) {
    throw new ConfigError(`usage point "${usagePoint}" (JEELINKY_USAGE_POINT_ID) must be the 14 digits of your PDL`);
  }
  const jeedomUrl = pick('jeedomUrl');
  // The zone's error names where it came from, as every other setting's does.
  const tzSource =
    overrides.tz !== undefined ? '--tz' : fromEnv.tz !== undefined ? ENV.tz : file.tz !== undefined ? 'tz (config.json)' : undefined;
  const tz = pick('tz') ?? settingDefault('tz');
  try {
    assertZone(tz);
  } catch (e) {
    if (e instanceof ConfigError && tzSource) throw new ConfigError(`${tzSource}: ${e.message}`);
    throw e;
  }
  return {
    authUrl,
    apiUrl,
    clientId: pick('clientId') ?? proxy.clientId,
    sandbox,
    userAgent: pick('userAgent') ?? DEFAULT_USER_AGENT,
    paceMs: pick('paceMs') ?? settingDefault('paceMs'),
    stateDir,
    usagePoint,
    tz,
    kinds: parseKinds('kinds (JEELINKY_KINDS)', pick('kinds') ?? [...settingDefault('kinds')]),
    retryBaseMs: pick('retryBaseMs') ?? settingDefault('retryBaseMs'),
    lockWaitMs: pick('lockWaitMs') ?? settingDefault('lockWaitMs'),
    timeoutMs: pick('timeoutMs') ?? settingDefault('timeoutMs'),
    dailyCallBudget: pick('dailyCallBudget') ?? settingDefault('dailyCallBudget'),
    jeedomUrl: jeedomUrl === undefined ? undefined : normalizeUrl('Jeedom URL (JEELINKY_JEEDOM_URL)', jeedomUrl),
    jeedomApiKey: pick('jeedomApiKey'),
    fileSettings: file as Record<string, unknown>,
  };
}

// pickSetting and readSetting live with the table (plugin/settings.ts, no I/O) so that pure modules can use them.
export { pickSetting, readSetting } from './settings.js';
