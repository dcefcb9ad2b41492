/**
 * The Enedis simulator's options, the faults a test can inject, the routes it serves and the handle
 * a test holds.
 */
import type { SimCurvePoint, SimMaxPower } from './profile.js';

export interface SimMeter {
  /** 14 digits. */
  usagePoint: string;
  /** 'YYYY-MM-DD' local; a request starting before it fails as a whole (400 ADAM-ERR0123). */
  activationDate?: string;
  /** Load-curve storage step (default 30). */
  intervalMinutes?: 30 | 60 | 10 | 15;
  /** Has production routes; otherwise they answer ADAM-ERR0069. */
  production?: boolean;
  /** Has consumption routes (default true); otherwise they answer ADAM-ERR0069. */
  consumption?: boolean;
  /** Days with no data at all (every kind): absent items; a range with nothing → 404 no_data_found. */
  missingDays?: string[];
  /** Curve labels exactly as the API writes them ('2024-01-10 13:30:00') that are absent (both, if repeated in October). */
  missingCurvePoints?: string[];
  /** Load-curve routes → 400 ADAM-ERR0075. */
  curveNotCollected?: boolean;
  /** contracts.offpeak_hours (default "HC (22H00-6H00)"). */
  offpeakHours?: string;
  /** contracts.subscribed_power (default "9 kVA"). */
  subscribedPower?: string;
  /** contracts.distribution_tariff (default "BTINFMUDT"). */
  distributionTariff?: string;
}

export interface EnedisSimulatorOptions {
  /** The simulator's clock (publication, depth, expiry, rate limits); default real time. */
  now?: () => Date;
  /** Default 'Europe/Paris'. */
  tz?: string;
  /** Default: one meter '00000000000001' activated 5 years ago. */
  meters?: SimMeter[];
  /** The proxy's client id; default the production one. */
  clientId?: string;
  /** Proxy LIMIT_REQUESTS_PER_MINUTE (default 12; 0 = no limit). */
  limitPerMinute?: number;
  /** Enedis per-application quotas Q3 (per second) and Q4 (per hour); default {5, 10000}; false = none. */
  enedisQuota?: { perSecond?: number; perHour?: number } | false;
  /** VERSION_MIN for the User-Agent check; unset = no check. */
  versionMin?: string;
  /** Refresh returns a NEW refresh token and invalidates the old one. */
  rotateRefreshToken?: boolean;
  /** Pre-2024 proxy: Enedis errors relayed with HTTP 200. */
  errorsWithHttp200?: boolean;
  /** Day J visible from J+1 at this local hour (default 8). */
  publicationHour?: number;
  /** These days only appear one day later. */
  latePublicationDays?: string[];
  /** Demo: approve each new user code by itself after N pending polls (default 1). */
  autoApprove?: { usagePoints: string[]; afterPolls?: number };
  /** Default 12600. */
  accessTokenLifetimeSeconds?: number;
  /** Delay on every answer. */
  latencyMs?: number;
  /**
   * Check client_id on the device_code grant too (default true, as the fixture
   * proxy-token-bad-client-id; the proxy's HEAD code checks it on the refresh grant only).
   */
  checkClientIdOnDeviceGrant?: boolean;
  /** The proxy's DISABLE_DATA_ENDPOINT_AUTH (debug host): /data/proxy needs no Authorization. */
  disableDataAuth?: boolean;
}

export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  form?: Record<string, string>;
  /** 0 when the connection was destroyed (reset fault). */
  status: number;
  at: Date;
}

export type SimFault =
  | { status: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'malformed-json' }
  | { kind: 'html'; status?: number }
  | { kind: 'delay'; ms: number }
  | { kind: 'reset' }
  | { kind: 'error-with-200'; body: unknown }
  /**
   * The answer the simulator would give, with its interval_reading items rewritten: answers as they
   * come in the wild (an item outside the range, an unreadable label, a date with an offset, a
   * point without interval_length). Answers without meter_reading pass unchanged.
   */
  | { kind: 'rewrite-items'; rewrite: (items: IntervalItem[], query: Record<string, string>) => unknown[] };

