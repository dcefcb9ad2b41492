/**
 * Every setting of jeelinky, described once: its config.json key, its JEELINKY_* variable, its
 * flag, its type, its default and its help text. The names are a contract documented in the
 * README (test/settings-table.test.ts checks the README against this table, both ways).
 *
 * From this table come: the yargs options of the shared flags (scenario/commands/setting-options.ts),
 * the config.json keys that are accepted (plugin/config.ts refuses any other), the variable names
 * resolveConfig reads, and the MQTT / InfluxDB tuples the sinks resolve with pickSetting.
 * Order of priority, everywhere: flag > variable > config.json > default.
 */

export type SettingType = 'string' | 'number' | 'boolean' | 'list' | 'json';

/** The README section whose table documents the setting. */
export type SettingSection = 'config' | 'jeedom' | 'mqtt' | 'influx' | 'tariff' | 'tempo' | 'other';

export interface SettingDescriptor {
  /** The config.json key (camelCase); also the name the code uses. */
  key: string;
  /** The environment variable. */
  env: string;
  /** The command-line flag (kebab-case, without --), when there is one. */
  flag?: string;
  type: SettingType;
  /**
   * The value the code uses when the setting is given nowhere (the modules read it with
   * settingDefault, so it is written only here); absent: none ("off"), or computed (see `default`).
   */
  value?: number | boolean | string | readonly string[];
  /**
   * The default as the help and the README say it, when `value` alone would not say it: a computed
   * default ("the auth URL") or a richer text. Absent: `value` written out (true → 1, a list with commas).
   */
  default?: string;
  /** Other flag names one command gives the setting (report --pdl = --usage-point), declared with settingOption. */
  otherFlags?: readonly string[];
  /** One line for `--help`. */
  help: string;
  section: SettingSection;
  /** False when config.json cannot hold it (the state folder itself, debugging switches). */
  inFile?: false;
  /** Read by resolveConfig into JeelinkyConfig (the others are read by their module with pickSetting). */
  core?: true;
  /** For a number: the least value (0 when absent), checked on the flag as typed and, for a core setting, in config.json. */
  min?: number;
  /** For a number flag: the largest value, and what to write when outside (default "a whole number, 0 or more"). */
  max?: number;
  expect?: string;
}

