/**
 * A paired account as one object: the proxy's protocol (auth.ts, metering.ts) plus the durable
 * state. The rule it enforces: every answer carrying tokens is saved before anything else is done
 * with it, so that a crash can never lose a refresh token the proxy handed out.
 */
import type { JeelinkyConfig } from '../config.js';
import { PairingError, TemporaryError, whenInterrupted } from '../errors.js';
import type { ReadingKind } from '../readings.js';
import { CallCounter } from '../store/budget.js';
import type { StateStore } from '../store/state.js';
import { TokenState, type Pairing, type Tokens } from '../store/tokens.js';
import { addDays, dayStart, localDay } from '../time/local.js';
import { pollDeviceToken, refreshAccessToken, requestDeviceCode, type AuthEndpoint, type TokenAnswer } from './auth.js';
import { ProxyHttp, retryIn, type RawAnswer } from './http.js';
import { classifyMeteringAnswer, ROUTES, type MeteringOutcome } from './metering.js';
import { resolveUsagePoint } from '../usage-point.js';

/** Refresh when the access token expires within this margin (or its expiry is unknown). */
export const REFRESH_MARGIN_MS = 5 * 60_000;
/** Pauses of 1, 2, 3 s when Enedis' per-second quota (Q3) answers 429. */
const Q3_RETRIES = 3;

export interface SessionOptions {
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** SIGINT/SIGTERM: aborts the call in flight and every wait (InterruptedError). */
  signal?: AbortSignal;
}

/** The day's call budget for this PDL is spent: the run stops cleanly and continues tomorrow. */
export class BudgetSpentError extends TemporaryError {
  constructor(budget: number, retryAt: Date) {
    super(
      `the daily budget of ${budget} metering calls for this PDL is spent (JEELINKY_DAILY_CALL_BUDGET); the next run after midnight continues where this one stopped`,
      'budget_spent',
      retryAt,
    );
  }
}

function nextLocalMidnight(now: Date, tz: string): Date {
  return dayStart(addDays(localDay(now, tz), 1), tz).toDate();
}

export type PollOutcome = { state: 'pending' } | { state: 'slow_down' } | { state: 'approved'; tokens: Tokens };

export class LinkySession {
  readonly tokens: TokenState;
  readonly calls: CallCounter;
  readonly http: ProxyHttp;
  readonly now: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly auth: AuthEndpoint;
  private readonly signal?: AbortSignal;

  constructor(
    readonly config: JeelinkyConfig,
    readonly store: StateStore,
    options: SessionOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.signal = options.signal;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.tokens = new TokenState(store);
    this.calls = new CallCounter(store);
    this.auth = { baseUrl: config.authUrl, clientId: config.clientId };
    this.http = new ProxyHttp({
      userAgent: config.userAgent,
      timeoutMs: config.timeoutMs,
      paceMs: config.paceMs,
      retryBaseMs: config.retryBaseMs,
      sleep: options.sleep,
      signal: options.signal,
      // The API URL defaults to the auth URL: when they are the same, either may be the one to fix.
      urlSetting: (url) =>
        !url.includes('/data/proxy/')
          ? 'JEELINKY_AUTH_URL'
          : config.apiUrl === config.authUrl
            ? 'JEELINKY_AUTH_URL / JEELINKY_API_URL'
            : 'JEELINKY_API_URL',
      beforeSend: async (call) => {
        // Counted before the request leaves, on the session's clock: a crash right after can
        // never lose a call that reached the API, and a spent budget stops the call here.
        const day = localDay(this.now(), config.tz);
        const pdl = call.query?.usage_point_id;
        if (!call.url.includes('/data/proxy/')) {
          await this.calls.record(day, 'auth');
          return;
        }
        const counts = await this.calls.get(day);
        const used = pdl ? (counts.perUsagePoint[pdl] ?? 0) : counts.metering;
        if (config.dailyCallBudget > 0 && used >= config.dailyCallBudget) {
          throw new BudgetSpentError(config.dailyCallBudget, nextLocalMidnight(this.now(), config.tz));
        }
        await this.calls.record(day, 'metering', pdl);
      },
    });
  }

  /** Step `code`: asks the proxy for a device code and keeps it for `firstConnexion`. */
  async startPairing(): Promise<Pairing> {
    const d = await requestDeviceCode(this.http, this.auth);
    const now = this.now();
    const pairing: Pairing = {
      deviceCode: d.deviceCode,
      userCode: d.userCode,
      verificationUri: d.verificationUri,
      verificationUriComplete: d.verificationUriComplete,
      expiresAt: new Date(now.getTime() + d.expiresInSeconds * 1000).toISOString(),
      intervalSeconds: d.intervalSeconds,
      requestedAt: now.toISOString(),
    };
    await this.tokens.savePairing(pairing);
    return pairing;
  }

  /** One poll of the token endpoint for the saved device code. */
  async pollOnce(pairing: Pairing): Promise<PollOutcome> {
    const result = await pollDeviceToken(this.http, this.auth, pairing.deviceCode);
    if (result.state !== 'approved') return result;
    // The proxy hands the tokens out once: save them before anything else.
    const tokens = this.tokensFromFirstAnswer(result.token);
    await this.tokens.saveTokens(tokens);
    await this.tokens.clearPairing();
    return { state: 'approved', tokens };
  }

