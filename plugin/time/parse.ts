/**
 * The actions of PHP's date scanner (timelib `parse_date.re`, `timelib_strtotime`), ported one by
 * one: each token fills fields of a "parsed time" exactly like the C code, quirks included (a
 * weekday name resets the time of day, `yesterday` overwrites a relative day count, `2024` alone
 * is the time 20:24, ...). Errors are collected like timelib's; strtotime fails when there is any.
 */
import { RULES, getLexer, type RuleName } from './grammar.js';
import { TZ_ABBREVIATIONS } from './tzabbr.js';
import { findZone, type Zone } from './zone.js';

export const UNSET = -99999;

export const ZONETYPE_OFFSET = 1;
export const ZONETYPE_ABBR = 2;
export const ZONETYPE_ID = 3;

export const SPECIAL_WEEKDAY = 1;
export const SPECIAL_DAY_OF_WEEK_IN_MONTH = 2;
export const SPECIAL_LAST_DAY_OF_WEEK_IN_MONTH = 3;
export const FIRST_DAY_OF_MONTH = 1;
export const LAST_DAY_OF_MONTH = 2;

export interface RelTime {
  y: number;
  m: number;
  d: number;
  h: number;
  i: number;
  s: number;
  us: number;
  weekday: number;
  weekdayBehavior: number;
  firstLastDayOf: number;
  haveWeekdayRelative: boolean;
  haveSpecialRelative: boolean;
  specialType: number;
  specialAmount: number;
}

export interface ParsedTime {
  y: number;
  m: number;
  d: number;
  h: number;
  i: number;
  s: number;
  us: number;
  z: number;
  dst: number;
  haveTime: number;
  haveDate: boolean;
  haveZone: number;
  haveRelative: boolean;
  zoneType: number;
  zone: Zone | null;
  relative: RelTime;
}

export interface ParseError {
  /** Byte offset of the token in the trimmed input. */
  position: number;
  /** Length in bytes of the token that failed (at least 1). */
  length: number;
  message: string;
}

const UNIT_SEC = 1;
const UNIT_MIN = 2;
const UNIT_HOUR = 3;
const UNIT_DAY = 4;
const UNIT_MONTH = 5;
const UNIT_YEAR = 6;
const UNIT_WEEKDAY = 7;
const UNIT_SPECIAL = 8;
const UNIT_MICROSEC = 9;

/** timelib_relunit_lookup: first match wins. */
const RELUNITS: Array<[string, number, number]> = [
  ['ms', UNIT_MICROSEC, 1000],
  ['msec', UNIT_MICROSEC, 1000],
  ['msecs', UNIT_MICROSEC, 1000],
  ['millisecond', UNIT_MICROSEC, 1000],
  ['milliseconds', UNIT_MICROSEC, 1000],
  ['\xc2\xb5s', UNIT_MICROSEC, 1],
  ['usec', UNIT_MICROSEC, 1],
  ['usecs', UNIT_MICROSEC, 1],
  ['\xc2\xb5sec', UNIT_MICROSEC, 1],
  ['\xc2\xb5secs', UNIT_MICROSEC, 1],
  ['microsecond', UNIT_MICROSEC, 1],
  ['microseconds', UNIT_MICROSEC, 1],
  ['sec', UNIT_SEC, 1],
  ['secs', UNIT_SEC, 1],
  ['second', UNIT_SEC, 1],
  ['seconds', UNIT_SEC, 1],
  ['min', UNIT_MIN, 1],
  ['mins', UNIT_MIN, 1],
  ['minute', UNIT_MIN, 1],
  ['minutes', UNIT_MIN, 1],
  ['hour', UNIT_HOUR, 1],
  ['hours', UNIT_HOUR, 1],
  ['day', UNIT_DAY, 1],
  ['days', UNIT_DAY, 1],
  ['week', UNIT_DAY, 7],
  ['weeks', UNIT_DAY, 7],
  ['fortnight', UNIT_DAY, 14],
  ['fortnights', UNIT_DAY, 14],
  ['forthnight', UNIT_DAY, 14],
  ['forthnights', UNIT_DAY, 14],
  ['month', UNIT_MONTH, 1],
  ['months', UNIT_MONTH, 1],
  ['year', UNIT_YEAR, 1],
  ['years', UNIT_YEAR, 1],
  ['mondays', UNIT_WEEKDAY, 1],
  ['monday', UNIT_WEEKDAY, 1],
  ['mon', UNIT_WEEKDAY, 1],
  ['tuesdays', UNIT_WEEKDAY, 2],
  ['tuesday', UNIT_WEEKDAY, 2],
  ['tue', UNIT_WEEKDAY, 2],
  ['wednesdays', UNIT_WEEKDAY, 3],
  ['wednesday', UNIT_WEEKDAY, 3],
  ['wed', UNIT_WEEKDAY, 3],
  ['thursdays', UNIT_WEEKDAY, 4],
  ['thursday', UNIT_WEEKDAY, 4],
  ['thu', UNIT_WEEKDAY, 4],
  ['fridays', UNIT_WEEKDAY, 5],
  ['friday', UNIT_WEEKDAY, 5],
  ['fri', UNIT_WEEKDAY, 5],
  ['saturdays', UNIT_WEEKDAY, 6],
  ['saturday', UNIT_WEEKDAY, 6],
  ['sat', UNIT_WEEKDAY, 6],
  ['sundays', UNIT_WEEKDAY, 0],
  ['sunday', UNIT_WEEKDAY, 0],
  ['sun', UNIT_WEEKDAY, 0],
  ['weekday', UNIT_SPECIAL, SPECIAL_WEEKDAY],
  ['weekdays', UNIT_SPECIAL, SPECIAL_WEEKDAY],
];

