/**
 * The MQTT sink (mqtt.js): per PDL, the latest value and the per-day values of every kind, the
 * status of the last run, and Home Assistant discovery configs. Topics are documented in the
 * README ("MQTT"). Every payload is a pure function of the stored readings, so publishing the
 * same readings again leaves the broker's retained messages exactly as they were.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { PACKAGE_VERSION, type JeelinkyConfig } from '../config.js';
import { ConfigError, ExitCode, JeelinkyError, TemporaryError, whenInterrupted } from '../errors.js';
import { KIND_INFO, READING_KINDS, type Reading, type ReadingKind } from '../readings.js';
import { redact } from '../secrets.js';
import { transportProblem } from '../transport.js';
import { StateStore } from '../store/state.js';
import { ReadingsStore } from '../store/readings.js';
import { TARIFF_FIGURES, TEMPO_DAY_FIGURES, type DayTariff } from '../tariff/days.js';
import { TEMPO_COLOURS } from '../tempo/colours.js';
import { addDays, localDay } from '../time/local.js';
import moment from 'moment-timezone';
import type { SinkFlags } from './flags.js';
import { resolveMqttSettings, type MqttSettings } from './mqtt-config.js';
import { emptyResult, type DeliveryContext, type RunOutcome, type Sink, type SinkResult, type TempoRunFigures } from './sink.js';

/** Where the sink reads whole days and the newest reading (the store), so that a correction of one point republishes its whole day. */
export interface ReadingsSource {
  day(usagePoint: string, kind: ReadingKind, day: string): Promise<Reading[]>;
  latest(usagePoint: string, kind: ReadingKind, today: string): Promise<Reading | undefined>;
}

/** A figure derived from one day of load curve (HP/HC energy, cost…), published like the kinds. */
export interface DayFigure {
  /** Topic segment and unique-id suffix, e.g. `hp_energy`, `cost`. */
  key: string;
  name: string;
  value: number;
  unit: 'Wh' | 'EUR';
}

/**
 * Given one local day of load curve, the figures to publish for that day (e.g. HP/HC energy and
 * cost). Without one, the sink publishes the runner's figures (DeliveryContext.tariffDays) when
 * its `tariff` option is set.
 */
export type DayBreakdown = (usagePoint: string, day: string, curve: Reading[]) => DayFigure[] | Promise<DayFigure[]>;

export interface MqttSinkOptions {
  source?: ReadingsSource;
  breakdown?: DayBreakdown;
  /** Without a breakdown: publish the runner's HP/HC and cost figures (DeliveryContext.tariffDays); createMqttSink sets it. */
  tariff?: boolean;
  /** Messages in flight at once (each waits for its PUBACK at QoS ≥ 1). */
  window?: number;
}

interface Message {
  topic: string;
  payload: string;
  retain: boolean;
}

/** Home Assistant sensor description of one figure. */
interface HaFigure {
  key: string;
  name: string;
  component: 'sensor' | 'binary_sensor';
  unit?: string;
  deviceClass?: string;
  stateClass?: 'measurement' | 'total';
  /** Daily figures: `state_class: total` with last_reset at the day's start (see README). */
  lastReset?: boolean;
  /** `device_class: enum` sensors: the states they can take. */
  options?: readonly string[];
  entityCategory?: 'diagnostic';
  stateTopic: string;
  valueTemplate: string;
}

const KIND_HA: Record<ReadingKind, Omit<HaFigure, 'key' | 'component' | 'stateTopic' | 'valueTemplate'>> = {
  daily_consumption: { name: 'Daily consumption', unit: 'Wh', deviceClass: 'energy', stateClass: 'total', lastReset: true },
  daily_production: { name: 'Daily production', unit: 'Wh', deviceClass: 'energy', stateClass: 'total', lastReset: true },
  max_power: { name: 'Daily max power', unit: 'VA', deviceClass: 'apparent_power', stateClass: 'measurement' },
  load_curve: { name: 'Average power (latest interval)', unit: 'W', deviceClass: 'power', stateClass: 'measurement' },
  production_load_curve: { name: 'Production average power (latest interval)', unit: 'W', deviceClass: 'power', stateClass: 'measurement' },
};

export function mqttTopics(prefix: string, usagePoint: string) {
  const base = `${prefix}/${usagePoint}`;
  return {
    base,
    availability: `${base}/availability`,
    status: `${base}/status`,
    latest: (figure: string) => `${base}/${figure}/latest`,
    day: (figure: string, day: string) => `${base}/${figure}/day/${day}`,
  };
}

