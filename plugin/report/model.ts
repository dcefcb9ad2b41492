/**
 * The report model: everything the HTML page shows, computed from the stored readings by pure
 * functions (no I/O, no clock), so that the page, its text summaries and the tests agree on every
 * figure. Charts read the same model from the page (it is embedded as JSON).
 */
import moment from 'moment-timezone';
import { KIND_INFO, READING_KINDS, type Reading, type ReadingKind } from '../readings.js';
import { maskUsagePoint } from '../secrets.js';
import { addDays, eachDay } from '../time/local.js';
import { seasonOf, type TempoColour } from '../tempo/colours.js';

/** HP/HC split and costs, as the tariff module computes them (optional: rendered when given). */
export interface ReportTariffInput {
  /** Currency symbol for costs, e.g. "€". */
  currency: string;
  days: Array<{ day: string; hpWh: number; hcWh: number }>;
  /** cost is null when no prices are known (then only the split is shown). */
  months: Array<{ month: string; hpWh: number; hcWh: number; cost: number | null }>;
  /** The same consumption priced under each plan over `period`; `current` names the user's plan. */
  comparison?: { period: string; current: string; plans: Array<{ plan: string; cost: number }> };
}

/** Tempo (only when Tempo is in use): the colour of every day of the range and the cost per colour. */
export interface ReportTempoInput {
  currency: string;
  /** Every Tempo day of the range (06:00 → 06:00, by its first date) with its colour, null when not known. */
  colours: Array<{ day: string; colour: TempoColour | null }>;
  /** Per colour, over the Tempo days of the range with a complete load curve: days, energy, cost (null: none could be priced). */
  byColour: Array<{ colour: TempoColour; days: number; kwh: number; cost: number | null }>;
  /** Said under the calendar, e.g. a calendar source that failed. */
  note?: string;
}

export interface ReportInput {
  /** The PDL in clear: only its masked form reaches the model. */
  usagePoint: string;
  tz: string;
  /** First day shown and the day after the last one shown ([from; to[). */
  from: string;
  to: string;
  readings: Partial<Record<ReadingKind, Reading[]>>;
  /** Why a kind cannot be had for this PDL (from the store's meta), shown in the gaps section. */
  unavailable?: Partial<Record<ReadingKind, string>>;
  /** Subscribed power in VA, when the contract is known. */
  subscribedPowerVa?: number;
  tariff?: ReportTariffInput;
  tempo?: ReportTempoInput;
  /** When the report was written (ISO), shown in the footer. */
  generatedAt: string;
}

export type HeatCell = [x: number, y: number, watts: number];
/** A cell of the hour repeated in autumn: `pass` 1 is drawn in the upper half of the cell, 2 in the lower half. */
export type RepeatedCell = [x: number, y: number, watts: number, pass: 1 | 2];

export interface KindCoverage {
  kind: ReadingKind;
  label: string;
  /** Days of the range with at least one reading. */
  daysWithData: number;
  /** Days with no reading at all (every day of the range when nothing is stored). */
  missing: string[];
  /** Curves only: days with some but not all of their intervals. */
  partial: string[];
  /** Why the kind is not there, when known. */
  note?: string;
}