/** timelib_reltext_lookup: [value, behavior]. */
const RELTEXT: Record<string, [number, number]> = {
  first: [1, 0],
  next: [1, 0],
  second: [2, 0],
  third: [3, 0],
  fourth: [4, 0],
  fifth: [5, 0],
  sixth: [6, 0],
  seventh: [7, 0],
  eight: [8, 0],
  eighth: [8, 0],
  ninth: [9, 0],
  tenth: [10, 0],
  eleventh: [11, 0],
  twelfth: [12, 0],
  last: [-1, 0],
  previous: [-1, 0],
  this: [0, 1],
};

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
  i: 1,
  ii: 2,
  iii: 3,
  iv: 4,
  v: 5,
  vi: 6,
  vii: 7,
  viii: 8,
  ix: 9,
  x: 10,
  xi: 11,
  xii: 12,
  january: 1,
  february: 2,
  march: 3,
  april: 4,
  june: 6,
  july: 7,
  august: 8,
  september: 9,
  october: 10,
  november: 11,
  december: 12,
};

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isAlpha = (c: string): boolean => (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
/** ASCII-only lower case, like timelib_strcasecmp (bytes >= 0x80 unchanged). */
const lower = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** A cursor over one token, read like the C code reads its NUL-terminated copy of the token. */
class Cur {
  p = 0;
  constructor(readonly t: string) {}
  at(k = 0): string {
    const c = this.t[this.p + k];
    return c === undefined ? '\0' : c;
  }
}

/** C `strtol`/`strtoll` base 10 on a string: optional sign, then digits; 0 when none. */
function strtol(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m ? parseInt(m[1]!, 10) : 0;
}

function newParsedTime(): ParsedTime {
  return {
    y: UNSET,
    m: UNSET,
    d: UNSET,
    h: UNSET,
    i: UNSET,
    s: UNSET,
    us: UNSET,
    z: UNSET,
    dst: UNSET,
    haveTime: 0,
    haveDate: false,
    haveZone: 0,
    haveRelative: false,
    zoneType: 0,
    zone: null,
    relative: {
      y: 0,
      m: 0,
      d: 0,
      h: 0,
      i: 0,
      s: 0,
      us: 0,
      weekday: 0,
      weekdayBehavior: 0,
      firstLastDayOf: 0,
      haveWeekdayRelative: false,
      haveSpecialRelative: false,
      specialType: 0,
      specialAmount: 0,
    },
  };
}

/** Thrown inside an action to end it early, like the C `return TIMELIB_ERROR`. */
class AbortToken {}

class Scanner {
  readonly time = newParsedTime();
  readonly errors: ParseError[] = [];
  private tokStart = 0;
  private tokLength = 1;

  constructor(private readonly input: string) {}

  private addError(message: string): void {
    this.errors.push({ position: this.tokStart, length: Math.max(1, this.tokLength), message });
  }

  run(): void {
    const lexer = getLexer();
    let pos = 0;
    // re2c stops (YYFILL) once the real input is consumed; the zero padding only serves lookahead.
    while (pos < this.input.length) {
      const m = lexer.match(this.input, pos, 32);
      const length = m ? m.length : 1;
      const rule: RuleName = m ? RULES[m.rule]![0] : 'any';
      let token = this.input.slice(pos, pos + length);
      if (token.length < length) token += '\0'.repeat(length - token.length);
      this.tokStart = pos;
      this.tokLength = length;
      pos += length;
      try {
        this.action(rule, new Cur(token.split('\0')[0]!));
      } catch (e) {
        if (!(e instanceof AbortToken)) throw e;
      }
    }
  }

  // --- timelib macros -----------------------------------------------------------------------
  private haveTime(): void {
    const t = this.time;
    if (t.haveTime) {
      this.addError('Double time specification');
      throw new AbortToken();
    }
    t.haveTime = 1;
    t.h = t.i = t.s = t.us = 0;
  }
  private unhaveTime(): void {
    const t = this.time;
    t.haveTime = 0;
    t.h = t.i = t.s = t.us = 0;
  }
  private haveDate(): void {
    if (this.time.haveDate) {
      this.addError('Double date specification');
      throw new AbortToken();
    }
    this.time.haveDate = true;
  }
  private unhaveDate(): void {
    const t = this.time;
    t.haveDate = false;
    t.d = t.m = t.y = 0;
  }
  private haveRelative(): void {
    this.time.haveRelative = true;
  }
  private haveWeekdayRelative(): void {
    this.time.haveRelative = true;
    this.time.relative.haveWeekdayRelative = true;
  }
  private haveSpecialRelative(): void {
    this.time.haveRelative = true;
    this.time.relative.haveSpecialRelative = true;
  }
  private haveTz(): void {
    const t = this.time;
    if (t.haveZone) {
      // A second zone is only a warning in timelib; a third is an error. The token is dropped.
      if (t.haveZone > 1) this.addError('Double timezone specification');
      t.haveZone++;
      throw new AbortToken();
    }
    t.haveZone++;
  }
  private static processYear(y: number, length: number): number {
    if (y === UNSET || length >= 4) return y;
    if (y < 100) return y < 70 ? y + 2000 : y + 1900;
    return y;
  }

  // --- timelib helper functions ------------------------------------------------------------
  private getNrEx(c: Cur, maxLength: number): { value: number; length: number } {
    while (!isDigit(c.at())) {
      if (c.at() === '\0') return { value: UNSET, length: 0 };
      c.p++;
    }
    const begin = c.p;
    while (isDigit(c.at()) && c.p - begin < maxLength) c.p++;
    return { value: parseInt(c.t.slice(begin, c.p), 10), length: c.p - begin };
  }
  private getNr(c: Cur, maxLength: number): number {
    return this.getNrEx(c, maxLength).value;
  }
  private static skipDaySuffix(c: Cur): void {
    if (' \t\n\v\f\r'.includes(c.at())) return;
    const two = lower(c.at() + c.at(1));
    if (two === 'nd' || two === 'rd' || two === 'st' || two === 'th') c.p += 2;
  }
  private static getFracNr(c: Cur): number {
    while (c.at() !== '.' && c.at() !== ':' && !isDigit(c.at())) {
      if (c.at() === '\0') return UNSET;
      c.p++;
    }
    const begin = c.p;
    while (c.at() === '.' || c.at() === ':' || isDigit(c.at())) c.p++;
    const digits = c.t.slice(begin + 1, c.p);
    const m = /^\d*(\.\d*)?/.exec(digits);
    const v = m && m[0] !== '' && m[0] !== '.' ? parseFloat(m[0]) : 0;
    return Math.trunc(v * 10 ** (7 - (c.p - begin)));
  }
  /** Like PHP 8.2's timelib: every leading sign flips the direction ("--1" is 1, "+-1" is -1). */
  private getSignedNr(c: Cur, maxLength: number): number {
    let dir = 1;
    while (!isDigit(c.at()) && c.at() !== '+' && c.at() !== '-') {
      if (c.at() === '\0') {
        this.addError('Found unexpected data');
        return 0;
      }
      c.p++;
    }
    while (c.at() === '+' || c.at() === '-') {
      if (c.at() === '-') dir = -dir;
      c.p++;
    }
    while (!isDigit(c.at())) {
      if (c.at() === '\0') {
        this.addError('Found unexpected data');
        return 0;
      }
      c.p++;
    }
    const begin = c.p;
    while (isDigit(c.at()) && c.p - begin < maxLength) c.p++;
    const n = BigInt(c.t.slice(begin, c.p));
    if (n > 9223372036854775807n) {
      this.addError('Number out of range');
      return 0;
    }
    return dir * Number(n);
  }
  private static lookupRelativeText(c: Cur): { value: number; behavior: number | undefined } {
    const begin = c.p;
    while (isAlpha(c.at())) c.p++;
    const found = RELTEXT[lower(c.t.slice(begin, c.p))];
    return found ? { value: found[0], behavior: found[1] } : { value: 0, behavior: undefined };
  }
  private static getRelativeText(c: Cur): { value: number; behavior: number | undefined } {
    while (c.at() === ' ' || c.at() === '\t' || c.at() === '-' || c.at() === '/') c.p++;
    return Scanner.lookupRelativeText(c);
  }
  private static lookupMonth(c: Cur): number {
    const begin = c.p;
    while (isAlpha(c.at())) c.p++;
    return MONTHS[lower(c.t.slice(begin, c.p))] ?? 0;
  }
  private static getMonth(c: Cur): number {
    while (' \t-./'.includes(c.at()) && c.at() !== '\0') c.p++;
    return Scanner.lookupMonth(c);
  }
  private static eatSpaces(c: Cur): void {
    for (;;) {
      if (c.at() === ' ' || c.at() === '\t') c.p++;
      else if (c.at() === '\xe2' && c.at(1) === '\x80' && c.at(2) === '\xaf') c.p += 3;
      else if (c.at() === '\xc2' && c.at(1) === '\xa0') c.p += 2;
      else return;
    }
  }
  private static lookupRelunit(c: Cur): [string, number, number] | undefined {
    const begin = c.p;
    while (!'\0 ,\t;:/.-()'.includes(c.at())) c.p++;
    const word = lower(c.t.slice(begin, c.p));
    return RELUNITS.find(([name]) => name === word);
  }
  private setRelative(c: Cur, amount: number, behavior: number, keepTime: boolean): void {
    const unit = Scanner.lookupRelunit(c);
    if (!unit) return;
    const [, kind, multiplier] = unit;
    const r = this.time.relative;
    const add = (v: number): number => {
      const sum = v + amount * multiplier;
      if (!Number.isSafeInteger(sum)) this.addError('Number out of range');
      return sum;
    };
    switch (kind) {
      case UNIT_MICROSEC:
        r.us = add(r.us);
        break;
      case UNIT_SEC:
        r.s = add(r.s);
        break;
      case UNIT_MIN:
        r.i = add(r.i);
        break;
      case UNIT_HOUR:
        r.h = add(r.h);
        break;
      case UNIT_DAY:
        r.d = add(r.d);
        break;
      case UNIT_MONTH:
        r.m = add(r.m);
        break;
      case UNIT_YEAR:
        r.y = add(r.y);
        break;
      case UNIT_WEEKDAY:
        this.haveWeekdayRelative();
        if (!keepTime) this.unhaveTime();
        r.d += (amount > 0 ? amount - 1 : amount) * 7;
        r.weekday = multiplier;
        r.weekdayBehavior = behavior;
        break;
      case UNIT_SPECIAL:
        this.haveSpecialRelative();
        if (!keepTime) this.unhaveTime();
        r.specialType = multiplier;
        r.specialAmount = amount;
        break;
    }
  }
  private static meridian(c: Cur, h: number): number {
    let ret = 0;
    // C strchr("AaPp", c) also matches the terminating NUL, so the scan stops at the end.
    while (!('AaPp'.includes(c.at()) || c.at() === '\0')) c.p++;
    if (c.at() === 'a' || c.at() === 'A') {
      if (h === 12) ret = -12;
    } else if (h !== 12) ret = 12;
    c.p++;
    if (c.at() === '.') c.p++;
    if (c.at() === 'M' || c.at() === 'm') c.p++;
    if (c.at() === '.') c.p++;
    return ret;
  }
  private static parseTzCor(c: Cur): { value: number; notFound: boolean } {
    const begin = c.p;
    while (isDigit(c.at()) || c.at() === ':') c.p++;
    const s = c.t.slice(begin, c.p);
    const H = (x: number): number => x * 3600;
    const M = (x: number): number => x * 60;
    switch (s.length) {
      case 1:
      case 2:
        return { value: H(strtol(s)), notFound: false };
      case 3:
      case 4:
        if (s[1] === ':') return { value: H(strtol(s)) + M(strtol(s.slice(2))), notFound: false };
        if (s[2] === ':') return { value: H(strtol(s)) + M(strtol(s.slice(3))), notFound: false };
        {
          const tmp = strtol(s);
          return { value: H(Math.trunc(tmp / 100)) + M(tmp % 100), notFound: false };
        }
      case 5:
        if (s[2] !== ':') break;
        return { value: H(strtol(s)) + M(strtol(s.slice(3))), notFound: false };
      case 6: {
        const tmp = strtol(s);
        return { value: H(Math.trunc(tmp / 10000)) + M(Math.trunc(tmp / 100) % 100) + (tmp % 100), notFound: false };
      }
      case 8:
        if (s[2] !== ':' || s[5] !== ':') break;
        return { value: H(strtol(s)) + M(strtol(s.slice(3))) + strtol(s.slice(6)), notFound: false };
    }
    return { value: 0, notFound: true };
  }
  /** timelib_parse_zone; sets zone fields on the time and returns z, adding an error if unknown. */
  private parseZone(c: Cur): number {
    const t = this.time;
    let notFound = false;
    let retval = 0;
    while (c.at() === ' ' || c.at() === '\t' || c.at() === '(') c.p++;
    if (c.at() === 'G' && c.at(1) === 'M' && c.at(2) === 'T' && (c.at(3) === '+' || c.at(3) === '-')) c.p += 3;
    if (c.at() === '+' || c.at() === '-') {
      const negative = c.at() === '-';
      c.p++;
      t.zoneType = ZONETYPE_OFFSET;
      t.dst = 0;
      const cor = Scanner.parseTzCor(c);
      notFound = cor.notFound;
      retval = negative ? -cor.value : cor.value;
    } else {
      let found = 0;
      const begin = c.p;
      while (isAlpha(c.at()) || isDigit(c.at()) || '/_-+'.includes(c.at())) {
        if (c.at() === '\0') break;
        c.p++;
      }
      const word = c.t.slice(begin, c.p);
      const lw = lower(word);
      // timelib only looks words shorter than MAX_ABBR_LEN (6) up as abbreviations.
      const abbrOffset = word.length < 6 ? abbrLookup(lw) : undefined;
      if (abbrOffset !== undefined) {
        t.zoneType = ZONETYPE_ABBR;
        t.dst = 0;
        retval = abbrOffset;
        found = 1;
      }
      if (!found || word === 'UTC') {
        const zone = word ? findZone(word) : null;
        if (zone) {
          t.zone = zone;
          t.zoneType = ZONETYPE_ID;
          found++;
        }
      }
      notFound = found === 0;
    }
    while (c.at() === ')') c.p++;
    if (notFound) this.addError('The timezone could not be found in the database');
    return retval;
  }

  // --- the rule actions ----------------------------------------------------------------------
  private action(rule: RuleName, c: Cur): void {
    const t = this.time;
    const r = t.relative;
    switch (rule) {
      case 'yesterday':
        this.haveRelative();
        this.unhaveTime();
        r.d = -1;
        return;
      case 'now':
        return;
      case 'noon':
        this.unhaveTime();
        this.haveTime();
        t.h = 12;
        return;
      case 'midnight_today':
        this.unhaveTime();
        return;
      case 'tomorrow':
        this.haveRelative();
        this.unhaveTime();
        r.d = 1;
        return;
      case 'timestamp':
      case 'timestampms': {
        this.haveRelative();
        this.unhaveDate();
        this.unhaveTime();
        this.haveTz();
        const negative = c.at(1) === '-';
        const i = this.getSignedNr(c, 24);
        let us = 0;
        if (rule === 'timestampms') {
          const before = c.p;
          us = this.getSignedNr(c, 6);
          us = Math.trunc(us * 10 ** (7 - (c.p - before)));
          if (negative) us = -us;
        }
        t.y = 1970;
        t.m = 1;
        t.d = 1;
        t.h = t.i = t.s = 0;
        t.us = 0;
        r.s += i;
        if (rule === 'timestampms') r.us = us;
        t.zoneType = ZONETYPE_OFFSET;
        t.z = 0;
        t.dst = 0;
        return;
      }
      case 'firstlastdayof':
        this.haveRelative();
        r.firstLastDayOf = c.at() === 'l' || c.at() === 'L' ? LAST_DAY_OF_MONTH : FIRST_DAY_OF_MONTH;
        return;
      case 'backfrontof':
        this.unhaveTime();
        this.haveTime();
        if (c.at() === 'b') {
          t.h = this.getNr(c, 2);
          t.i = 15;
        } else {
          t.h = this.getNr(c, 2) - 1;
          t.i = 45;
        }
        if (c.at() !== '\0') {
          Scanner.eatSpaces(c);
          t.h += Scanner.meridian(c, t.h);
        }
        return;
      case 'weekdayof': {
        this.haveRelative();
        this.haveSpecialRelative();
        const rt = Scanner.getRelativeText(c);
        Scanner.eatSpaces(c);
        if (rt.value > 0) {
          r.specialType = SPECIAL_DAY_OF_WEEK_IN_MONTH;
          this.setRelative(c, rt.value, 1, false);
        } else {
          r.specialType = SPECIAL_LAST_DAY_OF_WEEK_IN_MONTH;
          this.setRelative(c, rt.value, rt.behavior ?? 0, false);
        }
        return;
      }
      case 'time12':
        this.haveTime();
        t.h = this.getNr(c, 2);
        if (c.at() === ':' || c.at() === '.') {
          t.i = this.getNr(c, 2);
          if (c.at() === ':' || c.at() === '.') t.s = this.getNr(c, 2);
        }
        Scanner.eatSpaces(c);
        t.h += Scanner.meridian(c, t.h);
        return;
      case 'mssqltime':
        this.haveTime();
        t.h = this.getNr(c, 2);
        t.i = this.getNr(c, 2);
        if (c.at() === ':' || c.at() === '.') {
          t.s = this.getNr(c, 2);
          if (c.at() === ':' || c.at() === '.') t.us = Scanner.getFracNr(c);
        }
        Scanner.eatSpaces(c);
        t.h += Scanner.meridian(c, t.h);
        return;
      case 'time24':
        this.haveTime();
        t.h = this.getNr(c, 2);
        if (c.at() === ':' || c.at() === '.') {
          t.i = this.getNr(c, 2);
          if (c.at() === ':' || c.at() === '.') {
            t.s = this.getNr(c, 2);
            if (c.at() === '.') t.us = Scanner.getFracNr(c);
          }
        }
        if (c.at() !== '\0') t.z = this.parseZone(c);
        return;
      case 'gnunocolon':
        switch (t.haveTime) {
          case 0:
            t.h = this.getNr(c, 2);
            t.i = this.getNr(c, 2);
            t.s = 0;
            break;
          case 1:
            t.y = this.getNr(c, 4);
            break;
          default:
            this.addError('Double time specification');
            return;
        }
        t.haveTime++;
        return;
      case 'iso8601nocolon':
        this.haveTime();
        t.h = this.getNr(c, 2);
        t.i = this.getNr(c, 2);
        t.s = this.getNr(c, 2);
        if (c.at() !== '\0') t.z = this.parseZone(c);
        return;
      case 'american':
        this.haveDate();
        t.m = this.getNr(c, 2);
        t.d = this.getNr(c, 2);
        if (c.at() === '/') {
          const y = this.getNrEx(c, 4);
          t.y = Scanner.processYear(y.value, y.length);
        }
        return;
      case 'iso8601date4':
        this.haveDate();
        t.y = this.getSignedNr(c, 4);
        t.m = this.getNr(c, 2);
        t.d = this.getNr(c, 2);
        return;
      case 'iso8601date2':
      case 'gnudateshort': {
        this.haveDate();
        const y = this.getNrEx(c, 4);
        t.m = this.getNr(c, 2);
        t.d = this.getNr(c, 2);
        t.y = Scanner.processYear(y.value, y.length);
        return;
      }
      case 'iso8601datex':
        this.haveDate();
        t.y = this.getSignedNr(c, 19);
        t.m = this.getNr(c, 2);
        t.d = this.getNr(c, 2);
        return;
      case 'gnudateshorter': {
        this.haveDate();
        const y = this.getNrEx(c, 4);
        t.m = this.getNr(c, 2);
        t.d = 1;
        t.y = Scanner.processYear(y.value, y.length);
        return;
      }
      case 'datefull': {
        this.haveDate();
        t.d = this.getNr(c, 2);
        Scanner.skipDaySuffix(c);
        t.m = Scanner.getMonth(c);
        const y = this.getNrEx(c, 4);
        t.y = Scanner.processYear(y.value, y.length);
        return;
      }
      case 'pointeddate4':
        this.haveDate();
        t.d = this.getNr(c, 2);
        t.m = this.getNr(c, 2);
        t.y = this.getNr(c, 4);
        return;
      case 'pointeddate2': {
        this.haveDate();
        t.d = this.getNr(c, 2);
        t.m = this.getNr(c, 2);
        const y = this.getNrEx(c, 2);
        t.y = Scanner.processYear(y.value, y.length);
        return;
      }
      case 'datenoday': {
        this.haveDate();
        t.m = Scanner.getMonth(c);
        const y = this.getNrEx(c, 4);
        t.d = 1;
        t.y = Scanner.processYear(y.value, y.length);
        return;
      }
      case 'datenodayrev': {
        this.haveDate();
        const y = this.getNrEx(c, 4);
        t.m = Scanner.getMonth(c);
        t.d = 1;
        t.y = Scanner.processYear(y.value, y.length);
        return;
      }
      case 'datetextual':
      case 'pgtextshort': {
        this.haveDate();
        t.m = Scanner.getMonth(c);
        t.d = this.getNr(c, 2);
        const y = this.getNrEx(c, 4);
        t.y = Scanner.processYear(y.value, y.length);
        return;
      }
      case 'datenoyearrev':
        this.haveDate();
        t.d = this.getNr(c, 2);
        Scanner.skipDaySuffix(c);
        t.m = Scanner.getMonth(c);
        return;
      case 'datenocolon':
        this.haveDate();
        t.y = this.getNr(c, 4);
        t.m = this.getNr(c, 2);
        t.d = this.getNr(c, 2);
        return;
      case 'xmlrpc':
        this.haveTime();
        this.haveDate();
        t.y = this.getNr(c, 4);
        t.m = this.getNr(c, 2);
        t.d = this.getNr(c, 2);
        t.h = this.getNr(c, 2);
        t.i = this.getNr(c, 2);
        t.s = this.getNr(c, 2);
        if (c.at() === '.') {
          t.us = Scanner.getFracNr(c);
          if (c.at() !== '\0') t.z = this.parseZone(c);
        }
        return;
      case 'pgydotd': {
        this.haveDate();
        const y = this.getNrEx(c, 4);
        t.d = this.getNr(c, 3);
        t.m = 1;
        t.y = Scanner.processYear(y.value, y.length);
        return;
      }
      case 'isoweekday':
      case 'isoweek': {
        this.haveDate();
        this.haveRelative();
        t.y = this.getNr(c, 4);
        const w = this.getNr(c, 2);
        const d = rule === 'isoweekday' ? this.getNr(c, 1) : 1;
        t.m = 1;
        t.d = 1;
        r.d = daynrFromWeeknr(t.y, w, d);
        return;
      }
      case 'pgtextreverse': {
        this.haveDate();
        const y = this.getNrEx(c, 4);
        t.m = Scanner.getMonth(c);
        t.d = this.getNr(c, 2);
        t.y = Scanner.processYear(y.value, y.length);
        return;
      }
      case 'clf':
        this.haveTime();
        this.haveDate();
        t.d = this.getNr(c, 2);
        t.m = Scanner.getMonth(c);
        t.y = this.getNr(c, 4);
        t.h = this.getNr(c, 2);
        t.i = this.getNr(c, 2);
        t.s = this.getNr(c, 2);
        Scanner.eatSpaces(c);
        t.z = this.parseZone(c);
        return;
      case 'year4':
        t.y = this.getNr(c, 4);
        return;
      case 'ago':
        r.y = -r.y;
        r.m = -r.m;
        r.d = -r.d;
        r.h = -r.h;
        r.i = -r.i;
        r.s = -r.s;
        r.weekday = -r.weekday;
        if (r.weekday === 0) r.weekday = -7;
        if (r.haveSpecialRelative && r.specialType === SPECIAL_WEEKDAY) r.specialAmount = -r.specialAmount;
        return;
      case 'daytext': {
        this.haveRelative();
        this.haveWeekdayRelative();
        this.unhaveTime();
        const unit = Scanner.lookupRelunit(c);
        r.weekday = unit ? unit[2] : 0;
        if (r.weekdayBehavior !== 2) r.weekdayBehavior = 1;
        return;
      }
      case 'relativetextweek':
      case 'relativetext':
        this.haveRelative();
        while (c.at() !== '\0') {
          const before = c.p;
          const rt = Scanner.getRelativeText(c);
          Scanner.eatSpaces(c);
          this.setRelative(c, rt.value, rt.behavior ?? 0, false);
          if (rule === 'relativetextweek') {
            r.weekdayBehavior = 2;
            // "weekday + last/this/next week"
            if (!r.haveWeekdayRelative) {
              this.haveWeekdayRelative();
              r.weekday = 1;
            }
          }
          if (c.p === before) break;
        }
        return;
      case 'monthtext':
        this.haveDate();
        t.m = Scanner.lookupMonth(c);
        return;
      case 'tz':
        this.haveTz();
        Scanner.eatSpaces(c);
        t.z = this.parseZone(c);
        return;
      case 'dateshortwithtime12':
        this.haveDate();
        t.m = Scanner.getMonth(c);
        t.d = this.getNr(c, 2);
        this.haveTime();
        t.h = this.getNr(c, 2);
        t.i = this.getNr(c, 2);
        if (c.at() === ':' || c.at() === '.') {
          t.s = this.getNr(c, 2);
          if (c.at() === '.') t.us = Scanner.getFracNr(c);
        }
        t.h += Scanner.meridian(c, t.h);
        return;
      case 'dateshortwithtime':
        this.haveDate();
        t.m = Scanner.getMonth(c);
        t.d = this.getNr(c, 2);
        this.haveTime();
        t.h = this.getNr(c, 2);
        t.i = this.getNr(c, 2);
        if (c.at() === ':') {
          t.s = this.getNr(c, 2);
          if (c.at() === '.') t.us = Scanner.getFracNr(c);
        }
        if (c.at() !== '\0') t.z = this.parseZone(c);
        return;
      case 'relative':
        this.haveRelative();
        while (c.at() !== '\0') {
          const before = c.p;
          const i = this.getSignedNr(c, 24);
          Scanner.eatSpaces(c);
          this.setRelative(c, i, 1, true);
          if (c.p === before) break;
        }
        return;
      case 'skip':
      case 'space':
      case 'eol':
        return;
      case 'any':
        this.addError('Unexpected character');
        return;
    }
  }
}

function abbrLookup(lw: string): number | undefined {
  if (lw === 'utc' || lw === 'gmt') return 0;
  return Object.hasOwn(TZ_ABBREVIATIONS, lw) ? TZ_ABBREVIATIONS[lw] : undefined;
}

/** timelib_daynr_from_weeknr: day offset from January 1st of ISO week `w`, day `d`. */
function daynrFromWeeknr(iy: number, iw: number, id: number): number {
  const dow = dayOfWeek(iy, 1, 1);
  const day = 0 - (dow > 4 ? dow - 7 : dow);
  return day + (iw - 1) * 7 + id;
}

/** Day of week, 0 = Sunday, proleptic Gregorian (timelib_day_of_week). */
export function dayOfWeek(y: number, m: number, d: number): number {
  const days = daysFromCivil(y, m, d);
  return (((days + 4) % 7) + 7) % 7;
}

/** Days since 1970-01-01 of a valid proleptic Gregorian date. */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export interface ParseResult {
  time: ParsedTime;
  errors: ParseError[];
  /** The trimmed input as bytes (latin1 string) and where it starts in the original bytes. */
  bytes: string;
  offset: number;
}

/** timelib_strtotime: trims C white space, then scans. */
export function parse(bytes: string): ParseResult {
  // Exactly timelib's trim: a string of blanks keeps one blank (and then parses as "now").
  let s = 0;
  let e = bytes.length - 1;
  const ws = ' \t\n\v\f\r';
  while (s < e && ws.includes(bytes[s]!)) s++;
  while (e > s && ws.includes(bytes[e]!)) e--;
  const trimmed = bytes.slice(s, e + 1);
  if (trimmed === '') {
    return { time: newParsedTime(), errors: [{ position: 0, length: 0, message: 'Empty string' }], bytes: '', offset: s };
  }
  const scanner = new Scanner(trimmed);
  scanner.run();
  return { time: scanner.time, errors: scanner.errors, bytes: trimmed, offset: s };
}
