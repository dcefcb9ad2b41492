/**
 * The Tempo calendar settings, resolved as every setting is (JEELINKY_* variable > config.json key):
 *
 * | variable                    | config.json key   | meaning                                                   |
 * | JEELINKY_TEMPO_SOURCE       | tempoSource       | rte (default), rte-api (default when both RTE ids are set), file |
 * | JEELINKY_TEMPO_URL          | tempoUrl          | base URL of the source (default: RTE's own host for each)  |
 * | JEELINKY_RTE_CLIENT_ID      | rteClientId       | OAuth client id of your data.rte-france.com application    |
 * | JEELINKY_RTE_CLIENT_SECRET  | rteClientSecret   | its secret (never printed)                                 |
 * | JEELINKY_TEMPO_FILE         | tempoFile         | your calendar (CSV or JSON): the only source with `file`, corrections on top of the others |
 */
import path from 'node:path';
import { normalizeUrl, readSetting, type JeelinkyConfig } from '../config.js';
import type { SettingKey } from '../settings.js';
import { ConfigError } from '../errors.js';

export const TEMPO_SOURCES = ['rte', 'rte-api', 'file'] as const;
export type TempoSourceName = (typeof TEMPO_SOURCES)[number];

/** RTE's account-free open data (the calendar page of services-rte.com reads it). */
export const RTE_OPEN_DATA_URL = 'https://www.services-rte.com';
/** RTE's data portal API ("Tempo Like Supply Contract"), OAuth client credentials. */
export const RTE_API_URL = 'https://digital.iservices.rte-france.com';

export interface TempoSettings {
  source: TempoSourceName;
  /** Base URL of the network source (unused with `file`). */
  url: string;
  clientId?: string;
  clientSecret?: string;
  /** Absolute path of the user's calendar file, if any. */
  file?: string;
}

const text = (_name: string, raw: string) => raw.trim();

export function resolveTempoSettings(config: Pick<JeelinkyConfig, 'fileSettings'>, env: NodeJS.ProcessEnv = process.env): TempoSettings {
  const pick = <T>(key: SettingKey, parse: (name: string, raw: string) => T) => readSetting<T>(key, undefined, config, parse, env);
  const clientId = pick('rteClientId', text) || undefined;
  const clientSecret = pick('rteClientSecret', text) || undefined;
  const file = pick('tempoFile', text) || undefined;
  const source =
    pick<TempoSourceName>('tempoSource', (name, raw) => {
      const v = raw.trim().toLowerCase();
      if (!(TEMPO_SOURCES as readonly string[]).includes(v))
        throw new ConfigError(
          `${name}="${raw}": use rte (RTE open data, no account), rte-api (needs JEELINKY_RTE_CLIENT_ID and JEELINKY_RTE_CLIENT_SECRET) or file (JEELINKY_TEMPO_FILE)`,
          'tempo_source',
        );
      return v as TempoSourceName;
    }) ?? (clientId && clientSecret ? 'rte-api' : 'rte');
  if (source === 'rte-api' && (!clientId || !clientSecret)) {
    throw new ConfigError(
      `JEELINKY_TEMPO_SOURCE=rte-api needs ${!clientId ? 'JEELINKY_RTE_CLIENT_ID' : 'JEELINKY_RTE_CLIENT_SECRET'}: create an application subscribed to "Tempo Like Supply Contract" on data.rte-france.com, or use JEELINKY_TEMPO_SOURCE=rte (no account)`,
      'tempo_credentials',
    );
  }
  if (source === 'file' && !file)
    throw new ConfigError(
      'JEELINKY_TEMPO_SOURCE=file needs JEELINKY_TEMPO_FILE, the path of your calendar (lines "2024-01-08,RED")',
      'tempo_file',
    );
  const url = normalizeUrl(
    'Tempo URL (JEELINKY_TEMPO_URL)',
    pick('tempoUrl', text) || (source === 'rte-api' ? RTE_API_URL : RTE_OPEN_DATA_URL),
  );
  return { source, url, clientId, clientSecret, file: file ? path.resolve(file) : undefined };
}
