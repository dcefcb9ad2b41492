/**
 * The five metering routes through the proxy (docs/enedis-api.md §3), their range limits, the validation of
 * their answers and their conversion into Readings with exact instants and explicit units.
 */
import moment from 'moment-timezone';
import { z } from 'zod';
import { ConsentError, ExitCode, JeelinkyError, ProtocolError, TemporaryError } from '../errors.js';
import { KIND_INFO, type Reading, type ReadingKind } from '../readings.js';
import {
  addDays,
  dayStart,
  daysBetween,
  durationMinutes,
  instantsForLabel,
  isDay,
  isoInZone,
  localDay,
  resolveLabelSeries,
} from '../time/local.js';
import { commonProxyFailure, proxyError } from './auth.js';
import { type BodyError, errorInBody, normaliseCode } from './answer-errors.js';
import { notJsonError, retryIn, type RawAnswer } from './http.js';

export interface Route {
  path: string;
  /** Most days one call may cover ([start; end[). */
  maxDays: number;
  /** History depth from the call date, in months (plus HISTORY_EXTRA_DAYS). */
  depthMonths: number;
  /** Curves: the usual step (docs/enedis-api.md §3.3, PT30M), used for a point without interval_length. */
  step?: string;
}

/** Enedis keeps N months + 15 days before the call date (docs/enedis-api.md §4). */
export const HISTORY_EXTRA_DAYS = 15;

/**
 * The oldest day a call made on `today` (local) may start at: `today` − N months − 15 days.
 * Enedis' error table words it "start must be greater than the history deadline" with +16 days:
 * the same day. One day older answers 400 ADAM-ERR0125, and each day dropped is data lost for good.
 */
export function oldestAskableDay(today: string, route: Pick<Route, 'depthMonths'>): string {
  return moment
    .utc(today, 'YYYY-MM-DD', true)
    .subtract(route.depthMonths, 'months')
    .subtract(HISTORY_EXTRA_DAYS, 'days')
    .format('YYYY-MM-DD');
}

export const ROUTES: Record<ReadingKind, Route> = {
  daily_consumption: { path: '/data/proxy/metering_data_dc/v5/daily_consumption', maxDays: 365, depthMonths: 36 },
  max_power: { path: '/data/proxy/metering_data_dcmp/v5/daily_consumption_max_power', maxDays: 365, depthMonths: 36 },
  load_curve: { path: '/data/proxy/metering_data_clc/v5/consumption_load_curve', maxDays: 7, depthMonths: 24, step: 'PT30M' },
  daily_production: { path: '/data/proxy/metering_data_dp/v5/daily_production', maxDays: 365, depthMonths: 36 },
  production_load_curve: { path: '/data/proxy/metering_data_plc/v5/production_load_curve', maxDays: 7, depthMonths: 24, step: 'PT30M' },
};

/** Splits [start; end[ into the fewest calls the route allows, oldest first. */
export function chunkRange(startDay: string, endDay: string, maxDays: number): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let s = startDay; s < endDay; ) {
    const e = daysBetween(s, endDay) > maxDays ? addDays(s, maxDays) : endDay;
    out.push([s, e]);
    s = e;
  }
  return out;
}

const intervalSchema = z.object({
  value: z.union([z.string(), z.number()]),
  date: z.string(),
  interval_length: z.string().optional(),
  measure_type: z.string().optional(),
});
const meterReadingSchema = z.object({
  meter_reading: z.object({
    usage_point_id: z.string().optional(),
    start: z.string().optional(),
    end: z.string().optional(),
    reading_type: z
      .object({ unit: z.string().optional(), measurement_kind: z.string().optional(), aggregate: z.string().optional() })
      .partial()
      .optional(),
    // Some answers omit the list when there is nothing; treat it as empty.
    interval_reading: z.array(intervalSchema).default([]),
  }),
});

/** What one metering call gave. */
export type MeteringOutcome =
  /** `warnings`: items left out or read with a default (one line each), for the run report. */
  | { kind: 'data'; readings: Reading[]; warnings: string[] }
  /** Nothing in the range (404 no_data_found): days not published yet, or holes. */
  | { kind: 'no_data' }
  /** The range starts before the meter's history (activation, or beyond the depth Enedis keeps). */
  | { kind: 'history_start'; detail: string }
  /** The meter has no such direction (e.g. production on a consumer-only meter). */
  | { kind: 'not_available'; detail: string }
  /** The proxy no longer knows the access token: refresh once, then try once more. */
  | { kind: 'access_token_rejected' };

