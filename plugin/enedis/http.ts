/**
 * HTTP transport to the proxy: axios with TLS verification on (never turned off), pacing under the
 * proxy's per-IP limit, bounded retries with backoff for what is safe to repeat, and answers parsed
 * without trusting the status code (the proxy relayed errors with HTTP 200 until 2024).
 */
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { ProtocolError, TemporaryError, throwIfInterrupted, whenInterrupted } from '../errors.js';
import { durability } from '../probe.js';
import { urlSettingError } from '../transport.js';

export interface RawAnswer {
  status: number;
  /** Parsed JSON body, or undefined when the body was not JSON (see `format`). */
  body: unknown;
  format: 'json' | 'html' | 'empty' | 'text';
  /** The first bytes of a non-JSON body, for messages (never a token: requests carry them, answers don't). */
  snippet: string;
  headers: Record<string, string>;
}

export interface OutgoingCall {
  method: 'GET' | 'POST';
  url: string;
  query?: Record<string, string>;
}

export interface HttpOptions {
  userAgent: string;
  timeoutMs: number;
  /** Least time between the starts of two calls, in ms. */
  paceMs: number;
  /** Backoff base for retries: waits base, 4×base, 16×base... */
  retryBaseMs: number;
  maxRetries?: number;
  /**
   * Told about every request just before it leaves, retries included: call budgets count it
   * then, so that a crash right after can never lose a call that reached the API. Throwing stops
   * the request (budget spent).
   */
  beforeSend?: (call: OutgoingCall) => void | Promise<void>;
  sleep?: (ms: number) => Promise<void>;
  /** SIGINT/SIGTERM: aborts the call in flight and any wait (InterruptedError). */
  signal?: AbortSignal;
  /** The setting a URL comes from (JEELINKY_AUTH_URL, JEELINKY_API_URL), named when it cannot work as written. */
  urlSetting?: (url: string) => string;
}

export interface RequestOptions {
  /** Repeat on network errors and 5xx: only for calls that are safe to repeat. */
  retry: boolean;
  headers?: Record<string, string>;
}

const RETRIABLE_NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ERR_BAD_RESPONSE',
  'ENETUNREACH',
]);