export interface FaultMatch {
  /** A string matches when the request path contains it; a RegExp is tested on the path. */
  path?: string | RegExp;
  method?: string;
}

/** The API's route names (v5 path tails), also accepted by expectedValue(). */
export const METERING_ROUTES = {
  daily_consumption: 'metering_data_dc/v5/daily_consumption',
  consumption_load_curve: 'metering_data_clc/v5/consumption_load_curve',
  daily_consumption_max_power: 'metering_data_dcmp/v5/daily_consumption_max_power',
  daily_production: 'metering_data_dp/v5/daily_production',
  production_load_curve: 'metering_data_plc/v5/production_load_curve',
} as const;
export type SimKind = keyof typeof METERING_ROUTES;
/** jeelinky's reading kinds map onto the routes: max_power and load_curve are the consumption ones. */
export type SimKindAlias = SimKind | 'max_power' | 'load_curve';

export const CUSTOMER_ROUTES = {
  contracts: 'customers_upc/v5/usage_points/contracts',
  addresses: 'customers_upa/v5/usage_points/addresses',
  identity: 'customers_i/v5/identity',
  contact_data: 'customers_cd/v5/contact_data',
} as const;

export interface DailyItem {
  value: string;
  date: string;
}
export interface CurveItem {
  value: string;
  date: string;
  interval_length: string;
  measure_type: 'B';
}
export type IntervalItem = DailyItem | CurveItem;

export interface EnedisSimulator {
  /** 'http://127.0.0.1:<port>' — base for BOTH the proxy routes and /data/proxy/... */
  url: string;
  /** Stands in for browser + Enedis consent (case/hyphen-insensitive user code). Throws if unknown or expired. */
  approve(userCode: string, usagePoints?: string[]): void;
  /** User codes issued and not yet approved nor expired, oldest first. */
  pendingUserCodes(): string[];
  /** Every request, in order. */
  calls: RecordedCall[];
  /** Only /data/proxy/* calls. */
  meteringCalls(): RecordedCall[];
  /** The next `times` (default 1) matching requests get the fault. */
  inject(match: FaultMatch, fault: SimFault, times?: number): void;
  /** Faults still armed. */
  pendingFaults(): number;
  issuedRefreshTokens: string[];
  spentRefreshTokens: string[];
  reusedRefreshTokens: string[];
  issuedAccessTokens: string[];
  currentRefreshToken(): string | undefined;
  /** Metering for this PDL then answers 403 ADAM-DC-0008. */
  revokeConsent(usagePoint: string): void;
  restoreConsent(usagePoint: string): void;
  /** Every access token → 'Access token not found'. */
  expireAccessTokens(): void;
  /** The meter as the simulator sees it (defaults filled in). */
  meter(usagePoint: string): Required<Omit<SimMeter, 'activationDate'>> & { activationDate: string };
  /** True when day J is published at the simulator's current instant. */
  isPublished(day: string): boolean;
  /** The instant day J becomes visible. */
  publicationInstant(day: string): Date;
  /** What the meter holds for one day (activation, missing days and points applied; publication ignored). */
  expectedValue(kind: 'daily_consumption' | 'daily_production', usagePoint: string, day: string): number | undefined;
  expectedValue(kind: 'daily_consumption_max_power' | 'max_power', usagePoint: string, day: string): SimMaxPower | undefined;
  expectedValue(kind: 'consumption_load_curve' | 'production_load_curve' | 'load_curve', usagePoint: string, day: string): SimCurvePoint[];
  /** The interval_reading items a request [start; end[ would get now ([] where the API answers 404). */
  expectedReadings(kind: SimKindAlias, usagePoint: string, start: string, end: string): IntervalItem[];
  /** The history deadline day for this kind at the current instant (start must be ≥ it). */
  historyDeadline(kind: SimKindAlias): string;
  close(): Promise<void>;
}
