/**
 * The idempotent history writer: readings → `cmd::event {id, value, datetime}` on the virtual's info
 * commands, writing only what is missing or different.
 *
 * Datetimes (docs/jeedom-api.md §3, §4): `YYYY-MM-DD HH:MM:SS` in the box's own timezone, read from its config.
 * - Daily energy (consumption, production) and the tariff's day figures (hp_energy, hc_energy,
 *   cost; writeDayValues): `<day> 12:00:00` (the forum scenario's choice, docs/origins.md §4; configurable).
 * - Max power: the instant it happened (`at`).
 * - Load curves: the START of the interval. Jeedom's statistics take both bounds inclusive, so with
 *   start stamps `statisticsBetween(cmd, sum, D 00:00, D 23:59:59)` sums exactly day D's intervals;
 *   end stamps (Enedis' labels) would count the previous day's last half-hour at 00:00 and push the
 *   day's own last half-hour to the next day. Start stamps also match `Reading.day`.
 * - October DST change: Jeedom's datetime has no offset, so the two intervals starting at 02:00
 *   (+02:00, then +01:00) share one datetime, as do the two 02:30. They are MERGED into one point:
 *   energy summed (Wh), power averaged over the covered duration (W). No energy is lost: the day's
 *   load_curve_energy still sums to the day's total; the day shows 48 points for 50 intervals. In
 *   March the 02:00–02:59 local hour does not exist and nothing collides (46 points).
 *
 * Idempotence: the command's history is read for the range first (`cmd::getHistory`, history plus
 * archive). A point already stored with the right value is never re-sent: once Jeedom has archived
 * it (after ~2 h), a re-send creates a second row that statistics count twice. A different value is
 * re-sent (a correction); if that point was archived, Jeedom counts both rows until its next 05:00
 * archive replaces the old one (there is no history-edit method in JSON-RPC).
 *
 * Batch: when the box has the Jeedom plugin jeelinky (asked once per client with jeelinky::version),
 * the missing points go in a few `jeelinky::writeHistory` requests instead (the same history rows,
 * REPLACE on the same datetime, no current value touched), and each command whose newest target is
 * newer than its current value gets that point as current value, without a second history row.
 * Without the plugin, the cmd::event path below is used, unchanged.
 *
 * Order: `cmd::event` makes the sent point the command's current value and fires its triggers, for
 * every point of a backfill. Points go oldest first through a small pool of concurrent requests
 * (Jeedom has no batch requests), then each command's newest written point is sent last, once every
 * older point has been acknowledged, so that the current value ends as the newest reading.
 */
import moment from 'moment-timezone';
import { ConfigError, InterruptedError, type JeelinkyError, TemporaryError, throwIfInterrupted } from '../errors.js';
import type { Reading } from '../readings.js';
import { maskUsagePoint } from '../secrets.js';
import { settingDefault } from '../settings.js';
import type { JeedomClient } from './client.js';
import type { JeedomBatchPoint, JeedomCurrentValue } from './wire.js';
import { JeedomWriteInterruptedError } from './errors.js';
import { historySettingsProblems, loadVirtualDevice, specOf, type VirtualDevice } from './virtual.js';

const DT = 'YYYY-MM-DD HH:mm:ss';

export interface HistoryWriteOptions {
  /** Time of day for daily values, `HH:MM:SS` (default `12:00:00`, as the forum scenario). */
  dailyTime?: string;
  /** Requests in flight at once (default: the jeedomConcurrency setting's, plugin/settings.ts). */
  concurrency?: number;
  /** Upper bound on requests started per second (default: no bound beyond `concurrency`). */
  maxRequestsPerSecond?: number;
  /** Compute what would be written without writing. */
  dryRun?: boolean;
  /** Days of history read per `cmd::getHistory` call (default 31). */
  readChunkDays?: number;
  onProgress?: (done: number, total: number) => void;
  /** Already loaded devices, by PDL (saves a few requests). */
  devices?: Map<string, VirtualDevice>;
  /**
   * Use the Jeedom plugin's batch method (jeelinky::writeHistory) when the box has it (default true);
   * false sends one cmd::event per point even then.
   */
  batch?: boolean;
  /** Points per jeelinky::writeHistory request (default 5,000, never above the plugin's limit). */
  batchSize?: number;
  /** SIGINT/SIGTERM: no request starts after it (the client aborts the one in flight); JeedomWriteInterruptedError says what was done. */
  signal?: AbortSignal;
}