export const SETTINGS = [
  // Configuration (README "Configuration"): read by resolveConfig.
  {
    key: 'authUrl',
    env: 'JEELINKY_AUTH_URL',
    flag: 'auth-url',
    type: 'string',
    section: 'config',
    core: true,
    help: 'Base URL of the device-code/token proxy',
  },
  {
    key: 'apiUrl',
    env: 'JEELINKY_API_URL',
    flag: 'api-url',
    type: 'string',
    section: 'config',
    core: true,
    default: 'the auth URL',
    help: 'Base URL of the metering routes',
  },
  { key: 'clientId', env: 'JEELINKY_CLIENT_ID', flag: 'client-id', type: 'string', section: 'config', core: true, help: 'Proxy client id' },
  {
    key: 'sandbox',
    env: 'JEELINKY_SANDBOX',
    flag: 'sandbox',
    type: 'boolean',
    section: 'config',
    core: true,
    value: false,
    help: "Use the proxy's debug/sandbox host and client id (the forum scenario's $debug)",
  },
  {
    key: 'userAgent',
    env: 'JEELINKY_USER_AGENT',
    flag: 'user-agent',
    type: 'string',
    section: 'config',
    core: true,
    help: 'User-Agent sent to the proxy, "<name>/<version>"',
  },
  {
    key: 'paceMs',
    env: 'JEELINKY_PACE_MS',
    flag: 'pace-ms',
    type: 'number',
    section: 'config',
    core: true,
    value: 5000,
    help: 'Least time between two proxy calls, ms',
  },
  {
    key: 'stateDir',
    env: 'JEELINKY_STATE_DIR',
    flag: 'state-dir',
    type: 'string',
    section: 'config',
    core: true,
    inFile: false,
    default: '~/.local/state/jeelinky',
    help: 'Where tokens, readings and config.json are kept',
  },
  {
    key: 'usagePoint',
    env: 'JEELINKY_USAGE_POINT_ID',
    flag: 'usage-point',
    type: 'string',
    section: 'config',
    core: true,
    otherFlags: ['pdl'],
    help: 'PDL (14 digits) to use when the consent covers several',
  },
  {
    key: 'tz',
    env: 'JEELINKY_TZ',
    flag: 'tz',
    type: 'string',
    section: 'config',
    core: true,
    value: 'Europe/Paris',
    help: 'Time zone of the meter',
  },
  {
    key: 'kinds',
    env: 'JEELINKY_KINDS',
    flag: 'kinds',
    type: 'list',
    section: 'config',
    core: true,
    value: ['daily_consumption', 'max_power', 'load_curve'],
    help: 'Kinds of the daily job',
  },
  {
    key: 'retryBaseMs',
    env: 'JEELINKY_RETRY_BASE_MS',
    type: 'number',
    section: 'config',
    core: true,
    value: 2000,
    help: 'First pause of the bounded retries, ms',
  },
  {
    key: 'lockWaitMs',
    env: 'JEELINKY_LOCK_WAIT_MS',
    type: 'number',
    section: 'config',
    core: true,
    value: 60_000,
    help: "How long a run waits for another run's lock, ms",
  },
  {
    key: 'timeoutMs',
    env: 'JEELINKY_TIMEOUT_MS',
    type: 'number',
    section: 'config',
    core: true,
    min: 1,
    value: 30_000,
    help: 'Timeout of one HTTP request, ms',
  },
  {
    key: 'dailyCallBudget',
    env: 'JEELINKY_DAILY_CALL_BUDGET',
    flag: 'budget',
    type: 'number',
    section: 'config',
    core: true,
    // EnedisGateway2MQTT's gateway allowed 50 calls a day per PDL and banned for 24 h past it.
    value: 50,
    help: 'Metering calls allowed per PDL and per day',
  },

  // Jeedom.
  {
    key: 'jeedomUrl',
    env: 'JEELINKY_JEEDOM_URL',
    flag: 'jeedom-url',
    type: 'string',
    section: 'jeedom',
    core: true,
    help: "Jeedom box's URL, e.g. http://192.168.1.20",
  },
  {
    key: 'jeedomApiKey',
    env: 'JEELINKY_JEEDOM_APIKEY',
    flag: 'jeedom-apikey',
    type: 'string',
    section: 'jeedom',
    core: true,
    help: 'Jeedom core API key (Réglages → Système → Configuration → API)',
  },
  {
    key: 'jeedomRate',
    env: 'JEELINKY_JEEDOM_RATE',
    flag: 'jeedom-rate',
    type: 'number',
    section: 'jeedom',
    help: 'Most requests per second sent to Jeedom (a backfill sends one per point)',
  },
  {
    key: 'jeedomConcurrency',
    env: 'JEELINKY_JEEDOM_CONCURRENCY',
    type: 'number',
    section: 'jeedom',
    value: 4,
    help: 'How many requests are sent to Jeedom at once',
  },

  // MQTT (README "MQTT and Home Assistant").
  {
    key: 'mqttHost',
    env: 'JEELINKY_MQTT_HOST',
    flag: 'mqtt-host',
    type: 'string',
    section: 'mqtt',
    help: 'Broker host; setting it enables the MQTT sink',
  },
  {
    key: 'mqttPort',
    env: 'JEELINKY_MQTT_PORT',
    flag: 'mqtt-port',
    type: 'number',
    section: 'mqtt',
    min: 1,
    max: 65535,
    expect: 'a TCP port, 1 to 65535',
    value: 1883,
    // With TLS the port is 8883 (MQTT_TLS_PORT in plugin/sinks/mqtt-config.ts).
    default: '1883, 8883 with TLS',
    help: 'Broker port',
  },
  {
    key: 'mqttPrefix',
    env: 'JEELINKY_MQTT_PREFIX',
    flag: 'mqtt-prefix',
    type: 'string',
    section: 'mqtt',
    value: 'jeelinky',
    help: 'Topic prefix',
  },
  {
    key: 'mqttClientId',
    env: 'JEELINKY_MQTT_CLIENT_ID',
    flag: 'mqtt-client-id',
    type: 'string',
    section: 'mqtt',
    value: 'jeelinky',
    help: 'Client id',
  },
  { key: 'mqttUsername', env: 'JEELINKY_MQTT_USERNAME', flag: 'mqtt-username', type: 'string', section: 'mqtt', help: 'User name' },
  {
    key: 'mqttPassword',
    env: 'JEELINKY_MQTT_PASSWORD',
    flag: 'mqtt-password',
    type: 'string',
    section: 'mqtt',
    help: 'Password; prefer the variable, flags show in ps',
  },
  {
    key: 'mqttRetain',
    env: 'JEELINKY_MQTT_RETAIN',
    flag: 'mqtt-retain',
    type: 'boolean',
    section: 'mqtt',
    value: true,
    help: 'Retain the data topics',
  },
  {
    key: 'mqttQos',
    env: 'JEELINKY_MQTT_QOS',
    flag: 'mqtt-qos',
    type: 'number',
    section: 'mqtt',
    min: 0,
    max: 2,
    expect: '0, 1 or 2',
    value: 1,
    help: 'QoS 0, 1 or 2',
  },
  {
    key: 'mqttTls',
    env: 'JEELINKY_MQTT_TLS',
    flag: 'mqtt-tls',
    type: 'boolean',
    section: 'mqtt',
    value: false,
    help: 'Connect with TLS (mqtts), certificate always verified',
  },
  {
    key: 'mqttCaFile',
    env: 'JEELINKY_MQTT_CA_FILE',
    flag: 'mqtt-ca-file',
    type: 'string',
    section: 'mqtt',
    help: "PEM file of the broker's CA",
  },
  {
    key: 'mqttCertFile',
    env: 'JEELINKY_MQTT_CERT_FILE',
    flag: 'mqtt-cert-file',
    type: 'string',
    section: 'mqtt',
    help: 'PEM client certificate',
  },
  { key: 'mqttKeyFile', env: 'JEELINKY_MQTT_KEY_FILE', flag: 'mqtt-key-file', type: 'string', section: 'mqtt', help: 'PEM client key' },
  {
    key: 'mqttHaDiscovery',
    env: 'JEELINKY_MQTT_HA_DISCOVERY',
    flag: 'mqtt-ha-discovery',
    type: 'boolean',
    section: 'mqtt',
    value: true,
    help: 'Publish Home Assistant discovery configs',
  },
  {
    key: 'mqttHaPrefix',
    env: 'JEELINKY_MQTT_HA_PREFIX',
    flag: 'mqtt-ha-prefix',
    type: 'string',
    section: 'mqtt',
    value: 'homeassistant',
    help: 'Discovery prefix',
  },

  // InfluxDB v2.
  {
    key: 'influxdbUrl',
    env: 'JEELINKY_INFLUXDB_URL',
    flag: 'influx-url',
    type: 'string',
    section: 'influx',
    help: 'Server URL, e.g. http://127.0.0.1:8086; setting it enables the sink',
  },
  {
    key: 'influxdbToken',
    env: 'JEELINKY_INFLUXDB_TOKEN',
    flag: 'influx-token',
    type: 'string',
    section: 'influx',
    help: 'API token with write access; prefer the variable',
  },
  { key: 'influxdbOrg', env: 'JEELINKY_INFLUXDB_ORG', flag: 'influx-org', type: 'string', section: 'influx', help: 'Organization' },
  { key: 'influxdbBucket', env: 'JEELINKY_INFLUXDB_BUCKET', flag: 'influx-bucket', type: 'string', section: 'influx', help: 'Bucket' },
  {
    key: 'influxdbMeasurement',
    env: 'JEELINKY_INFLUXDB_MEASUREMENT',
    flag: 'influx-measurement',
    type: 'string',
    section: 'influx',
    value: 'linky',
    help: 'Measurement name',
  },

  // Tariffs (read by plugin/tariff/settings.ts; --plan and --offpeak-hours are the tariff command's).
  {
    key: 'offpeakHours',
    env: 'JEELINKY_OFFPEAK_HOURS',
    flag: 'offpeak-hours',
    type: 'string',
    section: 'tariff',
    default: "the contract's",
    help: 'Off-peak windows "22h00-06h00;12h30-14h30"',
  },
  {
    key: 'offpeakHoursHistory',
    env: 'JEELINKY_OFFPEAK_HOURS_HISTORY',
    type: 'json',
    section: 'tariff',
    help: 'Off-peak windows with validity dates',
  },
  { key: 'priceBase', env: 'JEELINKY_PRICE_BASE', type: 'string', section: 'tariff', help: '€ per kWh on the BASE plan' },
  { key: 'priceHp', env: 'JEELINKY_PRICE_HP', type: 'string', section: 'tariff', help: '€ per kWh in peak hours' },
  { key: 'priceHc', env: 'JEELINKY_PRICE_HC', type: 'string', section: 'tariff', help: '€ per kWh in off-peak hours' },
  { key: 'subscriptionBase', env: 'JEELINKY_SUBSCRIPTION_BASE', type: 'string', section: 'tariff', help: 'BASE subscription, € per month' },
  {
    key: 'subscriptionHphc',
    env: 'JEELINKY_SUBSCRIPTION_HPHC',
    type: 'string',
    section: 'tariff',
    help: 'HP/HC subscription, € per month',
  },
  { key: 'pricesHistory', env: 'JEELINKY_PRICES_HISTORY', type: 'json', section: 'tariff', help: 'Prices with validity dates' },
  {
    key: 'priceTempoBlueHp',
    env: 'JEELINKY_PRICE_TEMPO_BLUE_HP',
    type: 'string',
    section: 'tariff',
    help: '€ per kWh, Tempo blue day, peak hours',
  },
  {
    key: 'priceTempoBlueHc',
    env: 'JEELINKY_PRICE_TEMPO_BLUE_HC',
    type: 'string',
    section: 'tariff',
    help: '€ per kWh, Tempo blue day, off-peak hours',
  },
  {
    key: 'priceTempoWhiteHp',
    env: 'JEELINKY_PRICE_TEMPO_WHITE_HP',
    type: 'string',
    section: 'tariff',
    help: '€ per kWh, Tempo white day, peak hours',
  },
  {
    key: 'priceTempoWhiteHc',
    env: 'JEELINKY_PRICE_TEMPO_WHITE_HC',
    type: 'string',
    section: 'tariff',
    help: '€ per kWh, Tempo white day, off-peak hours',
  },
  {
    key: 'priceTempoRedHp',
    env: 'JEELINKY_PRICE_TEMPO_RED_HP',
    type: 'string',
    section: 'tariff',
    help: '€ per kWh, Tempo red day, peak hours',
  },
  {
    key: 'priceTempoRedHc',
    env: 'JEELINKY_PRICE_TEMPO_RED_HC',
    type: 'string',
    section: 'tariff',
    help: '€ per kWh, Tempo red day, off-peak hours',
  },
  {
    key: 'subscriptionTempo',
    env: 'JEELINKY_SUBSCRIPTION_TEMPO',
    type: 'string',
    section: 'tariff',
    help: 'Tempo subscription, € per month',
  },
  {
    key: 'currentPlan',
    env: 'JEELINKY_CURRENT_PLAN',
    flag: 'plan',
    type: 'string',
    section: 'tariff',
    default: "the contract's option, else BASE",
    help: 'Current plan BASE, HPHC or TEMPO',
  },

  // Tempo calendar (read by plugin/tempo/settings.ts).
  { key: 'tempoSource', env: 'JEELINKY_TEMPO_SOURCE', type: 'string', section: 'tempo', help: 'rte, rte-api or file' },
  { key: 'tempoUrl', env: 'JEELINKY_TEMPO_URL', type: 'string', section: 'tempo', help: 'Base URL of the Tempo source' },
  { key: 'rteClientId', env: 'JEELINKY_RTE_CLIENT_ID', type: 'string', section: 'tempo', help: 'RTE application id' },
  { key: 'rteClientSecret', env: 'JEELINKY_RTE_CLIENT_SECRET', type: 'string', section: 'tempo', help: 'RTE application secret' },
  { key: 'tempoFile', env: 'JEELINKY_TEMPO_FILE', type: 'string', section: 'tempo', help: 'Your Tempo calendar file (CSV or JSON)' },

  // Variables only (no flag, no config.json key).
  {
    key: 'jeedomEqType',
    env: 'JEELINKY_JEEDOM_EQTYPE',
    type: 'string',
    section: 'other',
    inFile: false,
    value: 'virtual',
    help: 'Jeedom plugin owning the device: virtual or jeelinky',
  },
  {
    key: 'lockStaleMs',
    env: 'JEELINKY_LOCK_STALE_MS',
    type: 'number',
    section: 'other',
    inFile: false,
    value: 5000,
    help: "How soon a dead run's lock is taken over, ms",
  },
  { key: 'debug', env: 'JEELINKY_DEBUG', type: 'boolean', section: 'other', inFile: false, help: 'Print the stack of an unexpected error' },
] as const satisfies readonly SettingDescriptor[];

