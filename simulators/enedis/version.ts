/**
 * The proxy's User-Agent check (docs/enedis-api.md §2.6): the part after the first '/' is compared with
 * VERSION_MIN by PHP's version_compare(). This is a faithful-enough subset of version_compare: it
 * takes the version token up to the first space (so `jeelinky/1.2.3 (+https://…)` reads `1.2.3`).
 */

const SPECIAL: Record<string, number> = { dev: 0, alpha: 1, a: 1, beta: 2, b: 2, rc: 3, RC: 3, '#': 4, pl: 5, p: 5 };

function canonical(v: string): string[] {
  // PHP inserts separators between letter/digit transitions and treats -,_,+ as '.'
  return v
    .replace(/[-_+]/g, '.')
    .replace(/([0-9])([A-Za-z])/g, '$1.$2')
    .replace(/([A-Za-z])([0-9])/g, '$1.$2')
    .split('.')
    .filter((p) => p !== '');
}

function rank(part: string): number {
  return SPECIAL[part] ?? SPECIAL[part.toLowerCase()] ?? -1;
}

/** -1, 0 or 1, as PHP's version_compare($a, $b). */
export function versionCompare(a: string, b: string): number {
  const pa = canonical(a);
  const pb = canonical(b);
  const n = Math.max(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined || y === undefined) {
      // the longer one wins when its extra part is a number, loses when it is a pre-release tag
      const extra = (x ?? y) as string;
      const longerIsA = x !== undefined;
      const extraGreater = /^\d+$/.test(extra) || rank(extra) >= SPECIAL['#']!;
      return (extraGreater ? 1 : -1) * (longerIsA ? 1 : -1);
    }
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    let c: number;
    if (xn && yn) c = Math.sign(Number(x) - Number(y));
    else if (!xn && !yn) c = Math.sign(rank(x) - rank(y));
    else c = xn ? (rank(y) >= SPECIAL['#']! ? -1 : 1) : rank(x) >= SPECIAL['#']! ? 1 : -1;
    if (c !== 0) return c;
  }
  return 0;
}

/** True when `userAgent` passes the proxy's VERSION_MIN check (always true when unset). */
export function userAgentAccepted(userAgent: string | undefined, versionMin: string | undefined): boolean {
  if (!versionMin) return true;
  const pieces = (userAgent ?? '').split('/');
  if (pieces.length < 2) return false;
  const token = (pieces[1] ?? '').trim().split(/\s/)[0] ?? '';
  if (token === '') return false;
  return versionCompare(token, versionMin) >= 0;
}