/** Classifies a metering answer; throws a typed error for what stops the kind or the run. */
export function classifyMeteringAnswer(
  answer: RawAnswer,
  kind: ReadingKind,
  usagePoint: string,
  tz: string,
  now: Date,
  range?: { start: string; end: string },
): MeteringOutcome {
  const what = `${KIND_INFO[kind].label} for PDL …${usagePoint.slice(-4)}`;
  if (answer.format !== 'json') throwNotJson(answer, what, now);
  const ok = meterReadingSchema.safeParse(answer.body);
  // Always look at the body: before 2024 the proxy relayed Enedis errors with HTTP 200.
  if (ok.success && !proxyError(answer)) {
    const { readings, warnings } = toReadings(ok.data.meter_reading.interval_reading, kind, usagePoint, tz, range);
    return { kind: 'data', readings, warnings };
  }
  throwIfAskedToWait(answer, what, now);
  // Whatever the shape ({error,error_description}, {code,message}, {status,message}, nested,
  // French keys…): classified by its code first, its wording second (docs/enedis-api.md §6).
  const err = errorInBody(answer.body);
  if (!err) {
    throw new ProtocolError(
      `${what}: the answer has neither meter_reading nor error (HTTP ${answer.status}); run again later`,
      'unexpected_answer',
      retryIn(3600, now),
    );
  }
  const refusal = readRefusal(answer, err, what);
  const missing = outcomeOfMissingData(refusal);
  if (missing) return missing;
  throwIfUserMustAct(refusal, kind);
  return outcomeOfTokenRefusal(refusal) ?? throwRetryableOrBug(refusal, answer, now);
}

/** A non-JSON answer: temporary for 5xx and 429, otherwise what every route says of one. */
function throwNotJson(answer: RawAnswer, what: string, now: Date): never {
  if (answer.status >= 500 || answer.status === 429) {
    throw new TemporaryError(
      `${what}: Enedis or the proxy answered HTTP ${answer.status}; run again later`,
      'enedis_unavailable',
      retryIn(3600, now),
    );
  }
  throw notJsonError(answer, what);
}

/** The refusals that say when to come back: HTTP 429 with Retry-After, a gateway's own call quota. */
function throwIfAskedToWait(answer: RawAnswer, what: string, now: Date): void {
  const retryAfter = parseRetryAfter(answer.headers['retry-after'], now);
  if (answer.status === 429 && retryAfter) {
    throw new TemporaryError(
      `${what}: the server asks to wait until ${retryAfter.toISOString()} (HTTP 429 Retry-After); run again then`,
      'rate_limited',
      retryAfter,
    );
  }
  if (answer.status === 409 || /quota_reached|quota reached|call_number/i.test(JSON.stringify(answer.body))) {
    if (!/Q3|Q4/.test(JSON.stringify(answer.body))) {
      // A gateway's own daily quota (EnedisGateway2MQTT's: 50 calls per day per PDL, 24 h ban past it; docs/enedis-api.md §6.3).
      const reset =
        typeof (answer.body as { quota_reset_at?: unknown })?.quota_reset_at === 'string'
          ? new Date((answer.body as { quota_reset_at: string }).quota_reset_at)
          : undefined;
      const retryAt = reset && !Number.isNaN(reset.getTime()) ? reset : retryIn(24 * 3600, now);
      throw new TemporaryError(
        `${what}: the gateway's call quota is reached; run again after ${retryAt.toISOString()}`,
        'gateway_quota',
        retryAt,
      );
    }
  }
}

/** An error found in a metering answer, with the forms the classification steps below read it in. */
interface Refusal {
  what: string;
  err: BodyError;
  /** The code normalised (normaliseCode). */
  c: string;
  /** The description as sent. */
  d: string;
  /** Code and description, for the wording tests. */
  said: string;
  /** Code and description, for messages. */
  shown: string;
  /** The status the error would have had without an old proxy's HTTP 200. */
  status: number;
}