function dayPayload(kind: ReadingKind, day: string, list: Reading[]): object {
  if (!KIND_INFO[kind].curve) {
    const r = list[list.length - 1]!;
    return { day, value: r.value, unit: r.unit, start: r.start, end: r.end, ...(r.at ? { at: r.at } : {}) };
  }
  const energy = list.reduce((s, r) => s + (r.energyWh ?? 0), 0);
  return {
    day,
    unit: 'W',
    points: list.length,
    energy_wh: Math.round(energy * 1000) / 1000,
    values: list.map((r) => ({ start: r.start, end: r.end, value: r.value, energy_wh: r.energyWh ?? null })),
  };
}

function latestPayload(r: Reading): object {
  return {
    day: r.day,
    value: r.value,
    unit: r.unit,
    start: r.start,
    end: r.end,
    ...(KIND_INFO[r.kind].curve ? { energy_wh: r.energyWh ?? null } : {}),
    ...(r.at ? { at: r.at } : {}),
    ...(KIND_HA[r.kind].lastReset ? { last_reset: r.start } : {}),
  };
}

const byStart = (a: Reading, b: Reading) => Date.parse(a.start) - Date.parse(b.start);

/** Maps a connection or publish failure to the error the runner reports; never quotes the password. */
export function mqttFailure(e: unknown, s: Pick<MqttSettings, 'host' | 'port' | 'tls' | 'password'>): JeelinkyError {
  const where = `MQTT broker ${s.tls ? 'mqtts' : 'mqtt'}://${s.host}:${s.port}`;
  const err = e as { code?: unknown; message?: string };
  const detail = redact(String(err?.message ?? e), [s.password]);
  const pending = 'the readings stay pending and are published at the next run';
  if (typeof err?.code === 'number') {
    // CONNACK refusals: 4/5 (MQTT 3.1.1), 134/135 (MQTT 5).
    if ([4, 5, 134, 135].includes(err.code)) {
      return new JeelinkyError(`${where} refused the credentials (${detail}): check JEELINKY_MQTT_USERNAME and JEELINKY_MQTT_PASSWORD`, {
        code: 'mqtt_credentials',
        exitCode: ExitCode.ACTION_NEEDED,
      });
    }
    if ([2, 133].includes(err.code))
      return new ConfigError(`${where} rejected the client id (${detail}): set another JEELINKY_MQTT_CLIENT_ID`, 'mqtt_client_id');
    return new TemporaryError(`${where} refused the connection (${detail}); ${pending}`, 'mqtt_unavailable');
  }
  const code = typeof err?.code === 'string' ? err.code : '';
  if (/^(ERR_TLS_|CERT_|ERR_SSL_)|SELF_SIGNED|UNABLE_TO_(VERIFY|GET_ISSUER)/.test(code)) {
    return new JeelinkyError(
      `${where}: TLS verification failed (${code}: ${detail}): give the broker's CA with JEELINKY_MQTT_CA_FILE (or NODE_EXTRA_CA_CERTS), and a host name its certificate names in JEELINKY_MQTT_HOST`,
      {
        code: 'mqtt_tls',
        exitCode: ExitCode.ACTION_NEEDED,
      },
    );
  }
  const hint = code === 'ENOTFOUND' ? ' (is JEELINKY_MQTT_HOST right?)' : '';
  return new TemporaryError(`${where} is unreachable (${code || detail})${hint}; ${pending}`, 'mqtt_unreachable');
}

/**
 * A connection failure that says JEELINKY_MQTT_TLS does not match what the port speaks (TLS on a
 * plain port, or the reverse; confirmed by probing the port), else mqttFailure's mapping.
 */
export async function mqttConnectFailure(
  e: unknown,
  s: Pick<MqttSettings, 'host' | 'port' | 'tls' | 'password'>,
  probeTimeoutMs = 3000,
): Promise<JeelinkyError> {
  const where = `MQTT broker ${s.tls ? 'mqtts' : 'mqtt'}://${s.host}:${s.port}`;
  const problem =
    typeof (e as { code?: unknown })?.code === 'number'
      ? undefined
      : await transportProblem({ host: s.host, port: s.port, tls: s.tls, protocol: 'mqtt' }, e, probeTimeoutMs);
  if (problem === 'plain_port') {
    return new ConfigError(
      `${where}: this port speaks plain MQTT, not TLS: set JEELINKY_MQTT_TLS=0, or give the broker's TLS port in JEELINKY_MQTT_PORT`,
      'mqtt_tls_mismatch',
    );
  }
  if (problem === 'tls_port') {
    return new ConfigError(
      `${where}: this port speaks MQTT over TLS: set JEELINKY_MQTT_TLS=1 (with JEELINKY_MQTT_CA_FILE for a private CA), or give the plain port in JEELINKY_MQTT_PORT`,
      'mqtt_tls_mismatch',
    );
  }
  return mqttFailure(e, s);
}

