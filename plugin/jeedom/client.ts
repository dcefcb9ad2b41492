/**
 * A small typed JSON-RPC client for Jeedom 4.x (reference/jeedom-api.md), over axios.
 *
 * - One request per call: Jeedom has no batch requests. The envelope carries the API key, which never
 *   appears in errors (messages are built here and redacted; axios errors are never attached).
 * - The error envelope is mapped to the typed errors of ./errors.ts by wire code, never by the French
 *   message.
 * - Retries are bounded and only for calls that are safe to repeat (reads, `cmd::event`,
 *   `datastore::save`, `cmd::save` with an id). A save without id is never retried: a second
 *   `eqLogic::save` without id duplicates the device. A request refused before it reached PHP
 *   (connection refused) is retried for every method, since nothing ran.
 * - TLS verification is never turned off; a private CA is trusted through NODE_EXTRA_CA_CERTS.
 */
import { durability } from '../probe.js';
import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import moment from 'moment-timezone';
import { ConfigError, interruptibleSleep, throwIfInterrupted } from '../errors.js';
import { redact } from '../secrets.js';
import { urlSettingError } from '../transport.js';
import { settingDefault, settingVariable } from '../settings.js';
import {
  JeedomAuthError,
  JeedomMethodError,
  JeedomNotFoundError,
  JeedomProtocolError,
  JeedomRpcCode,
  JeedomRpcError,
  JeedomUnavailableError,
} from './errors.js';

export const JEEDOM_API_SUFFIX = '/core/api/jeeApi.php';
/** Jeedom's own default when the box has no `timezone` config key. */
export const JEEDOM_DEFAULT_TZ = 'Europe/Brussels';

export interface JeedomClientOptions {
  /** `JEELINKY_JEEDOM_URL`: the box's base URL, or the full URL ending in core/api/jeeApi.php. */
  url: string;
  /** `JEELINKY_JEEDOM_APIKEY`: the core API key (or a user hash). */
  apikey: string;
  /** Per-request timeout, ms (default 20 s: a Raspberry Pi box can be slow). */
  timeoutMs?: number;
  /** Extra attempts for calls that are safe to repeat (default 2). */
  retries?: number;
  /** First backoff between attempts, doubled each time (default 300 ms). */
  retryDelayMs?: number;
  /** Sockets kept open to the box (default 8). */
  maxSockets?: number;
  /** SIGINT/SIGTERM: see JeedomClient.signal. */
  signal?: AbortSignal;
  /**
   * `JEELINKY_JEEDOM_EQTYPE`: the Jeedom plugin that owns jeelinky's device: `virtual` (default,
   * the CLI path: `jeelinky jeedom setup` creates a Virtuel) or `jeelinky` (the jeelinky Jeedom
   * plugin is installed: its own équipement, and `apikey` is the plugin's key, so every call
   * carries `params.plugin = "jeelinky"`, which Jeedom needs to accept that key).
   */
  eqType?: JeedomEqType;
}

export const JEEDOM_EQTYPES = ['virtual', 'jeelinky'] as const;
export type JeedomEqType = (typeof JEEDOM_EQTYPES)[number];

/** The eqType from the option, else from JEELINKY_JEEDOM_EQTYPE, else `virtual`; a clear error when unknown. */
export function resolveEqType(value: string | undefined = settingVariable('jeedomEqType')): JeedomEqType {
  const v = (value ?? '').trim() || settingDefault('jeedomEqType');
  if (!(JEEDOM_EQTYPES as readonly string[]).includes(v)) {
    throw new ConfigError(
      `JEELINKY_JEEDOM_EQTYPE "${v}" is not known: use "virtual" (a Virtuel device) or "jeelinky" (the jeelinky Jeedom plugin)`,
      'jeedom_eqtype',
    );
  }
  return v as JeedomEqType;
}

export interface JeedomObject {
  id: number;
  name: string;
  father_id: number | null;
}

export interface JeedomEqLogic {
  id: number;
  name: string;
  logicalId: string;
  object_id: number | null;
  eqType_name: string;
  isEnable: boolean;
  isVisible: boolean;
  configuration: Record<string, unknown>;
}

export interface JeedomCmd {
  id: number;
  eqLogic_id: number;
  name: string;
  logicalId: string;
  type: string;
  subType: string;
  /** Jeedom calls the unit `unite`. */
  unite: string;
  isHistorized: boolean;
  isVisible: boolean;
  order: number;
  configuration: Record<string, unknown>;
  currentValue?: unknown;
}