function readRefusal(answer: RawAnswer, err: BodyError, what: string): Refusal {
  const d = err.description;
  return {
    what,
    err,
    c: normaliseCode(err.code),
    d,
    said: `${err.code} ${d}`,
    shown: [err.code, d].filter(Boolean).join(': '),
    status: answer.status !== 200 ? answer.status : (err.status ?? 200),
  };
}

/** No data for the range, the range before the meter's history, or a direction the meter does not have. */
function outcomeOfMissingData({ err, c, d, said }: Refusal): MeteringOutcome | undefined {
  if (
    c === 'NO-DATA-FOUND' ||
    c === 'STM-ERR-0000020' ||
    c === 'STM-ERR-0000014' ||
    /no measure found|aucune (donn[ée]e|mesure)/i.test(said)
  )
    return { kind: 'no_data' };
  if (c === 'ADAM-ERR0123' || c === 'ADAM-ERR0125' || c === 'ADAM-DC-0016' || /history deadline|last activation date/i.test(said)) {
    return { kind: 'history_start', detail: d || err.code };
  }
  if (c === 'ADAM-ERR0069' || /sens de la mesure/i.test(said)) return { kind: 'not_available', detail: d || err.code };
  return undefined;
}

/** The refusals only the user can lift: load curve collection off, consent missing or no longer valid. */
function throwIfUserMustAct({ what, err, c, said }: Refusal, kind: ReadingKind): void {
  if (c === 'ADAM-ERR0075' || /objected to the load curve/i.test(said)) {
    throw new JeelinkyError(
      `${what}: Enedis does not collect the load curve for this meter; enable "collecte de la courbe de charge" in your Enedis account (valid one year), or leave ${kind} out of JEELINKY_KINDS`,
      { code: 'load_curve_not_collected', exitCode: ExitCode.ACTION_NEEDED },
    );
  }
  if (c === 'ADAM-DC-0008' || c === 'ADAM-DC-0009' || c === 'UNAUTHORIZED-USER') {
    throw new ConsentError(
      `${what}: Enedis finds no valid consent for this PDL (${err.code}); give it again with "jeelinky pair"`,
      'consent_missing',
    );
  }
  if (c === 'ADAM-DC-0007') {
    throw new ConsentError(
      `${what}: Enedis says the customer no longer owns this PDL (moved?); pair again with "jeelinky pair"`,
      'consent_not_owner',
    );
  }
  if (c === 'STM-ERR-0000019') {
    throw new ConsentError(
      `${what}: Enedis does not know this PDL or user; check JEELINKY_USAGE_POINT_ID, then pair again`,
      'unknown_usage_point',
    );
  }
}

/** What the proxy says of the access token and the Authorization header. */
function outcomeOfTokenRefusal({ what, c, said }: Refusal): MeteringOutcome | undefined {
  // The access token: the proxy's own words (docs/enedis-api.md §6.2), and invalid_grant, which an OAuth server says
  // of a grant it no longer honours — a refresh, then one more try, sorts both out or says so.
  if (c === 'INVALID-TOKEN' || c === 'INVALID-GRANT' || /access token not found|access token timed out|token (has )?expired/i.test(said)) {
    return { kind: 'access_token_rejected' };
  }
  if (/bad access token/i.test(said)) {
    throw new ConsentError(
      `${what}: this PDL is not in the list your consent covers; use one of your paired PDLs (jeelinky status) or pair again`,
      'usage_point_not_in_consent',
    );
  }
  if (/autori[sz]ation missing/i.test(said)) {
    throw new ProtocolError(
      `${what}: the proxy did not receive the Authorization header; check any HTTP proxy between you and it`,
      'authorization_missing',
    );
  }
  return undefined;
}

