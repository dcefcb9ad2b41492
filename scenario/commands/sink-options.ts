/**
 * Flags of the MQTT and InfluxDB sinks, shared by `run` and `publish`. The values reach the sink
 * factories through createSinks(config, argv): each sink resolves its own flags with pickSetting
 * (flag > JEELINKY_* variable > config.json).
 */
import type { Argv } from 'yargs';
import { SETTINGS, type SectionArgs, type SettingKey } from '../../plugin/settings.js';
import { withSettingOptions } from './setting-options.js';

/** The MQTT flags, typed from the table: `--mqtt-host` → { 'mqtt-host'?: string }… */
export type MqttArgs = SectionArgs<'mqtt'>;
export type InfluxArgs = SectionArgs<'influx'>;

const MQTT = 'MQTT (Home Assistant):';
const INFLUX = 'InfluxDB v2:';

/** Every MQTT and InfluxDB setting of the table has its flag here. */
const MQTT_KEYS = SETTINGS.filter((s) => s.section === 'mqtt').map((s) => s.key as SettingKey);
const INFLUX_KEYS = SETTINGS.filter((s) => s.section === 'influx').map((s) => s.key as SettingKey);

export function withMqttOptions<T>(y: Argv<T>): Argv<T & MqttArgs> {
  return withSettingOptions<T, MqttArgs>(y, MQTT_KEYS, MQTT);
}

export function withInfluxOptions<T>(y: Argv<T>): Argv<T & InfluxArgs> {
  return withSettingOptions<T, InfluxArgs>(y, INFLUX_KEYS, INFLUX);
}

/** Both, for the commands that deliver (run, publish). */
export function withSinkOptions<T>(y: Argv<T>): Argv<T & MqttArgs & InfluxArgs> {
  return withInfluxOptions(withMqttOptions(y));
}