export interface JeedomHistoryRow {
  cmd_id: number;
  /** `YYYY-MM-DD HH:MM:SS`, the box's local time. */
  datetime: string;
  /** Jeedom stores values as strings. */
  value: string;
}

/** One history row for jeelinky::writeHistory (the plugin's batch method). */
export interface JeedomBatchPoint {
  cmd_id: number;
  /** `YYYY-MM-DD HH:MM:SS`, the box's local time, as cmd::event takes it. */
  datetime: string;
  value: number;
}

/** What jeelinky::version answers when the Jeedom plugin jeelinky is on the box. */
export interface JeedomBatchSupport {
  api: number;
  /** Points per jeelinky::writeHistory call. */
  maxPoints: number;
}

/** The plugin id whose JSON-RPC methods (core/api/jeelinky.api.php) are reached with params.plugin. */
export const JEEDOM_PLUGIN_ID = 'jeelinky';

export interface JeedomStatistique {
  avg: string | null;
  min: string | null;
  max: string | null;
  sum: string | null;
  count: number;
  std: number | null;
  variance: number | null;
  /** Absent over an empty range. */
  last?: string;
}

export interface JeedomCurrentValue {
  value: unknown;
  collectDate: string;
}

/** Accepts `http://box`, `https://box/jeedom/`, `http://box/core/api/jeeApi.php`; returns the endpoint. */
export function jeedomEndpoint(input: string): string {
  const raw = (input ?? '').trim();
  if (!raw) {
    throw new ConfigError('no Jeedom URL: set JEELINKY_JEEDOM_URL or pass --jeedom-url (e.g. http://192.168.1.20)', 'jeedom_url');
  }
  let u: URL;
  try {
    u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    throw new ConfigError(`Jeedom URL "${raw.slice(0, 80)}" is not a URL: give the box's address, e.g. http://192.168.1.20`, 'jeedom_url');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new ConfigError(`Jeedom URL must start with http:// or https:// (got ${u.protocol})`, 'jeedom_url');
  }
  // Query and fragment are dropped: an API key pasted there must not travel or be logged.
  let path = u.pathname.replace(/\/+$/, '');
  if (path.toLowerCase().endsWith(JEEDOM_API_SUFFIX.toLowerCase())) path = path.slice(0, -JEEDOM_API_SUFFIX.length);
  return `${u.protocol}//${u.host}${path}${JEEDOM_API_SUFFIX}`;
}

