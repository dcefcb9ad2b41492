/**
 * How PHP and MariaDB treat the values the Jeedom simulator receives and answers: PHP's `empty()`,
 * `floatval`, float printing, MySQL's rounding and DATETIME casting, Jeedom's JSON attribute merge.
 */
import moment from 'moment-timezone';

/** PHP `empty()`: what makes Jeedom answer the string "ok" instead of the result. */
export function phpEmpty(v: unknown): boolean {
  return v === null || v === undefined || v === false || v === 0 || v === '' || v === '0' || (Array.isArray(v) && v.length === 0);
}

/** PHP serialises an empty associative array as `[]`. */
export function phpAssoc(o: Record<string, unknown>): Record<string, unknown> | unknown[] {
  return Object.keys(o).length === 0 ? [] : { ...o };
}

/** PHP floatval: the longest numeric prefix, else 0. */
export function floatval(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) ? v : 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v === null || v === undefined) return 0;
  const m = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(String(v));
  return m ? Number(m[0]) : 0;
}

/** How PHP prints a float into a varchar: no trailing `.0`, up to 17 significant digits. */
export function phpNumberString(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(Number(n.toPrecision(15)));
}

/** Half-up (away from zero) rounding to `d` decimals, as MySQL's CAST AS DECIMAL does. */
export function roundHalfUp(n: number, d: number): number {
  const f = 10 ** d;
  const r = Math.round(Math.abs(n) * f + 1e-7) / f;
  return n < 0 ? -r : r;
}

export function cents(value: string): number {
  const n = floatval(value);
  const c = Math.round(Math.abs(n) * 100 + 1e-7);
  return n < 0 ? -c : c;
}

/**
 * What MariaDB (strict mode) accepts in a DATETIME column, normalised; `undefined` means the
 * insert fails with error 1292. A 10-digit number is read as YYMMDDhhmm, hence an epoch
 * `1700000000` becomes `2017-00-00 00:00:00` (docs/jeedom-api.md §3, step 8).
 */
export function mysqlDatetime(input: string): string | undefined {
  const s = input.trim();
  if (/^\d{10}$/.test(s)) {
    const yy = Number(s.slice(0, 2));
    const year = yy < 70 ? 2000 + yy : 1900 + yy;
    return `${year}-${s.slice(2, 4)}-${s.slice(4, 6)} ${s.slice(6, 8)}:${s.slice(8, 10)}:00`;
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', se = '00'] = m;
  const day = moment.utc(`${y}-${mo}-${d}`, 'YYYY-MM-DD', true);
  if (!day.isValid() || Number(h) > 23 || Number(mi) > 59 || Number(se) > 59) return undefined;
  return `${y}-${mo}-${d} ${h}:${mi}:${se}`;
}

export function asRecord(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function str(v: unknown, dflt = ''): string {
  return v === null || v === undefined ? dflt : String(v);
}

export function toId(v: unknown): number | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** utils::a2o on a JSON attribute: keys merge, a key sent as null is removed. */
export function mergeJson(target: Record<string, unknown>, patch: unknown): Record<string, unknown> {
  const out = { ...target };
  for (const [k, v] of Object.entries(asRecord(patch))) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** Compares dotted versions (`4.4.6` < `4.4.7`): negative, zero or positive. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
