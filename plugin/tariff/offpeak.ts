/**
 * Off-peak (HC) windows: parsing them as Enedis and users write them, and which windows apply on
 * which day when they changed over time (a contract change in the middle of the history).
 *
 * A window is a range of local wall-clock minutes [start; end[, 0 ≤ start, end ≤ 1440; end ≤ start
 * means it crosses midnight. A set of windows is kept as its union, as disjoint ranges of one day.
 */
import { ConfigError } from '../errors.js';
import { isDay } from '../time/local.js';

export interface Window {
  /** Minutes after local midnight, 0–1439. */
  start: number;
  /** Minutes after local midnight, 1–1440; ≤ start when the window crosses midnight. */
  end: number;
}

/** A union of windows as disjoint, sorted ranges of one local day ([a; b[ minutes, 0 ≤ a < b ≤ 1440). */
export type DayRanges = Array<[number, number]>;

export interface WindowSet {
  windows: Window[];
  ranges: DayRanges;
}

const TIME = String.raw`(\d{1,2})\s*(?:[hH:]\s*(\d{2})?)?`;
const WINDOW_RE = new RegExp(String.raw`^${TIME}\s*-\s*${TIME}$`);

function minutesOf(h: string, m: string | undefined, text: string): number {
  const hours = Number(h);
  const minutes = m === undefined ? 0 : Number(m);
  if (hours > 24 || minutes > 59 || (hours === 24 && minutes > 0)) {
    throw new ConfigError(`off-peak window "${text}": ${h}h${m ?? '00'} is not a time of day`, 'offpeak_invalid');
  }
  return hours * 60 + minutes;
}

export function formatMinutes(m: number): string {
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

export function formatWindows(windows: Window[]): string {
  return windows.map((w) => `${formatMinutes(w.start)}-${formatMinutes(w.end)}`).join(';');
}

/**
 * Parses off-peak hours in every form met in practice: Enedis' `HC (22H00-6H00)`,
 * `HC (1H30-8H00;12H30-14H00)`, `HC (0H50-6H50)`, the v3 sandbox's `23h-7h`, EnedisGateway2MQTT's
 * `22h00-06h00;12h30-14h30`, and `22:00-06:00`. `h` or `H`, 1–2 digit hours, `;` or `,` between
 * windows. Empty text (a BASE contract) gives no windows.
 */
export function parseOffpeakHours(text: string, source = 'off-peak hours'): WindowSet {
  let body = text.trim();
  const wrapped = /^HC\s*\((.*)\)\s*$/i.exec(body);
  if (wrapped) body = wrapped[1]!.trim();
  else body = body.replace(/^HC\s*[:=]?\s*/i, '');
  if (!body) return { windows: [], ranges: [] };
  const windows: Window[] = [];
  for (const part of body
    .split(/[;,]/)
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = WINDOW_RE.exec(part);
    if (!m) {
      throw new ConfigError(
        `${source} "${text}": cannot read "${part}"; write windows as HHhMM-HHhMM separated by ";" (e.g. "22h00-06h00;12h30-14h30")`,
        'offpeak_invalid',
      );
    }
    const start = minutesOf(m[1]!, m[2], part) % 1440;
    const end = minutesOf(m[3]!, m[4], part);
    if (start === end % 1440) {
      throw new ConfigError(`${source} "${text}": the window "${part}" is empty or covers the whole day`, 'offpeak_invalid');
    }
    windows.push({ start, end: end === 0 ? 1440 : end });
  }
  return { windows, ranges: unionRanges(windows) };
}

/** The union of windows as disjoint sorted ranges within one day (windows over midnight cut in two). */
export function unionRanges(windows: Window[]): DayRanges {
  const pieces: DayRanges = [];
  for (const w of windows) {
    if (w.end > w.start) pieces.push([w.start, w.end]);
    else {
      pieces.push([w.start, 1440]);
      if (w.end > 0) pieces.push([0, w.end]);
    }
  }
  pieces.sort((a, b) => a[0] - b[0]);
  const out: DayRanges = [];
  for (const [a, b] of pieces) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

export function offpeakMinutes(set: WindowSet): number {
  return set.ranges.reduce((s, [a, b]) => s + b - a, 0);
}

/** One period of a schedule: these windows apply from `from` (inclusive) until the next period. */
export interface OffpeakPeriod {
  /** `YYYY-MM-DD`; undefined = since always. */
  from?: string;
  set: WindowSet;
  /** Where it comes from, for reports: "JEELINKY_OFFPEAK_HOURS", "contract", ... */
  source: string;
}

export class OffpeakSchedule {
  readonly periods: OffpeakPeriod[];

  constructor(periods: OffpeakPeriod[]) {
    this.periods = [...periods].sort((a, b) => (a.from ?? '').localeCompare(b.from ?? ''));
  }

  /**
   * The windows of a local day. Before the first period's date the first period applies (it is
   * the oldest thing known); `firstFromUnknown` says when that happened in a range.
   */
  at(day: string): OffpeakPeriod | undefined {
    let chosen = this.periods[0];
    for (const p of this.periods) if (!p.from || p.from <= day) chosen = p;
    return chosen;
  }

  /** Days of [from; to] that fall before the first period's start date (their windows are assumed). */
  assumedBefore(): string | undefined {
    return this.periods[0]?.from;
  }
}

/**
 * Parses a schedule given as JSON: `[{"from":"2024-01-01","windows":"22h00-06h00"}, …]`. The
 * first entry may omit `from`. Windows may be "" (a BASE period: no off-peak hours).
 */
export function parseOffpeakHistory(name: string, raw: string): OffpeakPeriod[] {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ConfigError(`${name} is not JSON: write it as [{"from":"2024-01-01","windows":"22h00-06h00"}, …]`, 'offpeak_invalid');
  }
  if (!Array.isArray(json) || json.length === 0) {
    throw new ConfigError(
      `${name} must be a non-empty JSON array such as [{"from":"2024-01-01","windows":"22h00-06h00"}]`,
      'offpeak_invalid',
    );
  }
  const seen = new Set<string>();
  return json.map((entry, i) => {
    const e = entry as { from?: unknown; windows?: unknown };
    if (typeof e !== 'object' || e === null || typeof e.windows !== 'string') {
      throw new ConfigError(
        `${name}[${i}]: each entry needs "windows" as text, e.g. {"from":"2024-01-01","windows":"22h00-06h00"}`,
        'offpeak_invalid',
      );
    }
    if (e.from !== undefined && (typeof e.from !== 'string' || !isDay(e.from))) {
      throw new ConfigError(`${name}[${i}]: "from" must be a day YYYY-MM-DD`, 'offpeak_invalid');
    }
    const from = e.from as string | undefined;
    if (from === undefined && i > 0) throw new ConfigError(`${name}[${i}]: only the first entry may omit "from"`, 'offpeak_invalid');
    if (seen.has(from ?? '')) throw new ConfigError(`${name}: two entries start on ${from ?? '(no date)'}`, 'offpeak_invalid');
    seen.add(from ?? '');
    return { from, set: parseOffpeakHours(e.windows, `${name}[${i}].windows`), source: name };
  });
}