/** The rest: Enedis quotas, the proxy's own refusals, a request jeelinky built wrong, else temporary. */
function throwRetryableOrBug({ what, err, c, d, said, shown, status }: Refusal, answer: RawAnswer, now: Date): never {
  if (c === '429' || status === 429 || /quota (Q3|Q4)/i.test(said)) {
    // Enedis quotas are per application, shared by every user of the proxy, and come without
    // Retry-After. Q3 (5/s) clears in a moment; Q4 (10 000/h) needs at least an hour (docs/enedis-api.md §6.3).
    const q4 = /Q4/i.test(said);
    throw new TemporaryError(
      `${what}: Enedis quota ${q4 ? 'Q4 (calls per hour, shared by every user of the proxy)' : 'Q3 (calls per second)'} reached; run again ${q4 ? 'in an hour' : 'in a few minutes'}`,
      q4 ? 'enedis_quota_hour' : 'enedis_quota_second',
      retryIn(q4 ? 3600 : 300, now),
    );
  }
  if (/cURL error|client credentials/i.test(said)) return commonTemporary(what, `the proxy cannot reach Enedis (${d || err.code})`, now);
  if (c === 'SLOW-DOWN' || c === 'VERSION-MISMATCH' || /client_id/i.test(d)) {
    // The proxy's own refusals, read by the code every proxy route shares (in its documented shape).
    throw commonProxyFailure({ ...answer, body: { error: err.code.toLowerCase().replace(/-/g, '_'), error_description: d } }, what);
  }
  if (/end date parameter must be earlier/i.test(said)) {
    // Seen just after midnight (a server-side date mismatch): not our range's fault, try later.
    return commonTemporary(what, 'Enedis does not accept today yet as the end of the range', now);
  }
  if (answer.status >= 400 && answer.status < 500 && c === 'INVALID-REQUEST') {
    // A documented parameter error with its real status: the request jeelinky built was wrong.
    throw new JeelinkyError(`${what}: Enedis refused the request (${shown}); this is a jeelinky bug, please report it`, {
      code: 'request_refused',
      exitCode: ExitCode.BUG,
    });
  }
  // Anything else — 5xx, "technical error", "Erreur interne", an error body under HTTP 200, a code
  // nobody documented — is temporary unless it said otherwise above.
  const where =
    answer.status === 200 ? `an error under HTTP 200${err.status ? ` (status ${err.status} in the body)` : ''}` : `HTTP ${answer.status}`;
  throw new TemporaryError(
    `${what}: Enedis or the proxy answered ${where}: "${shown || 'no detail'}"; run again later (report it if it lasts)`,
    status >= 500 || /technical|unavailable|exception|erreur (interne|technique)|indisponible|r[ée]essayer|maintenance/i.test(said)
      ? 'enedis_unavailable'
      : 'enedis_error',
    retryIn(3600, now),
  );
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: Date): Date | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return new Date(now.getTime() + Number(value.trim()) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : new Date(at);
}

function commonTemporary(what: string, detail: string, now: Date): never {
  throw new TemporaryError(`${what}: ${detail}; run again later`, 'enedis_unavailable', retryIn(3600, now));
}

function toNumber(value: string | number, date: string): number {
  const n = typeof value === 'number' ? value : Number(value.trim());
  if (!Number.isFinite(n) || (typeof value === 'string' && value.trim() === '')) {
    throw new ProtocolError(`Enedis sent the value "${String(value)}" for ${date}, which is not a number`, 'bad_value');
  }
  return n;
}

/** Items one answer may lose (unreadable, outside the range) before the whole answer is refused instead. */
export function tolerableDrops(items: number): number {
  // A format change would make most items unreadable: refusing then keeps days from being
  // recorded as empty (which would end, after a week of tries, as given up).
  return Math.max(1, Math.floor(items / 10));
}

interface Dropped {
  code: 'bad_date' | 'out_of_range';
  line: string;
}

/**
 * Converts the API's items into readings with exact instants (docs/enedis-api.md §3.3, §5). An item with
 * an unreadable date or outside `range` ([start; end[, local days) is left out with a warning, as
 * long as they are few (tolerableDrops); a curve point without interval_length takes the route's
 * documented step, with a warning.
 */
export function toReadings(
  items: Array<z.infer<typeof intervalSchema>>,
  kind: ReadingKind,
  usagePoint: string,
  tz: string,
  range?: { start: string; end: string },
): { readings: Reading[]; warnings: string[] } {
  const info = KIND_INFO[kind];
  const dropped: Dropped[] = [];
  const warnings: string[] = [];
  let readings = info.curve
    ? curveReadings(items, kind, usagePoint, tz, dropped, warnings)
    : dailyReadings(items, kind, usagePoint, tz, dropped);
  if (range) {
    readings = readings.filter((r) => {
      if (r.day >= range.start && r.day < range.end) return true;
      dropped.push({ code: 'out_of_range', line: `Enedis sent ${r.day} in its answer for [${range.start}; ${range.end}[` });
      return false;
    });
  }
  if (dropped.length > tolerableDrops(items.length) || (dropped.length && readings.length === 0)) {
    const more = dropped.length > 1 ? ` (and ${dropped.length - 1} more item(s) like it)` : '';
    throw new ProtocolError(`${dropped[0]!.line}${more}; nothing of this answer was stored, run again later`, dropped[0]!.code);
  }
  for (const d of dropped) warnings.push(`${info.label}: ${d.line}: that item was left out, the rest of the answer was stored`);
  return { readings, warnings };
}

