/**
 * MQTT settings, named after EnedisGateway2MQTT's (docs/origins.md §8: MQTT_HOST, MQTT_PORT, MQTT_PREFIX…) with the
 * JEELINKY_ prefix, plus TLS and Home Assistant discovery. Each is a flag, a variable or a
 * config.json key, resolved in that order. The sink is configured when the host is set.
 */
import fs from 'node:fs';
import { parseBool, pickSetting, type JeelinkyConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { settingDefault, settingNames } from '../settings.js';
import { flagBool, flagText, type SinkFlags } from './flags.js';

export interface MqttSettings {
  host: string;
  port: number;
  /** Topic prefix: `<prefix>/<PDL>/…`. */
  prefix: string;
  clientId: string;
  username?: string;
  password?: string;
  /** Retain flag of the data topics (discovery, availability and status are always retained). */
  retain: boolean;
  qos: 0 | 1 | 2;
  tls: boolean;
  /** PEM contents, read from the *_FILE settings. TLS verification is never switched off. */
  ca?: string;
  cert?: string;
  key?: string;
  haDiscovery: boolean;
  haPrefix: string;
  connectTimeoutMs: number;
}

/** Every MQTT setting: flag name, variable, config.json key, from the table in plugin/settings.ts. */
export const MQTT_SETTINGS = {
  host: settingNames('mqttHost'),
  port: settingNames('mqttPort'),
  prefix: settingNames('mqttPrefix'),
  clientId: settingNames('mqttClientId'),
  username: settingNames('mqttUsername'),
  password: settingNames('mqttPassword'),
  retain: settingNames('mqttRetain'),
  qos: settingNames('mqttQos'),
  tls: settingNames('mqttTls'),
  caFile: settingNames('mqttCaFile'),
  certFile: settingNames('mqttCertFile'),
  keyFile: settingNames('mqttKeyFile'),
  haDiscovery: settingNames('mqttHaDiscovery'),
  haPrefix: settingNames('mqttHaPrefix'),
} as const;

/** The broker port with TLS when none is set (the port setting's default, 1883, is for plain MQTT). */
export const MQTT_TLS_PORT = 8883;

/** The defaults, from the table in plugin/settings.ts (the one place they are written). */
export const MQTT_DEFAULTS = {
  port: settingDefault('mqttPort'),
  tlsPort: MQTT_TLS_PORT,
  prefix: settingDefault('mqttPrefix'),
  clientId: settingDefault('mqttClientId'),
  retain: settingDefault('mqttRetain'),
  qos: settingDefault('mqttQos') as 0 | 1 | 2,
  tls: settingDefault('mqttTls'),
  haDiscovery: settingDefault('mqttHaDiscovery'),
  haPrefix: settingDefault('mqttHaPrefix'),
} as const;

const text = (_name: string, raw: string) => raw;

function topicPrefix(name: string, raw: string): string {
  const v = raw.trim();
  if (!v || /[#+]/.test(v) || v.includes('\u0000') || v.startsWith('/') || v.endsWith('/')) {
    throw new ConfigError(
      `${name}="${raw}" is not a usable topic prefix: use letters, digits, _ and inner slashes (no #, + or leading/trailing /)`,
    );
  }
  return v;
}

function port(name: string, raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < 1 || n > 65535) throw new ConfigError(`${name}="${raw}" is not a TCP port (1-65535)`);
  return n;
}

function qos(name: string, raw: string): 0 | 1 | 2 {
  if (!/^[012]$/.test(raw.trim())) throw new ConfigError(`${name}="${raw}" is not an MQTT QoS: use 0, 1 or 2`);
  return Number(raw) as 0 | 1 | 2;
}

function pemFile(name: string, raw: string): string {
  try {
    return fs.readFileSync(raw, 'utf8');
  } catch (e) {
    throw new ConfigError(
      `${name}: cannot read "${raw}" (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): give the path of a PEM file`,
    );
  }
}

/** The MQTT settings, or undefined when no host is set (the sink is then not configured). */
export function resolveMqttSettings(
  config: Pick<JeelinkyConfig, 'fileSettings' | 'timeoutMs'>,
  flags: SinkFlags = {},
  env: NodeJS.ProcessEnv = process.env,
): MqttSettings | undefined {
  const S = MQTT_SETTINGS;
  const pickText = (k: keyof typeof S, parse: (name: string, raw: string) => string = text) =>
    pickSetting(
      flagText(flags, S[k][0]) === undefined ? undefined : parse(`--${S[k][0]}`, flagText(flags, S[k][0])!),
      S[k][1],
      S[k][2],
      config,
      parse,
      env,
    );
  const pickBool = (k: keyof typeof S) => pickSetting(flagBool(flags, S[k][0]), S[k][1], S[k][2], config, parseBool, env);

  const host = pickText('host')?.trim();
  if (!host) return undefined;
  if (/^[a-z]+:\/\//i.test(host) || host.includes('/')) {
    throw new ConfigError(
      `JEELINKY_MQTT_HOST="${host}" must be a host name or address only: give the port with JEELINKY_MQTT_PORT and TLS with JEELINKY_MQTT_TLS=1`,
    );
  }
  const tls = pickBool('tls') ?? MQTT_DEFAULTS.tls;
  const portFlag = flagText(flags, S.port[0]);
  const username = pickText('username') || undefined;
  const password = pickText('password') || undefined;
  if (password && !username)
    throw new ConfigError('JEELINKY_MQTT_PASSWORD is set without JEELINKY_MQTT_USERNAME: give both, or neither for an anonymous broker');
  const caFile = pickText('caFile');
  const certFile = pickText('certFile');
  const keyFile = pickText('keyFile');
  if ((caFile || certFile || keyFile) && !tls)
    throw new ConfigError('a JEELINKY_MQTT_*_FILE is set but TLS is off: set JEELINKY_MQTT_TLS=1 (or --mqtt-tls)');
  if (Boolean(certFile) !== Boolean(keyFile))
    throw new ConfigError('a client certificate needs both JEELINKY_MQTT_CERT_FILE and JEELINKY_MQTT_KEY_FILE');
  return {
    host,
    port:
      pickSetting(portFlag === undefined ? undefined : port('--mqtt-port', portFlag), S.port[1], S.port[2], config, port, env) ??
      (tls ? MQTT_DEFAULTS.tlsPort : MQTT_DEFAULTS.port),
    prefix: pickText('prefix', topicPrefix) ?? MQTT_DEFAULTS.prefix,
    clientId: pickText('clientId') || MQTT_DEFAULTS.clientId,
    username,
    password,
    retain: pickBool('retain') ?? MQTT_DEFAULTS.retain,
    qos: (() => {
      const f = flagText(flags, S.qos[0]);
      return pickSetting(f === undefined ? undefined : qos('--mqtt-qos', f), S.qos[1], S.qos[2], config, qos, env) ?? MQTT_DEFAULTS.qos;
    })(),
    tls,
    ca: caFile ? pemFile(S.caFile[1], caFile) : undefined,
    cert: certFile ? pemFile(S.certFile[1], certFile) : undefined,
    key: keyFile ? pemFile(S.keyFile[1], keyFile) : undefined,
    haDiscovery: pickBool('haDiscovery') ?? MQTT_DEFAULTS.haDiscovery,
    haPrefix: pickText('haPrefix', topicPrefix) ?? MQTT_DEFAULTS.haPrefix,
    connectTimeoutMs: Math.min(config.timeoutMs, 15_000),
  };
}
