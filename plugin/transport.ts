/**
 * The one place that tells a wrong URL setting from a temporary network failure, for every client
 * (Enedis proxy, Jeedom, InfluxDB, MQTT):
 * - a TLS URL (https://, mqtts) on a plain port: the peer's first bytes are not TLS (OpenSSL says
 *   "wrong version number") or it drops the connection; a plain URL on a TLS port: the server
 *   resets, hangs or sends a TLS alert that no HTTP parser reads. Resets and hangs happen for other
 *   reasons too, so those are confirmed by one small probe of the port (bounded in time) before
 *   the setting is blamed;
 * - a certificate that cannot be verified (self-signed, unknown CA, other host name).
 * Both need a person to change a setting (exit 78), retrying cannot help. TLS verification is
 * never turned off: the probes only look at what the port speaks, and send no request or secret.
 */
import net from 'node:net';
import tls from 'node:tls';
import { ConfigError } from './errors.js';

export type TransportProblem =
  /** The URL says TLS, the port speaks plain text: use http:// (or the TLS port). */
  | 'plain_port'
  /** The URL says plain text, the port speaks TLS: use https://. */
  | 'tls_port'
  /** The server's certificate cannot be verified. */
  | 'untrusted_certificate';

export interface Endpoint {
  host: string;
  port: number;
  tls: boolean;
  /** What the port is expected to speak, to confirm a plain port by its own greeting. */
  protocol: 'http' | 'mqtt';
}

const CERTIFICATE_CODES =
  /^(CERT_|ERR_TLS_CERT_ALTNAME_INVALID|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(VERIFY_LEAF_SIGNATURE|GET_ISSUER_CERT|GET_ISSUER_CERT_LOCALLY|DECRYPT_CERT_SIGNATURE)|INVALID_CA|HOSTNAME_MISMATCH)/;
/** OpenSSL's words for "the peer's bytes are not a TLS record". */
const NOT_TLS_TEXT = /wrong version number|packet length too long|unknown protocol|record layer failure|http request/i;
/** What a failed exchange looks like when the other side does not speak the URL's protocol. */
const AMBIGUOUS_CODES = new Set([
  'ECONNRESET',
  'ECONNCLOSED',
  'EPIPE',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'UND_ERR_SOCKET',
  'ERR_SOCKET_CLOSED',
]);
const AMBIGUOUS_TEXT = /socket hang up|disconnected before secure TLS|closed before|Parse Error|other side closed|timeout|Expected HTTP/i;

/** Codes and messages of an error and its causes (axios, undici and mqtt.js nest them). */
function facts(error: unknown): { codes: string[]; text: string } {
  const codes: string[] = [];
  const texts: string[] = [];
  let e = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    if (typeof e.code === 'string') codes.push(e.code);
    if (typeof e.message === 'string') texts.push(e.message);
    e = e.cause as typeof e;
  }
  return { codes, text: texts.join(' | ') };
}

/** The certificate error code when `error` is a certificate that could not be verified. */
export function certificateProblem(error: unknown): string | undefined {
  return facts(error).codes.find((c) => CERTIFICATE_CODES.test(c));
}

/**
 * What `error` says about the endpoint's settings, or undefined for an ordinary failure (server
 * down, refused, slow): those stay temporary. May probe the port once, within `probeTimeoutMs`.
 */
export async function transportProblem(ep: Endpoint, error: unknown, probeTimeoutMs = 3000): Promise<TransportProblem | undefined> {
  if (certificateProblem(error)) return 'untrusted_certificate';
  const { codes, text } = facts(error);
  if (ep.tls) {
    if (codes.some((c) => c === 'EPROTO' || c === 'ERR_SSL_WRONG_VERSION_NUMBER' || c.startsWith('ERR_SSL_')) && NOT_TLS_TEXT.test(text))
      return 'plain_port';
    if (codes.some((c) => AMBIGUOUS_CODES.has(c) || c === 'EPROTO') || AMBIGUOUS_TEXT.test(text)) {
      return (await speaksPlain(ep, probeTimeoutMs)) ? 'plain_port' : undefined;
    }
    return undefined;
  }
  if (codes.some((c) => AMBIGUOUS_CODES.has(c) || c.startsWith('HPE_')) || AMBIGUOUS_TEXT.test(text)) {
    return (await speaksTls(ep, probeTimeoutMs)) ? 'tls_port' : undefined;
  }
  return undefined;
}