export interface WriteTally {
  /** Points that were missing and were written. */
  written: number;
  /** Points already present with the right value (not re-sent). */
  skipped: number;
  /** Points present with another value, re-sent. */
  corrected: number;
  failed: number;
}

export interface HistoryWriteSummary extends WriteTally {
  /** Distinct (command, datetime) points the readings map to. */
  points: number;
  /** Intervals merged into a shared datetime (October repeated hour). */
  merged: number;
  /** HTTP requests made (reads included). */
  requests: number;
  elapsedMs: number;
  requestsPerSecond: number;
  timezone: string;
  dryRun: boolean;
  byCommand: Record<string, WriteTally>;
  warnings: string[];
  /** How points went to Jeedom: the plugin's batch method, or one cmd::event each (undefined: nothing sent yet). */
  via?: 'jeelinky::writeHistory' | 'cmd::event';
}

/** One point acknowledged by Jeedom: counted as written, or as corrected when it replaced another value. */
function countWritten(summary: HistoryWriteSummary, p: { logicalId: string; correction: boolean }): void {
  const key = p.correction ? 'corrected' : 'written';
  summary.byCommand[p.logicalId]![key]++;
  summary[key]++;
}

export interface JeedomPoint {
  logicalId: string;
  /** `YYYY-MM-DD HH:MM:SS` in the box timezone. */
  datetime: string;
  value: number;
  /** Real instant of the point (ms), for ordering. */
  instant: number;
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;
const sameValue = (stored: string, value: number) => Math.abs(Number(stored) - value) < 1e-6;

/** Maps readings to Jeedom points (pure): one per (command, datetime), collisions merged. */
export function readingsToPoints(readings: Reading[], timezone: string, dailyTime = '12:00:00'): { points: JeedomPoint[]; merged: number } {
  if (!/^\d{2}:\d{2}:\d{2}$/.test(dailyTime)) throw new ConfigError(`daily time "${dailyTime}" must be HH:MM:SS`, 'jeedom_daily_time');
  const local = (iso: string) => moment.tz(moment.parseZone(iso).valueOf(), timezone).format(DT);
  // The same interval twice in the input is one reading (the last wins), never summed.
  const unique = new Map<string, Reading>();
  for (const r of readings) unique.set(`${r.kind}|${r.kind === 'max_power' || !r.start ? r.day : moment.parseZone(r.start).valueOf()}`, r);
  interface Acc {
    logicalId: string;
    datetime: string;
    instant: number;
    sum: number;
    weight: number;
    count: number;
    average: boolean;
  }
  const acc = new Map<string, Acc>();
  const add = (logicalId: string, datetime: string, instant: number, value: number, weight: number, average: boolean) => {
    const key = `${logicalId}|${datetime}`;
    const a = acc.get(key) ?? { logicalId, datetime, instant, sum: 0, weight: 0, count: 0, average };
    a.sum += average ? value * weight : value;
    a.weight += weight;
    a.count += 1;
    a.instant = Math.min(a.instant, instant);
    acc.set(key, a);
  };
  for (const r of unique.values()) {
    const dayInstant = moment.tz(`${r.day} ${dailyTime}`, DT, timezone).valueOf();
    switch (r.kind) {
      case 'daily_consumption':
      case 'daily_production':
        add(r.kind, `${r.day} ${dailyTime}`, dayInstant, r.value, 1, false);
        break;
      case 'max_power':
        if (r.at) add('max_power', local(r.at), moment.parseZone(r.at).valueOf(), r.value, 1, false);
        else add('max_power', `${r.day} ${dailyTime}`, dayInstant, r.value, 1, false);
        break;
      case 'load_curve':
      case 'production_load_curve': {
        const prefix = r.kind === 'load_curve' ? 'load_curve' : 'production_load_curve';
        const start = moment.parseZone(r.start).valueOf();
        const hours = (moment.parseZone(r.end).valueOf() - start) / 3_600_000;
        const energy = r.energyWh ?? r.value * hours;
        const dt = local(r.start);
        add(`${prefix}_power`, dt, start, r.value, hours > 0 ? hours : 1, true);
        add(`${prefix}_energy`, dt, start, energy, 1, false);
        break;
      }
    }
  }
  let merged = 0;
  const points: JeedomPoint[] = [];
  for (const a of acc.values()) {
    if (a.count > 1 && a.logicalId.endsWith('_energy')) merged += a.count - 1;
    points.push({
      logicalId: a.logicalId,
      datetime: a.datetime,
      value: round3(a.average ? a.sum / a.weight : a.sum),
      instant: a.instant,
    });
  }
  points.sort((x, y) => x.instant - y.instant || (x.logicalId < y.logicalId ? -1 : 1));
  return { points, merged };
}

/** Runs `fn` over `items` with at most `concurrency` in flight and at most `rate` starts per second. */
async function pool<T>(
  items: T[],
  concurrency: number,
  rate: number | undefined,
  fn: (t: T) => Promise<void>,
  stopped: () => boolean,
): Promise<void> {
  let next = 0;
  let nextStart = Date.now();
  const gap = rate && rate > 0 ? 1000 / rate : 0;
  const worker = async () => {
    while (next < items.length && !stopped()) {
      const item = items[next++]!;
      if (gap) {
        const wait = nextStart - Date.now();
        nextStart = Math.max(nextStart, Date.now()) + gap;
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (stopped()) return;
      }
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}

function chunks(first: string, last: string, days: number): [string, string][] {
  const out: [string, string][] = [];
  let start = moment.utc(first.slice(0, 10), 'YYYY-MM-DD');
  const end = moment.utc(last, DT);
  while (start.isSameOrBefore(end)) {
    const next = start.clone().add(days, 'days');
    // Up to the newest target only: newer stored points are not this write's business (and are
    // not "foreign" points), the current-value check below looks at them.
    const to = moment.min(next.clone().subtract(1, 'second'), end);
    out.push([start.format(DT), to.format(DT)]);
    start = next;
  }
  return out;
}

const emptyTally = (): WriteTally => ({ written: 0, skipped: 0, corrected: 0, failed: 0 });

/**
 * Writes readings into the virtual device(s) of their PDL(s). Throws JeedomWriteInterruptedError
 * (exit 75, with `summary`) when Jeedom becomes unreachable mid-way; the next run completes the rest.
 */
export async function writeReadings(
  client: JeedomClient,
  readings: Reading[],
  opts: HistoryWriteOptions = {},
): Promise<HistoryWriteSummary> {
  const run = await startSummary(client, opts);
  const byPdl = new Map<string, Reading[]>();
  for (const r of readings) {
    const list = byPdl.get(r.usagePoint);
    if (list) list.push(r);
    else byPdl.set(r.usagePoint, [r]);
  }
  for (const [pdl, list] of byPdl) {
    const device = await writableDevice(client, pdl, opts);
    const { points, merged } = readingsToPoints(list, run.summary.timezone, opts.dailyTime);
    run.summary.points += points.length;
    run.summary.merged += merged;
    await writePoints(client, device, pdl, points, opts, run.summary, run.finish);
  }
  return run.finish();
}

/** A figure of one local day (HP/HC energy, cost), written at `<day> <dailyTime>` like daily energy. */
export interface DayValue {
  logicalId: string;
  /** Local day `YYYY-MM-DD`. */
  day: string;
  value: number;
}

/** Maps day values to Jeedom points (pure): `<day> 12:00:00` by default, one per (command, day), the last wins. */
export function dayValuesToPoints(values: DayValue[], timezone: string, dailyTime = '12:00:00'): JeedomPoint[] {
  if (!/^\d{2}:\d{2}:\d{2}$/.test(dailyTime)) throw new ConfigError(`daily time "${dailyTime}" must be HH:MM:SS`, 'jeedom_daily_time');
  const unique = new Map<string, JeedomPoint>();
  for (const v of values) {
    const datetime = `${v.day} ${dailyTime}`;
    unique.set(`${v.logicalId}|${datetime}`, {
      logicalId: v.logicalId,
      datetime,
      value: round3(v.value),
      instant: moment.tz(datetime, DT, timezone).valueOf(),
    });
  }
  return [...unique.values()].sort((x, y) => x.instant - y.instant || (x.logicalId < y.logicalId ? -1 : 1));
}

/**
 * Writes per-day figures of one PDL into its virtual device, with the same read-first idempotence
 * and pool as writeReadings (a value already right is skipped, a different one is corrected).
 */
export async function writeDayValues(
  client: JeedomClient,
  usagePoint: string,
  values: DayValue[],
  opts: HistoryWriteOptions = {},
): Promise<HistoryWriteSummary> {
  const run = await startSummary(client, opts);
  if (values.length === 0) return run.finish();
  const device = await writableDevice(client, usagePoint, opts);
  const points = dayValuesToPoints(values, run.summary.timezone, opts.dailyTime);
  run.summary.points += points.length;
  await writePoints(client, device, usagePoint, points, opts, run.summary, run.finish);
  return run.finish();
}

async function startSummary(
  client: JeedomClient,
  opts: HistoryWriteOptions,
): Promise<{ summary: HistoryWriteSummary; finish: () => HistoryWriteSummary }> {
  const t0 = Date.now();
  const requests0 = client.requestCount;
  const timezone = await client.timezone();
  const summary: HistoryWriteSummary = {
    ...emptyTally(),
    points: 0,
    merged: 0,
    requests: 0,
    elapsedMs: 0,
    requestsPerSecond: 0,
    timezone,
    dryRun: opts.dryRun ?? false,
    byCommand: {},
    warnings: [],
  };
  const finish = () => {
    summary.requests = client.requestCount - requests0;
    summary.elapsedMs = Date.now() - t0;
    summary.requestsPerSecond = summary.elapsedMs > 0 ? Math.round((summary.requests * 1000) / summary.elapsedMs) : summary.requests;
    return summary;
  };
  return { summary, finish };
}

async function writableDevice(client: JeedomClient, pdl: string, opts: HistoryWriteOptions): Promise<VirtualDevice> {
  const device = opts.devices?.get(pdl) ?? (await loadVirtualDevice(client, pdl));
  if (!device.eqLogic.isEnable) {
    throw new ConfigError(
      `${device.humanName} is disabled in Jeedom, which silently drops every value written to it: tick "Activer" on the device, then run again`,
      'jeedom_device_disabled',
    );
  }
  return device;
}

/** One device's write: what every step of writePoints shares. */
interface WriteJob {
  client: JeedomClient;
  device: VirtualDevice;
  pdl: string;
  opts: HistoryWriteOptions;
  summary: HistoryWriteSummary;
  finish: () => HistoryWriteSummary;
  /** The points to write, by command logicalId. */
  byCmd: Map<string, JeedomPoint[]>;
  /** Requests in flight at once. */
  concurrency: number;
  dryRun: boolean;
}

/** A point to send, and whether it replaces another value stored at its datetime. */
type PendingPoint = JeedomPoint & { correction: boolean };

/**
 * The idempotent write of one device's points: checks the target commands' settings, reads what is
 * stored, then sends only what is missing or different, through the pool (see the module comment).
 */
async function writePoints(
  client: JeedomClient,
  device: VirtualDevice,
  pdl: string,
  points: JeedomPoint[],
  opts: HistoryWriteOptions,
  summary: HistoryWriteSummary,
  finish: () => HistoryWriteSummary,
): Promise<void> {
  const byCmd = new Map<string, JeedomPoint[]>();
  for (const p of points) {
    const list = byCmd.get(p.logicalId);
    if (list) list.push(p);
    else byCmd.set(p.logicalId, [p]);
  }
  const job: WriteJob = {
    client,
    device,
    pdl,
    opts,
    summary,
    finish,
    byCmd,
    concurrency: Math.max(1, Math.floor(opts.concurrency ?? settingDefault('jeedomConcurrency'))),
    dryRun: opts.dryRun ?? false,
  };
  checkCommandSettings(job);
  const stored = await readStored(job);
  const current = await client.currentValues([...byCmd.keys()].map((l) => device.cmds.get(l)!.id));
  const toWrite = planWrites(job, stored);

  const batch = job.dryRun || opts.batch === false ? undefined : await client.batchSupport();
  if (batch) {
    summary.via = 'jeelinky::writeHistory';
    await writeBatches(job, toWrite, current, Math.max(1, Math.min(batch.maxPoints, opts.batchSize ?? 5000)));
    return;
  }
  if (!job.dryRun && toWrite.length) summary.via = 'cmd::event';
  await sendEvents(job, toWrite, current);
}

/** Every target command is checked before anything is written: a lossy setting must stop the import. */
function checkCommandSettings({ device, pdl, byCmd }: WriteJob): void {
  const problems: string[] = [];
  for (const logicalId of byCmd.keys()) {
    const cmd = device.cmds.get(logicalId);
    const spec = specOf(logicalId)!;
    if (!cmd) problems.push(`command ${logicalId} is missing`);
    else {
      const p = historySettingsProblems(cmd, spec);
      if (p.length) problems.push(`${device.humanName}[${cmd.name}]: ${p.join(', ')}`);
    }
  }
  if (problems.length) {
    throw new ConfigError(
      `Jeedom device of PDL ${maskUsagePoint(pdl)} is not ready for history (${problems.join('; ')}): run "jeelinky jeedom setup"`,
      'jeedom_cmd_settings',
    );
  }
}

/** What is stored, per command and per chunk of days: logicalId → datetime → the values stored there. */
async function readStored({ client, device, opts, byCmd, concurrency }: WriteJob): Promise<Map<string, Map<string, string[]>>> {
  const existing = new Map<string, Map<string, string[]>>();
  const reads: { logicalId: string; id: number; from: string; to: string }[] = [];
  for (const [logicalId, pts] of byCmd) {
    existing.set(logicalId, new Map());
    const dts = pts.map((p) => p.datetime).sort();
    for (const [from, to] of chunks(dts[0]!, dts[dts.length - 1]!, opts.readChunkDays ?? 31)) {
      reads.push({ logicalId, id: device.cmds.get(logicalId)!.id, from, to });
    }
  }
  let readError: unknown;
  await pool(
    reads,
    concurrency,
    opts.maxRequestsPerSecond,
    async (r) => {
      try {
        for (const row of await client.history(r.id, r.from, r.to)) {
          const m = existing.get(r.logicalId)!;
          const values = m.get(row.datetime);
          if (values) values.push(row.value);
          else m.set(row.datetime, [row.value]);
        }
      } catch (err) {
        readError ??= err;
      }
    },
    () => readError !== undefined || opts.signal?.aborted === true,
  );
  if (readError) throw readError;
  throwIfInterrupted(opts.signal, 'while reading the Jeedom history');
  return existing;
}

/** Decides point by point: a point stored with the right value is tallied as skipped, the others are to send. */
function planWrites({ summary, byCmd }: WriteJob, existing: Map<string, Map<string, string[]>>): PendingPoint[] {
  const toWrite: PendingPoint[] = [];
  for (const [logicalId, pts] of byCmd) {
    summary.byCommand[logicalId] ??= emptyTally();
    const tally = summary.byCommand[logicalId];
    const stored = existing.get(logicalId)!;
    const targets = new Set(pts.map((p) => p.datetime));
    const foreign = [...stored.keys()].filter((dt) => !targets.has(dt)).length;
    if (foreign) summary.warnings.push(`${logicalId}: ${foreign} stored point(s) at datetimes jeelinky does not write were left untouched`);
    for (const p of pts) {
      const values = stored.get(p.datetime);
      if (values?.every((v) => sameValue(v, p.value))) {
        tally.skipped++;
        summary.skipped++;
      } else toWrite.push({ ...p, correction: values !== undefined });
    }
  }
  return toWrite;
}

/** The cmd::event path of writePoints: one request per point through the pool, each command's newest point last. */
async function sendEvents(job: WriteJob, toWrite: PendingPoint[], current: Map<number, JeedomCurrentValue>): Promise<void> {
  const { client, device, opts, summary, byCmd, concurrency, dryRun } = job;
  // Each command's newest point to write goes last, after every older one is acknowledged.
  const last = new Map<string, PendingPoint>();
  for (const p of toWrite) if (!last.has(p.logicalId) || last.get(p.logicalId)!.instant <= p.instant) last.set(p.logicalId, p);
  const finals = new Set(last.values());
  const first = toWrite.filter((p) => !finals.has(p));
  for (const [logicalId, p] of last) {
    const newestTarget = byCmd.get(logicalId)!.reduce((a, b) => (b.datetime > a ? b.datetime : a), '');
    const cur = current.get(device.cmds.get(logicalId)!.id)?.collectDate ?? '';
    const newestKnown = newestTarget > cur ? newestTarget : cur;
    if (p.datetime < newestKnown) {
      summary.warnings.push(
        `${logicalId}: its current value will be the point of ${p.datetime}, older than the stored ${newestKnown}; the next new reading fixes it (a stored point is never re-sent: once archived it would count twice)`,
      );
    }
  }

  const total = toWrite.length;
  let done = 0;
  let fatal: JeelinkyError | undefined;
  const send = async (p: PendingPoint) => {
    const tally = summary.byCommand[p.logicalId]!;
    try {
      if (!dryRun) await client.event(device.cmds.get(p.logicalId)!.id, p.value, p.datetime);
      countWritten(summary, p);
    } catch (err) {
      if (err instanceof TemporaryError) {
        fatal ??= err;
        return;
      }
      tally.failed++;
      summary.failed++;
      if (summary.warnings.length < 20)
        summary.warnings.push(`${p.logicalId} @ ${p.datetime}: ${err instanceof Error ? err.message : String(err)}`);
    }
    done++;
    opts.onProgress?.(done, total);
  };
  const stop = () => fatal !== undefined || opts.signal?.aborted === true;
  await pool(first, concurrency, opts.maxRequestsPerSecond, send, stop);
  if (!stop()) await pool([...finals], concurrency, opts.maxRequestsPerSecond, send, stop);
  // Stopped between two requests with none in flight: say so like a request the signal aborted.
  if (!fatal && opts.signal?.aborted && done < total)
    fatal = new InterruptedError(String(opts.signal.reason ?? 'a signal'), 'between two Jeedom requests');
  if (fatal) throwInterrupted(job, fatal, total - done);
}

/**
 * The batch path of writePoints: the points oldest first in requests of `size`, then, with the last
 * request, the current value of each command whose newest target is newer than (or corrects) the
 * stored current value, so a backfill behind newer data never leaves an old point as current value.
 */
async function writeBatches(job: WriteJob, toWrite: PendingPoint[], current: Map<number, JeedomCurrentValue>, size: number): Promise<void> {
  const { client, device, opts, summary, byCmd } = job;
  const idOf = (logicalId: string) => device.cmds.get(logicalId)!.id;
  const currents: JeedomBatchPoint[] = [];
  for (const [logicalId, pts] of byCmd) {
    const newest = pts.reduce((a, b) => (b.datetime > a.datetime ? b : a));
    const cur = current.get(idOf(logicalId));
    const curDate = cur?.collectDate ?? '';
    if (newest.datetime > curDate || (newest.datetime === curDate && !sameValue(String(cur?.value ?? ''), newest.value))) {
      currents.push({ cmd_id: idOf(logicalId), datetime: newest.datetime, value: newest.value });
    }
  }
  const ordered = [...toWrite].sort((x, y) => x.instant - y.instant || (x.logicalId < y.logicalId ? -1 : 1));
  const requests: PendingPoint[][] = [];
  for (let i = 0; i < ordered.length; i += size) requests.push(ordered.slice(i, i + size));
  if (requests.length === 0 && currents.length) requests.push([]);
  const total = ordered.length;
  let done = 0;
  let fatal: JeelinkyError | undefined;
  for (const [i, chunk] of requests.entries()) {
    if (opts.signal?.aborted) {
      fatal = new InterruptedError(String(opts.signal.reason ?? 'a signal'), 'between two Jeedom requests');
      break;
    }
    try {
      await client.writeHistory(
        chunk.map((p) => ({ cmd_id: idOf(p.logicalId), datetime: p.datetime, value: p.value })),
        i === requests.length - 1 ? currents : [],
      );
      for (const p of chunk) countWritten(summary, p);
    } catch (err) {
      if (err instanceof TemporaryError || err instanceof InterruptedError) {
        fatal = err;
        break;
      }
      // Refused as a whole (one bad point refuses its request): these points stay pending.
      for (const p of chunk) summary.byCommand[p.logicalId]!.failed++;
      summary.failed += chunk.length;
      if (summary.warnings.length < 20)
        summary.warnings.push(
          `${chunk.length} point(s) refused by jeelinky::writeHistory: ${err instanceof Error ? err.message : String(err)}`,
        );
    }
    done += chunk.length;
    opts.onProgress?.(done, total);
  }
  if (fatal) throwInterrupted(job, fatal, total - done);
}

/** Jeedom went away (or a signal came) mid-write: the points `left` count as failed, the summary says what was done. */
function throwInterrupted({ pdl, summary, finish }: WriteJob, fatal: JeelinkyError, left: number): never {
  summary.failed += left;
  finish();
  throw new JeedomWriteInterruptedError(
    `${fatal.message} (history of PDL ${maskUsagePoint(pdl)}: ${summary.written} written, ${summary.corrected} corrected, ${left} left for the next run)`,
    fatal.code,
    summary,
  );
}

/** The token state kept in the virtual's (non-historised) info commands, as the forum scenario does (docs/origins.md §2). */
export interface TokenState {
  device_code?: string;
  access_token?: string;
  token_type?: string;
  refresh_token?: string;
  usage_point_id?: string;
}

/**
 * Writes the given token fields into their commands, only those whose current value differs (so
 * triggers fire only on a real change). Token values never appear in errors.
 */
export async function writeTokenState(
  client: JeedomClient,
  device: VirtualDevice,
  state: TokenState,
): Promise<{ written: string[]; unchanged: string[] }> {
  const entries = Object.entries(state).filter((e): e is [string, string] => typeof e[1] === 'string');
  const missing = entries.filter(([k]) => !device.cmds.has(k)).map(([k]) => k);
  if (missing.length) {
    throw new ConfigError(
      `${device.humanName} lacks the command(s) ${missing.join(', ')}: run "jeelinky jeedom setup"`,
      'jeedom_cmd_missing',
    );
  }
  const ids = entries.map(([k]) => device.cmds.get(k)!.id);
  const current = await client.currentValues(ids);
  const written: string[] = [];
  const unchanged: string[] = [];
  for (const [k, v] of entries) {
    const id = device.cmds.get(k)!.id;
    if (String(current.get(id)?.value ?? '') === v) {
      unchanged.push(k);
      continue;
    }
    await client.event(id, v);
    written.push(k);
  }
  return { written, unchanged };
}

/** Sets (1) or clears (0) the relaunch flag that a Jeedom scenario can trigger on. */
export async function setRelaunch(client: JeedomClient, device: VirtualDevice, on: boolean): Promise<void> {
  const cmd = device.cmds.get('relaunch');
  if (!cmd) throw new ConfigError(`${device.humanName} lacks the relaunch command: run "jeelinky jeedom setup"`, 'jeedom_cmd_missing');
  await client.event(cmd.id, on ? 1 : 0);
}