export class MqttSink implements Sink {
  readonly name = 'mqtt' as const;
  private client?: MqttClient;
  private closed?: Promise<never>;
  private failure?: JeelinkyError;
  /** A signal stopped a publish: close without waiting for the acknowledgements still due. */
  private interrupted = false;

  constructor(
    readonly settings: MqttSettings,
    private readonly options: MqttSinkOptions = {},
  ) {}

  private async connect(): Promise<MqttClient> {
    if (this.client) return this.client;
    if (this.failure) throw this.failure;
    const s = this.settings;
    const opts: IClientOptions = {
      clientId: s.clientId,
      username: s.username,
      password: s.password,
      clean: true,
      protocolVersion: 4,
      reconnectPeriod: 0, // a run is short: a broker that goes away fails this run, the next one catches up
      connectTimeout: s.connectTimeoutMs,
      ...(s.tls ? { ca: s.ca, cert: s.cert, key: s.key, rejectUnauthorized: true } : {}),
    };
    const client = mqtt.connect(`${s.tls ? 'mqtts' : 'mqtt'}://${s.host}:${s.port}`, opts);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(Object.assign(new Error(`no CONNACK within ${s.connectTimeoutMs} ms`), { code: 'ETIMEDOUT' })),
          s.connectTimeoutMs + 1000,
        );
        client.once('connect', () => (clearTimeout(timer), resolve()));
        client.once('error', (e) => (clearTimeout(timer), reject(e)));
        client.once(
          'close',
          () => (clearTimeout(timer), reject(Object.assign(new Error('connection closed before CONNACK'), { code: 'ECONNCLOSED' }))),
        );
      });
    } catch (e) {
      client.end(true);
      this.failure = await mqttConnectFailure(e, s, Math.min(s.connectTimeoutMs, 3000));
      throw this.failure;
    }
    // Later errors surface through `closed` (mqtt.js would otherwise throw on an unhandled 'error').
    let lastError: unknown;
    client.on('error', (e) => (lastError = e));
    this.closed = new Promise<never>((_, reject) =>
      client.once('close', () => reject(lastError ?? Object.assign(new Error('connection lost'), { code: 'ECONNRESET' }))),
    );
    this.closed.catch(() => undefined);
    this.client = client;
    return client;
  }

  private async publish(messages: Message[], onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<void> {
    // SIGINT/SIGTERM cuts short the connection attempt and the wait for acknowledgements.
    const stop = whenInterrupted(signal, 'while publishing to MQTT');
    stop.promise.catch(() => (this.interrupted = true));
    try {
      const client = await Promise.race([this.connect(), stop.promise]);
      const window = this.options.window ?? 500;
      for (let i = 0; i < messages.length; i += window) {
        const batch = messages
          .slice(i, i + window)
          .map((m) => client.publishAsync(m.topic, m.payload, { qos: this.settings.qos, retain: m.retain }));
        try {
          await Promise.race([Promise.all(batch), this.closed!, stop.promise]);
        } catch (e) {
          throw e instanceof JeelinkyError ? e : mqttFailure(e, this.settings);
        }
        onProgress?.(Math.min(i + window, messages.length), messages.length);
      }
    } finally {
      stop.done();
    }
  }

  private device(usagePoint: string): object {
    return {
      identifiers: [`jeelinky_${usagePoint}`],
      name: `Linky ${usagePoint}`,
      manufacturer: 'Enedis',
      model: 'Linky',
      serial_number: usagePoint,
      sw_version: `jeelinky ${PACKAGE_VERSION}`,
    };
  }

  /** One discovery config: deterministic, so that re-publishing changes nothing in Home Assistant. */
  private discovery(usagePoint: string, f: HaFigure): Message {
    const t = mqttTopics(this.settings.prefix, usagePoint);
    const config: Record<string, unknown> = {
      name: f.name,
      unique_id: `jeelinky_${usagePoint}_${f.key}`,
      state_topic: f.stateTopic,
      value_template: f.valueTemplate,
      json_attributes_topic: f.stateTopic,
      availability_topic: t.availability,
      qos: this.settings.qos,
      device: this.device(usagePoint),
      origin: { name: 'jeelinky', sw_version: PACKAGE_VERSION },
    };
    if (f.unit) config.unit_of_measurement = f.unit;
    if (f.deviceClass) config.device_class = f.deviceClass;
    if (f.stateClass) config.state_class = f.stateClass;
    if (f.lastReset) config.last_reset_value_template = '{{ value_json.last_reset }}';
    if (f.options) config.options = f.options;
    if (f.entityCategory) config.entity_category = f.entityCategory;
    if (f.component === 'binary_sensor') Object.assign(config, { payload_on: 'ON', payload_off: 'OFF' });
    if (f.unit === 'Wh' || f.unit === 'VA' || f.unit === 'W') config.suggested_display_precision = 0;
    return {
      topic: `${this.settings.haPrefix}/${f.component}/jeelinky_${usagePoint}/${f.key}/config`,
      payload: JSON.stringify(config),
      retain: true,
    };
  }

  private kindFigure(usagePoint: string, kind: ReadingKind): HaFigure {
    return {
      key: kind,
      component: 'sensor',
      ...KIND_HA[kind],
      stateTopic: mqttTopics(this.settings.prefix, usagePoint).latest(kind),
      valueTemplate: '{{ value_json.value }}',
    };
  }

  private breakdownFigure(usagePoint: string, f: DayFigure): HaFigure {
    return {
      key: f.key,
      name: f.name,
      component: 'sensor',
      unit: f.unit,
      deviceClass: f.unit === 'EUR' ? 'monetary' : 'energy',
      stateClass: 'total',
      lastReset: true,
      stateTopic: mqttTopics(this.settings.prefix, usagePoint).latest(f.key),
      valueTemplate: '{{ value_json.value }}',
    };
  }

  /** The messages for a delivery: whole days for every day touched, the latest value per kind, discovery. */
  async messagesFor(readings: Reading[], ctx: DeliveryContext): Promise<Message[]> {
    const pdl = ctx.usagePoint;
    const t = mqttTopics(this.settings.prefix, pdl);
    const retain = this.settings.retain;
    const out: Message[] = [];
    const tomorrow = addDays(localDay(ctx.now, ctx.tz), 1);
    const kinds = READING_KINDS.filter((k) => readings.some((r) => r.kind === k));
    for (const kind of kinds) {
      const mine = readings.filter((r) => r.kind === kind);
      const days = new Map<string, Reading[]>();
      for (const r of mine) days.set(r.day, [...(days.get(r.day) ?? []), r]);
      const curveDays = new Map<string, Reading[]>();
      for (const [day, delivered] of [...days].sort(([a], [b]) => a.localeCompare(b))) {
        // The store's whole day (a corrected or late point republishes its day), what was handed over winning.
        const merged = new Map<string, Reading>();
        for (const r of (await this.options.source?.day(pdl, kind, day)) ?? []) merged.set(r.start, r);
        for (const r of delivered) merged.set(r.start, r);
        const list = [...merged.values()].sort(byStart);
        out.push({ topic: t.day(kind, day), payload: JSON.stringify(dayPayload(kind, day, list)), retain });
        if (KIND_INFO[kind].curve) curveDays.set(day, list);
      }
      const latest = (await this.options.source?.latest(pdl, kind, tomorrow)) ?? [...mine].sort(byStart).at(-1)!;
      out.push({ topic: t.latest(kind), payload: JSON.stringify(latestPayload(latest)), retain });
      if (this.settings.haDiscovery) out.push(this.discovery(pdl, this.kindFigure(pdl, kind)));
      // HP/HC and cost: the runner's figures (one result for every sink), or a breakdown given to the sink.
      const breakdown = this.options.breakdown ?? (this.options.tariff && ctx.tariffDays ? tariffDayFigures(ctx.tariffDays) : undefined);
      if (kind === 'load_curve' && breakdown) out.push(...(await this.breakdownMessages(pdl, curveDays, latest.day, breakdown)));
    }
    out.push({ topic: t.availability, payload: 'online', retain: true });
    return out;
  }

  private async breakdownMessages(
    pdl: string,
    curveDays: Map<string, Reading[]>,
    latestDay: string,
    breakdown: DayBreakdown,
  ): Promise<Message[]> {
    const t = mqttTopics(this.settings.prefix, pdl);
    const out: Message[] = [];
    if (!curveDays.has(latestDay)) {
      const list = (await this.options.source?.day(pdl, 'load_curve', latestDay)) ?? [];
      if (list.length) curveDays.set(latestDay, list);
    }
    for (const [day, list] of curveDays) {
      const figures = await breakdown(pdl, day, list);
      const lastReset = list[0]?.start;
      for (const f of figures) {
        const payload = JSON.stringify({ day, value: f.value, unit: f.unit, last_reset: lastReset });
        out.push({ topic: t.day(f.key, day), payload, retain: this.settings.retain });
        if (day === latestDay) {
          out.push({ topic: t.latest(f.key), payload, retain: this.settings.retain });
          if (this.settings.haDiscovery) out.push(this.discovery(pdl, this.breakdownFigure(pdl, f)));
        }
      }
    }
    return out;
  }

  async deliver(readings: Reading[], ctx: DeliveryContext): Promise<SinkResult> {
    try {
      const messages = await this.messagesFor(readings, ctx);
      await this.publish(messages, ctx.onProgress, ctx.signal);
      return { ...emptyResult(this.name), written: readings.length };
    } catch (e) {
      const error = e instanceof JeelinkyError ? e : mqttFailure(e, this.settings);
      return {
        ...emptyResult(this.name),
        failed: readings.length,
        error: { code: error.code, message: error.message, exitCode: error.exitCode },
      };
    }
  }

  /** Connects (CONNECT/CONNACK) without publishing: refused credentials or TLS settings show even with nothing to send. */
  async check(): Promise<void> {
    await this.connect();
  }

  /** The status topic and its two diagnostic entities; availability goes offline only when a person must act. */
  async runEnded(outcome: RunOutcome): Promise<void> {
    if (!outcome.usagePoint || this.failure) return;
    const pdl = outcome.usagePoint;
    const t = mqttTopics(this.settings.prefix, pdl);
    const status = {
      ok: outcome.ok,
      exit_code: outcome.exitCode,
      finished_at: outcome.finishedAt,
      retry_at: outcome.retryAt ?? null,
      error: outcome.error ? { code: outcome.error.code, message: outcome.error.message } : null,
    };
    const messages: Message[] = [{ topic: t.status, payload: JSON.stringify(status), retain: true }];
    if (outcome.tempo) messages.push(...this.tempoMessages(pdl, outcome.tempo));
    const needsPerson = Boolean(outcome.error) && outcome.exitCode === ExitCode.ACTION_NEEDED;
    messages.push({ topic: t.availability, payload: needsPerson ? 'offline' : 'online', retain: true });
    if (this.settings.haDiscovery) {
      messages.push(
        this.discovery(pdl, {
          key: 'last_run',
          name: 'Last run',
          component: 'sensor',
          deviceClass: 'timestamp',
          entityCategory: 'diagnostic',
          stateTopic: t.status,
          valueTemplate: '{{ value_json.finished_at }}',
        }),
        this.discovery(pdl, {
          key: 'run_problem',
          name: 'Run problem',
          component: 'binary_sensor',
          deviceClass: 'problem',
          entityCategory: 'diagnostic',
          stateTopic: t.status,
          valueTemplate: "{{ 'OFF' if value_json.ok else 'ON' }}",
        }),
      );
    }
    await this.publish(messages);
  }

  /**
   * Tempo (only when the runner computed it, i.e. Tempo is in use): the six energies and the cost of
   * each complete Tempo day as `<figure>/day/<Tempo day>` (last_reset = its 06:00), the newest one
   * as `<figure>/latest`; today's and tomorrow's colour and the days left as `<key>/latest`.
   * Deterministic payloads: publishing them again changes no retained message.
   */
  tempoMessages(pdl: string, tempo: TempoRunFigures): Message[] {
    const t = mqttTopics(this.settings.prefix, pdl);
    const retain = this.settings.retain;
    const out: Message[] = [];
    const newest = tempo.days.at(-1)?.day;
    for (const d of tempo.days) {
      const lastReset = moment.tz(`${d.day} 06:00`, 'YYYY-MM-DD HH:mm', tempo.tz).format('YYYY-MM-DDTHH:mm:ssZ');
      for (const f of TEMPO_DAY_FIGURES) {
        const value = d[f.field];
        if (value === null) continue;
        const payload = JSON.stringify({ day: d.day, value, unit: f.unit === '€' ? 'EUR' : 'Wh', colour: d.colour, last_reset: lastReset });
        out.push({ topic: t.day(f.logicalId, d.day), payload, retain });
        if (d.day === newest) out.push({ topic: t.latest(f.logicalId), payload, retain });
      }
    }
    for (const [key, c] of [
      ['tempo_today', tempo.today],
      ['tempo_tomorrow', tempo.tomorrow],
    ] as const) {
      out.push({ topic: t.latest(key), payload: JSON.stringify({ day: c.day, colour: c.colour }), retain });
    }
    out.push({ topic: t.latest('tempo_red_left'), payload: JSON.stringify({ season: tempo.season, value: tempo.redLeft }), retain });
    out.push({ topic: t.latest('tempo_white_left'), payload: JSON.stringify({ season: tempo.season, value: tempo.whiteLeft }), retain });
    if (this.settings.haDiscovery) {
      const value = '{{ value_json.value }}';
      const colour = (key: string, name: string): HaFigure => ({
        key,
        name,
        component: 'sensor',
        deviceClass: 'enum',
        options: TEMPO_COLOURS,
        stateTopic: t.latest(key),
        // An unknown colour (null) is the string None: Home Assistant shows "unknown".
        valueTemplate: "{{ value_json.colour or 'None' }}",
      });
      out.push(
        this.discovery(pdl, colour('tempo_today', 'Tempo colour today')),
        this.discovery(pdl, colour('tempo_tomorrow', 'Tempo colour tomorrow')),
      );
      for (const f of TEMPO_DAY_FIGURES) {
        const [, c, p] = f.logicalId.split('_');
        const name = f.logicalId === 'tempo_cost' ? 'Tempo cost' : `Tempo ${c} ${p!.toUpperCase()} energy`;
        const unit = f.unit === '€' ? 'EUR' : 'Wh';
        out.push(
          this.discovery(pdl, {
            key: f.logicalId,
            name,
            component: 'sensor',
            unit,
            deviceClass: unit === 'EUR' ? 'monetary' : 'energy',
            stateClass: 'total',
            lastReset: true,
            stateTopic: t.latest(f.logicalId),
            valueTemplate: value,
          }),
        );
      }
      out.push(
        this.discovery(pdl, {
          key: 'tempo_red_left',
          name: 'Tempo red days left',
          component: 'sensor',
          stateClass: 'measurement',
          stateTopic: t.latest('tempo_red_left'),
          valueTemplate: value,
        }),
        this.discovery(pdl, {
          key: 'tempo_white_left',
          name: 'Tempo white days left',
          component: 'sensor',
          stateClass: 'measurement',
          stateTopic: t.latest('tempo_white_left'),
          valueTemplate: value,
        }),
      );
    }
    return out;
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.endAsync(this.interrupted).catch(() => undefined);
  }
}

