/**
 * What the Jeedom simulator does with a value: `cmd::event` (formatting, the cache, triggers), the
 * history table's write semantics (DATETIME casting, REPLACE, smoothing), reading both tables back
 * (`getHistory`, `getStatistique`) and the 05:00 archive to historyArch.
 */
import moment from 'moment-timezone';
import type { SimDatabase } from './database.js';
import { cents, floatval, mysqlDatetime, phpNumberString, roundHalfUp, str } from './php.js';
import { RpcFault } from './rpc-fault.js';
import { DT_FORMAT, type HistoryRow, type SimCmd } from './types.js';

// ---------------------------------------------------------------- event & history
function formatValue(c: SimCmd, raw: unknown): string | number {
  if (c.subType === 'numeric') {
    let v = floatval(typeof raw === 'string' ? raw.replace(',', '.') : raw);
    const round = c.configuration.historizeRound;
    if (round !== undefined && round !== '' && round !== null) v = roundHalfUp(v, Math.trunc(floatval(round)));
    const min = c.configuration.minValue;
    const max = c.configuration.maxValue;
    if (min !== undefined && min !== '' && min !== null && v < floatval(min)) v = floatval(min);
    if (max !== undefined && max !== '' && max !== null && v > floatval(max)) v = floatval(max);
    return v;
  }
  if (c.subType === 'binary') {
    const s = str(raw).toLowerCase();
    return s === '' || s === '0' || s === 'false' || s === 'off' ? 0 : 1;
  }
  return str(raw);
}

function smoothingStep(db: SimDatabase, c: SimCmd): { step: number; mode: string } | undefined {
  if (c.subType !== 'numeric') return undefined;
  const modeSet = c.configuration.historizeMode;
  if (db.legacySmoothing) {
    const mode = str(modeSet, 'avg') || 'avg';
    return mode === 'none' ? undefined : { step: 300, mode };
  }
  const own = c.configuration['history::smooth'];
  const smooth = floatval(own !== undefined && own !== '' ? own : db.config.get('core::history::smooth'));
  if (!(smooth > 0) || !modeSet || modeSet === 'none') return undefined;
  return { step: smooth, mode: str(modeSet) };
}

function addHistoryValue(db: SimDatabase, c: SimCmd, value: string | number, datetime: string): void {
  let dt = mysqlDatetime(datetime);
  if (dt === undefined) {
    throw new RpcFault(
      -32000,
      `[MySQL] Error code : 22007 (1292). Incorrect datetime value: '${datetime}' for column \`jeedom\`.\`history\`.\`datetime\``,
    );
  }
  let stored = typeof value === 'number' ? value : value;
  const round = c.configuration.historizeRound;
  if (typeof stored === 'number' && round !== undefined && round !== '' && round !== null) {
    stored = roundHalfUp(stored, Math.trunc(floatval(round)));
  }
  const table = db.hist.get(c.id) ?? new Map<string, string>();
  db.hist.set(c.id, table);
  const smoothing = smoothingStep(db, c);
  if (smoothing && typeof stored === 'number') {
    const bucket = Math.floor(db.unixOf(dt) / smoothing.step) * smoothing.step;
    dt = db.fromUnix(stored === 0 ? bucket + smoothing.step : bucket);
    const old = table.get(dt);
    if (old !== undefined) {
      const o = floatval(old);
      if (smoothing.mode === 'min') stored = Math.min(o, stored);
      else if (smoothing.mode === 'max') stored = Math.max(o, stored);
      else stored = (o + stored) / 2;
      if (!db.legacySmoothing) stored = roundHalfUp(stored, round !== undefined && round !== '' ? Math.trunc(floatval(round)) : 2);
    }
  }
  // REPLACE INTO history: one row per (cmd, datetime) in this table.
  table.set(dt, typeof stored === 'number' ? phpNumberString(stored) : stored);
}

