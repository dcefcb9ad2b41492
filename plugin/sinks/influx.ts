/**
 * The InfluxDB v2 sink (@influxdata/influxdb-client). One measurement (default `linky`), tagged
 * by PDL and kind, one point per reading at the reading's start instant, with fields whose names
 * carry their unit (energy_wh, power_w, apparent_power_va). The same reading always lands on the
 * same series and timestamp, so writing it again overwrites the point instead of adding one.
 * Batches are written one after the other, each retried with exponential backoff.
 */
import { HttpError, InfluxDB, Point, type WriteApi } from '@influxdata/influxdb-client';
import { normalizeUrl, pickSetting, type JeelinkyConfig } from '../config.js';
import { ConfigError, ExitCode, JeelinkyError, TemporaryError, whenInterrupted } from '../errors.js';
import { KIND_INFO, type Reading } from '../readings.js';
import { redact } from '../secrets.js';
import { urlSettingError } from '../transport.js';
import { flagText, type SinkFlags } from './flags.js';
import { settingDefault, settingNames } from '../settings.js';
import moment from 'moment-timezone';
import { TEMPO_DAY_FIGURES, type TempoDayTariff } from '../tariff/days.js';
import { emptyResult, type DeliveryContext, type RunOutcome, type Sink, type SinkResult } from './sink.js';

export interface InfluxSettings {
  url: string;
  token?: string;
  org: string;
  bucket: string;
  measurement: string;
  /** Points per write request. */
  batchSize: number;
  /** Retries of one batch after its first failure (429, 5xx, network). */
  maxRetries: number;
  /** First retry delay, doubled at each retry (capped at 30 s). */
  retryBaseMs: number;
  timeoutMs: number;
}

export const INFLUX_SETTINGS = {
  url: settingNames('influxdbUrl'),
  token: settingNames('influxdbToken'),
  org: settingNames('influxdbOrg'),
  bucket: settingNames('influxdbBucket'),
  measurement: settingNames('influxdbMeasurement'),
} as const;

/** The measurement's default comes from the table (plugin/settings.ts); the batch size and retries are not settings. */
export const INFLUX_DEFAULTS = { measurement: settingDefault('influxdbMeasurement'), batchSize: 5000, maxRetries: 4 } as const;

/** The InfluxDB settings, or undefined when no URL is set (the sink is then not configured). */
export function resolveInfluxSettings(
  config: Pick<JeelinkyConfig, 'fileSettings' | 'timeoutMs' | 'retryBaseMs'>,
  flags: SinkFlags = {},
  env: NodeJS.ProcessEnv = process.env,
): InfluxSettings | undefined {
  const pickInflux = (k: keyof typeof INFLUX_SETTINGS, parse: (name: string, raw: string) => string = (_n, raw) => raw.trim()) => {
    const [flag, envName, fileKey] = INFLUX_SETTINGS[k];
    const f = flagText(flags, flag);
    return pickSetting(f === undefined ? undefined : parse(`--${flag}`, f), envName, fileKey, config, parse, env) || undefined;
  };
  const url = pickInflux('url', normalizeUrl);
  if (!url) return undefined;
  const org = pickInflux('org');
  const bucket = pickInflux('bucket');
  if (!org || !bucket) {
    throw new ConfigError(
      `JEELINKY_INFLUXDB_URL is set but not ${[!org && 'JEELINKY_INFLUXDB_ORG', !bucket && 'JEELINKY_INFLUXDB_BUCKET'].filter(Boolean).join(' nor ')}: give the organization and bucket to write to`,
    );
  }
  const measurement = pickInflux('measurement') ?? INFLUX_DEFAULTS.measurement;
  return {
    url,
    token: pickInflux('token'),
    org,
    bucket,
    measurement,
    batchSize: INFLUX_DEFAULTS.batchSize,
    maxRetries: INFLUX_DEFAULTS.maxRetries,
    retryBaseMs: config.retryBaseMs,
    timeoutMs: config.timeoutMs,
  };
}

/** The point of one reading: the layout the README documents and the Grafana example queries. */
export function readingPoint(r: Reading, measurement: string): Point {
  const p = new Point(measurement).tag('pdl', r.usagePoint).tag('kind', r.kind).timestamp(new Date(r.start));
  // Floats throughout: InfluxDB fixes a field's type at its first write, and Enedis values are whole numbers that could be read as
  // integers.
  if (r.unit === 'Wh') p.floatField('energy_wh', r.value);
  else if (r.unit === 'W') {
    p.floatField('power_w', r.value);
    if (r.energyWh !== undefined) p.floatField('energy_wh', r.energyWh);
  } else p.floatField('apparent_power_va', r.value);
  if (KIND_INFO[r.kind].curve) p.floatField('duration_s', (Date.parse(r.end) - Date.parse(r.start)) / 1000);
  if (r.at) p.floatField('peak_time_s', Date.parse(r.at) / 1000);
  return p;
}