  private tokensFromFirstAnswer(t: TokenAnswer): Tokens {
    const now = this.now();
    const usagePointsId = t.usage_points_id ?? t.usage_point_id ?? '';
    if (!t.refresh_token) {
      throw new PairingError('the proxy sent tokens without a refresh token: start pairing again with "jeelinky pair"', 'no_refresh_token');
    }
    return {
      accessToken: t.access_token,
      tokenType: t.token_type ?? 'Bearer',
      refreshToken: t.refresh_token,
      accessTokenExpiresAt: t.expires_in ? new Date(now.getTime() + t.expires_in * 1000).toISOString() : undefined,
      usagePointsId,
      usagePoints: usagePointsId
        .split(/[,;]/)
        .map((s) => s.trim())
        .filter(Boolean),
      obtainedAt: now.toISOString(),
      rotations: 0,
    };
  }

  async requireTokens(): Promise<Tokens> {
    const tokens = await this.tokens.getTokens();
    if (!tokens) {
      throw new PairingError(
        'jeelinky is not paired yet: run "jeelinky pair" (or "jeelinky run --code" then "--first-connexion")',
        'not_paired',
      );
    }
    return tokens;
  }

  /** Step `refresh`: renews the access token; a rotated refresh token is saved before anything else. */
  async refresh(): Promise<Tokens> {
    const old = await this.requireTokens();
    // A refresh may rotate the refresh token: never ask for one we could not save.
    await this.store.probeWritable();
    const answer = await refreshAccessToken(this.http, this.auth, old.refreshToken, old.usagePointsId);
    const now = this.now();
    const rotated = answer.refresh_token !== undefined && answer.refresh_token !== old.refreshToken;
    const tokens: Tokens = {
      ...old,
      accessToken: answer.access_token,
      tokenType: answer.token_type ?? old.tokenType,
      refreshToken: answer.refresh_token ?? old.refreshToken,
      accessTokenExpiresAt: answer.expires_in ? new Date(now.getTime() + answer.expires_in * 1000).toISOString() : undefined,
      refreshedAt: now.toISOString(),
      rotations: old.rotations + (rotated ? 1 : 0),
      // The refresh answer carries no usage_points_id (Era B): keep the list first received,
      // never erase it as the forum scenario did (docs/origins.md §7).
    };
    await this.tokens.saveTokens(tokens);
    return tokens;
  }

  /** True when the access token expires within the margin, or nobody knows when it expires. */
  needsRefresh(tokens: Tokens): boolean {
    if (!tokens.accessTokenExpiresAt) return true;
    return Date.parse(tokens.accessTokenExpiresAt) - this.now().getTime() <= REFRESH_MARGIN_MS;
  }

  async freshTokens(): Promise<{ tokens: Tokens; refreshed: boolean }> {
    const tokens = await this.requireTokens();
    if (!this.needsRefresh(tokens)) return { tokens, refreshed: false };
    return { tokens: await this.refresh(), refreshed: true };
  }

  /** The PDL to use: the configured one (which must be in the consent) or the only one. */
  usagePointOf(tokens: Tokens): string {
    return resolveUsagePoint(this.config.usagePoint, tokens.usagePoints);
  }

  /**
   * One metering call for [startDay; endDay[. When the proxy no longer knows the access token,
   * refreshes once and tries once more (docs/enedis-api.md §6.2).
   */
  async fetchMetering(kind: ReadingKind, usagePoint: string, startDay: string, endDay: string): Promise<MeteringOutcome> {
    return this.authorizedGet(ROUTES[kind].path, { start: startDay, end: endDay, usage_point_id: usagePoint }, (answer) =>
      classifyMeteringAnswer(answer, kind, usagePoint, this.config.tz, this.now(), { start: startDay, end: endDay }),
    );
  }

  /**
   * One authenticated GET on a `/data/proxy/...` route, with the rules every such call follows:
   * fresh tokens first; short pauses on Enedis' per-second quota (Q3); when `classify` says the
   * proxy no longer knows the access token, one refresh and one more try.
   */
  async authorizedGet<T>(
    path: string,
    query: Record<string, string>,
    classify: (answer: RawAnswer) => T | { kind: 'access_token_rejected' },
  ): Promise<T> {
    let { tokens } = await this.freshTokens();
    let tokenRetried = false;
    let q3Retries = 0;
    for (;;) {
      const answer = await this.http.get(`${this.config.apiUrl}${path}`, query, {
        retry: true,
        headers: { Authorization: `${tokens.tokenType} ${tokens.accessToken}` },
      });
      let outcome: T | { kind: 'access_token_rejected' };
      try {
        outcome = classify(answer);
      } catch (e) {
        // Quota Q3 is 5 calls a second for the whole application: a short pause clears it.
        if (e instanceof TemporaryError && e.code === 'enedis_quota_second' && q3Retries < Q3_RETRIES) {
          const stop = whenInterrupted(this.signal, 'between two Enedis calls');
          await Promise.race([this.sleep(1000 * ++q3Retries), stop.promise]).finally(stop.done);
          continue;
        }
        throw e;
      }
      if (!isTokenRejection(outcome)) return outcome;
      if (tokenRetried) {
        throw new TemporaryError(
          'the proxy refuses a freshly refreshed access token; run again later',
          'access_token_rejected',
          retryIn(3600, this.now()),
        );
      }
      tokenRetried = true;
      tokens = await this.refresh();
    }
  }
}

function isTokenRejection(outcome: unknown): outcome is { kind: 'access_token_rejected' } {
  return typeof outcome === 'object' && outcome !== null && (outcome as { kind?: unknown }).kind === 'access_token_rejected';
}
