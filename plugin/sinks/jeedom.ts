/**
 * The Jeedom sink: readings into the history of the virtual device's info commands, then, at the
 * end of the run, the token state, the relaunch flag and the forum scenario's six figures. The local state
 * is the write-ahead copy: whatever Jeedom misses now, the next run brings it up to date.
 */
import { parseInteger, readSetting, type JeelinkyConfig } from '../config.js';
import { ConfigError, ExitCode, isJeelinkyError } from '../errors.js';
import { JeedomClient } from '../jeedom/client.js';
import { JeedomNotFoundError, JeedomWriteInterruptedError } from '../jeedom/errors.js';
import { setRelaunch, writeDayValues, writeReadings, writeTokenState, type DayValue, type WriteTally } from '../jeedom/history.js';
import { bindVirtualDevice, pairingDevices, type VirtualDevice } from '../jeedom/virtual.js';
import type { Reading } from '../readings.js';
import { dailyPoints, seedFigures } from '../stats/figures.js';
import { TARIFF_FIGURES, TEMPO_DAY_FIGURES, type DayTariff, type TempoDayTariff } from '../tariff/days.js';
import type { TempoRunFigures } from './sink.js';
import { emptyResult, type DeliveryContext, type RunOutcome, type Sink, type SinkResult } from './sink.js';

export interface JeedomSinkOptions {
  url: string;
  apikey: string;
  /** Upper bound of requests per second sent to the box (a backfill sends one per point). */
  maxRequestsPerSecond?: number;
  concurrency?: number;
  /** Per request (JEELINKY_TIMEOUT_MS). */
  timeoutMs?: number;
}

function failure(e: unknown): NonNullable<SinkResult['error']> {
  return isJeelinkyError(e)
    ? { code: e.code, message: `Jeedom: ${e.message}`, exitCode: e.exitCode }
    : { code: 'bug', message: `Jeedom: ${String(e)}`, exitCode: ExitCode.BUG };
}

export class JeedomSink implements Sink {
  readonly name = 'jeedom' as const;
  private readonly client: JeedomClient;

  constructor(private readonly options: JeedomSinkOptions) {
    this.client = new JeedomClient({ url: options.url, apikey: options.apikey, timeoutMs: options.timeoutMs });
  }

  async deliver(readings: Reading[], ctx: DeliveryContext): Promise<SinkResult> {
    return this.write(readings, ctx, false);
  }

  /** What a delivery would write: Jeedom's history is read and only the points it lacks are counted. */
  async plan(readings: Reading[], ctx: DeliveryContext): Promise<SinkResult> {
    return this.write(readings, ctx, true);
  }

  private async write(readings: Reading[], ctx: DeliveryContext, dryRun: boolean): Promise<SinkResult> {
    // A signal aborts the request in flight and stops the writer before its next request.
    this.client.signal = ctx.signal;
    try {
      // A device set up before pairing becomes this PDL's on its first delivery.
      const devices = new Map<string, VirtualDevice>();
      for (const pdl of new Set(readings.map((r) => r.usagePoint))) devices.set(pdl, await bindVirtualDevice(this.client, pdl, dryRun));
      const s = await writeReadings(this.client, readings, {
        maxRequestsPerSecond: this.options.maxRequestsPerSecond,
        concurrency: this.options.concurrency,
        onProgress: ctx.onProgress,
        signal: ctx.signal,
        devices,
        dryRun,
      });
      return {
        sink: this.name,
        written: s.written,
        skipped: s.skipped,
        corrected: s.corrected,
        failed: s.failed,
        ...(s.via ? { via: s.via } : {}),
        ...warningsOf(s.warnings),
      };
    } catch (e) {
      // Jeedom went away mid-way: what was acknowledged is in its history, the rest stays pending.
      if (e instanceof JeedomWriteInterruptedError) {
        const done = e.summary as Partial<WriteTally> & { warnings?: string[] };
        return {
          sink: this.name,
          written: done.written ?? 0,
          skipped: done.skipped ?? 0,
          corrected: done.corrected ?? 0,
          failed: Math.max(1, done.failed ?? 0),
          ...warningsOf(done.warnings ?? []),
          error: failure(e),
        };
      }
      return { ...emptyResult(this.name), error: failure(e) };
    }
  }

