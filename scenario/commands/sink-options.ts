/**
 * Flags of the MQTT and InfluxDB sinks, shared by `run` and `publish`. The values reach the sink
 * factories through createSinks(config, argv): each sink resolves its own flags with pickSetting
 * (flag > JEELINKY_* variable > config.json).
 */
import type { Argv } from 'yargs';

export interface MqttArgs {
  'mqtt-host'?: string;
  'mqtt-port'?: number;
  'mqtt-prefix'?: string;
  'mqtt-client-id'?: string;
  'mqtt-username'?: string;
  'mqtt-password'?: string;
  'mqtt-retain'?: boolean;
  'mqtt-qos'?: number;
  'mqtt-tls'?: boolean;
  'mqtt-ca-file'?: string;
  'mqtt-cert-file'?: string;
  'mqtt-key-file'?: string;
  'mqtt-ha-discovery'?: boolean;
  'mqtt-ha-prefix'?: string;
}

export interface InfluxArgs {
  'influx-url'?: string;
  'influx-token'?: string;
  'influx-org'?: string;
  'influx-bucket'?: string;
  'influx-measurement'?: string;
}

const MQTT = 'MQTT (Home Assistant):';
const INFLUX = 'InfluxDB v2:';

export function withMqttOptions<T>(y: Argv<T>): Argv<T & MqttArgs> {
  return y
    .option('mqtt-host', { type: 'string', group: MQTT, describe: 'Broker host; setting it enables the MQTT sink [JEELINKY_MQTT_HOST]' })
    .option('mqtt-port', { type: 'number', group: MQTT, describe: 'Broker port [JEELINKY_MQTT_PORT; default 1883, 8883 with TLS]' })
    .option('mqtt-prefix', { type: 'string', group: MQTT, describe: 'Topic prefix [JEELINKY_MQTT_PREFIX; default jeelinky]' })
    .option('mqtt-client-id', { type: 'string', group: MQTT, describe: 'Client id [JEELINKY_MQTT_CLIENT_ID; default jeelinky]' })
    .option('mqtt-username', { type: 'string', group: MQTT, describe: 'User name [JEELINKY_MQTT_USERNAME]' })
    .option('mqtt-password', { type: 'string', group: MQTT, describe: 'Password; prefer the variable, flags show in ps [JEELINKY_MQTT_PASSWORD]' })
    .option('mqtt-retain', { type: 'boolean', group: MQTT, describe: 'Retain the data topics [JEELINKY_MQTT_RETAIN; default 1]' })
    .option('mqtt-qos', { type: 'number', group: MQTT, describe: 'QoS 0, 1 or 2 [JEELINKY_MQTT_QOS; default 1]' })
    .option('mqtt-tls', { type: 'boolean', group: MQTT, describe: 'Connect with TLS (mqtts), certificate always verified [JEELINKY_MQTT_TLS]' })
    .option('mqtt-ca-file', { type: 'string', group: MQTT, describe: "PEM file of the broker's CA [JEELINKY_MQTT_CA_FILE]" })
    .option('mqtt-cert-file', { type: 'string', group: MQTT, describe: 'PEM client certificate [JEELINKY_MQTT_CERT_FILE]' })
    .option('mqtt-key-file', { type: 'string', group: MQTT, describe: 'PEM client key [JEELINKY_MQTT_KEY_FILE]' })
    .option('mqtt-ha-discovery', { type: 'boolean', group: MQTT, describe: 'Publish Home Assistant discovery configs [JEELINKY_MQTT_HA_DISCOVERY; default 1]' })
    .option('mqtt-ha-prefix', { type: 'string', group: MQTT, describe: 'Discovery prefix [JEELINKY_MQTT_HA_PREFIX; default homeassistant]' }) as Argv<T & MqttArgs>;
}

export function withInfluxOptions<T>(y: Argv<T>): Argv<T & InfluxArgs> {
  return y
    .option('influx-url', { type: 'string', group: INFLUX, describe: 'Server URL, e.g. http://127.0.0.1:8086; setting it enables the sink [JEELINKY_INFLUXDB_URL]' })
    .option('influx-token', { type: 'string', group: INFLUX, describe: 'API token with write access; prefer the variable [JEELINKY_INFLUXDB_TOKEN]' })
    .option('influx-org', { type: 'string', group: INFLUX, describe: 'Organization [JEELINKY_INFLUXDB_ORG]' })
    .option('influx-bucket', { type: 'string', group: INFLUX, describe: 'Bucket [JEELINKY_INFLUXDB_BUCKET]' })
    .option('influx-measurement', { type: 'string', group: INFLUX, describe: 'Measurement name [JEELINKY_INFLUXDB_MEASUREMENT; default linky]' }) as Argv<T & InfluxArgs>;
}

/** Both, for the commands that deliver (run, publish). */
export function withSinkOptions<T>(y: Argv<T>): Argv<T & MqttArgs & InfluxArgs> {
  return withInfluxOptions(withMqttOptions(y));
}
