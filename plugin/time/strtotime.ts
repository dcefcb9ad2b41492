/**
 * PHP `strtotime` for TypeScript: the date expressions of Jeedom scenarios (`first day of last month
 * 00:00:00`, `monday last week`, `2 days ago 00:00`, ...) resolved to the very instant PHP 8.2 gives,
 * in a given IANA zone, independently of the process's TZ. The parser is a rule-for-rule port of
 * PHP's timelib (see grammar.ts, parse.ts, resolve.ts); php-cli is the oracle of its tests.
 */
import { DateExpressionError } from '../errors.js';
import { parse, type ParseError } from './parse.js';
import { fillHoles, unixtimeToLocal, updateTs } from './resolve.js';
import { findZone, type Zone } from './zone.js';

/** The largest instant a JavaScript Date can hold, in seconds. */
const MAX_EPOCH_SECONDS = 8.64e12;

function zoneOrThrow(tz: string): Zone {
  const zone = findZone(tz);
  if (!zone) {
    throw new DateExpressionError(`unknown time zone "${tz}": use an IANA name such as Europe/Paris, America/New_York or UTC`);
  }
  return zone;
}

/** True when `tz` is a time zone this module knows (IANA names, case-insensitive). */
export function isKnownTimeZone(tz: string): boolean {
  return findZone(tz) !== null;
}

function nowSeconds(now: Date | number): number {
  const ms = typeof now === 'number' ? now : now.getTime();
  if (!Number.isFinite(ms)) throw new DateExpressionError('the reference time ("now") is not a valid date');
  return Math.floor(ms / 1000);
}

/** Characters (not bytes) before byte offset `byteOffset` of the UTF-8 text held in `bytes`. */
function charIndex(bytes: string, byteOffset: number): number {
  return Buffer.from(bytes.slice(0, byteOffset), 'latin1').toString('utf8').length;
}

const REASONS: Record<string, (token: string) => string> = {
  'The timezone could not be found in the database': (t) => `"${t}" is neither a date word PHP knows nor a time zone`,
  'Unexpected character': (t) => `unexpected character "${t}"`,
  'Double time specification': (t) => `"${t}" is a second time of day`,
  'Double date specification': (t) => `"${t}" is a second date`,
  'Double timezone specification': (t) => `"${t}" is a third time zone`,
  'Found unexpected data': (t) => `"${t}" is missing its number`,
  'Number out of range': (t) => `the number in "${t}" is out of range`,
};

function explain(bytes: string, offset: number, err: ParseError): string {
  const start = charIndex(bytes, offset + err.position);
  const token = Buffer.from(bytes.slice(offset + err.position, offset + err.position + err.length), 'latin1')
    .toString('utf8')
    .replace(/\0+$/, '');
  return `position ${start + 1}: ${(REASONS[err.message] ?? (() => err.message))(token)}`;
}

/** The first error, then up to two more, 1-based character positions in the expression. */
function describe(expr: string, bytes: string, offset: number, errors: ParseError[]): string {
  if (errors[0]!.message === 'Empty string') return 'cannot understand an empty date expression';
  const more = errors
    .slice(1, 3)
    .map((e) => `; then at ${explain(bytes, offset, e)}`)
    .join('');
  return (
    `cannot understand "${expr}" at ${explain(bytes, offset, errors[0]!)}${more} ` +
    `(PHP strtotime rejects it; Jeedom would silently use 1970-01-01)`
  );
}

/**
 * Resolves `expr` like PHP 8.2's `strtotime($expr, $now)` with `date_default_timezone_set($tz)`.
 * `now` is a Date or epoch milliseconds (PHP only sees whole seconds). Throws DateExpressionError
 * where PHP returns false, saying where it stopped understanding.
 */
export function strtotime(expr: string, now: Date | number, tz: string): Date {
  return new Date(strtotimeSeconds(expr, now, tz) * 1000);
}

/** Same as strtotime, as epoch seconds (PHP's own return value). */
export function strtotimeSeconds(expr: string, now: Date | number, tz: string): number {
  const zone = zoneOrThrow(tz);
  const nowTs = nowSeconds(now);
  const bytes = Buffer.from(expr, 'utf8').toString('latin1');
  const result = parse(bytes);
  if (result.errors.length > 0) {
    throw new DateExpressionError(describe(expr, bytes, result.offset, result.errors));
  }
  const t = result.time;
  fillHoles(t, unixtimeToLocal(nowTs, zone));
  const ts = updateTs(t);
  if (!Number.isFinite(ts) || Math.abs(ts) > MAX_EPOCH_SECONDS) {
    throw new DateExpressionError(`"${expr}" resolves to a date out of range`);
  }
  return ts;
}

/** `2025-10-26T02:30:00+01:00`: the instant in `tz`, with seconds and the UTC offset. */
export function formatIso(d: Date, tz: string): string {
  const zone = zoneOrThrow(tz);
  const ts = Math.floor(d.getTime() / 1000);
  const p = unixtimeToLocal(ts, zone);
  const pad = (n: number, w = 2): string => String(Math.abs(n)).padStart(w, '0');
  const year = p.y < 0 ? `-${pad(p.y, 4)}` : pad(p.y, 4);
  const off = Math.abs(p.z);
  const sign = p.z < 0 ? '-' : '+';
  return (
    `${year}-${pad(p.m)}-${pad(p.d)}T${pad(p.h)}:${pad(p.i)}:${pad(p.s)}` +
    `${sign}${pad(Math.floor(off / 3600))}:${pad(Math.floor((off % 3600) / 60))}`
  );
}

/** `2025-10-26 02:30:00`: the naive local datetime Jeedom stores and compares, in `tz`. */
export function formatJeedomDatetime(d: Date, tz: string): string {
  return formatIso(d, tz).slice(0, 19).replace('T', ' ');
}