export type SettingKey = (typeof SETTINGS)[number]['key'];

const BY_KEY = new Map<string, SettingDescriptor>(SETTINGS.map((s) => [s.key, s]));

/** The descriptor of a setting; the key is checked by the compiler. */
export function setting(key: SettingKey): SettingDescriptor {
  return BY_KEY.get(key)!;
}

/** The flag, variable and config.json key of a setting, in the order pickSetting takes them. */
export function settingNames(key: SettingKey): readonly [flag: string, env: string, fileKey: string] {
  const s = setting(key);
  return [s.flag ?? '', s.env, s.key] as const;
}

/** Every key config.json may hold; any other is refused as a slip. */
export const CONFIG_FILE_KEYS: readonly string[] = SETTINGS.filter((s: SettingDescriptor) => s.inFile !== false).map((s) => s.key);

/** The default as the help and the README say it: the display text, else the value written out; undefined: none. */
export function defaultText(s: SettingDescriptor): string | undefined {
  if (s.default !== undefined) return s.default;
  const v = s.value;
  if (v === undefined) return undefined;
  if (typeof v === 'boolean') return v ? '1' : '0';
  return typeof v === 'object' ? v.join(',') : String(v);
}

/** The help line of a flag: its text (or a command's own, `help`), then its variable and default in brackets. */
export function settingHelp(s: SettingDescriptor, help: string = s.help): string {
  const shown = defaultText(s);
  return `${help} [${s.env}${shown !== undefined ? `; default ${shown}` : ''}]`;
}

