/**
 * The history writer against the simulator: datetimes in the box's zone, idempotence (a re-run
 * writes nothing, an archived point is not re-sent), partial days, corrections, both DST days,
 * settings and disabled-device checks, Jeedom going down mid-way, token state and relaunch.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../plugin/errors.js';
import { JeedomClient } from '../plugin/jeedom/client.js';
import { JeedomWriteInterruptedError } from '../plugin/jeedom/errors.js';
import { readingsToPoints, setRelaunch, writeReadings, writeTokenState } from '../plugin/jeedom/history.js';
import { ensureVirtualDevice, loadVirtualDevice } from '../plugin/jeedom/virtual.js';
import { startJeedomSimulator, type JeedomSimulator } from '../simulators/jeedom.js';
import { curveDay, daily, energyOf, maxPower, PDL } from './jeedom-fixtures.js';

let sim: JeedomSimulator;
let client: JeedomClient;
let clockMs: number;
const clock = { now: () => new Date(clockMs) };

async function start(timezone?: string) {
  clockMs = Date.parse('2024-11-20T10:00:00Z');
  sim = await startJeedomSimulator({ clock, timezone });
  client = new JeedomClient({ url: sim.url, apikey: sim.apikey, retryDelayMs: 1 });
  await ensureVirtualDevice(client, { usagePoint: PDL });
}
beforeEach(async () => start());
afterEach(async () => {
  client.close();
  await sim.close();
});

const cmdId = (logicalId: string) => sim.cmdByLogicalId(sim.eqLogics()[0]!.id, logicalId)!.id;
const rows = (logicalId: string) => sim.history(cmdId(logicalId));
const stat = (logicalId: string, day: string) => client.statistique(cmdId(logicalId), `${day} 00:00:00`, `${day} 23:59:59`);

describe('history writer', () => {
  it('writes every kind at its datetime, the newest value last', async () => {
    const day = '2024-11-18';
    const curve = curveDay(day);
    const summary = await writeReadings(client, [...curve, daily(day, 12_345), maxPower(day, 6_120, '2024-11-18T19:04:00+01:00')]);
    expect(summary).toMatchObject({ written: 48 * 2 + 2, skipped: 0, corrected: 0, failed: 0, timezone: 'Europe/Paris' });
    expect(rows('daily_consumption').map((r) => [r.datetime, r.value])).toEqual([['2024-11-18 12:00:00', '12345']]);
    expect(rows('max_power').map((r) => [r.datetime, r.value])).toEqual([['2024-11-18 19:04:00', '6120']]);
    const power = rows('load_curve_power');
    expect(power).toHaveLength(48);
    expect(power[0]).toMatchObject({ datetime: '2024-11-18 00:00:00', value: '300' });
    expect(power[47]).toMatchObject({ datetime: '2024-11-18 23:30:00', value: String(300 + 7 * 47) });
    expect(sim.currentValue(cmdId('load_curve_power'))).toMatchObject({ value: 300 + 7 * 47, collectDate: '2024-11-18 23:30:00' });
    expect((await stat('load_curve_energy', day)).sum).toBe(energyOf(curve).toFixed(2));
  });

  it('writes nothing on a re-run, even after Jeedom archived the points', async () => {
    const day = '2024-11-18';
    const readings = [...curveDay(day), daily(day, 12_345)];
    await writeReadings(client, readings);
    clockMs = Date.parse('2024-11-21T05:00:00Z'); // past 05:00 local: the archive runs
    await client.version();
    expect(rows('load_curve_energy').every((r) => r.table === 'historyArch')).toBe(true);
    sim.resetCounts();
    const again = await writeReadings(client, readings);
    expect(again).toMatchObject({ written: 0, corrected: 0, skipped: 97, failed: 0 });
    expect(sim.methodCounts()['cmd::event']).toBeUndefined();
    expect((await stat('load_curve_energy', day)).count).toBe(48);
  });

  it('completes a partially written day', async () => {
    const day = '2024-11-18';
    const curve = curveDay(day);
    await writeReadings(client, curve.slice(0, 20));
    sim.resetCounts();
    const rest = await writeReadings(client, curve);
    expect(rest).toMatchObject({ written: 28 * 2, skipped: 20 * 2 });
    expect(sim.methodCounts()['cmd::event']).toBe(56);
    expect(rows('load_curve_power')).toHaveLength(48);
  });

  it('corrects a different value and says so', async () => {
    const day = '2024-11-18';
    await writeReadings(client, [daily(day, 100), daily('2024-11-19', 200)]);
    const r = await writeReadings(client, [daily(day, 150), daily('2024-11-19', 200)]);
    expect(r).toMatchObject({ written: 0, corrected: 1, skipped: 1 });
    expect(rows('daily_consumption').map((x) => x.value)).toEqual(['150', '200']);
    expect(r.warnings.join('\n')).toMatch(/current value will be the point of 2024-11-18 12:00:00/);
  });

  it('October: merges the repeated hour, so the day sums to its total', async () => {
    const day = '2024-10-27';
    const curve = curveDay(day, (i) => 200 + 10 * i);
    expect(curve).toHaveLength(50);
    const summary = await writeReadings(client, curve);
    expect(summary.merged).toBe(2);
    expect(rows('load_curve_energy')).toHaveLength(48);
    expect((await stat('load_curve_energy', day)).sum).toBe(energyOf(curve).toFixed(2));
    // 02:00 holds intervals 4 (02:00+02:00) and 6 (02:00+01:00): energy summed, power averaged.
    const at2 = (l: string) => rows(l).find((r) => r.datetime === '2024-10-27 02:00:00')!.value;
    expect(Number(at2('load_curve_energy'))).toBe((240 + 260) / 2);
    expect(Number(at2('load_curve_power'))).toBe(250);
    expect((await writeReadings(client, curve)).written).toBe(0);
  });

  it('March: 46 points, none in the missing hour, the day sums to its total', async () => {
    const day = '2024-03-31';
    const curve = curveDay(day);
    expect(curve).toHaveLength(46);
    await writeReadings(client, curve);
    const dts = rows('load_curve_energy').map((r) => r.datetime);
    expect(dts).toHaveLength(46);
    expect(dts.some((d) => d.startsWith('2024-03-31 02:'))).toBe(false);
    expect((await stat('load_curve_energy', day)).sum).toBe(energyOf(curve).toFixed(2));
  });

  it("uses the box's own timezone", async () => {
    client.close();
    await sim.close();
    await start('UTC');
    await writeReadings(client, curveDay('2024-11-18').slice(0, 2));
    expect(rows('load_curve_power').map((r) => r.datetime)).toEqual(['2024-11-17 23:00:00', '2024-11-17 23:30:00']);
  });

  it('refuses to write into a command with lossy settings or a disabled device', async () => {
    await client.saveCmd({ id: cmdId('load_curve_power'), configuration: { historizeMode: 'avg' } });
    await expect(writeReadings(client, curveDay('2024-11-18'))).rejects.toThrow(/historizeMode avg → none.*jeedom setup/);
    await ensureVirtualDevice(client, { usagePoint: PDL });
    sim.setEnabled(sim.eqLogics()[0]!.id, false);
    const err = await writeReadings(client, curveDay('2024-11-18')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(String(err)).toMatch(/disabled/);
    expect(sim.methodCounts()['cmd::event']).toBeUndefined();
  });

  it('shows the damage a wrong setting does: hourly averaging at archive', async () => {
    const eq = sim.eqLogics()[0]!;
    const bad = sim.addCmd({ eqLogic_id: eq.id, name: 'default settings', isHistorized: '1' });
    const points = readingsToPoints(curveDay('2024-11-18'), 'Europe/Paris').points.filter((p) => p.logicalId === 'load_curve_energy');
    for (const p of points) await client.event(bad.id, p.value, p.datetime);
    await writeReadings(client, curveDay('2024-11-18'));
    sim.runArchive();
    expect(sim.history(bad.id)).toHaveLength(24);
    expect(rows('load_curve_energy')).toHaveLength(48);
  });

  it('stops when Jeedom goes down mid-way and the next run completes without duplicates', async () => {
    const curve = curveDay('2024-11-18');
    sim.setFault({ kind: 'reset', method: 'cmd::event' });
    const err = await writeReadings(client, curve).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JeedomWriteInterruptedError);
    expect((err as JeedomWriteInterruptedError).exitCode).toBe(75);
    expect(String(err)).not.toContain(sim.apikey);
    sim.setFault(null);
    const next = await writeReadings(client, curve);
    expect(next.written + next.skipped).toBe(96);
    expect(rows('load_curve_power')).toHaveLength(48);
    expect(sim.currentValue(cmdId('load_curve_power'))!.collectDate).toBe('2024-11-18 23:30:00');
  });

  it('pipelines with bounded concurrency and respects a requests-per-second bound', async () => {
    const summary = await writeReadings(client, curveDay('2024-11-18').slice(0, 10), { concurrency: 2, maxRequestsPerSecond: 200 });
    expect(summary.written).toBe(20);
    expect(summary.requests).toBeGreaterThanOrEqual(20);
    expect(summary.requestsPerSecond).toBeGreaterThan(0);
  });

  it('counts a dry run without writing', async () => {
    const r = await writeReadings(client, curveDay('2024-11-18'), { dryRun: true });
    expect(r.written).toBe(96);
    expect(sim.methodCounts()['cmd::event']).toBeUndefined();
  });
});

describe('token state and relaunch', () => {
  it('writes changed token fields only, not historised, and never leaks them in errors', async () => {
    const device = await loadVirtualDevice(client, PDL);
    const state = { access_token: 'a'.repeat(64), refresh_token: 'r'.repeat(64), token_type: 'Bearer', usage_point_id: PDL };
    expect((await writeTokenState(client, device, state)).written.sort()).toEqual([
      'access_token',
      'refresh_token',
      'token_type',
      'usage_point_id',
    ]);
    expect(sim.currentValue(cmdId('refresh_token'))!.value).toBe('r'.repeat(64));
    expect(rows('refresh_token')).toEqual([]);
    const again = await writeTokenState(client, device, { ...state, refresh_token: 's'.repeat(64) });
    expect(again).toEqual({ written: ['refresh_token'], unchanged: ['access_token', 'token_type', 'usage_point_id'] });
    sim.setFault({ kind: 'http500' });
    const err = await writeTokenState(client, device, { refresh_token: 't'.repeat(64) }).catch((e: Error) => e);
    expect(String(err)).not.toContain('t'.repeat(20));
    expect(String(err)).not.toContain(sim.apikey);
  });

  it('sets and clears the relaunch flag, firing the trigger each time', async () => {
    const device = await loadVirtualDevice(client, PDL);
    await setRelaunch(client, device, true);
    await setRelaunch(client, device, true);
    expect(sim.currentValue(cmdId('relaunch'))!.value).toBe(1);
    expect(sim.triggerCount(cmdId('relaunch'))).toBe(2);
    await setRelaunch(client, device, false);
    expect(sim.currentValue(cmdId('relaunch'))!.value).toBe(0);
  });
});
