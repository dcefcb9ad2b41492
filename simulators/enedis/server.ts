/**
 * A faithful simulator of today's DomoticzLinky device-code proxy ("Era B") and of the Enedis v5
 * metering routes it relays (docs/enedis-api.md §2–§7, §9), as a real HTTP server on
 * 127.0.0.1. Shared by the tests, the benchmark and `jeelinky demo`, so it only uses node:http and
 * the package's runtime dependencies, and never prints.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomInt } from 'node:crypto';
import moment from 'moment-timezone';
import {
  DEFAULT_TZ,
  daysBetween,
  localDay,
  simulatedCurve,
  simulatedDaily,
  simulatedMaxPower,
  type Direction,
  type SimCurvePoint,
  type SimMaxPower,
} from './profile.js';
import { DEVICE_CODE_GRANT, PRODUCTION_CLIENT_ID, QUOTA_CONTENT_TYPE, VIA_HEADER, enedisErrors, proxyErrors } from './bodies.js';
import { userAgentAccepted } from './version.js';
import { customerBody } from './customers.js';
import {
  CUSTOMER_ROUTES,
  type EnedisSimulator,
  type EnedisSimulatorOptions,
  type FaultMatch,
  type IntervalItem,
  METERING_ROUTES,
  type RecordedCall,
  type SimFault,
  type SimKind,
  type SimKindAlias,
  type SimMeter,
} from './types.js';

interface DeviceEntry {
  deviceCode: string;
  userCode: string; // without hyphen
  expiresAt: number;
  status: 'pending' | 'complete';
  tokenResponse?: Record<string, unknown>;
  pendingPolls: number;
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Raw body (HTML, malformed JSON) instead of JSON. */
  raw?: string;
  /** Enedis' own body relayed as is; otherwise the proxy (PHP) encoded it. */
  relayed?: boolean;
}

const USER_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DEVICE_CODE_TTL_MS = 300_000;
const APPROVED_TTL_MS = 120_000;
const REFRESH_TTL_MS = 4 * 365 * 24 * 3600_000;
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

function normaliseKind(kind: SimKindAlias): SimKind {
  if (kind === 'max_power') return 'daily_consumption_max_power';
  if (kind === 'load_curve') return 'consumption_load_curve';
  return kind;
}

const isCurve = (k: SimKind) => k === 'consumption_load_curve' || k === 'production_load_curve';
const directionOf = (k: SimKind): Direction => (k === 'daily_production' || k === 'production_load_curve' ? 'production' : 'consumption');

function readingType(k: SimKind): Record<string, string> {
  if (isCurve(k)) return { measurement_kind: 'power', unit: 'W', aggregate: 'average' };
  if (k === 'daily_consumption_max_power') {
    return { measurement_kind: 'power', measuring_period: 'P1D', unit: 'VA', aggregate: 'maximum' };
  }
  return { measurement_kind: 'energy', measuring_period: 'P1D', unit: 'Wh', aggregate: 'sum' };
}

function strictDay(s: string): boolean {
  return DAY_RE.test(s) && moment.utc(s, 'YYYY-MM-DD', true).isValid();
}

function hex64(): string {
  return randomBytes(32).toString('hex');
}

function userCode(): string {
  let s = '';
  for (let i = 0; i < 8; i++) s += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}

/**
 * The proxy's JSON as Symfony's JsonResponse writes it: json_encode escapes '/', and with its
 * default flags also ', <, >, &, and every non-ASCII character as \uXXXX.
 */