/** `cmd::event` (and the HTTP API's `type=cmd&value=`): a new value for an info command. */
export function event(db: SimDatabase, c: SimCmd, rawValue: unknown, datetime: unknown): void {
  const eq = db.eqLogics.get(c.eqLogic_id);
  if (c.type !== 'info' || !eq || eq.isEnable !== '1') return;
  const deny = str(c.configuration.denyValues);
  // biome-ignore lint/complexity/useOptionalChain: deny is '' when nothing is denied, which ?. would split into [''].
  if (deny && deny.split(';').includes(str(rawValue))) return;
  const value = formatValue(c, rawValue);
  const previous = db.cache.get(c.id);
  const repeat = previous !== undefined && String(previous.value) === String(value);
  const always = c.configuration.repeatEventManagement === 'always';
  const collectDate = datetime === undefined || datetime === null || datetime === '' ? db.nowLocal() : str(datetime);
  // The cache changes before the datetime reaches SQL (docs/jeedom-api.md §3, steps 4–5 and 8).
  db.cache.set(c.id, {
    value,
    collectDate,
    valueDate: repeat && !always && previous ? previous.valueDate : collectDate,
  });
  eq.status = { ...eq.status, lastCommunication: collectDate };
  if (!repeat || always) db.triggers.set(c.id, (db.triggers.get(c.id) ?? 0) + 1);
  if (c.isHistorized === '1') addHistoryValue(db, c, value, collectDate);
}

/** Rows straight into history (or historyArch), bypassing event(): like an old import. */
export function importHistory(
  db: SimDatabase,
  cmdId: number,
  rows: { datetime: string; value: number | string }[],
  table: 'history' | 'historyArch',
): void {
  const target = table === 'history' ? db.hist : db.arch;
  const t = target.get(cmdId) ?? new Map<string, string>();
  for (const r of rows) t.set(r.datetime, typeof r.value === 'number' ? phpNumberString(r.value) : r.value);
  target.set(cmdId, t);
}

// ---------------------------------------------------------------- reading back
/** history UNION ALL historyArch, ascending by datetime (duplicates kept). */
export function rowsOf(db: SimDatabase, cmdId: number, keep: (datetime: string) => boolean = () => true): HistoryRow[] {
  const rows: HistoryRow[] = [];
  for (const [datetime, value] of db.arch.get(cmdId) ?? [])
    if (keep(datetime)) rows.push({ cmd_id: cmdId, datetime, value, table: 'historyArch' });
  for (const [datetime, value] of db.hist.get(cmdId) ?? [])
    if (keep(datetime)) rows.push({ cmd_id: cmdId, datetime, value, table: 'history' });
  return rows.sort((a, b) => (a.datetime < b.datetime ? -1 : a.datetime > b.datetime ? 1 : 0));
}

/** A bound as SQL compares it: a datetime string, or nothing matches. */
function bound(v: unknown): string | null | undefined {
  if (v === undefined || v === null || v === '') return null;
  return mysqlDatetime(str(v)) ?? undefined;
}

export function rowsBetween(db: SimDatabase, cmdId: number, start: unknown, end: unknown): HistoryRow[] {
  const s = bound(start);
  const e = bound(end);
  if (s === undefined || e === undefined) return [];
  return rowsOf(db, cmdId, (dt) => (s === null || dt >= s) && (e === null || dt <= e));
}

/** `cmd::getStatistique`: the SQL aggregates over values cast to DECIMAL(…,2). */
export function statistique(db: SimDatabase, cmdId: number, start: unknown, end: unknown): Record<string, unknown> {
  const s = bound(start);
  const e = bound(end);
  const rows = s && e ? rowsOf(db, cmdId, (dt) => dt >= s && dt <= e) : [];
  if (rows.length === 0) return { avg: null, min: null, max: null, sum: null, count: 0, std: null, variance: null };
  const cs = rows.map((r) => cents(r.value));
  const n = cs.length;
  const sum = cs.reduce((a, b) => a + b, 0);
  const mean = sum / n / 100;
  const variance = cs.reduce((a, c) => a + (c / 100 - mean) ** 2, 0) / n;
  return {
    avg: (sum / n / 100).toFixed(6),
    min: (Math.min(...cs) / 100).toFixed(2),
    max: (Math.max(...cs) / 100).toFixed(2),
    sum: (sum / 100).toFixed(2),
    count: n,
    std: Math.sqrt(variance),
    variance,
    last: rows[rows.length - 1]!.value,
  };
}

/** `cmd::getTendance`: the least-squares slope of the values over their index. */
export function tendance(db: SimDatabase, cmdId: number, start: unknown, end: unknown): number {
  const ys = rowsBetween(db, cmdId, start, end).map((r) => floatval(r.value));
  const n = ys.length;
  if (n < 2) return 0;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, i) => {
    num += (i - mx) * (y - my);
    den += (i - mx) ** 2;
  });
  return den === 0 ? 0 : num / den;
}

