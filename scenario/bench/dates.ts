/**
 * Benchmark of the date resolver (imported by the bench runner; not a
 * test: nothing here asserts a speed). Results are plain numbers keyed by a readable name.
 */
import { performance } from 'node:perf_hooks';
import { strtotimeSeconds } from '../../plugin/time/strtotime.js';

const TZ = 'Europe/Paris';

/** A mixed corpus: the forum scenario's expressions (docs/origins.md §6), relative chains, weekdays, absolute dates, rejections. */
const EXPRESSIONS = [
  '2 days ago 00:00',
  '2 days ago 23:59',
  'previous monday 00:00:00',
  'Today',
  'monday last week 00:00',
  'sunday last week 23:59',
  'first day of this month 00:00:00',
  'first day of last month 00:00:00',
  'last day of last month 23:59:59',
  'first day of january this year 00:00:00',
  'now',
  'yesterday noon',
  '+1 week 2 days 4 hours 2 seconds',
  '-1 month +3 days',
  'next thursday',
  'last friday of next month',
  '2025-10-26 02:30:00',
  '2024-03-31T02:30:00+02:00',
  '31 March 2024 10:00',
  '03/31/2024 11:30 pm',
  '@1700000000',
  'tomorrow 10am',
  '+3 weekdays',
  'not a date',
];

const NOWS = [
  Date.parse('2025-03-30T00:30:00Z'),
  Date.parse('2025-06-04T08:00:00Z'),
  Date.parse('2025-10-26T01:30:00Z'),
  Date.parse('2024-02-29T12:00:00Z'),
  Date.parse('2024-12-31T22:59:59Z'),
];

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function resolveAll(): number {
  let resolved = 0;
  for (const now of NOWS) {
    for (const expr of EXPRESSIONS) {
      try {
        strtotimeSeconds(expr, now, TZ);
      } catch {
        // rejections are part of the workload
      }
      resolved++;
    }
  }
  return resolved;
}

export async function benchDates(): Promise<Record<string, number | string>> {
  // Expressions per second: warm up, then as many rounds as fit in about one second.
  resolveAll();
  let count = 0;
  const t0 = performance.now();
  let elapsed = 0;
  while (elapsed < 1000) {
    count += resolveAll();
    elapsed = performance.now() - t0;
  }
  const exprPerSec = Math.round((count / elapsed) * 1000);

  return { 'date expressions resolved per second (mixed corpus)': exprPerSec };
}