/**
 * The point of one Tempo day (kind `tempo`), stamped at its start, 06:00 local time: the six
 * sub-counters `blue_hp_wh` … `red_hc_wh` (the day's colour has its HP and HC, the other four 0)
 * and `cost_eur` (absent without prices). No colour tag: a corrected colour overwrites the same point.
 */
export function tempoDayPoint(usagePoint: string, d: TempoDayTariff, tz: string, measurement: string): Point {
  const start = moment.tz(`${d.day} 06:00`, 'YYYY-MM-DD HH:mm', tz).valueOf();
  const p = new Point(measurement).tag('pdl', usagePoint).tag('kind', 'tempo').timestamp(new Date(start));
  for (const f of TEMPO_DAY_FIGURES) {
    const value = d[f.field];
    if (value !== null) p.floatField(f.logicalId === 'tempo_cost' ? 'cost_eur' : `${f.logicalId.replace(/^tempo_/, '')}_wh`, value);
  }
  return p;
}

function retryable(e: unknown): boolean {
  if (e instanceof HttpError) return e.statusCode === 429 || e.statusCode >= 500;
  return true; // network errors, timeouts
}

/** Maps a write failure to the error the runner reports; the token never appears. */
export function influxFailure(e: unknown, s: Pick<InfluxSettings, 'url' | 'token' | 'org' | 'bucket'>): JeelinkyError {
  if (e instanceof JeelinkyError) return e;
  const clean = (text: string) => redact(text, [s.token]).replace(/\s+/g, ' ').slice(0, 300);
  const where = `InfluxDB at ${s.url}`;
  const pending = 'the readings stay pending and are written at the next run';
  if (e instanceof HttpError) {
    const body = clean(e.body ?? e.message);
    if (e.statusCode === 401 || e.statusCode === 403) {
      return new JeelinkyError(
        `${where} refused the token (HTTP ${e.statusCode}): check JEELINKY_INFLUXDB_TOKEN; it needs write access to bucket "${s.bucket}"`,
        {
          code: 'influx_credentials',
          exitCode: ExitCode.ACTION_NEEDED,
        },
      );
    }
    if (e.statusCode === 404)
      return new ConfigError(
        `${where}: organization "${s.org}" or bucket "${s.bucket}" not found (${body}): check JEELINKY_INFLUXDB_ORG and JEELINKY_INFLUXDB_BUCKET`,
        'influx_not_found',
      );
    if (e.statusCode < 500 && e.statusCode !== 429) {
      return new JeelinkyError(
        `${where} rejected the points (HTTP ${e.statusCode}: ${body}); a field written earlier with another type makes InfluxDB refuse them: use another JEELINKY_INFLUXDB_MEASUREMENT or bucket`,
        {
          code: 'influx_rejected',
          exitCode: ExitCode.ACTION_NEEDED,
        },
      );
    }
    return new TemporaryError(`${where} answered HTTP ${e.statusCode} (${body}) after retries; ${pending}`, 'influx_unavailable');
  }
  const err = e as { code?: unknown; message?: string };
  const code = typeof err?.code === 'string' ? err.code : '';
  return new TemporaryError(`${where} is unreachable (${code || clean(String(err?.message ?? e))}); ${pending}`, 'influx_unreachable');
}

export class InfluxSink implements Sink {
  readonly name = 'influx' as const;
  private api?: WriteApi;
  /** A signal stopped a write: close without flushing again (the server may be what hangs). */
  private interrupted = false;
  /** The delivery failed (server down, token refused): the Tempo points are not tried again in the same run. */
  private failed = false;