export interface ReportModel {
  v: 1;
  usagePoint: string;
  tz: string;
  from: string;
  /** Last day shown (inclusive). */
  until: string;
  days: string[];
  generatedAt: string;
  total: { kwh: number; source: 'daily_consumption' | 'load_curve' | 'none'; days: number };
  daily: {
    consumptionKwh: Array<number | null>;
    productionKwh: Array<number | null> | null;
    /** Trailing 7-day mean of the days that have a value (null when none of the 7 has one). */
    avg7Kwh: Array<number | null>;
    summary: string;
  };
  heat: {
    intervalMinutes: number;
    /** Column labels, local wall clock, the same 24 hours for every day. */
    columns: string[];
    /** Rows are `days` (every day of the range, so that a missing day is an empty row). */
    cells: HeatCell[];
    /** The autumn day's repeated hour: both passes in the same columns, each in half a cell. */
    repeated: RepeatedCell[];
    cellsPerDay: Record<string, number>;
    maxW: number;
    /** Days whose length is not 24 h, with their interval count. */
    dstDays: Array<{ day: string; hours: number; cells: number }>;
    summary: string;
    /** Says what the repeated-hour columns are, when there are some. */
    note: string | null;
  } | null;
  maxPower: {
    va: Array<number | null>;
    /** Local time of each day's maximum, HH:MM. */
    at: Array<string | null>;
    subscribedVa: number | null;
    summary: string;
  } | null;
  tariff: {
    currency: string;
    hpKwh: Array<number | null>;
    hcKwh: Array<number | null>;
    months: string[];
    /**
     * Axis labels of `months`: a month the range (or the stored days) covers only in part says so,
     * "2024-03 (7 of 31 days)", so that a short bar is not read as a frugal month.
     */
    monthLabels: string[];
    /** Days with a split in each month, and the days of that calendar month. */
    monthDays: Array<{ days: number; of: number }>;
    monthHpKwh: number[];
    monthHcKwh: number[];
    /** null when no prices are known: the cost charts give way to `costHint`. */
    monthCost: Array<number | null> | null;
    costHint: string | null;
    comparison: ReportTariffInput['comparison'] | null;
    summaryDays: string;
    summaryMonths: string;
    summaryCost: string;
    summaryPlans: string;
  } | null;
  /**
   * Tempo, only when in use: one calendar per season the range touches, each day coloured
   * (`cells`: [day, 0 unknown | 1 BLUE | 2 WHITE | 3 RED]); the cost per colour.
   */
  tempo: {
    currency: string;
    seasons: Array<{ season: string; from: string; to: string; cells: Array<[string, 0 | 1 | 2 | 3]> }>;
    counts: { BLUE: number; WHITE: number; RED: number; unknown: number };
    byColour: ReportTempoInput['byColour'];
    summaryCalendar: string;
    summaryCost: string;
    note: string | null;
  } | null;
  /** The line shown instead of the HP/HC and cost charts when tariffs are not known. */
  tariffHint: string | null;
  /** The line shown under the max-power chart when the subscribed power is not known. */
  subscribedHint: string | null;
  gaps: { kinds: KindCoverage[]; summary: string };
}

export const TARIFF_HINT =
  'The off-peak (HP/HC) split, costs and the plan comparison appear here once the off-peak windows are known: run "jeelinky tariff" once ' +
  '(it fetches and caches the contract) or set JEELINKY_OFFPEAK_HOURS, and set your prices JEELINKY_PRICE_BASE, JEELINKY_PRICE_HP and ' +
  'JEELINKY_PRICE_HC (README, “Off-peak hours (HP/HC), costs and plan comparison”); then write this report again.';
export const COST_HINT =
  'Costs and the plan comparison need your prices per kWh: set JEELINKY_PRICE_BASE, JEELINKY_PRICE_HP and JEELINKY_PRICE_HC ' +
  '(README, “Prices and plans”); then write this report again.';
export const SUBSCRIBED_HINT =
  'Subscribed power not known: run "jeelinky tariff" once (it fetches and caches the contract), then write this report again.';

const kwh = (wh: number) => wh / 1000;
const round = (n: number, digits: number) => Number(n.toFixed(digits));

/** Wall-clock minutes since local midnight of an instant, in `zone`. */
function wallMinutes(ms: number, zone: moment.MomentZone): number {
  const local = ms - zone.utcOffset(ms) * 60_000; // moment's offset is minutes west of UTC
  return Math.floor((((local % 86_400_000) + 86_400_000) % 86_400_000) / 60_000);
}

const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** Length of a local day in hours (23, 24 or 25 in Europe/Paris). */
export function dayHours(day: string, tz: string): number {
  const start = moment.tz(day, 'YYYY-MM-DD', true, tz).valueOf();
  const end = moment.tz(addDays(day, 1), 'YYYY-MM-DD', true, tz).valueOf();
  return (end - start) / 3_600_000;
}