type Described = (typeof SETTINGS)[number];
/** The settings that have a default value. */
export type KeyWithDefault = Extract<Described, { value: unknown }>['key'];
/** The type of a setting's default: number, boolean, string or a list, not the literal written in the table. */
export type DefaultOf<K extends KeyWithDefault> = Extract<Described, { key: K }>['value'] extends infer V
  ? V extends number
    ? number
    : V extends boolean
      ? boolean
      : V extends string
        ? string
        : V
  : never;

/** The default value of a setting, from the table: the one place it is written. */
export function settingDefault<K extends KeyWithDefault>(key: K): DefaultOf<K> {
  return setting(key).value as unknown as DefaultOf<K>;
}
type ValueOf<T extends SettingType> = T extends 'number' ? number : T extends 'boolean' ? boolean : T extends 'list' ? string[] : string;

/** The parsed command-line arguments of a section's flags, e.g. `SectionArgs<'mqtt'>` = { 'mqtt-host'?: string, … }. */
export type SectionArgs<S extends SettingSection> = {
  [D in Extract<Described, { section: S; flag: string }> as D['flag']]?: ValueOf<D['type']>;
};

/**
 * One setting of a module outside this file, resolved as every setting is: the flag when given,
 * else the JEELINKY_* variable, else the config.json key. `parse` turns the text (or the file's
 * JSON value) into the setting and throws ConfigError naming `envName` when it cannot.
 */