/** The URL as it may appear in messages: no credentials, no query. */
function displayUrl(endpoint: string): string {
  const u = new URL(endpoint);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

function asRecord(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Jeedom sends booleans as "1"/"0", 1/0 or true/false depending on the call. */
export function jeedomBool(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 'true';
}

function num(v: unknown): number {
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}

function nullableId(v: unknown): number | null {
  if (v === null || v === undefined || v === '' || v === 0 || v === '0') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

export function toObject(raw: unknown): JeedomObject {
  const r = asRecord(raw);
  return { id: num(r.id), name: String(r.name ?? ''), father_id: nullableId(r.father_id) };
}

export function toEqLogic(raw: unknown): JeedomEqLogic {
  const r = asRecord(raw);
  return {
    id: num(r.id),
    name: String(r.name ?? ''),
    logicalId: String(r.logicalId ?? ''),
    object_id: nullableId(r.object_id),
    eqType_name: String(r.eqType_name ?? ''),
    isEnable: jeedomBool(r.isEnable),
    isVisible: jeedomBool(r.isVisible),
    configuration: asRecord(r.configuration),
  };
}

export function toCmd(raw: unknown): JeedomCmd {
  const r = asRecord(raw);
  return {
    id: num(r.id),
    eqLogic_id: num(r.eqLogic_id),
    name: String(r.name ?? ''),
    logicalId: String(r.logicalId ?? ''),
    type: String(r.type ?? ''),
    subType: String(r.subType ?? ''),
    unite: String(r.unite ?? ''),
    isHistorized: jeedomBool(r.isHistorized),
    isVisible: jeedomBool(r.isVisible),
    order: num(r.order),
    configuration: asRecord(r.configuration),
    currentValue: r.currentValue,
  };
}

/** `"ok"` is Jeedom's answer for an empty result (reference §1): read it as an empty array. */
function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

const NEVER_RETRY = new Set(['eqLogic::save', 'object::save', 'jeeObject::save', 'scenario::changeState', 'scenario::save']);

/** Whether repeating the call cannot do harm (see the module comment). */
export function isSafeToRepeat(method: string, params: Record<string, unknown>): boolean {
  if (NEVER_RETRY.has(method)) return false;
  if (method === 'cmd::save') return params.id !== undefined && params.id !== null && params.id !== '';
  // execCmd runs action commands; only info reads are safe, and we only read.
  if (method === 'cmd::execCmd') return params.options === undefined;
  return true;
}

const NOT_REACHED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|EPROTO|ERR_SSL/;

interface AttemptFailure {
  error: Error;
  /** True when nothing reached Jeedom's PHP: safe to retry any call. */
  notReached: boolean;
  /** True when another attempt may succeed. */
  transient: boolean;
}

export class JeedomClient {
  readonly endpoint: string;
  readonly displayUrl: string;
  /** The plugin that owns jeelinky's device (see JeedomClientOptions.eqType). */
  readonly eqType: JeedomEqType;
  private readonly apikey: string;
  private readonly http: AxiosInstance;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly timeoutMs: number;
  private readonly agents: { http: http.Agent; https: https.Agent };
  private nextId = 1;
  private tzPromise?: Promise<string>;
  private batchPromise?: Promise<JeedomBatchSupport | undefined>;
  /** HTTP requests actually sent (attempts included). */
  requestCount = 0;
  /**
   * Once aborted (SIGINT/SIGTERM), the request in flight is aborted and every call throws
   * InterruptedError before sending anything. The sink sets it for each delivery.
   */
  signal?: AbortSignal;

  constructor(opts: JeedomClientOptions) {
    this.endpoint = jeedomEndpoint(opts.url);
    this.displayUrl = displayUrl(this.endpoint);
    if (!opts.apikey?.trim()) {
      throw new ConfigError(
        'no Jeedom API key: set JEELINKY_JEEDOM_APIKEY or pass --jeedom-apikey (Réglages → Système → Configuration → API → "Clef API")',
        'jeedom_apikey',
      );
    }
    this.apikey = opts.apikey.trim();
    this.eqType = resolveEqType(opts.eqType);
    this.signal = opts.signal;
    this.retries = Math.max(0, opts.retries ?? 2);
    this.retryDelayMs = Math.max(0, opts.retryDelayMs ?? 300);
    const maxSockets = opts.maxSockets ?? 8;
    this.agents = {
      http: new http.Agent({ keepAlive: true, maxSockets }),
      // rejectUnauthorized stays at its default (true): verification is never turned off.
      https: new https.Agent({ keepAlive: true, maxSockets }),
    };
    this.timeoutMs = opts.timeoutMs ?? 20_000;
    this.http = axios.create({
      timeout: this.timeoutMs,
      httpAgent: this.agents.http,
      httpsAgent: this.agents.https,
      proxy: false,
      maxRedirects: 0,
      responseType: 'text',
      transformResponse: [(d: unknown) => d],
      validateStatus: () => true,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
    });
  }

  /** Frees the kept-alive sockets. */
  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private redact(text: string): string {
    return redact(text, [this.apikey]);
  }

  /** One JSON-RPC call, with bounded retries when safe. Returns the raw `result` ("ok" included). */
  async call<T = unknown>(method: string, params: Record<string, unknown> = {}, opts: { retry?: boolean } = {}): Promise<T> {
    const safe = opts.retry ?? isSafeToRepeat(method, params);
    let attempt = 0;
    for (;;) {
      throwIfInterrupted(this.signal, 'between two Jeedom requests');
      const outcome = await this.attempt(method, params);
      if (!('error' in outcome)) return outcome.result as T;
      const { error, notReached, transient } = outcome;
      if (!transient || attempt >= this.retries || !(safe || notReached)) throw error;
      await interruptibleSleep(this.retryDelayMs * 2 ** attempt, this.signal, 'between two Jeedom requests');
      attempt += 1;
    }
  }

  private async attempt(method: string, params: Record<string, unknown>): Promise<{ result: unknown } | AttemptFailure> {
    const id = this.nextId++;
    // The jeelinky plugin's own key is only accepted with params.plugin = "jeelinky" (jeeApi.php);
    // config::byKey then reads the plugin's config, where the plugin mirrors the box's timezone.
    const scoped = this.eqType === 'jeelinky' ? { ...params, plugin: 'jeelinky' } : params;
    const body = JSON.stringify({ jsonrpc: '2.0', id, method, params: { ...scoped, apikey: this.apikey } });
    this.requestCount += 1;
    let status: number;
    let text: string;
    try {
      const res = await this.http.post<string>(this.endpoint, body, { signal: this.signal });
      durability.afterHttpResponse('jeedom');
      status = res.status;
      text = typeof res.data === 'string' ? res.data : String(res.data ?? '');
    } catch (err) {
      // Aborted by SIGINT/SIGTERM: the point may or may not have reached Jeedom; the next run reads the history first.
      throwIfInterrupted(this.signal, `Jeedom ${method} aborted`);
      // https:// on a plain port (or the reverse) is a setting to fix, not a box that is down.
      const wrongUrl = await urlSettingError(this.endpoint, 'JEELINKY_JEEDOM_URL', err, Math.min(this.timeoutMs, 3000));
      if (wrongUrl && wrongUrl.code === 'url_scheme_mismatch') return { error: wrongUrl, notReached: true, transient: false };
      return this.networkFailure(err, method);
    }
    const where = `Jeedom at ${this.displayUrl}`;
    if (status === 404) {
      return {
        error: new ConfigError(
          `${where} answered HTTP 404: check JEELINKY_JEEDOM_URL (the box's address, e.g. http://192.168.1.20)`,
          'jeedom_url',
        ),
        notReached: false,
        transient: false,
      };
    }
    if (status === 401 || status === 403) {
      return {
        error: new JeedomAuthError(
          `${where} answered HTTP ${status} (a proxy in front of Jeedom refused the request): check JEELINKY_JEEDOM_URL`,
          0,
        ),
        notReached: false,
        transient: false,
      };
    }
    if (status >= 300 && status < 400) {
      return {
        error: new ConfigError(
          `${where} redirects (HTTP ${status}): give the final URL in JEELINKY_JEEDOM_URL (https:// instead of http://?)`,
          'jeedom_url',
        ),
        notReached: false,
        transient: false,
      };
    }
    if (status >= 500 || status === 429) {
      return {
        error: new JeedomUnavailableError(`${where} answered HTTP ${status} to ${method}: run again later`, 'jeedom_http_error'),
        notReached: false,
        transient: true,
      };
    }
    let envelope: Record<string, unknown>;
    try {
      envelope = asRecord(JSON.parse(text));
    } catch {
      const looksHtml = /^\s*</.test(text);
      return {
        error: new JeedomProtocolError(
          `${where} did not answer JSON-RPC to ${method} (${looksHtml ? 'an HTML page' : 'not JSON'}, HTTP ${status}): check JEELINKY_JEEDOM_URL points to the Jeedom box itself`,
        ),
        notReached: false,
        transient: true,
      };
    }
    if ('error' in envelope && envelope.error) {
      return { error: this.rpcError(method, asRecord(envelope.error)), notReached: false, transient: false };
    }
    if (!('result' in envelope)) {
      return {
        error: new JeedomProtocolError(`${where} answered ${method} without result nor error: is this a Jeedom box?`),
        notReached: false,
        transient: true,
      };
    }
    return { result: envelope.result };
  }

  private networkFailure(err: unknown, method: string): AttemptFailure {
    const e = err as { code?: string; message?: string };
    const code = String(e?.code ?? '');
    const where = `Jeedom at ${this.displayUrl}`;
    if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(e?.message ?? '')) {
      return {
        error: new JeedomUnavailableError(`${where} did not answer ${method} in time: run again later`, 'jeedom_timeout'),
        notReached: false,
        transient: true,
      };
    }
    if (TLS_CODES.test(code)) {
      return {
        error: new ConfigError(
          `${where}: TLS certificate not trusted (${code}); jeelinky never turns verification off: use http:// in JEELINKY_JEEDOM_URL on the local network or add the box's CA with NODE_EXTRA_CA_CERTS`,
          'jeedom_tls',
        ),
        notReached: true,
        transient: false,
      };
    }
    if (NOT_REACHED_CODES.has(code)) {
      return {
        error: new JeedomUnavailableError(`${where} is unreachable (${code}): is the box up? Run again later`),
        notReached: true,
        transient: true,
      };
    }
    return {
      error: new JeedomUnavailableError(
        `${where} failed during ${method} (${code || this.redact(String(e?.message ?? 'network error'))}): run again later`,
      ),
      notReached: false,
      transient: true,
    };
  }

  private rpcError(method: string, error: Record<string, unknown>): Error {
    const code = Number(error.code);
    const message = this.redact(String(error.message ?? '')).slice(0, 300);
    const where = `Jeedom at ${this.displayUrl}`;
    switch (code) {
      case JeedomRpcCode.BAD_APIKEY:
        return new JeedomAuthError(
          `${where} refused the API key: copy the core key from Réglages → Système → Configuration → API into JEELINKY_JEEDOM_APIKEY`,
          code,
        );
      case JeedomRpcCode.INVALID_REQUEST:
        if (/autoris/i.test(message)) {
          return new JeedomAuthError(`${where} got no API key: set JEELINKY_JEEDOM_APIKEY`, code);
        }
        return new JeedomRpcError(
          `${where} rejected the request for ${method} as invalid JSON-RPC (${message}): this is a jeelinky bug, please report it`,
          code,
          method,
        );
      case JeedomRpcCode.UNKNOWN_METHOD:
        return new JeedomMethodError(
          `${where} does not know the method ${method}: jeelinky needs Jeedom 4.0 or later and the core API key (not a plugin key)`,
        );
      case JeedomRpcCode.OBJECT_NOT_FOUND:
      case JeedomRpcCode.EQLOGIC_NOT_FOUND:
      case JeedomRpcCode.CMD_NOT_FOUND:
      case JeedomRpcCode.CMD_NOT_FOUND_EXEC:
      case JeedomRpcCode.SCENARIO_NOT_FOUND:
        if (/droit/i.test(message)) {
          return new JeedomAuthError(`${where} refused ${method}: the key's user lacks rights; use the core API key`, code);
        }
        return new JeedomNotFoundError(
          `${where}: ${method} failed: ${message} (it may have been deleted: run "jeelinky jeedom setup")`,
          code,
        );
      default:
        return new JeedomRpcError(`${where}: ${method} failed with code ${code}: ${message}`, code, method);
    }
  }

  // ------------------------------------------------------------------ typed methods
  async ping(): Promise<boolean> {
    return (await this.call('ping')) === 'pong';
  }

  async version(): Promise<string> {
    return String(await this.call('version'));
  }

  /** A core config value; `undefined` when unset (Jeedom answers "ok"). */
  async configByKey(key: string, plugin = 'core'): Promise<string | undefined> {
    const v = await this.call('config::byKey', { key, plugin });
    return v === 'ok' || v === '' || v === null || v === undefined ? undefined : String(v);
  }

  /** The box's own timezone (never assumed: reference §4), cached for the client's life. */
  timezone(): Promise<string> {
    this.tzPromise ??= this.configByKey('timezone').then((tz) => {
      const zone = tz ?? JEEDOM_DEFAULT_TZ;
      if (!moment.tz.zone(zone)) {
        throw new ConfigError(
          `Jeedom at ${this.displayUrl} has timezone "${zone}", which jeelinky does not know: set an IANA zone in Jeedom's configuration`,
          'jeedom_timezone',
        );
      }
      return zone;
    });
    this.tzPromise.catch(() => {
      this.tzPromise = undefined;
    });
    return this.tzPromise;
  }

  async objects(): Promise<JeedomObject[]> {
    return asArray(await this.call('jeeObject::all')).map(toObject);
  }

  async saveObject(fields: { id?: number; name: string }): Promise<JeedomObject> {
    return toObject(await this.call('jeeObject::save', fields));
  }

  async eqLogics(): Promise<JeedomEqLogic[]> {
    return asArray(await this.call('eqLogic::all')).map(toEqLogic);
  }

  async eqLogicsByType(type: string): Promise<JeedomEqLogic[]> {
    return asArray(await this.call('eqLogic::byType', { type })).map(toEqLogic);
  }

  async eqLogicById(id: number): Promise<JeedomEqLogic> {
    return toEqLogic(await this.call('eqLogic::byId', { id }));
  }

  /**
   * `eqLogic::save`. Dangerous by design (reference §2): without `id` it creates a new device even
   * when one exists; with `cmd` it deletes every command missing from the list, history included.
   * Callers in jeelinky only send `cmd` when creating a device.
   */
  async saveEqLogic(fields: Record<string, unknown>): Promise<JeedomEqLogic> {
    return toEqLogic(await this.call('eqLogic::save', { eqType_name: this.eqType, ...fields }));
  }

  async cmdsByEqLogic(eqLogicId: number): Promise<JeedomCmd[]> {
    return asArray(await this.call('cmd::byEqLogicId', { eqLogic_id: eqLogicId })).map(toCmd);
  }

  async cmdById(id: number): Promise<JeedomCmd> {
    return toCmd(await this.call('cmd::byId', { id }));
  }

  /** `cmd::save`: with `id` updates (configuration keys merge, null removes); without, creates. */
  async saveCmd(fields: Record<string, unknown>): Promise<JeedomCmd> {
    return toCmd(await this.call('cmd::save', fields));
  }

  /** Current values (cache) of info commands, by id. */
  async currentValues(ids: number[]): Promise<Map<number, JeedomCurrentValue>> {
    const out = new Map<number, JeedomCurrentValue>();
    if (ids.length === 0) return out;
    const res = asRecord(await this.call('cmd::execCmd', { id: ids }));
    for (const [k, v] of Object.entries(res)) {
      const r = asRecord(v);
      out.set(Number(k), { value: r.value, collectDate: String(r.collectDate ?? '') });
    }
    return out;
  }

  /**
   * `cmd::event`. `datetime` must be `YYYY-MM-DD HH:MM:SS` in the box's timezone (an ISO string with
   * offset fails after changing the current value; an epoch is stored as garbage): enforced here.
   */
  async event(id: number, value: string | number, datetime?: string): Promise<void> {
    if (datetime !== undefined && !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(datetime)) {
      throw new ConfigError(
        `refusing to send datetime "${datetime}" to Jeedom: it must be YYYY-MM-DD HH:MM:SS in the box's timezone`,
        'jeedom_datetime',
      );
    }
    await this.call('cmd::event', datetime === undefined ? { id, value } : { id, value, datetime });
  }

  /**
   * Whether the box has the Jeedom plugin jeelinky and its batch history method, asked once per
   * client with `jeelinky::version` (params.plugin = "jeelinky"). Without the plugin Jeedom answers
   * "Aucune méthode correspondante" (code 500): undefined, the writer falls back to cmd::event.
   */
  batchSupport(): Promise<JeedomBatchSupport | undefined> {
    this.batchPromise ??= this.call('jeelinky::version', { plugin: JEEDOM_PLUGIN_ID }).then(
      (raw) => {
        const r = asRecord(raw);
        const api = num(r.api);
        const maxPoints = num(r.maxPoints);
        return api >= 1 && maxPoints > 0 ? { api, maxPoints } : undefined;
      },
      (err: unknown) => {
        if (err instanceof JeedomMethodError) return undefined;
        throw err;
      },
    );
    this.batchPromise.catch(() => {
      this.batchPromise = undefined;
    });
    return this.batchPromise;
  }

  /**
   * `jeelinky::writeHistory`: the history rows one cmd::event per point would write, in one request
   * (REPLACE on (cmd, datetime): safe to repeat). `current` sets those commands' current values
   * afterwards without a history row. Answers how many rows were written.
   */
  async writeHistory(
    points: JeedomBatchPoint[],
    current: JeedomBatchPoint[] = [],
  ): Promise<{ written: number; dropped: number; current: number }> {
    for (const p of [...points, ...current]) {
      if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(p.datetime)) {
        throw new ConfigError(
          `refusing to send datetime "${p.datetime}" to Jeedom: it must be YYYY-MM-DD HH:MM:SS in the box's timezone`,
          'jeedom_datetime',
        );
      }
    }
    const r = asRecord(
      await this.call('jeelinky::writeHistory', { plugin: JEEDOM_PLUGIN_ID, points, ...(current.length ? { current } : {}) }),
    );
    return { written: num(r.written), dropped: num(r.dropped), current: num(r.current) };
  }

  async history(id: number, startTime?: string, endTime?: string): Promise<JeedomHistoryRow[]> {
    const params: Record<string, unknown> = { id };
    if (startTime !== undefined) params.startTime = startTime;
    if (endTime !== undefined) params.endTime = endTime;
    return asArray(await this.call('cmd::getHistory', params)).map((raw) => {
      const r = asRecord(raw);
      return { cmd_id: num(r.cmd_id), datetime: String(r.datetime ?? ''), value: String(r.value ?? '') };
    });
  }

  async statistique(id: number, startTime: string, endTime: string): Promise<JeedomStatistique> {
    const r = asRecord(await this.call('cmd::getStatistique', { id, startTime, endTime }));
    const s = (v: unknown) => (v === null || v === undefined ? null : String(v));
    const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
    const out: JeedomStatistique = {
      avg: s(r.avg),
      min: s(r.min),
      max: s(r.max),
      sum: s(r.sum),
      count: num(r.count),
      std: n(r.std),
      variance: n(r.variance),
    };
    if (r.last !== undefined && r.last !== null) out.last = String(r.last);
    return out;
  }
}