/** Consecutive days folded into ranges: "2024-05-01 to 2024-05-03, 2024-06-10". */
export function dayRanges(days: string[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < days.length) {
    let j = i;
    while (j + 1 < days.length && addDays(days[j]!, 1) === days[j + 1]) j++;
    parts.push(i === j ? days[i]! : `${days[i]} to ${days[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function dailySeries(days: string[], readings: Reading[] | undefined): Array<number | null> {
  const byDay = new Map<string, number>();
  for (const r of readings ?? []) byDay.set(r.day, (byDay.get(r.day) ?? 0) + r.value);
  return days.map((d) => (byDay.has(d) ? kwh(byDay.get(d)!) : null));
}

function trailingMean(values: Array<number | null>, width: number): Array<number | null> {
  return values.map((_, i) => {
    const window = values.slice(Math.max(0, i - width + 1), i + 1).filter((v): v is number => v !== null);
    return window.length ? round(window.reduce((a, b) => a + b, 0) / window.length, 3) : null;
  });
}

function extremes(
  days: string[],
  values: Array<number | null>,
): { n: number; sum: number; max?: [string, number]; min?: [string, number] } {
  let n = 0;
  let sum = 0;
  let max: [string, number] | undefined;
  let min: [string, number] | undefined;
  values.forEach((v, i) => {
    if (v === null) return;
    n++;
    sum += v;
    if (!max || v > max[1]) max = [days[i]!, v];
    if (!min || v < min[1]) min = [days[i]!, v];
  });
  return { n, sum, max, min };
}

function curveStepMinutes(readings: Reading[]): number {
  const counts = new Map<number, number>();
  for (const r of readings.slice(0, 500)) {
    const m = Math.round((Date.parse(r.end) - Date.parse(r.start)) / 60_000);
    counts.set(m, (counts.get(m) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 30;
}

function buildHeat(days: string[], curve: Reading[], tz: string): ReportModel['heat'] {
  if (!curve.length) return null;
  const zone = moment.tz.zone(tz)!;
  const step = curveStepMinutes(curve);
  const perDay = 1440 / step;
  const rowOf = new Map(days.map((d, i) => [d, i]));
  // First pass: slot and occurrence of each reading (the autumn hour's labels occur twice).
  const placed: Array<{ y: number; slot: number; second: boolean; w: number; day: string; ms: number }> = [];
  const seen = new Map<string, Set<number>>();
  for (const r of curve) {
    const y = rowOf.get(r.day);
    if (y === undefined) continue;
    const ms = Date.parse(r.start);
    const slot = Math.floor(wallMinutes(ms, zone) / step);
    let slots = seen.get(r.day);
    if (!slots) {
      slots = new Set();
      seen.set(r.day, slots);
    }
    const second = slots.has(slot);
    slots.add(slot);
    placed.push({ y, slot, second, w: r.value, day: r.day, ms });
  }
  // Every row has the same 24 hours of columns. The hour lived twice when clocks go back is drawn on
  // its own day only: each of its cells is split, first pass above, second pass below (`repeated`),
  // so that no column is added (it would be an empty band across every other day).
  const twice = new Set(placed.filter((p) => p.second).map((p) => `${p.day} ${p.slot}`));
  const columns: string[] = [];
  for (let s = 0; s < perDay; s++) columns.push(hhmm(s * step));
  const cells: HeatCell[] = [];
  const repeated: RepeatedCell[] = [];
  const cellsPerDay: Record<string, number> = {};
  let maxW = 0;
  let peak: (typeof placed)[number] | undefined;
  let sumW = 0;
  for (const p of placed) {
    if (twice.has(`${p.day} ${p.slot}`)) repeated.push([p.slot, p.y, p.w, p.second ? 2 : 1]);
    else cells.push([p.slot, p.y, p.w]);
    cellsPerDay[p.day] = (cellsPerDay[p.day] ?? 0) + 1;
    sumW += p.w;
    if (!peak || p.w > peak.w) peak = p;
    if (p.w > maxW) maxW = p.w;
  }
  const dstDays = days.map((day) => ({ day, hours: dayHours(day, tz), cells: cellsPerDay[day] ?? 0 })).filter((d) => d.hours !== 24);
  const withData = Object.keys(cellsPerDay).length;
  const meanW = sumW / placed.length;
  let summary =
    `${plural(placed.length, 'interval')} of ${step} minutes over ${plural(withData, 'day')}; ` +
    `peak ${peak!.w} W on ${peak!.day} at ${hhmm(wallMinutes(peak!.ms, zone))}; mean ${Math.round(meanW)} W.`;
  if (dstDays.length) {
    summary += ` Daylight-saving days: ${dstDays.map((d) => `${d.day} (${d.hours} h) has ${plural(d.cells, 'interval')}`).join(', ')}.`;
  }
  const autumnDays = [...new Set([...twice].map((k) => k.slice(0, 10)))];
  const note = autumnDays.length
    ? `On ${autumnDays.join(', ')} clocks go back: the hour from ${hhmm(Math.min(...repeated.map((r) => r[0])) * step)} is lived twice; ` +
      `its cells are split, the first pass in the upper half, the second in the lower half.`
    : null;
  return { intervalMinutes: step, columns, cells, repeated, cellsPerDay, maxW, dstDays, summary, note };
}

function buildMaxPower(days: string[], readings: Reading[], tz: string, subscribedVa: number | undefined): ReportModel['maxPower'] {
  if (!readings.length) return null;
  const zone = moment.tz.zone(tz)!;
  const byDay = new Map(readings.map((r) => [r.day, r]));
  const va = days.map((d) => byDay.get(d)?.value ?? null);
  const at = days.map((d) => {
    const r = byDay.get(d);
    return r?.at ? hhmm(wallMinutes(Date.parse(r.at), zone)) : null;
  });
  const e = extremes(days, va);
  const maxIndex = days.indexOf(e.max![0]);
  let summary =
    `Highest ${e.max![1]} VA on ${e.max![0]}${at[maxIndex] ? ` at ${at[maxIndex]}` : ''}; ` +
    `mean daily maximum ${Math.round(e.sum / e.n)} VA over ${plural(e.n, 'day')}.`;
  if (subscribedVa) {
    const over = va.filter((v) => v !== null && v >= subscribedVa).length;
    summary += ` Subscribed power ${subscribedVa} VA: reached on ${plural(over, 'day')}.`;
  }
  return { va, at, subscribedVa: subscribedVa ?? null, summary };
}

function buildTariff(days: string[], t: ReportTariffInput): NonNullable<ReportModel['tariff']> {
  const byDay = new Map(t.days.map((d) => [d.day, d]));
  const hpKwh = days.map((d) => (byDay.has(d) ? round(kwh(byDay.get(d)!.hpWh), 3) : null));
  const hcKwh = days.map((d) => (byDay.has(d) ? round(kwh(byDay.get(d)!.hcWh), 3) : null));
  const hp = hpKwh.reduce<number>((a, v) => a + (v ?? 0), 0);
  const hc = hcKwh.reduce<number>((a, v) => a + (v ?? 0), 0);
  const months = [...t.months].sort((a, b) => a.month.localeCompare(b.month));
  const monthDays = months.map((m) => ({
    days: t.days.filter((d) => d.day.startsWith(m.month)).length,
    of: moment.utc(m.month, 'YYYY-MM', true).daysInMonth(),
  }));
  const partialNote = (i: number) => (monthDays[i]!.days < monthDays[i]!.of ? `${monthDays[i]!.days} of ${monthDays[i]!.of} days` : '');
  const costed = months.filter((m): m is typeof m & { cost: number } => m.cost !== null);
  const hasCosts = costed.length > 0;
  const totalCost = costed.reduce((a, m) => a + m.cost, 0);
  const share = hp + hc > 0 ? Math.round((hc / (hp + hc)) * 100) : 0;
  const dearest = [...costed].sort((a, b) => b.cost - a.cost)[0];
  const partialCosted = months.filter((m, i) => m.cost !== null && partialNote(i)).length;
  let summaryCost = hasCosts
    ? `Cost ${totalCost.toFixed(2)} ${t.currency} over ${plural(costed.length, 'month')}${partialCosted ? ` (${partialCosted} partial)` : ''}`
    : '';
  if (hasCosts) summaryCost += dearest ? `; dearest month ${dearest.month} at ${dearest.cost.toFixed(2)} ${t.currency}.` : '.';
  let summaryPlans = '';
  if (hasCosts && t.comparison?.plans.length) {
    const best = [...t.comparison.plans].sort((a, b) => a.cost - b.cost)[0]!;
    const current = t.comparison.plans.find((p) => p.plan === t.comparison!.current);
    summaryPlans = `Over ${t.comparison.period}: ${t.comparison.plans.map((p) => `${p.plan} ${p.cost.toFixed(2)} ${t.currency}`).join(', ')}; `;
    summaryPlans +=
      current && best.plan !== current.plan
        ? `${best.plan} would have saved ${(current.cost - best.cost).toFixed(2)} ${t.currency}.`
        : `${best.plan} is the cheaper plan.`;
  }
  return {
    currency: t.currency,
    hpKwh,
    hcKwh,
    months: months.map((m) => m.month),
    monthLabels: months.map((m, i) => (partialNote(i) ? `${m.month} (${partialNote(i)})` : m.month)),
    monthDays,
    monthHpKwh: months.map((m) => round(kwh(m.hpWh), 3)),
    monthHcKwh: months.map((m) => round(kwh(m.hcWh), 3)),
    monthCost: hasCosts ? months.map((m) => (m.cost === null ? null : round(m.cost, 2))) : null,
    costHint: hasCosts ? null : COST_HINT,
    comparison: hasCosts ? (t.comparison ?? null) : null,
    summaryDays: `HP ${hp.toFixed(1)} kWh, HC ${hc.toFixed(1)} kWh (${share}% off-peak) over ${plural(t.days.length, 'day')}.`,
    summaryMonths: `${months.map((m, i) => `${m.month}${partialNote(i) ? ` (partial: ${partialNote(i)})` : ''}: HP ${kwh(m.hpWh).toFixed(1)} kWh, HC ${kwh(m.hcWh).toFixed(1)} kWh`).join('; ')}.`,
    summaryCost,
    summaryPlans,
  };
}

export const TEMPO_CELL = { BLUE: 1, WHITE: 2, RED: 3 } as const;

function buildTempo(from: string, until: string, t: ReportTempoInput): NonNullable<ReportModel['tempo']> {
  const seasons: NonNullable<ReportModel['tempo']>['seasons'] = [];
  const counts = { BLUE: 0, WHITE: 0, RED: 0, unknown: 0 };
  for (const { day, colour } of [...t.colours].filter((c) => c.day >= from && c.day <= until).sort((a, b) => a.day.localeCompare(b.day))) {
    const season = seasonOf(day);
    let s = seasons.at(-1);
    if (!s || s.season !== season) {
      s = { season, from: day, to: day, cells: [] };
      seasons.push(s);
    }
    s.to = day;
    s.cells.push([day, colour ? TEMPO_CELL[colour] : 0]);
    counts[colour ?? 'unknown']++;
  }
  const name = (c: TempoColour) => c.toLowerCase();
  const summaryCalendar =
    `Tempo days ${from} to ${until}: ${plural(counts.RED, 'red day')}, ${plural(counts.WHITE, 'white day')}, ${plural(counts.BLUE, 'blue day')}` +
    (counts.unknown ? `, ${plural(counts.unknown, 'day')} without a known colour (grey).` : '.');
  const priced = t.byColour.filter((c) => c.cost !== null);
  const total = priced.reduce((a, c) => a + c.cost!, 0);
  const summaryCost = t.byColour.length
    ? `Per colour: ${t.byColour
        .map(
          (c) =>
            `${name(c.colour)} ${c.cost === null ? 'not priced' : `${c.cost.toFixed(2)} ${t.currency}`} (${c.kwh.toFixed(1)} kWh over ${plural(c.days, 'day')})`,
        )
        .join(', ')}${priced.length ? `; total ${total.toFixed(2)} ${t.currency}` : ''}.`
    : 'No Tempo day of the range has both a complete load curve and a known colour.';
  return { currency: t.currency, seasons, counts, byColour: t.byColour, summaryCalendar, summaryCost, note: t.note ?? null };
}

function buildGaps(days: string[], input: ReportInput): ReportModel['gaps'] {
  const kinds: KindCoverage[] = [];
  for (const kind of READING_KINDS) {
    const readings = input.readings[kind] ?? [];
    const info = KIND_INFO[kind];
    const count = new Map<string, number>();
    for (const r of readings) count.set(r.day, (count.get(r.day) ?? 0) + 1);
    const missing = days.filter((d) => !count.has(d));
    const partial: string[] = [];
    if (info.curve && readings.length) {
      const step = curveStepMinutes(readings);
      for (const d of days) {
        const n = count.get(d);
        if (n !== undefined && n < (dayHours(d, input.tz) * 60) / step) partial.push(d);
      }
    }
    kinds.push({ kind, label: info.label, daysWithData: count.size, missing, partial, note: input.unavailable?.[kind] });
  }
  const lines = kinds.map((k) => {
    if (!k.daysWithData) return `${k.label}: nothing stored in this range${k.note ? ` (${k.note})` : ''}`;
    const parts: string[] = [];
    if (k.missing.length) parts.push(`${plural(k.missing.length, 'day')} missing (${dayRanges(k.missing)})`);
    if (k.partial.length) parts.push(`${plural(k.partial.length, 'day')} incomplete (${dayRanges(k.partial)})`);
    return `${k.label}: ${parts.length ? parts.join(', ') : 'no day missing'}`;
  });
  return { kinds, summary: `${lines.join('; ')}.` };
}

export function buildReportModel(input: ReportInput): ReportModel {
  const days = eachDay(input.from, input.to);
  const consumption = dailySeries(days, input.readings.daily_consumption);
  const hasProduction = (input.readings.daily_production ?? []).length > 0;
  const production = hasProduction ? dailySeries(days, input.readings.daily_production) : null;

  const c = extremes(days, consumption);
  let total: ReportModel['total'];
  if (c.n) total = { kwh: c.sum, source: 'daily_consumption', days: c.n };
  else {
    // No daily values: the load curve's energy is the next best figure, and the header says so.
    const curve = input.readings.load_curve ?? [];
    const wh = curve.reduce((a, r) => a + (r.energyWh ?? 0), 0);
    total = curve.length
      ? { kwh: kwh(wh), source: 'load_curve', days: new Set(curve.map((r) => r.day)).size }
      : { kwh: 0, source: 'none', days: 0 };
  }

  let dailySummary: string;
  if (c.n) {
    dailySummary =
      `Total ${c.sum.toFixed(1)} kWh over ${plural(c.n, 'day')} with data (mean ${(c.sum / c.n).toFixed(2)} kWh a day); ` +
      `highest ${c.max![1].toFixed(2)} kWh on ${c.max![0]}, lowest ${c.min![1].toFixed(2)} kWh on ${c.min![0]}.`;
    if (c.n < days.length) dailySummary += ` ${plural(days.length - c.n, 'day')} without a value.`;
  } else dailySummary = 'No daily consumption stored in this range.';
  if (production) {
    const p = extremes(days, production);
    dailySummary += ` Production ${p.sum.toFixed(1)} kWh over ${plural(p.n, 'day')}.`;
  }

  return {
    v: 1,
    usagePoint: maskUsagePoint(input.usagePoint),
    tz: input.tz,
    from: input.from,
    until: addDays(input.to, -1),
    days,
    generatedAt: input.generatedAt,
    total,
    daily: { consumptionKwh: consumption, productionKwh: production, avg7Kwh: trailingMean(consumption, 7), summary: dailySummary },
    heat: buildHeat(days, input.readings.load_curve ?? [], input.tz),
    maxPower: buildMaxPower(days, input.readings.max_power ?? [], input.tz, input.subscribedPowerVa),
    tariff: input.tariff ? buildTariff(days, input.tariff) : null,
    tempo: input.tempo ? buildTempo(input.from, addDays(input.to, -1), input.tempo) : null,
    tariffHint: input.tariff || input.tempo ? null : TARIFF_HINT,
    subscribedHint: input.subscribedPowerVa ? null : SUBSCRIBED_HINT,
    gaps: buildGaps(days, input),
  };
}