/** Curve points (W over an interval): unreadable times go to `dropped`, points without interval_length to `warnings`. */
function curveReadings(
  items: Array<z.infer<typeof intervalSchema>>,
  kind: ReadingKind,
  usagePoint: string,
  tz: string,
  dropped: Dropped[],
  warnings: string[],
): Reading[] {
  const info = KIND_INFO[kind];
  const readable = items.filter((item) => {
    if (instantsForLabel(item.date, tz).length) return true;
    dropped.push({ code: 'bad_date', line: `Enedis sent the time "${item.date}", which is not a time in ${tz} (bad format or DST gap)` });
    return false;
  });
  const step = ROUTES[kind].step ?? 'PT30M';
  const noLength = readable.filter((i) => !i.interval_length);
  if (noLength.length) {
    warnings.push(
      `${info.label}: ${noLength.length} point(s) came without interval_length (first "${noLength[0]!.date}"): read as ${step}, the route's documented step`,
    );
  }
  // Curve labels mark the END of each interval in local wall time; only their order tells the
  // two 02:xx of the October change apart.
  const ends = resolveLabelSeries(
    readable.map((i) => i.date),
    tz,
  );
  let previousEnd = -Infinity;
  return readable.map((item, i) => {
    const minutes = durationMinutes(item.interval_length ?? step);
    const end = ends[i]!;
    const start = end - minutes * 60_000;
    // Intervals follow each other: a repeated or overlapping time is a broken answer.
    if (start < previousEnd) {
      throw new ProtocolError(
        `Enedis sent overlapping or repeated times around "${item.date}"; nothing of this answer was stored`,
        'overlapping_times',
      );
    }
    previousEnd = end;
    const watts = toNumber(item.value, item.date);
    return {
      usagePoint,
      kind,
      day: localDay(start, tz),
      start: isoInZone(start, tz),
      end: isoInZone(end, tz),
      value: watts,
      unit: 'W',
      energyWh: (watts * minutes) / 60,
    };
  });
}

/** Daily values (one per local day, max_power with the instant of its maximum): unreadable dates go to `dropped`. */
function dailyReadings(
  items: Array<z.infer<typeof intervalSchema>>,
  kind: ReadingKind,
  usagePoint: string,
  tz: string,
  dropped: Dropped[],
): Reading[] {
  const seen = new Set<string>();
  const readings: Reading[] = [];
  for (const item of items) {
    let day = item.date.slice(0, 10);
    let at: string | undefined;
    if (kind === 'max_power' && item.date.length > 10) {
      // The instant of the maximum: local wall time, or exact when the label has an offset or Z.
      const instants = instantsForLabel(item.date, tz);
      if (instants.length) {
        at = isoInZone(instants[0]!, tz);
        day = localDay(instants[0]!, tz);
      } else day = '';
    }
    if (!isDay(day)) {
      dropped.push({
        code: 'bad_date',
        line: `Enedis sent the date "${item.date}", which is not a ${kind === 'max_power' ? 'day or date and time' : 'day'}`,
      });
      continue;
    }
    if (seen.has(day))
      throw new ProtocolError(`Enedis sent the day ${day} twice in one answer; nothing of this answer was stored`, 'duplicate_date');
    seen.add(day);
    const reading: Reading = {
      usagePoint,
      kind,
      day,
      start: isoInZone(dayStart(day, tz), tz),
      end: isoInZone(dayStart(addDays(day, 1), tz), tz),
      value: toNumber(item.value, item.date),
      unit: KIND_INFO[kind].unit,
    };
    if (at) reading.at = at;
    readings.push(reading);
  }
  return readings;
}

/** Half-hours in a local day: now in plugin/time/local.ts (the tariff needs it without the client). */
export { expectedPoints } from '../time/local.js';
