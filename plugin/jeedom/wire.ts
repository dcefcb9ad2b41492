/**
 * Jeedom's wire format, decoded (docs/jeedom-api.md). Pure: no I/O, so that every quirk of the
 * answers is read in one place and tested without a box.
 *
 * - Jeedom answers `"ok"` where an empty list or an unset value is meant, sends numbers, ids and
 *   booleans as strings ("1"/"0"), and stores history values as strings.
 * - The JSON-RPC envelope's error is mapped to the typed errors of ./errors.ts by wire code, never
 *   by the French message. Messages quoting the box go through the transport's `redact` (the API key
 *   never appears in an error).
 * - What jeelinky sends back is checked here too: a history datetime is `YYYY-MM-DD HH:MM:SS` in the
 *   box's timezone.
 */
import moment from 'moment-timezone';
import { ConfigError } from '../errors.js';
import { JeedomAuthError, JeedomMethodError, JeedomNotFoundError, JeedomProtocolError, JeedomRpcCode, JeedomRpcError } from './errors.js';

/** Jeedom's own default when the box has no `timezone` config key. */
export const JEEDOM_DEFAULT_TZ = 'Europe/Brussels';

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

/** What jeelinky::writeHistory answers: rows written, rows dropped, current values set. */
export interface JeedomBatchResult {
  written: number;
  dropped: number;
  current: number;
}

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

export function asRecord(v: unknown): Record<string, unknown> {
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

/** `"ok"` is Jeedom's answer for an empty result (docs/jeedom-api.md §1): read it as an empty array. */
export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function toHistoryRow(raw: unknown): JeedomHistoryRow {
  const r = asRecord(raw);
  return { cmd_id: num(r.cmd_id), datetime: String(r.datetime ?? ''), value: String(r.value ?? '') };
}

export function toStatistique(raw: unknown): JeedomStatistique {
  const r = asRecord(raw);
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

/** `cmd::execCmd` with a list of ids answers an object keyed by id. */
export function toCurrentValues(raw: unknown): Map<number, JeedomCurrentValue> {
  const out = new Map<number, JeedomCurrentValue>();
  for (const [k, v] of Object.entries(asRecord(raw))) {
    const r = asRecord(v);
    out.set(Number(k), { value: r.value, collectDate: String(r.collectDate ?? '') });
  }
  return out;
}

/** A config value; `undefined` when unset (Jeedom answers "ok"). */
export function toConfigValue(raw: unknown): string | undefined {
  return raw === 'ok' || raw === '' || raw === null || raw === undefined ? undefined : String(raw);
}

/** The box's timezone from its config value: Jeedom's default when unset, a clear error when unknown. */
export function toTimezone(configured: string | undefined, displayUrl: string): string {
  const zone = configured ?? JEEDOM_DEFAULT_TZ;
  if (!moment.tz.zone(zone)) {
    throw new ConfigError(
      `Jeedom at ${displayUrl} has timezone "${zone}", which jeelinky does not know: set an IANA zone in Jeedom's configuration`,
      'jeedom_timezone',
    );
  }
  return zone;
}

/** The batch method's version, or undefined when the answer does not describe a usable one. */
export function toBatchSupport(raw: unknown): JeedomBatchSupport | undefined {
  const r = asRecord(raw);
  const api = num(r.api);
  const maxPoints = num(r.maxPoints);
  return api >= 1 && maxPoints > 0 ? { api, maxPoints } : undefined;
}

export function toBatchResult(raw: unknown): JeedomBatchResult {
  const r = asRecord(raw);
  return { written: num(r.written), dropped: num(r.dropped), current: num(r.current) };
}

/**
 * A datetime for cmd::event or jeelinky::writeHistory must be `YYYY-MM-DD HH:MM:SS` in the box's
 * timezone (an ISO string with offset fails after changing the current value; an epoch is stored
 * as garbage): refused here before it is sent.
 */
export function checkJeedomDatetime(datetime: string): void {
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(datetime)) {
    throw new ConfigError(
      `refusing to send datetime "${datetime}" to Jeedom: it must be YYYY-MM-DD HH:MM:SS in the box's timezone`,
      'jeedom_datetime',
    );
  }
}

/** Who answered and to what, for the messages of the decoded errors. */
export interface AnswerContext {
  /** `Jeedom at <url>`. */
  where: string;
  method: string;
  /** Masks the API key in text quoted from the box. */
  redact: (text: string) => string;
}

/** A decoded JSON-RPC answer: its `result` ("ok" included), or the error and whether another attempt may succeed. */
export type DecodedAnswer = { result: unknown } | { error: Error; transient: boolean };

/** The JSON-RPC envelope of an HTTP answer that reached Jeedom (status 2xx or 4xx other than 401/403/404). */
export function decodeAnswer(text: string, status: number, ctx: AnswerContext): DecodedAnswer {
  const { where, method } = ctx;
  let envelope: Record<string, unknown>;
  try {
    envelope = asRecord(JSON.parse(text));
  } catch {
    const looksHtml = /^\s*</.test(text);
    return {
      error: new JeedomProtocolError(
        `${where} did not answer JSON-RPC to ${method} (${looksHtml ? 'an HTML page' : 'not JSON'}, HTTP ${status}): check JEELINKY_JEEDOM_URL points to the Jeedom box itself`,
      ),
      transient: true,
    };
  }
  if ('error' in envelope && envelope.error) return { error: rpcError(asRecord(envelope.error), ctx), transient: false };
  if (!('result' in envelope)) {
    return {
      error: new JeedomProtocolError(`${where} answered ${method} without result nor error: is this a Jeedom box?`),
      transient: true,
    };
  }
  return { result: envelope.result };
}

/** The typed error for a JSON-RPC error object, by its wire code. */
export function rpcError(error: Record<string, unknown>, ctx: AnswerContext): Error {
  const { where, method } = ctx;
  const code = Number(error.code);
  const message = ctx.redact(String(error.message ?? '')).slice(0, 300);
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