export function phpJsonEncode(value: unknown): string {
  return JSON.stringify(value)
    .replace(/\//g, '\\/')
    .replace(/[<>&'\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function htmlPage(title: string, text: string): string {
  return `<!DOCTYPE html>\n<html><head><meta charset="UTF-8"><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>\n`;
}

class Simulator implements EnedisSimulator {
  url = '';
  calls: RecordedCall[] = [];
  issuedRefreshTokens: string[] = [];
  spentRefreshTokens: string[] = [];
  reusedRefreshTokens: string[] = [];
  issuedAccessTokens: string[] = [];

  private readonly server: http.Server;
  private readonly clock: () => Date;
  private readonly tz: string;
  private readonly clientId: string;
  private readonly limit: number;
  private readonly quota: { perSecond: number; perHour: number } | false;
  private readonly meters = new Map<string, SimMeter & { activationDate: string }>();
  private readonly devices = new Map<string, DeviceEntry>();
  private readonly userCodes = new Map<string, { deviceCode: string; expiresAt: number }>();
  private readonly accessTokens = new Map<string, { usagePointsId: string; expiresAt: number }>();
  private readonly refreshTokens = new Map<string, { usagePointsId: string; expiresAt: number }>();
  private readonly rotatedAway = new Set<string>();
  private readonly revoked = new Set<string>();
  private readonly faults: Array<{ match: FaultMatch; fault: SimFault; left: number }> = [];
  private rateMinute = -1;
  private readonly rateBuckets = new Map<string, number>();
  private q3 = { second: -1, count: 0 };
  private q4 = { hour: -1, count: 0 };
  private readonly late: Set<string>;

  constructor(private readonly opts: EnedisSimulatorOptions) {
    this.clock = opts.now ?? (() => new Date());
    this.tz = opts.tz ?? DEFAULT_TZ;
    this.clientId = opts.clientId ?? PRODUCTION_CLIENT_ID;
    this.limit = opts.limitPerMinute ?? 12;
    this.quota =
      opts.enedisQuota === false ? false : { perSecond: opts.enedisQuota?.perSecond ?? 5, perHour: opts.enedisQuota?.perHour ?? 10_000 };
    this.late = new Set(opts.latePublicationDays ?? []);
    for (const m of opts.meters ?? [{ usagePoint: '00000000000001' }]) this.addMeter(m);
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        // a bug in the simulator itself: answer 500 rather than hang the client
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`simulator error: ${err instanceof Error ? err.message : String(err)}`);
        }
      });
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ---------------------------------------------------------------- state helpers

  private nowMs(): number {
    return this.clock().getTime();
  }

  private today(): string {
    return localDay(this.nowMs(), this.tz);
  }

  private addMeter(m: SimMeter): void {
    if (!/^\d{14}$/.test(m.usagePoint)) throw new Error(`simulator: usagePoint must be 14 digits, got '${m.usagePoint}'`);
    const activationDate = m.activationDate ?? moment.tz(this.nowMs(), this.tz).subtract(5, 'years').format('YYYY-MM-DD');
    this.meters.set(m.usagePoint, { ...m, activationDate });
  }

  meter(usagePoint: string) {
    const m = this.meters.get(usagePoint);
    if (!m) throw new Error(`simulator: no meter '${usagePoint}'`);
    return {
      usagePoint: m.usagePoint,
      activationDate: m.activationDate,
      intervalMinutes: m.intervalMinutes ?? 30,
      production: m.production ?? false,
      consumption: m.consumption ?? true,
      missingDays: m.missingDays ?? [],
      missingCurvePoints: m.missingCurvePoints ?? [],
      curveNotCollected: m.curveNotCollected ?? false,
      offpeakHours: m.offpeakHours ?? 'HC (22H00-6H00)',
      subscribedPower: m.subscribedPower ?? '9 kVA',
      distributionTariff: m.distributionTariff ?? 'BTINFMUDT',
    };
  }

  /** The proxy's per-clock-minute buckets; `false` when over the limit (the refused call is not counted). */
  private rateOk(key: string): boolean {
    if (this.limit <= 0) return true;
    const minute = Math.floor(this.nowMs() / 60_000);
    if (minute !== this.rateMinute) {
      this.rateMinute = minute;
      this.rateBuckets.clear();
    }
    const n = this.rateBuckets.get(key) ?? 0;
    if (n >= this.limit) return false;
    this.rateBuckets.set(key, n + 1);
    return true;
  }

  private mintTokens(usagePointsId: string): { access: string; refresh: string } {
    const access = this.mintAccess(usagePointsId);
    const refresh = hex64();
    this.refreshTokens.set(refresh, { usagePointsId, expiresAt: this.nowMs() + REFRESH_TTL_MS });
    this.issuedRefreshTokens.push(refresh);
    return { access, refresh };
  }

  private mintAccess(usagePointsId: string): string {
    const access = hex64();
    const lifetime = (this.opts.accessTokenLifetimeSeconds ?? 12_600) * 1000;
    this.accessTokens.set(access, { usagePointsId, expiresAt: this.nowMs() + lifetime });
    this.issuedAccessTokens.push(access);
    return access;
  }

  private liveDevice(deviceCode: string): DeviceEntry | undefined {
    const d = this.devices.get(deviceCode);
    if (d && this.nowMs() >= d.expiresAt) {
      this.devices.delete(deviceCode);
      return undefined;
    }
    return d;
  }

  // ---------------------------------------------------------------- public API

  approve(code: string, usagePoints?: string[]): void {
    const key = code.replace(/-/g, '').toUpperCase();
    const uc = this.userCodes.get(key);
    if (!uc || this.nowMs() >= uc.expiresAt) {
      this.userCodes.delete(key);
      throw new Error(`simulator: user code '${code}' is unknown or expired`);
    }
    const device = this.liveDevice(uc.deviceCode);
    if (!device) throw new Error(`simulator: device code for '${code}' has expired`);
    const pdls = usagePoints ?? [...this.meters.keys()];
    if (pdls.length === 0) throw new Error('simulator: approve needs at least one usage point');
    for (const p of pdls) if (!this.meters.has(p)) this.addMeter({ usagePoint: p }); // consent implies the meter exists
    const usagePointsId = pdls.join(',');
    const { access, refresh } = this.mintTokens(usagePointsId);
    device.status = 'complete';
    device.tokenResponse = {
      access_token: access,
      refresh_token: refresh,
      token_type: 'Bearer',
      expires_in: this.opts.accessTokenLifetimeSeconds ?? 12_600,
      usage_points_id: usagePointsId,
      scope: '',
    };
    device.expiresAt = this.nowMs() + APPROVED_TTL_MS; // the proxy re-stores the entry for 120 s
    this.userCodes.delete(key);
  }

  pendingUserCodes(): string[] {
    const now = this.nowMs();
    return [...this.userCodes.entries()].filter(([, v]) => now < v.expiresAt).map(([k]) => `${k.slice(0, 4)}-${k.slice(4)}`);
  }

  meteringCalls(): RecordedCall[] {
    return this.calls.filter((c) => c.path.startsWith('/data/proxy/'));
  }

  inject(match: FaultMatch, fault: SimFault, times = 1): void {
    this.faults.push({ match, fault, left: times });
  }

  pendingFaults(): number {
    return this.faults.reduce((a, f) => a + f.left, 0);
  }

  currentRefreshToken(): string | undefined {
    const now = this.nowMs();
    for (let i = this.issuedRefreshTokens.length - 1; i >= 0; i--) {
      const t = this.issuedRefreshTokens[i]!;
      const r = this.refreshTokens.get(t);
      if (r && now < r.expiresAt) return t;
    }
    return undefined;
  }

  revokeConsent(usagePoint: string): void {
    this.revoked.add(usagePoint);
  }

  restoreConsent(usagePoint: string): void {
    this.revoked.delete(usagePoint);
  }

  expireAccessTokens(): void {
    this.accessTokens.clear();
  }

  publicationInstant(day: string): Date {
    const delay = this.late.has(day) ? 2 : 1;
    const hour = this.opts.publicationHour ?? 8;
    return moment.tz(day, 'YYYY-MM-DD', true, this.tz).add(delay, 'day').hour(hour).toDate();
  }

  isPublished(day: string): boolean {
    return this.nowMs() >= this.publicationInstant(day).getTime();
  }

  historyDeadline(kind: SimKindAlias): string {
    const months = isCurve(normaliseKind(kind)) ? 24 : 36;
    return moment.tz(this.today(), 'YYYY-MM-DD', true, this.tz).subtract(months, 'months').subtract(15, 'days').format('YYYY-MM-DD');
  }

  expectedValue(kind: 'daily_consumption' | 'daily_production', usagePoint: string, day: string): number | undefined;
  expectedValue(kind: 'daily_consumption_max_power' | 'max_power', usagePoint: string, day: string): SimMaxPower | undefined;
  expectedValue(kind: 'consumption_load_curve' | 'production_load_curve' | 'load_curve', usagePoint: string, day: string): SimCurvePoint[];
  expectedValue(kindIn: SimKindAlias, usagePoint: string, day: string): number | SimMaxPower | SimCurvePoint[] | undefined {
    const kind = normaliseKind(kindIn);
    const m = this.meter(usagePoint);
    const absent = day < m.activationDate || m.missingDays.includes(day);
    if (isCurve(kind)) {
      if (absent) return [];
      const missing = new Set(m.missingCurvePoints);
      return simulatedCurve(usagePoint, day, m.intervalMinutes, this.tz, directionOf(kind)).filter((p) => !missing.has(p.label));
    }
    if (absent) return undefined;
    if (kind === 'daily_consumption_max_power') return simulatedMaxPower(usagePoint, day, this.tz);
    return simulatedDaily(usagePoint, day, this.tz, directionOf(kind));
  }

  expectedReadings(kindIn: SimKindAlias, usagePoint: string, start: string, end: string): IntervalItem[] {
    const kind = normaliseKind(kindIn);
    const items: IntervalItem[] = [];
    for (const day of daysBetween(start, end)) {
      if (!this.isPublished(day)) continue;
      if (isCurve(kind)) {
        for (const p of this.expectedValue(kind as 'load_curve', usagePoint, day)) {
          items.push({ value: String(p.value), date: p.label, interval_length: `PT${p.intervalMinutes}M`, measure_type: 'B' });
        }
      } else if (kind === 'daily_consumption_max_power') {
        const mp = this.expectedValue('max_power', usagePoint, day);
        if (mp) items.push({ value: String(mp.value), date: mp.label });
      } else {
        const v = this.expectedValue(kind as 'daily_consumption', usagePoint, day);
        if (v !== undefined) items.push({ value: String(v), date: day });
      }
    }
    return items;
  }

  // ---------------------------------------------------------------- HTTP

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const query: Record<string, string> = {};
    for (const [k, v] of u.searchParams) query[k] = v;
    let form: Record<string, string> | undefined;
    const ctype = String(req.headers['content-type'] ?? '');
    if (method === 'POST') {
      form = {};
      // like Symfony's $request->request: only url-encoded (or multipart) bodies fill the form
      if (ctype.startsWith('application/x-www-form-urlencoded')) for (const [k, v] of new URLSearchParams(raw)) form[k] = v;
    }
    const call: RecordedCall = { method, path: u.pathname, query, status: 0, at: this.clock() };
    if (form) call.form = form;
    this.calls.push(call);

    if (this.opts.latencyMs) await sleep(this.opts.latencyMs);

    const fault = this.takeFault(method, u.pathname);
    let answer: Answer | 'reset';
    if (fault && 'kind' in fault && fault.kind === 'delay') {
      await sleep(fault.ms);
      answer = this.route(req, method, u.pathname, query, form ?? {});
    } else if (fault && 'kind' in fault && fault.kind === 'rewrite-items') {
      answer = this.route(req, method, u.pathname, query, form ?? {});
      const reading = (answer.body as { meter_reading?: { interval_reading?: IntervalItem[] } } | null)?.meter_reading;
      if (reading?.interval_reading) reading.interval_reading = fault.rewrite(reading.interval_reading, query) as IntervalItem[];
    } else if (fault) {
      answer = this.faultAnswer(fault, u.pathname);
      if (answer !== 'reset') answer.relayed = true; // written as given
    } else {
      answer = this.route(req, method, u.pathname, query, form ?? {});
    }
    if (answer === 'reset') {
      call.status = 0;
      req.socket.destroy();
      return;
    }
    call.status = answer.status;
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(answer.headers ?? {}) };
    res.writeHead(answer.status, headers);
    res.end(answer.raw ?? (answer.relayed ? JSON.stringify(answer.body) : phpJsonEncode(answer.body)));
  }

  private takeFault(method: string, path: string): SimFault | undefined {
    for (const f of this.faults) {
      if (f.left <= 0) continue;
      if (f.match.method && f.match.method.toUpperCase() !== method) continue;
      const p = f.match.path;
      if (p !== undefined && !(typeof p === 'string' ? path.includes(p) : p.test(path))) continue;
      f.left--;
      return f.fault;
    }
    return undefined;
  }

  private faultAnswer(fault: SimFault, path: string): Answer | 'reset' {
    const via: Record<string, string> = path.startsWith('/data/proxy/') ? { via: VIA_HEADER } : {};
    if ('kind' in fault) {
      switch (fault.kind) {
        case 'reset':
          return 'reset';
        case 'malformed-json':
          return { status: 200, body: null, headers: via, raw: '{"meter_reading":{"usage_point_id":"000000000' };
        case 'html':
          return {
            status: fault.status ?? 502,
            body: null,
            headers: { 'content-type': 'text/html; charset=UTF-8' },
            raw: htmlPage(`${fault.status ?? 502} Proxy Error`, 'The proxy server received an invalid response from an upstream server.'),
          };
        case 'error-with-200':
          return { status: 200, body: fault.body, headers: via };
        case 'delay':
        case 'rewrite-items':
          return { status: 500, body: null }; // handled by the caller
      }
    }
    return { status: fault.status, body: fault.body, headers: { ...via, ...(fault.headers ?? {}) } };
  }

  private route(
    req: http.IncomingMessage,
    method: string,
    path: string,
    query: Record<string, string>,
    form: Record<string, string>,
  ): Answer {
    const ua = req.headers['user-agent'];
    const versionOk = userAgentAccepted(typeof ua === 'string' ? ua : undefined, this.opts.versionMin);
    const ip = req.socket.remoteAddress ?? '127.0.0.1';
    const post = (fn: () => Answer): Answer => (method === 'POST' ? fn() : this.notAllowed());
    const get = (fn: () => Answer): Answer => (method === 'GET' ? fn() : this.notAllowed());

    if (path === '/device/code') return post(() => (versionOk ? this.deviceCode(form) : this.err(proxyErrors.versionMismatch())));
    if (path === '/device/token') return post(() => (versionOk ? this.token(form, ip) : this.err(proxyErrors.versionMismatch())));
    if (path === '/device') return get(() => this.html(200, 'DomoticzLinky', 'Entrez le code affiché par votre plugin.'));
    if (path === '/auth/verify_code') return get(() => this.browserVerify(query));
    if (path.startsWith('/data/proxy/')) {
      return get(() =>
        versionOk ? this.dataProxy(req, path.slice('/data/proxy/'.length), query, ip) : this.err(proxyErrors.versionMismatch()),
      );
    }
    return this.html(404, 'Not Found', "La page que vous recherchez n'existe pas.");
  }

  private err(body: unknown, status = 400): Answer {
    return { status, body };
  }

  private html(status: number, title: string, text: string): Answer {
    return { status, body: null, raw: htmlPage(title, text), headers: { 'content-type': 'text/html; charset=UTF-8' } };
  }

  private notAllowed(): Answer {
    return this.html(405, 'Method Not Allowed', 'Method Not Allowed');
  }

  // ---------------------------------------------------------------- proxy: device flow

  private deviceCode(form: Record<string, string>): Answer {
    if (!form.client_id) return this.err(proxyErrors.missingClientId());
    const deviceCode = hex64();
    let code = userCode();
    while (this.userCodes.has(code.replace('-', ''))) code = userCode();
    const expiresAt = this.nowMs() + DEVICE_CODE_TTL_MS;
    this.devices.set(deviceCode, { deviceCode, userCode: code.replace('-', ''), expiresAt, status: 'pending', pendingPolls: 0 });
    this.userCodes.set(code.replace('-', ''), { deviceCode, expiresAt });
    return {
      status: 200,
      body: {
        device_code: deviceCode,
        user_code: code,
        verification_uri: `${this.url}/device`,
        expires_in: 300,
        interval: this.limit > 0 ? Math.round(60 / this.limit) : 5,
      },
    };
  }

  private browserVerify(query: Record<string, string>): Answer {
    if (!query.code) return this.html(400, 'invalid_request', "Aucun code n'a été entré");
    try {
      this.approve(query.code, this.opts.autoApprove?.usagePoints);
    } catch {
      return this.html(400, 'invalid_request', 'Code non valide');
    }
    return this.html(200, 'DomoticzLinky', 'Le consentement a bien été obtenu, vous pouvez retourner sur votre plugin.');
  }

  private token(form: Record<string, string>, ip: string): Answer {
    const clientId = form.client_id;
    const grant = form.grant_type;
    if (!clientId || !grant) return this.err(proxyErrors.missingClientIdOrGrant());
    if (grant === DEVICE_CODE_GRANT) return this.deviceCodeGrant(form, clientId);
    if (grant === 'refresh_token') return this.refreshGrant(form, clientId, ip);
    return this.err(proxyErrors.unsupportedGrant());
  }

  /** The device polls: pending until approved, then the tokens, once. */
  private deviceCodeGrant(form: Record<string, string>, clientId: string): Answer {
    if ((this.opts.checkClientIdOnDeviceGrant ?? true) && clientId !== this.clientId) return this.err(proxyErrors.badClientId());
    const deviceCode = form.device_code;
    if (!deviceCode) return this.err(proxyErrors.missingDeviceCode());
    if (!this.rateOk(`device|${deviceCode}`)) return this.err(proxyErrors.slowDown());
    const d = this.liveDevice(deviceCode);
    if (!d) return this.err(proxyErrors.deviceCodeNotFound());
    const auto = this.opts.autoApprove;
    if (d.status === 'pending' && auto && d.pendingPolls >= (auto.afterPolls ?? 1)) {
      this.approve(d.userCode, auto.usagePoints);
    }
    if (d.status === 'pending') {
      d.pendingPolls++;
      return this.err(proxyErrors.authorizationPending());
    }
    this.devices.delete(deviceCode); // given once
    return { status: 200, body: d.tokenResponse };
  }

  /** A new access token for a refresh token (and a new refresh token when they rotate). */
  private refreshGrant(form: Record<string, string>, clientId: string, ip: string): Answer {
    if (clientId !== this.clientId) return this.err(proxyErrors.badClientId());
    const upi = form.usage_points_id;
    if (!upi) return this.err(proxyErrors.missingUsagePointsId());
    const rt = form.refresh_token;
    if (!rt) return this.err(proxyErrors.missingRefreshToken());
    if (!this.rateOk(`ip|${ip}`)) return this.err(proxyErrors.slowDown());
    const entry = this.refreshTokens.get(rt);
    if (!entry || this.nowMs() >= entry.expiresAt) {
      if (this.rotatedAway.has(rt)) this.reusedRefreshTokens.push(rt);
      return this.err(proxyErrors.refreshTokenNotFound());
    }
    if (entry.usagePointsId !== upi) return this.err(proxyErrors.refreshTokenMismatch());
    const access = this.mintAccess(upi);
    if (!this.spentRefreshTokens.includes(rt)) this.spentRefreshTokens.push(rt);
    let refresh = rt;
    if (this.opts.rotateRefreshToken) {
      refresh = hex64();
      this.refreshTokens.set(refresh, { usagePointsId: upi, expiresAt: this.nowMs() + REFRESH_TTL_MS });
      this.issuedRefreshTokens.push(refresh);
      this.refreshTokens.delete(rt);
      this.rotatedAway.add(rt);
    }
    return {
      status: 200,
      body: {
        access_token: access,
        refresh_token: refresh,
        token_type: 'Bearer',
        expires_in: this.opts.accessTokenLifetimeSeconds ?? 12_600,
        scope: '',
      },
    };
  }

  // ---------------------------------------------------------------- proxy: data relay

  private dataProxy(req: http.IncomingMessage, path: string, query: Record<string, string>, ip: string): Answer {
    if (!path) return this.err(proxyErrors.pathEmpty());
    const pdl = query.usage_point_id;
    if (!pdl) return this.err(proxyErrors.missingUsagePointId());
    if (!this.opts.disableDataAuth) {
      let auth = req.headers.authorization;
      if (!auth) return this.err(proxyErrors.authorizationMissing(), 404);
      if (auth.startsWith('Bearer ')) auth = auth.slice('Bearer '.length);
      const tok = this.accessTokens.get(auth);
      if (!tok || this.nowMs() >= tok.expiresAt) {
        if (tok) this.accessTokens.delete(auth);
        return this.err(proxyErrors.accessTokenNotFound(), 403);
      }
      if (!tok.usagePointsId.split(',').includes(pdl)) return this.err(proxyErrors.badAccessToken(), 404);
    }
    if (!this.rateOk(`ip|${ip}`)) return this.err(proxyErrors.slowDown());

    const a = this.enedis(path, query);
    const headers: Record<string, string> = { 'content-type': a.headers?.['content-type'] ?? 'application/json', via: VIA_HEADER };
    const status = this.opts.errorsWithHttp200 && a.status !== 200 ? 200 : a.status;
    return { status, body: a.body, headers, relayed: true };
  }

  // ---------------------------------------------------------------- Enedis

  private quotaHit(): Answer | undefined {
    if (!this.quota) return undefined;
    const now = this.nowMs();
    const second = Math.floor(now / 1000);
    const hour = Math.floor(now / 3_600_000);
    if (this.q3.second !== second) this.q3 = { second, count: 0 };
    if (this.q4.hour !== hour) this.q4 = { hour, count: 0 };
    const h = { 'content-type': QUOTA_CONTENT_TYPE };
    if (this.quota.perSecond > 0 && this.q3.count >= this.quota.perSecond) return { status: 429, body: enedisErrors.quotaQ3(), headers: h };
    if (this.quota.perHour > 0 && this.q4.count >= this.quota.perHour) return { status: 429, body: enedisErrors.quotaQ4(), headers: h };
    this.q3.count++;
    this.q4.count++;
    return undefined;
  }

  private enedis(path: string, query: Record<string, string>): Answer {
    const quota = this.quotaHit();
    if (quota) return quota;
    const kind = (Object.keys(METERING_ROUTES) as SimKind[]).find((k) => METERING_ROUTES[k] === path);
    const customer = (Object.keys(CUSTOMER_ROUTES) as Array<keyof typeof CUSTOMER_ROUTES>).find((k) => CUSTOMER_ROUTES[k] === path);
    if (!kind && !customer) {
      // [inf] Enedis' gateway answer for an unknown resource
      return { status: 404, body: { error: 'not_found', error_description: 'Resource not found' } };
    }
    const pdl = query.usage_point_id ?? '';
    if (!pdl) return this.err(enedisErrors.usagePointIdRequired());
    if (!/^\d{14}$/.test(pdl)) return this.err(enedisErrors.usagePointIdFormat());
    const meter = this.meters.has(pdl) ? this.meter(pdl) : undefined;
    if (!meter) return this.err(enedisErrors.unknownUser(), 404);
    if (this.revoked.has(pdl)) return this.err(enedisErrors.noConsent(), 403);
    if (customer) return { status: 200, body: customerBody(customer, meter, this.tz) };
    return this.metering(kind!, meter, query);
  }

  private metering(kind: SimKind, m: ReturnType<Simulator['meter']>, query: Record<string, string>): Answer {
    const dir = directionOf(kind);
    if ((dir === 'production' && !m.production) || (dir === 'consumption' && !m.consumption)) {
      return this.err(enedisErrors.wrongDirection());
    }
    const { start, end } = query;
    if (!start) return this.err(enedisErrors.startRequired());
    if (!strictDay(start)) return this.err(enedisErrors.startFormat());
    if (!end) return this.err(enedisErrors.endRequired());
    if (!strictDay(end)) return this.err(enedisErrors.endFormat());
    if (start >= end) return this.err(enedisErrors.startNotBeforeEnd());
    if (end > this.today()) return this.err(enedisErrors.endInFuture());
    if (isCurve(kind) && moment.utc(end).diff(moment.utc(start), 'days') > 7) return this.err(enedisErrors.curveOver7Days());
    if (start < this.historyDeadline(kind)) return this.err(enedisErrors.historyDeadline());
    if (start < m.activationDate) return this.err(enedisErrors.beforeActivation());
    if (isCurve(kind) && m.curveNotCollected) return this.err(enedisErrors.curveNotCollected());
    const items = this.expectedReadings(kind, m.usagePoint, start, end);
    if (items.length === 0) return this.err(enedisErrors.noDataFound(), 404);
    return {
      status: 200,
      body: {
        meter_reading: {
          usage_point_id: m.usagePoint,
          start,
          end,
          quality: 'BRUT',
          reading_type: readingType(kind),
          interval_reading: items,
        },
      },
    };
  }
}

/**
 * Options for `jeelinky demo`: one consuming meter and one producing meter, consent given by itself
 * at the first pending poll, and no proxy or Enedis throttling (the demo client does not pace).
 */
export function demoSimulatorOptions(extra: EnedisSimulatorOptions = {}): EnedisSimulatorOptions {
  const meters: SimMeter[] = [
    { usagePoint: '00000000000001', offpeakHours: 'HC (22H00-6H00)' },
    { usagePoint: '00000000000002', production: true, offpeakHours: 'HC (1H30-7H30;13H30-15H30)' },
  ];
  return {
    meters,
    autoApprove: { usagePoints: meters.map((m) => m.usagePoint), afterPolls: 1 },
    limitPerMinute: 0,
    enedisQuota: false,
    ...extra,
  };
}

/** Starts the simulator on 127.0.0.1, on a random free port. */
export async function startEnedisSimulator(opts: EnedisSimulatorOptions = {}): Promise<EnedisSimulator> {
  const sim = new Simulator(opts);
  await sim.listen();
  return sim;
}
