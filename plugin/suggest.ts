/**
 * "Did you mean …?": the known name nearest to what was typed, for flags, commands and config.json
 * keys alike.
 */

/** Edit distance counting a swap of two neighbours as one edit ("frist" → "first"). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidate nearest to `typed` (case and -/_ ignored), when it is near enough to be a slip. */
export function closest(typed: string, candidates: Iterable<string>): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  const t = norm(typed);
  let best: { name: string; d: number } | undefined;
  for (const c of candidates) {
    const d = editDistance(t, norm(c));
    if (!best || d < best.d) best = { name: c, d };
  }
  if (!best) return undefined;
  const allowed = Math.max(1, Math.min(3, Math.floor(Math.max(t.length, norm(best.name).length) / 3)));
  return best.d <= allowed ? best.name : undefined;
}