export class ProxyHttp {
  private readonly axios: AxiosInstance;
  private lastCallAt = 0;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: HttpOptions) {
    this.axios = axios.create({
      timeout: options.timeoutMs,
      // Status and body are classified by us: the proxy's status is not reliable.
      validateStatus: () => true,
      responseType: 'text',
      transformResponse: (data: unknown) => data,
      maxRedirects: 5,
      // A 7-day curve is ~50 kB: anything near this is not an Enedis answer.
      maxContentLength: 20 * 2 ** 20,
      headers: { 'User-Agent': options.userAgent, Accept: 'application/json' },
    });
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  postForm(url: string, form: Record<string, string>, opts: RequestOptions): Promise<RawAnswer> {
    return this.request({ method: 'POST', url }, opts, () =>
      this.axios.post(url, new URLSearchParams(form).toString(), {
        signal: this.options.signal,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...opts.headers },
      }),
    );
  }

  get(url: string, query: Record<string, string>, opts: RequestOptions): Promise<RawAnswer> {
    return this.request({ method: 'GET', url, query }, opts, () =>
      this.axios.get(url, { params: query, headers: opts.headers, signal: this.options.signal }),
    );
  }

  /** Waits so that two calls start at least paceMs apart. */
  private async pace(): Promise<void> {
    const wait = this.lastCallAt + this.options.paceMs - Date.now();
    if (wait > 0) await this.pause(wait);
    this.lastCallAt = Date.now();
  }

  /** A wait that a signal cuts short (InterruptedError). */
  private async pause(ms: number): Promise<void> {
    const stop = whenInterrupted(this.options.signal, 'between two Enedis calls');
    try {
      await Promise.race([this.sleep(ms), stop.promise]);
    } finally {
      stop.done();
    }
  }

  private async request(call: OutgoingCall, opts: RequestOptions, send: () => Promise<AxiosResponse<string>>): Promise<RawAnswer> {
    const maxRetries = opts.retry ? (this.options.maxRetries ?? 2) : 0;
    const where = new URL(call.url).host;
    for (let attempt = 0; ; attempt++) {
      await this.pace();
      throwIfInterrupted(this.options.signal, 'between two Enedis calls');
      await this.options.beforeSend?.(call);
      let response: AxiosResponse<string>;
      try {
        response = await send();
      } catch (e) {
        // Aborted by SIGINT/SIGTERM: not a network failure, and never retried.
        throwIfInterrupted(this.options.signal, `${where} call aborted`);
        const code = (e as { code?: string }).code ?? 'ERR';
        if (/maxContentLength/i.test((e as Error).message ?? '')) {
          throw new ProtocolError(
            `${where}: the answer is larger than 20 MB, which no Enedis answer is; run again later`,
            'answer_too_large',
            retryIn(3600),
          );
        }
        // https:// on a plain port (or the reverse), an untrusted certificate: a setting to fix, never retried.
        const wrongUrl = await urlSettingError(
          call.url,
          this.options.urlSetting?.(call.url) ?? 'the URL',
          e,
          Math.min(this.options.timeoutMs, 3000),
        );
        if (wrongUrl) throw wrongUrl;
        // A refused connection never reached the server: always safe to try again.
        const retriable = RETRIABLE_NETWORK.has(code) && (opts.retry || code === 'ECONNREFUSED');
        if (retriable && attempt < (opts.retry ? maxRetries : 2)) {
          await this.pause(this.options.retryBaseMs * 4 ** attempt);
          continue;
        }
        const what =
          code === 'ECONNABORTED' || code === 'ETIMEDOUT'
            ? `no answer within ${Math.round(this.options.timeoutMs / 1000)} s`
            : `network error ${code}`;
        throw new TemporaryError(`${where}: ${what}; check the connection and run again later`, 'network_error', retryIn(3600));
      }
      durability.afterHttpResponse('enedis');
      const answer = toRawAnswer(response);
      if (response.status >= 500 && opts.retry && attempt < maxRetries) {
        await this.pause(this.options.retryBaseMs * 4 ** attempt);
        continue;
      }
      return answer;
    }
  }
}

export function retryIn(seconds: number, from = new Date()): Date {
  return new Date(from.getTime() + seconds * 1000);
}

function toRawAnswer(response: AxiosResponse<string>): RawAnswer {
  const text = typeof response.data === 'string' ? response.data : String(response.data ?? '');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(response.headers ?? {})) headers[k.toLowerCase()] = String(v);
  const trimmed = text.trim();
  const snippet = trimmed.replace(/\s+/g, ' ').slice(0, 80);
  if (!trimmed) return { status: response.status, body: undefined, format: 'empty', snippet, headers };
  try {
    return { status: response.status, body: JSON.parse(trimmed), format: 'json', snippet, headers };
  } catch {
    const html = /^<(!doctype|html|head|body|\?xml)/i.test(trimmed) || (headers['content-type'] ?? '').includes('html');
    return { status: response.status, body: undefined, format: html ? 'html' : 'text', snippet, headers };
  }
}

/** The error for an answer that is not JSON where JSON was due. */
export function notJsonError(answer: RawAnswer, what: string): ProtocolError {
  if (answer.format === 'html') {
    return new ProtocolError(
      `${what}: the server sent an HTML page (HTTP ${answer.status}) instead of JSON; it is probably down or under maintenance, run again later`,
      'html_answer',
      retryIn(3600),
    );
  }
  if (answer.format === 'empty') {
    return new ProtocolError(`${what}: empty answer (HTTP ${answer.status}); run again later`, 'empty_answer', retryIn(3600));
  }
  return new ProtocolError(
    `${what}: malformed JSON (HTTP ${answer.status}): "${answer.snippet}"; run again later`,
    'malformed_json',
    retryIn(3600),
  );
}
