/**
 * The number handling of Jeedom's statistics, reproduced exactly: MySQL's
 * `CAST(value AS DECIMAL(12,2))` (half away from zero, on the decimal digits, clamped to 12 digits),
 * MySQL's AVG scale (6 decimals), PHP's float-to-string (precision 14) and PHP's `round()`.
 */

/** Largest DECIMAL(12,2) magnitude, in cents. */
const MAX_CENTS = 999999999999n;

/** MySQL's cast of a string to a number: the longest numeric prefix, 0 when there is none. */
function numericPrefix(text: string): string {
  const m = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)/i.exec(text);
  return m ? m[1]! : '0';
}

/** Plain decimal digits of a number or numeric string ("1e-7" → "0.0000001"). */
function plainDecimal(text: string): string {
  const m = /^([+-]?)(\d*)\.?(\d*)(?:e([+-]?\d+))?$/i.exec(text);
  if (!m) return '0';
  const [, sign, int, frac, exp] = m;
  let digits = (int || '') + (frac || '');
  let point = (int || '').length + (exp ? parseInt(exp, 10) : 0);
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits += '0'.repeat(point - digits.length);
  const i = digits.slice(0, point) || '0';
  const f = digits.slice(point);
  return `${sign}${i}${f ? `.${f}` : ''}`;
}

/** `CAST(value AS DECIMAL(12,2))` as integer cents (BigInt, exact). */
export function toCents(value: number | string): bigint {
  // Fast path: whole numbers (Wh readings) need no decimal parsing.
  if (typeof value === 'number' && Number.isSafeInteger(value) && Math.abs(value) <= 9999999999) {
    return BigInt(value * 100);
  }
  if (typeof value === 'string' && /^-?\d{1,10}$/.test(value)) return BigInt(value) * 100n;
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '0') : numericPrefix(value);
  const plain = plainDecimal(text);
  const negative = plain.startsWith('-');
  const [int, frac = ''] = plain.replace(/^[+-]/, '').split('.');
  const f = `${frac}000`.slice(0, 3);
  let cents = BigInt(int || '0') * 100n + BigInt(f.slice(0, 2));
  if (f[2]! >= '5') cents += 1n; // half away from zero, on the magnitude
  if (cents > MAX_CENTS) cents = MAX_CENTS;
  return negative ? -cents : cents;
}

/** Integer division of BigInts rounded half away from zero. */
export function divRound(n: bigint, d: bigint): bigint {
  const negative = n < 0n !== d < 0n;
  const an = n < 0n ? -n : n;
  const ad = d < 0n ? -d : d;
  let q = an / ad;
  if ((an % ad) * 2n >= ad) q += 1n;
  return negative ? -q : q;
}

/** A scaled integer as a decimal string: (2045n, 2) → "20.45". */
export function scaledToString(v: bigint, scale: number): string {
  const negative = v < 0n;
  const digits = (negative ? -v : v).toString().padStart(scale + 1, '0');
  const s = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${s}` : s;
}

/** PHP's `(string)$float` (precision=14): "0.5", "20.72", "0.33333333333333", "1.0E-5". */
export function phpFloatToString(v: number): string {
  if (Number.isNaN(v)) return 'NAN';
  if (!Number.isFinite(v)) return v > 0 ? 'INF' : '-INF';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant, expStr] = v.toExponential(13).split('e');
  const exp = parseInt(expStr!, 10);
  const digits = mant!.replace('-', '').replace('.', '').replace(/0+$/, '') || '0';
  const sign = v < 0 ? '-' : '';
  if (exp < -4 || exp >= 14) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : `${digits}.0`;
    return `${sign}${m}E${exp < 0 ? '-' : '+'}${Math.abs(exp)}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/**
 * PHP's `round($value, $places)`: half away from zero, after PHP's pre-rounding to 15 significant
 * digits (so round(1.005, 2) is 1.01 as in PHP, not 1 as naive binary arithmetic gives).
 */
export function phpRound(value: number, places: number): number {
  if (!Number.isFinite(value)) return value;
  const pre = plainDecimal(value.toPrecision(15));
  const negative = pre.startsWith('-');
  const [int, frac = ''] = pre.replace(/^[+-]/, '').split('.');
  if (places < 0) {
    const unit = 10n ** BigInt(-places);
    const n = BigInt(int!);
    let q = n / unit;
    if ((n % unit) * 2n >= unit) q += 1n;
    const r = Number(q * unit);
    return negative ? -r : r;
  }
  const f = (frac + '0'.repeat(places + 1)).slice(0, places + 1);
  let scaled = BigInt(int! + f.slice(0, places));
  if (f[places]! >= '5') scaled += 1n;
  const r = Number(scaledToString(scaled, places));
  return negative && r !== 0 ? -r : r;
}