  async runEnded(outcome: RunOutcome): Promise<void> {
    // The forum scenario's order: "run --code" puts the device code into the device set up
    // before pairing (or the known PDLs' devices); a device that does not exist yet is no error.
    const pairing = outcome.pairing && Date.parse(outcome.pairing.expiresAt) > Date.parse(outcome.finishedAt) ? outcome.pairing : undefined;
    if (!outcome.usagePoint) {
      const pdls = outcome.tokens?.usagePoints ?? [];
      if (pdls.length > 1) {
        // Several PDLs and none chosen yet: each PDL's device gets the token state (one device per PDL).
        // A PDL whose device is not set up yet is skipped: "jeelinky jeedom setup" creates it.
        for (const pdl of pdls) {
          const device = await bindVirtualDevice(this.client, pdl).catch((e: unknown) => {
            if (e instanceof JeedomNotFoundError) return undefined;
            throw e;
          });
          if (device) await this.writeTokens(device, outcome, pdl, pairing);
        }
      } else {
        for (const device of await pairingDevices(this.client, pdls)) await this.writeTokens(device, outcome, undefined, pairing);
      }
      return;
    }
    const device = await bindVirtualDevice(this.client, outcome.usagePoint);
    await this.writeTokens(device, outcome, outcome.usagePoint, pairing);
    // The forum scenario's relaunchScenario (docs/origins.md §5): set on a temporary failure, cleared by a clean run.
    if (outcome.exitCode === ExitCode.TEMPORARY) await setRelaunch(this.client, device, true);
    else if (outcome.ok) await setRelaunch(this.client, device, false);
    if (outcome.recentDaily?.length) {
      const tz = await this.client.timezone();
      for (const f of seedFigures(dailyPoints(outcome.recentDaily), new Date(outcome.finishedAt), tz)) {
        const cmd = device.cmds.get(f.logicalId);
        if (cmd && f.kwh !== null) await this.client.event(cmd.id, Math.round(f.kwh * 1000) / 1000);
      }
    }
    // Last: a device set up before these commands existed fails here, after the rest is written.
    if (outcome.tariffDays?.length) {
      await writeDayValues(this.client, outcome.usagePoint, tariffValues(outcome.tariffDays), {
        maxRequestsPerSecond: this.options.maxRequestsPerSecond,
        concurrency: this.options.concurrency,
        devices: new Map([[outcome.usagePoint, device]]),
      });
    }
    if (outcome.tempo) await this.writeTempo(device, outcome.tempo, outcome.usagePoint);
  }

  /** Tempo's commands: the day figures idempotently (like hp_energy), the current values by event. */
  private async writeTempo(device: VirtualDevice, tempo: TempoRunFigures, usagePoint: string): Promise<void> {
    const current: Array<[string, string | number]> = [
      ['tempo_today', tempo.today.colour ?? ''],
      ['tempo_tomorrow', tempo.tomorrow.colour ?? ''],
      ['tempo_red_left', tempo.redLeft],
      ['tempo_white_left', tempo.whiteLeft],
    ];
    for (const [logicalId, value] of current) {
      const cmd = device.cmds.get(logicalId);
      if (cmd) await this.client.event(cmd.id, value);
    }
    const values = tempoValues(tempo.days).filter((v) => device.cmds.has(v.logicalId));
    if (values.length) {
      await writeDayValues(this.client, usagePoint, values, {
        maxRequestsPerSecond: this.options.maxRequestsPerSecond,
        concurrency: this.options.concurrency,
        devices: new Map([[usagePoint, device]]),
      });
    }
  }

  /** The token state as the forum scenario kept it; device_code holds the device code of a pairing in progress, else is empty. */
  private async writeTokens(
    device: VirtualDevice,
    outcome: RunOutcome,
    usagePoint: string | undefined,
    pairing: RunOutcome['pairing'],
  ): Promise<void> {
    const t = outcome.tokens;
    await writeTokenState(this.client, device, {
      // A device made before device_code existed is not failed for it when no pairing is in progress.
      ...(pairing || device.cmds.has('device_code') ? { device_code: pairing?.deviceCode ?? '' } : {}),
      ...(t ? { access_token: t.accessToken, token_type: t.tokenType, refresh_token: t.refreshToken } : {}),
      ...(usagePoint ? { usage_point_id: usagePoint } : {}),
    });
  }

  async close(): Promise<void> {
    this.client.close();
  }
}

/** The writer's warnings (e.g. an older point is now Jeedom's current value), when there are any. */
function warningsOf(warnings: string[]): { warnings?: string[] } {
  return warnings.length ? { warnings: [...warnings] } : {};
}

/** Day figures as the values of their commands, by a table of {logicalId, field}; null figures are not written. */
function figureValues<K extends string, D extends { day: string } & Record<K, number | null>>(
  days: readonly D[],
  figures: readonly { logicalId: string; field: K }[],
): DayValue[] {
  const out: DayValue[] = [];
  for (const d of days) {
    for (const f of figures) {
      const value = d[f.field];
      if (value !== null) out.push({ logicalId: f.logicalId, day: d.day, value });
    }
  }
  return out;
}

/** The day figures as `hp_energy`, `hc_energy`, `cost` values. */
export const tariffValues = (days: DayTariff[]): DayValue[] => figureValues(days, TARIFF_FIGURES);

/** The Tempo day figures as `tempo_blue_hp` … `tempo_cost` values. */
export const tempoValues = (days: TempoDayTariff[]): DayValue[] => figureValues(days, TEMPO_DAY_FIGURES);

/** Configured when JEELINKY_JEEDOM_URL (or --jeedom-url) is set. */
export function createJeedomSink(config: JeelinkyConfig, flags: Record<string, unknown> = {}): Sink | undefined {
  if (!config.jeedomUrl) return undefined;
  if (!config.jeedomApiKey) {
    throw new ConfigError(
      'JEELINKY_JEEDOM_URL is set but not JEELINKY_JEEDOM_APIKEY: give the core API key (Réglages → Système → Configuration → API)',
      'jeedom_apikey',
    );
  }
  const rate = readSetting('jeedomRate', flags['jeedom-rate'] as number | undefined, config, parseInteger);
  const concurrency = readSetting('jeedomConcurrency', undefined, config, parseInteger);
  return new JeedomSink({
    url: config.jeedomUrl,
    apikey: config.jeedomApiKey,
    maxRequestsPerSecond: rate || undefined,
    concurrency: concurrency || undefined,
    timeoutMs: config.timeoutMs,
  });
}