  constructor(
    readonly settings: InfluxSettings,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  private writeApi(): WriteApi {
    const s = this.settings;
    this.api ??= new InfluxDB({ url: s.url, token: s.token, timeout: s.timeoutMs }).getWriteApi(s.org, s.bucket, 'ms', {
      // We batch and retry ourselves: the client's own retries run in the background after flush() has returned.
      batchSize: s.batchSize + 1,
      flushInterval: 0,
      maxRetries: 0,
      // A rejected promise here makes flush() fail with the error instead of the client logging it.
      writeFailed: (error) => Promise.reject(error),
    });
    return this.api;
  }

  /** Writes one batch; retries 429, 5xx and network errors with exponential backoff (or the server's Retry-After). */
  private async writeBatch(points: Point[], signal?: AbortSignal): Promise<void> {
    const api = this.writeApi();
    // The client takes no AbortSignal: SIGINT/SIGTERM stops the wait for its answer (and any backoff).
    const stop = whenInterrupted(signal, 'while writing to InfluxDB');
    stop.promise.catch(() => (this.interrupted = true));
    try {
      for (let attempt = 0; ; attempt++) {
        api.writePoints(points);
        try {
          await Promise.race([api.flush(), stop.promise]);
          return;
        } catch (e) {
          if (this.interrupted) throw e;
          // https:// on a plain port (or the reverse), an untrusted certificate: retrying cannot help.
          if (!(e instanceof HttpError)) {
            const wrongUrl = await urlSettingError(this.settings.url, 'JEELINKY_INFLUXDB_URL', e, Math.min(this.settings.timeoutMs, 3000));
            if (wrongUrl) throw wrongUrl;
          }
          if (attempt >= this.settings.maxRetries || !retryable(e)) throw e;
          const asked = e instanceof HttpError && e.statusCode === 429 ? e.retryAfter() : 0;
          await Promise.race([this.sleep(Math.max(asked, Math.min(30_000, this.settings.retryBaseMs * 2 ** attempt))), stop.promise]);
        }
      }
    } finally {
      stop.done();
    }
  }

  /**
   * An empty write (no point): InfluxDB checks the token, org and bucket before it reads the body,
   * so a refused token or a wrong URL shows even with nothing to write. Not retried.
   */
  async check(): Promise<void> {
    const s = this.settings;
    const transport = new InfluxDB({ url: s.url, token: s.token, timeout: s.timeoutMs }).transport;
    const query = new URLSearchParams({ org: s.org, bucket: s.bucket, precision: 'ms' });
    try {
      await transport.request(`/api/v2/write?${query}`, '', { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' } });
    } catch (e) {
      // InfluxDB may refuse an empty body as bad line protocol (400): the token got that far.
      if (e instanceof HttpError && e.statusCode === 400) return;
      this.failed = true;
      throw (
        (e instanceof HttpError ? undefined : await urlSettingError(s.url, 'JEELINKY_INFLUXDB_URL', e, Math.min(s.timeoutMs, 3000))) ??
        influxFailure(e, s)
      );
    }
  }

  async deliver(readings: Reading[], ctx: DeliveryContext): Promise<SinkResult> {
    const size = this.settings.batchSize;
    let written = 0;
    try {
      for (let i = 0; i < readings.length; i += size) {
        const batch = readings.slice(i, i + size);
        await this.writeBatch(
          batch.map((r) => readingPoint(r, this.settings.measurement)),
          ctx.signal,
        );
        written += batch.length;
        ctx.onProgress?.(written, readings.length);
      }
      return { ...emptyResult(this.name), written };
    } catch (e) {
      this.failed = true;
      const error = e instanceof JeelinkyError ? e : influxFailure(e, this.settings);
      return {
        ...emptyResult(this.name),
        written,
        failed: readings.length - written,
        error: { code: error.code, message: error.message, exitCode: error.exitCode },
      };
    }
  }

  /**
   * Tempo (only when the runner computed it): one point per complete Tempo day, rewritten at every run (same series and time:
   * overwritten).
   */
  async runEnded(outcome: RunOutcome): Promise<void> {
    const tempo = outcome.tempo;
    if (!tempo?.days.length || !outcome.usagePoint || this.failed) return;
    await this.writeBatch(tempo.days.map((d) => tempoDayPoint(outcome.usagePoint, d, tempo.tz, this.settings.measurement))).catch((e) => {
      throw influxFailure(e, this.settings);
    });
  }

  async close(): Promise<void> {
    const api = this.api;
    this.api = undefined;
    if (api && this.interrupted) api.dispose();
    else if (api) await api.close().catch(() => undefined);
  }
}

/** Configured when JEELINKY_INFLUXDB_URL (or --influx-url) is set. */
export function createInfluxSink(config: JeelinkyConfig, flags: SinkFlags = {}): Sink | undefined {
  const settings = resolveInfluxSettings(config, flags);
  return settings ? new InfluxSink(settings) : undefined;
}