export function pickSetting<T>(
  flagValue: T | undefined,
  envName: string,
  fileKey: string,
  config: { fileSettings: Record<string, unknown> },
  parse: (name: string, raw: string) => T,
  env: NodeJS.ProcessEnv = process.env,
): T | undefined {
  if (flagValue !== undefined) return flagValue;
  const fromEnv = env[envName];
  if (fromEnv !== undefined && fromEnv !== '') return parse(envName, fromEnv);
  const fromFile = config.fileSettings[fileKey];
  if (fromFile === undefined || fromFile === null) return undefined;
  return parse(`${fileKey} (config.json)`, typeof fromFile === 'string' ? fromFile : JSON.stringify(fromFile));
}

/**
 * The text of a setting that is a variable only (no flag, no config.json key: lockStaleMs,
 * jeedomEqType, debug), undefined when it is unset or empty. Its module parses it.
 */
export function settingVariable(key: SettingKey, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const raw = env[setting(key).env];
  return raw === undefined || raw === '' ? undefined : raw;
}

/** pickSetting for a setting of the table (plugin/settings.ts): its variable and config.json key come from there. */
export function readSetting<T>(
  key: SettingKey,
  flagValue: T | undefined,
  config: { fileSettings: Record<string, unknown> },
  parse: (name: string, raw: string) => T,
  env: NodeJS.ProcessEnv = process.env,
): T | undefined {
  const s = setting(key);
  return pickSetting(flagValue, s.env, s.key, config, parse, env);
}
