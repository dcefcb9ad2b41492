/**
 * The proxy's device-code flow (RFC 8628 as the DomoticzLinky proxy implements it, docs/enedis-api.md §2):
 * device code, polling for tokens, refresh. Pure protocol: saving what comes back is the caller's
 * job (plugin/enedis/session.ts saves tokens before doing anything else with them).
 */
import { z } from 'zod';
import { JeelinkyError, ExitCode, PairingError, ProtocolError, TemporaryError } from '../errors.js';
import { notJsonError, retryIn, type ProxyHttp, type RawAnswer } from './http.js';

const deviceCodeSchema = z.object({
  device_code: z.string().min(1),
  user_code: z.string().min(1),
  verification_uri: z.string().min(1),
  verification_uri_complete: z.string().optional(),
  expires_in: z.coerce.number().positive(),
  interval: z.coerce.number().positive().optional(),
});

const tokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().min(1).optional(),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.coerce.number().positive().optional(),
  // Era B sends usage_points_id (one comma-separated string); Era A usage_point_id. Accept both.
  usage_points_id: z.string().optional(),
  usage_point_id: z.string().optional(),
  scope: z.string().optional(),
});
export type TokenAnswer = z.infer<typeof tokenSchema>;

const errorSchema = z.object({ error: z.string(), error_description: z.string().optional() });

export interface DeviceCode {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string;
  expiresInSeconds: number;
  intervalSeconds: number;
}

export type PollResult = { state: 'pending' } | { state: 'slow_down' } | { state: 'approved'; token: TokenAnswer };

export interface AuthEndpoint {
  baseUrl: string;
  clientId: string;
}

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** The answer's `{error, error_description}`, whatever the HTTP status (errors came with 200 too). */
export function proxyError(answer: RawAnswer): { error: string; description: string } | undefined {
  const parsed = errorSchema.safeParse(answer.body);
  return parsed.success ? { error: parsed.data.error, description: parsed.data.error_description ?? '' } : undefined;
}

/** Errors every proxy route can give (docs/enedis-api.md §2.6, §2.3): turned into typed errors. */
export function commonProxyFailure(answer: RawAnswer, what: string): JeelinkyError {
  if (answer.format !== 'json') return notJsonError(answer, what);
  const err = proxyError(answer);
  if (err?.error === 'version_mismatch') {
    return new JeelinkyError(
      `${what}: the proxy refuses this client version ("${err.description}"); set JEELINKY_USER_AGENT to a newer "<name>/<version>" or update jeelinky`,
      { code: 'version_mismatch', exitCode: ExitCode.ACTION_NEEDED },
    );
  }
  if (err?.error === 'slow_down') {
    return new TemporaryError(
      `${what}: the proxy asks to slow down (too many calls this minute); run again in a minute`,
      'proxy_slow_down',
      retryIn(60),
    );
  }
  if (answer.status >= 500) {
    return new TemporaryError(
      `${what}: the proxy answered HTTP ${answer.status}${err ? ` (${err.error})` : ''}; run again later`,
      'proxy_unavailable',
      retryIn(3600),
    );
  }
  if (err?.error === 'invalid_request' && /client_id/i.test(err.description)) {
    return new JeelinkyError(`${what}: the proxy refuses the client id ("${err.description}"); check JEELINKY_CLIENT_ID or unset it`, {
      code: 'bad_client_id',
      exitCode: ExitCode.ACTION_NEEDED,
    });
  }
  return new ProtocolError(
    `${what}: unexpected answer (HTTP ${answer.status}${err ? `, ${err.error}${err.description ? `: ${err.description}` : ''}` : ''}); run again later`,
    'unexpected_answer',
    retryIn(3600),
  );
}

export async function requestDeviceCode(http: ProxyHttp, ep: AuthEndpoint): Promise<DeviceCode> {
  const answer = await http.postForm(`${ep.baseUrl}/device/code`, { client_id: ep.clientId }, { retry: true });
  const parsed = deviceCodeSchema.safeParse(answer.body);
  if (answer.status !== 200 || !parsed.success || proxyError(answer)) {
    throw commonProxyFailure(answer, 'device code request');
  }
  const d = parsed.data;
  // The proxy sends no verification_uri_complete: the page takes ?code=<user_code> (docs/enedis-api.md §2.1).
  const complete =
    d.verification_uri_complete ??
    `${d.verification_uri}${d.verification_uri.includes('?') ? '&' : '?'}code=${encodeURIComponent(d.user_code)}`;
  return {
    deviceCode: d.device_code,
    userCode: d.user_code,
    verificationUri: d.verification_uri,
    verificationUriComplete: complete,
    expiresInSeconds: d.expires_in,
    intervalSeconds: d.interval ?? 5,
  };
}

/** One poll of the token endpoint for a device code. */
export async function pollDeviceToken(http: ProxyHttp, ep: AuthEndpoint, deviceCode: string): Promise<PollResult> {
  const answer = await http.postForm(
    `${ep.baseUrl}/device/token`,
    { client_id: ep.clientId, grant_type: DEVICE_CODE_GRANT, device_code: deviceCode },
    { retry: false },
  );
  const err = proxyError(answer);
  if (!err && answer.status === 200) {
    const parsed = tokenSchema.safeParse(answer.body);
    if (parsed.success) return { state: 'approved', token: parsed.data };
    throw new ProtocolError(
      'token answer: the proxy sent a token answer of an unexpected shape; start pairing again with --code',
      'bad_token_answer',
    );
  }
  switch (err?.error) {
    case 'authorization_pending':
      return { state: 'pending' };
    case 'slow_down':
      return { state: 'slow_down' };
    case 'invalid_grant':
    case 'expired_token':
    case 'access_denied':
      // The proxy says invalid_grant for an expired, refused or already collected code (docs/enedis-api.md §2.3).
      throw new PairingError(
        'the proxy no longer knows this device code (expired after 5 minutes, refused, or its tokens were already collected): start pairing again with "jeelinky run --code" or "jeelinky pair"',
        'device_code_invalid',
      );
    default:
      throw commonProxyFailure(answer, 'token request');
  }
}

/** Refresh grant on /device/token (Era B): the usage-point list must be the string first received. */
export async function refreshAccessToken(
  http: ProxyHttp,
  ep: AuthEndpoint,
  refreshToken: string,
  usagePointsId: string,
): Promise<TokenAnswer> {
  const answer = await http.postForm(
    `${ep.baseUrl}/device/token`,
    { grant_type: 'refresh_token', client_id: ep.clientId, usage_points_id: usagePointsId, refresh_token: refreshToken },
    { retry: false },
  );
  const err = proxyError(answer);
  if (!err && answer.status === 200) {
    const parsed = tokenSchema.safeParse(answer.body);
    if (parsed.success) return parsed.data;
    throw new ProtocolError(
      'token refresh: the proxy sent a token answer of an unexpected shape; run again later',
      'bad_token_answer',
      retryIn(3600),
    );
  }
  if (
    err &&
    (err.error === 'invalid_grant' || (err.error === 'invalid_request' && /refresh_token|usage_points_id/i.test(err.description)))
  ) {
    throw new PairingError(
      `the proxy refuses the refresh token ("${err.description || err.error}"): the consent must be given again with "jeelinky pair"`,
      'refresh_refused',
    );
  }
  throw commonProxyFailure(answer, 'token refresh');
}