// ---------------------------------------------------------------- archive
function purgeLimit(db: SimDatabase, c: SimCmd, now: moment.Moment): string | undefined {
  let p = str(c.configuration.historyPurge);
  if (p === '') p = db.config.get('core::historyPurge') ?? '';
  if (p === '' || p === 'never') return undefined;
  const m = /^-?\s*(\d+)\s*(second|minute|hour|day|week|month|year)s?$/i.exec(p.trim());
  if (!m) return undefined;
  const unit = m[2]!.toLowerCase() as moment.unitOfTime.DurationConstructor;
  return now.clone().subtract(Number(m[1]), unit).format(DT_FORMAT);
}

/** `history::archive()`: purges, then moves the rows older than the limit to historyArch. */
export function runArchive(db: SimDatabase): void {
  const now = moment.tz(db.clock.now(), db.tz());
  const archiveHours = floatval(db.config.get('core::historyArchiveTime') ?? '2') || 2;
  const pkgHours = floatval(db.config.get('core::historyArchivePackage') ?? '1') || 1;
  const limit = now.clone().subtract(archiveHours, 'hours').format(DT_FORMAT);
  for (const c of db.cmds.values()) {
    const table = db.hist.get(c.id);
    const archTable = db.arch.get(c.id) ?? new Map<string, string>();
    const purge = purgeLimit(db, c, now);
    if (purge) {
      for (const t of [table, archTable]) for (const dt of [...(t?.keys() ?? [])]) if (dt < purge) t!.delete(dt);
    }
    if (!table || table.size === 0) {
      if (archTable.size) db.arch.set(c.id, archTable);
      continue;
    }
    const old = [...table.entries()].filter(([dt]) => dt < limit).sort(([a], [b]) => (a < b ? -1 : 1));
    if (old.length === 0) continue;
    archiveRows(db, c, old, archTable, pkgHours);
    for (const [dt] of old) table.delete(dt);
    db.arch.set(c.id, archTable);
  }
}

/** One command's rows past the limit, written to its historyArch table as its historizeMode says. */
function archiveRows(db: SimDatabase, c: SimCmd, old: [string, string][], archTable: Map<string, string>, pkgHours: number): void {
  const mode = str(c.configuration.historizeMode);
  if (mode === 'none') {
    for (const [dt, v] of old) archTable.set(dt, v);
  } else if (c.subType === 'numeric') {
    const scale =
      c.configuration.historizeRound !== undefined && c.configuration.historizeRound !== ''
        ? Math.trunc(floatval(c.configuration.historizeRound))
        : 2;
    const groups = new Map<number, { first: string; values: number[] }>();
    for (const [dt, v] of old) {
      const g = Math.floor(db.unixOf(dt) / (pkgHours * 3600));
      const entry = groups.get(g) ?? { first: dt, values: [] };
      entry.values.push(roundHalfUp(floatval(v), scale));
      groups.set(g, entry);
    }
    for (const { first, values } of groups.values()) {
      const agg =
        mode === 'min' ? Math.min(...values) : mode === 'max' ? Math.max(...values) : values.reduce((a, b) => a + b, 0) / values.length;
      archTable.set(first, mode === 'min' || mode === 'max' ? agg.toFixed(scale) : agg.toFixed(9));
    }
  } else {
    // Binary and string commands keep only the rows where the value changed.
    const archived = [...archTable.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    let last = archived.length ? archived[archived.length - 1]![1] : undefined;
    for (const [dt, v] of old) {
      if (v !== last) archTable.set(dt, v);
      last = v;
    }
  }
}

/**
 * Jeedom's cron, checked on every request: runs the archive once the clock has passed 05:00 local
 * since the last request (nothing when `enabled` is false).
 */
export function archiveCron(db: SimDatabase, enabled: boolean): () => void {
  let lastCron = db.clock.now().getTime();
  return () => {
    if (!enabled) return;
    const now = db.clock.now().getTime();
    const next = moment.tz(lastCron, db.tz()).startOf('day').add(5, 'hours');
    if (next.valueOf() <= lastCron) next.add(1, 'day');
    if (now >= next.valueOf()) runArchive(db);
    lastCron = Math.max(lastCron, now);
  };
}