/** The store as a ReadingsSource, opened on first use (reads only; the runner holds the lock). */
export function storeSource(stateDir: string): ReadingsSource {
  let readings: Promise<ReadingsStore> | undefined;
  const open = () => (readings ??= StateStore.open(stateDir).then((s) => new ReadingsStore(s)));
  return {
    day: async (pdl, kind, day) => (await open()).readings(pdl, kind, day, addDays(day, 1)),
    latest: async (pdl, kind, today) => {
      const store = await open();
      const day = await store.lastDayWithData(pdl, kind, today);
      return day ? (await store.readings(pdl, kind, day, addDays(day, 1))).at(-1) : undefined;
    },
  };
}

/** The runner's tariff figures of the delivery (DeliveryContext.tariffDays) as MQTT day figures. */
export function tariffDayFigures(days: readonly DayTariff[]): DayBreakdown {
  return (_pdl, day) => {
    const figures = days.find((d) => d.day === day);
    if (!figures) return [];
    const out: DayFigure[] = [];
    for (const f of TARIFF_FIGURES) {
      const value = figures[f.field];
      if (value !== null) out.push({ key: f.logicalId, name: f.name, value, unit: f.unit === '€' ? 'EUR' : 'Wh' });
    }
    return out;
  };
}

/** Configured when JEELINKY_MQTT_HOST (or --mqtt-host) is set. */
export function createMqttSink(config: JeelinkyConfig, flags: SinkFlags = {}): Sink | undefined {
  const settings = resolveMqttSettings(config, flags);
  return settings ? new MqttSink(settings, { source: storeSource(config.stateDir), tariff: true }) : undefined;
}
