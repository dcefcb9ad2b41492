/**
 * The transport to a Jeedom 4.x box: JSON-RPC over HTTP with axios (docs/jeedom-api.md). What
 * the answers mean is read by ./wire.ts; the typed methods are in ./client.ts.
 *
 * - One request per call: Jeedom has no batch requests. The envelope carries the API key, which never
 *   appears in errors (messages are built here and in ./wire.ts and redacted; axios errors are never
 *   attached).
 * - Retries are bounded and only for calls that are safe to repeat (reads, `cmd::event`,
 *   `datastore::save`, `cmd::save` with an id). A save without id is never retried: a second
 *   `eqLogic::save` without id duplicates the device. A request refused before it reached PHP
 *   (connection refused) is retried for every method, since nothing ran.
 * - TLS verification is never turned off; a private CA is trusted through NODE_EXTRA_CA_CERTS.
 */
import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import { ConfigError, interruptibleSleep, throwIfInterrupted } from '../errors.js';
import { durability } from '../probe.js';
import { redact } from '../secrets.js';
import { urlSettingError } from '../transport.js';
import { JeedomAuthError, JeedomUnavailableError } from './errors.js';
import { type AnswerContext, decodeAnswer } from './wire.js';

export const JEEDOM_API_SUFFIX = '/core/api/jeeApi.php';

export interface JeedomRpcOptions {
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
  /** SIGINT/SIGTERM: see JeedomRpc.signal. */
  signal?: AbortSignal;
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

export class JeedomRpc {
  readonly endpoint: string;
  readonly displayUrl: string;
  private readonly apikey: string;
  private readonly http: AxiosInstance;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly timeoutMs: number;
  private readonly agents: { http: http.Agent; https: https.Agent };
  private nextId = 1;
  /**
   * Set when the API key is a plugin's own key (JeedomClient with eqType `jeelinky`): every call then
   * carries `params.plugin` with that plugin's id, which Jeedom needs to accept the key.
   */
  protected pluginScope?: string;
  /** HTTP requests actually sent (attempts included). */
  requestCount = 0;
  /**
   * Once aborted (SIGINT/SIGTERM), the request in flight is aborted and every call throws
   * InterruptedError before sending anything. The sink sets it for each delivery.
   */
  signal?: AbortSignal;

  constructor(opts: JeedomRpcOptions) {
    this.endpoint = jeedomEndpoint(opts.url);
    this.displayUrl = displayUrl(this.endpoint);
    if (!opts.apikey?.trim()) {
      throw new ConfigError(
        'no Jeedom API key: set JEELINKY_JEEDOM_APIKEY or pass --jeedom-apikey (Réglages → Système → Configuration → API → "Clef API")',
        'jeedom_apikey',
      );
    }
    this.apikey = opts.apikey.trim();
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
    const scoped = this.pluginScope ? { ...params, plugin: this.pluginScope } : params;
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
    const context: AnswerContext = { where: `Jeedom at ${this.displayUrl}`, method, redact: (t) => this.redact(t) };
    const refused = httpFailure(status, context);
    if (refused) return refused;
    const answer = decodeAnswer(text, status, context);
    return 'error' in answer ? { ...answer, notReached: false } : answer;
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
}

/** The failure an HTTP status means before any JSON-RPC is read (a wrong URL, a proxy, a busy box), or undefined. */
function httpFailure(status: number, { where, method }: AnswerContext): AttemptFailure | undefined {
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
  return undefined;
}