/** True when a TLS handshake with the port gets as far as a certificate (trusted or not). */
export function speaksTls(ep: Pick<Endpoint, 'host' | 'port'>, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const servername = net.isIP(ep.host) ? undefined : ep.host;
    const socket = tls.connect({ host: ep.host, port: ep.port, servername, rejectUnauthorized: true });
    const done = (yes: boolean) => (clearTimeout(timer), socket.destroy(), resolve(yes));
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('secureConnect', () => done(true));
    socket.once('error', (e) => done(certificateProblem(e) !== undefined));
    socket.once('close', () => done(false));
  });
}

/** True when the port answers the protocol in clear: an HTTP status line, or an MQTT CONNACK. */
export function speaksPlain(ep: Pick<Endpoint, 'host' | 'port' | 'protocol'>, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(ep.port, ep.host);
    let got = Buffer.alloc(0);
    const done = (yes: boolean) => (clearTimeout(timer), socket.destroy(), resolve(yes));
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => {
      if (ep.protocol === 'http') socket.write(`HEAD / HTTP/1.0\r\nHost: ${ep.host}\r\n\r\n`);
      // CONNECT, MQTT 3.1.1, clean session, keep-alive 10 s, client id "jeelinky-probe": any broker answers a CONNACK (0x20), even
      // one that refuses it.
      else socket.write(Buffer.from([0x10, 26, 0, 4, ...Buffer.from('MQTT'), 4, 2, 0, 10, 0, 14, ...Buffer.from('jeelinky-probe')]));
    });
    socket.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (ep.protocol === 'mqtt') done(got[0] === 0x20);
      else if (got.length >= 5) done(got.subarray(0, 5).toString('latin1') === 'HTTP/');
    });
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

/** The endpoint of an http(s) URL. */
export function httpEndpoint(url: string | URL): Endpoint {
  const u = typeof url === 'string' ? new URL(url) : url;
  const tlsUrl = u.protocol === 'https:';
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port) || (tlsUrl ? 443 : 80), tls: tlsUrl, protocol: 'http' };
}

/**
 * The one-line error for an http(s) URL setting that cannot work as written, or undefined when
 * `error` is an ordinary (temporary) failure. `setting` names what to fix, e.g. JEELINKY_JEEDOM_URL.
 */
export async function urlSettingError(
  url: string,
  setting: string,
  error: unknown,
  probeTimeoutMs = 3000,
): Promise<ConfigError | undefined> {
  const ep = httpEndpoint(url);
  const problem = await transportProblem(ep, error, probeTimeoutMs);
  if (!problem) return undefined;
  const origin = new URL(url).origin;
  return urlProblemError(problem, setting, origin, certificateProblem(error));
}

export function urlProblemError(problem: TransportProblem, setting: string, origin: string, certCode?: string): ConfigError {
  switch (problem) {
    case 'plain_port':
      return new ConfigError(
        `${setting}: ${origin} answers plain HTTP, not HTTPS: write http:// instead of https:// (or give the server's HTTPS port)`,
        'url_scheme_mismatch',
      );
    case 'tls_port':
      return new ConfigError(
        `${setting}: ${origin} speaks HTTPS (TLS), not plain HTTP: write https:// instead of http://`,
        'url_scheme_mismatch',
      );
    case 'untrusted_certificate':
      return new ConfigError(
        `${setting}: the TLS certificate of ${origin} cannot be verified (${certCode ?? 'untrusted'}); verification is never turned off: trust its CA with NODE_EXTRA_CA_CERTS=/path/to/ca.pem (or use the host name the certificate names)`,
        'tls_untrusted',
      );
  }
}
